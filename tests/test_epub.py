"""EPUB anthologies (outputs/epub.py) and /downloads/: valid by the real epubcheck, exact metadata,
an NCX that follows the chapters, links rewritten into the book or made absolute, pictures as JPEG/PNG
at most 1280 px, the same bytes from two builds, and nothing of a draft in any book (and the audit
catches one planted there).

One fixture site built in-process for the module (engine.prepare + render, then the output itself):
an exhibition with award tiers and a picture wider than 1280 px, the reading room of test_library
with its drafts and embargoed items, a share linking inside and outside its shelf's book, a column
with stories in two years (and a draft), and a contest with entries in two tiers (and a draft).
Bad content (an attribute XHTML rejects, a picture that cannot be decoded) is built on its own small
site: a located finding, and still a valid book."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import uuid
import zipfile
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import lxml.etree as ET
import pytest
from PIL import Image

from conftest import BASE, ROOT, write_item, write_story
from test_exhibitions import build, exhibition, work
from test_library import reading_room

from unionpress import audit as up_audit
from unionpress.outputs import epub, sitemap

EPUBCHECK = Path("/usr/share/java/epubcheck.jar")  # Debian's epubcheck (scripts/setup installs it)
# A short-lived JVM: the first compiler only and the simplest collector. One book took 9 s of CPU with the
# JVM's defaults and 4 s so (5.2 against 3.0 s alone), on a machine whose other core runs tests too.
JAVA = ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(EPUBCHECK)]
UNION = "测试工会"
BLUE = "#1565c0"
OPF = "{http://www.idpf.org/2007/opf}"
DC = "{http://purl.org/dc/elements/1.1/}"
NCX = "{http://www.daisy.org/z3986/2005/ncx/}"
XHTML = "{http://www.w3.org/1999/xhtml}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DRAFT_WORDS = ("草稿展览EX9", "草稿分享DS1", "草稿书目DB1", "定时分享QS1", "定时上架的书QB1", "钟未晞", "草稿稿件CS1",
               "draft-story-cs1", "草稿作品ZX8", "甄未发", "定时稿件TS1")
GOLDEN = ROOT / "tests/golden/epub"


def make_content(root: Path) -> Path:
    content = root / "content"
    shutil.copytree(BASE, content)
    reading_room(content)
    exhibition(content, "show", works=(work(1, "一等奖"), work(2), work(3, "三等奖")), date="2026-10-01 09:00",
               title="职工书画展", body="## 前言\n\n职工的作品，另见[劳动者之歌](/stories/good-story/)和[一等奖作品](/exhibitions/show/#work-1)。")
    Image.new("RGB", (2400, 1600), "#336699").save(content / "exhibitions/show/w1.jpg", "JPEG")  # wider than 1280
    exhibition(content, "hidden", works=(work(1),), status="draft", title="草稿展览EX9")
    write_item(content, "library/shares/s-link.md",
               "同书架的[另一本书](/library/books/d2/)，站内的[报道](/stories/good-story/)。",
               title="链接分享", book="d1", author="韩洁", date="2026-06-03 09:00", status="published")
    # A column over two years: good-story (2026-05-01) and these; a link to the same year's book, one to the other's.
    signed_2025 = "{first: {by: 甲, date: 2025-02-01}, second: {by: 乙, date: 2025-02-01}, final: {by: 丙, date: 2025-02-01}}"
    write_story(content, "col-old", "去年的一篇。", review=False, title="去年的报道", date="2025-03-01 09:00",
                authors=f"[李记者]\nreview: {signed_2025}")  # signed before its date: the line after authors
    write_story(content, "col-new", "## 后来\n\n见[同年的报道](/stories/good-story/)和[去年的报道](/stories/col-old/)。",
                title="今年的报道", date="2026-08-01 09:00")
    write_story(content, "draft-story-cs1", "不公开。", title="草稿稿件CS1", date="2026-06-01 09:00", status="draft")
    write_story(content, "later-ts1", "定时。", title="定时稿件TS1", date="2026-12-01 09:00")
    write_item(content, "contests/essay/index.md", "征文启事正文。", title="职工征文", theme="岗位上的故事",
               opens="2026-03-01", closes="2026-04-15", organizer="示例市总工会", date="2026-05-01", status="published")
    for slug, award, date in (("b-second", "二等奖", "2026-05-01"), ("a-first", "一等奖", "2026-05-02"), ("c-none", None, "2026-05-03")):
        write_item(content, f"contests/essay/entries/{slug}.md", f"{slug}的正文，另见[一等奖](/contests/essay/entries/a-first/)。",
                   title=f"作品{slug}", author=f"作者{slug}", unit="示例工厂", date=date, status="published",
                   **({"award": award} if award else {}))
    write_item(content, "contests/essay/entries/h-draft.md", "草稿。", title="草稿作品ZX8", author="甄未发",
               award="一等奖", date="2026-05-01", status="draft")
    return content


def made_books(content: Path, site: Path):
    lines, made = build(content, colors={"masthead": BLUE})
    assert lines == [], lines
    written = epub.write(made.public, made.public_pages, site, made.settings, lambda item: made.bodies[id(item)])
    return made, written


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    root = tmp_path_factory.mktemp("epub")
    content = make_content(root)
    made, written = made_books(content, root / "site")
    return root, content, made, written


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as book:
        return {name: book.read(name) for name in book.namelist()}


def epub_files(books) -> list[Path]:
    return sorted((books[0] / "site/downloads").glob("*.epub"))


def opf_of(path: Path):
    return ET.fromstring(members(path)["EPUB/package.opf"])


def test_one_book_per_column_year_public_exhibition_contest_and_shelf(books):
    assert [p.name for p in epub_files(books)] == ["column-laodongzhe-zhi-ge-2025.epub", "column-laodongzhe-zhi-ge-2026.epub",
                                                   "contest-essay.epub", "exhibition-show.epub", "shelf-dangshi.epub",
                                                   "shelf-jineng.epub", "shelf-wenxue.epub"]


def test_every_book_passes_epubcheck_without_errors_or_warnings(books):
    assert EPUBCHECK.is_file(), "epubcheck 未安装：运行 bash scripts/setup"
    for path in epub_files(books):
        epubcheck(path)


def test_mimetype_first_and_stored_then_members_in_order(books):
    for path in epub_files(books):
        with zipfile.ZipFile(path) as book:
            infos = book.infolist()
        assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
        assert path.read_bytes()[30:38] == b"mimetype" and path.read_bytes()[38:58] == b"application/epub+zip"
        names = [info.filename for info in infos[1:]]
        assert names == sorted(names)


def test_metadata_is_exact(books):
    package = opf_of(books[0] / "site/downloads/exhibition-show.epub")
    meta = package.find(f"{OPF}metadata")
    assert package.get(XML_LANG) == "zh-Hans"
    assert meta.findtext(f"{DC}language") == "zh-Hans"
    assert meta.findtext(f"{DC}title") == "职工书画展"
    assert meta.findtext(f"{DC}creator") == UNION and meta.findtext(f"{DC}publisher") == UNION
    expected = "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"unionpress:{UNION}:exhibition-show"))
    assert meta.findtext(f"{DC}identifier") == expected
    assert package.get("unique-identifier") == meta.find(f"{DC}identifier").get("id")
    modified = [m.text for m in meta.findall(f"{OPF}meta") if m.get("property") == "dcterms:modified"]
    assert modified == ["2026-10-01T01:00:00Z"]  # 09:00 in the union's +08:00
    # A shelf: its newest public share (s2, 1 July), not the draft of 20 June nor the embargoed one of December.
    shelf = opf_of(books[0] / "site/downloads/shelf-dangshi.epub").find(f"{OPF}metadata")
    assert [m.text for m in shelf.findall(f"{OPF}meta") if m.get("property") == "dcterms:modified"] == ["2026-07-01T01:00:00Z"]
    assert shelf.findtext(f"{DC}title") == "职工书屋·党史学习"


def test_every_document_is_chinese_hans(books):
    for path in epub_files(books):
        for name, data in members(path).items():
            if name.endswith(".xhtml"):
                root = ET.fromstring(data)
                assert root.get(XML_LANG) == "zh-Hans" and root.get("lang") == "zh-Hans", (path.name, name)


def chapter_titles(path: Path) -> list[str]:
    """The <title> of each chapter in spine order (after the cover and the nav)."""
    files = members(path)
    package = ET.fromstring(files["EPUB/package.opf"])
    hrefs = {item.get("id"): item.get("href") for item in package.iter(f"{OPF}item")}
    spine = [hrefs[ref.get("idref")] for ref in package.iter(f"{OPF}itemref")]
    assert spine[:2] == ["cover.xhtml", "nav.xhtml"]
    return [(href, ET.fromstring(files["EPUB/" + href]).findtext(f"{XHTML}head/{XHTML}title")) for href in spine[2:]]


def test_ncx_and_nav_have_one_entry_per_chapter_in_order(books):
    path = books[0] / "site/downloads/exhibition-show.epub"
    chapters = chapter_titles(path)
    assert [title for _href, title in chapters] == ["前言", "一等奖", "三等奖", "入展作品"]
    ncx = ET.fromstring(members(path)["EPUB/toc.ncx"])
    points = list(ncx.iter(f"{NCX}navPoint"))
    assert [(p.find(f"{NCX}content").get("src"), p.findtext(f"{NCX}navLabel/{NCX}text")) for p in points] == chapters
    assert [p.get("playOrder") for p in points] == ["1", "2", "3", "4"]
    nav = ET.fromstring(members(path)["EPUB/nav.xhtml"])
    assert [(a.get("href"), a.text) for a in nav.iter(f"{XHTML}a")] == chapters
    shelf = books[0] / "site/downloads/shelf-dangshi.epub"
    assert [title for _h, title in chapter_titles(shelf)][:1] == ["《" + "</script><b>危险&书</b>" + "》"]
    assert len(list(ET.fromstring(members(shelf)["EPUB/toc.ncx"]).iter(f"{NCX}navPoint"))) == 2  # d2, d1


def links(path: Path) -> list[tuple[str, str]]:
    found = []
    for name, data in members(path).items():
        if name.endswith(".xhtml"):
            found += [(name, a.get("href")) for a in ET.fromstring(data).iter(f"{XHTML}a")]
    return found


def test_links_inside_the_book_point_at_its_files_and_site_links_are_absolute(books):
    shelf = books[0] / "site/downloads/shelf-dangshi.epub"
    hrefs = [href for _name, href in links(shelf)]
    by_title = {title: href for href, title in chapter_titles(shelf)}
    assert by_title["《</script><b>危险&书</b>》"] in hrefs  # /library/books/d2/ → the book's own chapter
    assert "https://union.example/stories/good-story/" in hrefs
    assert not [h for h in hrefs if "library/books/" in h]
    show = books[0] / "site/downloads/exhibition-show.epub"
    assert ("EPUB/chapter-001.xhtml", "https://union.example/stories/good-story/") in links(show)


def test_every_link_resolves_inside_the_book_or_is_absolute(books):
    for path in epub_files(books):
        files = members(path)
        for name, href in links(path):
            parts = urlsplit(href)
            if parts.scheme:
                assert parts.scheme == "https" and parts.netloc == "union.example", (path.name, href)
                continue
            target = str(PurePosixPath(name).parent / unquote(parts.path)) if parts.path else name
            assert target in files, (path.name, name, href)
            if parts.fragment:
                ids = {e.get("id") for e in ET.fromstring(files[target]).iter()}
                assert parts.fragment in ids, (path.name, href)


def test_pictures_are_jpeg_or_png_at_most_1280_wide_and_the_widest_variant(books):
    widths = []
    for path in epub_files(books):
        for name, data in members(path).items():
            if name.startswith("EPUB/images/"):
                with Image.open(io.BytesIO(data)) as picture:
                    assert picture.format in ("JPEG", "PNG"), (path.name, name)
                    assert picture.width <= 1280
                    widths.append(picture.width)
        assert not [n for n in members(path) if n.endswith((".webp", ".gif", ".otf", ".ttf", ".ttc", ".woff", ".woff2"))]
    assert 1280 in widths  # the 2400 px work: its 1280 px fallback, not the page's 640 px one


def test_cover_is_drawn_in_the_unions_colour(books):
    data = members(books[0] / "site/downloads/exhibition-show.epub")["EPUB/cover.png"]
    with Image.open(io.BytesIO(data)) as cover:
        assert cover.format == "PNG" and cover.size == (960, 1280)
        assert cover.getpixel((20, 20)) == (0x15, 0x65, 0xC0)
        title_band = cover.crop((100, 300, 860, 420)).getcolors(960 * 1280)
        assert any(colour == (255, 255, 255) for _count, colour in title_band)  # the title, in a CJK font


def test_cover_without_a_cjk_font_is_drawn_without_text(monkeypatch):
    from unionpress import drawing

    monkeypatch.setattr(drawing, "CJK_FONTS", ("/nonexistent/font.ttc",))
    with Image.open(io.BytesIO(epub.cover("职工书画展", 2026, UNION, BLUE))) as cover:
        assert cover.crop((100, 300, 860, 420)).getcolors() == [(760 * 120, (0x15, 0x65, 0xC0))]


def test_stylesheet_reads_well_without_font_files(books):
    css = members(books[0] / "site/downloads/exhibition-show.epub")["EPUB/style.css"].decode()
    body = re.search(r"body\s*\{([^}]*)\}", css).group(1)
    assert float(re.search(r"line-height:\s*([\d.]+)", body).group(1)) >= 1.5
    assert "@font-face" not in css and "url(" not in css


def test_two_builds_give_identical_bytes(books, tmp_path):
    root, content, _made, _written = books
    made_books(content, tmp_path / "again")
    for path in epub_files(books):
        assert (tmp_path / "again/downloads" / path.name).read_bytes() == path.read_bytes(), path.name


def test_no_draft_or_embargoed_item_is_in_any_book(books):
    assert not (books[0] / "site/downloads/exhibition-hidden.epub").exists()
    for path in epub_files(books):
        text = b"".join(data for data in members(path).values()).decode("utf-8", "replace")
        for word in DRAFT_WORDS:
            assert word not in text, (path.name, word)


def test_the_audit_catches_a_draft_planted_in_a_book(books, tmp_path):
    _root, _content, made, _written = books
    site = tmp_path / "site"
    shutil.copytree(books[0] / "site", site)
    secrets = up_audit.secrets(made)
    assert up_audit.audit(site, secrets, site_url="https://union.example/") == []
    planted = site / "downloads/shelf-dangshi.epub"
    files = members(planted)
    files["EPUB/chapter-001.xhtml"] = files["EPUB/chapter-001.xhtml"].replace(b"</body>", "<p>草稿分享DS1</p></body>".encode())
    with zipfile.ZipFile(planted, "w") as book:
        for name, data in files.items():
            book.writestr(name, data)
    leaks = up_audit.audit(site, secrets, site_url="https://union.example/")
    assert leaks and all(leak.output.startswith("downloads/shelf-dangshi.epub!EPUB/chapter-001.xhtml") for leak in leaks)


def test_downloads_page_lists_each_book_with_its_size_and_is_in_the_sitemap(books, tmp_path):
    root, _content, made, written = books
    page = made.renderer.out.text_of("downloads/")  # the books are made before the pages: their sizes are known
    for path in epub_files(books):
        size = path.stat().st_size
        assert f'href="{path.name}"' in page
        assert f"（EPUB，{epub.size_text(size)}）" in page
    assert "草稿展览EX9" not in page
    assert epub.size_text(1) == "1 KB" and epub.size_text(1025) == "2 KB" and epub.size_text(3 * 2**20) == "3.0 MB"
    sitemap.write(made.public, made.public_pages, tmp_path, made.settings, None)
    assert "<loc>https://union.example/downloads/</loc>" in (tmp_path / "sitemap.xml").read_text(encoding="utf-8")


def test_a_preview_lists_only_what_production_publishes(books):
    _root, content, _made, _written = books
    lines, made = build(content, preview=True)
    assert "草稿展览EX9" not in made.renderer.out.text_of("downloads/")
    assert "职工书画展" in made.renderer.out.text_of("downloads/")


# -- columns by year and contests -----------------------------------------------------------------------------

def titles_of(books, name: str) -> list[str]:
    return [title for _href, title in chapter_titles(books[0] / "site/downloads" / name)]


def chapter_text(books, name: str, number: int) -> str:
    return members(books[0] / "site/downloads" / name)[f"EPUB/chapter-{number:03d}.xhtml"].decode()


def test_a_column_book_holds_its_years_published_stories_oldest_first(books):
    assert titles_of(books, "column-laodongzhe-zhi-ge-2026.epub") == ["车间里的好师傅", "读书的故事", "今年的报道"]
    assert titles_of(books, "column-laodongzhe-zhi-ge-2025.epub") == ["去年的报道"]
    meta = opf_of(books[0] / "site/downloads/column-laodongzhe-zhi-ge-2026.epub").find(f"{OPF}metadata")
    assert meta.findtext(f"{DC}title") == "劳动者之歌·2026年"
    assert [m.text for m in meta.findall(f"{OPF}meta") if m.get("property") == "dcterms:modified"] == ["2026-08-01T01:00:00Z"]
    first = chapter_text(books, "column-laodongzhe-zhi-ge-2026.epub", 1)
    assert "2026年5月1日，王记者" in first and "李明师傅在车间里带徒弟" in first
    # a link to a story of the same year's book is its chapter; to another year's book, the site
    newest = [href for name, href in links(books[0] / "site/downloads/column-laodongzhe-zhi-ge-2026.epub")
              if name == "EPUB/chapter-003.xhtml"]
    assert newest == ["chapter-001.xhtml", "https://union.example/stories/col-old/"]


def test_a_contest_book_has_the_theme_then_the_entries_by_award_tier(books):
    assert titles_of(books, "contest-essay.epub") == ["征文主题", "一等奖：作品a-first", "二等奖：作品b-second",
                                                      "其他参赛作品：作品c-none"]
    call = chapter_text(books, "contest-essay.epub", 1)
    assert "主题：岗位上的故事" in call and "征集时间：2026年3月1日—4月15日" in call and "主办：示例市总工会" in call
    assert "征文启事正文。" in call
    second = chapter_text(books, "contest-essay.epub", 3)
    assert "作者b-second，示例工厂" in second and 'href="chapter-002.xhtml"' in second  # the first prize, in the book
    ncx = ET.fromstring(members(books[0] / "site/downloads/contest-essay.epub")["EPUB/toc.ncx"])
    assert [p.findtext(f"{NCX}navLabel/{NCX}text") for p in ncx.iter(f"{NCX}navPoint")] == titles_of(books, "contest-essay.epub")


def offered(made, url: str) -> list[tuple[str, str]]:
    """The EPUB links a page offers beside its content: (href, the text after the link)."""
    import lxml.html

    root = lxml.html.fromstring(made.renderer.out.text_of(url))
    return [(a.get("href"), a.text_content() + (a.tail or "")) for a in root.xpath('//aside[contains(@class, "up-offline")]//a[@download]')]


def test_each_page_a_book_belongs_to_offers_it_with_its_size(books):
    root, _content, made, _written = books
    site = root / "site/downloads"

    def size(name: str) -> str:
        return epub.size_text((site / name).stat().st_size)

    assert offered(made, "columns/laodongzhe-zhi-ge/") == [
        ("../../downloads/column-laodongzhe-zhi-ge-2026.epub", f"2026年合集（{size('column-laodongzhe-zhi-ge-2026.epub')}）、"),
        ("../../downloads/column-laodongzhe-zhi-ge-2025.epub", f"2025年合集（{size('column-laodongzhe-zhi-ge-2025.epub')}）")]
    assert offered(made, "exhibitions/show/") == [("../../downloads/exhibition-show.epub", f"职工书画展（{size('exhibition-show.epub')}）")]
    assert offered(made, "contests/essay/") == [("../../downloads/contest-essay.epub", f"职工征文（{size('contest-essay.epub')}）")]
    assert offered(made, "library/shelves/dangshi/") == [
        ("../../../downloads/shelf-dangshi.epub", f"职工书屋·党史学习（{size('shelf-dangshi.epub')}）")]
    assert offered(made, "stories/good-story/") == []  # a story is in its column's book, offered there


def test_golden_book_file_list_and_package(books):
    """One small book pinned whole: its members in order and its package document. Refresh after an
    intended change with UNIONPRESS_REFRESH_GOLDEN=1 and review the diff of tests/golden/epub/."""
    path = books[0] / "site/downloads/column-laodongzhe-zhi-ge-2025.epub"
    with zipfile.ZipFile(path) as book:
        listing = "".join(f"{info.filename} {'stored' if info.compress_type == zipfile.ZIP_STORED else 'deflated'} "
                          f"{info.date_time}\n" for info in book.infolist())
        text = f"{listing}\n{book.read('EPUB/package.opf').decode()}\n{book.read('EPUB/chapter-001.xhtml').decode()}"
    golden = GOLDEN / "column-laodongzhe-zhi-ge-2025.txt"
    if os.environ.get("UNIONPRESS_REFRESH_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


# -- bad content: a located finding, and still a valid book ---------------------------------------------------

def epubcheck(path: Path) -> None:
    result = subprocess.run([*JAVA, str(path)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, (path.name, result.stdout, result.stderr)
    assert "0 fatals / 0 errors / 0 warnings" in result.stdout, (path.name, result.stdout)


ODD = ('<p dir="up">方向</p>\n\n<ol start="abc"><li>一</li></ol>\n\n<p><a name="mark">锚</a>，<time datetime="昨天">昨天</time></p>\n\n'
       '<table><tr><td align="center" colspan="x">格</td></tr></table>\n\n<p id="a b">空格</p>\n\n<p lang="中文">语言</p>')


def odd_book(root: Path, body: str):
    content = root / "content"
    shutil.copytree(BASE, content)
    write_story(content, "odd", body, title="怪写法", date="2026-06-01 09:00")
    lines, made = build(content)
    epub.write(made.public, made.public_pages, root / "site", made.settings, made.public_body)
    return lines, root / "site/downloads/column-laodongzhe-zhi-ge-2026.epub"


def test_attribute_values_xhtml_rejects_are_left_out_of_the_book_and_reported_at_their_line(tmp_path):
    lines, path = odd_book(tmp_path, ODD)
    gone = "电子书（EPUB）放不下它，已从电子书中去掉，网页照常显示。请改正原文"
    assert lines == [
        f'content/stories/odd.md:12: [epub-xhtml] 警告：正文里的 <p dir="up"> 写法不合规（只能是 ltr、rtl 或 auto）：{gone}',
        f'content/stories/odd.md:14: [epub-xhtml] 警告：正文里的 <ol start="abc"> 写法不合规（应为整数）：{gone}',
        f'content/stories/odd.md:16: [epub-xhtml] 警告：正文里的 <time datetime="昨天"> 写法不合规（应为日期或时间，如 2026-05-01 或 2026-05-01T09:30）：{gone}',
        f'content/stories/odd.md:18: [epub-xhtml] 警告：正文里的 <td colspan="x"> 写法不合规（应为 1 到 1000 的整数）：{gone}',
        f'content/stories/odd.md:20: [epub-xhtml] 警告：正文里的 <p id="a b"> 写法不合规（不能含空格）：{gone}',
        f'content/stories/odd.md:22: [epub-xhtml] 警告：正文里的 <p lang="中文"> 写法不合规（应为语言代码，如 zh-CN）：{gone}']
    epubcheck(path)
    chapter = members(path)["EPUB/chapter-002.xhtml"].decode()
    # what HTML5 only renamed is kept under its new name: the anchor as an id, the cell's alignment as a style
    assert '<a id="body-mark">锚</a>' in chapter and 'style="text-align: center"' in chapter
    assert "方向" in chapter and "空格" in chapter  # the text stays; only the attribute goes


def test_a_player_becomes_a_line_pointing_to_the_page(tmp_path):
    lines, path = odd_book(tmp_path, '<video src="clip.mp4" controls></video>\n\n正文。')
    assert not [line for line in lines if "epub" in line]
    chapter = members(path)["EPUB/chapter-002.xhtml"].decode()
    assert "<video" not in chapter
    assert '（此处有视频，请在网站上观看：<a href="https://union.example/stories/odd/">怪写法</a>）' in chapter
    epubcheck(path)


def test_a_picture_that_cannot_be_decoded_is_reported_and_the_book_stays_valid(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(BASE, content)
    Image.new("RGB", (800, 600), "#8a5a2b").save(content / "images/shot.jpg", "JPEG")  # its own variants, shared with no other picture
    write_story(content, "odd", "第一段。\n\n![车间一角](../images/shot.jpg)\n\n第二段。", title="怪图", date="2026-06-01 09:00")
    from unionpress import config, engine
    from unionpress.findings import Findings

    lines, made = build(content)  # settings as the module's builds; then the same content again, the picture spoiled
    assert lines == []
    epub._library.clear()
    findings = Findings()
    again = engine.prepare(made.settings, findings)
    for _site_path, file in again.bodies[id(next(s for s in again.public.all("story") if s.slug == "odd"))].assets:
        file.write_bytes(b"\xff\xd8\xff\xe0 not a picture any more")  # replaced after it was read (mkdocs serve)
    again.render()
    assert [f.format() for f in findings.sorted()] == [
        "content/stories/odd.md:14: [epub-picture] 警告：图片「车间一角」无法解码，放不进电子书（EPUB）：电子书里以图片说明代替。"
        "请换一张能打开的 JPEG 或 PNG 图片"]
    epub.write(again.public, again.public_pages, tmp_path / "site", again.settings, again.public_body)
    path = tmp_path / "site/downloads/column-laodongzhe-zhi-ge-2026.epub"
    epubcheck(path)
    assert "<span>车间一角</span>" in members(path)["EPUB/chapter-002.xhtml"].decode()


def test_a_broken_picture_is_the_checks_error_and_the_books_are_still_made(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(BASE, content)
    (content / "images/broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 broken")
    write_story(content, "odd", "![坏图](../images/broken.jpg)", title="坏图", date="2026-06-01 09:00")
    lines, made = build(content)
    assert lines == ["content/stories/odd.md:12: [image-broken] 图片文件无法读取（已损坏，或不是 JPEG、PNG、WebP、GIF 图片）：../images/broken.jpg"]
    epub.write(made.public, made.public_pages, tmp_path / "site", made.settings, made.public_body)
    epubcheck(tmp_path / "site/downloads/column-laodongzhe-zhi-ge-2026.epub")


@pytest.mark.parametrize("date", ["1900-01-01 09:00", "1979-12-31 23:00"])
def test_a_story_dated_before_1980_still_makes_a_valid_book(site_copy, date):
    """Zip dates start in 1980 (found by the site fuzzer): an old story's book is dated 1980-01-01."""
    from conftest import check

    write_story(site_copy, "old-one", title="老照片里的劳模", date=date)
    lines, built = check(site_copy)
    books = epub.library(built.public, built.settings, built.public_body)
    [book] = [b for b in books if b.anthology.key.endswith(f"-{date[:4]}")]
    with zipfile.ZipFile(io.BytesIO(book.data)) as opened:
        assert {info.date_time for info in opened.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert opened.namelist()[0] == "mimetype"
