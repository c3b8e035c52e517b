"""Body HTML sanitising: an allow-list of what an article needs, applied with nh3 (Rust ammonia).

Editors paste from Word, WPS and web pages; raw HTML in Markdown passes through Python-Markdown
untouched. Whatever is not on the list goes: scripts and styles with their content, event handlers
(onerror=…), javascript:/data: URLs, forms. Embedded players (iframe) are kept only from the hosts
the union lists in `extra.unionpress.embed_hosts`. What is removed is reported as a warning with
its line by `removals`, so the editor knows the page differs from what they wrote.

A body shares its page with the site's own markup, so it may not borrow the page's names: only the
classes the Markdown extensions write are kept (not the banner's or the lightbox's), and every id
is put under BODY_ID_PREFIX, a namespace the page templates never use (theirs are up-…). The URL
marker the engine uses in stored HTML is the engine's alone: `forged` finds it in editor input.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Mapping
from urllib.parse import urlsplit

import nh3
from pygments.token import STANDARD_TYPES

TAGS = {"a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del", "details",
        "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins",
        "kbd", "li", "mark", "ol", "p", "picture", "pre", "q", "s", "small", "source", "span", "strong", "sub",
        "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "video", "audio",
        "track", "iframe"}
ATTRIBUTES = {
    "*": {"id", "class", "title", "lang", "dir"},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height", "loading", "decoding", "srcset", "sizes"},
    "source": {"src", "type", "media", "srcset", "sizes"},
    "video": {"src", "controls", "width", "height", "preload", "muted", "loop", "poster"},
    "audio": {"src", "controls", "preload"},
    "track": {"src", "kind", "srclang", "label"},
    "iframe": {"src", "width", "height", "allowfullscreen", "title", "loading"},
    # style only for a table column's alignment (the tables extension writes style="text-align: …").
    "td": {"colspan", "rowspan", "align", "style"}, "th": {"colspan", "rowspan", "align", "scope", "style"},
    "col": {"span"}, "ol": {"start", "type"}, "time": {"datetime"}, "details": {"open"},
}
STYLE_PROPERTIES = {"text-align"}
# The body renderer marks internal URLs with this scheme until a page or feed prints them.
SITE_SCHEME = "unionpress-site"
MARKER = SITE_SCHEME + ":"
# Written by the picture pipeline only: an editor's srcset could load pictures from another host,
# so it is removed (and reported), and a srcset kept must name the site's own files.
GENERATED_ATTRIBUTES = ("srcset", "sizes")
_VARIANT_CANDIDATE = re.compile(re.escape(SITE_SCHEME) + r":media/pictures/[0-9a-f]{20}-\d+\.(?:webp|jpg|png) \d+w")
SCHEMES = {"http", "https", "mailto", "tel", SITE_SCHEME}
GONE_WITH_CONTENT = {"script", "style", "noscript", "template", "object", "embed", "applet", "form", "math", "svg"}

# -- classes ---------------------------------------------------------------------------------------
# What each Markdown extension writes into a body (Material styles these inside .md-typeset). A body
# may carry the classes of the extensions mkdocs.yml configures, and no other: the page's own
# (up-draft-banner, up-lightbox, md-…) would let a body pass for the preview banner or the lightbox.
_ADMONITION_TYPES = {"note", "abstract", "summary", "tldr", "info", "todo", "tip", "hint", "important", "success",
                     "check", "done", "question", "help", "faq", "warning", "caution", "attention", "failure",
                     "fail", "missing", "danger", "error", "bug", "example", "quote", "cite", "inline", "end"}
_PYGMENTS = {name for name in STANDARD_TYPES.values() if name}  # token spans: k (keyword), s2 (string) …
_HIGHLIGHT = {"highlight", "highlighttable", "linenos", "linenodiv", "linenotable", "lineno", "hll", "filename",
              "special", *_PYGMENTS}
EXTENSION_CLASSES: Mapping[str, frozenset[str]] = {
    "footnotes": frozenset({"footnote", "footnote-ref", "footnote-backref"}),
    "toc": frozenset({"toc", "toctitle", "toclink", "headerlink"}),
    "admonition": frozenset({"admonition", "admonition-title", *_ADMONITION_TYPES}),
    "pymdownx.details": frozenset(_ADMONITION_TYPES),
    "codehilite": frozenset({"codehilite", *_HIGHLIGHT}),
    "pymdownx.highlight": frozenset(_HIGHLIGHT),
    "pymdownx.superfences": frozenset(_HIGHLIGHT),
}
# fenced_code (always on in MkDocs) names a code block's language: <code class="language-python">.
_LANGUAGE_CLASS = re.compile(r"language-[A-Za-z0-9_+#.-]{1,40}")
# Added by the body renderer itself, after the editor's classes were checked: a zoomable picture.
ENGINE_CLASSES = frozenset({"up-lightbox"})


def body_classes(extensions: Iterable[str], configs: Mapping[str, Mapping] | None = None) -> frozenset[str]:
    """The classes a body may carry under these Markdown extensions (mkdocs.yml)."""
    allowed: set[str] = set()
    for name in extensions:
        allowed |= EXTENSION_CLASSES.get(name.removeprefix("markdown.extensions."), frozenset())
        css_class = ((configs or {}).get(name) or {}).get("css_class")
        if isinstance(css_class, str) and css_class.strip():  # codehilite/highlight may rename their wrapper
            allowed.add(css_class.strip())
    return frozenset(allowed)


def split_classes(value: str, allowed: frozenset[str]) -> tuple[list[str], list[str]]:
    """(kept, dropped) class names of one class attribute."""
    kept, dropped = [], []
    for name in value.split():
        (kept if name in allowed or _LANGUAGE_CLASS.fullmatch(name) else dropped).append(name)
    return kept, dropped


def limit_classes(root, allowed: frozenset[str]) -> None:
    """Take the classes `removals` reported out of the tree, before the renderer adds its own."""
    for element in root.iter():
        value = element.get("class") if isinstance(element.tag, str) else None
        if value is None:
            continue
        kept, _dropped = split_classes(value, allowed)
        if kept:
            element.set("class", " ".join(kept))
        else:
            del element.attrib["class"]


# -- ids -------------------------------------------------------------------------------------------
BODY_ID_PREFIX = "body-"  # no page template uses it (theirs are up-…), so a body id never equals one


def body_id(value: str) -> str:
    """A body's id (or a fragment naming one) in the body's namespace; the same rule as nh3's id_prefix."""
    return value if value.startswith(BODY_ID_PREFIX) else BODY_ID_PREFIX + value


def prefix_ids(root) -> frozenset[str]:
    """Put every id (and <a name>, Word's anchors) under BODY_ID_PREFIX; returns the names as written,
    so fragment links inside the body can follow them."""
    written = set()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute in ("id", "name") if element.tag == "a" else ("id",):
            value = element.get(attribute)
            if value:
                written.add(value)
                element.set(attribute, body_id(value))
    return frozenset(written)


# -- URLs and the engine's marker ------------------------------------------------------------------
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")


def browser_url(value: str) -> str:
    """The URL as a browser reads an attribute (WHATWG URL parser): leading and trailing controls
    and spaces dropped, tabs and newlines removed wherever they are."""
    return _TAB_OR_NEWLINE.sub("", value).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12"
                                                "\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")


def scheme_of(url: str) -> str:
    """The URL's scheme in lower case ('' for a relative URL, #fragment or path)."""
    found = _SCHEME.match(browser_url(url))
    if not found or len(found.group(1)) == 1:
        return ""  # C:\\… is a Windows drive, reported as a local path (link-local), not a protocol
    return found.group(1).lower()


def forged(value: str) -> bool:
    """Does this (entity-decoded) attribute value or text hold the engine's URL marker, in any case,
    split by tabs or newlines? Only the engine writes it, after the editor's input is checked."""
    if ":" not in value:  # most text (Chinese writes ：) stops here
        return False
    lowered = value.lower()
    return MARKER in lowered or MARKER in _TAB_OR_NEWLINE.sub("", lowered)


_NAMED = {":": "&colon;", "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;", "\t": "&Tab;",
          "\n": "&NewLine;"}
# Between two characters of a URL a browser drops tabs and newlines, written as they are or as references.
_IGNORED = r"(?:[\t\n\r]|&Tab;|&NewLine;|&#0*(?:9|10|13)(?![0-9]);?|&#[xX]0*(?i:9|a|d)(?![0-9a-fA-F]);?)*"


def _spelled(char: str, any_case: bool) -> str:
    """A regex for one character as an editor can spell it in Markdown or HTML source: itself, a
    numeric or named character reference, a Markdown backslash escape."""
    forms = []
    for spelling in dict.fromkeys((char.lower(), char.upper()) if any_case else (char,)):
        forms += [re.escape(spelling), rf"&#0*{ord(spelling)}(?![0-9]);?",
                  rf"&#[xX]0*(?i:{ord(spelling):x})(?![0-9a-fA-F]);?"]
    if char in _NAMED:
        forms.append(_NAMED[char])
    if char.isascii() and not char.isalnum() and not char.isspace():
        forms.append(r"\\" + re.escape(char))
    return "(?:" + "|".join(dict.fromkeys(forms)) + ")"


def spelled(text: str, any_case: bool = False) -> re.Pattern:
    """Where `text` (an entity-decoded attribute value) stands in the source, however it was spelled."""
    return re.compile(_IGNORED.join(_spelled(char, any_case) for char in text))


# Where an editor wrote the marker in the source, for the finding's line (the tree says whether).
MARKER_WRITTEN = spelled(MARKER, any_case=True)


# -- attachments that run script -------------------------------------------------------------------
# A file a browser opens as a document that can run script: published under media/, it would run
# on the site's own origin. By name; the same list for every host, whatever its MIME table says.
ACTIVE_FILES = {
    **dict.fromkeys((".svg", ".svgz"), "SVG 图形"),
    **dict.fromkeys((".html", ".htm", ".shtml", ".xhtml", ".xht", ".mht", ".mhtml", ".hta"), "网页文件"),
    **dict.fromkeys((".xml", ".xsl", ".xslt", ".xsd", ".rss", ".atom", ".rdf"), "XML 文件"),
    **dict.fromkeys((".js", ".mjs", ".cjs", ".htc"), "JavaScript 脚本"),
    ".swf": "Flash 文件",
}
# Types every static host serves as what they are (a PDF viewer, a download, a player), whatever
# their first bytes say; a file of any other name is looked at (a host may send no type, and the
# browser then guesses from the content).
PASSIVE_SUFFIXES = {
    ".pdf", ".ofd", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".wps", ".et", ".dps", ".odt", ".ods", ".odp",
    ".rtf", ".txt", ".csv", ".md", ".epub", ".zip", ".rar", ".7z", ".gz", ".tgz", ".bz2", ".xz", ".tar",
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".bmp", ".tif", ".tiff", ".heic",
    ".mp3", ".m4a", ".aac", ".wav", ".flac", ".ogg", ".opus", ".mp4", ".m4v", ".mov", ".webm", ".mkv", ".avi",
    ".wmv", ".flv", ".vtt", ".srt",
}
_MARKUP_START = re.compile(rb"<(?:[A-Za-z]|!|\?)")


def active_file(path: Path) -> str | None:
    """What kind of script-running document this file is (for the finding), or None."""
    suffix = path.suffix.lower()
    if suffix in ACTIVE_FILES:
        return ACTIVE_FILES[suffix]
    if suffix in PASSIVE_SUFFIXES:
        return None
    try:
        with path.open("rb") as handle:
            start = handle.read(1024)
    except OSError:
        return None  # the caller reports a file it cannot read
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        start = start.decode("utf-16", "ignore").encode("utf-8")
    start = start.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n\x0c")
    return "内容是网页代码的文件" if _MARKUP_START.match(start) else None


# -- the sanitiser -----------------------------------------------------------------------------------
def _host(url: str) -> str:
    try:
        return (urlsplit(browser_url(url)).hostname or "").lower()
    except ValueError:  # https://[在此粘贴视频地址]/ — not a URL at all
        return ""


def embeddable(url: str, embed_hosts: frozenset[str]) -> bool:
    """May an iframe show this address (a player from a host the union listed)?"""
    return _host(url) in embed_hosts


def _filter(hosts: frozenset[str], classes: frozenset[str]):
    allowed_classes = classes | ENGINE_CLASSES

    def keep(element: str, attribute: str, value: str):
        if element == "iframe" and attribute == "src":
            return value if embeddable(value, hosts) else None
        if attribute == "srcset":
            own = all(_VARIANT_CANDIDATE.fullmatch(part.strip()) for part in value.split(","))
            return value if own else None
        if attribute == "class":
            kept, _dropped = split_classes(value, allowed_classes)
            return " ".join(kept) or None
        return value
    return keep


def clean(html: str, embed_hosts: frozenset[str], classes: frozenset[str] = frozenset()) -> str:
    """The allow-list applied. `classes`: body_classes of the site's extensions (the engine's own are
    added here, after the renderer took the editor's out)."""
    return nh3.clean(html, tags=TAGS, clean_content_tags=GONE_WITH_CONTENT, attributes=ATTRIBUTES,
                     url_schemes=SCHEMES, link_rel=None, strip_comments=True, id_prefix=BODY_ID_PREFIX,
                     filter_style_properties=STYLE_PROPERTIES, attribute_filter=_filter(embed_hosts, classes))


def _style_loss(value: str) -> list[str]:
    """The properties of a style attribute that `clean` drops."""
    names = [part.split(":", 1)[0].strip().lower() for part in value.split(";") if part.strip()]
    return [name for name in names if name not in STYLE_PROPERTIES]


def removals(root, embed_hosts: frozenset[str], classes: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """(what the editor wrote, why it goes) for each thing `clean` will remove, in document order."""
    found = []
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        if not tag or tag == "div" and element.getparent() is None:
            continue
        if tag not in TAGS:
            found.append((f"<{tag}", f"不允许的标签 <{tag}>"))
            continue
        if tag == "iframe" and not embeddable(element.get("src") or "", embed_hosts):
            host = _host(element.get("src") or "")
            found.append((element.get("src") or "<iframe", f"嵌入内容来自未列入 embed_hosts 的网站「{host or '（空）'}」"))
        allowed = ATTRIBUTES.get(tag, set()) | ATTRIBUTES["*"]
        for name, value in element.attrib.items():
            if name in GENERATED_ATTRIBUTES:
                found.append((name, f"不允许的属性 {name}（图片的各种尺寸由构建自动生成）"))
            elif name not in allowed:
                found.append((name, f"不允许的属性 {name}"))
            elif name == "style" and (lost := _style_loss(value)):
                found.append((value, f"不允许的样式 {'、'.join(lost)}（表格单元格只保留 text-align 对齐）"))
            elif name == "class" and (dropped := split_classes(value, classes)[1]):
                found.append((dropped[0], f"不允许的样式类 {' '.join(dropped)}（正文只能用编辑手册列出的样式类）"))
            elif name in ("href", "src", "poster") and (scheme := scheme_of(value)) and scheme not in SCHEMES:
                found.append((value[:40], f"不允许的链接协议 {scheme}:"))
    return found
