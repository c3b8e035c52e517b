"""downloads/*.epub: EPUB 3 anthologies for reading offline (a substation on the plateau, a mine):
one per column per year (its stories of that year, oldest first), one per exhibition (preface, then
the works by award tier), one per contest (the call, then the entries by award tier) and one per shelf
of the reading room (each book's data and 推荐语, with its public reading shares).

Written with zipfile and lxml, not an EPUB library: the ones on PyPI are AGPL (ebooklib) and
UnionPress is MIT. From the public view only, like every output. The same content and clock give the
same bytes: fixed member dates (the newest item's), members in a fixed order, `mimetype` first and
stored. Each book carries an NCX besides the nav document, because Chinese reader apps follow the NCX;
pictures are the pipeline's JPEG/PNG fallbacks (at most 1280 px), never WebP, which readers differ on.
The books are made once per build, before the pages are rendered (`library`, kept per public view), so
every page a book belongs to and /downloads/ print its size; the output only writes the bytes.
A body construct an XHTML content document cannot hold (dir="up", a <time> that is no date, …) or a
picture the book cannot carry is left out of the book and reported at its line (epub-xhtml,
epub-picture): the book stays valid, the editor learns what the book lacks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import re
import uuid
import weakref
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable
from urllib.parse import quote, unquote

from lxml import etree, html as lxml_html
from PIL import Image as PILImage, ImageDraw

from .. import derived, forking, responsive
from ..derived import Stretch
from ..awards import award_groups, any_awarded
from ..body import MARK, SourceLines
from ..drawing import cjk_font, wrap
from ..findings import Findings
from ..sanitize import BODY_ID_PREFIX
from ..config import UNDATED
from ..items import Item
from ..kinds import ITEM_KINDS
from ..kinds.column import url as column_url
from ..kinds.contest import standings
from ..kinds.exhibition import SHOWN_UNAWARDED, UNGROUPED
from ..kinds.shelf import url as shelf_url

FOLDER = "downloads/"
PAGE = "downloads/"
DEFAULT_RED = "#b71c1c"  # the site's --up-red when the union sets no colours
COVER_SIZE = (960, 1280)  # 3:4, within the 1280 px every picture keeps
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
img { max-width: 100%; max-height: 92vh; height: auto; object-fit: contain; }  /* a portrait fits one screen */
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
    key: str  # column-KEY-YEAR, exhibition-SLUG, contest-SLUG, shelf-KEY: the file name and the identifier's seed
    title: str
    kind: str  # 栏目 | 线上展览 | 征文比赛 | 职工书屋: its group on /downloads/ (KINDS)
    page: str  # the site page it belongs to
    items: tuple[Item, ...]  # what it holds, in reading order (their dates date the book)

    @property
    def file(self) -> str:
        return f"{FOLDER}{quote(self.key)}.epub"

    @property
    def label(self) -> str:
        """How a page lists it: a column's book by its year, the others by their title."""
        return f"{self.year}年合集" if self.kind == COLUMN else self.title

    @property
    def year(self) -> int | None:
        dates = [item.date for item in self.items if item.date]
        return max(dates).year if dates else None


COLUMN, EXHIBITION, CONTEST, SHELF = "栏目", "线上展览", "征文比赛", "职工书屋"


def anthologies(public) -> list[Anthology]:
    """Every anthology of the public view, in a stable order: the columns in columns.yml order (newest
    year first), exhibitions by slug, contests as /contests/ orders them (those with public entries),
    then the shelves in shelves.yml order."""
    found = []
    for column in public.occupied("column"):
        years: dict[int, list] = {}
        for story in reversed(public.backrefs(column, "story", "column")):  # the listing is newest first
            if story.date is None:  # a date that did not read is the checks' error; the book waits for it
                continue
            years.setdefault(story.date.year, []).append(story)
        for year in sorted(years, reverse=True):
            found.append(Anthology(f"column-{column.key}-{year}", f"{column.name}·{year}年", COLUMN,
                                   column_url(column), tuple(years[year])))
    for exhibition in sorted(public.all("exhibition"), key=lambda e: e.slug):
        found.append(Anthology(f"exhibition-{exhibition.slug}", exhibition.title, EXHIBITION,
                               ITEM_KINDS["exhibition"].url(exhibition), (exhibition,)))
    for standing in standings(public):
        if standing.entries:  # a call with nothing published yet is not a book
            contest = standing.contest
            found.append(Anthology(f"contest-{contest.slug}", contest.title, CONTEST,
                                   ITEM_KINDS["contest"].url(contest), (contest, *standing.entries)))
    for shelf in public.occupied("shelf"):
        books = public.backrefs(shelf, "book", "shelf")
        held = [item for book in books for item in (book, *public.backrefs(book, "share", "book"))]
        found.append(Anthology(f"shelf-{shelf.key}", f"职工书屋·{shelf.name}", SHELF, shelf_url(shelf), tuple(held)))
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


def _cn_day(moment) -> str:
    return f"{moment.year}年{moment.month}月{moment.day}日" if moment else ""


def _story_chapters(anthology: Anthology, public, settings, text) -> list[Chapter]:
    """A column's year: each story with its date, bylines and cover, oldest first."""
    chapters = []
    for story in anthology.items:
        meta = "，".join(filter(None, (_cn_day(story.date), "、".join(story.authors),
                                       story.origin and f"来源：{story.origin}")))
        parts = [f"<h1>{_e(story.title)}</h1>", f'<p class="meta">{_e(meta)}</p>']
        if story.cover is not None:
            parts.append(_figure(story.cover, settings, ""))
        parts.append(text(story))
        chapters.append(Chapter(story.title, "".join(parts), (story,)))
    return chapters


def _exhibition_chapters(anthology: Anthology, public, settings, text) -> list[Chapter]:
    exhibition = anthology.items[0]
    meta = [line for line in (exhibition.period and f"展期：{exhibition.period}",
                              exhibition.organizer and f"主办：{exhibition.organizer}") if line]
    preface = (f"<h1>{_e(exhibition.title)}</h1>" + "".join(f'<p class="meta">{_e(m)}</p>' for m in meta)
               + (_figure(exhibition.cover, settings, "") if exhibition.cover else "") + text(exhibition))
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


def _contest_chapters(anthology: Anthology, public, settings, text) -> list[Chapter]:
    """The call (theme, dates, organizer, notice), then one chapter per entry in the contest page's
    order: by award tier, the tier named in the chapter's title (the NCX then reads 一等奖：…)."""
    contest = anthology.items[0]
    standing = next(found for found in standings(public) if found.contest is contest)
    facts = [line for line in (contest.theme and f"主题：{contest.theme}",
                               standing.dates() and f"征集时间：{standing.dates()}",
                               contest.organizer and f"主办：{contest.organizer}") if line]
    call = (f"<h1>{_e(contest.title)}</h1>" + "".join(f'<p class="meta">{_e(f)}</p>' for f in facts)
            + (_figure(contest.cover, settings, "") if contest.cover else "") + text(contest))
    chapters = [Chapter("征文主题", call, (contest,))]
    for tier, entries in standing.groups:
        for entry in entries:
            byline = "，".join(filter(None, (entry.author, entry.unit)))
            chapters.append(Chapter(f"{tier}：{entry.title}",
                                    f'<p class="meta">{_e(tier)}</p><h1>{_e(entry.title)}</h1>'
                                    f'<p class="meta">{_e(byline)}</p>{text(entry)}', (entry,)))
    return chapters


def _shelf_chapters(anthology: Anthology, public, settings, text) -> list[Chapter]:
    chapters = []
    for book in (item for item in anthology.items if item.kind == "book"):
        facts = [f"作者：{book.author}"] + [line for line in (book.publisher and f"出版：{book.publisher}",
                                                            book.year and f"出版年份：{book.year}",
                                                            book.isbn and f"ISBN：{book.isbn_shown}") if line]
        parts = [f"<h1>《{_e(book.title)}》</h1>"]
        if book.cover is not None:
            parts.append(_figure(book.cover, settings, ""))
        parts += [f'<p class="meta">{_e(fact)}</p>' for fact in facts]
        parts.append(f"<h2>推荐语</h2>{text(book)}")
        shares = public.backrefs(book, "share", "book")
        for share in shares:
            byline = "，".join(filter(None, (share.author, share.unit)))
            parts.append(f'<div class="share"><h2>读书分享：{_e(share.title)}</h2>'
                         f'<p class="meta">{_e(byline)}</p>{text(share)}</div>')
        chapters.append(Chapter(f"《{book.title}》", "".join(parts), (book, *shares)))
    return chapters


CHAPTERS = {COLUMN: _story_chapters, EXHIBITION: _exhibition_chapters, CONTEST: _contest_chapters,
            SHELF: _shelf_chapters}


# -- bodies as XHTML -------------------------------------------------------------------------------------

_DATETIME = re.compile(r"\d{4}(-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?"
                       r"|\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?|\d{4}-W\d{2}|--\d{2}-\d{2}")
# Attribute values the sanitiser lets through (it checks names, not values) that epubcheck rejects in an
# XHTML content document: what each must be, in the words the finding uses.
_COUNT = (re.compile(r"0*([1-9]\d{0,2}|1000)"), "应为 1 到 1000 的整数")
_VALUES: dict[tuple[str, str], tuple[re.Pattern, str]] = {
    ("*", "dir"): (re.compile("ltr|rtl|auto"), "只能是 ltr、rtl 或 auto"),
    ("*", "lang"): (re.compile(r"([A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*)?"), "应为语言代码，如 zh-CN"),
    ("*", "id"): (re.compile(r"\S+"), "不能含空格"),
    ("ol", "start"): (re.compile(r"-?\d{1,9}"), "应为整数"),
    ("ol", "type"): (re.compile("[1aAiI]"), "只能是 1、a、A、i 或 I"),
    ("td", "colspan"): _COUNT, ("th", "colspan"): _COUNT, ("col", "span"): _COUNT, ("colgroup", "span"): _COUNT,
    ("td", "rowspan"): (re.compile(r"\d{1,5}"), "应为整数"), ("th", "rowspan"): (re.compile(r"\d{1,5}"), "应为整数"),
    **{(tag, "datetime"): (_DATETIME, "应为日期或时间，如 2026-05-01 或 2026-05-01T09:30") for tag in ("time", "del", "ins")},
}
# The checks' findings on a picture's file: one of these said it already, the book does not say it again.
_PICTURE_CHECKS = ("image-broken", "image-type", "image-pixels", "image-frames", "image-missing")
_MEDIA = {"video": "视频", "audio": "音频", "iframe": "嵌入的内容"}


class _Bodies:
    """Each item's body as a book can hold it, made once per build: attribute values XHTML rejects
    are left out and reported at their line (epub-xhtml); what HTML5 renamed is renamed (a name=
    anchor becomes its id, a cell's align its text-align); a player (video, audio, iframe) becomes
    a line pointing to the page, since a book must not load from the network."""

    def __init__(self, public, settings, body_of, findings) -> None:
        self.base = settings.base_url.rstrip("/") + "/" if settings.base_url else settings.site_path
        self.url_of = public.url
        self.body_of = body_of
        self.findings = findings
        self.made: dict[int, str] = {}

    def __call__(self, item: Item) -> str:
        if id(item) not in self.made:
            self.made[id(item)] = self._clean(item)
        return self.made[id(item)]

    def _clean(self, item: Item) -> str:
        source = self.body_of(item).html
        if not source.strip():
            return ""
        root = lxml_html.fragment_fromstring(source, create_parent="div")
        lines = SourceLines(item)
        for element in list(root.iter(*_MEDIA)):
            note = lxml_html.fragment_fromstring(
                f'<p class="meta">（此处有{_MEDIA[element.tag]}，请在网站上观看：'
                f'<a href="{_e(self.base + quote(self.url_of(item), safe="/"))}">{_e(item.label)}</a>）</p>')
            note.tail = element.tail
            element.getparent().replace(element, note)
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            if element.tag == "a" and element.get("name") is not None:
                name = element.attrib.pop("name")
                if element.get("id") is None and name:
                    element.set("id", name)
            if element.tag in ("td", "th") and element.get("align") is not None:
                align = element.attrib.pop("align").strip().lower()
                if align in ("left", "right", "center", "justify") and "text-align" not in element.get("style", ""):
                    element.set("style", f"text-align: {align}")
            for name, value in list(element.attrib.items()):
                rule = _VALUES.get((element.tag, name)) or _VALUES.get(("*", name))
                if rule is not None and not rule[0].fullmatch(value.strip() if name != "id" else value):
                    del element.attrib[name]
                    written = value.removeprefix(BODY_ID_PREFIX) if name == "id" else value  # as the editor wrote it
                    self.findings.add(item.source, lines(written) if written.strip() else lines(name), "epub-xhtml",
                                      what=f'<{element.tag} {name}="{written}">', why=rule[1])
        return (html.escape(root.text or "", quote=False)
                + "".join(lxml_html.tostring(child, encoding="unicode") for child in root))


# -- XHTML -------------------------------------------------------------------------------------------------

class _Packer:
    """Turns the chapters' marked HTML into XHTML files of the book: links to its own items become its
    own files, other site links absolute; pictures become files of the book."""

    def __init__(self, anthology: Anthology, chapters: list[Chapter], public, settings,
                 assets: dict[str, tuple[Path, Item, object]], findings: Findings) -> None:
        self.base = settings.base_url.rstrip("/") + "/" if settings.base_url else settings.site_path
        self.settings = settings
        self.url_of = public.url
        # site path → (file, the item that shows it, its front-matter Image or None): bodies' pictures and the pipeline's variants
        self.assets = assets
        self.findings = findings
        # site page → the chapter files that show it, first the one a plain link opens; a link's
        # #fragment goes to the one that defines it (#work-3 is in its award tier's chapter).
        self.inside: dict[str, list[str]] = {}
        self.ids: dict[str, set[str]] = {}
        for number, chapter in enumerate(chapters, start=1):
            for item in chapter.items:
                self.inside.setdefault(public.url(item), []).append(_chapter_file(number))
            self.ids[_chapter_file(number)] = set(_ID.findall(chapter.body))
        self.images: dict[str, tuple[str, bytes, str] | None] = {}  # site path → (book path, bytes, media type)

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

    def picture(self, marked: str, alt: str = "") -> str | None:
        """The book's copy of a picture (JPEG/PNG at most 1280 px), or None when it has none."""
        site_path = unquote(marked[len(MARK):].partition("#")[0])
        if site_path in self.images:  # each picture once, in a book and in the findings
            return self.images[site_path][0] if self.images[site_path] else None
        if site_path not in self.assets:
            return None
        file, item, image = self.assets[site_path]
        data, media = _as_jpeg_or_png(file, self.settings.cache_dir)
        if data is None:
            # read when the page was made, unreadable now (replaced during `mkdocs serve`, a damaged cache);
            # a picture the checks found broken is their finding already
            if not any(f.path == item.source and f.code in _PICTURE_CHECKS for f in self.findings.items):
                # named as the editor wrote it: a front-matter field's file, a body picture's alt text
                written = image.src if image is not None else alt or PurePosixPath(site_path).name
                line = image.line if image is not None else SourceLines(item)(alt) if alt else item.body_line
                self.findings.add(item.source, line, "epub-picture", src=written)
            self.images[site_path] = None
            return None
        name = f"images/{sum(1 for kept in self.images.values() if kept) + 1:03d}.{'jpg' if media == 'image/jpeg' else 'png'}"
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
        seen: set[str] = set()
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            if element.get("id") is not None:  # two bodies in one chapter (a book and its shares) may share a heading's id
                unique, number = element.get("id"), 1
                while unique in seen:
                    number += 1
                    unique = f"{element.get('id')}-{number}"
                element.set("id", unique)
                seen.add(unique)
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
                own = self.picture(src, element.get("alt") or "") if src.startswith(MARK) else None
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


def _as_jpeg_or_png(file: Path, cache_dir: Path | None = None) -> tuple[bytes | None, str]:
    """A published variant as it is when it is JPEG or PNG (the pipeline's fallbacks are ≤ 1280 px);
    anything else (a GIF's frames) its first frame as PNG, scaled down to 1280 px. None when it cannot
    be decoded. With a cache folder, what decoding found is kept by the file's bytes: every picture of
    every book was decoded again on each build (a second at 1,000 stories)."""
    try:
        data = file.read_bytes()
    except OSError:
        return None, ""
    suffix = file.suffix.lower()
    if cache_dir is None:
        return _converted(data, suffix)
    key = derived.key(Path(__file__), ["book picture", hashlib.sha256(data).hexdigest(), suffix], ("pillow",))

    def make() -> bytes:
        made, media = _converted(data, suffix)
        return media.encode() + b"\n" + (b"=" if made is data else b"+" + (made or b""))

    media, _, rest = derived.cached(cache_dir, "epub", key, make).partition(b"\n")
    if not media:
        return None, ""
    return (data if rest[:1] == b"=" else rest[1:]), media.decode()


def _converted(data: bytes, suffix: str) -> tuple[bytes | None, str]:
    """_as_jpeg_or_png on the file's bytes: the same bytes back (the very object) when they will do."""
    try:
        with PILImage.open(io.BytesIO(data)) as opened:
            opened.load()  # decoded, not only its header read: a reader app shows a broken one as a hole
            if opened.format == "JPEG" and suffix in (".jpg", ".jpeg") and opened.width <= 1280:
                return data, "image/jpeg"
            if opened.format == "PNG" and suffix == ".png" and opened.width <= 1280:
                return data, "image/png"
            frame = opened.convert("RGBA")
    except (OSError, ValueError, PILImage.DecompressionBombError):
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

def cover(title: str, year: int | None, union: str, colour: str) -> bytes:
    """A PNG drawn now: the union's colour, the title, the year and the union; no text without a font."""
    image = PILImage.new("RGB", COVER_SIZE, colour)
    draw = ImageDraw.Draw(image)
    width, height = COVER_SIZE
    draw.rectangle((48, 48, width - 48, height - 48), outline="#ffffff", width=4)
    big, small = cjk_font(84), cjk_font(44)
    if big is not None and small is not None:
        y = 300
        for line in wrap(title, big, width - 200, draw)[:5]:
            draw.text((width // 2, y), line, font=big, fill="#ffffff", anchor="ma")
            y += 112
        if year and str(year) not in title:  # a column's book says its year in its title already
            draw.text((width // 2, y + 40), f"{year}", font=small, fill="#ffffff", anchor="ma")
        for at, line in enumerate(wrap(union, small, width - 200, draw)[:2]):
            draw.text((width // 2, height - 220 + at * 60), line, font=small, fill="#ffffff", anchor="ma")
    out = io.BytesIO()
    image.save(out, "PNG")  # zlib's default: optimize=True took 3 times as long for 7 % fewer bytes
    return out.getvalue()


def _cover(anthology: Anthology, settings, colour: str) -> bytes:
    """The cover, drawn once and kept in the cache (drawing and encoding it was half of the books' time)."""
    inputs = [anthology.title, anthology.year, settings.site_name, colour]
    name = derived.key(Path(__file__), ["cover", *inputs], ("pillow",))
    return derived.cached(settings.cache_dir, "epub", name, lambda: cover(*inputs))


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


def make(anthology: Anthology, public, settings, body_of, findings: Findings | None = None,
         bodies: _Bodies | None = None) -> bytes:
    """The EPUB's bytes; what the book cannot hold goes to `findings`."""
    findings = findings if findings is not None else Findings()
    text = bodies or _Bodies(public, settings, body_of, findings)
    chapters = CHAPTERS[anthology.kind](anthology, public, settings, text)
    assets: dict[str, tuple[Path, Item, object]] = {}
    for item in anthology.items:
        assets.update((path, (file, item, None)) for path, file in body_of(item).assets)
        for image in item.images:
            shown = responsive.published(image, settings, "largest")
            if shown is not None:
                assets[shown[0]] = (shown[1], item, image)
    packer = _Packer(anthology, chapters, public, settings, assets, findings)
    files = [packer.xhtml(chapter, _chapter_file(n)) for n, chapter in enumerate(chapters, start=1)]
    titles = [chapter.title for chapter in chapters]
    when = modified(anthology, settings)
    colour = settings.colors.get("masthead") or DEFAULT_RED
    images = [kept for kept in packer.images.values() if kept]
    members = {"META-INF/container.xml": CONTAINER.encode(),
               "EPUB/package.opf": _opf(anthology, settings, when, len(chapters), images).encode(),
               "EPUB/nav.xhtml": _nav(anthology, titles).encode(),
               "EPUB/toc.ncx": _ncx(anthology, settings, titles).encode(),
               "EPUB/style.css": STYLE.encode(),
               "EPUB/cover.png": _cover(anthology, settings, colour),
               "EPUB/cover.xhtml": _document(anthology.title, f'<div class="cover"><img src="cover.png" alt="{_e(anthology.title)}"/></div>',
                                             body_class="cover").encode()}
    members.update({f"EPUB/{_chapter_file(n)}": xhtml.encode() for n, xhtml in enumerate(files, start=1)})
    members.update({f"EPUB/{name}": data for name, data, _media in images})
    stamp = min(max(when.timetuple()[:6], ZIP_FIRST), ZIP_LAST)  # a zip's dates run from 1980 to 2107
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        first = zipfile.ZipInfo("mimetype", stamp)
        first.compress_type = zipfile.ZIP_STORED
        _fixed(first)
        book.writestr(first, b"application/epub+zip")
        for name in sorted(members):
            info = zipfile.ZipInfo(name, stamp)
            # Pictures are compressed already: deflating them at level 9 costs time and saves nothing.
            info.compress_type = zipfile.ZIP_STORED if name.endswith((".jpg", ".jpeg", ".png")) else zipfile.ZIP_DEFLATED
            _fixed(info)
            book.writestr(info, members[name], compresslevel=9)
    return buffer.getvalue()


ZIP_FIRST, ZIP_LAST = (1980, 1, 1, 0, 0, 0), (2107, 12, 31, 23, 59, 58)


def _fixed(info: zipfile.ZipInfo) -> None:
    """The same header on every machine: Unix, rw-r--r--."""
    info.create_system = 3
    info.external_attr = 0o644 << 16


def size_text(size: int) -> str:
    """What a reader on a metered plan wants to know: 86 KB, 2.4 MB."""
    return f"{max(1, -(-size // 1024))} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


@dataclass(frozen=True)
class Book:
    anthology: Anthology
    made: bytes | Stretch  # its bytes, or where they lie in a kept record (buildmemo): read when written

    @property
    def length(self) -> int:
        return self.made.length if isinstance(self.made, Stretch) else len(self.made)

    @property
    def size(self) -> str:
        return size_text(self.length)

    @property
    def data(self) -> bytes:
        return self.made.read() if isinstance(self.made, Stretch) else self.made


_library: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def library(public, settings, body_of, findings: Findings | None = None) -> tuple[Book, ...]:
    """Every book of the public view, made once per view: the pages print their sizes (engine.Build.render
    makes them first, its findings reported with the build's), the output writes their bytes."""
    if public not in _library:
        findings = findings if findings is not None else Findings()
        bodies = _Bodies(public, settings, body_of, findings)
        found = anthologies(public)

        def books(share: list[Anthology]) -> list[bytes]:
            return [make(anthology, public, settings, body_of, findings, bodies) for anthology in share]

        _library[public] = tuple(map(Book, found, _made_in_two(found, books, findings) or books(found)))
    return _library[public]


SPLIT_CHAPTERS = 2000  # a library of this many items or more is made in two processes (_made_in_two)


def _made_in_two(found: list[Anthology], books: Callable[[list[Anthology]], list[bytes]],
                 findings: Findings) -> list[bytes] | None:
    """The books in two processes (forking.in_two): the first ones here, the rest in a forked child
    that hands back their bytes and the findings it added, which follow this process's as they would
    in one. A book is made from the model and its own items alone, and no item is in two books (a
    story in one column's year, a share under one book on one shelf), so the bytes and findings are
    one process's. Split where half the items are: a column's year can hold thousands of chapters.
    None when the library is small or no child could be had; a child that fails leaves its books to
    this process."""
    sizes = [len(anthology.items) for anthology in found]
    if sum(sizes) < SPLIT_CHAPTERS or len(found) < 2:
        return None
    half, running, cut = sum(sizes) / 2, 0, 1
    for cut, size in enumerate(sizes[:-1], start=1):
        running += size
        if running >= half:
            break

    def theirs() -> tuple[list[bytes], list]:
        before = len(findings.items)
        return books(found[cut:]), findings.items[before:]

    done = forking.in_two(lambda: books(found[:cut]), theirs)
    if done is None:
        return None
    mine, answer = done
    if answer is forking.FAILED:
        return mine + books(found[cut:])
    made, added = answer
    findings.items.extend(added)
    return mine + made


def write(public, pages, site_dir: Path, settings, body_of) -> list[str]:
    written = []
    for book in library(public, settings, body_of):
        target = site_dir / unquote(book.anthology.file)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            data = book.data
        except OSError:  # its kept record gone or cut short since it was read: made again, the same bytes
            data = make(book.anthology, public, settings, body_of, Findings())
        target.write_bytes(data)
        written.append(book.anthology.file)
    return written
