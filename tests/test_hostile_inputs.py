"""Hostile inputs, second sweep: control characters and invisible format characters in every kind's text.

The fixtures are under tests/fixtures/hostile/input-*/ (each has a README saying what is planted where).
Control characters (a Word page break's form feed, a soft return's vertical tab, ESC, C1 controls …)
are removed once, when a file is read, each with a located warning; the build must then write only
well-formed XML, SVG and JSON. Format characters (zero-width joiner, word joiner, soft hyphen, BOM,
bidi marks) never make a second tag, a second signer, a second synonym or a partner filter miss.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import feedparser
import lxml.etree
import lxml.html
import pytest

from conftest import FIXTURES, MKDOCS, NOW, ROOT, check, write_item, write_story

HOSTILE = FIXTURES / "hostile"
CONTROLS = HOSTILE / "input-control-characters"
# What chars.CONTROL removes; written out here so the tests do not trust the code they test.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
GONE = "已删除：多半是从 Word、WPS 或网页粘贴带来的，读者看不到，发布的内容里也不会有"
FF, ESC, VT, SOH = "U+000C（换页符，多为 Word 的分页符）", "U+001B（ESC 转义符）", "U+000B（垂直制表符，多为 Word 的软回车）", "U+0001"

# Every planted control: where it is (path:line:col) and which characters the warning names.
PLANTED = [
    ("columns.yml:7:24", FF),  # name: "栏目\f" (a YAML escape)
    ("columns.yml:7:47", ESC),  # description: raw ESC
    ("contests/kongzhi-zhengwen/entries/kongzhi-zuopin.md:2:8", ESC),
    ("contests/kongzhi-zhengwen/entries/kongzhi-zuopin.md:3:11", FF),
    ("contests/kongzhi-zhengwen/entries/kongzhi-zuopin.md:13:5", VT),  # body
    ("contests/kongzhi-zhengwen/index.md:2:8", FF),
    ("contests/kongzhi-zhengwen/index.md:3:10", ESC),
    ("contests/kongzhi-zhengwen/index.md:14:5", "U+007F"),
    ("exhibitions/kongzhi-zhanlan.md:2:8", ESC),
    ("exhibitions/kongzhi-zhanlan.md:5:12", FF),
    ("exhibitions/kongzhi-zhanlan.md:7:13", FF),  # works[1].title, an escape in a flow mapping
    ("exhibitions/kongzhi-zhanlan.md:7:31", f"{ESC}、{VT}"),  # works[1].author and .alt, raw
    ("exhibitions/kongzhi-zhanlan.md:15:5", ESC),
    ("honors.yml:3:31", FF),
    ("library/books/kongzhi-shu.md:2:8", FF),
    ("library/books/kongzhi-shu.md:3:11", ESC),
    ("library/books/kongzhi-shu.md:5:12", SOH),
    ("library/books/kongzhi-shu.md:13:5", FF),
    ("library/shares/kongzhi-fenxiang.md:2:8", ESC),
    ("library/shares/kongzhi-fenxiang.md:4:11", VT),
    ("library/shares/kongzhi-fenxiang.md:13:4", "U+0085（NEL 换行符）"),
    ("library/shelves.yml:2:31", ESC),
    ("library/shelves.yml:2:54", FF),
    ("models/kongzhi-mingzi.md:2:7", FF),  # name
    ("models/kongzhi-mingzi.md:4:13", ESC),  # employer
    ("models/kongzhi-mingzi.md:5:11", SOH),
    ("models/kongzhi-mingzi.md:7:10", VT),
    ("models/kongzhi-mingzi.md:10:15", FF),  # consent.by
    ("models/kongzhi-mingzi.md:18:3", "U+0008"),
    ("stories/kongzhi-zifu.md:2:8", FF),  # title
    ("stories/kongzhi-zifu.md:6:10", ESC),  # summary
    ("stories/kongzhi-zifu.md:7:11", VT),  # authors
    ("stories/kongzhi-zifu.md:8:14", "U+0085（NEL 换行符）"),  # tags
    ("stories/kongzhi-zifu.md:10:11", "U+007F"),  # source, raw
    ("stories/kongzhi-zifu.md:11:11", VT),  # editor, raw
    ("stories/kongzhi-zifu.md:20:4", ESC),  # body
    ("stories/kongzhi-zifu.md:22:1", FF),  # a page break alone on its line
    ("stories/kongzhi-zifu.md:24:10", f"{FF}、{ESC}"),  # &#12; and &#x1B; in the body
    ("stories/kongzhi-zifu.md:26:4", "U+009B"),
    ("synonyms.yml:1:4", FF),
    ("synonyms.yml:2:6", ESC),
    ("topics.yml:5:34", VT),
    ("topics.yml:5:45", ESC),
]


def _overlay(content: Path, fixture: Path) -> None:
    shutil.copytree(fixture / "content", content, dirs_exist_ok=True)


def _texts(value, seen=None):
    """Every text inside an item, a list row or their parts (dataclasses, tuples, dicts)."""
    seen = seen if seen is not None else set()
    if isinstance(value, str):
        yield value
    elif id(value) in seen:
        return
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        seen.add(id(value))
        for field in dataclasses.fields(value):
            yield from _texts(getattr(value, field.name), seen)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(key, seen)
            yield from _texts(item, seen)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from _texts(item, seen)


def test_control_characters_are_removed_where_they_are_with_a_located_warning(site_copy):
    _overlay(site_copy, CONTROLS)
    lines, build = check(site_copy)
    assert lines == [f"content/{where}: [control-char] 警告：含有不可见的控制字符 {chars}，{GONE}" for where, chars in PLANTED]
    # Nothing the engine read holds one: items, list rows and rendered bodies.
    kinds = {item.kind for item in build.catalog.items}
    assert {"story", "model", "exhibition", "book", "share", "contest", "entry"} <= kinds
    texts = [text for item in build.catalog.items for text in _texts(item)]
    texts += [text for rows in build.catalog.lists.values() for text in _texts(rows)]
    texts += [body.html for body in build.bodies.values()]
    assert texts and not [text for text in texts if CONTROL.search(text)]
    story = build.public.get("story", "kongzhi-zifu")
    assert story.title == '换页标题 <b>粗</b> & "引号"' and story.authors == ("王记者",) and story.origin == "来源报社"
    assert build.public.get("model", "kongzhi-mingzi").name == "控制"
    html = build.bodies[id(story)].html
    assert "第二段有字符引用  和 ，破折号 – 照常" in html  # &#150; is an en dash in HTML, not a control
    columns = build.catalog.lists["column"]
    assert columns["kongzhi"].name == "栏目" and columns["kongzhi"].description == "说明"


def _built(site_copy, tmp_path) -> tuple[Path, subprocess.CompletedProcess]:
    site = tmp_path / "site"
    env = dict(os.environ, UNIONPRESS_NOW=NOW, NO_MKDOCS_2_WARNING="1", UNIONPRESS_CONTENT=str(site_copy))
    env.pop("SOURCE_DATE_EPOCH", None)
    env.pop("UNIONPRESS_PREVIEW", None)
    # Not -q: the warnings are what is compared with check.
    done = subprocess.run([*MKDOCS, "build", "-f", str(ROOT / "mkdocs.yml"), "-d", str(site)], env=env,
                          capture_output=True, text=True, cwd=ROOT)
    return site, done


def test_every_output_of_a_site_full_of_control_characters_parses(site_copy, tmp_path):
    _overlay(site_copy, CONTROLS)
    site, done = _built(site_copy, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    # The build warns about exactly what check warns about (paths as the build shows them).
    warned = sorted(re.findall(r"content/(\S+?): \[control-char\] 警告：含有不可见的控制字符 (.+?)，已删除", done.stderr))
    assert warned == sorted(PLANTED)
    outputs = [p for p in site.rglob("*") if p.is_file()]
    parsed = {"xml": 0, "svg": 0, "json": 0}
    for path in outputs:
        if path.suffix in (".xml", ".svg"):
            lxml.etree.parse(str(path))  # well-formed, or this raises
            parsed[path.suffix[1:]] += 1
        elif path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))
            parsed["json"] += 1
        if path.suffix in (".xml", ".svg", ".json", ".html", ".csv", ".txt", ".js"):
            text = path.read_text(encoding="utf-8")
            assert not CONTROL.search(text), path.relative_to(site)
    assert parsed["svg"] and parsed["xml"] >= 10 and parsed["json"] >= 5, parsed
    card = lxml.etree.parse(str(site / "models/kongzhi-mingzi/card.svg")).getroot()
    assert card.get("aria-label").startswith("控制，2020年 荣誉，")
    for feed in sorted((site / "feeds").rglob("*.xml")):
        parsed_feed = feedparser.parse(feed.read_bytes())
        assert parsed_feed.bozo == 0, (feed, parsed_feed.get("bozo_exception"))
    rss = feedparser.parse((site / "feeds/rss.xml").read_bytes())
    entry = next(e for e in rss.entries if e.link.endswith("/kongzhi-zifu/"))
    assert entry.title == '换页标题 <b>粗</b> & "引号"'
    page = lxml.html.fromstring((site / "stories/kongzhi-zifu/index.html").read_bytes())
    assert page.xpath("string(//h1)").strip() == '换页标题 <b>粗</b> & "引号"'


# -- invisible format characters ------------------------------------------------------------------

FORMAT = ["\u200d", "\u200b", "\u2060", "\u00ad", "\ufeff", "\u200e", "\u202e", "\u2066", "\u180e", "\U000e0041"]


@pytest.mark.parametrize("char", FORMAT, ids=[f"U+{ord(c):04X}" for c in FORMAT])
def test_a_format_character_makes_no_second_tag(site_copy, char):
    from unionpress.pages.base import tag_table
    from unionpress.tags import tag_url

    write_story(site_copy, "twin", tags=f'["劳模{char}精神", "Ａ{char}I"]')
    write_story(site_copy, "plain", tags="[劳模精神, ai]", date="2026-05-02 09:00")
    lines, build = check(site_copy)
    assert lines == []
    twin, plain = build.public.get("story", "twin"), build.public.get("story", "plain")
    assert [tag_url(t) for t in twin.tags] == [tag_url(t) for t in plain.tags]
    # One page each for 劳模精神 and AI, and good-story's 工匠: no twin.
    assert set(tag_table(build.public.latest("story"))) == {tag_url("劳模精神"), tag_url("ai"), tag_url("工匠")}


def test_one_signer_with_an_invisible_character_is_still_one_person(site_copy):
    review = ('review:\n  first: {by: "张\u200d三", date: 2026-04-30}\n  second: {by: "张\u00ad三", date: 2026-04-30}\n'
              "  final: {by: 张三, date: 2026-04-30}\n")
    path = write_story(site_copy, "signed", review=False)
    path.write_text(path.read_text(encoding="utf-8").replace("---\n\n", review + "---\n\n", 1), encoding="utf-8")
    lines, _ = check(site_copy)
    assert lines == ["content/stories/signed.md:6: [review-same-person] 三审中同一人「张\u200d三」签了两级（初审、复审、终审），"
                     "每级须由不同的人审核"]


def test_a_partner_filter_finds_a_tag_written_with_a_word_joiner(site_copy):
    from unionpress.feedsets import feed_sets

    lines, build = check(site_copy, partners=[{"name": "ribao", "tags": ["劳模\u2060精神", "工\u200b匠"]}])
    assert lines == []  # on main: 「劳模⁠精神」不存在
    partner = feed_sets(build.public, build.settings)[-1]
    story = build.public.get("story", "good-story")
    assert partner.kind == "partner" and partner.matches(story, "laodongzhe-zhi-ge", ["laodongmei"])


def test_synonyms_are_kept_folded_as_the_browser_folds_the_query(site_copy):
    from unionpress import search

    (site_copy / "synonyms.yml").write_text("- [AI, 人工智能]\n- [ＣＮＣ, 数控]\n- [劳模, \"劳模\u200d\"]\n", encoding="utf-8")
    lines, build = check(site_copy)
    # 劳模 with a joiner is 劳模: a group of one word.
    assert lines == ["content/synonyms.yml:3: [synonym-row] 第 3 组同义词应写成至少两个词的列表，例如 - [劳动模范, 劳模]"]
    assert search.synonym_groups(build.public) == [["ai", "人工智能"], ["cnc", "数控"]]


def test_a_region_written_with_a_zero_width_joiner_is_one_hall(site_copy):
    from unionpress.tags import name_slug

    assert name_slug("东城\u200d区") == name_slug("东城区") and name_slug("东城\u00ad区 ") == name_slug("东城区")


def test_fold_is_the_identity_everywhere():
    from unionpress import chars, tags, validate
    from unionpress.kinds import synonym

    assert chars.fold("  Ｌａｏ\u200dＭｏ\u00ad  精神\ufeff ") == "laomo 精神"
    assert tags.tag_key("5G\u2060") == chars.fold("５ｇ") == "5g"
    assert validate.person("周 晓\u200b燕") == validate.person("周晓燕") == "周晓燕"
    assert synonym.fold is chars.fold


def test_a_reference_key_with_an_invisible_character_says_which_one(site_copy):
    """The usual 「是否想写 laodongzhe-zhi-ge？」 would show the editor exactly what they wrote."""
    from conftest import check, write_story

    write_story(site_copy, "zwj-key", column="laodongzhe-zhi\u200d-ge")
    lines, _build = check(site_copy)
    assert lines == ["content/stories/zwj-key.md:4: [unknown-ref] 字段「column」引用的栏目「laodongzhe-zhi\u200d-ge」不存在"
                     "：其中有看不见或不同写法的字符（U+200D），请删去后重打为「laodongzhe-zhi-ge」"]
