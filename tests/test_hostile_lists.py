"""List rows have a gate too (issue 16, item 2). Each case is a folder tests/fixtures/hostile/lists-*/
laid over the base content: the list file it changes, and the items that refer to it."""

from __future__ import annotations

import csv
import gzip
import io
import json
import logging
import shutil
from pathlib import Path

import feedparser
import pytest

from conftest import FIXTURES, NOW, check, golden_project, mkdocs_build

HOSTILE = FIXTURES / "hostile"


def overlay(content: Path, *cases: str) -> Path:
    for case in cases:
        shutil.copytree(HOSTILE / case, content, dirs_exist_ok=True)
    return content


def _outputs(site: Path) -> dict[str, str]:
    """Every file of a built site as text, gzip members (the search index's chunks, sitemap.xml.gz)
    unpacked: a marker must be looked for where a search engine or reader would find it."""
    found = {}
    for path in sorted(site.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            found[path.relative_to(site).as_posix()] = data.decode("utf-8", "replace")
    return found


def _preview(content: Path, now: str = NOW):
    from unionpress import config, engine
    from unionpress.findings import Findings

    findings = Findings()
    settings = config.from_mapping(content.parent, {"site_name": "测试", "site_url": "https://example.org/",
                                                    "extra": {"unionpress": {}}}, findings, environ={
        "UNIONPRESS_CONTENT": str(content), "UNIONPRESS_NOW": now, "UNIONPRESS_PREVIEW": "1"})
    build = engine.prepare(settings, findings)
    return findings, build, build.render()


def _urls(pages) -> set[str]:
    return {page.url for page in pages}


def _feeds(view) -> set[str]:
    from unionpress.feedsets import feed_sets

    return {feed.url("rss") for feed in feed_sets(view, view.settings)}


# -- reading ---------------------------------------------------------------------------------------------

def test_row_status_and_date_are_read_with_located_findings(site_copy):
    overlay(site_copy, "lists-bad-gate")
    lines, build = check(site_copy)
    assert lines == [
        "content/columns.yml:7: [field-choice] 字段「status」（状态）的值「发布」不在可选范围内：draft、review、published",
        "content/columns.yml:10: [date-invalid] 字段「date」（日期）不是有效日期：2026-13-01。请写成 2024-05-01 或 2024-05-01 09:30",
        "content/columns.yml:13: [field-type] 字段「status」（状态）应为文字，实际写的是：列表",
        "content/columns.yml:16: [field-choice] 字段「status」（状态）的值「Published」不在可选范围内：draft、review、published"]
    # A status or date written but unreadable holds its row back (never guessed as published); a
    # blank one (a full-width space) is no status at all: the default, published.
    assert list(build.public.lists["column"]) == ["laodongzhe-zhi-ge", "zhuangtai-kongbai"]
    # The catalog keeps every row: the audit's hidden rows are the catalog's rows missing from the public view.
    assert list(build.catalog.lists["column"]) == ["laodongzhe-zhi-ge", "gonghui-dongtai", "riqi-cuowu",
                                                   "zhuangtai-liebiao", "zhuangtai-daxie", "zhuangtai-kongbai"]
    assert [row.key for row in build.public.held["column"]] == ["gonghui-dongtai", "riqi-cuowu", "zhuangtai-liebiao",
                                                               "zhuangtai-daxie"]


def test_rows_without_a_gate_stay_published(site_copy):
    # Lists written before rows had a gate have no status or date: every row stays public.
    lines, build = check(site_copy)
    assert lines == []
    for name in ("column", "topic", "honor", "shelf"):
        assert list(build.public.lists[name]) == list(build.catalog.lists[name]) != [], name
        assert build.public.lists[name][next(iter(build.catalog.lists[name]))].status == "published"


# -- a held-back row: the items in it stay public, the row shows nowhere ---------------------------------

def test_draft_topic_hides_only_the_topic(site_copy):
    overlay(site_copy, "lists-draft-topic")
    lines, build = check(site_copy)
    assert lines == []
    public = build.public
    story, model = public.get("story", "in-draft-topic"), public.get("model", "in-draft-topic")
    assert story is not None and model is not None  # a published story in a draft topic stays public
    assert "choubei-zhuanti" not in public.lists["topic"] and "choubei-zhuanti" in build.catalog.lists["topic"]
    assert public.refs(story, "topics") == () and public.refs(model, "topics") == ()
    assert not {"topics/choubei-zhuanti/", "feeds/topics/choubei-zhuanti.xml"} & _urls(build.public_pages)
    rendered = build.renderer.out
    for url in ("stories/in-draft-topic/", "models/in-draft-topic/", ""):
        assert "QZT7" not in rendered.text_of(url), url  # its window holds today, yet the homepage does not lead with it


def test_held_back_and_empty_rows_leave_nothing_in_a_production_build(tmp_path, site_copy):
    overlay(site_copy, "lists-draft-topic", "lists-column-in-the-future", "lists-honor-held-back",
            "lists-draft-profile-honor", "lists-column-with-only-drafts")
    # Partners' filters may name rows prepared ahead: their feeds find nothing through them.
    partners = """
    partners:
      - {name: zhuanti, topics: [choubei-zhuanti]}
      - {name: lanmu, columns: [xin-zhuanlan]}
"""
    site = tmp_path / "site"
    result = mkdocs_build(site, config=golden_project(tmp_path, site_copy, partners))
    assert result.returncode == 0, result.stderr  # --strict: the log's notices are not warnings
    for page in ("stories/in-draft-topic/index.html", "models/in-draft-topic/index.html",
                 "models/new-honor-holder/index.html", "columns/laodongzhe-zhi-ge/index.html"):
        assert (site / page).is_file(), page
    for gone in ("topics/choubei-zhuanti", "columns/xin-zhuanlan", "columns/gonghui-dongtai", "models/honor/xin-rongyu",
                 "feeds/topics/choubei-zhuanti.xml", "feeds/topics/choubei-zhuanti.atom.xml",
                 "feeds/topics/choubei-zhuanti.json", "feeds/columns/xin-zhuanlan.xml", "feeds/columns/gonghui-dongtai.xml"):
        assert not (site / gone).exists(), gone
    for name in ("zhuanti", "lanmu"):
        feed = feedparser.parse((site / f"feeds/partners/{name}.xml").read_bytes())
        assert feed.bozo == 0 and feed.entries == [], name
    # Names, summaries and keys of the held-back topic, column and honor, and of the column with only a
    # draft in it: in no page, channel bar, homepage box, feed, /feeds/ list, sitemap, search chunk,
    # gallery index, honors report or CSV.
    markers = ("QZT7", "ZTS9", "choubei-zhuanti", "KX9", "DS4", "xin-zhuanlan", "RY5", "xin-rongyu",
               "工会动态", "gonghui-dongtai")
    outputs = _outputs(site)
    assert {"sitemap.xml", "models/stats/honors.csv", "models/gallery.json", "search/query.json"} <= set(outputs)
    assert any(name.startswith("pagefind/fragment/") for name in outputs)
    assert [f"{name}: {m}" for name, text in outputs.items() for m in markers if m in text] == []
    # The draft profile's 2025 honor is counted nowhere: no award year 2025 in the report or its CSV.
    table = list(csv.reader(io.StringIO(outputs["models/stats/honors.csv"].lstrip("\ufeff"))))
    assert ["quanguo-laomo", "全国劳动模范", "国家级", "2019", "1", ""] in table  # the public holder counts
    assert [row for row in table[1:] if row[3] == "2025"] == []
    assert "2025" not in outputs["models/stats/index.html"]


def test_column_in_the_future_opens_on_its_date(site_copy):
    overlay(site_copy, "lists-column-in-the-future")
    for now, column_public, page in (
            (NOW, False, False),  # held back: no page
            ("2026-12-01T00:00:00+08:00", True, False),  # open, but its first story is not out: still no page
            ("2026-12-01T09:00:00+08:00", True, True)):  # the story is out: page, feed, channel
        lines, build = check(site_copy, now=now)
        assert lines == [], now
        assert ("xin-zhuanlan" in build.public.lists["column"]) is column_public, now
        assert ("columns/xin-zhuanlan/" in _urls(build.public_pages)) is page, now
        assert ("feeds/columns/xin-zhuanlan.xml" in _feeds(build.public)) is page, now
        assert ("新栏目KX9" in build.renderer.out.text_of("")) is page, now  # channel bar and homepage box


def test_build_log_names_rows_without_a_page(site_copy, caplog):
    overlay(site_copy, "lists-draft-topic", "lists-column-in-the-future", "lists-honor-held-back")
    with caplog.at_level(logging.INFO, logger="mkdocs.hooks.unionpress"):
        lines, _ = check(site_copy)
    assert lines == []  # a notice, not a finding: it must not fail a --strict build
    assert [r.getMessage() for r in caplog.records if r.name == "mkdocs.hooks.unionpress"] == [
        "栏目「新栏目KX9」（columns.yml：xin-zhuanlan）未公开（定时发布：2026-12-01 00:00）：正式构建不生成它的页面和订阅源",
        "栏目「工会动态」（columns.yml：gonghui-dongtai）还没有公开的稿件：不生成它的页面和订阅源，首页和栏目条上也不列出",
        "专题「筹备专题QZT7」（topics.yml：choubei-zhuanti）未公开（草稿）：正式构建不生成它的页面和订阅源",
        "荣誉「新设荣誉RY5」（honors.yml：xin-rongyu）未公开（定时发布：2027-01-01 00:00）：正式构建里不显示、不统计",
        # the base fixture's only shelf holds no book: a shelf has no feed and no place on the channel bar
        "书架「文学」（library/shelves.yml：wenxue）还没有公开的书目：正式构建不生成它的页面，职工书屋里也不列出"]
    assert all(r.levelno == logging.INFO for r in caplog.records if r.name == "mkdocs.hooks.unionpress")


# -- a published item whose home row is not public by then ------------------------------------------------

@pytest.mark.parametrize("now", ["2026-11-05T12:00:00+08:00", NOW, "2026-12-05T12:00:00+08:00"])
def test_story_dated_before_its_column_is_an_error_whatever_the_clock(site_copy, now):
    # Before both dates, between them, after both: judged on the files, so it is reported at once and
    # never appears by itself in a later build.
    overlay(site_copy, "lists-story-before-its-column")
    lines, _ = check(site_copy, now=now)
    assert lines == [
        "content/stories/too-early.md:4: [row-hidden] 字段「column」引用的栏目「新栏目」（xin-zhuanlan）定时在 "
        "2026-12-01 00:00 公开，晚于本稿件的发布时间 2026-11-10 09:00：已发布的稿件不能放在未公开的栏目里。"
        "请把栏目的 date 提前，或把本稿件的 date 推后"]


def test_published_story_in_a_draft_or_review_column_is_an_error(site_copy):
    overlay(site_copy, "lists-story-in-draft-column")
    lines, _ = check(site_copy)
    assert lines == [  # the draft story in the draft column is nobody's business yet
        "content/stories/published-in-draft.md:4: [row-hidden] 字段「column」引用的栏目「草稿栏目」（caogao-lanmu）"
        "还是草稿：已发布的稿件不能放在未公开的栏目里。请先把栏目改为 status: published，或把本稿件改回草稿",
        "content/stories/scheduled-in-review.md:4: [row-hidden] 字段「column」引用的栏目「待审栏目」（daishen-lanmu）"
        "还在待审：已发布的稿件不能放在未公开的栏目里。请先把栏目改为 status: published，或把本稿件改回草稿"]


def test_undated_book_on_a_shelf_that_opens_later(site_copy):
    overlay(site_copy, "lists-book-on-future-shelf")
    lines, build = check(site_copy)
    assert lines == [
        "content/library/books/early-book.md:4: [row-hidden] 字段「shelf」引用的书架「新书架」（xin-shujia）定时在 "
        "2027-01-01 00:00 公开，而本书目没有写 date，现在就会公开：已发布的书目不能放在未公开的书架里。"
        "请给本书目写上不早于此时的 date，或把书架的 date 提前"]
    assert "xin-shujia" not in build.public.lists["shelf"]
    later, build = check(site_copy, now="2027-01-01T08:00:00+08:00")
    assert later == [] and build.public.lists["shelf"]["xin-shujia"].name == "新书架"


# -- rows without public members --------------------------------------------------------------------------

@pytest.mark.parametrize("cases", [(), ("lists-column-with-only-drafts",)])
def test_column_without_a_public_story_has_no_page_feed_or_channel(site_copy, cases):
    from unionpress.pages import channels

    overlay(site_copy, *cases)
    lines, build = check(site_copy)
    assert lines == []
    public = build.public
    assert "gonghui-dongtai" in public.lists["column"]  # public by its gate: only empty
    assert [c.key for c in public.occupied("column")] == ["laodongzhe-zhi-ge"]
    urls = _urls(build.public_pages)
    assert "columns/laodongzhe-zhi-ge/" in urls and "columns/gonghui-dongtai/" not in urls
    assert _feeds(public) == {"feeds/rss.xml", "feeds/columns/laodongzhe-zhi-ge.xml", "feeds/topics/laodongmei.xml"}
    assert [url for _title, url in channels(public, build.settings)][:4] == ["", "columns/laodongzhe-zhi-ge/", "models/",
                                                                             "topics/"]
    for url in ("", "columns/", "feeds/"):
        assert "工会动态" not in build.renderer.out.text_of(url), url


def test_homepage_never_leads_with_a_topic_without_a_page(site_copy):
    overlay(site_copy, "lists-empty-featured-topic")
    lines, build = check(site_copy)
    assert lines == []
    home = build.renderer.out.text_of("")
    assert "EFT3" not in home and '<h2 id="up-featured-title"><a href="topics/laodongmei/">中国梦·劳动美</a></h2>' in home


def test_links_to_rows_without_a_page(site_copy):
    # A public body is checked against the public plan: a held-back or empty row's page does not exist.
    # A draft may point at them: they may well be out by the time the draft is.
    overlay(site_copy, "lists-links-to-held-back-rows")
    lines, _ = check(site_copy)
    assert lines == [
        "content/stories/public-links.md:12: [link-missing] 链接指向的文件或页面不存在：/topics/choubei-zhuanti/",
        "content/stories/public-links.md:14: [link-missing] 链接指向的文件或页面不存在：/columns/gonghui-dongtai/"]


def test_topic_with_only_a_profile_has_a_page(site_copy):
    overlay(site_copy, "lists-topic-with-only-a-profile")
    lines, build = check(site_copy)
    assert lines == []
    assert "topics/zhuanti-laomo/" in _urls(build.public_pages)
    assert "feeds/topics/zhuanti-laomo.xml" in _feeds(build.public)
    assert "吴建华" in build.renderer.out.text_of("topics/zhuanti-laomo/")


# -- honors: public rows and public profiles only ---------------------------------------------------------

def test_held_back_honor_is_not_shown_or_counted(site_copy, tmp_path):
    from unionpress.outputs import gallery, honors
    from unionpress.pages.gallery import filters
    from unionpress.pages.stats import honor_rows

    overlay(site_copy, "lists-honor-held-back")
    lines, build = check(site_copy)
    assert lines == []
    public = build.public
    rows, years = honor_rows(public)
    assert [row.honor.key for row in rows] == ["quanguo-laomo", "shi-laomo"] and years == [2020, 2019]
    assert [value.key for facet, values in filters(public) if facet.name == "honor" for value in values] == ["quanguo-laomo"]
    assert "models/honor/xin-rongyu/" not in _urls(build.public_pages)
    honors.write(public, build.public_pages, tmp_path, build.settings, None)
    gallery.write(public, build.public_pages, tmp_path, build.settings, None)
    written = (tmp_path / "models/stats/honors.csv").read_text(encoding="utf-8-sig")
    assert "xin-rongyu" not in written and "RY5" not in written
    assert "RY5" not in (tmp_path / "models/gallery.json").read_text(encoding="utf-8")
    for url in ("models/new-honor-holder/", "models/stats/", "models/"):
        assert "RY5" not in build.renderer.out.text_of(url), url
    # On its date the honor is out, and the profile's award with it.
    _, later = check(site_copy, now="2027-01-01T00:00:00+08:00")
    assert [row.counts for row in honor_rows(later.public)[0] if row.honor.key == "xin-rongyu"] == [{2026: 1}]


def test_draft_profile_honor_is_not_counted(site_copy, tmp_path):
    from unionpress.outputs import honors
    from unionpress.pages.stats import honor_rows

    overlay(site_copy, "lists-draft-profile-honor")
    lines, build = check(site_copy)
    assert lines == []
    rows, years = honor_rows(build.public)
    assert years == [2020] and [row.counts for row in rows] == [{2020: 1}, {}]
    honors.write(build.public, build.public_pages, tmp_path, build.settings, None)
    table = list(csv.reader(io.StringIO((tmp_path / "models/stats/honors.csv").read_text(encoding="utf-8-sig"))))
    assert [row[3:5] for row in table[1:]] == [["2020", "1"], ["2020", "0"]]


# -- preview ------------------------------------------------------------------------------------------------

def test_preview_shows_held_back_rows_with_a_banner_but_never_their_feeds(site_copy):
    overlay(site_copy, "lists-draft-topic", "lists-column-in-the-future", "lists-column-with-only-drafts",
            "lists-honor-held-back")
    findings, build, rendered = _preview(site_copy)
    assert findings.items == []
    banners = {
        "topics/choubei-zhuanti/": "草稿·未发布（草稿）",
        "columns/xin-zhuanlan/": "草稿·未发布（定时发布：2026-12-01 00:00）",
        "columns/gonghui-dongtai/": "草稿·未发布（还没有公开的稿件）",
        "models/honor/xin-rongyu/": "草稿·未发布（定时发布：2027-01-01 00:00）",
    }
    for url, text in banners.items():
        html = rendered.text_of(url)
        assert f'<div class="up-draft-banner" role="note"><strong>{text}</strong>' in html, url
        assert f"feeds/{url}".rstrip("/") + ".xml" not in html, url  # no feed of its own: production writes none
    for url in ("columns/laodongzhe-zhi-ge/", "topics/laodongmei/", "models/honor/quanguo-laomo/"):
        assert "up-draft-banner" not in rendered.text_of(url), url
    assert "RY5" not in rendered.text_of("models/stats/")  # the report counts what readers see, in a preview too
    assert "feeds/columns/laodongzhe-zhi-ge.xml" in rendered.text_of("columns/laodongzhe-zhi-ge/")
    # Feeds are the public view's, in a preview too: the /feeds/ page lists no held-back or empty row.
    assert _feeds(build.shown) == _feeds(build.public) == {
        "feeds/rss.xml", "feeds/columns/laodongzhe-zhi-ge.xml", "feeds/topics/laodongmei.xml"}
    feeds_list = rendered.text_of("feeds/").split("<h1>订阅本站</h1>", 1)[1]  # (the preview's channel bar has them)
    assert "劳动者之歌" in feeds_list and not [m for m in ("KX9", "QZT7", "工会动态") if m in feeds_list]


def test_preview_build_writes_no_feed_of_a_held_back_row(tmp_path, site_copy):
    overlay(site_copy, "lists-draft-topic", "lists-column-in-the-future")
    site = tmp_path / "preview"
    result = mkdocs_build(site, config=golden_project(tmp_path, site_copy), preview=True)
    assert result.returncode == 0, result.stderr
    assert (site / "topics/choubei-zhuanti/index.html").is_file() and (site / "columns/xin-zhuanlan/index.html").is_file()
    feeds = sorted(p.relative_to(site).as_posix() for p in (site / "feeds").rglob("*.xml"))
    assert feeds == ["feeds/atom.xml", "feeds/columns/laodongzhe-zhi-ge.atom.xml", "feeds/columns/laodongzhe-zhi-ge.xml",
                     "feeds/rss.xml", "feeds/topics/laodongmei.atom.xml", "feeds/topics/laodongmei.xml"]
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "choubei-zhuanti" not in sitemap and "xin-zhuanlan" not in sitemap
    assert json.loads((site / "search/query.json").read_text(encoding="utf-8"))  # the search tables were written


@pytest.mark.parametrize("status, expected", [("draft", []), ("published", [
    "content/topics.yml:9: [link-hidden] 链接或图片指向未公开的内容「draft-cover」（content/stories/draft-cover/index.md）："
    "stories/draft-cover/cover.jpg。草稿、待审、定时发布或未审完的内容不能被已发布的内容引用"])])
def test_a_held_back_rows_cover_may_come_from_a_drafts_bundle_a_public_rows_may_not(site_copy, status, expected):
    """A topic prepared with its embargoed story shares that story's picture: fine while both are held
    back; once the row is public its cover is published, and the draft's picture with it."""
    bundle = site_copy / "stories/draft-cover"
    bundle.mkdir(parents=True)
    shutil.copy(site_copy / "images/cover.jpg", bundle / "cover.jpg")
    (bundle / "index.md").write_text("---\ntitle: draft-cover\ndate: 2026-05-01\ncolumn: laodongzhe-zhi-ge\n"
                                     "status: draft\n---\n\n正文。\n", encoding="utf-8")
    with (site_copy / "topics.yml").open("a", encoding="utf-8") as f:
        f.write(f"- key: zhunbei\n  name: 筹备中的专题\n  status: {status}\n  summary: 还没发布\n"
                "  cover: stories/draft-cover/cover.jpg\n  cover_alt: 收割机\n")
    lines, _build = check(site_copy)
    assert lines == expected
