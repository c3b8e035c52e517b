"""exports/partners/SLUG.zip: a manuscript bundle of each public story for partner newsrooms.

    SLUG.docx       the story in Word (python-docx): title, byline, date, source, column, the body with
                    its headings, lists, tables, quotes and notes; pictures are not embedded (newsrooms
                    ask for them apart) but named in place with their captions
    images/NN.jpg   the original pictures (the cover first), as JPEG, turned upright, in sRGB, with no
                    EXIF, GPS, XMP or comment left in them
    captions.txt    one line per picture: its file and its caption
    SLUG.json       the story as IPTC ninjs 3.1 (camelCase keys; pictures as associations with renditions)

Made from the engine's body HTML, like the WeChat package, and from the public view only. The same
content and clock give the same bytes: zip members in a fixed order with the story's date as their
time, and the Word file's own zip and core properties (created, modified) fixed the same way, never
the clock. The Word text keeps each paragraph's plain words in one run where it can, so the
post-build audit, which reads inside the zip and the .docx, finds a title where it is written.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, unquote

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.styles import BabelFish
from lxml import html as lxml_html
from PIL import Image as PILImage, ImageOps

from .. import derived, responsive
from ..body import MARK
from ..drawing import on_white
from ..kinds import ITEM_KINDS
from ..pages.base import summary_of

FOLDER = "exports/partners/"
NINJS_VERSION = "3.1"
NINJS_SCHEMA = "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#"
JPEG_QUALITY = 90  # a newsroom may print it: better than the site's 82
BUNDLES = "newsroom-bundle"  # the cache's kind for whole bundles (derived.cached)
_LIST_STYLES = {"ul": "List Bullet", "ol": "List Number"}
# Every style the Word file names (and, kept with them, the defaults and what they are based on).
WORD_STYLES = ("Title", "Heading 1", "Heading 2", "Heading 3", "Heading 4", "Quote", "Intense Quote", "No Spacing",
               "Caption", "Table Grid", *(f"{name}{depth}" for name in _LIST_STYLES.values() for depth in ("", " 2", " 3")))
# What python-docx's template carries that a partner's Word file should not: a thumbnail of the
# template's own page (a file browser would show it for every story), Word 2010's second copy of the
# styles, and a customXml item.
_DROPPED_PARTS = ("thumbnail", "stylesWithEffects", "customXml")


@dataclass(frozen=True)
class Photo:
    name: str  # images/01.jpg inside the bundle
    source: Path  # the original file
    caption: str
    web: tuple[str, Path] | None  # the site's largest variant (site path, file), for the ninjs rendition


def bundle_path(story) -> str:
    return f"{FOLDER}{quote(story.slug)}.zip"


def _base(settings) -> str:
    return settings.base_url.rstrip("/") + "/" if settings.base_url else ""


def _uri(story, settings) -> str:
    base = _base(settings)
    if base:
        return base + ITEM_KINDS["story"].url(story)
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"unionpress:{settings.site_name}:story:{story.slug}"))


def _originals(settings) -> dict[str, Path]:
    """Variant site path → the original picture it was made from: the body keeps only the variants
    (the originals carry EXIF), and the pipeline knows which file each came from."""
    return responsive.pipeline(settings).sources()


def _photos(story, body, settings) -> list[Photo]:
    """The cover, then each body picture once, in reading order, with their captions."""
    photos: list[Photo] = []
    seen: set[Path] = set()
    cover = getattr(story, "cover", None)
    if cover is not None and cover.path is not None and cover.path.is_file():
        photos.append(Photo(f"images/{len(photos) + 1:02d}.jpg", cover.path, f"封面：{cover.alt}" if cover.alt else "封面",
                            responsive.published(cover, settings, "largest")))
        seen.add(cover.path)
    if "<img" not in (body.html or "").lower():  # no picture in the body: nothing to parse it for (most stories)
        return photos
    originals = _originals(settings)
    assets = dict(body.assets)
    root = lxml_html.fragment_fromstring(body.html or "<p></p>", create_parent="div")
    for img in root.iter("img"):
        src = img.get("src") or ""
        if not src.startswith(MARK):
            continue
        output = unquote(src[len(MARK):])
        original = originals.get(output) or assets.get(output)
        if original is None or original in seen:
            continue
        seen.add(original)
        figure = next((a for a in img.iterancestors() if a.tag == "figure"), None)
        written = next(figure.iter("figcaption"), None) if figure is not None else None
        caption = (" ".join(written.text_content().split()) if written is not None
                   else img.get("title") or img.get("alt") or "")
        largest = max(((o, f) for o, f in body.assets if originals.get(o) == original and o.endswith((".jpg", ".png"))),
                      key=lambda pair: _width(pair[0]), default=None)
        photos.append(Photo(f"images/{len(photos) + 1:02d}.jpg", original, caption, largest))
    return photos


def _width(output: str) -> int:
    stem = output.rsplit("-", 1)[-1].split(".")[0]
    return int(stem) if stem.isdigit() else 0


def clean_jpeg(source: Path) -> tuple[bytes, tuple[int, int]]:
    """The picture as JPEG with nothing but its pixels: upright (the EXIF turn applied), flattened on
    white, and saved without EXIF, ICC, XMP or comments."""
    with PILImage.open(source) as opened:
        picture = on_white(ImageOps.exif_transpose(opened))
    picture.info = {}
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue(), picture.size


# -- Word -----------------------------------------------------------------------------------------------------

class _Word:
    """Body HTML → paragraphs of a python-docx Document."""

    def __init__(self, document, base: str) -> None:
        self.doc = document
        self.base = base
        self.photo_names = {}

    def url(self, href: str) -> str:
        return self.base + href[len(MARK):] if href.startswith(MARK) else href

    def inline(self, paragraph, element, bold=False, italic=False, code=False, superscript=False) -> None:
        """The text of `element` and its inline children as runs (plain words in as few runs as possible)."""
        def run(text: str) -> None:
            if not text:
                return
            piece = paragraph.add_run(text)
            piece.bold, piece.italic = bold or None, italic or None
            if superscript:
                piece.font.superscript = True
            if code:
                piece.font.name = "Courier New"

        run(element.text or "")
        for child in element:
            if not isinstance(child.tag, str):
                run(child.tail or "")
                continue
            tag = child.tag
            if tag == "br":
                paragraph.add_run().add_break()
            elif tag == "img":
                run(f"［图：{child.get('alt') or ''}］")
            elif tag == "a":
                self.inline(paragraph, child, bold, italic, code, superscript)
                href = child.get("href") or ""
                classes = (child.get("class") or "").split()
                if href and not href.startswith("#") and "up-lightbox" not in classes:
                    url = self.url(href)
                    if url != child.text_content().strip():
                        run(f"（{url}）")
            else:
                self.inline(paragraph, child, bold or tag in ("strong", "b"), italic or tag in ("em", "i"),
                            code or tag in ("code", "kbd", "samp"), superscript or tag == "sup")
            run(child.tail or "")

    def block(self, element, quote: bool = False) -> None:
        tag = element.tag
        if not isinstance(tag, str):
            return
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.doc.add_heading(" ".join(element.text_content().split()), level=min(max(int(tag[1]) - 1, 1), 4))
        elif tag == "p":
            paragraph = self.doc.add_paragraph(style="Quote" if quote else None)
            self.inline(paragraph, element)
        elif tag in ("ul", "ol"):
            self.listing(element, 1)
        elif tag == "pre":
            for line in element.text_content().rstrip("\n").split("\n"):
                paragraph = self.doc.add_paragraph(style="No Spacing")
                piece = paragraph.add_run(line.expandtabs(4))
                piece.font.name = "Courier New"
                piece.font.size = Pt(10)
        elif tag == "table":
            self.table(element)
        elif tag == "blockquote":
            for child in element:
                self.block(child, quote=True)
            if (element.text or "").strip():
                self.doc.add_paragraph(element.text.strip(), style="Quote")
        elif tag == "figure":
            caption = next(element.iter("figcaption"), None)
            for img in element.iter("img"):
                self.picture(img, " ".join(caption.text_content().split()) if caption is not None else "")
        elif tag == "div" and "footnote" in (element.get("class") or "").split():
            self.doc.add_heading("注释", level=2)
            for number, li in enumerate(element.iter("li"), start=1):
                for back in list(li.iter("a")):
                    if "footnote-backref" in (back.get("class") or "").split():
                        back.drop_tree()
                paragraph = self.doc.add_paragraph()
                paragraph.add_run(f"{number}. ")
                for child in li:
                    self.inline(paragraph, child)
        elif tag == "hr":
            return
        elif tag in ("div", "section", "details", "article"):
            for child in element:
                self.block(child, quote)
        else:
            paragraph = self.doc.add_paragraph()
            self.inline(paragraph, element)

    def picture(self, img, caption: str) -> None:
        alt = img.get("alt") or ""
        name = self.photo_names.get(img.get("src") or "")
        words = caption or img.get("title") or alt
        where = f"（图片文件：{name}）" if name else ""
        self.doc.add_paragraph(f"［图：{words}］{where}", style="Caption")

    def listing(self, element, depth: int) -> None:
        style = _LIST_STYLES[element.tag] + (f" {depth}" if depth > 1 else "")
        for li in (child for child in element if child.tag == "li"):
            paragraph = self.doc.add_paragraph(style=style if depth <= 3 else _LIST_STYLES[element.tag] + " 3")
            paragraph.add_run(li.text or "")
            for child in li:
                if child.tag in ("ul", "ol"):
                    continue
                if child.tag == "p":
                    self.inline(paragraph, child)
                else:
                    wrapper = lxml_html.Element("span")
                    wrapper.append(child.__copy__())
                    self.inline(paragraph, wrapper)
                    paragraph.add_run(child.tail or "")
            for child in li:
                if child.tag in ("ul", "ol"):
                    self.listing(child, depth + 1)

    def table(self, element) -> None:
        rows = [row for row in element.iter("tr")]
        width = max((len([c for c in row if c.tag in ("td", "th")]) for row in rows), default=0)
        if not rows or not width:
            return
        table = self.doc.add_table(rows=len(rows), cols=width)
        table.style = "Table Grid"
        for r, row in enumerate(rows):
            for c, cell in enumerate(cell for cell in row if cell.tag in ("td", "th")):
                paragraph = table.cell(r, c).paragraphs[0]
                self.inline(paragraph, cell, bold=cell.tag == "th")


@lru_cache(maxsize=1)
def _template() -> bytes:
    """python-docx's template with only what the Word file uses: the styles it names and those they
    need (164 styles and Word's list of its built-in ones were 877 KB unpacked in every bundle, and
    their parsing and writing three quarters of a bundle's time), without the parts _DROPPED_PARTS
    names. Made once per process; Word makes any other style itself when an editor applies it."""
    document = Document()
    for relationships in (document.part.package.rels, document.part.rels):
        for key, relationship in list(relationships.items()):
            if relationship.reltype.rsplit("/", 1)[-1] in _DROPPED_PARTS:
                relationships.pop(key)
    styles = document.styles.element
    by_id = {style.get(qn("w:styleId")): style for style in styles.findall(qn("w:style"))}
    wanted = {BabelFish.ui2internal(name) for name in WORD_STYLES}
    kept = {key for key, style in by_id.items()
            if style.get(qn("w:default")) == "1" or style.find(qn("w:name")).get(qn("w:val")) in wanted}
    todo = list(kept)
    while todo:
        style = by_id[todo.pop()]
        for tag in ("w:basedOn", "w:link", "w:next"):
            reference = style.find(qn(tag))
            other = reference.get(qn("w:val")) if reference is not None else None
            if other in by_id and other not in kept:
                kept.add(other)
                todo.append(other)
    for key, style in by_id.items():
        if key not in kept:
            styles.remove(style)
    for latent in styles.findall(qn("w:latentStyles")):
        styles.remove(latent)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_bytes(story, body, public, settings, photos: list[Photo]) -> bytes:
    document = Document(io.BytesIO(_template()))
    when = story.date.astimezone(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    properties = document.core_properties
    properties.title = story.title
    properties.author = "、".join(story.authors) or settings.site_name
    properties.last_modified_by = settings.site_name
    properties.created = when
    properties.modified = when
    properties.last_printed = when
    properties.revision = 1
    properties.language = "zh-CN"
    properties.subject = ""
    properties.comments = ""
    properties.keywords = "、".join(story.tags)
    document.add_heading(story.title, level=0)
    column = public.first(story, "column")
    facts = [("作者", "、".join(story.authors)), ("日期", f"{story.date.year}年{story.date.month}月{story.date.day}日 {story.date:%H:%M}"), ("来源", story.origin),
             ("栏目", column.name if column is not None else ""), ("原文", _uri(story, settings) if _base(settings) else "")]
    for label, value in facts:
        if value:
            document.add_paragraph(f"{label}：{value}")
    summary = summary_of(story)
    if summary:
        document.add_paragraph(f"摘要：{summary}", style="Intense Quote")
    word = _Word(document, _base(settings) or settings.site_path)
    # Each picture's name in the bundle, by the variant the body shows (any of its sizes).
    originals = _originals(settings)
    by_source = {photo.source: photo.name for photo in photos}
    for output, _file in body.assets:
        original = originals.get(output)
        if original in by_source:
            word.photo_names[MARK + output] = by_source[original]
    root = lxml_html.fragment_fromstring(body.html or "<p></p>", create_parent="div")
    for img in root.iter("img"):  # the shown src is the 640 px variant: name the bundle's file by it
        src = img.get("src") or ""
        if src.startswith(MARK) and src not in word.photo_names:
            original = originals.get(unquote(src[len(MARK):]))
            if original in by_source:
                word.photo_names[src] = by_source[original]
    for element in list(root.iter("img")):  # pictures outside a figure: a caption paragraph of their own
        if not any(a.tag == "figure" for a in element.iterancestors()):
            figure = lxml_html.Element("figure")
            holder = element.getparent()
            tail = element.tail
            element.tail = None
            holder.replace(element, figure)
            figure.append(element)
            figure.tail = tail
    for element in root:
        if element.tag == "p" and len(element) == 1 and element[0].tag == "figure" and not (element.text or "").strip():
            word.block(element[0])
        elif element.tag == "p" and any(child.tag == "figure" for child in element):
            for child in element:
                if child.tag == "figure":
                    word.block(child)
            text_only = lxml_html.fragment_fromstring(lxml_html.tostring(element, encoding="unicode"))
            for figure in list(text_only.iter("figure")):
                figure.drop_tree()
            if text_only.text_content().strip():
                word.block(text_only)
        else:
            word.block(element)
    raw = io.BytesIO()
    document.save(raw)
    return _repack(raw.getvalue(), story.date)


def _stamp(when: dt.datetime) -> tuple:
    stamp = when.astimezone(dt.timezone.utc).timetuple()[:6]
    return max(stamp, (1980, 1, 1, 0, 0, 0))  # zip dates start in 1980


def _repack(data: bytes, when: dt.datetime) -> bytes:
    """The same zip with every member dated `when` (python-docx dates them now), in its own order."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, _stamp(when))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.create_system = 3
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info))
    return out.getvalue()


# -- ninjs ------------------------------------------------------------------------------------------------------

def _iso(when: dt.datetime) -> str:
    return when.isoformat(timespec="seconds")


def ninjs(story, body, public, settings, photos: list[tuple[Photo, bytes, tuple[int, int]]]) -> dict:
    base = _base(settings)
    column = public.first(story, "column")
    html_body = body.absolute(base) if base else body.at(ITEM_KINDS["story"].url(story))
    text = " ".join(lxml_html.fragment_fromstring(html_body or "<p></p>", create_parent="div").text_content().split())
    subjects = []
    if column is not None:
        subjects.append({"name": column.name, "rel": "column", "literal": f"column:{column.key}"})
    subjects += [{"name": topic.name, "rel": "topic", "literal": f"topic:{topic.key}"} for topic in public.refs(story, "topics")]
    subjects += [{"name": tag, "rel": "tag", "literal": f"tag:{tag}"} for tag in story.tags]
    document = {
        "uri": _uri(story, settings),
        "standard": {"name": "ninjs", "version": NINJS_VERSION, "schema": NINJS_SCHEMA},
        "type": "text",
        "version": "1",
        "firstCreated": _iso(story.date),
        "versionCreated": _iso(story.date),
        "pubStatus": "usable",
        "language": "zh-CN",
        "headlines": [{"value": story.title}],
        "slugline": story.slug,
        "bodies": [{"role": "main", "contentType": "text/html", "value": html_body, "charCount": len(text)},
                   {"role": "main", "contentType": "text/plain", "value": text, "charCount": len(text)}],
    }
    summary = summary_of(story)
    if summary:
        document["descriptions"] = [{"role": "summary", "contentType": "text/plain", "value": summary}]
    if story.authors:
        document["by"] = "、".join(story.authors)
        document["people"] = [{"name": name, "rel": "author"} for name in story.authors]
    if subjects:
        document["subjects"] = subjects
    if story.genre:
        document["genres"] = [{"name": story.genre}]
    sources = [{"name": settings.site_name, "role": "publisher", **({"uri": base} if base else {})}]
    if story.origin:
        sources.append({"name": story.origin, "role": "originator"})
    document["infoSources"] = sources
    if settings.copyright:
        document["copyrightNotice"] = settings.copyright
    associations = []
    for number, (photo, data, size) in enumerate(photos, start=1):
        renditions = [{"name": "original", "title": photo.name, "contentType": "image/jpeg", "width": size[0],
                       "height": size[1], "sizeInBytes": len(data)}]
        if photo.web is not None and base:
            with PILImage.open(photo.web[1]) as opened:
                width, height = opened.size
            renditions.append({"name": "web", "href": base + quote(photo.web[0], safe="/"),
                               "contentType": "image/png" if photo.web[0].endswith(".png") else "image/jpeg",
                               "width": width, "height": height, "sizeInBytes": photo.web[1].stat().st_size})
        association = {"name": f"picture{number}", "rel": "picture",
                       "uri": f"{document['uri']}#picture{number}", "type": "picture", "renditions": renditions}
        if photo.caption:
            association["descriptions"] = [{"role": "caption", "value": photo.caption}]
        associations.append(association)
    if associations:
        document["associations"] = associations
    return document


# -- the bundle ---------------------------------------------------------------------------------------------------

def bundle(story, body, public, settings) -> bytes:
    photos = _photos(story, body, settings)
    made = []
    for photo in photos:
        # Kept between builds (cache/derived): an original is decoded and encoded at full size.
        key = derived.key(Path(__file__), ["original", derived.file_digest(photo.source)], ("pillow",))
        try:
            data = derived.cached(settings.cache_dir, "newsroom", key, lambda: clean_jpeg(photo.source)[0])
            with PILImage.open(io.BytesIO(data)) as opened:
                size = opened.size
        except (OSError, ValueError, PILImage.DecompressionBombError):
            continue  # the checks report a broken picture; the bundle goes without it
        made.append((photo, data, size))
    kept = [photo for photo, _data, _size in made]
    column = public.first(story, "column")
    # Everything the Word file is made from: the whole story (its frozen repr), its body, the pictures
    # and which variant stands for which, the settings it prints.
    originals, assets = _originals(settings), dict(body.assets)  # per story: the body's few, not the site's all
    key = derived.key(Path(__file__), ["docx", repr(story), body.html, [list(pair) for pair in body.assets],
                                       repr(kept), sorted((o, str(originals[o])) for o in assets if o in originals),
                                       settings.base_url, settings.site_path, settings.site_name,
                                       column.name if column is not None else "", summary_of(story)],
                      ("python-docx", "lxml"))
    members = {f"{story.slug}.docx": derived.cached(settings.cache_dir, "newsroom", key,
                                                    lambda: docx_bytes(story, body, public, settings, kept))}
    for photo, data, _size in made:
        members[photo.name] = data
    captions = "".join(f"{photo.name}\t{photo.caption}\n" for photo in kept)
    members["captions.txt"] = ("图片说明（文件名<TAB>说明）\n" + captions).encode("utf-8")
    members[f"{story.slug}.json"] = (json.dumps(ninjs(story, body, public, settings, made), ensure_ascii=False,
                                                indent=2, sort_keys=True) + "\n").encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, _stamp(story.date))
            info.compress_type = zipfile.ZIP_STORED if name.endswith((".jpg", ".docx")) else zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, members[name])
    return out.getvalue()


BUNDLE_LIBRARIES = ("python-docx", "lxml", "pillow")


def bundle_key(story, body, public, settings, settings_print) -> str:
    """The name of a story's whole bundle in the cache: everything `bundle` reads. The story and its
    body field by field, its photos (which originals, captions and web variants) with the bytes of
    every file involved, the variants' originals, the column and topics it names (all it reads from
    the public view), the settings but the clock (`bundle` is made with a clockless copy), the
    engine's code and the libraries' versions."""
    photos = _photos(story, body, settings)
    originals = _originals(settings)
    column = public.first(story, "column")
    return derived.key(Path(__file__), [
        "bundle", derived.item_print(story, body),
        [[derived.stable(photo), derived.file_digest(photo.source),
          derived.file_digest(photo.web[1]) if photo.web is not None else ""] for photo in photos],
        sorted((output, str(originals[output])) for output, _file in body.assets if output in originals),
        [column.name, column.key] if column is not None else None,
        [[topic.name, topic.key] for topic in public.refs(story, "topics")], settings_print,
    ], BUNDLE_LIBRARIES)


def write(public, pages, site_dir: Path, settings, body_of) -> list[str]:
    """Every bundle, each kept whole in the cache between builds: made again only when something it
    is made from changed (the Word text, the ninjs and two zips cost about 1 ms a story)."""
    settings = derived.clockless(settings)
    settings_print = derived.settings_print(settings)
    paths, units = [], []
    for story in public.latest("story"):
        body = body_of(story)
        path = bundle_path(story)
        file = unquote(path)  # the path on disk (the site path is percent-encoded)
        paths.append(path)
        units.append((file, bundle_key(story, body, public, settings, settings_print),
                      lambda file=file, story=story, body=body: {file: bundle(story, body, public, settings)}))
    _template()  # made here once, not in each forked worker
    derived.place(site_dir, "newsroom", settings.cache_dir, BUNDLES, units, processes=True)  # python-docx holds the GIL
    return paths
