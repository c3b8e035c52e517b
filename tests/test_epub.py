"""EPUB anthologies (outputs/epub.py) and /downloads/: valid by the real epubcheck, exact metadata,
an NCX that follows the chapters, links rewritten into the book or made absolute, pictures as JPEG/PNG
at most 1280 px, the same bytes from two builds, and nothing of a draft in any book (and the audit
catches one planted there).

One fixture site built in-process for the module (engine.prepare + render, then the output itself):
an exhibition with award tiers and a picture wider than 1280 px, the reading room of test_library
with its drafts and embargoed items, and a share linking inside and outside its shelf's book."""

from __future__ import annotations

import io
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

from conftest import BASE, write_item
from test_exhibitions import build, exhibition, work
from test_library import reading_room

from unionpress import audit as up_audit
from unionpress.outputs import epub, sitemap

EPUBCHECK = Path("/usr/share/java/epubcheck.jar")  # Debian's epubcheck (scripts/setup installs it)
UNION = "测试工会"
BLUE = "#1565c0"
OPF = "{http://www.idpf.org/2007/opf}"
DC = "{http://purl.org/dc/elements/1.1/}"
NCX = "{http://www.daisy.org/z3986/2005/ncx/}"
XHTML = "{http://www.w3.org/1999/xhtml}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DRAFT_WORDS = ("草稿展览EX9", "草稿分享DS1", "草稿书目DB1", "定时分享QS1", "定时上架的书QB1", "钟未晞")


def make_content(root: Path) -> Path:
    content = root / "content"
    shutil.copytree(BASE, content)
    reading_room(content)
    exhibition(content, "show", works=(work(1, "一等奖"), work(2), work(3, "三等奖")), date="2026-10-01 09:00",
               title="职工书画展", body="## 前言\n\n职工的作品，另见[劳动者之歌](/stories/good-story/)和[一等奖作品](#work-1)。")
    Image.new("RGB", (2400, 1600), "#336699").save(content / "exhibitions/show/w1.jpg", "JPEG")  # wider than 1280
    exhibition(content, "hidden", works=(work(1),), status="draft", title="草稿展览EX9")
    write_item(content, "library/shares/s-link.md",
               "同书架的[另一本书](/library/books/d2/)，站内的[报道](/stories/good-story/)。",
               title="链接分享", book="d1", author="韩洁", date="2026-06-03 09:00", status="published")
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


def test_one_book_per_public_exhibition_and_shelf(books):
    assert [p.name for p in epub_files(books)] == ["exhibition-show.epub", "shelf-dangshi.epub",
                                                   "shelf-jineng.epub", "shelf-wenxue.epub"]


def test_every_book_passes_epubcheck_without_errors_or_warnings(books):
    assert EPUBCHECK.is_file(), "epubcheck 未安装：运行 bash scripts/setup"
    for path in epub_files(books):
        result = subprocess.run(["java", "-jar", str(EPUBCHECK), str(path)], capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, (path.name, result.stdout, result.stderr)
        assert "0 fatals / 0 errors / 0 warnings" in result.stdout, (path.name, result.stdout)


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
    monkeypatch.setattr(epub, "CJK_FONTS", ("/nonexistent/font.ttc",))
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
    assert "downloads/index.html" in written
    page = (root / "site/downloads/index.html").read_text(encoding="utf-8")
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
