"""Whole-site builds with MkDocs, run as a user runs them: strict, no leaks, reproducible."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import marshal
import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

from mkdocs.config import load_config

from conftest import BASE, NOW, ROOT, golden_project, mkdocs_build
from sample_facts import public_stories
from unionpress import audit as up_audit, derived

# Markers written into the sample's draft, embargoed and in-review stories (content/stories/2026/).
HIDDEN = {
    "draft": ["XQ7", "高温下的坚守", "gaowen-zuoye-caogao", "草稿标签仅此一处"],
    "embargoed": ["QZ9", "全国劳模表彰大会特别报道", "quanguo-laomo-dahui-tebie-baodao", "定时发布标签"],
    "in review": ["RV3", "班组长的一天", "dai-shen-gaojian"],
    # A labor model's draft profile: its name, slug, photo, and the region, industry and year only it has.
    "draft model": ["MD4", "孙卫民", "sun-weimin-caogao", "北山区", "bei-shan-qu", "建筑业", "2011"],
}


_DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+")


def _all_text(site: Path) -> dict[str, str]:
    """Every text file of the site; an embedded picture (a base64 data URI, as on the name cards) is
    taken out, since a short marker such as RV3 can turn up in it by chance."""
    texts = {}
    for path in sorted(site.rglob("*")):
        # not the build's manifest: thousands of hex digests hold a marker such as 2011 by chance
        if path.relative_to(site).parts[0] == "_unionpress":
            continue
        if path.is_file() and path.suffix in {".html", ".xml", ".json", ".txt", ".js", ".md", ".svg", ".csv"}:
            text = path.read_text(encoding="utf-8", errors="replace")
            texts[path.relative_to(site).as_posix()] = _DATA_URI.sub("data:…", text)
    return texts


def _leaks(site: Path, markers) -> list[str]:
    return [f"{name}: {marker}" for name, text in _all_text(site).items() for marker in markers if marker in text]


def test_sample_builds_strict_with_expected_pages(sample_site):
    for url in ["index.html", "404.html", "stories/han-jie-hanqiang/index.html", "columns/laodongzhe-zhi-ge/index.html",
                "topics/shuxiang-gongjiang/index.html", "tags/index.html", "tags/lao-mo-jing-shen-67ea04/index.html",
                "models/index.html", "models/a-mu-ren-qing/index.html", "sitemap.xml", "sitemap.xml.gz", "robots.txt",
                "columns/index.html", "topics/index.html", "about/index.html"]:
        assert (sample_site / url).is_file(), url
    # One page per public story, whatever the sample holds (tests/sample_facts.py reads it).
    assert sorted(p.name for p in (sample_site / "stories").iterdir()) == sorted(s.slug for s in public_stories())


def test_no_draft_embargoed_or_unreviewed_text_anywhere(sample_site):
    assert _leaks(sample_site, [m for markers in HIDDEN.values() for m in markers]) == []


def test_embargo_lifts_at_its_time(tmp_path):
    """The same marker search finds the embargoed story once the clock passes its date: the test can fail."""
    site = tmp_path / "site"
    result = mkdocs_build(site, now="2026-12-28T10:00:00+08:00")
    assert result.returncode == 0, result.stderr
    assert _leaks(site, ["QZ9"]) and not _leaks(site, HIDDEN["draft"] + HIDDEN["in review"])


def test_a_build_over_an_earlier_one_leaves_nothing_of_it(tmp_path):
    """The earlier build's files are moved aside and deleted by another process while the build runs
    (hooks/build.py): none survives, not even the embargoed story it showed after its time, nor what
    an interrupted build left moved aside."""
    site = tmp_path / "site"
    assert mkdocs_build(site, now="2026-12-28T10:00:00+08:00").returncode == 0
    embargoed = site / "exports/wechat/quanguo-laomo-dahui-tebie-baodao"
    kept = sorted(site.glob("exports/wechat/hushi-yexian/*")) + sorted(site.glob("exports/partners/**/hushi-yexian*"))
    assert embargoed.is_dir() and len(kept) > 2
    stats = [(path.stat().st_ino, path.stat().st_mtime_ns) for path in kept]
    pages = {path.relative_to(site).as_posix(): (path.read_bytes(), path.stat().st_ino)
             for path in site.rglob("index.html")}
    tampered = site / "stories/hushi-yexian/index.html"
    tampered.write_bytes(tampered.read_bytes().replace(b"</body>", b"QZ8</body>"))  # by hand, after the build
    (site / "stale.txt").write_text("上一次构建之后放进来的文件", encoding="utf-8")
    left = tmp_path / ".site-unionpress-old-interrupted/stories"  # moved aside by a build killed before deleting it
    left.mkdir(parents=True)
    (left / "index.html").write_text("QZ9", encoding="utf-8")
    assert _leaks(site, ["QZ9"])
    result = mkdocs_build(site)
    assert result.returncode == 0, result.stderr
    assert not (site / "stale.txt").exists() and not _leaks(site, ["QZ9"])
    # The exports of a story still public and unchanged were moved back in, not written again; the
    # embargoed story's went with the rest of the earlier build.
    assert [(path.stat().st_ino, path.stat().st_mtime_ns) for path in kept] == stats
    assert not embargoed.exists()
    # A page made alike is the earlier build's file under a second name (derived.Rewritten); a page
    # made otherwise, or changed by hand since, is written anew; the embargoed story's page is gone.
    same = other = 0
    handwritten = {f"{page.stem}/index.html" for page in (ROOT / "docs").glob("*.md")}  # MkDocs renders them
    for rel, (data, inode) in pages.items():
        path = site / rel
        if not path.exists() or rel == "stories/hushi-yexian/index.html" or rel in handwritten:
            continue
        now = path.read_bytes()
        assert (path.stat().st_ino == inode) == (now == data), rel
        same, other = same + (now == data), other + (now != data)
    assert same > 20 and other > 0  # the home page and the column showed the embargoed story
    assert not (site / "stories/quanguo-laomo-dahui-tebie-baodao").exists() and not _leaks(site, ["QZ8"])
    assert tampered.stat().st_ino != pages["stories/hushi-yexian/index.html"][1]
    # The search index of the same content, built again: every file the last build's, linked.
    index = {path: path.stat().st_ino for path in site.glob("pagefind/**/*") if path.is_file()}
    assert mkdocs_build(site).returncode == 0
    assert len(index) > 5 and {path: path.stat().st_ino for path in site.glob("pagefind/**/*") if path.is_file()} == index
    # The audit kept what each file held for the next build of this folder (audit._Memo).
    memo = up_audit.memo_path(Path(os.environ.get("UNIONPRESS_CACHE") or ROOT / ".cache/unionpress/pictures"), site)
    files = marshal.loads(derived.read_sealed(memo))[1]["files"]
    assert all(files[path.relative_to(site).as_posix()][0] == (path.stat().st_size, path.stat().st_mtime_ns,
                                                               path.stat().st_ino) for path in kept)
    # Nothing moved aside is left beside it (the next-change file is the build's, written there on purpose).
    assert sorted(path.name for path in tmp_path.iterdir()) == ["site", "site.next-change.txt"]


def test_unreviewed_published_story_fails_the_build(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(BASE, content)
    (content / "stories/unreviewed.md").write_text(
        "---\ntitle: 未审稿件UNREV1\ndate: 2026-05-01\ncolumn: laodongzhe-zhi-ge\nstatus: published\n---\n\n正文UNREV1。\n",
        encoding="utf-8")
    site = tmp_path / "site"
    result = mkdocs_build(site, content=content)
    assert result.returncode == 1
    assert "content/stories/unreviewed.md:5: [review-missing] 已发布（published）的内容缺少三审记录：初审、复审、终审" in result.stderr
    assert "Traceback" not in result.stderr
    assert not site.exists() or _leaks(site, ["UNREV1"]) == []


def test_preview_shows_drafts_with_banner(tmp_path):
    site = tmp_path / "site"
    result = mkdocs_build(site, preview=True)
    assert result.returncode == 0, result.stderr
    draft = (site / "stories/gaowen-zuoye-caogao/index.html").read_text(encoding="utf-8")
    assert "草稿·未发布（草稿；未完成三审：缺初审、复审、终审）" in draft and "XQ7" in draft
    embargoed = (site / "stories/quanguo-laomo-dahui-tebie-baodao/index.html").read_text(encoding="utf-8")
    assert "草稿·未发布（定时发布：2026-12-28 10:00）" in embargoed
    published = (site / "stories/hushi-yexian/index.html").read_text(encoding="utf-8")
    assert "草稿·未发布" not in published


def test_two_builds_with_one_clock_are_byte_identical(tmp_path, sample_site):
    again = tmp_path / "again"
    assert mkdocs_build(again, fresh=True).returncode == 0  # its own hash seed
    first = {p.relative_to(sample_site): p.read_bytes() for p in sample_site.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [str(k) for k in first if first[k] != second[k]] == []


def test_only_a_process_that_builds_once_freezes_its_model(tmp_path, monkeypatch):
    # `mkdocs build` makes one model and keeps it to the end (engine.keep_until_the_end); `mkdocs serve`
    # makes one per change through the same hooks, and a frozen one would never be collected.
    spec = importlib.util.spec_from_file_location("unionpress_hooks_probe", ROOT / "hooks/build.py")
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    calls: list[str] = []
    monkeypatch.setattr(hooks.engine, "collect_less", lambda: calls.append("collect less"))
    monkeypatch.setattr(hooks.engine, "keep_until_the_end", lambda: calls.append("freeze"))
    monkeypatch.setenv("UNIONPRESS_NOW", NOW)
    config_file = golden_project(tmp_path, BASE)
    for command, expected in (("serve", []), ("build", ["collect less", "freeze"]),
                              ("gh-deploy", ["collect less", "freeze"])):
        calls.clear()
        hooks.on_startup(command, dirty=False)
        hooks.on_config(load_config(str(config_file), site_dir=str(tmp_path / f"site-{command}")))
        shutil.rmtree(hooks._state["staging"])
        assert calls == expected, command


def test_sitemap_lists_only_published_pages_with_their_dates(sample_site):
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.parse(sample_site / "sitemap.xml").getroot()
    entries = {u.findtext("s:loc", namespaces=ns): u.findtext("s:lastmod", namespaces=ns) for u in root.findall("s:url", ns)}
    assert entries["https://example.org/stories/hushi-yexian/"] == "2026-06-10"
    assert not [loc for loc in entries if "caogao" in loc or "dahui" in loc or "dai-shen" in loc]
    assert entries["https://example.org/about/"] is None and "https://example.org/404.html" not in entries
    # and the crawlers are pointed at it, and kept out of the exports (copies of the stories for other hands)
    robots = (sample_site / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert robots == ["User-agent: *", "Allow: /", "Disallow: /exports/", "Sitemap: https://example.org/sitemap.xml"]
    assert not [loc for loc in entries if "/exports/" in loc]


def test_story_page_shows_everything_an_editor_filled_in(sample_site):
    html = (sample_site / "stories/gaoyuan-dianli-xunjian/index.html").read_text(encoding="utf-8")
    for text in ["海拔四千米上的“电力医生”", "2026年4月28日", "劳动者之歌", "劳模故事", "作者：马宁、卓玛", "来源：示例日报",
                 'alt="雪山下的输电铁塔和巡检道路"', "阿木仁青", 'href="../../models/a-mu-ren-qing/"',
                 'href="../../tags/lao-mo-jing-shen-67ea04/"', "责任编辑：周晓燕", "初审：周晓燕", "复审：孙立平", "终审：郑国华"]:
        assert text in html, text
    assert '<html lang="zh-CN"' in html


def test_column_pages_are_paginated_newest_first(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(BASE, content)
    review = "review:\n  first: {by: 甲, date: 2026-01-01}\n  second: {by: 乙, date: 2026-01-01}\n  final: {by: 丙, date: 2026-01-01}\n"
    start = dt.date(2026, 3, 1)
    for number in range(1, 46):
        day = start + dt.timedelta(days=number)
        (content / f"stories/bulk-{number:02d}.md").write_text(
            f"---\ntitle: 批量稿件{number:02d}\ndate: {day}\ncolumn: gonghui-dongtai\nstatus: published\n{review}---\n\n正文{number}。\n",
            encoding="utf-8")
    site = tmp_path / "site"
    result = mkdocs_build(site, content=content)
    assert result.returncode == 0, result.stderr
    first = (site / "columns/gonghui-dongtai/index.html").read_text(encoding="utf-8")
    third = (site / "columns/gonghui-dongtai/page/3/index.html").read_text(encoding="utf-8")
    assert first.index("批量稿件45") < first.index("批量稿件26") and "批量稿件25" not in first  # page_size 20
    assert "批量稿件05" in third and "批量稿件01" in third and not (site / "columns/gonghui-dongtai/page/4").exists()
    assert 'href="../2/"' in third and 'rel="next"' not in third


def test_hand_written_page_colliding_with_generated_one_is_an_error(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(ROOT / "docs", project / "docs")
    (project / "docs/tags").mkdir()
    (project / "docs/tags/index.md").write_text("# 手写的标签页\n", encoding="utf-8")
    config = project / "mkdocs.yml"
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config.write_text(text.replace("  - hooks/build.py", f"  - {ROOT}/hooks/build.py").replace(
        "    content_dir: content", f"    content_dir: {ROOT}/content"), encoding="utf-8")
    result = mkdocs_build(tmp_path / "site", config=config)
    assert result.returncode == 1
    assert "docs/tags/index.md:1: [duplicate-output] 输出路径 /tags/ 冲突：自动生成的「标签」页面 也会生成同一页面" in result.stderr


def _column_order(site: Path, column: str) -> list[str]:
    """Story URLs in the column's listing, page after page, as the reader sees them."""
    from lxml import html as lhtml

    urls, page = [], site / "columns" / column / "index.html"
    while page:
        tree = lhtml.fromstring(page.read_text(encoding="utf-8"))
        urls += [a.get("href") for a in tree.xpath('//*[contains(@class, "up-card__title")]//a')]
        following = tree.xpath('//a[@class="up-pager__next"]')
        page = (page.parent / following[0].get("href") / "index.html").resolve() if following else None
    return [(site / "columns" / column / u).resolve().relative_to(site.resolve()).as_posix() for u in urls]


def test_previous_and_next_follow_the_column_listing(sample_site):
    """上一篇 is the story above in the column's listing, 下一篇 the one below; the ends have only one."""
    from lxml import html as lhtml

    checked = 0
    for column in sorted(p.name for p in (sample_site / "columns").iterdir() if p.is_dir() and p.name != "page"):
        order = _column_order(sample_site, column)
        for at, story in enumerate(order):
            page = sample_site / story / "index.html"
            tree = lhtml.fromstring(page.read_text(encoding="utf-8"))
            found = {rel: (page.parent / a.get("href")).resolve().relative_to(sample_site.resolve()).as_posix()
                     for rel in ("prev", "next") for a in tree.xpath(f'//nav[@class="up-sequel"]//a[@rel="{rel}"]')}
            expected = {}
            if at > 0:
                expected["prev"] = order[at - 1]
            if at + 1 < len(order):
                expected["next"] = order[at + 1]
            assert found == expected, story
            checked += bool(expected)
    assert checked >= 10


def test_every_page_can_be_shared(sample_site):
    """Each page carries a description, Open Graph title and description, and (but 404) its canonical URL."""
    from lxml import html as lhtml

    missing, tools = [], []
    for page in sorted(sample_site.rglob("*.html")):
        name = page.relative_to(sample_site).as_posix()
        if name.startswith(("pagefind/", "assets/")):
            continue
        tree = lhtml.fromstring(page.read_text(encoding="utf-8"))
        if name.startswith("exports/"):
            # Not site pages (issue 19): a WeChat package's article.html is a fragment for the editor to paste,
            # its preview.html the operator's copy tool. Nobody shares them; the preview must not be indexed.
            if name.endswith("/preview.html"):
                tools.append(name)
                assert "noindex" in "".join(tree.xpath('//meta[@name="robots"]/@content')), name
            continue
        wanted = {"description": '//meta[@name="description"]/@content', "og:title": '//meta[@property="og:title"]/@content',
                  "og:description": '//meta[@property="og:description"]/@content'}
        if name != "404.html":
            wanted["canonical"] = '//link[@rel="canonical"]/@href'
        missing += [f"{name}: {what}" for what, path in wanted.items() if not "".join(tree.xpath(path)).strip()]
    assert missing == []
    assert len(tools) == len(list(sample_site.glob("exports/wechat/*/"))) > 0  # one preview per package, each noindex


def test_a_profile_under_the_gallerys_own_folder_gets_slug_reserved_with_the_page_named(site_copy):
    """A public profile named `honor` silently shared models/honor/ with the gallery's filter pages."""
    from conftest import check, write_item

    write_item(site_copy, "models/honor.md", name="公开人物", consent="{by: 公开人物, date: 2026-01-05}",
               status="published", photo="../images/photo.jpg", employer="某厂",
               honors="[{honor: quanguo-laomo, year: 2020}]")
    lines, _build = check(site_copy)
    assert lines == ["content/models/honor.md:1: [slug-reserved] 文件名（slug）「honor」不能用：网站自己的页面 "
                     "/models/honor/quanguo-laomo/（自动生成的「全国劳动模范」页面）在这个位置，请换一个文件名"]


def test_an_item_named_page_under_a_listing_that_pages_on_is_slug_reserved(site_copy):
    """/exhibitions/ pages on at exhibitions/page/2/ once it grows: an exhibition named `page` would
    one day share that folder, so it is refused now, while the listing still fits on one page."""
    folder = site_copy / "exhibitions/page"
    folder.mkdir(parents=True)
    (folder / "index.md").write_text(
        "---\ntitle: 名为翻页的展览\nopens: 2026-05-01\nstatus: draft\nworks:\n"
        "  - {title: 作品, author: 作者, image: ../../images/photo.jpg, alt: 作品}\n---\n\n前言。\n", encoding="utf-8")
    write_item = __import__("conftest").write_item
    write_item(site_copy, "exhibitions/open/index.md", title="公开的展览", opens="2026-05-01", status="published",
               works="[{title: 作品, author: 作者, image: ../../images/photo.jpg, alt: 作品}]")
    lines, _build = __import__("conftest").check(site_copy)
    assert lines == ["content/exhibitions/page/index.md:1: [slug-reserved] 文件名（slug）「page」不能用：网站自己的页面 "
                     "/exhibitions/page/（列表的翻页）在这个位置，请换一个文件名"]
