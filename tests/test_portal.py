"""The portal homepage the union arranges, /news/, breadcrumbs, story pages' 来源 and captions, and the
masthead's name (issue 22, items 1, 2 and 6), built in-process from the base fixture."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from conftest import NOW, ROOT, check, write_story


def _html(build, url: str) -> str:
    return build.renderer.out.text_of(url)


def _cells(html: str) -> list[str]:
    """The homepage's boxes in page order, by block name."""
    return re.findall(r'<div class="up-home__cell up-home__cell--([a-z]+)', html)


def _box(html: str, key: str) -> str:
    """One box of dated titles (要闻, a column's, the notices') by its heading id."""
    start = html.index(f'id="up-home-{key}"')
    return html[start: html.index("</section>", start)]


def _add_column(content, key: str, name: str, extra: str = "") -> None:
    with (content / "columns.yml").open("a", encoding="utf-8") as columns:
        columns.write(f"- key: {key}\n  name: {name}\n{extra}")


# -- the `home` setting ----------------------------------------------------------------------------------

HOME = "应为首页区块的列表，按显示顺序，如 [lead, pictures: 4, latest: 8, notices, columns: 6]"
BLOCKS = ("lead（头条）、topic（专题）、pictures（图片新闻）、latest（要闻）、notices（通知公告）、columns（各栏目）、"
          "models（劳模风采）、exhibitions（线上展览）、library（职工书屋）、contests（征文比赛）")


@pytest.mark.parametrize("written, detail", [
    ("[lead, pictrues: 4]", f"第 2 项「pictrues」不是首页区块（可用：{BLOCKS}）。是否想写「pictures」？"),
    ("[lead, 头条]", f"第 2 项「头条」不是首页区块（可用：{BLOCKS}）"),
    ("[latest: 0]", "第 1 项「latest」的条数应为 1 到 50 之间的整数"),
    ("[latest: 八]", "第 1 项「latest」的条数应为 1 到 50 之间的整数"),
    ("[notices: true]", "第 1 项「notices」的条数应为 1 到 50 之间的整数"),
    ("[lead, columns, lead]", "第 3 项「lead」重复"),
    ("[[lead]]", f"第 1 项「列表」不是首页区块（可用：{BLOCKS}）"),
    ("lead", "不是列表"),
    ("[]", "列表为空"),
])
def test_home_setting_is_checked_at_its_line(tmp_path, site_copy, written, detail):
    from unionpress import config

    (tmp_path / "mkdocs.yml").write_text(
        f"site_name: 测试\nextra:\n  unionpress:\n    content_dir: {site_copy}\n    home: {written}\n", encoding="utf-8")
    settings, findings = config.load(tmp_path, environ={"UNIONPRESS_NOW": NOW})
    assert [f.format() for f in findings.sorted()] == [
        f"mkdocs.yml:5: [config] 配置 extra.unionpress.home 有误：{HOME}：{detail}"]
    assert [key for key, _ in settings.home] == list(config.HOME_BLOCKS)  # a bad setting is not used: the default


def test_short_name_is_checked(tmp_path, site_copy):
    from unionpress import config

    (tmp_path / "mkdocs.yml").write_text(
        f"site_name: 测试\nextra:\n  unionpress:\n    content_dir: {site_copy}\n    short_name: 示例市总工会劳动者之家网站\n",
        encoding="utf-8")
    settings, findings = config.load(tmp_path, environ={"UNIONPRESS_NOW": NOW})
    assert [f.format() for f in findings.sorted()] == [
        "mkdocs.yml:5: [config] 配置 extra.unionpress.short_name 有误：应为不超过 12 字的简称，如 示例市总工会（小屏幕和大字号时页头显示它）"]
    assert settings.short_name == ""


def test_the_samples_home_setting_is_valid_and_complete():
    """mkdocs.yml shows editors every block once."""
    from unionpress import config

    settings, findings = config.load(ROOT, environ={"UNIONPRESS_NOW": NOW})
    assert not [f.format() for f in findings.sorted() if f.format().startswith("mkdocs.yml")]
    assert [key for key, _ in settings.home] == list(config.HOME_BLOCKS) and settings.short_name == "示例市总工会"


# -- the homepage ----------------------------------------------------------------------------------------

def _portal(content):
    """The base fixture grown into a small portal: two more columns (one of notices), stories with and
    without covers, a draft and an embargoed story that must appear nowhere."""
    _add_column(content, "tongzhi", "通知公告", "  notices: true\n")
    _add_column(content, "gongjiang", "工匠风采")
    for day in range(1, 8):
        write_story(content, f"news-{day}", title=f"新闻{day}", date=f"2026-06-0{day} 09:00",
                    column="gongjiang" if day % 2 else "laodongzhe-zhi-ge",
                    **({"cover": "../images/cover.jpg", "cover_alt": f"图{day}"} if day in (2, 5, 6) else {}))
    write_story(content, "notice-1", title="关于放假的通知", date="2026-06-03 10:00", column="tongzhi",
                summary="通知摘要不进通知公告框")
    write_story(content, "notice-2", title="公示名单", date="2026-06-08 10:00", column="tongzhi")
    write_story(content, "draft-x", title="草稿DRX", date="2026-06-09 09:00", status="draft")
    write_story(content, "later-x", title="未到时间EMX", date="2026-12-30 09:00", column="tongzhi")


def test_default_homepage_has_every_block_that_has_something(site_copy):
    _portal(site_copy)
    _, build = check(site_copy)
    html = _html(build, "")
    # No featured topic today, no exhibition, book or contest in the fixture: those boxes are left out.
    assert _cells(html) == ["lead", "pictures", "latest", "notices", "columns", "columns", "models"]
    assert "DRX" not in html and "EMX" not in html


def test_lead_is_the_newest_featured_story_else_the_newest(site_copy):
    _portal(site_copy)
    _, build = check(site_copy)
    assert 'id="up-home-lead" class="up-lead-story__title"><a href="stories/notice-2/">公示名单</a>' in _html(build, "")
    write_story(site_copy, "news-3", title="新闻3", date="2026-06-03 09:00", column="gongjiang", featured="true")
    write_story(site_copy, "news-4", title="新闻4", date="2026-06-04 09:00", featured="true")
    _, build = check(site_copy)
    html = _html(build, "")
    assert 'id="up-home-lead" class="up-lead-story__title"><a href="stories/news-4/">新闻4</a>' in html
    # The lead is not repeated in 要闻 or the picture news.
    assert "news-4" not in _box(html, "latest") and "news-4" not in html[html.index("up-pictures__grid"):
                                                                           html.index("up-home-latest")]


def test_editors_choose_blocks_order_and_counts(site_copy):
    _portal(site_copy)
    _, build = check(site_copy, home=[{"columns": 2}, {"latest": 3}, "notices", {"pictures": 2}])
    html = _html(build, "")
    assert _cells(html) == ["columns", "columns", "latest", "notices", "pictures"]
    latest = _box(html, "latest")
    # Newest first, the notices column left to its own box, three titles, each with its date.
    assert re.findall(r'<li><a href="stories/([a-z0-9-]+)/">', latest) == ["news-7", "news-6", "news-5"]
    assert '<time datetime="2026-06-07T09:00:00+08:00">2026年6月7日</time>' in latest
    assert re.findall(r'href="stories/([a-z0-9-]+)/"><picture>', html) == ["news-6", "news-5"]  # covers only
    gongjiang = _box(html, "columns-gongjiang")
    assert re.findall(r'<li><a href="stories/([a-z0-9-]+)/">', gongjiang) == ["news-7", "news-5"]
    assert '<a href="columns/gongjiang/" aria-label="更多：工匠风采">更多</a>' in html
    assert "up-home__cell--lead" not in html and "up-home__cell--models" not in html


def test_notices_box_holds_titles_and_dates_of_the_notices_column(site_copy):
    _portal(site_copy)
    _, build = check(site_copy)
    html = _html(build, "")
    notices = _box(html, "notices-tongzhi")
    assert re.findall(r'<li><a href="stories/([a-z0-9-]+)/">([^<]+)</a> <time', notices) == [
        ("notice-2", "公示名单"), ("notice-1", "关于放假的通知")]
    assert "通知摘要" not in notices and "<img" not in notices
    assert 'class="up-home__cell up-home__cell--notices"' in html
    assert "columns-tongzhi" not in html  # not again as a column box
    assert "notice-1" not in _box(html, "latest")


def test_without_a_notices_block_the_notices_column_is_a_column_like_the_others(site_copy):
    _portal(site_copy)
    _, build = check(site_copy, home=["latest", "columns"])
    html = _html(build, "")
    assert _cells(html) == ["latest", "columns", "columns", "columns"] and "up-home-columns-tongzhi" in html
    assert "notice-2" in _box(html, "latest")


def test_notices_flag_is_checked(site_copy):
    _add_column(site_copy, "tongzhi", "通知公告", "  notices: 是\n")
    write_story(site_copy, "n", column="tongzhi", featured="yes")
    report, _ = check(site_copy)
    assert report == ["content/columns.yml:9: [field-type] 字段「notices」（通知公告栏目）应为true 或 false，实际写的是：「是」",
                      "content/stories/n.md:6: [field-type] 字段「featured」（首页推荐）应为true 或 false，实际写的是：「yes」"]


def test_news_lists_every_public_story_newest_first_paginated(site_copy):
    _portal(site_copy)
    _, build = check(site_copy, page_size=4)
    public = [page.url for page in build.public_pages]
    assert [url for url in public if url.startswith("news/")] == ["news/", "news/page/2/", "news/page/3/"]
    first, third = _html(build, "news/"), _html(build, "news/page/3/")
    assert re.findall(r'<h2 class="up-card__title"><a href="../stories/([a-z0-9-]+)/">', first) == [
        "notice-2", "news-7", "news-6", "news-5"]
    assert "good-story" in third and "DRX" not in first + third and "EMX" not in first + third
    assert '<h1>全部报道<small>（第 3 页）</small></h1>' in third
    news = next(page for page in build.public_pages if page.url == "news/")
    assert news.searchable is False  # a listing, like a column's: the stories are the search documents


def test_sitemap_lists_news_and_the_audit_passes(tmp_path, site_copy):
    from conftest import golden_project, mkdocs_build

    _portal(site_copy)
    result = mkdocs_build(tmp_path / "site", config=golden_project(tmp_path, site_copy))
    assert result.returncode == 0, result.stderr
    sitemap = (tmp_path / "site/sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://example.org/news/</loc>" in sitemap
    for page in (tmp_path / "site").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "DRX" not in text and "EMX" not in text, page


# -- breadcrumbs -----------------------------------------------------------------------------------------

def _trail(html: str) -> list[str]:
    nav = html[html.index('<nav class="up-crumbs"'): html.index("</nav>", html.index('<nav class="up-crumbs"'))]
    return re.findall(r"<li(?: aria-current=\"page\")?>(?:<a href=\"([^\"]*)\">)?([^<]+)", nav)


def test_every_page_below_home_has_a_breadcrumb(site_copy):
    _portal(site_copy)
    _, build = check(site_copy, page_size=4)
    assert 'class="up-crumbs"' not in _html(build, "") and 'class="up-crumbs"' not in _html(build, "404.html")
    missing = [page.url for page in build.public_pages if page.url not in ("", "404.html")
               and 'class="up-crumbs"' not in _html(build, page.url)]
    assert missing == []
    assert _trail(_html(build, "stories/news-7/")) == [("../../", "首页"), ("../../columns/gongjiang/", "工匠风采"),
                                                       ("", "新闻7")]
    assert _trail(_html(build, "columns/laodongzhe-zhi-ge/")) == [("../../", "首页"), ("../", "全部栏目"),
                                                                 ("", "劳动者之歌")]
    assert _trail(_html(build, "news/page/2/")) == [("../../../", "首页"), ("../../", "全部报道"), ("", "第 2 页")]
    assert _trail(_html(build, "models/good-model/")) == [("../../", "首页"), ("../", "劳模风采"), ("", "李明")]
    # The current page is named, not linked, and said to be the current one.
    assert '<li aria-current="page">新闻7</li>' in _html(build, "stories/news-7/")


def test_breadcrumb_json_ld_and_escaping(site_copy):
    from unionpress import config, engine
    from unionpress.findings import Findings

    _add_column(site_copy, "x", "<b>栏目</b>&")
    write_story(site_copy, "hostile", title="'</script><script>alert(1)</script>'", column="x",
                date="2026-06-01 09:00")
    findings = Findings()
    site = {"site_name": "测试", "site_url": "https://example.org/u/", "extra": {"unionpress": {}},
            "markdown_extensions": yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["markdown_extensions"]}
    settings = config.from_mapping(site_copy.parent, site, findings,
                                   environ={"UNIONPRESS_CONTENT": str(site_copy), "UNIONPRESS_NOW": NOW})
    build = engine.prepare(settings, findings)
    build.render()
    html = _html(build, "stories/hostile/")
    assert "<b>栏目</b>" not in html and "&lt;b&gt;栏目&lt;/b&gt;&amp;" in html
    assert "<script>alert(1)" not in html
    crumbs = [json.loads(found) for found in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html)
              if "BreadcrumbList" in found][0]
    assert crumbs["itemListElement"] == [
        {"@type": "ListItem", "position": 1, "name": "首页", "item": "https://example.org/u/"},
        {"@type": "ListItem", "position": 2, "name": "<b>栏目</b>&", "item": "https://example.org/u/columns/x/"},
        {"@type": "ListItem", "position": 3, "name": "</script><script>alert(1)</script>",
         "item": "https://example.org/u/stories/hostile/"}]
    assert '"name":"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)' in html  # one serialiser escapes <, > and &
    home = _html(build, "")
    assert "&lt;b&gt;栏目&lt;/b&gt;&amp;" in home and "<script>alert(1)" not in home


# -- story pages: 来源, 责任编辑, captions, the review line ------------------------------------------------

def test_story_shows_source_editor_and_keeps_the_review_line_out_of_read_aloud(site_copy):
    write_story(site_copy, "s", source="工人日报", editor="周晓燕")
    _, build = check(site_copy)
    html = _html(build, "stories/s/")
    assert "<span>来源：工人日报</span>" in html
    assert '<p class="up-review" data-up-noread><span>责任编辑：周晓燕</span><span>初审：甲</span>' in html
    # 朗读 (care.js) leaves out what is marked so.
    assert "[data-up-noread]" in (ROOT / "hooks/unionpress/pages/static/care.js").read_text(encoding="utf-8")


def test_source_is_checked(site_copy):
    write_story(site_copy, "s", source="来" * 41)
    report, _ = check(site_copy)
    assert report == ["content/stories/s.md:6: [too-long] 字段「source」（来源）过长：41 字，上限 40 字"]


def test_cover_and_body_pictures_have_captions(site_copy):
    body = ("第一段。\n\n![车间全景](../images/photo.jpg \"示例重工的压力容器车间\")\n\n"
            "![焊工在工作](../images/photo.jpg)\n\n文字里的小图 ![图标](../images/photo.jpg) 不是插图。\n\n"
            '<figure><img src="../images/photo.jpg" alt="自己写的"></figure>\n')
    write_story(site_copy, "pictured", body=body, cover="../images/cover.jpg", cover_alt="收割机",
                cover_caption="<i>秋收</i> 时节 & \"说明\"")
    write_story(site_copy, "plain", cover="../images/cover.jpg", cover_alt="田野里的收割机")
    report, build = check(site_copy)
    assert report == []
    html = _html(build, "stories/pictured/")
    assert '<figcaption class="up-caption">&lt;i&gt;秋收&lt;/i&gt; 时节 &amp; &#34;说明&#34;</figcaption>' in html
    captions = re.findall(r"<figcaption>([^<]*)</figcaption>", html)
    assert captions == ["示例重工的压力容器车间", "焊工在工作", "自己写的"]
    assert 'title="示例重工的压力容器车间"' not in html  # said once, under the picture
    assert "<p>文字里的小图 <a href=" in html  # a picture inside a line of text stays in it
    assert '<figcaption class="up-caption">田野里的收割机</figcaption>' in _html(build, "stories/plain/")


# -- the masthead's name -----------------------------------------------------------------------------------

def test_masthead_name_words_and_widths():
    from unionpress.pages import masthead

    assert masthead.parts("示例市总工会 · 劳动者之家") == ("示例市总工会 ·", "劳动者之家")
    assert masthead.parts("成都市总工会") == ("成都市总工会",)
    assert masthead.default_short("示例市总工会 · 劳动者之家") == "示例市总工会"
    assert masthead.text_em("劳动者之家") == 5 and masthead.text_em("5G 工会") == pytest.approx(0.62 * 2 + 0.3 + 2)


def test_masthead_prints_words_short_name_and_the_fit_rules(site_copy):
    _, build = check(site_copy, short_name="总工会")
    html = _html(build, "")
    assert ('<span class="up-masthead__full"><span class="up-masthead__word">测试</span></span>'
            '<span class="up-masthead__short">总工会</span>') in html
    # The short name replaces the whole one where the whole one is wider than its box (container query
    # in em of the name's own size, which follows 字号); without a logo nothing is hidden beyond that.
    assert "@container up-name (max-width:2.6em){.up-masthead__full{display:none}" in html
    assert "@container up-name (max-width:3.6em)" not in html
    assert '<button type="button" class="up-channels__toggle" aria-expanded="false" aria-controls="up-channel-list" hidden>' in html
