"""Privacy check against evasions (issue 16, item 9): numbers split by no-break or invisible characters,
wrapped over lines, written as character references or other digits, inside links and inline markup,
in YAML escapes, in list files and in the settings. One fixture per case under tests/fixtures/hostile/,
each with its exact report pinned; and a 5 MB body read in one linear pass."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest

from conftest import BASE, FIXTURES, NOW, check, write_story

HOSTILE = FIXTURES / "hostile"
ITEM_FIX = "若确需公开，请在头信息写 allow: [{{rule: {rule}, why: 理由}}]"
MOBILE = "[privacy-mobile] 疑似个人手机号码：公开的内容不得含个人手机号，请删去，或打码写成 {masked}。{fix}"
ID = "[privacy-id] 疑似居民身份证号码（{masked}，校验码正确）：公开的内容不得含身份证号（《个人信息保护法》）。{fix}"
BANK = "[privacy-bank] 疑似银行卡号（{masked}，卡号校验正确）：公开的内容不得含银行卡号。{fix}"
LIST_FIX = "列表文件里的文字不能豁免，请删去或打码"
LIST_FIX_MOBILE = "列表文件里的文字不能豁免；单位对外公开的服务热线请写在 mkdocs.yml 的 extra.unionpress.footer.phone"
SETTING_FIX = "设置里的文字不能豁免，请删去或打码"
SETTING_FIX_MOBILE = "单位对外公开的服务热线请写在 footer.phone（那里可以写手机号）"


def mobile(where: str, masked: str, fix: str | None = None) -> str:
    return f"{where}: " + MOBILE.format(masked=masked, fix=fix or ITEM_FIX.format(rule="privacy-mobile"))


def id_number(where: str, masked: str, fix: str | None = None) -> str:
    return f"{where}: " + ID.format(masked=masked, fix=fix or ITEM_FIX.format(rule="privacy-id"))


def bank(where: str, masked: str, fix: str | None = None) -> str:
    return f"{where}: " + BANK.format(masked=masked, fix=fix or ITEM_FIX.format(rule="privacy-bank"))


def story(name: str) -> str:
    return f"content/stories/{name}"


# fixture → every privacy line the checker reports for a story made of it
EXPECTED = {
    "privacy-split-by-spaces.md": [  # U+00A0, U+202F, U+3000 between the groups
        mobile(story("privacy-split-by-spaces.md:12:7"), "138****5678"),
        mobile(story("privacy-split-by-spaces.md:14:8"), "139****5678"),
        mobile(story("privacy-split-by-spaces.md:14:27"), "137****5678"),
        id_number(story("privacy-split-by-spaces.md:16:8"), "110***********002X"),
        bank(story("privacy-split-by-spaces.md:18:9"), "621*********5670")],
    "privacy-split-by-invisible.md": [  # U+200B, U+200C, U+200D, U+2060, U+FEFF, soft hyphen anywhere inside
        mobile(story("privacy-split-by-invisible.md:12:6"), "138****5678"),
        mobile(story("privacy-split-by-invisible.md:14:7"), "139****5678"),
        mobile(story("privacy-split-by-invisible.md:14:31"), "137****5678"),
        id_number(story("privacy-split-by-invisible.md:16:6"), "110***********002X")],
    "privacy-wrapped-over-lines.md": [  # a line break inside the number, in a paragraph and a list item
        mobile(story("privacy-wrapped-over-lines.md:12:10"), "138****5678"),
        id_number(story("privacy-wrapped-over-lines.md:15:13"), "110***********002X"),
        bank(story("privacy-wrapped-over-lines.md:18:8"), "621*********5670")],
    "privacy-character-references.md": [  # &#49; …, &nbsp;, &#x200B;, &#xFF11;, &shy;
        mobile(story("privacy-character-references.md:12:5"), "138****5678"),
        mobile(story("privacy-character-references.md:14:6"), "139****5678"),
        mobile(story("privacy-character-references.md:14:33"), "137****5678"),
        mobile(story("privacy-character-references.md:16:6"), "136****5678"),
        id_number(story("privacy-character-references.md:16:44"), "110***********002X")],
    "privacy-in-links.md": [  # tel:, an HTML href, sms:, a query string, a percent-escaped +86, an ID in a query
        mobile(story("privacy-in-links.md:12:13"), "138****5678"),
        mobile(story("privacy-in-links.md:14:14"), "139****5678"),
        mobile(story("privacy-in-links.md:16:11"), "137****5678"),
        mobile(story("privacy-in-links.md:18:41"), "136****5678"),
        mobile(story("privacy-in-links.md:20:10"), "135****5678"),
        id_number(story("privacy-in-links.md:22:35"), "110***********002X")],
    "privacy-inline-markup.md": [  # **bold**, <span>, <!-- -->, \- escapes and `code` inside the number
        mobile(story("privacy-inline-markup.md:12:6"), "138****5678"),
        mobile(story("privacy-inline-markup.md:14:6"), "139****5678"),
        mobile(story("privacy-inline-markup.md:14:36"), "137****5678"),
        mobile(story("privacy-inline-markup.md:16:6"), "136****5678"),
        mobile(story("privacy-inline-markup.md:16:27"), "135****5678")],
    "privacy-other-digits.md": [  # mathematical digits, full-width digits and hyphen, en dashes
        mobile(story("privacy-other-digits.md:12:8"), "138****5678"),
        mobile(story("privacy-other-digits.md:14:7"), "139****5678"),
        mobile(story("privacy-other-digits.md:14:25"), "137****5678")],
    "privacy-yaml-values.md": [  # a "\u0031…" escape (pointed at its backslash), a plain value wrapped over lines;
        # the YAML comment holding a number is never published, never read
        mobile(story("privacy-yaml-values.md:7:16"), "138****5678"),
        mobile(story("privacy-yaml-values.md:9:9"), "139****5678")],
    # Precision: landlines, dates, amounts and counts (after a no-break space or &nbsp;), an order number,
    # an ISBN, a wrong check digit, table cells, list items and paragraphs apart are no one's number.
    "privacy-ordinary-numbers-as-read.md": [],
}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_evasion_is_found_where_it_was_written(site_copy, case):
    shutil.copy(HOSTILE / case, site_copy / "stories" / case)
    found, _ = check(site_copy)
    assert [line for line in found if "[privacy-" in line] == EXPECTED[case]


def test_every_privacy_fixture_has_an_expectation():
    assert {path.name for path in HOSTILE.glob("privacy-*.md")} == set(EXPECTED)


def test_an_exemption_covers_the_evasions_too(site_copy):
    """`allow` silences its rule whatever the spelling; it counts as used (no allow-unused)."""
    write_story(site_copy, "hotline", body="服务热线 139\u00a01234&#8203;5678。",
                allow="[{rule: privacy-mobile, why: 单位对外公开的服务热线}]")
    assert check(site_copy)[0] == []


def _lists_site(site_copy: Path) -> Path:
    for path in (HOSTILE / "privacy-in-lists").rglob("*.yml"):
        target = site_copy / path.relative_to(HOSTILE / "privacy-in-lists")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    return site_copy


def test_numbers_in_list_files_are_found_in_published_rows(site_copy):
    """Every list file is public; a draft row (topics.yml:10) is not yet, an embargoed one will be
    (topics.yml:14); a comment (columns.yml:1) never is."""
    found, _ = check(_lists_site(site_copy))
    assert [line for line in found if "[privacy-" in line] == [
        mobile("content/columns.yml:4:30", "138****5678", LIST_FIX_MOBILE),  # U+00A0 between the groups
        mobile("content/honors.yml:1:38", "136****5678", LIST_FIX_MOBILE),  # &#49; and &#8203; in a flow mapping
        bank("content/library/shelves.yml:1:48", "621*********5670", LIST_FIX),  # "\u00a0" escapes
        mobile("content/synonyms.yml:2:11", "135****5678", LIST_FIX_MOBILE),  # U+200B inside
        id_number("content/topics.yml:5:5", "110***********002X", LIST_FIX),  # a folded value wrapped inside the ID
        mobile("content/topics.yml:14:21", "137****5678", LIST_FIX_MOBILE),
    ]


def test_numbers_in_settings_are_found_on_their_line(tmp_path, site_copy):
    """The footer's phone may be the union's mobile hotline (mkdocs.yml:12 is not reported); a mobile in
    the copyright, the footer's address or a partner feed's description is an error on its own line."""
    from unionpress import config, engine

    text = (HOSTILE / "privacy-in-settings.yml").read_text(encoding="utf-8").replace("CONTENT", str(site_copy))
    (tmp_path / "mkdocs.yml").write_text(text, encoding="utf-8")
    settings, findings = config.load(tmp_path, environ={"UNIONPRESS_NOW": NOW})
    engine.prepare(settings, findings)
    assert [finding.format() for finding in findings.sorted()] == [
        mobile("mkdocs.yml:5", "136****5678", SETTING_FIX_MOBILE),
        mobile("mkdocs.yml:11", "139****5678", SETTING_FIX_MOBILE),
        mobile("mkdocs.yml:17", "137****5678", SETTING_FIX_MOBILE),
    ]


@pytest.mark.parametrize("phone, expected", [
    ("13812345678", []),  # the union's own hotline
    ("010-12345678", []),  # a landline with its area code
    ("11010519491231002X", [id_number("mkdocs.yml:1", "110***********002X", SETTING_FIX)]),
    ("6217 0000 1234 5670", [bank("mkdocs.yml:1", "621*********5670", SETTING_FIX)]),
])
def test_footer_phone_may_be_a_mobile_but_no_id_or_card(site_copy, phone, expected):
    assert check(site_copy, footer={"phone": phone})[0] == expected


def test_a_mobile_in_another_footer_line_is_reported(site_copy):
    assert check(site_copy, footer={"host": "示例市总工会（联系人 13812345678）"})[0] == [
        mobile("mkdocs.yml:1", "138****5678", SETTING_FIX_MOBILE)]


def test_reading_maps_every_character_back_to_its_source():
    from unionpress.checks.reading import read

    source = "电话&nbsp;１３８\u200b1234\n5678 138**1234**"
    shown = read(source, markup=True)
    assert shown.text == "电话 13812345678 1381234"
    # each digit points at the character (or the reference) it was read from
    assert [source[shown.origin(at)] for at in range(len(shown.text))] == list("电话&１３８12345678 1381234")


def test_locating_is_by_bisection_not_by_scanning(monkeypatch):
    """A finding's line and column come from one table of line starts made once per file, looked up by
    bisection: 2,000 numbers in a body cost 2,000 lookups, not 2,000 scans from the top."""
    import datetime as dt

    from unionpress.checks import privacy, reading

    made = []
    original = reading.Places.__init__

    def counted(self, text):
        made.append(len(text))
        original(self, text)

    monkeypatch.setattr(reading.Places, "__init__", counted)
    body = "\n\n".join(f"第 {n} 条：联系人 138{n:04d}5678。" for n in range(2000))
    found = list(privacy.scan(f"---\ntitle: x\n---\n{body}\n", dt.date(2026, 11, 22)))
    assert len(found) == 2000 and found[-1][:2] == (4 + 2 * 1999, len("第 1999 条：联系人 ") + 1)
    assert len(made) == 1


SENTENCES = ["他在车间里一干就是三十年，从学徒做到高级技师，带出了一百多名徒弟。",
             "2025 年，班组完成技术革新 12 项，为企业节约成本 380 万元。",
             "“干一行，爱一行，钻一行”，这是他常挂在嘴边的一句话。",
             "面对高原缺氧的环境，工友们没有一个人叫苦叫累。"]


def _prose(size: int) -> str:
    """About `size` bytes of article: paragraphs, headings, lists and links, as an editor writes them."""
    rng = random.Random(16)
    blocks, total = [], 0
    while total < size:
        n = len(blocks)
        if n % 40 == 39:
            block = f"## 第 {n // 40 + 1} 部分"
        elif n % 15 == 14:
            block = "\n".join(f"- {rng.choice(SENTENCES)}" for _ in range(4))
        elif n % 7 == 6:
            block = rng.choice(SENTENCES) + f"详见[工会网站](https://www.example.org/news/{n}/)和[劳模](../models/good-model.md)。"
        else:
            block = "".join(rng.choice(SENTENCES) for _ in range(rng.randint(3, 8)))
        blocks.append(block)
        total += len(block.encode()) + 2
    return "\n\n".join(blocks)


def test_a_5_mb_body_is_checked_and_its_last_number_located(site_copy, caplog):
    """The issue's 5 MB body, checked whole (load, privacy, links, rendering): it completes, and a
    number wrapped over two lines at its very end is found on its line. Its search record holds a
    bounded part of the body (Pagefind's cost grows with the square of one record's text)."""
    import logging

    from unionpress import search

    body = _prose(5_000_000)
    lines = body.count("\n")
    write_story(site_copy, "huge", body=body + "\n\n最后一段：请联系 138\n1234 5678。")
    found, build = check(site_copy)
    # 5 MB is also far over what WeChat takes (20,000 characters, 1 MB; issue 19): an error at the body's start.
    wechat, *found = found
    size = re.fullmatch(r"content/stories/huge\.md:11: \[wechat-content-long\] 正文转成公众号图文后有 (\d+) 个字符"
                        r"（(\d+) KB），公众号要求少于 20000 字符且小于 1 MB：请删减，或分成几篇发布", wechat)
    assert size and int(size[1]) > 1_000_000 and int(size[2]) > 5_000_000 // 1024, wechat
    assert found == [mobile(f"content/stories/huge.md:{12 + lines + 2}:10", "138****5678")]
    with caplog.at_level(logging.INFO, logger="mkdocs.hooks.unionpress"):
        records = search.records(build.public, lambda item: build.bodies[id(item)])
    huge = next(record for record in records if record.url == "stories/huge/")
    assert len(huge.text) == search.BODY_TEXT_LIMIT and huge.text.startswith(body[:20])
    assert "站内搜索只收录 content/stories/huge.md 正文的前 200000 字（全文 " in caplog.text
    assert all(len(record.text) < 1000 for record in records if record is not huge)  # the others whole


def test_a_feed_entry_over_10_mb_is_written():
    """A body of more than 10 MB is one text node in the Atom feed; libxml2 refuses such a node unless
    told otherwise, which crashed the build after the pages were written (outputs/feeds.py)."""
    from types import SimpleNamespace

    from unionpress.outputs import feeds

    text = "劳动" * 2_000_000 + "&lt;p&gt;"  # 12 MB of UTF-8 in one node
    data = ('<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><entry>'
            f'<id>https://example.org/stories/huge/</id><title>长文</title><content type="html">{text}</content>'
            '</entry></feed>').encode()
    entry = SimpleNamespace(url="https://example.org/stories/huge/", cover=None, bundle=None)  # what _Entry has
    written = feeds._atom_links(data, [entry])
    assert written.count("劳动".encode()) == 2_000_000
    assert b'<link href="https://example.org/stories/huge/" rel="alternate" type="text/html"/>' in written


class _Scanned(str):
    """A text that counts the characters its searches go over (find, count, rfind)."""

    scanned = 0

    def _tally(self, start, end, found, length=0):
        start = 0 if start is None else start
        end = len(self) if end is None else end
        _Scanned.scanned += max(0, (found + length if found >= 0 else end) - start)

    def find(self, sub, start=None, end=None):
        found = str.find(self, sub, start, end)
        self._tally(start, end, found, len(sub))
        return found

    def rfind(self, sub, start=None, end=None):
        found = str.rfind(self, sub, start, end)
        self._tally(start, end, -1)
        return found

    def count(self, sub, start=None, end=None):
        self._tally(start, end, -1)
        return str.count(self, sub, start, end)


def test_body_lines_are_found_in_one_pass():
    """The line of each of 2,000 links reported in a body is looked for from where the last one was
    found (body.py SourceLines): the searches go over the body about once, not once per link."""
    from types import SimpleNamespace

    from unionpress.body import SourceLines

    _Scanned.scanned = 0
    links = [f"../no-such-{n}.md" for n in range(2000)]
    body = _Scanned("".join(f"李师傅带出了一百多名徒弟，参见[第{n}篇]({link})。\n\n" for n, link in enumerate(links)))
    line_of = SourceLines(SimpleNamespace(body=body, body_line=12), around=" \t\r\n()<>\"'")
    assert [line_of(link) for link in links] == [12 + 2 * n for n in range(2000)]
    assert _Scanned.scanned < 3 * len(body)


def test_control_characters_are_located_in_one_pass():
    """A Word paste with a soft return (U+000B) on each of 20,000 lines: the lines are counted on from
    the last one found (chars.controls), not from the top for each (that took 42 s at 80,000)."""
    from unionpress import chars

    _Scanned.scanned = 0
    text = _Scanned("他在车间里一干就是三十年。\x0b\n" * 20_000)
    found = chars.controls(text)
    assert found[-1] == (20_000, 14, "\x0b") and len(found) == 20_000
    assert _Scanned.scanned < 3 * len(text)
