"""The build manifest: every file of a production build with its sha256, size, content type, cache
class and upload stage, written after the post-build audit passed (hooks/build.py). `unionpress
publish` (upload.py) diffs it against the manifest stored in the bucket and uploads only what changed.

The build's control folder `_unionpress/` holds what is about the build rather than the site:

    _unionpress/manifest.json     production builds only, after the audit passed ("audit": "passed"):
                                  its presence is the proof that the audit ran; not listed in itself
    _unionpress/preview.txt       preview builds only, instead of a manifest: publish refuses the folder

and beside the folder, never in it, `SITE.next-change.txt` (site.next-change.txt for site/): every
build writes when the site next changes by itself (schedule.py), or an empty line. Not in the folder,
because whatever ships the folder (mkdocs gh-deploy, a CI artifact, a federation's public/) would
announce an embargo's time; and kept when a later build fails, so a cron job still knows when to try.

MkDocs empties the site folder before each build (a non-hidden folder, so it is emptied too), and
hooks/build.py removes the control folder before the build starts as well (`mkdocs build --dirty`):
a manifest never survives into a build that did not pass its audit.

Not an output of OUTPUTS: outputs are audited, and the manifest describes what the audit saw.
"""

from __future__ import annotations

import datetime as dt
import json
import marshal
import mimetypes
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from pathlib import Path
from types import MappingProxyType

from .. import responsive, schedule, sitefiles
from ..config import Settings
from ..feedsets import feed_sets

CONTROL = sitefiles.CONTROL
MANIFEST = f"{CONTROL}/manifest.json"
PREVIEW_MARKER = f"{CONTROL}/preview.txt"
NEXT_CHANGE = ".next-change.txt"  # the suffix of the file beside the site folder (next_change_file)
FORMAT = 1
AUDIT_PASSED = "passed"

# Upload stages, in order, so a reader never meets a page before what it uses, or a listing before
# the pages it links: what pages use (pictures, styles, scripts, search fragments, downloads) → pages →
# what points at pages (listings, the search metadata, feeds, sitemap). The manifest goes last.
FILES, PAGES, LISTINGS = 1, 2, 3
STAGE_NAMES = {FILES: "图片、样式、脚本和搜索分片", PAGES: "页面", LISTINGS: "列表页、搜索元数据、订阅源和站点地图"}

# Cache classes → Cache-Control. Content-hashed names never change their bytes, so a year and
# `immutable`; everything else may change at the next publish, so five minutes.
IMMUTABLE, SHORT = "immutable", "short"
CACHE_CONTROL = MappingProxyType({IMMUTABLE: "public, max-age=31536000, immutable", SHORT: "public, max-age=300"})

TEXT = "; charset=utf-8"
TYPES = MappingProxyType({
    ".html": "text/html" + TEXT, ".htm": "text/html" + TEXT, ".xhtml": "application/xhtml+xml" + TEXT,
    ".css": "text/css" + TEXT, ".js": "text/javascript" + TEXT, ".mjs": "text/javascript" + TEXT,
    ".json": "application/json" + TEXT, ".map": "application/json" + TEXT,
    ".webmanifest": "application/manifest+json" + TEXT, ".xml": "application/xml" + TEXT,
    ".txt": "text/plain" + TEXT, ".csv": "text/csv" + TEXT, ".svg": "image/svg+xml" + TEXT,
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif", ".webp": "image/webp",
    ".avif": "image/avif", ".ico": "image/x-icon", ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf",
    ".otf": "font/otf", ".wasm": "application/wasm", ".epub": "application/epub+zip", ".zip": "application/zip",
    ".pdf": "application/pdf", ".gz": "application/gzip", ".mp4": "video/mp4", ".mp3": "audio/mpeg",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    # Pagefind's index chunks and its compressed WebAssembly: bytes its own script fetches and unpacks
    ".pf_fragment": "application/octet-stream", ".pf_index": "application/octet-stream",
    ".pf_filter": "application/octet-stream", ".pf_meta": "application/octet-stream",
    ".pagefind": "application/octet-stream",
})
FEED_TYPES = MappingProxyType({"rss": "application/rss+xml" + TEXT, "atom": "application/atom+xml" + TEXT,
                               "json": "application/feed+json" + TEXT})
OCTETS = "application/octet-stream"

PICTURES = responsive.OUTPUT_DIR + "/"  # variants named by the hash of their bytes and settings
# (every index: pagefind/ and each shelf of the rest, pagefind/archive/N/, outputs/search.py)
_PAGEFIND_CHUNKS = re.compile(r"^pagefind/(?:archive/[0-9]+/)?(?:fragment|index|filter)/[^/]+\.pf_(?:fragment|index|filter)$"
                              r"|^pagefind/(?:archive/[0-9]+/)?pagefind\.[^/]+\.pf_meta$")
# The site's stylesheets, named by the hash of their bytes (pages/styles.py: core.0123456789.css)
_FINGERPRINTED = re.compile(r"^assets/unionpress/[a-z]+\.[0-9a-f]{10}\.css$")
# What a search needs before its fragments: Pagefind's entry point and metadata, our query tables
_SEARCH_META = re.compile(r"^pagefind/(?:archive/[0-9]+/)?pagefind-entry\.json$"
                          r"|^pagefind/(?:archive/[0-9]+/)?pagefind\.[^/]+\.pf_meta$"
                          r"|^search/query\.json$")
_SITE_FILES = ("sitemap.xml", "sitemap.xml.gz", "robots.txt")


@dataclass(frozen=True)
class Entry:
    """One file of the build, as publish uploads it."""

    path: str  # site path, "/"-separated, no leading slash
    sha256: str
    md5: str  # what S3-compatible stores report as the ETag of a single-part upload
    size: int
    type: str  # Content-Type
    cache: str  # IMMUTABLE | SHORT
    stage: int  # FILES | PAGES | LISTINGS

    @property
    def cache_control(self) -> str:
        return CACHE_CONTROL[self.cache]

    def as_json(self) -> dict:
        return {"sha256": self.sha256, "md5": self.md5, "size": self.size, "type": self.type,
                "cache": self.cache, "stage": self.stage}


@dataclass(frozen=True)
class Manifest:
    files: Mapping[str, Entry]
    audit: str  # AUDIT_PASSED when the post-build audit passed
    clock: str  # the build clock (ISO, the union's offset)
    content_commit: str | None  # the content folder's last Git commit when built (None outside Git)

    def to_bytes(self) -> bytes:
        return "".join(self._pieces()).encode("utf-8")

    def write_to(self, target: Path) -> None:
        """The document into `target` piece by piece: at 126,000 files it is 32 MB, which with the list
        of its entries, their join and its encoding was 100 MB more at the build's peak. Written whole
        or not at all: a manifest cut short by an error must not stand for the build."""
        partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
        try:
            with open(partial, "w", encoding="utf-8", newline="\n") as out:
                out.writelines(self._pieces())
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)

    def _pieces(self) -> Iterator[str]:
        """The document as json.dumps(ensure_ascii=False, indent=1, sort_keys=True) writes it, byte for
        byte, made by hand around the string encoder json itself uses: with an indent, json.dumps takes
        its Python encoder, 0.8 s for the 126,000 files of 10,000 stories (tests/test_publish.py holds
        the two equal)."""
        text = encode_basestring  # a str as json writes it with ensure_ascii=False (C)
        head = {"audit": self.audit, "clock": self.clock, "content_commit": self.content_commit}
        yield "{\n"
        for key, value in head.items():
            yield f" {text(key)}: {'null' if value is None else text(value)},\n"
        if not self.files:
            yield ' "files": {},\n'
        else:
            yield ' "files": {\n'
            between = ""
            for path in sorted(self.files):
                entry = self.files[path]
                yield (f'{between}  {text(path)}: {{\n   "cache": {text(entry.cache)},\n   "md5": {text(entry.md5)},\n'
                       f'   "sha256": {text(entry.sha256)},\n   "size": {int(entry.size)},\n'
                       f'   "stage": {int(entry.stage)},\n   "type": {text(entry.type)}\n  }}')
                between = ",\n"
            yield "\n },\n"
        yield f' "format": {FORMAT},\n "generator": "UnionPress"\n}}\n'

    @classmethod
    def from_bytes(cls, data: bytes) -> "Manifest":
        """Read a manifest; ValueError (with the reason in Chinese) when it is not one this version reads."""
        try:
            document = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"不是有效的 JSON（{exc}）") from None
        if not isinstance(document, dict) or document.get("format") != FORMAT or not isinstance(document.get("files"), dict):
            raise ValueError(f"格式不对（应为 UnionPress 构建清单第 {FORMAT} 版）")
        try:
            files = {path: Entry(path, str(f["sha256"]), str(f["md5"]), int(f["size"]), str(f["type"]),
                                 str(f["cache"]), int(f["stage"])) for path, f in document["files"].items()}
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"文件条目不完整（{exc}）") from None
        if any(entry.cache not in CACHE_CONTROL or entry.stage not in STAGE_NAMES for entry in files.values()):
            raise ValueError("文件条目的缓存类别或上传阶段不认识")
        return cls(MappingProxyType(files), str(document.get("audit")), str(document.get("clock", "")),
                   document.get("content_commit"))

    def ordered(self) -> list[Entry]:
        """Every file in upload order: by stage, then by path (a stable order)."""
        return sorted(self.files.values(), key=lambda entry: (entry.stage, entry.path))


digests, site_files = sitefiles.digests, sitefiles.site_files  # upload.py and the tests read them here


@dataclass(frozen=True)
class Roles:
    """What the build knows about its files beyond their names: which HTML files are listings and which
    files are feeds of which format. Empty roles (a folder without its build) still classify by name."""

    listings: frozenset[str] = frozenset()
    feeds: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # path → rss | atom | json


def roles(build) -> Roles:
    """From the public view: a planned page that shows no item is a listing (home, columns, tags, the
    gallery's filters, a profile's stories …); hand-written pages and item pages are pages."""
    listings = frozenset(page.output for page in build.public_pages if page.item is None)
    feeds = {feed.url(fmt): fmt for feed in feed_sets(build.public, build.settings) for fmt in FEED_TYPES}
    return Roles(listings, MappingProxyType(feeds))


@dataclass(frozen=True)
class Sealing:
    """What the manifest takes of a build, taken as its outputs are written: after that the audit and
    the manifest need nothing else of the model, and a build of its own lets the model go before the
    audit (hooks/build.py), the build's highest point in memory."""

    settings: Settings
    roles: Roles
    next_change: dt.datetime | None  # when the site next changes by itself (schedule.py)


def sealing(build) -> Sealing:
    return Sealing(build.settings, roles(build), schedule.next_change(build.catalog, build.settings))


def content_type(path: str, known: Roles) -> str:
    if path in known.feeds:
        return FEED_TYPES[known.feeds[path]]
    suffix = os.path.splitext(path)[1].lower()  # a Path's suffix, without making a Path per file
    suffix = "" if suffix == "." else suffix
    if suffix in TYPES:
        return TYPES[suffix]
    guessed = mimetypes.guess_type(path, strict=False)[0]
    if guessed and guessed.startswith("text/"):
        return guessed + TEXT
    return guessed or OCTETS


def cache_class(path: str) -> str:
    if path.startswith(PICTURES) or _PAGEFIND_CHUNKS.match(path) or _FINGERPRINTED.match(path):
        return IMMUTABLE
    return SHORT


def stage(path: str, known: Roles) -> int:
    if path in known.listings or path in known.feeds or path in _SITE_FILES or _SEARCH_META.match(path):
        return LISTINGS
    if path.endswith((".html", ".htm")):
        return PAGES
    return FILES


class Hashing:
    """Every file of a finished site folder read and hashed in a process of its own (sitefiles), begun
    as the audit begins: the manifest's reading (14 s at 10,000 stories) goes on the second core beside
    the audit's (19 s) instead of after it. Its hashes become a manifest only through `write`, which
    the build calls once the audit has passed."""

    def __init__(self, site_dir: Path, memo: Path | None = None) -> None:
        """`memo`: where the digests are kept for the next build of this folder (sitefiles.hashed)."""
        self.site_dir = site_dir
        self._out = tempfile.TemporaryFile()
        memo_args = [os.fspath(memo)] if memo is not None else []
        self._process = subprocess.Popen([sys.executable, "-P", "-m", "unionpress.sitefiles", os.fspath(site_dir),
                                          *memo_args],
                                         stdout=self._out, stderr=subprocess.DEVNULL,
                                         env=dict(os.environ, PYTHONPATH=sitefiles.package_path()))

    def result(self) -> dict[str, tuple[str, str, int]] | None:
        """The digests, or None when the process failed (the folder gone, a file that could not be read):
        `write` reads again."""
        with self._out:
            if self._process.wait() != 0:
                return None
            self._out.seek(0)
            try:
                hashed = marshal.load(self._out)  # what sitefiles wrote (a dict of tuples), as it wrote it
            except (EOFError, ValueError, TypeError):
                return None
            return hashed if type(hashed) is dict else None

    def cancel(self) -> None:
        self._process.kill()
        self._process.wait()
        self._out.close()


def make(site_dir: Path, known: Roles, clock: dt.datetime, content_commit: str | None,
         paths: Iterable[str] | None = None, hashed: Mapping[str, tuple[str, str, int]] | None = None) -> Manifest:
    """`hashed`: the files' digests already read (Hashing), for exactly the files of the folder."""
    files = {}
    root = os.fspath(site_dir)
    for path in (site_files(site_dir) if paths is None else paths):
        sha, md5, size = hashed[path] if hashed is not None else digests(os.path.join(root, path))
        files[path] = Entry(path, sha, md5, size, content_type(path, known), cache_class(path), stage(path, known))
    return Manifest(MappingProxyType(files), AUDIT_PASSED, clock.isoformat(), content_commit)


def last_commit(folder: Path) -> str | None:
    """The last Git commit that touched a folder (None when it is not in a Git repository, or Git is
    missing): a build records it, and publish refuses a build older than the content."""
    git = shutil.which("git")
    if git is None:
        return None
    try:
        # Not .wechat/: `wechat push` records its uploads there, and committing that record changes no page.
        done = subprocess.run([git, "-C", str(folder), "log", "-1", "--format=%H", "--", ".", ":(exclude).wechat"],
                              capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def clear(site_dir: Path) -> None:
    """Before a build: no control file of an earlier build may describe this one."""
    shutil.rmtree(site_dir / CONTROL, ignore_errors=True)


def next_change_file(site_dir: Path) -> Path:
    """Where a build of `site_dir` says when the site next changes: beside the folder, not in it."""
    site_dir = Path(site_dir).resolve()
    return site_dir.parent / f"{site_dir.name}{NEXT_CHANGE}"


def write_next_change(site_dir: Path, when: dt.datetime | None) -> dt.datetime | None:
    target = next_change_file(site_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text((when.isoformat() if when else "") + "\n", encoding="utf-8")
    return when


def write_preview_marker(site_dir: Path) -> None:
    target = site_dir / PREVIEW_MARKER
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("预览构建（UNIONPRESS_PREVIEW=1）：含草稿和未到发布时间的内容，不能发布。\n"
                      "This is a preview build with drafts: it must not be published.\n", encoding="utf-8")


def write(site_dir: Path, build: Sealing, hashing: Hashing | None = None) -> Manifest:
    """The manifest of a production build whose audit passed (the caller's promise: hooks/build.py
    calls this only then), from `hashing` when it read this folder's files while the audit ran."""
    settings = build.settings
    if settings.preview:
        raise ValueError("a preview build has no manifest")
    # Begun after the last output was written (hooks/build.py), so its list is the folder's own.
    hashed = hashing.result() if hashing is not None and hashing.site_dir == site_dir else None
    manifest = make(site_dir, build.roles, settings.now, last_commit(settings.content_dir),
                    paths=sorted(hashed) if hashed is not None else None, hashed=hashed)
    target = site_dir / MANIFEST
    target.parent.mkdir(parents=True, exist_ok=True)
    manifest.write_to(target)
    return manifest


def read(site_dir: Path) -> Manifest | None:
    """The manifest of a built folder (None when there is none); ValueError when it is unreadable."""
    target = site_dir / MANIFEST
    if not target.is_file():
        return None
    return Manifest.from_bytes(target.read_bytes())
