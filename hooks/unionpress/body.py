"""Body: every item's Markdown body turned into HTML once, with its links and images resolved.

The HTML made here is what pages, feeds, exports and EPUB all use. Python-Markdown runs with the
extension list of mkdocs.yml; the result is then walked as an element tree (lxml), so links and
images written in Markdown, as reference-style definitions or as raw HTML are all seen, and text
inside code blocks — which is no element — never is.

A link may name another item by its content file (`../models/ma-jianguo.md`, `bundle/index.md`,
`bundle/`) or by its site URL (`/models/ma-jianguo/`); a file beside the item (an image, a PDF) is
published with it under media/. Internal targets are kept as site paths behind a marker and made
relative (pages) or absolute (feeds) by whoever prints the body. Every URL a body keeps, whatever
its scheme, goes through `BodyRenderer.resolve`; the marker itself is refused in editor input, so
only the resolver can write it.
"""

from __future__ import annotations

import bisect
import os
import posixpath
import re
from urllib.parse import quote, unquote, urlsplit
from dataclasses import dataclass
from pathlib import Path

import markdown
from lxml import html as lxml_html

from . import sanitize
from .config import Settings
from .findings import Findings
from . import alttext, images, responsive
from .images import pixel_size
from .items import Item
from .kinds import ITEM_KINDS
from .validate import is_local_path

MARK = sanitize.MARKER  # stands for the site root in stored HTML; never reaches an output
# A marked URL starts an attribute or a srcset candidate ("MARKa.webp 320w, MARKb.webp 640w"); marked
# paths are percent-encoded, so a space or a comma ends one.
_MARKED = re.compile(r'(["\'\s,])' + re.escape(MARK) + r"([^\"'\s,]*)")
BODY_SIZES = "(min-width: 50em) 920px, 100vw"  # a body picture spans the article column
# No SVG: it can carry scripts, and a reader who opens it by itself runs them on our origin.
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif"}
# Every attribute the sanitiser keeps that holds a URL (embed and object go with their content).
_URL_ATTRS = {"a": ("href",), "img": ("src",), "source": ("src",), "video": ("src", "poster"), "audio": ("src",),
              "track": ("src",), "iframe": ("src",)}
# Loaded by the reader's browser together with the page (a link is only followed when clicked).
_LOADED = {"img", "source", "video", "audio", "track", "iframe"}
_PICTURES = {("img", "src"), ("video", "poster")}
_FIX_ACTIVE = {"picture": "请转成 PNG 或 JPG 图片", "media": "请改用音视频文件本身（如 MP4、MP3、VTT 字幕）",
               "link": "请压缩成 zip 后再链接，或转成 PDF"}


def relative(from_url: str, to_url: str) -> str:
    """Relative link between two site paths (directory URLs end in /, files do not).

    Written out instead of posixpath.relpath: it runs tens of thousands of times per build and all
    our paths are already normalised, so the segment arithmetic below is all that is needed.
    """
    base = from_url.split("/")[:-1]  # the directory the page lives in
    target = to_url.split("/")
    common = 0
    while common < len(base) and common < len(target) - 1 and base[common] == target[common]:
        common += 1
    path = "../" * (len(base) - common) + "/".join(target[common:])
    return path or "./"


_BLOCK_TAG = re.compile(r"<(/?)(div|section|article|figure|details|table|blockquote)\b[^>]*?(/?)>", re.I)
_FENCED = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)


def _unclosed_block(text: str) -> tuple[str, int] | None:
    """The first block-level HTML tag in a body that is never closed: (tag, offset), or None.
    Fenced code is left out (a code sample may show a lone <div>)."""
    text = _FENCED.sub(lambda m: " " * len(m.group(0)), text)
    waiting: list[tuple[str, int]] = []
    for found in _BLOCK_TAG.finditer(text):
        closing, tag, self_closing = found.group(1), found.group(2).lower(), found.group(3)
        if self_closing:
            continue
        if not closing:
            waiting.append((tag, found.start()))
        elif waiting and waiting[-1][0] == tag:
            waiting.pop()
        elif any(name == tag for name, _ in waiting):
            return waiting[-1]  # an outer tag closes while this inner one is still open
    return waiting[0] if waiting else None


BRACKET_LIMIT = 500  # unpaired [ in one body: a few are typos, hundreds would stall the build


def _unpaired_brackets(text: str) -> int:
    """How many [ never find their ] (over the whole body; code included, which only errs towards
    counting more). One pass, and only when the body has many [ at all."""
    if text.count("[") <= BRACKET_LIMIT:
        return 0
    waiting = 0
    for char in text:
        if char == "[":
            waiting += 1
        elif char == "]" and waiting:
            waiting -= 1
    return waiting


# Python-Markdown's inline processor rebuilds a paragraph's whole text after every link or emphasis it
# finds, so one paragraph costs the square of its length: 0.5 MB took 3–6 s, 5 MB (a Word document
# pasted with single line breaks, which Markdown joins into one paragraph) over two minutes. No reader
# reads 20,000 characters as one paragraph, so a longer one is split where the editor broke lines (or,
# for one endless line, after a sentence), and the editor is told.
PARAGRAPH_LIMIT = 20_000
_PLAIN_LINE = re.compile(r"^(?![ \t|<>#*+\-]|\d+[.)]\s|\[\^)\S")  # not a list, table, quote, heading, code, HTML
_SENTENCE_END = "。！？；!?"


def _split_sentences(line: str) -> str:
    """One endless line → paragraphs of at least PARAGRAPH_LIMIT/2 characters, cut after a sentence
    end that is not inside [link text](address) or `code`."""
    out, depth, code, start = [], 0, False, 0
    for at, char in enumerate(line):
        if char == "`":
            code = not code
        elif not code and char in "[(":
            depth += 1
        elif not code and char in "])" and depth:
            depth -= 1
        elif (char in _SENTENCE_END and not depth and not code and at - start >= PARAGRAPH_LIMIT // 2):
            out.append(line[start:at + 1])
            start = at + 1
    out.append(line[start:])
    return "\n\n".join(part for part in out if part)


def _split_long_paragraphs(text: str) -> tuple[str, list[tuple[int, int]]]:
    """The body with every paragraph over PARAGRAPH_LIMIT characters split (see above), and the
    (0-based line, characters) of each one split. Fenced code and structured lines (lists, tables,
    quotes, headings, HTML, indented code) are left as written."""
    if len(text) <= PARAGRAPH_LIMIT:
        return text, []
    lines = text.split("\n")
    plain = [False] * len(lines)
    fence = ""
    for number, line in enumerate(lines):
        stripped = line.lstrip()
        if fence:
            fence = "" if stripped.startswith(fence) else fence
        elif stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
        else:
            plain[number] = bool(_PLAIN_LINE.match(line))
    runs: list[tuple[int, int]] = []  # (first line, line after the last) of each overlong run
    split: list[tuple[int, int]] = []
    number = 0
    while number < len(lines):
        if not plain[number]:
            number += 1
            continue
        end = number
        while end < len(lines) and plain[end]:
            end += 1
        length = sum(len(line) for line in lines[number:end])
        if length > PARAGRAPH_LIMIT:
            runs.append((number, end))
            split.append((number, length))
        number = end
    if not runs:
        return text, []
    for start, end in reversed(runs):
        lines[start:end] = ["\n\n".join(_split_sentences(line) if len(line) > PARAGRAPH_LIMIT else line
                                          for line in lines[start:end])]
    return "\n".join(lines), split


BODY_DEPTH = 100  # levels of nested lists, quotes or tags; real articles use under ten
_PARSER = lxml_html.HTMLParser(huge_tree=True)


@dataclass(frozen=True)
class Body:
    html: str  # internal URLs as MARK + site path
    assets: tuple[tuple[str, Path], ...] = ()  # (path in the site, file on disk): images and attachments
    links: tuple[str, ...] = ()  # site paths of the pages it links to
    ids: frozenset[str] = frozenset()  # ids as written (headings, <a name>): what a #fragment may name

    def at(self, page_url: str) -> str:
        """The HTML as printed on the page at `page_url` (relative links)."""
        if MARK not in self.html:
            return self.html
        return _MARKED.sub(lambda m: m.group(1) + relative(page_url, m.group(2)), self.html)

    def absolute(self, site_url: str) -> str:
        """The HTML with every internal link absolute (feeds, exports)."""
        base = site_url.rstrip("/") + "/"
        return _MARKED.sub(lambda m: m.group(1) + base + m.group(2), self.html)


_MARKER_ANY_CASE = re.compile(re.escape(MARK), re.I)


def _defuse_marker(root) -> bool:
    """Take the engine's marker out of what the editor wrote (attributes go, text keeps a full-width
    colon so no printer can take it for a link); True when there was one."""
    found = False
    for element in root.iter():
        if isinstance(element.tag, str):  # an element (a comment's text is stripped by the sanitiser)
            for name, value in list(element.attrib.items()):
                if sanitize.forged(value):
                    found = True
                    del element.attrib[name]
            if element.text and sanitize.forged(element.text):
                found = True
                element.text = _MARKER_ANY_CASE.sub(sanitize.SITE_SCHEME + "：", element.text)
        if element.tail and sanitize.forged(element.tail):
            found = True
            element.tail = _MARKER_ANY_CASE.sub(sanitize.SITE_SCHEME + "：", element.tail)
    return found


class SourceLines:
    """The body line where a value was written. The tree is walked in the order it was written, so the
    same value asked for again is looked for after the place it was last found. `around`: characters
    that may stand before and after a whole value in the source ('' for any), so /a/ is not found
    inside /a/b.html or https://x/a/.
    A value the source spells with character references (&#9;, &#117;) is found by its spelling."""

    def __init__(self, item: Item, around: str = "") -> None:
        self.item = item
        self.around = around
        self.after: dict[str, int] = {}
        self.spellings: dict[str, re.Pattern] = {}
        self.newlines: list[int] | None = None
        # Where the last value was found: a value not asked for before is looked for from there first,
        # as the walk goes on in the order of the source (from the top each time, 15,000 findings in a
        # 4 MB body took seconds: each search scanned everything before it again).
        self.cursor = 0

    def _find(self, written: str, start: int) -> int:
        body = self.item.body
        index = body.find(written, start)
        while index >= 0 and self.around:
            end = index + len(written)
            if (index == 0 or body[index - 1] in self.around) and (end == len(body) or body[end] in self.around):
                break
            index = body.find(written, index + 1)
        return index

    def _spelling(self, written: str):
        if written not in self.spellings:  # compiled only for a value the source does not hold as is
            self.spellings[written] = sanitize.spelled(written)
        return self.spellings[written]

    def __call__(self, written: str) -> int:
        if not written:
            return self.item.body_line
        index, length = -1, len(written)
        for start in dict.fromkeys((self.after.get(written, self.cursor), 0)):  # after the last place, then anywhere
            index = self._find(written, start)
            if index < 0 and (found := self._spelling(written).search(self.item.body, start)):
                index, length = found.start(), len(found.group(0))
            if index >= 0:
                break
        if index < 0:
            return self.item.body_line
        self.after[written] = index + length
        self.cursor = index
        if self.newlines is None:  # one pass over the body, then a bisection per finding
            self.newlines = [found.start() for found in re.finditer("\n", self.item.body)]
        return self.item.body_line + bisect.bisect_left(self.newlines, index)


def _stat_of(path: Path | None) -> tuple[int, int] | None:
    """A file's size and time, or None: what a kept check of it is told by."""
    if path is None:
        return None
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_size, found.st_mtime_ns)


class Targets:
    """Everything a link can point at: content files, bundle folders and site URLs of the catalog."""

    def __init__(self, settings: Settings, items, urls_of, resolve=Path.resolve) -> None:
        self.content = settings.content_dir.resolve()
        self.site_parts = urlsplit(settings.base_url) if settings.base_url else None
        self.site_path = settings.site_path
        self.by_file: dict[Path, Item] = {}
        self.bundles: dict[str, Item] = {}  # a bundle's folder, by its text
        self.by_url: dict[str, Item] = {}
        for item in items:
            path = resolve(item.path)  # serve passes one that remembers: 10,000 files each run
            self.by_file.setdefault(path, item)
            if item.bundle:
                self.bundles.setdefault(str(path.parent), item)
            url = urls_of(item)
            if url:
                self.by_url.setdefault(url, item)
        self._content_text = str(self.content)

    def owner(self, path: Path) -> Item | None:
        """The item whose bundle folder holds this file, if any. By the path's text, as Path.parents
        would give it: every front-matter picture asks (5,000 at 10,000 stories, each run of serve)."""
        if not self.bundles:
            return None
        folder, content = str(path), self._content_text
        while True:
            above = os.path.dirname(folder)
            if above == folder or above == content:
                return None
            if above in self.bundles:
                return self.bundles[above]
            folder = above

    def inside(self, path: Path) -> bool:
        return path == self.content or self.content in path.parents


def _captions(root) -> None:
    """Every body picture with its caption (图片说明) under it, as news pages print one: a picture alone
    in its paragraph becomes a <figure>, and an editor's <figure> without a <figcaption> gets one. The
    caption is the title the editor wrote (![alt](photo.jpg "说明")), else the alt text."""
    def caption_of(image) -> str:
        title = (image.get("title") or "").strip()
        image.attrib.pop("title", None)  # said once, under the picture, not again as a tooltip
        return title or (image.get("alt") or "").strip()

    for paragraph in list(root.iter("p")):
        images = paragraph.findall(".//img")
        if len(images) != 1 or paragraph.text_content().strip() or paragraph.find(".//figcaption") is not None:
            continue  # text beside the picture, or several pictures: a line of the article, not a figure
        caption = caption_of(images[0])
        paragraph.tag = "figure"
        if caption:
            paragraph.append(lxml_html.Element("figcaption"))
            paragraph[-1].text = caption
    for figure in list(root.iter("figure")):
        images = figure.findall(".//img")
        if len(images) == 1 and figure.find(".//figcaption") is None and (caption := caption_of(images[0])):
            figure.append(lxml_html.Element("figcaption"))
            figure[-1].text = caption


class Problem(Exception):
    def __init__(self, code: str, **fields) -> None:
        super().__init__(code)
        self.code, self.fields = code, fields


# Python-Markdown's own extensions whose output is the text's alone once the converter is reset (every
# body is converted after a reset): with only these, a body's HTML is kept between builds by its text
# (derived), since converting is most of a body's time (5 of 7 seconds at 10,000 stories). Any other
# extension may read files (pymdownx.snippets), a clock or state kept across documents: converted
# every time. Footnotes keep a counter across documents when asked for unique ids.
PURE_EXTENSIONS = frozenset({"abbr", "admonition", "attr_list", "def_list", "fenced_code", "footnotes",
                             "md_in_html", "nl2br", "sane_lists", "smarty", "tables", "toc"})


def _converts_alike(settings: Settings) -> bool:
    footnotes = settings.mdx_configs.get("footnotes") or {}
    return set(settings.markdown_extensions) <= PURE_EXTENSIONS and not footnotes.get("UNIQUE_IDS")


class BodyRenderer:
    def __init__(self, settings: Settings, targets: Targets) -> None:
        self.settings = settings
        self.targets = targets
        self.md = markdown.Markdown(extensions=list(settings.markdown_extensions),
                                    extension_configs=dict(settings.mdx_configs))
        self._convert = self.md.convert
        if _converts_alike(settings):
            from . import derived

            extensions = derived.stable([list(settings.markdown_extensions), settings.mdx_configs])

            def convert(source: str) -> str:
                key = derived.key(Path(__file__), ["markdown", extensions, source], ("markdown",))
                return derived.cached(settings.cache_dir, "markdown", key,
                                      lambda: self.md.convert(source).encode("utf-8", "surrogatepass")
                                      ).decode("utf-8", "surrogatepass")

            self._convert = convert
        self.pictures = responsive.pipeline(settings)
        self.fragments: list[tuple] = []  # (item, link as written, target item, fragment) to check at the end
        self._ids: frozenset[str] = frozenset()
        self.classes = sanitize.body_classes(settings.markdown_extensions, settings.mdx_configs)

    # -- resolving one target -----------------------------------------------------------------------
    def _item_target(self, target: Item, view, strict: bool, written: str) -> str:
        if strict and target not in view:
            raise Problem("link-hidden", target=written, label=target.label, other=target.source)
        kind = ITEM_KINDS[target.kind]
        if kind.url is None:
            raise Problem("link-no-page", target=written, what=kind.label, label=target.label)
        return kind.url(target)

    def _file_target(self, item: Item, path: Path, view, strict: bool, written: str, assets: list) -> str:
        t = self.targets
        if not t.inside(path):
            raise Problem("link-outside", target=written)
        if path.is_dir() and (path / "index.md").is_file():
            path = path / "index.md"
        if path in t.by_file:
            return self._item_target(t.by_file[path], view, strict, written)
        if not path.is_file():
            raise Problem("link-missing", target=written)
        if what := sanitize.active_file(path):  # would run its script on our origin when opened
            raise Problem("attachment-active", src=written, what=what)
        owner = t.owner(path)
        if strict and owner is not None and owner is not item and owner not in view:
            raise Problem("link-hidden", target=written, label=owner.label, other=owner.source)
        output = "media/" + path.relative_to(t.content).as_posix()
        assets.append((output, path))
        return output

    def _site_target(self, item: Item, url: str, view, page_urls, strict: bool, written: str, assets: list) -> str:
        url = posixpath.normpath("/" + url).lstrip("/")
        if url.endswith(".md"):
            return self._file_target(item, (self.targets.content / url).resolve(), view, strict, written, assets)
        if url.endswith("index.html"):
            url = url[: -len("index.html")]
        candidates = [url, url.rstrip("/") + "/"] if url else [""]
        for candidate in candidates:
            if candidate in self.targets.by_url:
                return self._item_target(self.targets.by_url[candidate], view, strict, written)
            if candidate in page_urls:
                return candidate
        if url.startswith("media/"):
            return self._file_target(item, (self.targets.content / url[len("media/"):]).resolve(), view, strict,
                                     written, assets)
        in_content = (self.targets.content / url).resolve()
        if url and in_content.is_file():  # /images/x.jpg: the content folder's root, as in front matter
            return self._file_target(item, in_content, view, strict, written, assets)
        raise Problem("link-missing", target=written)

    def resolve(self, item: Item, written: str, view, page_urls, strict: bool, assets: list, loaded: bool = False,
                ids: frozenset[str] = frozenset()) -> str | None:
        """The one resolver every URL a body keeps goes through, whatever its scheme: the new value
        (a marked site path, a fragment in the body's id namespace) or None to keep it as written
        (another site, mailto:, tel:, a scheme the sanitiser removes and `removals` reports).

        loaded: the reader's browser fetches it with the page (a picture, a video), so it may not
        come from another site unless that site is in embed_hosts. ids: the body's own ids as written.
        Raises Problem for what may not be published."""
        url = sanitize.browser_url(written)
        if is_local_path(url):
            raise Problem("link-local", src=written)
        if not url:
            return None
        if url.startswith("#"):
            if unquote(url[1:]) in ids:
                return "#" + sanitize.body_id(url[1:])
            if url[1:] and not url[1:].startswith("up-") and url[1:].lower() != "top":
                # "#" and "#top" are the top of any page (HTML); up-… are the page's own parts
                raise Problem("link-anchor", target=written, where="这篇正文里")
            return None
        scheme = sanitize.scheme_of(url)
        if scheme == sanitize.SITE_SCHEME:  # the engine's own marker: reported where it was written
            raise Problem("link-reserved", written=written)
        if scheme not in ("", "http", "https"):
            return None  # mailto:/tel: leave the site; anything else the sanitiser removes (and says so)
        try:
            parts = urlsplit(url)
        except ValueError:  # e.g. a broken [IPv6] host: no address any browser can load
            return None
        if (parts.scheme or parts.netloc) and not self._own(parts):
            host = (parts.hostname or "").lower()
            if loaded and host not in self.settings.embed_hosts:
                raise Problem("media-outside", host=host or "（空）", src=written)
            return None  # another site's page: a link leaves us
        path = unquote(parts.path or ("/" if parts.netloc else ""))
        if not path:
            return None  # only a query
        t = self.targets
        try:
            if path.startswith("/"):
                if t.site_path != "/" and path.startswith(t.site_path):
                    path = "/" + path[len(t.site_path):]
                target = self._site_target(item, path, view, page_urls, strict, written, assets)
            else:
                target = self._file_target(item, (item.folder / path).resolve(), view, strict, written, assets)
        except (OSError, ValueError):  # a name too long for the file system, a NUL byte …
            raise Problem("link-missing", target=written) from None
        fragment = parts.fragment
        if fragment and target in t.by_url and not fragment.startswith("up-") \
                and fragment not in getattr(t.by_url[target], "anchors", ()):
            if fragment.lower() != "top":  # checked once every body is rendered and has its ids (check_fragments)
                self.fragments.append((item, written, t.by_url[target], unquote(fragment)))
            fragment = sanitize.body_id(fragment)  # a heading in another item's body; up-… and an item's
            # own `anchors` (an exhibition's #work-3) are its page's
        rest = (f"?{parts.query}" if parts.query else "") + (f"#{fragment}" if fragment else "")
        return MARK + quote(target, safe="/") + rest

    def _own(self, parts) -> bool:
        """Is this absolute URL our own site (any scheme, any case, default port)?"""
        site = self.targets.site_parts
        if site is None or parts.scheme.lower() not in ("", "http", "https"):
            return False
        try:
            port = parts.port
        except ValueError:
            return False
        return (parts.hostname or "") == site.hostname and port in (None, site.port, 80, 443)

    # -- one body -------------------------------------------------------------------------------------
    def render(self, item: Item, view, page_urls, findings: Findings, strict: bool) -> Body:
        """strict: the item is public, so whatever it points at must be public too."""
        self.md.reset()
        unclosed = _unclosed_block(item.body) if "<" in item.body else None
        if unclosed is not None:
            # An unclosed <div markdown="1"> makes Python-Markdown drop everything after it, silently.
            tag, offset = unclosed
            findings.add(item.source, item.body_line + item.body.count("\n", 0, offset), "html-unclosed", tag=tag)
        brackets = _unpaired_brackets(item.body)
        if brackets > BRACKET_LIMIT:
            # Python-Markdown's link parser is quadratic in unpaired [ : thousands would take minutes.
            findings.add(item.source, item.body_line, "body-brackets", count=brackets)
            return Body("")
        source, split = _split_long_paragraphs(item.body)
        for line, length in split:
            findings.add(item.source, item.body_line + line, "body-paragraph-long", length=length,
                         limit=PARAGRAPH_LIMIT)
        try:
            html = self._convert(source)
        except RecursionError:
            findings.add(item.source, item.body_line, "body-too-deep", limit=BODY_DEPTH)
            return Body("")
        assets: list[tuple[str, Path]] = []
        links: list[str] = []
        forged_in_tree = False
        self._ids = frozenset()
        # Only raw HTML, an attribute (a link, an image, an id or class), a character reference or the
        # marker can hold something to resolve or to sanitise away. Many quotes or list items may be
        # nesting too deep: the tree measures it.
        if ("<" in item.body or "=" in html or "&" in html or sanitize.SITE_SCHEME in html.lower()
                or html.count("<blockquote") + html.count("<li") > BODY_DEPTH):
            html, forged_in_tree = self._resolve_tree(item, html, view, page_urls, findings, strict, assets, links)
        self._report_reserved(item, findings, forged_in_tree)
        html = sanitize.clean(html, self.settings.embed_hosts, self.classes)
        return Body(html, tuple(dict.fromkeys(assets)), tuple(dict.fromkeys(links)), self._ids)

    def check_fragments(self, bodies: dict, findings: Findings) -> None:
        """A link to a heading or anchor of another item's body (/stories/x/#y) that the body lacks."""
        for item, written, target, fragment in self.fragments:
            body = bodies.get(id(target))
            if body is not None and fragment not in body.ids:
                findings.add(item.source, SourceLines(item, around=" \t\r\n()<>\"'")(written), "link-anchor",
                             target=written, where=f"「{target.label}」的正文里")

    def _report_reserved(self, item: Item, findings: Findings, forged_in_tree: bool) -> None:
        """The engine's URL marker written by an editor, in any spelling: an error at each line that
        holds it (code and comments too: it has no business in a body), or at the body's first line
        when only the parsed tree shows it (a spelling the source scan does not know)."""
        seen: dict[int, str] = {}
        for found in sanitize.MARKER_WRITTEN.finditer(item.body):
            seen.setdefault(item.body_line + item.body.count("\n", 0, found.start()), found.group(0))
        if forged_in_tree and not seen:
            seen[item.body_line] = MARK
        for line, written in seen.items():
            findings.add(item.source, line, "link-reserved", written=written)

    def _resolve_tree(self, item, html, view, page_urls, findings, strict, assets, links) -> tuple[str, bool]:
        """The body's tree checked and resolved; also whether it held the engine's marker."""
        # huge_tree: without it libxml2 silently drops everything below 255 levels of nesting.
        root = lxml_html.fragment_fromstring(html, create_parent="div", parser=_PARSER)
        deepest = max((sum(1 for _ in element.iterancestors()) for element in root.iter()), default=0)
        if deepest > BODY_DEPTH:
            findings.add(item.source, item.body_line, "body-too-deep", limit=BODY_DEPTH)
        forged = _defuse_marker(root)  # first: nothing below may take a forged value for the engine's
        # What the sanitiser will take out, said while the tree is still as written.
        removed_at = SourceLines(item)
        for written, why in sanitize.removals(root, self.settings.embed_hosts, self.classes):
            findings.add(item.source, removed_at(written), "html-removed", why=why)
        sanitize.limit_classes(root, self.classes)  # before the renderer adds its own (up-lightbox)
        ids = sanitize.prefix_ids(root)
        self._ids = ids
        for element in root.iter("img", "source"):  # sizes are the pipeline's to say (removals told the editor)
            for name in sanitize.GENERATED_ATTRIBUTES:
                element.attrib.pop(name, None)
        written_at = SourceLines(item, around=" \t\r\n()<>\"'")
        for element in root.iter(*_URL_ATTRS):
            for attribute in _URL_ATTRS[element.tag]:
                if element.get(attribute) is not None:
                    self._resolve_attribute(item, element, attribute, view, page_urls, findings, strict, assets,
                                            links, ids, written_at)
        _captions(root)
        text = lxml_html.tostring(root, encoding="unicode")
        return text[len("<div>"): -len("</div>")], forged

    def _resolve_attribute(self, item, element, attribute, view, page_urls, findings, strict, assets, links,
                           ids, written_at: "SourceLines") -> None:
        written = sanitize.browser_url(element.get(attribute))  # as the reader's browser will take it
        located: list[int] = []

        def line() -> int:  # looked for only when there is something to report
            if not located:
                located.append(written_at(written))
            return located[0]

        if element.tag == "iframe" and not sanitize.embeddable(written, self.settings.embed_hosts):
            return  # the sanitiser removes it, and removals() said so
        picture = (element.tag, attribute) in _PICTURES
        if (element.tag == "img" and sanitize.scheme_of(written) in ("", "http", "https")
                and not (element.get("alt") or "").strip()):
            findings.add(item.source, line(), "image-alt-missing", src=written,
                         fix="请在 ![] 的方括号中写明图片内容")
        elif element.tag == "img" and alttext.is_file_name(element.get("alt"), written):
            findings.add(item.source, line(), "image-alt-filename", src=written, alt=element.get("alt").strip())
        if element.tag == "a" and written[:7].lower() == "http://":
            try:
                own = self._own(urlsplit(written))
            except ValueError:
                own = False
            if not own:
                findings.add(item.source, line(), "link-http", target=written)
        known = len(assets)
        try:
            target = self.resolve(item, written, view, page_urls, strict, assets, element.tag in _LOADED, ids)
        except Problem as problem:
            code, fields = problem.code, problem.fields
            if code == "link-missing" and picture:
                code, fields = "image-missing", {"src": written}
            elif code == "attachment-active":
                kind = "picture" if picture else "media" if element.tag in _LOADED else "link"
                fields = {**fields, "fix": _FIX_ACTIVE[kind]}
            elif code == "link-reserved":
                return  # reported once per line from the source (_report_reserved)
            findings.add(item.source, line(), code, **fields)
            return
        if target is None:
            element.set(attribute, written)  # kept as the browser reads it (no stray spaces to escape)
            return
        element.set(attribute, target)
        if not target.startswith(MARK):
            return  # a fragment inside the body
        if picture and len(assets) > known:
            path = assets[-1][1]
            if path.suffix.lower() not in IMAGE_SUFFIXES:
                findings.add(item.source, line(), "image-type", src=written)
            elif found := images.problem(path):
                findings.add(item.source, line(), found[0], src=written, **found[1])
            variants = self.pictures.picture(path)
            if variants is None and self.pictures.failed(path):
                findings.add(item.source, line(), "image-broken", src=written)
            if element.tag == "video":  # a poster: the largest variant stands in for the original
                if variants is not None:
                    assets.pop()
                    assets.append((variants.largest.output, variants.largest.file))
                    element.set(attribute, MARK + variants.largest.output)
            elif variants is None:
                self._size(element, path)
            else:  # the variants are published instead of the original
                assets.pop()
                assets.extend(variants.assets())
                self._picture(element, variants)
        elif element.tag == "a" and len(assets) > known and assets[-1][1].suffix.lower() in IMAGE_SUFFIXES:
            # 「[原图](photo.jpg)」: the original would carry the camera's EXIF and GPS. The link gets
            # the pipeline's largest variant instead: the same picture, with nothing but its pixels.
            path = assets[-1][1]
            variants = self.pictures.picture(path)
            if variants is not None:
                assets[-1] = (variants.largest.output, variants.largest.file)
                target = MARK + variants.largest.output
                element.set(attribute, target)
            else:  # never the original: the link is reported instead
                assets.pop()
                found = images.problem(path)
                code, fields = found if found and found[0] != "image-oversized" else ("image-broken", {})
                findings.add(item.source, line(), code, src=written, **fields)
                return
        if element.tag == "a":
            links.append(target[len(MARK):])

    @staticmethod
    def _picture(element, variants: responsive.PictureSet) -> None:
        """<img> → <picture> with a WebP source, the fallback's srcset, and the size of the largest."""
        def candidates(chosen):
            return responsive.srcset(chosen, lambda output: MARK + output)

        element.set("src", MARK + variants.src.output)
        element.set("srcset", candidates(variants.fallback))
        element.set("sizes", BODY_SIZES)
        if not element.get("width"):
            element.set("width", str(variants.largest.width))
            element.set("height", str(variants.largest.height))
        element.set("loading", element.get("loading") or "lazy")
        element.set("decoding", "async")
        parent = element.getparent()
        if parent is None or parent.tag == "picture":
            return  # the editor's own <picture>: the img carries the sizes, their sources are ignored
        wrapper = lxml_html.Element("picture")
        wrapper.tail, element.tail = element.tail, None
        parent.replace(element, wrapper)
        source = lxml_html.Element("source", type="image/webp", srcset=candidates(variants.webp), sizes=BODY_SIZES)
        wrapper.append(source)
        wrapper.append(element)
        if any(ancestor.tag == "a" for ancestor in wrapper.iterancestors()):
            return  # the editor linked the picture somewhere: that link wins over the lightbox
        # Opens large in the page's lightbox (lightbox.js); without it, a link to the large file.
        zoom = lxml_html.Element("a", href=MARK + variants.largest.output)
        zoom.set("class", "up-lightbox")
        zoom.tail, wrapper.tail = wrapper.tail, None
        parent.replace(wrapper, zoom)
        zoom.append(wrapper)

    @staticmethod
    def _size(element, path: Path) -> None:
        """width/height from the file (no layout shift on a slow phone) and lazy loading."""
        if not element.get("width"):
            size = pixel_size(path)
            if size:
                element.set("width", str(size[0]))
                element.set("height", str(size[1]))
        element.set("loading", element.get("loading") or "lazy")
        element.set("decoding", "async")

    def check_images(self, item: Item, view, findings: Findings, strict: bool, keep=None) -> None:
        """Front-matter images (cover, photo, works) must be image files, and a public item's may not
        come out of a non-public item's bundle. `keep` (serve's, as engine.prepare takes it): the
        files' part as the last run found it, for the same item, settings and files beside it and the
        same size and time of each picture (a picture whose name the content's other files leave out,
        load.is_junk, is told by its own); the bundles' part looks across items, so it runs each time."""
        if not item.images:
            return
        if keep is None:
            usable = self._check_image_files(item.images, item.source, findings)
        else:
            usable = keep("images", item, findings,
                          lambda found: self._check_image_files(item.images, item.source, found),
                          *(_stat_of(image.path) for image in item.images))
        for image in usable:
            self._check_owner(image, item, item.source, view, findings, strict)

    def check_list_images(self, rows, source: str, view, findings: Findings, public: frozenset[str]) -> None:
        """Images of list rows (a topic's cover): a public row's are public, so they may not come from
        a non-public item's bundle; a held-back row's may, like a draft's (`public`: the public keys)."""
        for row in rows:
            image = getattr(row, "cover", None)
            if image is not None:
                for usable in self._check_image_files((image,), source, findings):
                    self._check_owner(usable, None, source, view, findings, strict=row.key in public)

    def _check_image_files(self, pictures, source: str, findings: Findings) -> tuple:
        """The pictures' files: each an image file that reads whole. Returns those that are image files
        (only those can come out of a bundle)."""
        usable = []
        for image in pictures:
            if image.path is None:
                continue
            if image.path in self.targets.by_file or image.path.suffix.lower() not in IMAGE_SUFFIXES:
                findings.add(source, image.line, "image-type", src=image.src)
                continue
            if found := images.problem(image.path):
                findings.add(source, image.line, found[0], src=image.src, **found[1])
            elif self.pictures.failed(image.path):  # the header reads, the picture does not (cut short)
                findings.add(source, image.line, "image-broken", src=image.src)
            usable.append(image)
        return tuple(usable)

    def _check_owner(self, image, item, source: str, view, findings: Findings, strict: bool) -> None:
        owner = self.targets.owner(image.path)
        if strict and owner is not None and owner is not item and owner not in view:
            findings.add(source, image.line, "link-hidden", target=image.src, label=owner.label, other=owner.source)
