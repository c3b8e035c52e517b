"""Contests (征文比赛): /contests/, /contests/SLUG/ and /contests/SLUG/entries/ENTRY/.

The state rules (即将开始 / 征集中 / 评审中 / 已揭晓) at their boundary days in the union's time zone,
entries grouped by award tier in the union's order with 上一篇/下一篇 inside a tier, an entry public
only while its contest is, what contests give search, the homepage, the channel bar and topics, and
the sample's draft entry nowhere in a production build.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import lxml.html
import pytest

from conftest import BASE, NOW, ROOT, check, mkdocs_build, write_item, write_story

from unionpress.kinds import contest as contests
from unionpress.kinds.contest import ANNOUNCED, JUDGING, OPEN, UPCOMING, Contest, Entry

# The sample's draft entry (content/contests/wode-laodong-gushi-2026/entries/chejian-riji-caogao.md):
# its title, slug, author and the marker in its body appear nowhere else in the sample.
DRAFT_ENTRY = ["EN7", "未定稿的车间日记", "chejian-riji-caogao", "钱未发"]


def _contest(opens: str | None = "2026-03-01", closes: str | None = "2026-04-15") -> Contest:
    day = lambda text: dt.date.fromisoformat(text) if text else None  # noqa: E731
    return Contest("contest", "c", "c.md", Path("c.md"), Path("."), True, {}, "", 1, title="征文",
                   opens=day(opens), closes=day(closes))


def _entry(award: str = "", slug: str = "e") -> Entry:
    return Entry("entry", slug, "e.md", Path("e.md"), Path("."), False, {}, "", 1, parent="c", title=slug,
                 author="某人", award=award)


D = dt.date.fromisoformat


# -- the state rules, as a function of the day -----------------------------------------------------------

@pytest.mark.parametrize("today, entries, expected", [
    ("2026-02-28", [], UPCOMING),  # the day before opens
    ("2026-03-01", [], OPEN),  # opens is the first day submissions are taken
    ("2026-04-15", [], OPEN),  # closes is the last day
    ("2026-04-16", [], JUDGING),  # the day after closes, no award yet
    ("2026-04-16", [_entry("")], JUDGING),  # an entry without an award announces nothing
    ("2026-04-16", [_entry("未获奖"), _entry("无")], JUDGING),  # words that mean "no award" are none
    ("2026-04-16", [_entry(""), _entry("二等奖")], ANNOUNCED),  # one award is the results
    ("2026-04-16", [_entry("最佳创意奖")], ANNOUNCED),  # an award outside the union's tiers is one too
    ("2026-04-01", [_entry("一等奖")], ANNOUNCED),  # awards announce results even before closes
    ("2026-02-28", [_entry("一等奖")], UPCOMING),  # before opens nothing has happened, whatever is written
])
def test_state_on_each_side_of_the_dates(today, entries, expected):
    assert contests.state(_contest(), entries, D(today)) == expected


def test_a_contest_without_a_closing_day_collects_until_it_announces():
    rolling = _contest(closes=None)
    assert contests.state(rolling, [], D("2030-01-01")) == OPEN
    assert contests.state(rolling, [_entry("优秀奖")], D("2030-01-01")) == ANNOUNCED
    assert contests.state(rolling, [], D("2026-02-28")) == UPCOMING


# -- a small site with contests ----------------------------------------------------------------------------

def _essay(content: Path, slug: str = "essay", **fields) -> None:
    fields = {"title": "职工征文", "theme": "岗位上的故事", "opens": "2026-03-01", "closes": "2026-04-15",
              "organizer": "示例市总工会", "date": "2026-05-01", "status": "published", **fields}
    write_item(content, f"contests/{slug}/index.md", "征文启事正文。", **fields)


def _piece(content: Path, contest: str, slug: str, award: str | None, date: str = "2026-05-01", **fields) -> None:
    fields = {"title": f"作品{slug}", "author": f"作者{slug}", "unit": "示例工厂", "date": date, "status": "published",
              **({"award": award} if award is not None else {}), **fields}
    write_item(content, f"contests/{contest}/entries/{slug}.md", f"{slug}的正文。", **fields)


@pytest.fixture
def announced(site_copy):
    """A contest with results: tiers out of order in the files, two pieces in one tier, an award the
    union does not list, a piece without an award, and a draft piece in the top tier."""
    _essay(site_copy)
    _piece(site_copy, "essay", "b-second", "二等奖")
    _piece(site_copy, "essay", "a-first", "一等奖", date="2026-05-02")
    _piece(site_copy, "essay", "c-first", "一等奖", date="2026-05-01")
    _piece(site_copy, "essay", "d-first", "一等奖", date="2026-05-01")
    _piece(site_copy, "essay", "e-special", "最佳创意奖")
    _piece(site_copy, "essay", "f-none", None)
    _piece(site_copy, "essay", "g-grand", "特等奖")
    _piece(site_copy, "essay", "h-draft", "特等奖", title="草稿作品ZX8", author="甄未发", status="draft")
    return site_copy


def _html(build, url: str):
    return lxml.html.fromstring(build.renderer.out.text_of(url))


def _tiers(build, url: str) -> list[tuple[str, list[str]]]:
    page = _html(build, url)
    return [(section.findtext(".//h3").strip(), [a.text for a in section.iterfind(".//ol/li/a")])
            for section in page.find_class("up-tier")]


def test_entries_grouped_by_tier_in_the_unions_order(announced):
    lines, build = check(announced)
    assert lines == []  # entries under the contest's page are its own (no slug-reserved)
    # The union's tiers first, in its order; then the award it does not list; then the rest. Inside a
    # tier by date, then by file name (c and d share a day). The draft is in no tier.
    assert _tiers(build, "contests/essay/") == [
        ("特等奖", ["作品g-grand"]), ("一等奖", ["作品c-first", "作品d-first", "作品a-first"]),
        ("二等奖", ["作品b-second"]), ("最佳创意奖", ["作品e-special"]), ("其他参赛作品", ["作品f-none"])]
    openings = [span.text for span in _html(build, "contests/essay/").find_class("up-entries__opening")]
    assert openings[:2] == ["g-grand的正文。", "c-first的正文。"]  # each piece's first words under its title
    status = _html(build, "contests/essay/").find_class("up-contest__status")[0].text_content()
    assert status == "已揭晓 评审结果已揭晓，6 件作品获奖"
    dates = [div.findtext("dd") for div in _html(build, "contests/essay/").find_class("up-facts")[0]
             if div.findtext("dt") == "征集时间"]
    assert dates == ["2026年3月1日—4月15日"]  # the year once when both days share it


def test_the_unions_own_tiers_order_the_groups(announced):
    lines, build = check(announced, award_tiers=["最佳创意奖", "二等奖", "一等奖"])
    assert lines == []
    assert [tier for tier, _ in _tiers(build, "contests/essay/")] == ["最佳创意奖", "二等奖", "一等奖", "特等奖",
                                                                       "其他参赛作品"]


def _sequel(build, url: str) -> dict[str, str]:
    nav = _html(build, url).find_class("up-sequel")
    return {p.findtext("span"): p.find("a").get("href") for p in nav[0].iterfind("p")} if nav else {}


def test_previous_and_next_stay_inside_a_tier(announced):
    _, build = check(announced)
    entries = "contests/essay/entries/"
    assert _sequel(build, entries + "c-first/") == {"下一篇": "../d-first/"}
    assert _sequel(build, entries + "d-first/") == {"上一篇": "../c-first/", "下一篇": "../a-first/"}
    assert _sequel(build, entries + "a-first/") == {"上一篇": "../d-first/"}
    assert _sequel(build, entries + "g-grand/") == {}  # alone in its tier: the draft beside it is no neighbour
    page = _html(build, entries + "d-first/")
    assert page.find_class("up-award__name")[0].text == "一等奖"
    assert page.find_class("up-sequel")[0].get("aria-label") == "一等奖中的上一篇和下一篇"
    back = page.find_class("up-more")[0].find("a")
    assert (back.get("href"), back.text) == ("../../#tier-2", "「职工征文」全部作品")


def test_entry_page_shows_the_piece(announced):
    _, build = check(announced)
    page = _html(build, "contests/essay/entries/a-first/")
    assert page.findtext(".//h1") == "作品a-first"
    assert [s.text_content() for s in page.find_class("up-byline")[0]] == ["作者：作者a-first", "单位：示例工厂",
                                                                         "2026年5月2日"]
    assert page.find_class("up-kicker")[0].find("a").get("href") == "../../"
    assert "a-first的正文。" in page.find_class("up-body")[0].text_content()


def test_listing_puts_what_a_worker_can_join_first(site_copy):
    """/contests/ at 2026-11-22: 征集中 (soonest closing first), 即将开始 (soonest first), 评审中, 已揭晓
    (most recent first)."""
    _essay(site_copy, "open-late", title="征集中晚截止", opens="2026-10-01", closes="2027-01-31")
    _essay(site_copy, "open-soon", title="征集中早截止", opens="2026-11-01", closes="2026-12-01")
    _essay(site_copy, "next-year", title="明年开始", opens="2027-03-01", closes="2027-04-01")
    _essay(site_copy, "next-month", title="下月开始", opens="2026-12-01", closes="2027-01-01")
    _essay(site_copy, "judging", title="评审中的", opens="2026-09-01", closes="2026-10-31")
    _essay(site_copy, "old", title="去年揭晓", opens="2025-03-01", closes="2025-04-15")
    _piece(site_copy, "old", "won", "一等奖")
    _essay(site_copy, "recent", title="今年揭晓", opens="2026-03-01", closes="2026-04-15")
    _piece(site_copy, "recent", "won", "三等奖")
    lines, build = check(site_copy)
    assert lines == []
    page = _html(build, "contests/")
    sections = [(s.findtext("h2").strip(), [a.text for a in s.iterfind(".//h3/a")])
                for s in page.find_class("up-contest-section")]
    assert sections == [("征集中", ["征集中早截止", "征集中晚截止"]), ("即将开始", ["下月开始", "明年开始"]),
                        ("评审中", ["评审中的"]), ("已揭晓", ["今年揭晓", "去年揭晓"])]
    notes = [p.text_content() for p in page.find_class("up-contest-card__state")]
    assert notes == ["征集中 征集截止到2026年12月1日", "征集中 征集截止到2027年1月31日", "即将开始 2026年12月1日开始征集",
                     "即将开始 2027年3月1日开始征集", "评审中 征集已于2026年10月31日截止，正在评审",
                     "已揭晓 评审结果已揭晓，1 件作品获奖", "已揭晓 评审结果已揭晓，1 件作品获奖"]


@pytest.mark.parametrize("now, expected", [
    ("2026-05-15T23:59:00+08:00", "征集中"),  # the last minute of closes, Beijing time
    ("2026-05-15T16:00:00+00:00", "评审中"),  # the same instant as 05-16 00:00 in Shanghai
    ("2026-05-15T15:59:00+00:00", "征集中"),  # a minute earlier: still 05-15 there
])
def test_state_follows_the_unions_clock_not_utc(site_copy, now, expected):
    _essay(site_copy, opens="2026-05-01", closes="2026-05-15")
    lines, build = check(site_copy, now=now)
    assert lines == []
    assert _html(build, "contests/essay/").find_class("up-state")[0].text == expected


def test_contest_page_before_and_during_collection_says_what_happens_next(site_copy):
    _essay(site_copy, opens="2026-12-01", closes="2027-01-20")
    _, build = check(site_copy)
    page = _html(build, "contests/essay/")
    assert page.find_class("up-contest__status")[0].text_content() == "即将开始 2026年12月1日开始征集"
    assert page.find_class("up-empty")[0].text == "征集尚未开始，欢迎届时投稿。"
    facts = {div.findtext("dt"): div.findtext("dd") for div in page.find_class("up-facts")[0]}
    assert facts == {"主题": "岗位上的故事", "征集时间": "2026年12月1日—2027年1月20日", "主办": "示例市总工会"}


def test_a_contest_without_a_closing_day_says_so(site_copy):
    write_item(site_copy, "contests/essay/index.md", title="长期征文", opens="2026-03-01", date="2026-05-01",
               status="published")
    _, build = check(site_copy)
    page = _html(build, "contests/essay/")
    assert page.find_class("up-contest__status")[0].text_content() == "征集中 长期征集"
    assert {div.findtext("dt"): div.findtext("dd") for div in page.find_class("up-facts")[0]} == {
        "征集时间": "2026年3月1日起"}


def test_pieces_published_while_collecting_are_shown_without_a_tier(site_copy):
    _essay(site_copy, opens="2026-10-01", closes="2026-12-31")
    _piece(site_copy, "essay", "one", None, date="2026-11-01")
    _piece(site_copy, "essay", "two", "", date="2026-11-02")
    _, build = check(site_copy)
    page = _html(build, "contests/essay/")
    # One group of unawarded pieces: the section's heading says 参赛作品 once, with the count below it.
    assert page.findtext(".//h2") == "参赛作品" and page.findall(".//h3") == []
    assert [(s.findtext(".//p[@class='up-count']"), [a.text for a in s.iterfind(".//ol/li/a")])
            for s in page.find_class("up-tier")] == [("共 2 篇", ["作品one", "作品two"])]
    assert _sequel(build, "contests/essay/entries/one/") == {"下一篇": "../two/"}


# -- the gate: an entry is public only while its contest is ----------------------------------------------

@pytest.mark.parametrize("hidden", [
    {"status": "draft"},  # a draft contest
    {"date": "2026-12-01"},  # an embargoed one (the clock is 2026-11-22)
    {"status": "review"},  # one in review
])
def test_entries_of_a_hidden_contest_have_no_page_and_no_record(site_copy, hidden):
    _essay(site_copy, **hidden)
    _piece(site_copy, "essay", "won", "一等奖")
    lines, build = check(site_copy)
    assert lines == []
    assert build.public.all("entry") == () and build.public.all("contest") == ()
    urls = {page.url for page in build.public_pages}
    assert not [url for url in urls if url.startswith("contests")]
    from unionpress import search

    assert [r.url for r in search.records(build.public, lambda item: build.bodies[id(item)])
            if r.kind == "征文"] == []
    assert contests.home(build.public, build.settings) is None and contests.channel(build.public) == []


def test_entry_of_an_embargoed_contest_appears_with_it(site_copy):
    _essay(site_copy, date="2026-12-01")
    _piece(site_copy, "essay", "won", "一等奖")
    _, before = check(site_copy)
    _, after = check(site_copy, now="2026-12-01T00:00:00+08:00")
    assert before.public.all("entry") == ()
    assert [e.slug for e in after.public.all("entry")] == ["won"]
    assert "contests/essay/entries/won/" in {page.url for page in after.public_pages}


def _preview(content: Path):
    """check() as a preview build (UNIONPRESS_PREVIEW=1): drafts shown with their banners."""
    import yaml

    from unionpress import config, engine
    from unionpress.findings import Findings

    findings = Findings()
    extensions = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["markdown_extensions"]
    settings = config.from_mapping(content.parent, {"site_name": "测试", "markdown_extensions": extensions}, findings,
                                   environ={"UNIONPRESS_CONTENT": str(content), "UNIONPRESS_NOW": NOW,
                                            "UNIONPRESS_PREVIEW": "1"})
    build = engine.prepare(settings, findings)
    build.render()
    return [f.format() for f in findings.sorted()], build


def test_preview_shows_a_draft_entry_with_its_banner(announced):
    lines, build = _preview(announced)
    page = _html(build, "contests/essay/entries/h-draft/")
    assert page.find_class("up-draft-banner")[0].text_content() == (
        "草稿·未发布（草稿） 此页只在预览中可见，正式构建不会发布。")
    assert "作品h-draft" not in {p.title for p in build.public_pages}


# -- what contests give the rest of the site ------------------------------------------------------------

def test_search_records_of_contests_and_entries(announced):
    _, build = check(announced)
    found = {r.url: r for r in contests.records(build.public, lambda item: build.bodies[id(item)])}
    assert list(found) == ["contests/essay/"]
    record = found["contests/essay/"]
    assert (record.title, record.kind, record.date) == ("职工征文", "征文", "2026-05-01")
    assert (record.text, record.fields) == ("岗位上的故事 征文启事正文。", ("示例市总工会", "已揭晓"))
    pieces = {r.url: r for r in contests.entry_records(build.public, lambda item: build.bodies[id(item)])}
    assert "contests/essay/entries/h-draft/" not in pieces and len(pieces) == 7
    grand = pieces["contests/essay/entries/g-grand/"]
    assert (grand.title, grand.kind, grand.date) == ("作品g-grand", "征文", "2026-05-01")
    assert (grand.text, grand.fields) == ("g-grand的正文。", ("作者g-grand", "示例工厂", "特等奖", "职工征文"))
    none = pieces["contests/essay/entries/f-none/"]
    assert "奖" not in " ".join([none.text, *none.fields]).replace("职工征文", "")  # no award written, none claimed


def test_entry_author_is_found_by_pinyin(site_copy):
    _essay(site_copy)
    _piece(site_copy, "essay", "won", "一等奖", author="王小川")
    _, build = check(site_copy)
    [record] = contests.entry_records(build.public, lambda item: build.bodies[id(item)])
    assert record.names == ("wangxiaochuan", "wang xiaochuan", "wxc")


def test_home_block_channel_and_topic(site_copy):
    topic_key = "laodongmei"  # the base fixture's topic
    _essay(site_copy, "past", title="已揭晓的", topics=f"[{topic_key}]")
    _piece(site_copy, "past", "won", "一等奖")
    _essay(site_copy, "now", title="征集中的", opens="2026-11-01", closes="2026-12-31", topics=f"[{topic_key}]")
    _essay(site_copy, "other", title="无专题的", opens="2026-11-01", closes="2026-12-15")
    lines, build = check(site_copy)
    assert lines == []
    block = contests.home(build.public, build.settings)
    assert (block.template, block.title, block.url) == ("_home_contest.html", "征文比赛", "contests/")
    assert [s.contest.title for s in block.context["standings"]] == ["无专题的", "征集中的", "已揭晓的"]
    assert contests.channel(build.public) == [("征文比赛", "contests/")]
    topic = build.public.lists["topic"][topic_key]
    assert [c.title for c in contests.topic(build.public, topic)] == ["征集中的", "已揭晓的"]
    assert [s.contest.title for s in contests.collecting(build.public)] == ["无专题的", "征集中的"]
    # The topic's page lists them through _topic_contest.html: when each collects, not when it was posted.
    section = _html(build, f"topics/{topic_key}/").xpath("//section[h2[@id='up-topic-contest']]")[0]
    assert [(li.findtext(".//h3/a"), li.find_class("up-card__meta")[0].text_content()) for li in section.iter("li")] == [
        ("征集中的", "征集时间：2026年11月1日—2026年12月31日 · 示例市总工会"),
        ("已揭晓的", "征集时间：2026年3月1日—2026年4月15日 · 示例市总工会")]


def test_no_contest_no_listing_no_box_no_channel(site_copy):
    _, build = check(site_copy)
    assert "contests/" not in {page.url for page in build.public_pages}
    assert contests.home(build.public, build.settings) is None and contests.channel(build.public) == []


def test_structured_data_of_an_entry_and_a_contest(announced):
    _, build = check(announced)
    entry = contests.entry_ld(build.public.get("entry", "essay/a-first"), build.public.get("contest", "essay"),
                              build.settings, "描述")
    assert entry == {"@type": "CreativeWork", "name": "作品a-first", "inLanguage": "zh-CN", "description": "描述",
                     "author": {"@type": "Person", "name": "作者a-first",
                                "affiliation": {"@type": "Organization", "name": "示例工厂"}},
                     "isPartOf": {"@type": "CreativeWorkSeries", "name": "职工征文"},
                     "award": "职工征文一等奖", "datePublished": "2026-05-02"}
    page = next(p for p in build.public_pages if p.url == "contests/essay/entries/a-first/")
    assert page.context["jsonld"]["@type"] == "CreativeWork" and page.image is None  # the contest has no poster
    assert page.description == "职工征文一等奖，作者作者a-first（示例工厂）。a-first的正文。"
    event = next(p for p in build.public_pages if p.url == "contests/essay/").context["jsonld"]
    assert (event["@type"], event["startDate"], event["endDate"], event["organizer"]["name"]) == (
        "Event", "2026-03-01", "2026-04-15", "示例市总工会")


def test_a_story_links_to_a_contest_and_an_entry(site_copy):
    _essay(site_copy)
    _piece(site_copy, "essay", "won", "一等奖")
    write_story(site_copy, "linking", body="见[征文](../contests/essay/index.md)和[获奖作品](../contests/essay/entries/won.md)，"
                                           "也见[站内地址](/contests/essay/entries/won/)。")
    lines, build = check(site_copy)
    assert lines == []
    links = [a.get("href") for a in _html(build, "stories/linking/").find_class("up-body")[0].iterfind(".//a")]
    assert links == ["../../contests/essay/", "../../contests/essay/entries/won/", "../../contests/essay/entries/won/"]


def test_a_story_linking_to_a_draft_entry_fails(site_copy):
    _essay(site_copy)
    _piece(site_copy, "essay", "hidden", "一等奖", status="draft")
    write_story(site_copy, "linking", body="见[作品](../contests/essay/entries/hidden.md)。")
    lines, _ = check(site_copy)
    assert [line for line in lines if "link-" in line], lines


def test_metadata_is_escaped_on_every_contest_page(site_copy):
    evil = '"<img src=x onerror=alert(1)>'
    _essay(site_copy, title=f"'{evil}'", theme=f"'{evil}'", organizer=f"'{evil}'")
    _piece(site_copy, "essay", "won", f"'{evil}'", title=f"'{evil}'", author=f"'{evil}'", unit=f"'{evil}'")
    lines, build = check(site_copy)
    for url in ("contests/", "contests/essay/", "contests/essay/entries/won/"):
        html = build.renderer.out.text_of(url)
        assert "<img src=x" not in html, url
        assert not lxml.html.fromstring(html).xpath("//*[@onerror]"), url
    # The structured data reads back as written: escaped for the script element, not changed.
    [script] = _html(build, "contests/essay/entries/won/").xpath("//script[@type='application/ld+json']")
    data = json.loads(script.text)
    assert (data["@type"], data["name"], data["author"]["name"], data["isPartOf"]["name"]) == (
        "CreativeWork", evil, evil, evil)
    assert "<" not in script.text


# -- production builds: the sample's draft entry and a fixture's -----------------------------------------

def _texts(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8", errors="replace")
            for p in sorted(site.rglob("*")) if p.is_file() and p.suffix in {".html", ".xml", ".json", ".txt", ".js"}}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One production build of a fixture site with a published contest, a draft entry in it, and a
    draft contest with a published entry: (site folder, build output)."""
    content = tmp_path_factory.mktemp("contests") / "content"
    shutil.copytree(BASE, content)
    _essay(content)
    _piece(content, "essay", "won", "一等奖", title="公开作品", author="王小川")
    _piece(content, "essay", "held", "特等奖", title="草稿作品QK4", author="甄未发", status="draft")
    _essay(content, "secret", title="草稿比赛JW5", status="draft")
    _piece(content, "secret", "inside", "一等奖", title="草稿比赛的作品VB6", author="贾隐名")
    site = content.parent / "site"
    result = mkdocs_build(site, content=content)
    assert result.returncode == 0, result.stderr
    return site


def test_production_build_has_the_pages_and_nothing_hidden(built):
    for page in ("contests/index.html", "contests/essay/index.html", "contests/essay/entries/won/index.html"):
        assert (built / page).is_file(), page
    assert not (built / "contests/essay/entries/held").exists() and not (built / "contests/secret").exists()
    texts = _texts(built)
    leaks = [(name, marker) for name, text in texts.items()
             for marker in ["QK4", "草稿作品", "甄未发", "entries/held", "JW5", "草稿比赛", "VB6", "贾隐名", "secret/"]
             if marker in text]
    assert leaks == []
    sitemap = texts["sitemap.xml"]
    assert "https://example.org/contests/essay/entries/won/" in sitemap and "https://example.org/contests/" in sitemap


def test_search_index_holds_the_public_entry(built):
    # Pagefind's fragments are compressed; the records are checked in-process above. Here: the
    # kind filter offers 征文 beside the others.
    query = json.loads((built / "search/query.json").read_text(encoding="utf-8"))
    assert "征文" in query["facets"]["kind"]


def test_sample_draft_entry_leaves_no_trace(sample_site):
    texts = _texts(sample_site)
    assert [(name, marker) for name, text in texts.items() for marker in DRAFT_ENTRY if marker in text] == []


def test_sample_contests_have_pages(sample_site):
    """Every public contest and entry of the sample has its page (derived from the sample, not counted)."""
    from sample_facts import sample

    public = sample().public
    assert public.all("contest") and public.all("entry")
    for item in (*public.all("contest"), *public.all("entry")):
        assert (sample_site / public.url(item) / "index.html").is_file(), item.source
    tiers = {entry.award for entry in public.all("entry") if entry.award}
    assert len(tiers) >= 3  # the issue asks for a contest with entries in three tiers
    assert contests.collecting(public)  # and the reading room has a contest open now
    # Shared as a card: the contest's poster, and the entry's structured data at its own address.
    entry = next(e for e in public.all("entry") if public.get("contest", e.parent).cover)
    page = lxml.html.parse(str(sample_site / public.url(entry) / "index.html")).getroot()
    address = "https://example.org/" + public.url(entry)
    [data] = [d for d in (json.loads(s.text) for s in page.xpath("//script[@type='application/ld+json']"))
              if d["@type"] != "BreadcrumbList"]  # the breadcrumb has its own
    assert (data["@type"], data["name"], data["url"]) == ("CreativeWork", entry.title, address)
    assert data["image"] == page.xpath("//meta[@property='og:image']/@content")[0]
    assert re.fullmatch(r"https://example\.org/media/pictures/[0-9a-f]{20}-\d+\.jpg", data["image"])


def test_audit_knows_a_hidden_entrys_title_url_and_author(announced):
    from unionpress import audit

    _, build = check(announced)
    found = {(s.noun, s.title, s.url) for s in audit.secrets(build) if s.source.endswith("h-draft.md")}
    assert found == {("标题", "草稿作品ZX8", "contests/essay/entries/h-draft/"), ("作者", "甄未发", "")}


# -- the slug-reserved rule and an item's own pages under its folder --------------------------------------

def test_a_profile_with_more_stories_than_its_page_holds_is_not_slug_reserved(site_copy):
    """A profile lists 20 stories and pages the rest at models/SLUG/stories/: those pages are the
    profile's own, not the site's (found by scripts/bench: 1,000 stories over 100 profiles failed the
    build), as a contest's entries under contests/SLUG/ are the contest's."""
    from unionpress.kinds.model import PROFILE_STORIES

    for n in range(PROFILE_STORIES + 1):
        write_story(site_copy, f"s{n:02d}", models="[good-model]", date=f"2026-05-{n % 28 + 1:02d} 09:00")
    lines, build = check(site_copy)
    assert lines == []
    assert "models/good-model/stories/" in {page.url for page in build.public_pages}
