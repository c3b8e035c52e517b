"""downloads/*.epub: EPUB 3 anthologies for reading offline (a substation on the plateau, a mine):
one per exhibition (preface, then the works by award tier) and one per shelf of the reading room
(each book's data and 推荐语, with its public reading shares).

Written with zipfile and lxml, not an EPUB library: the ones on PyPI are AGPL (ebooklib) and
UnionPress is MIT. From the public view only, like every output. The same content and clock give the
same bytes: fixed member dates (the newest item's), members in a fixed order, `mimetype` first and
stored. Each book carries an NCX besides the nav document, because Chinese reader apps follow the NCX;
pictures are the pipeline's JPEG/PNG fallbacks (at most 1280 px), never WebP, which readers differ on.
After the books, /downloads/ is rendered again with their sizes (the page pass comes before outputs).
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from lxml import etree, html as lxml_html
from PIL import Image as PILImage, ImageDraw, ImageFont

from .. import responsive
from ..awards import award_groups, any_awarded
from ..body import MARK
from ..config import UNDATED
from ..items import Item
from ..kinds import ITEM_KINDS
from ..kinds.exhibition import SHOWN_UNAWARDED, UNGROUPED
from ..kinds.shelf import url as shelf_url

FOLDER = "downloads/"
PAGE = "downloads/"
DEFAULT_RED = "#b71c1c"  # the site's --up-red when the union sets no colours
COVER_SIZE = (960, 1280)  # 3:4, within the 1280 px every picture keeps
# Fixed places, no search: a build must not depend on what happens to be installed where. Without
# any, the cover is drawn without text (its title is in the metadata all the same).
CJK_FONTS = ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
             "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
             "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
             "/usr/share/fonts/truetype/arphic/uming.ttc")
XHTML = "http://www.w3.org/1999/xhtml"
# Attributes of the site's HTML an EPUB 3.0 content document may not carry (epubcheck 4 rejects them)
# or has no use for: the page's lazy loading, the responsive candidates (WebP among them).
_DROPPED = ("loading", "decoding", "fetchpriority", "srcset", "sizes")
_ID = re.compile(r'\bid="([^"]+)"')
_MARKED = re.compile(re.escape(MARK) + r"[^\"'\s,]*")

STYLE = """@charset "UTF-8";
/* No font files: every reader's own Chinese font. Line height and spacing for a phone's small screen. */
body { margin: 0 4%; line-height: 1.75; text-align: justify; }
h1 { font-size: 1.5em; line-height: 1.4; margin: 1em 0 .6em; }
h2 { font-size: 1.25em; line-height: 1.5; margin: 1.2em 0 .5em; }
h3 { font-size: 1.1em; line-height: 1.5; }
p { margin: .6em 0; text-indent: 2em; }
p.meta, figcaption p, .cover p { text-indent: 0; }
.meta { color: #555; font-size: .9em; }
figure { margin: 1em 0; text-align: center; }
figcaption { font-size: .9em; color: #444; line-height: 1.6; }
img { max-width: 100%; height: auto; }
blockquote { margin: .8em 1em; color: #444; }
.share { border-top: 1px solid #ccc; margin-top: 1.2em; }
.cover { margin: 0; padding: 0; text-align: center; }
.cover img { max-height: 100%; }
"""


@dataclass(frozen=True)
class Chapter:
    """One file of the book and one navPoint: a preface, an award tier's works, a book."""

    title: str
    body: str  # XHTML inside <body>, links still marked (MARK + site path) until the book is packed
    items: tuple[Item, ...]  # the items shown in it: links to their pages come here


@dataclass(frozen=True)
class Anthology:
    key: str  # exhibition-SLUG, shelf-KEY: the file name and the identifier's seed
    title: str
    kind: str  # 线上展览 | 职工书屋: its group on /downloads/
    page: str  # the site page it belongs to
    items: tuple[Item, ...]  # what it holds, in reading order (their dates date the book)

    @property
    def file(self) -> str:
        return f"{FOLDER}{quote(self.key)}.epub"

    @property
    def year(self) -> int | None:
        dates = [item.date for item in self.items if item.date]
        return max(dates).year if dates else None


def anthologies(public) -> list[Anthology]:
    """Every anthology of the public view, in a stable order: exhibitions as /exhibitions/ orders them
    by slug, then the shelves in shelves.yml order."""
    found = []
    for exhibition in sorted(public.all("exhibition"), key=lambda e: e.slug):
        found.append(Anthology(f"exhibition-{exhibition.slug}", exhibition.title, "线上展览",
                               ITEM_KINDS["exhibition"].url(exhibition), (exhibition,)))
    for shelf in public.occupied("shelf"):
        books = public.backrefs(shelf, "book", "shelf")
        held = [item for book in books for item in (book, *public.backrefs(book, "share", "book"))]
        found.append(Anthology(f"shelf-{shelf.key}", f"职工书屋·{shelf.name}", "职工书屋", shelf_url(shelf), tuple(held)))
    return found


# -- chapters ---------------------------------------------------------------------------------------------

def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _figure(image, settings, caption: str, anchor: str = "") -> str:
    """A picture with its caption; its src is marked like a body's, so the packer copies it in."""
    at = f' id="{anchor}"' if anchor else ""
    shown = responsive.published(image, settings, "largest")
    if shown is None:
        return f"<div{at}>{caption}</div>"
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f'<figure{at}><img src="{_e(MARK + quote(shown[0], safe="/"))}" alt="{_e(image.alt or "")}"/>{figcaption}</figure>'


def _exhibition_chapters(exhibition, settings, body_of) -> list[Chapter]:
    meta = [text for text in (exhibition.period and f"展期：{exhibition.period}",
                              exhibition.organizer and f"主办：{exhibition.organizer}") if text]
    preface = (f"<h1>{_e(exhibition.title)}</h1>" + "".join(f'<p class="meta">{_e(m)}</p>' for m in meta)
               + (_figure(exhibition.cover, settings, "") if exhibition.cover else "") + body_of(exhibition).html)
    chapters = [Chapter("前言", preface, (exhibition,))]
    groups = (award_groups(exhibition.works, settings.award_tiers, unawarded=SHOWN_UNAWARDED)
              if any_awarded(exhibition.works) else [(UNGROUPED, list(exhibition.works))])
    for heading, works in groups:
        parts = [f"<h2>{_e(heading)}</h2>"]
        for work in works:
            line = "，".join(filter(None, (work.author, work.unit, work.medium, work.size,
                                           f"{work.year}年" if work.year else "", work.shown_award)))
            caption = f"<p><strong>《{_e(work.title)}》</strong></p><p>{_e(line)}</p>"
            if work.description:
                caption += f"<p>{_e(work.description)}</p>"
            parts.append(_figure(work.image, settings, caption, work.anchor))
        chapters.append(Chapter(heading, "".join(parts), (exhibition,)))
    return chapters


def _shelf_chapters(anthology: Anthology, public, settings, body_of) -> list[Chapter]:
    chapters = []
    for book in (item for item in anthology.items if item.kind == "book"):
        facts = [f"作者：{book.author}"] + [text for text in (book.publisher and f"出版：{book.publisher}",
                                                            book.year and f"出版年份：{book.year}",
                                                            book.isbn and f"ISBN：{book.isbn_shown}") if text]
        parts = [f"<h1>《{_e(book.title)}》</h1>"]
        if book.cover is not None:
            parts.append(_figure(book.cover, settings, ""))
        parts += [f'<p class="meta">{_e(fact)}</p>' for fact in facts]
        parts.append(f"<h2>推荐语</h2>{body_of(book).html}")
        shares = public.backrefs(book, "share", "book")
        for share in shares:
            byline = "，".join(filter(None, (share.author, share.unit)))
            parts.append(f'<div class="share"><h2>读书分享：{_e(share.title)}</h2>'
                         f'<p class="meta">{_e(byline)}</p>{body_of(share).html}</div>')
        chapters.append(Chapter(f"《{book.title}》", "".join(parts), (book, *shares)))
    return chapters


# -- XHTML -------------------------------------------------------------------------------------------------

class _Packer:
    """Turns the chapters' marked HTML into XHTML files of the book: links to its own items become its
    own files, other site links absolute; pictures become files of the book."""

    def __init__(self, anthology: Anthology, chapters: list[Chapter], public, settings, assets: dict[str, Path]) -> None:
        self.base = settings.base_url.rstrip("/") + "/" if settings.base_url else settings.site_path
        self.settings = settings
        self.url_of = public.url
        self.assets = assets  # site path → file (bodies' pictures and the pipeline's variants)
        # site page → the chapter files that show it, first the one a plain link opens; a link's
        # #fragment goes to the one that defines it (#work-3 is in its award tier's chapter).
        self.inside: dict[str, list[str]] = {}
        self.ids: dict[str, set[str]] = {}
        for number, chapter in enumerate(chapters, start=1):
            for item in chapter.items:
                self.inside.setdefault(public.url(item), []).append(_chapter_file(number))
            self.ids[_chapter_file(number)] = set(_ID.findall(chapter.body))
        self.images: dict[str, tuple[str, bytes, str]] = {}  # site path → (book path, bytes, media type)

    def link(self, marked: str) -> str:
        target = marked[len(MARK):]
        path, _, fragment = target.partition("#")
        page = unquote(path)
        files = self.inside.get(page) or self.inside.get(page + "/")
        if not files:
            return self.base + target
        if fragment:
            holder = next((file for file in files if unquote(fragment) in self.ids[file]), None)
            if holder is not None:
                return f"{holder}#{fragment}"
        return files[0]  # a heading of the page that the book does not have: its chapter's top

    def picture(self, marked: str) -> str | None:
        """The book's copy of a picture (JPEG/PNG at most 1280 px), or None when it has none."""
        site_path = unquote(marked[len(MARK):].partition("#")[0])
        if site_path in self.images:
            return self.images[site_path][0]
        file = self.assets.get(site_path)
        if file is None:
            return None
        data, media = _as_jpeg_or_png(file)
        if data is None:
            return None
        name = f"images/{len(self.images) + 1:03d}.{'jpg' if media == 'image/jpeg' else 'png'}"
        self.images[site_path] = (name, data, media)
        return name

    def xhtml(self, chapter: Chapter, file: str) -> str:
        root = lxml_html.fragment_fromstring(chapter.body, create_parent="div")
        for element in list(root.iter("picture")):  # the fallback <img> alone: no WebP source
            img = next(element.iter("img"), None)
            if img is None:
                element.drop_tree()
                continue
            img.tail = (img.tail or "") + (element.tail or "")
            element.getparent().replace(element, img)
        for element in list(root.iter("source", "script", "iframe", "video", "audio", "object", "embed")):
            element.drop_tree()
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            if element.tag == "img" and element.get("srcset"):  # the widest fallback (≤ 1280 px), not the 640 one
                candidates = [c.split() for c in element.get("srcset").split(",") if c.strip()]
                widest = max(candidates, key=lambda c: int(c[1].rstrip("w")) if len(c) > 1 and c[1][:-1].isdigit() else 0)
                element.set("src", widest[0])
            for name in _DROPPED:
                element.attrib.pop(name, None)
            for name in [n for n in element.attrib if ":" in n or n.startswith("on")]:
                element.attrib.pop(name)
            if element.tag == "img":
                src = element.get("src", "")
                own = self.picture(src) if src.startswith(MARK) else None
                if own is None:  # a picture the book cannot carry: its description stands in
                    span = lxml_html.Element("span")
                    span.text = element.get("alt") or ""
                    span.tail = element.tail
                    element.getparent().replace(element, span)
                    continue
                element.set("src", own)
                element.set("alt", element.get("alt") or "")
                element.attrib.pop("width", None)
                element.attrib.pop("height", None)
            elif element.tag == "a" and element.get("href", "").startswith(MARK):
                element.set("href", self.link(element.get("href")))
            elif element.tag == "a" and element.get("href", "").startswith("#") and chapter.items:
                # "#work-1" on the exhibition's page: in the book, that work is in its tier's chapter
                if unquote(element.get("href")[1:]) not in self.ids[file]:
                    element.set("href", self.link(MARK + self.url_of(chapter.items[0]) + element.get("href")))
            for name in ("href", "src", "cite", "poster"):
                value = element.get(name)
                if value and MARK in value:
                    element.set(name, _MARKED.sub(lambda m: self.link(m.group(0)), value))
        inner = (html.escape(root.text or "", quote=False)
                 + "".join(etree.tostring(child, method="xml", encoding="unicode") for child in root))
        return _document(chapter.title, inner)


def _chapter_file(number: int) -> str:
    return f"chapter-{number:03d}.xhtml"


def _as_jpeg_or_png(file: Path) -> tuple[bytes | None, str]:
    """A published variant as it is when it is JPEG or PNG (the pipeline's fallbacks are ≤ 1280 px);
    anything else (a GIF's frames) its first frame as PNG, scaled down to 1280 px."""
    suffix = file.suffix.lower()
    if suffix in (".jpg", ".jpeg"):
        return file.read_bytes(), "image/jpeg"
    try:
        with PILImage.open(file) as opened:
            if suffix == ".png" and opened.width <= 1280:
                return file.read_bytes(), "image/png"
            frame = opened.convert("RGBA")
    except (OSError, ValueError):
        return None, ""
    if frame.width > 1280:
        frame = frame.resize((1280, max(1, round(frame.height * 1280 / frame.width))))
    out = io.BytesIO()
    frame.save(out, "PNG", optimize=True)
    return out.getvalue(), "image/png"


def _document(title: str, inner: str, extra_head: str = "", body_class: str = "") -> str:
    cls = f' class="{body_class}"' if body_class else ""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
            f'<html xmlns="{XHTML}" xmlns:epub="http://www.idpf.org/2007/ops" xml:lang="zh-Hans" lang="zh-Hans">\n'
            f'<head><meta charset="UTF-8"/><title>{_e(title)}</title>'
            f'<link rel="stylesheet" type="text/css" href="style.css"/>{extra_head}</head>\n'
            f"<body{cls}>{inner}</body>\n</html>\n")


# -- cover ----------------------------------------------------------------------------------------------------

def _font(size: int):
    for path in CJK_FONTS:
        if Path(path).is_file():
            try:
                return ImageFont.truetype(path, size)
            except OSError:
                continue
    return None


def _lines(text: str, font, width: int, draw) -> list[str]:
    """Chinese wraps between any two characters: as many as fit on each line."""
    lines, line = [], ""
    for char in text:
        if line and draw.textlength(line + char, font=font) > width:
            lines.append(line)
            line = ""
        line += char
    return lines + ([line] if line else [])


def cover(title: str, year: int | None, union: str, colour: str) -> bytes:
    """A PNG drawn now: the union's colour, the title, the year and the union; no text without a font."""
    image = PILImage.new("RGB", COVER_SIZE, colour)
    draw = ImageDraw.Draw(image)
    width, height = COVER_SIZE
    draw.rectangle((48, 48, width - 48, height - 48), outline="#ffffff", width=4)
    big, small = _font(84), _font(44)
    if big is not None and small is not None:
        y = 300
        for line in _lines(title, big, width - 200, draw)[:5]:
            draw.text((width // 2, y), line, font=big, fill="#ffffff", anchor="ma")
            y += 112
        if year:
            draw.text((width // 2, y + 40), f"{year}", font=small, fill="#ffffff", anchor="ma")
        for at, line in enumerate(_lines(union, small, width - 200, draw)[:2]):
            draw.text((width // 2, height - 220 + at * 60), line, font=small, fill="#ffffff", anchor="ma")
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


# -- the package ----------------------------------------------------------------------------------------------

def identifier(union: str, key: str) -> str:
    """Stable across builds: the union and the anthology key, nothing else."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"unionpress:{union}:{key}"))


def modified(anthology: Anthology, settings) -> dt.datetime:
    """The newest item's date in UTC (config.UNDATED for an anthology with no dated item, e.g. a shelf of
    undated books: never the build clock, which would change the book's bytes at every build)."""
    dates = [item.date for item in anthology.items if item.date]
    newest = max(dates) if dates else UNDATED
    return newest.astimezone(dt.timezone.utc).replace(microsecond=0)


def _opf(anthology: Anthology, settings, when: dt.datetime, chapters: int, images) -> str:
    union = _e(settings.site_name)
    manifest = ['<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>',
                '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>',
                '<item id="css" href="style.css" media-type="text/css"/>',
                '<item id="cover-image" href="cover.png" media-type="image/png" properties="cover-image"/>',
                '<item id="cover" href="cover.xhtml" media-type="application/xhtml+xml"/>']
    manifest += [f'<item id="c{n:03d}" href="{_chapter_file(n)}" media-type="application/xhtml+xml"/>'
                 for n in range(1, chapters + 1)]
    manifest += [f'<item id="i{n:03d}" href="{name}" media-type="{media}"/>'
                 for n, (name, _data, media) in enumerate(images, start=1)]
    spine = ['<itemref idref="cover" linear="yes"/>', '<itemref idref="nav" linear="yes"/>']
    spine += [f'<itemref idref="c{n:03d}"/>' for n in range(1, chapters + 1)]
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="book-id" xml:lang="zh-Hans">\n'
            '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
            f'<dc:identifier id="book-id">{identifier(settings.site_name, anthology.key)}</dc:identifier>\n'
            f'<dc:title>{_e(anthology.title)}</dc:title>\n<dc:language>zh-Hans</dc:language>\n'
            f'<dc:creator>{union}</dc:creator>\n<dc:publisher>{union}</dc:publisher>\n'
            f'<meta property="dcterms:modified">{when.strftime("%Y-%m-%dT%H:%M:%SZ")}</meta>\n'
            '<meta name="cover" content="cover-image"/>\n</metadata>\n'
            f'<manifest>\n{chr(10).join(manifest)}\n</manifest>\n'
            f'<spine toc="ncx">\n{chr(10).join(spine)}\n</spine>\n</package>\n')


def _nav(anthology: Anthology, titles: list[str]) -> str:
    entries = "".join(f'<li><a href="{_chapter_file(n)}">{_e(t)}</a></li>' for n, t in enumerate(titles, start=1))
    return _document(anthology.title, f'<nav epub:type="toc" id="toc"><h1>目录</h1><ol>{entries}</ol></nav>')


def _ncx(anthology: Anthology, settings, titles: list[str]) -> str:
    points = "".join(f'<navPoint id="p{n:03d}" playOrder="{n}"><navLabel><text>{_e(t)}</text></navLabel>'
                     f'<content src="{_chapter_file(n)}"/></navPoint>\n' for n, t in enumerate(titles, start=1))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1" xml:lang="zh-Hans">\n'
            f'<head><meta name="dtb:uid" content="{identifier(settings.site_name, anthology.key)}"/>'
            '<meta name="dtb:depth" content="1"/><meta name="dtb:totalPageCount" content="0"/>'
            '<meta name="dtb:maxPageNumber" content="0"/></head>\n'
            f'<docTitle><text>{_e(anthology.title)}</text></docTitle>\n<navMap>\n{points}</navMap>\n</ncx>\n')


CONTAINER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
             '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">\n'
             '<rootfiles><rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/></rootfiles>\n'
             '</container>\n')


def make(anthology: Anthology, public, settings, body_of) -> bytes:
    """The EPUB's bytes."""
    if anthology.kind == "线上展览":
        chapters = _exhibition_chapters(anthology.items[0], settings, body_of)
    else:
        chapters = _shelf_chapters(anthology, public, settings, body_of)
    assets: dict[str, Path] = {}
    for item in anthology.items:
        assets.update(body_of(item).assets)
        for image in item.images:
            shown = responsive.published(image, settings, "largest")
            if shown is not None:
                assets[shown[0]] = shown[1]
    packer = _Packer(anthology, chapters, public, settings, assets)
    files = [packer.xhtml(chapter, _chapter_file(n)) for n, chapter in enumerate(chapters, start=1)]
    titles = [chapter.title for chapter in chapters]
    when = modified(anthology, settings)
    colour = settings.colors.get("masthead") or DEFAULT_RED
    images = list(packer.images.values())
    members = {"META-INF/container.xml": CONTAINER.encode(),
               "EPUB/package.opf": _opf(anthology, settings, when, len(chapters), images).encode(),
               "EPUB/nav.xhtml": _nav(anthology, titles).encode(),
               "EPUB/toc.ncx": _ncx(anthology, settings, titles).encode(),
               "EPUB/style.css": STYLE.encode(),
               "EPUB/cover.png": cover(anthology.title, anthology.year, settings.site_name, colour),
               "EPUB/cover.xhtml": _document(anthology.title, f'<div class="cover"><img src="cover.png" alt="{_e(anthology.title)}"/></div>',
                                             body_class="cover").encode()}
    members.update({f"EPUB/{_chapter_file(n)}": xhtml.encode() for n, xhtml in enumerate(files, start=1)})
    members.update({f"EPUB/{name}": data for name, data, _media in images})
    stamp = when.timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        first = zipfile.ZipInfo("mimetype", stamp)
        first.compress_type = zipfile.ZIP_STORED
        _fixed(first)
        book.writestr(first, b"application/epub+zip")
        for name in sorted(members):
            info = zipfile.ZipInfo(name, stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            _fixed(info)
            book.writestr(info, members[name], compresslevel=9)
    return buffer.getvalue()


def _fixed(info: zipfile.ZipInfo) -> None:
    """The same header on every machine: Unix, rw-r--r--."""
    info.create_system = 3
    info.external_attr = 0o644 << 16


def size_text(size: int) -> str:
    """What a reader on a metered plan wants to know: 86 KB, 2.4 MB."""
    return f"{max(1, -(-size // 1024))} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


def write(public, pages, site_dir: Path, settings, body_of) -> list[str]:
    written, sizes = [], {}
    for anthology in anthologies(public):
        data = make(anthology, public, settings, body_of)
        target = site_dir / unquote(anthology.file)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written.append(anthology.file)
        sizes[anthology.key] = size_text(len(data))
    page = next((page for page in pages if page.url == PAGE), None)
    if page is not None:  # /downloads/ again, now with the sizes: the page pass ran before the books existed
        from ..pages import Renderer

        page.context["sizes"] = sizes
        (site_dir / page.output).write_text(Renderer(public, settings, {}).render(page), encoding="utf-8")
        written.append(page.output)
    return written
