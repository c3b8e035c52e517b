"""Audit: the last line of defence after a build.

`publish.is_public` is the first line: every page, listing, feed and export is meant to ask it whether
an item may leave the building. This audit does not trust that everyone asked. After a production
build it walks the WHOLE output folder (pages, feeds, sitemaps, the search index, downloads, and the
members of every archive in it) and reports whatever a non-public item (draft, embargoed, unreviewed)
would leave behind if it leaked:

* its page address, e.g. ``stories/draft-one`` (also inside ``https://…/stories/draft-one/`` and
  ``../../stories/draft-one/``); the characters on either side must not be ``[a-z0-9-]``, so
  ``stories/draft-one-more`` and ``substories/draft-one`` are other pages, not this one;
* its title, when it has at least 4 characters (shorter ones occur in ordinary prose), as written,
  HTML/XML-escaped and JSON-escaped;
* the bytes of asset files only non-public items use (by sha256, whatever the copy is called);
* an output path inside its page folder (``stories/draft-one/index.html``), and its slug as a whole
  segment or file stem of a path under ``exports/`` or ``downloads/`` (``exports/partners/draft-one.zip``),
  where per-item files are named by slug. Elsewhere a slug is an ordinary word (a tag page
  ``tags/gong-jiang/``, a pager's ``page/2/``) and is not evidence of anything.

A new output that forgets the gate then fails the build here instead of reaching the public web.
Preview builds show non-public items on purpose; ``pages_may_show=True`` exempts what the preview
shows (HTML pages and media) and keeps checking everything that is meant for the outside.

Plain module, no MkDocs import, so the CLI and tests can run it on any folder.

Not covered: text an archive format splits up (a Word title spread over several ``<w:t>`` runs),
tar members' names, encrypted zip members, and members too large to unpack (see ``MEMBER_LIMIT``).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import itertools
import json
import os
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable
from urllib.parse import quote, unquote

import ahocorasick

from .findings import Findings
from .kinds import ITEM_KINDS


@dataclass(frozen=True)
class Secret:
    """What a non-public item would leave behind if it leaked."""
    source: str                 # its content file as editors see it, e.g. "content/stories/2026/draft-one.md"
    url: str                    # its page URL relative to the site root, e.g. "stories/draft-one/" ("" if the kind has no page)
    title: str                  # its title or name ("" if none)
    digests: frozenset[str] = frozenset()   # sha256 hex of asset files that ONLY non-public items use


@dataclass(frozen=True)
class Leak:
    output: str    # path inside the output folder, POSIX; archive members "downloads/x.epub!OEBPS/ch1.xhtml"; gzip "sitemap.xml.gz!"
    source: str    # Secret.source
    what: str      # Chinese description of what was found


WHAT_URL = "页面地址 {url}"
WHAT_TITLE = "标题「{title}」"
WHAT_ASSET = "图片或附件（与未发布内容的文件相同）"
WHAT_PATH = "文件路径"

MIN_TITLE = 4                   # characters; "通知" or "草稿一" appear in ordinary text
MEMBER_LIMIT = 200 * 2**20      # bytes unpacked per archive member / gzip stream: a bomb must not hang the build
ARCHIVE_BUDGET = 2**30          # bytes unpacked in total per output file, for bombs made of many members
MAX_DEPTH = 4                   # archives inside archives; deeper ones are scanned as raw bytes
CHUNK = 16 * 2**20              # read size; large media are scanned in pieces instead of whole

ZIP_SUFFIXES = (".zip", ".epub", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp")
PAGE_SUFFIXES = (".html", ".htm")
# Not text: what a preview may show as is. Anything unknown counts as text, so it is scanned.
MEDIA_SUFFIXES = frozenset(
    ".png .jpg .jpeg .gif .webp .avif .bmp .ico .tif .tiff .svg .heic .heif "
    ".mp3 .m4a .aac .ogg .oga .opus .wav .flac .mp4 .m4v .webm .mov .avi .mkv "
    ".pdf .doc .xls .ppt .wps .et .dps .woff .woff2 .ttf .otf .eot".split())
# Generated text is never a copy of an editor's file, and it is most of the bytes: not worth hashing.
UNHASHED = frozenset(".html .htm .xhtml .xml .json .js .mjs .css .map".split())
SLUG_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")

# Each special character as the writers we ship through escape it (html.escape, MarkupSafe/Jinja,
# ElementTree, lxml, Python-Markdown), plus left alone. A title uses one spelling per character.
_HTML_FORMS = {
    "&": ("&", "&amp;", "&#38;"),
    "<": ("<", "&lt;", "&#60;"),
    ">": (">", "&gt;", "&#62;"),
    '"': ('"', "&quot;", "&#34;"),
    "'": ("'", "&#39;", "&#x27;", "&apos;"),
}
# Jinja's |tojson escapes these so JSON can sit inside <script>.
_JS_SAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027"}


def audit(site_dir: Path, secrets: Iterable[Secret], *, pages_may_show: bool = False) -> list[Leak]:
    """Every trace of `secrets` under `site_dir`, sorted by output path, source, what; each once.

    `pages_may_show=True` is for preview builds: `.html` pages and media are allowed to show
    non-public items (no marker, digest or path check on them; everything under `media/` is exempt),
    but every other file, and every archive with everything inside it, is checked as in production.
    """
    auditor = _Auditor(_Markers(list(secrets)), preview=pages_may_show)
    root = Path(site_dir)
    for rel, path in _walk(root):
        auditor.file(rel, path)
    return [Leak(*found) for found in sorted(auditor.leaks)]


# ---------------------------------------------------------------------------------------------
# Markers: everything searched for, in one Aho-Corasick automaton.


def _latin(text: str) -> str:
    # pyahocorasick only takes str keys; latin-1 maps bytes 1:1 to code points, so matching UTF-8
    # bytes decoded as latin-1 stays byte-exact and works on binary files too.
    return text.encode("utf-8").decode("latin-1")


def _url_path(url: str) -> str:
    return url.strip().strip("/")


def _url_forms(path: str) -> set[str]:
    forms = {path, path.replace("/", "\\/")}  # "\/" as some JSON writers escape slashes
    encoded = quote(path, safe="/-._~")       # non-ASCII paths as they appear in href attributes
    forms |= {encoded, re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), encoded)}
    return forms


def _html_forms(title: str) -> set[str]:
    specials = sorted(set(title) & _HTML_FORMS.keys())
    forms = set()
    for spelling in itertools.product(*(_HTML_FORMS[c] for c in specials)):
        table = dict(zip(specials, spelling))
        forms.add("".join(table.get(c, c) for c in title))
    return forms


def _json_forms(text: str) -> set[str]:
    ascii_ = json.dumps(text, ensure_ascii=True)[1:-1]
    forms = {ascii_, json.dumps(text, ensure_ascii=False)[1:-1],
             re.sub(r"\\u([0-9a-f]{4})", lambda m: "\\u" + m.group(1).upper(), ascii_)}
    for form in list(forms):
        forms.add("".join(_JS_SAFE.get(c, c) for c in form))
    return forms


def _title_forms(title: str) -> set[str]:
    forms = _html_forms(title)
    for form in list(forms):  # JSON of the raw title, and of the escaped one (search indexes hold HTML)
        forms |= _json_forms(form)
    return forms


def _slug(path: str) -> str:
    last = path.rsplit("/", 1)[-1]
    if last.endswith(".html"):  # use_directory_urls: false
        last = last[:-5]
    return unquote(last).lower()


class _Markers:
    def __init__(self, secrets: list[Secret]):
        self.sources = [s.source for s in secrets]
        table: dict[str, set[tuple[int, str, bool]]] = {}  # key → {(secret, what, needs boundary)}
        self.digests: dict[str, list[int]] = {}
        self.slugs: dict[str, list[int]] = {}
        self.folders: list[tuple[str, int]] = []  # (page folder + "/", secret)
        for i, secret in enumerate(secrets):
            path = _url_path(secret.url)
            if path:
                what = WHAT_URL.format(url=secret.url)
                for form in _url_forms(path):
                    table.setdefault(_latin(form), set()).add((i, what, True))
                if slug := _slug(path):
                    self.slugs.setdefault(slug, []).append(i)
                self.folders.append((unquote(path).lower() + "/", i))
            title = secret.title.strip()
            if len(title) >= MIN_TITLE:
                what = WHAT_TITLE.format(title=title)
                for form in _title_forms(title):
                    table.setdefault(_latin(form), set()).add((i, what, False))
            for digest in secret.digests:
                self.digests.setdefault(digest.strip().lower(), []).append(i)
        self.longest = max(map(len, table), default=0)
        self.automaton = None
        if table:
            self.automaton = ahocorasick.Automaton()
            for key, hits in table.items():
                self.automaton.add_word(key, (len(key), tuple(sorted(hits))))
            self.automaton.make_automaton()


ZWSP = "\u200b".encode("utf-8").decode("latin-1")  # as the latin-1 text of its UTF-8 bytes


class _Scan:
    """Markers in a stream of chunks; matches across chunk edges are found through a kept tail."""

    def __init__(self, markers: _Markers):
        self.markers = markers
        self.tail = ""
        self.at_start = True   # text[0] is the first byte of the data
        self.found: set[tuple[int, str]] = set()
        self.pending: set[tuple[int, str]] = set()  # URL matches at the very end: boundary unknown yet

    def feed(self, chunk: bytes) -> None:
        # Pagefind's index separates Chinese words with U+200B: a draft's title must match through them.
        text = (self.tail + chunk.decode("latin-1")).replace(ZWSP, "")
        self.pending = set()  # the tail holds them; they are judged again with the next byte in sight
        last = len(text) - 1
        for end, (length, hits) in self.markers.automaton.iter(text):
            start = end - length + 1
            if start == 0 and not self.at_start:
                continue  # lies wholly in the previous text, judged there with both neighbours
            before_ok = start == 0 or text[start - 1] not in SLUG_CHARS
            for secret, what, bounded in hits:
                if not bounded:
                    self.found.add((secret, what))
                elif not before_ok:
                    pass
                elif end == last:
                    self.pending.add((secret, what))
                elif text[end + 1] not in SLUG_CHARS:
                    self.found.add((secret, what))
        keep = self.markers.longest + 1  # a whole marker plus the byte before it
        if len(text) > keep:
            self.tail, self.at_start = text[-keep:], False
        else:
            self.tail = text

    def close(self) -> set[tuple[int, str]]:
        return self.found | self.pending  # end of data is a boundary


# ---------------------------------------------------------------------------------------------
# Walking the output.


def _walk(root: Path) -> list[tuple[str, Path]]:
    files = []
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            path = Path(dirpath, name)
            files.append((path.relative_to(root).as_posix(), path))
    return sorted(files)


def _suffix(name: str) -> str:
    return os.path.splitext(name.rsplit("/", 1)[-1].lower())[1]


SLUG_NAMED = ("exports/", "downloads/")


def _stems(segment: str):
    yield segment
    for i, char in enumerate(segment):
        if char == "." and i > 0:
            yield segment[:i]  # draft-one.zip, draft-one.v2.tar.gz


class _Auditor:
    def __init__(self, markers: _Markers, preview: bool):
        self.markers = markers
        self.preview = preview
        self.leaks: set[tuple[str, str, str]] = set()

    def add(self, output: str, secret: int, what: str) -> None:
        self.leaks.add((output, self.markers.sources[secret], what))

    def file(self, rel: str, path: Path) -> None:
        relaxed = self.preview
        if relaxed and rel.startswith("media/"):
            return  # the preview copies non-public items' images and attachments here on purpose
        if not (relaxed and rel.lower().endswith(PAGE_SUFFIXES)):
            self.path_rule(rel, rel)
        try:
            with open(path, "rb") as f:
                self.blob(f, rel, rel, depth=0, relaxed=relaxed, budget=[ARCHIVE_BUDGET])
        except OSError:
            pass  # a dangling symlink serves nothing

    def path_rule(self, path: str, output: str, member: bool = False) -> None:
        path = path.replace("\\", "/").lower()
        for folder, secret in self.markers.folders:  # the item's own page folder: stories/draft-one/…
            if path.startswith(folder):
                self.add(output, secret, WHAT_PATH)
        # Per-item exports and downloads are named by the slug (exports/partners/draft-one.zip). Only
        # there: elsewhere a slug is an ordinary word (a tag gong-jiang, a pager's page/2/).
        if not self.markers.slugs or not (member or path.startswith(SLUG_NAMED)):
            return  # an archive's members are per-item files wherever the archive is
        for segment in path.split("/")[0 if member else 1:]:
            for stem in set(_stems(segment)) if segment else ():
                for secret in self.markers.slugs.get(stem, ()):
                    self.add(output, secret, WHAT_PATH)

    def blob(self, f: BinaryIO, name: str, output: str, *, depth: int, relaxed: bool, budget: list[int]) -> None:
        """One file or archive member: `name` decides its kind, `output` is how leaks name it."""
        lower = name.lower()
        suffix = _suffix(lower)
        shown = relaxed and (lower.endswith(PAGE_SUFFIXES) or suffix in MEDIA_SUFFIXES)
        markers = not shown
        digest = bool(self.markers.digests) and not relaxed and suffix not in UNHASHED
        head = f.read(4)
        f.seek(0)
        if depth < MAX_DEPTH and (lower.endswith(ZIP_SUFFIXES) or head in (b"PK\x03\x04", b"PK\x05\x06")):
            if self.zip(f, output, depth=depth, budget=budget):
                if digest:
                    f.seek(0)
                    self.stream(f, output, markers=False, digest=True)
                return
            f.seek(0)  # corrupt: scanned as the bytes it is
        if depth < MAX_DEPTH and head[:2] == b"\x1f\x8b":
            inner = self.gunzip(f, budget)
            if inner is not None:
                if digest:
                    f.seek(0)
                    self.stream(f, output, markers=False, digest=True)
                # gzip is only transport: "x.html.gz" is still a page, "sitemap.xml.gz" still a sitemap
                inner_name = name[:-3] if lower.endswith(".gz") else name
                self.blob(io.BytesIO(inner), inner_name, output + "!", depth=depth + 1, relaxed=relaxed,
                          budget=budget)
                return
            f.seek(0)
        self.stream(f, output, markers=markers, digest=digest)

    def zip(self, f: BinaryIO, output: str, *, depth: int, budget: list[int]) -> bool:
        try:
            archive = zipfile.ZipFile(f)
            members = archive.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, KeyError):
            return False
        for info in members:
            member = info.filename.replace("\\", "/")
            where = f"{output}!{member}"
            self.path_rule(member, where, member=True)  # even for members too big to open: the name is visible
            if info.is_dir():
                continue
            limit = min(MEMBER_LIMIT, budget[0])
            if info.file_size > limit:
                continue
            try:
                with archive.open(info) as handle:
                    data = handle.read(limit + 1)  # the declared size may lie
            except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, OSError, EOFError,
                    ValueError):
                continue  # corrupt or encrypted member: nothing readable to leak
            if len(data) > limit:
                continue
            budget[0] -= len(data)
            # Archives are downloads and exports, meant for the outside even in a preview: full rules.
            self.blob(io.BytesIO(data), member, where, depth=depth + 1, relaxed=False, budget=budget)
        if archive.comment:
            self.stream(io.BytesIO(archive.comment), output, markers=True, digest=False)
        return True

    def gunzip(self, f: BinaryIO, budget: list[int]) -> bytes | None:
        limit = min(MEMBER_LIMIT, budget[0])
        try:
            with gzip.GzipFile(fileobj=f) as stream:
                data = stream.read(limit + 1)
        except (gzip.BadGzipFile, zlib.error, OSError, EOFError, ValueError):
            return None
        if len(data) > limit:
            return None  # too big to unpack: the compressed bytes are all we can scan
        budget[0] -= len(data)
        return data

    def stream(self, f: BinaryIO, output: str, *, markers: bool, digest: bool) -> None:
        scan = _Scan(self.markers) if markers and self.markers.automaton is not None else None
        sha = hashlib.sha256() if digest else None
        if scan is None and sha is None:
            return
        while chunk := f.read(CHUNK):
            if scan is not None:
                scan.feed(chunk)
            if sha is not None:
                sha.update(chunk)
        if scan is not None:
            for secret, what in scan.close():
                self.add(output, secret, what)
        if sha is not None:
            for secret in self.markers.digests.get(sha.hexdigest(), ()):
                self.add(output, secret, WHAT_ASSET)


# -- from a build ---------------------------------------------------------------------------------------

def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def secrets(build) -> list[Secret]:
    """What every non-public item of a build would leave behind: URL, title, and the files only it uses."""
    from . import responsive

    pictures = responsive.pipeline(build.settings)

    def with_variants(paths) -> set[Path]:
        # The site publishes a picture's variants instead of the original: both are its traces.
        found = set(paths)
        for path in paths:
            variants = pictures.picture(path)
            if variants is not None:
                found |= {file for _output, file in variants.assets()}
        return found

    public_files: set[Path] = set()
    hidden_files: dict[int, set[Path]] = {}
    for item in build.catalog.items:
        files = {image.path for image in item.images if image.path is not None}
        body = build.bodies.get(id(item))
        if body is not None:
            files |= {path for _output, path in body.assets}
        files = with_variants(files)
        if item in build.public:
            public_files |= files
        else:
            hidden_files[id(item)] = files
    for rows in build.catalog.lists.values():  # topic covers and the like are public
        for row in rows.values():
            cover = getattr(row, "cover", None)
            if cover is not None and cover.path is not None:
                public_files |= with_variants({cover.path})
    # A title that public content itself contains (a revision copy's, a person named in a public
    # story before their profile is consented) is no evidence of a leak: leave it to URL and files.
    public_text = "\n".join(text for item in build.public.items()
                            for text in (item.label, getattr(item, "summary", ""), item.body))
    found = []
    for item in build.catalog.items:
        if item in build.public:
            continue
        kind = ITEM_KINDS[item.kind]
        url = kind.url(item) if kind.url else ""
        title = item.label if item.label != item.slug and item.label not in public_text else ""
        digests = frozenset(_digest(path) for path in sorted(hidden_files[id(item)] - public_files))
        found.append(Secret(item.source, url, title, digests))
    return found


def report(leaks: list[Leak], site_dir: Path) -> str:
    """The build's error message; the files that leak are removed so no deploy can ship them."""
    findings = Findings()
    for leak in leaks:
        findings.add(leak.source, 1, "leak", output=leak.output, what=leak.what)
    removed = sorted({leak.output.split("!", 1)[0] for leak in leaks})
    for name in removed:
        (site_dir / name).unlink(missing_ok=True)
    lines = [finding.format() for finding in findings.sorted()]
    lines.append(f"共 {len(leaks)} 处泄露；已删除 {len(removed)} 个输出文件，请勿发布此次构建。")
    return "UnionPress 发布检查未通过：\n" + "\n".join(lines)
