"""exports/wechat/SLUG/: a WeChat official-account (公众号) package of each public story.

    article.html        the body as WeChat's editor keeps it (图文消息), every style inline
    content.txt         instead of article.html for a picture message (wechat.type: newspic, 图片消息)
    meta.json           title, author, digest, 阅读原文 URL, comment settings, cover crops, pictures, limits
    cover.jpg           the cover as uploaded (add_material); the crops below are also given as
                        X1_Y1_X2_Y2 fractions of it (pic_crop_235_1, pic_crop_1_1)
    cover-2.35x1.jpg    the cover cropped to 2.35:1 around cover_focus (default the centre)
    cover-1x1.jpg       the same, 1:1
    images/NNN.jpg|png  every body picture, JPEG or PNG under 1 MB (media/uploadimg's limit)
    preview.html        the article at 677 px as a phone shows it, with 「复制到公众号」 for pasting

Made from the engine's body HTML (body.py: one Markdown pass, links already resolved), never from the
Markdown again; from the public view only, like every output. WeChat's rules (see DOMAIN.md): only
inline styles survive; no font-family, !important or position; nothing wider than its 677 px column;
pure black text is dropped; links other than to mp.weixin.qq.com articles are removed, so they become
numbered references (文字[1] and a 「参考链接」 list); lists nest badly and code loses its spaces, so both
are flattened into paragraphs here. The theme is a stylesheet (pages/templates/wechat_theme.css)
inlined by css-inline, then every declaration passes `_declarations`, which enforces those rules
whatever the theme says. The same content and clock give the same bytes.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import css_inline
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from lxml import etree, html as lxml_html
from PIL import Image as PILImage, ImageDraw, ImageOps

from .. import derived, responsive
from ..body import MARK
from ..drawing import cjk_font, on_white, wrap
from ..images import pixel_size
from ..kinds import ITEM_KINDS
from ..pages.base import TEMPLATES, summary_of

FOLDER = "exports/wechat/"
COLUMN_PX = 677  # WeChat's article column
# draft/add's limits (characters), and the body's: content under 20,000 characters and under 1 MB.
LIMITS = {"title": 32, "author": 16, "digest": 128}
CONTENT_CHARS = 20_000
CONTENT_BYTES = 1_000_000
IMAGE_BYTES = 1_000_000  # media/uploadimg: jpg/png "under 1 MB"; the decimal megabyte is the safe reading
NEWSPIC_PICTURES = 20
PACKAGES = "wechat-package"  # the cache's kind for whole packages (derived.cached)
_FONTS = threading.Lock()
CROPS = {"2.35x1": (2.35, (900, 383)), "1x1": (1.0, (600, 600))}  # name → (aspect, largest size)
DEFAULT_COLOR = "#b71c1c"  # the site's --up-red when the union sets no colour
MP_HOSTS = ("mp.weixin.qq.com",)
FORBIDDEN_PROPERTIES = frozenset({"font-family", "position", "font", "z-index", "float"})
LINE_HEIGHT_MIN = 1.6
BLACK = re.compile(r"^(#000(000)?|black|rgba?\(\s*0\s*,\s*0\s*,\s*0\s*(,\s*1(\.0+)?\s*)?\))$", re.I)
_PX = re.compile(r"(-?\d+(?:\.\d+)?)px")
# What the package's HTML may hold: WeChat keeps these; anything else becomes a section or a span.
BLOCKS = frozenset({"section", "p", "h2", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "hr"})
INLINES = frozenset({"span", "strong", "em", "b", "i", "u", "s", "sup", "sub", "br", "a", "img"})
_BLOCKISH = frozenset({"div", "article", "aside", "header", "footer", "main", "nav", "figure", "details", "dl",
                       "blockquote", "ul", "ol", "li", "dd", "dt", "pre", "h1", "h5", "h6", "summary", "caption",
                       "tfoot", "colgroup", "col", "address", "figcaption"})
_DROPPED = ("script", "style", "template", "noscript", "source", "track", "object", "embed", "math", "svg", "form",
            "input", "button", "select", "textarea", "iframe", "video", "audio", "canvas")
_MARKERS = ("•", "◦", "▪")  # bullets by depth, the last one repeats


@dataclass(frozen=True)
class Field:
    """One of draft/add's limited fields as this story gives it: its value, where it comes from (the
    front-matter key an editor changes), its limit."""

    name: str  # title | author | digest
    value: str
    key: str  # the front-matter key it was read from: wechat, title, authors, summary (or the body)
    limit: int

    @property
    def over(self) -> bool:
        return len(self.value) > self.limit


def fields(story) -> tuple[Field, ...]:
    """title, author, digest as WeChat gets them: the `wechat:` override, else the story's own."""
    own = story.wechat or {}
    title = own.get("title") or story.title
    author = own.get("author") or "、".join(story.authors)
    digest = own.get("digest") or summary_of(story)
    return (Field("title", title, "wechat" if own.get("title") else "title", LIMITS["title"]),
            Field("author", author, "wechat" if own.get("author") else "authors", LIMITS["author"]),
            Field("digest", digest, "wechat" if own.get("digest") else ("summary" if story.summary else "body"),
                  LIMITS["digest"]))


def is_newspic(story) -> bool:
    return (story.wechat or {}).get("type") == "newspic"


# -- the article --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Picture:
    name: str  # images/001.jpg inside the package
    file: Path  # the pipeline's variant it is made from (no metadata, at most 1280 px)
    alt: str


@dataclass(frozen=True)
class Article:
    html: str  # article.html
    text: str  # plain text: a picture message's content
    references: tuple[str, ...]  # 参考链接, numbered from 1
    pictures: tuple[Picture, ...]


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def color_of(settings) -> str:
    return (settings.wechat or {}).get("color") or settings.colors.get("masthead") or DEFAULT_COLOR


def _tint(color: str, share: float = 0.08) -> str:
    """The colour mixed into white (a quote's background): light, so WeChat's dark mode darkens it."""
    rgb = [int(color[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - (255 - c) * share):02x}" for c in rgb)


def _theme(settings) -> str:
    color = color_of(settings)
    css = _env().get_template("wechat_theme.css").render(color=color, tint=_tint(color))
    # A list item's depth is its indent (a hanging one, so the marker stands out): WeChat's own lists
    # nest badly, so nested items are paragraphs indented by depth.
    return css + "".join(f"\n.wx .wx-depth-{depth} {{ padding-left: {1.4 * depth:.1f}em; text-indent: -1.4em; }}"
                         for depth in range(1, 9))


_ENV: list[Environment] = []


def _env() -> Environment:
    if not _ENV:
        _ENV.append(Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                                trim_blocks=True, lstrip_blocks=True))
    return _ENV[0]


class _Builder:
    """One story's body HTML → WeChat's HTML: links, lists, code, tables, pictures, quotes, notes."""

    def __init__(self, story, body, public, settings) -> None:
        self.story, self.body, self.settings = story, body, settings
        column = public.first(story, "column")
        self.column = column.name if column is not None else ""
        self.base = settings.base_url.rstrip("/") + "/" if settings.base_url else settings.site_path
        self.assets = dict(body.assets)
        self.references: list[str] = []
        self.pictures: dict[Path, Picture] = {}

    # links ----------------------------------------------------------------------------------------------
    def _reference(self, url: str) -> int:
        if url not in self.references:
            self.references.append(url)
        return self.references.index(url) + 1

    def _outside_picture(self, img) -> None:
        """A picture from elsewhere: WeChat filters outside pictures, so the text says where it is."""
        note = lxml_html.Element("span")
        note.text = f"［图片：{img.get('alt') or '未命名'}］"
        src = img.get("src") or ""
        if src.startswith(("http://", "https://")):
            mark = etree.SubElement(note, "sup")
            mark.set("class", "wx-ref")
            mark.text = f"[{self._reference(src)}]"
        note.tail = img.tail
        img.getparent().replace(img, note)

    def _links(self, root) -> None:
        """Links and outside pictures in reading order, so the references are numbered as they are read."""
        for a in list(root.iter("a", "img")):
            if a.tag == "img":
                if not (a.get("src") or "").startswith(MARK):
                    self._outside_picture(a)
                continue
            classes = (a.get("class") or "").split()
            if "footnote-backref" in classes:  # ↩ back to the text: nothing to go back to in WeChat
                if a.getprevious() is None:
                    parent = a.getparent()
                    parent.text = (parent.text or "").rstrip("\u00a0 ")
                else:
                    a.getprevious().tail = (a.getprevious().tail or "").rstrip("\u00a0 ")
                _remove(a)
                continue
            if "footnote-ref" in classes:
                a.text = f"注{a.text_content()}"
                _unwrap(a)
                continue
            href = (a.get("href") or "").strip()
            if "up-lightbox" in classes or not href or href.startswith("#"):
                _unwrap(a)  # the page's zoom, an in-page jump: nothing to follow in WeChat
                continue
            if href.startswith(MARK):
                url = self.base + href[len(MARK):]  # our own site: its page, by its full address
            else:
                url = href
            parts = urlsplit(url)
            if parts.scheme in ("http", "https") and (parts.hostname or "") in MP_HOSTS:
                for name in list(a.attrib):
                    if name != "href":
                        del a.attrib[name]
                continue  # a WeChat article: the one kind of link WeChat keeps
            number = self._reference(url)
            mark = lxml_html.Element("sup")
            mark.set("class", "wx-ref")
            mark.text = f"[{number}]"
            mark.tail = a.tail
            a.tail = None
            a.addnext(mark)
            _unwrap(a)

    # pictures -------------------------------------------------------------------------------------------
    def _picture(self, img) -> Picture | None:
        src = img.get("src") or ""
        if not src.startswith(MARK):
            return None
        candidates = [c.split() for c in (img.get("srcset") or "").split(",") if c.strip()]
        if candidates:  # the widest fallback (≤ 1280 px), never WebP
            src = max(candidates, key=lambda c: int(c[1].rstrip("w")) if len(c) > 1 and c[1][:-1].isdigit() else 0)[0]
        file = self.assets.get(unquote(src[len(MARK):]))
        if file is None:
            return None
        if file not in self.pictures:
            number = len(self.pictures) + 1
            self.pictures[file] = Picture(f"images/{number:03d}", file, img.get("alt") or "")
        return self.pictures[file]

    def _pictures(self, root) -> None:
        for picture in list(root.iter("picture")):
            img = next(picture.iter("img"), None)
            if img is None:
                _remove(picture)
                continue
            img.tail = (img.tail or "") + (picture.tail or "")
            picture.tail = None
            picture.getparent().replace(picture, img)
        for img in list(root.iter("img")):
            found = self._picture(img)
            alt, title = img.get("alt") or "", img.get("title") or ""
            if found is None:  # outside pictures went with the links; this one's file is not in the body's
                self._outside_picture(img)
                continue
            size = pixel_size(found.file) or (0, 0)
            tail = img.tail
            img.attrib.clear()
            img.set("src", found.name)  # completed with its extension when the file is made
            img.set("alt", alt)
            img.set("data-w", str(size[0]))
            if size[0]:
                img.set("data-ratio", f"{size[1] / size[0]:.4f}")
            # A picture is a block of its own with its caption under it: the body's <figure> (a picture
            # with a Markdown title), else a section made here around it.
            figure = next((a for a in img.iterancestors() if a.tag == "figure"), None)
            if figure is not None:
                figure.tag = "section"
                figure.attrib.clear()
                figure.set("class", "wx-figure")
                for caption in figure.iter("figcaption"):
                    caption.tag = "p"
                    caption.attrib.clear()
                    caption.set("class", "wx-caption")
                continue
            figure = lxml_html.Element("section")
            figure.set("class", "wx-figure")
            holder = img.getparent()
            img.tail = None
            holder.replace(img, figure)
            figure.append(img)
            if title:
                caption = etree.SubElement(figure, "p")
                caption.set("class", "wx-caption")
                caption.text = title
            figure.tail = tail
            if holder.tag == "p":  # a <section> may not sit inside a <p>: the paragraph splits around it
                _lift(figure)

    # lists ----------------------------------------------------------------------------------------------
    def _list_items(self, listing, depth: int, out: list) -> None:
        ordered = listing.tag == "ol"
        start = int(listing.get("start") or 1) if (listing.get("start") or "1").isdigit() else 1
        for number, li in enumerate((c for c in listing if c.tag == "li"), start=start):
            line = lxml_html.Element("p")
            line.set("class", f"wx-li wx-depth-{depth}")
            marker = etree.SubElement(line, "span")
            marker.set("class", "wx-marker")
            marker.text = (f"{number}." if depth == 1 else f"{number})") if ordered else _MARKERS[min(depth, 3) - 1]
            marker.tail = "\u00a0" + (li.text or "").lstrip()
            nested = []
            for child in list(li):
                if child.tag in ("ul", "ol"):
                    nested.append(child)
                    continue
                if child.tag == "p":  # a loose list's paragraphs: one line, a break between them
                    if len(line) > 1 or (line[-1].tail or "").strip():
                        line.append(lxml_html.Element("br"))
                    _append_text(line, child.text)
                    for inner in list(child):
                        line.append(inner)
                    _append_text(line, child.tail)
                else:
                    line.append(child)
            out.append(line)
            for inner in nested:
                self._list_items(inner, depth + 1, out)

    def _lists(self, root) -> None:
        for listing in [e for e in root.iter("ul", "ol") if not any(a.tag in ("ul", "ol") for a in e.iterancestors())]:
            lines: list = []
            self._list_items(listing, 1, lines)
            block = lxml_html.Element("section")
            block.set("class", "wx-list")
            block.extend(lines)
            block.tail = listing.tail
            listing.getparent().replace(listing, block)

    # code, tables, quotes, notes ------------------------------------------------------------------------------
    @staticmethod
    def _code(root) -> None:
        for pre in list(root.iter("pre")):
            text = pre.text_content().expandtabs(4).rstrip("\n")
            block = lxml_html.Element("section")
            block.set("class", "wx-code")
            for line in text.split("\n"):
                row = etree.SubElement(block, "p")
                row.set("class", "wx-code-line")
                if line:
                    row.text = line.replace(" ", "\u00a0")  # WeChat collapses spaces; these it keeps
                else:
                    row.append(lxml_html.Element("br"))
            block.tail = pre.tail
            pre.getparent().replace(pre, block)
        for code in list(root.iter("code", "kbd", "samp", "tt")):
            code.tag = "span"
            code.attrib.clear()
            code.set("class", "wx-code-inline")

    @staticmethod
    def _tables(root) -> None:
        for table in list(root.iter("table")):
            wrap = lxml_html.Element("section")
            wrap.set("class", "wx-table")  # scrolls sideways on a phone instead of squeezing the columns
            wrap.tail, table.tail = table.tail, None
            table.getparent().replace(table, wrap)
            wrap.append(table)
            for cell in table.iter("th", "td"):
                for name in [n for n in cell.attrib if n not in ("colspan", "rowspan")]:
                    del cell.attrib[name]

    @staticmethod
    def _quotes(root) -> None:
        for quote in list(root.iter("blockquote")):
            quote.tag = "section"
            quote.attrib.clear()
            quote.set("class", "wx-quote")

    @staticmethod
    def _notes(root) -> None:
        for notes in [e for e in root.iter("div") if "footnote" in (e.get("class") or "").split()]:
            notes.tag = "section"
            notes.attrib.clear()
            notes.set("class", "wx-notes")
            for rule in list(notes.iter("hr")):
                _remove(rule)
            heading = lxml_html.Element("p")
            heading.set("class", "wx-heading")
            heading.text = "注释"
            notes.insert(0, heading)
            for listing in list(notes.iter("ol")):
                lines = []
                for number, li in enumerate((c for c in listing if c.tag == "li"), start=1):
                    line = lxml_html.Element("p")
                    line.text = f"注{number}：" + (li.text or "").strip()
                    for child in list(li):
                        if child.tag == "p":
                            _append_text(line, child.text)
                            line.extend(list(child))
                            _append_text(line, child.tail)
                        else:
                            line.append(child)
                    lines.append(line)
                for line in reversed(lines):
                    listing.addnext(line)
                _remove(listing)

    # the whole ---------------------------------------------------------------------------------------------
    def build(self) -> tuple[str, str]:
        root = lxml_html.fragment_fromstring(self.body.html or "<p></p>", create_parent="div")
        for element in list(root.iter(*_DROPPED)):
            if element.tag in ("iframe", "video", "audio"):  # a player: WeChat allows none from elsewhere
                note = lxml_html.Element("p")
                note.text = "（此处有视频或音频，请点击文末「阅读原文」在网站上观看。）"
                note.tail = element.tail
                element.getparent().replace(element, note)
            elif element.tag in ("source", "track"):
                _unwrap(element)  # libxml2's HTML parser knows no void <source>: the <img> after it is inside
            else:
                _remove(element)
        self._notes(root)  # before the links: the ↩ links go, the note numbers stay
        self._links(root)
        self._pictures(root)
        self._code(root)
        self._lists(root)
        self._tables(root)
        self._quotes(root)
        for figure in list(root.iter("figure")):  # figures around no picture of ours (one from elsewhere)
            figure.tag = "section"
            figure.attrib.clear()
            figure.set("class", "wx-figure")
        for caption in list(root.iter("figcaption")):
            caption.tag = "p"
            caption.attrib.clear()
            caption.set("class", "wx-caption")
        for heading in root.iter("h1", "h2", "h3", "h4", "h5", "h6"):
            heading.tag = {"h1": "h2", "h5": "h4", "h6": "h4"}.get(heading.tag, heading.tag)
        text = _plain(root)
        wrapper = lxml_html.Element("section")
        wrapper.set("class", "wx")
        bar = etree.SubElement(wrapper, "section")
        bar.set("class", "wx-bar")
        bar.text = " · ".join(filter(None, (self.settings.site_name, self.column)))
        wrapper.text = None
        if root.text and root.text.strip():
            lead = etree.SubElement(wrapper, "p")
            lead.text = root.text
        wrapper.extend(list(root))
        if self.references:
            refs = etree.SubElement(wrapper, "section")
            refs.set("class", "wx-refs")
            heading = etree.SubElement(refs, "p")
            heading.set("class", "wx-heading")
            heading.text = "参考链接"
            for number, url in enumerate(self.references, start=1):
                line = etree.SubElement(refs, "p")
                line.text = f"[{number}] {url}"
        end = etree.SubElement(wrapper, "p")
        end.set("class", "wx-end")
        end.text = f"本文来源：{self.settings.site_name}　点击「阅读原文」查看网站原文"
        _normalise(wrapper)
        markup = lxml_html.tostring(wrapper, encoding="unicode")
        inlined = css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=False).inline_fragment(
            markup, _theme(self.settings))
        return _scrub(inlined), text


def _append_text(element, text: str | None) -> None:
    if not text:
        return
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


def _remove(element) -> None:
    """Take an element out and keep its tail text."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _unwrap(element) -> None:
    """Replace an element by its content (text and children), keeping its tail."""
    parent = element.getparent()
    if parent is None:
        return
    at = parent.index(element)
    children = list(element)
    text, tail = element.text or "", element.tail or ""
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + text
    else:
        parent.text = (parent.text or "") + text
    parent.remove(element)
    for offset, child in enumerate(children):
        parent.insert(at + offset, child)
    if children:
        children[-1].tail = (children[-1].tail or "") + tail
    elif previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail


def _lift(block) -> None:
    """A block inside a <p>: the paragraph is split so the block stands between its two halves."""
    paragraph = block.getparent()
    after = lxml_html.Element("p")
    after.text = block.tail
    block.tail = None
    for sibling in list(block.itersiblings()):
        after.append(sibling)
    paragraph.addnext(block)
    block.addnext(after)
    for half in (paragraph, after):
        if not (half.text or "").strip() and len(half) == 0:
            _remove(half)
    block.tail = None


def _normalise(root) -> None:
    """Only what WeChat keeps: other block elements become sections, other inline ones spans; no ids,
    no attributes but the few that mean something there."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag not in BLOCKS | INLINES:
            element.tag = "section" if element.tag in _BLOCKISH else "span"
        keep = {"img": ("src", "alt", "data-w", "data-ratio"), "a": ("href",), "th": ("colspan", "rowspan"),
                "td": ("colspan", "rowspan")}.get(element.tag, ())
        for name in list(element.attrib):
            if name not in keep and name not in ("class", "style"):
                del element.attrib[name]
    for comment in [c for c in root.iter() if not isinstance(c.tag, str)]:
        _remove(comment)
    for element in root.iter():  # a line break inside Chinese text is no space: WeChat would show one
        if not isinstance(element.tag, str) or "wx-code-line" in (element.get("class") or ""):
            continue
        element.text = _joined(element.text)
        element.tail = _joined(element.tail)


_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\u201c\u201d\u2018\u2019\u2014\u2026"
_BREAK = re.compile(f"[ \t]*\n[ \t]*(?=[{_CJK}])|(?<=[{_CJK}])[ \t]*\n[ \t]*")


def _joined(text: str | None) -> str | None:
    return _BREAK.sub("", text) if text and "\n" in text else text


def _declarations(style: str) -> str:
    """An inline style as WeChat keeps it (see the module's docstring)."""
    kept: dict[str, str] = {}
    for declaration in style.split(";"):
        name, _, value = declaration.partition(":")
        name, value = name.strip().lower(), value.strip()
        if not name or not value or "!important" in value.lower() or name in FORBIDDEN_PROPERTIES:
            continue
        if name in ("width", "min-width", "max-width", "left", "right", "margin-left", "margin-right") and any(
                float(px) > COLUMN_PX for px in _PX.findall(value)):
            continue
        if name == "color" and BLACK.match(value):
            value = "#333333"
        if name == "line-height":
            try:
                if float(value) < LINE_HEIGHT_MIN:
                    value = str(LINE_HEIGHT_MIN)
            except ValueError:
                value = "1.75"  # px or % line heights: WeChat's size is the reader's; a factor follows it
        kept[name] = value
    return ";".join(f"{name}:{value}" for name, value in kept.items())


def _scrub(markup: str) -> str:
    """After inlining: no class or id, every style through `_declarations`."""
    root = lxml_html.fragment_fromstring(markup)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        element.attrib.pop("class", None)
        element.attrib.pop("id", None)
        if element.get("style") is not None:
            cleaned = _declarations(element.get("style"))
            if cleaned:
                element.set("style", cleaned)
            else:
                del element.attrib["style"]
    return lxml_html.tostring(root, encoding="unicode")


def _plain(root) -> str:
    """The body as plain text (a picture message's content), one line per block."""
    lines = []
    for element in root.iter("p", "h2", "h3", "h4", "tr", "section"):
        if element.tag == "section" and element.get("class") not in ("wx-quote",):
            continue
        if element.tag == "p" and any(a.tag == "section" and a.get("class") == "wx-quote" for a in element.iterancestors()):
            continue
        if element.get("class") == "wx-caption":
            continue  # a picture message shows its pictures apart: their captions would be stray lines
        text = " ".join(element.text_content().split()) if element.tag != "tr" else " | ".join(
            " ".join(cell.text_content().split()) for cell in element)
        text = text.replace("\u00a0", " ")
        if text:
            lines.append(text)
    return "\n\n".join(lines)


ARTICLE_LIBRARIES = ("css-inline", "lxml", "pillow", "jinja2")
_PRINTED: list = []  # (settings, their print) of the settings last asked about: one print per build, not per story


def _settings_print(settings) -> object:
    if not _PRINTED or _PRINTED[0][0] is not settings:
        _PRINTED[:] = [(settings, derived.settings_print(settings))]
    return _PRINTED[0][1]


def article(story, body, public, settings) -> Article:
    """The story as WeChat gets it, kept in the cache by everything it is made from: the WeChat checks
    (checks/wechat.py) ask for every published story's on every build, the package again. The key
    holds the story and its body field by field, the bytes of the files the body names (a picture's
    size decides its width), the column's name (all it reads from the public view), the settings but
    the clock (made with a clockless copy, it cannot read it), the theme, the engine's code and the
    libraries' versions."""
    column = public.first(story, "column")
    key = derived.key(Path(__file__), [
        "article", derived.item_print(story, body), column.name if column is not None else None,
        _settings_print(settings), hashlib.sha256((TEMPLATES / "wechat_theme.css").read_bytes()).hexdigest(),
    ], ARTICLE_LIBRARIES)
    record = json.loads(derived.cached(settings.cache_dir, "wechat-article", key, lambda: _article_record(
        _article(story, body, public, derived.clockless(settings)))))
    return Article(record["html"], record["text"], tuple(record["references"]),
                   tuple(Picture(name, Path(file), alt) for name, file, alt in record["pictures"]))


def _article_record(made: Article) -> bytes:
    return json.dumps({"html": made.html, "text": made.text, "references": list(made.references),
                       "pictures": [[p.name, str(p.file), p.alt] for p in made.pictures]},
                      ensure_ascii=False).encode("utf-8")


def _article(story, body, public, settings) -> Article:
    builder = _Builder(story, body, public, settings)
    markup, text = builder.build()
    if builder.references:
        text += "\n\n参考链接\n" + "\n".join(f"[{n}] {url}" for n, url in enumerate(builder.references, start=1))
    return Article(markup, text, tuple(builder.references), tuple(builder.pictures.values()))


# -- pictures ------------------------------------------------------------------------------------------------

def under_limit(file: Path, limit: int = IMAGE_BYTES) -> tuple[bytes, str]:
    """A picture as JPEG or PNG under `limit` bytes, and its extension: the file as it is when it
    already is one, else re-encoded (quality first, then size), never with metadata."""
    data = file.read_bytes()
    suffix = file.suffix.lower().lstrip(".")
    if suffix in ("jpg", "jpeg", "png") and len(data) < limit:
        return data, "png" if suffix == "png" else "jpg"
    with PILImage.open(io.BytesIO(data)) as opened:
        frame = opened.convert("RGBA") if _clear(opened) else opened.convert("RGB")
    return encode_under(frame, limit)


def _clear(opened) -> bool:
    return opened.mode in ("RGBA", "LA", "PA") or "transparency" in opened.info


def encode_under(frame, limit: int = IMAGE_BYTES) -> tuple[bytes, str]:
    kind = "png" if frame.mode == "RGBA" else "jpg"
    while True:
        for quality in ((82, 72, 62) if kind == "jpg" else (None,)):
            out = io.BytesIO()
            if kind == "jpg":
                # Not progressive: WeChat encodes what it is given again, so the reader never sees
                # these bytes load, and a progressive encode costs 2.6× an optimised baseline one
                # (8 % smaller), a third of a package's time.
                frame.save(out, "JPEG", quality=quality, optimize=True)
            else:
                frame.save(out, "PNG", optimize=True)
            if out.tell() < limit:
                return out.getvalue(), kind
        if frame.width <= 64:
            return out.getvalue(), kind  # cannot happen for a real picture: 64 px noise is a few kB
        frame = frame.resize((max(1, round(frame.width * 0.8)), max(1, round(frame.height * 0.8))),
                             PILImage.Resampling.LANCZOS)


def crop_box(size: tuple[int, int], aspect: float, focus: tuple[float, float] | None) -> tuple[int, int, int, int]:
    """The largest box of this aspect inside the picture, centred on the focus as far as the edges allow."""
    width, height = size
    if width / height > aspect:
        box_w, box_h = max(1, round(height * aspect)), height
    else:
        box_w, box_h = width, max(1, round(width / aspect))
    fx, fy = focus or (0.5, 0.5)
    left = min(max(round(fx * width - box_w / 2), 0), width - box_w)
    top = min(max(round(fy * height - box_h / 2), 0), height - box_h)
    return left, top, left + box_w, top + box_h


def _cover_file(story, article_: Article, settings) -> Path | None:
    """The cover's source: the story's cover (the pipeline's largest variant: metadata gone, turned
    upright, at most 1280 px), else its first body picture, else None (a cover is drawn)."""
    shown = responsive.published(getattr(story, "cover", None), settings, "largest")
    return shown[1] if shown is not None else (article_.pictures[0].file if article_.pictures else None)


def _cover_source(file: Path | None):
    if file is None:
        return None
    try:
        with PILImage.open(file) as opened:
            return on_white(ImageOps.exif_transpose(opened))
    except (OSError, ValueError):
        return None


def covers(file: Path | None, focus, title: str, color: str) -> dict[str, bytes]:
    """cover.jpg and its crops (name → JPEG bytes)."""
    cover = _cover_source(file) or drawn_cover(title, color)
    cover.thumbnail((1280, 1280))
    made = {"cover.jpg": _jpeg(cover)}
    for name, (aspect, largest) in CROPS.items():
        box = crop_box(cover.size, aspect, focus)
        if box[2] - box[0] > largest[0]:  # scaled straight from the box: no copy of the crop first
            cut = cover.resize(largest, PILImage.Resampling.LANCZOS, box=box)
        else:
            cut = cover.crop(box)
        made[f"cover-{name}.jpg"] = _jpeg(cut)
    return made


def _packed(files: dict[str, bytes]) -> bytes:
    """Several files as one cache record (a stored zip: no second compression of JPEG)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data)
    return out.getvalue()


def _unpacked(record: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(record)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _size(data: bytes) -> tuple[int, int]:
    with PILImage.open(io.BytesIO(data)) as opened:
        return opened.size


def drawn_cover(title: str, color: str):
    """A cover for a story without any picture: the union's colour and the title, in the middle
    square so both crops show all of it."""
    side = 1280
    image = PILImage.new("RGB", (side, side), color)
    draw = ImageDraw.Draw(image)
    with _FONTS:  # packages are made in threads (derived.warm): FreeType is not to be used by two at once
        font = cjk_font(64)
        if font is not None:
            lines = wrap(title, font, 520, draw)[:3]
            y = side // 2 - len(lines) * 40
            for line in lines:
                draw.text((side // 2, y), line, font=font, fill="#ffffff", anchor="ma")
                y += 80
    return image


def _jpeg(picture, limit: int = IMAGE_BYTES) -> bytes:
    return encode_under(picture if picture.mode == "RGB" else picture.convert("RGB"), limit)[0]


# -- the package -----------------------------------------------------------------------------------------------

def _fraction(box, size) -> str:
    """X1_Y1_X2_Y2 as fractions of the cover (draft/add's pic_crop_235_1 / pic_crop_1_1)."""
    width, height = size
    return "_".join(f"{value / whole:.6f}".rstrip("0").rstrip(".") or "0"
                    for value, whole in zip(box, (width, height, width, height)))


def package(story, body, public, settings) -> dict[str, bytes]:
    """The package's files (name → bytes), in a fixed order."""
    made = article(story, body, public, settings)
    files: dict[str, bytes] = {}
    pictures = []
    names = {}
    for picture in made.pictures:
        # Kept between builds (cache/derived): encoding again every picture of every story costs seconds.
        key = derived.key(Path(__file__), ["picture", derived.file_digest(picture.file), picture.file.suffix],
                          ("pillow",))
        data = derived.cached(settings.cache_dir, "wechat", key, lambda: under_limit(picture.file)[0])
        name = picture.name + (".png" if data.startswith(b"\x89PNG") else ".jpg")
        names[picture.name] = name
        files[name] = data
        size = _size(data)
        pictures.append({"file": name, "alt": picture.alt, "width": size[0], "height": size[1], "bytes": len(data),
                         "sha256": hashlib.sha256(data).hexdigest()})
    markup = made.html
    for stem, name in names.items():  # the extension is known once the file is made
        markup = markup.replace(f'src="{stem}"', f'src="{name}"')
    source = _cover_file(story, made, settings)
    focus = getattr(story, "cover_focus", None)
    title, color = fields(story)[0].value, color_of(settings)
    key = derived.key(Path(__file__), ["covers", derived.file_digest(source), list(focus or ()),
                                       "" if source else title, "" if source else color], ("pillow",))
    drawn = _unpacked(derived.cached(settings.cache_dir, "wechat", key,
                                     lambda: _packed(covers(source, focus, title, color))))
    files.update(drawn)
    size = _size(drawn["cover.jpg"])
    crops = {name: (crop_box(size, aspect, focus), f"cover-{name}.jpg") for name, (aspect, _largest) in CROPS.items()}
    base = settings.base_url.rstrip("/") + "/" if settings.base_url else ""
    newspic = is_newspic(story)
    given = {f.name: f.value for f in fields(story)}
    wechat = settings.wechat or {}
    meta = {
        "article_type": "newspic" if newspic else "news",
        "title": given["title"], "author": given["author"], "digest": given["digest"],
        "content": "content.txt" if newspic else "article.html",
        "content_chars": len(made.text if newspic else markup),
        "content_bytes": len((made.text if newspic else markup).encode("utf-8")),
        "content_source_url": base + ITEM_KINDS["story"].url(story) if base else "",
        "need_open_comment": int(bool(wechat.get("open_comment", False))),
        "only_fans_can_comment": int(bool(wechat.get("fans_only_comment", False))),
        "cover": "cover.jpg",
        "cover_crops": {"2.35:1": crops["2.35x1"][1], "1:1": crops["1x1"][1]},
        "pic_crop_235_1": _fraction(crops["2.35x1"][0], size),
        "pic_crop_1_1": _fraction(crops["1x1"][0], size),
        "images": pictures[:NEWSPIC_PICTURES] if newspic else pictures,
        "references": list(made.references),
        "limits": {**LIMITS, "content_chars": CONTENT_CHARS, "content_bytes": CONTENT_BYTES,
                   "image_bytes": IMAGE_BYTES, "newspic_pictures": NEWSPIC_PICTURES},
        "slug": story.slug,
        "date": story.date.isoformat() if story.date else "",
    }
    if newspic:
        files["content.txt"] = (made.text + "\n").encode("utf-8")
    else:
        files["article.html"] = (markup + "\n").encode("utf-8")
    files["meta.json"] = (json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
    files["preview.html"] = preview(meta, markup, made.text, settings).encode("utf-8")
    return dict(sorted(files.items()))


def preview(meta: dict, markup: str, text: str, settings) -> str:
    date = meta["date"][:10]
    return _env().get_template("wechat_preview.html").render(
        meta=meta, article=markup, text=text, date=date, account=settings.site_name, color=color_of(settings),
        column_px=COLUMN_PX) + "\n"


def stories(public):
    """The stories that get a package: every public one, newest first (the public view's order)."""
    return public.latest("story")


# The templates the package is made with (derived.key already covers the engine's Python code).
PACKAGE_TEMPLATES = ("wechat_preview.html", "wechat_theme.css")
PACKAGE_LIBRARIES = ("pillow", "css-inline", "lxml", "jinja2")


def package_key(story, body, public, settings, settings_print, templates: bytes) -> str:
    """The name of a story's whole package in the cache: everything `package` reads. The story and
    its body field by field, the bytes of every file the body names (its pictures) and of the cover,
    the column's name (the only thing it reads from the public view), the settings but the clock
    (`package` is made with a clockless copy, so it cannot read it), the templates, the engine's
    code and the libraries' versions."""
    column = public.first(story, "column")
    cover = responsive.published(getattr(story, "cover", None), settings, "largest")
    return derived.key(Path(__file__), [
        "package", derived.item_print(story, body),
        [cover[0], str(cover[1]), derived.file_digest(cover[1])] if cover is not None else None,
        column.name if column is not None else None, settings_print, hashlib.sha256(templates).hexdigest(),
    ], PACKAGE_LIBRARIES)


def write(public, pages, site_dir: Path, settings, body_of) -> list[str]:
    """Every package, each kept whole in the cache between builds: made again only when something it
    is made from changed (lxml, css-inline and the preview's template cost about 2 ms a story)."""
    settings = derived.clockless(settings)
    settings_print = derived.settings_print(settings)
    templates = b"".join((TEMPLATES / name).read_bytes() + b"\0" for name in PACKAGE_TEMPLATES)
    units = []
    for story in stories(public):
        body = body_of(story)
        folder = f"{FOLDER}{story.slug}/"
        units.append((folder, package_key(story, body, public, settings, settings_print, templates),
                      lambda folder=folder, story=story, body=body: {
                          folder + name: data for name, data in package(story, body, public, settings).items()}))
    # Most of a new package's time is its covers' resizing and JPEG encoding, where Pillow lets go of
    # the GIL: threads (a first build's packages in less than half the time on two cores).
    return derived.place(site_dir, "wechat", settings.cache_dir, PACKAGES, units)
