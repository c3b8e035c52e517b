"""Audit: the last line of defence after a build.

`publish.is_public` is the first line: every page, listing, feed and export is meant to ask it whether
an item may leave the building. This audit does not trust that everyone asked. After a production
build it walks the WHOLE output folder (pages, feeds, sitemaps, the search index, downloads, and the
members of every archive in it) and reports whatever a non-public item (draft, embargoed, unreviewed)
or a held-back list row (a column, topic, honor or shelf whose gate holds it) would leave behind:

* **a link to its page**, in any form a browser or feed reader follows. Every text output (HTML,
  XHTML, SVG, XML feeds and sitemaps, JSON, Pagefind's fragments, …) is read for URLs: every value
  of an attribute that holds one (``href``, ``src``, ``srcset`` candidate by candidate, ``poster``,
  ``data-*src``/``*href``/``*url``, ``xlink:href`` …), and every other attribute value, JSON string
  or element text that is one token holding a ``/``; every JSON string under a key that names a URL
  (``url``, ``link``, ``href``, ``image``, ``id`` …); CSS ``url(…)`` and a refresh's ``url=``; and
  the markup inside JSON strings and escaped in XML text (a feed's ``content_html``, RSS
  ``<description>``). Each is resolved against the address of the file that holds it (so the sibling
  link ``../SLUG/`` on ``models/OTHER/index.html`` is ``models/SLUG``), its query and fragment
  dropped, percent-decoded, dot segments and doubled slashes removed, lower-cased, and matched against
  the hidden items' page folders (anything under ``stories/draft-one/``) and their other paths (a
  held-back topic's ``feeds/topics/KEY.xml``). An absolute URL counts when its host is the site's own
  (``site_url``); a root-relative one also when it is outside the site's folder. Links inside archive
  members count only when absolute: relative ones point inside the archive. The attributes are found
  with a regular expression, not an HTML parser, on purpose: it reads attributes wherever they are
  (in comments, CDATA, scripts, broken markup a parser would repair differently from a browser),
  one C-level pass per file, the same for HTML, SVG and XML. Reading too much is the safe side here.
* **its page address as text**, e.g. ``stories/draft-one`` (also inside ``https://…/stories/draft-one/``
  and ``../../stories/draft-one/``); the characters on either side must not be ``[a-z0-9-]``, so
  ``stories/draft-one-more`` and ``substories/draft-one`` are other pages, not this one;
* **its title or name**, as written, HTML/XML-escaped, JSON-escaped and percent-encoded, in text and in
  attribute values alike, whatever its length: most Chinese personal names have 2 or 3 characters.
  Decision on short names (under ``MIN_TITLE`` characters), to keep false alarms out:

  - searched only when they hold at least two letters outside ASCII (``王芳``, ``孙卫民``): ``AI``,
    ``5G`` or a one-character title occur inside ordinary words and code everywhere;
  - searched in text only, not in media (pictures, fonts, PDFs): six bytes of a 2-character name turn
    up by chance in gigabytes of compressed data; a 4-character title (12 bytes) does not;
  - not searched when public content itself holds them (below): a common name such as ``李明`` in a
    public story, or two characters that happen to stand side by side in the search's
    traditional→simplified table, the theme's word segmenter or a template, are no evidence. Left
    is a name that only shows where the engine joins two public texts (a template's words beside a
    public name); such a joint would need to spell a hidden person's name exactly.

  A title or name that public text contains is no evidence of a leak (a revision copy's title, a
  person named in a public story before their profile is consented): it is left to the URL, path and
  file checks. Public text is everything the site may show that does not come from a hidden item:
  every text field of public items and public list rows (titles, summaries, bodies as written and as
  rendered, quotes, employers, works, reviewers), the settings (site name, footer, partners …), the
  engine's templates and scripts, the theme's shipped scripts and language strings, and the search
  tables. The hand-written pages in docs/ count for short names only: a draft's full title written
  in one of them is the leak itself, as before; a two-character name there is too ambiguous.
* the bytes of asset files only non-public items use (by sha256, whatever the copy is called);
* an output path inside its page folder (``stories/draft-one/index.html``) or at one of its other
  paths, and its slug as a whole segment or file stem of a path under ``exports/`` or ``downloads/``
  (``exports/partners/draft-one.zip``), where per-item files are named by slug. Elsewhere a slug is
  an ordinary word (a tag page ``tags/gong-jiang/``, a pager's ``page/2/``) and is not evidence.

All markers of all secrets are searched with one Aho-Corasick automaton per build, and each output
file is read once. A new output that forgets the gate then fails the build here instead of reaching
the public web. Preview builds show non-public items on purpose; ``pages_may_show=True`` exempts what
the preview shows (HTML pages and media) and keeps checking everything that is meant for the outside.

Plain module, no MkDocs import, so the CLI and tests can run it on any folder.

Not covered: text an archive format splits up (a Word title spread over several ``<w:t>`` runs),
tar members' names, encrypted zip members, members too large to unpack (see ``MEMBER_LIMIT``), links
in text files larger than ``LINK_LIMIT`` (their markers are still searched), and short names inside
media files.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import html
import io
import itertools
import json
import logging
import os
import pickle
import re
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from typing import BinaryIO, Iterable, Iterator, Mapping
from urllib.parse import quote, unquote, urlsplit

import ahocorasick

from . import sitefiles
from .findings import Findings

log = logging.getLogger("mkdocs.hooks.unionpress")


@dataclass(frozen=True)
class Secret:
    """What a non-public item or held-back list row would leave behind if it leaked."""
    source: str                 # its content file as editors see it, e.g. "content/stories/2026/draft-one.md"
    url: str                    # its page URL relative to the site root, e.g. "stories/draft-one/" ("" if it has no page)
    title: str                  # its title or name ("" if none, or if public text holds it)
    digests: frozenset[str] = frozenset()   # sha256 hex of asset files that ONLY non-public items use
    line: int = 1               # its line in `source` (a list row's line; 1 for an item's own file)
    paths: tuple[str, ...] = ()  # other site paths only it has: a held-back topic's feeds/topics/KEY.xml …
    noun: str = "标题"           # what `title` is, for the message: 标题, 姓名 (a person), 名称 (a list row)


@dataclass(frozen=True, order=True)
class Leak:
    output: str    # path inside the output folder, POSIX; archive members "downloads/x.epub!OEBPS/ch1.xhtml"; gzip "sitemap.xml.gz!"
    source: str    # Secret.source
    what: str      # Chinese description of what was found
    line: int = 1  # Secret.line


WHAT_URL = "页面地址 {url}"
WHAT_TITLE = "{noun}「{title}」"
WHAT_ASSET = "图片或附件（与未发布内容的文件相同）"
WHAT_PATH = "文件路径"

MIN_TITLE = 4                   # characters; shorter titles are searched only as names (see the module doc)
MIN_NAME_LETTERS = 2            # non-ASCII letters a short title needs to be searched ("王芳" yes, "AI" no)
MEMBER_LIMIT = 200 * 2**20      # bytes unpacked per archive member / gzip stream: a bomb must not hang the build
ARCHIVE_BUDGET = 2**30          # bytes unpacked in total per output file, for bombs made of many members
MAX_DEPTH = 4                   # archives inside archives; deeper ones are scanned as raw bytes
CHUNK = 16 * 2**20              # read size; large media are scanned in pieces instead of whole
LINK_LIMIT = 64 * 2**20         # bytes of one text file read whole for its links; generated text is far smaller

ZIP_SUFFIXES = (".zip", ".epub", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp")
PAGE_SUFFIXES = (".html", ".htm")
# Not text: what a preview may show as is. Anything unknown counts as text, so it is scanned.
MEDIA_SUFFIXES = frozenset(
    ".png .jpg .jpeg .gif .webp .avif .bmp .ico .tif .tiff .svg .heic .heif "
    ".mp3 .m4a .aac .ogg .oga .opus .wav .flac .mp4 .m4v .webm .mov .avi .mkv "
    ".pdf .doc .xls .ppt .wps .et .dps .woff .woff2 .ttf .otf .eot".split())
# Media that are text all the same: read for links and short names.
TEXT_MEDIA = frozenset({".svg"})
MARKUP_SUFFIXES = frozenset(".html .htm .xhtml .xml .svg .rss .atom .opf .ncx .xsl .xslt".split())
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


# A site of more files than this is audited in two processes (the scanning holds the GIL): half the
# files here, half in `python -m unionpress.audit`. Below it the second process's start-up (0.3 s)
# would cost more than it saves.
SPLIT_FILES = 5000


def audit(site_dir: Path, secrets: Iterable[Secret], *, pages_may_show: bool = False,
          site_url: str = "", processes: int | None = None, memo: Path | None = None,
          aside: bool = False) -> list[Leak]:
    """Every trace of `secrets` under `site_dir`, sorted by output path, source, what; each once.

    `site_url` is the site's own address (settings.site_url): absolute links to its host are resolved
    like relative ones. `pages_may_show=True` is for preview builds: `.html` pages and media are
    allowed to show non-public items (no marker, link, digest or path check on them; everything under
    `media/` is exempt), but every other file, and every archive with everything inside it, is checked
    as in production. `processes`: how many share the files (default: two for a large site on a
    machine with two cores or more, else one); the leaks are the same whatever it is. `memo`: a file
    where what each file held is kept for the next audit of this folder (see _Memo). `aside`: the files
    read in a process of its own (one unless `processes` says more), none in this one, at a lower
    priority: for `unionpress serve`, whose edits' runs would share the GIL and the processor with
    this one's share (a status change has every file read again: 26 s at 10,000 stories).
    """
    secrets = list(secrets)
    root = Path(site_dir)
    stats = _tree(os.fspath(root))
    files = sorted(stats)
    kept = _Memo(memo, secrets, pages_may_show, site_url) if memo is not None else None
    known, held = kept.known(stats) if kept is not None else ({}, {})
    todo = [rel for rel in files if rel not in known]
    if processes is None:  # aside: one process, a core left for what this one does meanwhile
        processes = 2 if len(todo) > SPLIT_FILES and sitefiles.cores() > 1 and not aside else 1
    task = (os.fspath(root), secrets, pages_may_show, site_url)
    # Every other file to each, in path order: the partner bundles, the WeChat packages and the pages
    # of each kind are spread evenly, and each process still meets each repeated file once.
    shares = [todo[i::processes] for i in range(processes)]
    remember = kept is not None
    here = not (aside and todo)
    helpers = [_Helper(task, share, {rel: held[rel] for rel in share if rel in held}, remember, yielding=aside)
               for share in shares[1 if here else 0:]]
    try:
        found = _audit_files(*task, shares[0], held, remember) if here else {}
        for helper in helpers:
            found.update(helper.result())
    finally:
        for helper in helpers:
            helper.stop()
    found.update(known)
    if kept is not None:
        kept.write(found)
    return sorted({Leak(output, secrets[secret].source, what, secrets[secret].line)
                   for hits, _whole, _sha in found.values() for output, secret, what in hits})


# A file up to this size is read whole once: its sha256 and its audit come from the same bytes, so
# the memo may know it again by them (_Memo). Larger ones are read in pieces, known by their stat.
WHOLE = 64 * 2**20


def _audit_files(root: str, secrets: list[Secret], preview: bool, site_url: str, files: list[str],
                 held: dict | None = None,
                 remember: bool = False) -> dict[str, tuple[tuple[tuple[str, int, str], ...], bool, bytes | None]]:
    """Each file's traces, (output, secret, what) for each (() for a clean one), whether it was read
    whole (a read the system refused is no verdict to remember) and, with `remember` (a memo is
    kept), the sha256 of the bytes audited, by the file's path. `held`: what the memo knew of a file
    written again since (_Memo.known), its traces taken as they are when it holds the same bytes."""
    markers = _Markers(secrets)
    auditor = _Auditor(markers, _Resolver(site_url, markers.places), preview=preview)
    held = held or {}
    found = {}
    for rel in files:
        auditor.found, auditor.unread = set(), False
        read = remember and not (preview and rel.startswith("media/"))  # that one is not read at all
        data = _whole(Path(root, rel)) if read else None
        sha = hashlib.sha256(data).digest() if data is not None else None
        if sha is not None and rel in held and held[rel][0] == sha:
            found[rel] = (held[rel][1], True, sha)
            continue
        auditor.file(rel, Path(root, rel), data)
        found[rel] = (tuple(sorted(auditor.found)), not auditor.unread, sha)
    return found


def _whole(path: Path) -> bytes | None:
    """A regular file's bytes, up to WHOLE; None for anything else (read as before, in pieces)."""
    try:
        with open(path, "rb") as f:
            found = os.fstat(f.fileno())
            if not S_ISREG(found.st_mode) or found.st_size > WHOLE:
                return None
            # Its size, not WHOLE: read() makes a buffer of the size asked (64 MB a file, at the peak).
            data = f.read(found.st_size + 1)
    except OSError:
        return None
    return data if len(data) <= found.st_size else None  # grown since: read in pieces, to its end


class _Memo:
    """What each file of a folder held at the last audit, for the next one: a file whose size, mtime
    and inode are the same holds the same bytes, and is not read again. Most of a site is: the WeChat
    packages and partner bundles a build moves back in (derived.place), the pictures linked from the
    cache; reading them was 10 of the audit's 18 seconds at 10,000 stories.

    Sound only for the same rules: the engine's code, the preview flag and the site's address are the
    same (else nothing is kept), and every secret of this audit was one of the last's. A file's traces
    are each one secret's alone (a marker, a link to its place, its digest), so what it held of the
    secrets still hidden is what it held then, and a secret no longer hidden (a story published, an
    embargo lifted) is dropped. A secret that is new or changed (a new draft, a draft's new title)
    makes every file read again: nobody looked for it. The stat is taken before the file is read, so
    a file written while it is read is read again next time. Like the cache, a convenience: a memo
    that cannot be read or written costs time only, and a file the system would not let the audit
    read whole is read again next time (its permissions mended, its stat can be the same).

    Kept as a sealed memo (derived.keep_memo): a damaged one is not believed, and one this code wrote
    needs no look at each of its 126,000 rows (JSON, and checking every row, were a second of a
    4-second audit at 10,000 stories). The rows that name traces, a few, are still checked against
    the secrets they point at."""

    def __init__(self, path: Path, secrets: list[Secret], preview: bool, site_url: str) -> None:
        from . import derived

        self.path = path
        self.prints = [derived._digest(derived.stable(secret)) for secret in secrets]
        self.rules = derived._digest([derived._engine().hex(), preview, site_url])
        self.stats: dict[str, tuple] = {}

    def known(self, stats: dict[str, tuple]) -> tuple[dict, dict]:
        """The traces of each file that is as it was at the last audit, under this audit's secrets
        (file → (traces, True, sha256)); and of each file written again since whose bytes were read
        whole (file → (sha256, traces)): the same bytes at the same path hold the same traces, so
        _audit_files takes them when its sha256 is the same (a page rendered again alike, an EPUB made
        again from the same chapters: a new file each build). `stats`: each file's stat now (_tree)."""
        from . import derived

        self.stats = stats
        earlier = derived.read_memo(self.path, self.rules)
        if earlier is None:
            return {}, {}  # none yet, damaged, or under other rules
        try:
            if type(earlier) is not dict or not _string_list(earlier["secrets"]):
                return {}, {}
            now = {secret: i for i, secret in reversed(list(enumerate(self.prints)))}
            then = [now.get(secret) for secret in earlier["secrets"]]
            if not set(now) <= set(earlier["secrets"]):
                return {}, {}  # a secret nobody looked for
            known, held = {}, {}
            for rel, (stat, hits, sha) in earlier["files"].items():
                if hits:
                    if not all(_hit_row(hit, len(then)) for hit in hits):
                        return {}, {}
                    hits = tuple(sorted((output, then[secret], what) for output, secret, what in hits
                                        if then[secret] is not None))
                current = stats.get(rel)
                if current and stat == current:
                    known[rel] = (hits, True, sha)
                elif current is not None and type(sha) is bytes:
                    held[rel] = (sha, hits)
            return known, held
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            return {}, {}  # not one this code wrote: every file is read

    def write(self, found: dict[str, tuple[tuple[tuple[str, int, str], ...], bool, bytes | None]]) -> None:
        from . import derived

        derived.keep_memo(self.path, self.rules, {
            "secrets": self.prints, "files": {rel: (stat, found[rel][0], found[rel][2]) for rel, stat in self.stats.items()
                                              if stat and rel in found and found[rel][1]}})


def _string_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _hit_row(value, secrets: int) -> bool:
    return (isinstance(value, tuple) and len(value) == 3 and isinstance(value[0], str) and type(value[1]) is int
            and 0 <= value[1] < secrets and isinstance(value[2], str))


def memo_path(cache_dir: Path, site_dir: Path) -> Path:
    """Where the audits of `site_dir` keep their memo: with the engine's other records in the cache."""
    from . import derived

    return derived.memo_file(cache_dir, "audited", site_dir, ".marshal")


class _Helper:
    """A share of the files audited in a process of its own, begun at once; its leaks at `result`."""

    def __init__(self, task: tuple, files: list[str], held: dict, remember: bool, yielding: bool = False) -> None:
        self.task, self.files, self.held, self.remember = task, files, held, remember
        self._out = tempfile.TemporaryFile()
        self._process: subprocess.Popen | None = None
        # The task through a file, not a pipe: this process goes on with its own share at once instead
        # of waiting for the helper to start and read megabytes of paths.
        with tempfile.TemporaryFile() as given:
            pickle.dump((yielding, (*task, files, held, remember)), given, protocol=pickle.HIGHEST_PROTOCOL)
            given.seek(0)
            try:
                # -P: the engine from package_path(), never a unionpress/ folder in the working folder.
                self._process = subprocess.Popen([sys.executable, "-P", "-m", "unionpress.audit"], stdin=given,
                                                 stdout=self._out, stderr=subprocess.DEVNULL,
                                                 env=dict(os.environ, PYTHONPATH=sitefiles.package_path()))
            except OSError:
                pass  # no process to be had: result() audits these files here

    def result(self) -> dict[str, tuple[tuple[str, int, str], ...]]:
        if self._process is not None and self._process.wait() == 0:
            self._out.seek(0)
            try:
                answer = pickle.load(self._out)
                if isinstance(answer, dict):
                    return answer
            except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError):
                pass
        # The helper failed: its files are audited here, never skipped. Slower, the same leaks.
        log.info("UnionPress 发布检查：辅助进程没有完成，它的 %d 个文件改在本进程里检查", len(self.files))
        return _audit_files(*self.task, self.files, self.held, self.remember)

    def stop(self) -> None:
        """Whatever happened (this process's share failed, the build was interrupted): no helper outlives it."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._out.close()


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
    encoded = quote(title, safe="")  # in a share link's query, a search URL
    forms |= {encoded, re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), encoded), quote(title, safe="").replace("%20", "+")}
    return forms


def searchable(title: str) -> bool:
    """Is this title specific enough to search for (see the module doc)?"""
    return len(title) >= MIN_TITLE or sum(1 for c in title if c.isalpha() and not c.isascii()) >= MIN_NAME_LETTERS


def _slug(path: str) -> str:
    last = path.rsplit("/", 1)[-1]
    if last.endswith(".html"):  # use_directory_urls: false
        last = last[:-5]
    return unquote(last).lower()


def _place(path: str) -> str:
    """A site path as the link and path checks compare it: decoded, lower-case, no outer slashes."""
    return "/".join(segment for segment in unquote(path).lower().split("/") if segment)


class _Markers:
    def __init__(self, secrets: list[Secret]):
        self.secrets = secrets
        # key → {(secret, what, needs boundary, text only)}
        table: dict[str, set[tuple[int, str, bool, bool]]] = {}
        self.digests: dict[str, list[int]] = {}
        self.slugs: dict[str, list[int]] = {}
        # Site path (see _place) of each page folder or other path → [(secret, the URL as the message names it)].
        # A link or output path is hidden when it, or a folder above it, is a key here.
        self.places: dict[str, list[tuple[int, str]]] = {}
        for i, secret in enumerate(secrets):
            for url in (secret.url, *secret.paths):
                path = _url_path(url)
                if not path:
                    continue
                what = WHAT_URL.format(url=url)
                for form in _url_forms(path):
                    table.setdefault(_latin(form), set()).add((i, what, True, False))
                self.places.setdefault(_place(path), []).append((i, what))
            if slug := _slug(_url_path(secret.url)):
                self.slugs.setdefault(slug, []).append(i)
            title = secret.title.strip()
            if title and searchable(title):
                what = WHAT_TITLE.format(noun=secret.noun, title=title)
                short = len(title) < MIN_TITLE
                for form in _title_forms(title):
                    table.setdefault(_latin(form), set()).add((i, what, False, short))
            for digest in secret.digests:
                self.digests.setdefault(digest.strip().lower(), []).append(i)
        self.longest = max(map(len, table), default=0)
        # The last segment of every hidden place: a link from outside a hidden folder can only reach
        # it by spelling that segment (resolving removes segments, it never makes one), literally or
        # with escaped characters. Files with neither are skipped by the link check: one more pass of
        # an automaton over the file's lower-cased bytes, instead of reading every link of 40,000 files.
        self.segments = None
        ends = {place.rsplit("/", 1)[-1] for place in self.places}
        if ends:
            self.segments = ahocorasick.Automaton()
            spelled = _SPELLED_ASCII if all(end.isascii() for end in ends) else _SPELLED_ANY
            for key in ends | {quote(end, safe="").lower() for end in ends}:
                self.segments.add_word(_latin(key), (len(_latin(key)), True))  # a whole segment only
            for key in spelled:
                self.segments.add_word(_latin(key), (len(key), False))
            self.segments.make_automaton()
        self.automaton = None
        if table:
            self.automaton = ahocorasick.Automaton()
            for key, hits in table.items():
                self.automaton.add_word(key, (len(key), tuple(sorted(hits))))
            self.automaton.make_automaton()

    def may_link(self, data: bytes) -> bool:
        """Could this file hold a link to a hidden place? (It spells one's last segment, or escapes a
        character that segments are made of.)"""
        if self.segments is None:
            return False
        # ASCII-only lower-casing, byte for byte; tabs and line breaks go, as browsers drop them inside a URL.
        text = data.lower().translate(None, b"\t\n\r").decode("latin-1")
        last = len(text) - 1
        for end, (length, bounded) in self.segments.iter(text):
            # A slug inside a longer word ("caogao-2", a short slug in every "page") is not that slug.
            start = end - length + 1
            if not bounded or ((start == 0 or text[start - 1] not in SLUG_CHARS)
                               and (end == last or text[end + 1] not in SLUG_CHARS)):
                return True
        return False


def _spelled(codes: Iterable[int], dropped: Iterable[int]) -> frozenset[str]:
    """The starts of every escape of these characters (lower case, as matched on lower-cased text):
    %2d, &#45, &#x2d, \\u002d; "&#0" and "&#x0" for any with leading zeros; and the escapes of the
    characters a browser drops inside a URL (tab, line feed, carriage return), which could split one."""
    found = {"&#0", "&#x0", "&tab;", "&newline;", "\\t", "\\n", "\\r"}
    for code in codes:
        found |= {f"%{code:02x}", f"&#{code}", f"&#x{code:x}", f"\\u{code:04x}"}
    for code in dropped:
        found |= {f"&#{code}", f"&#x{code:x}", f"\\u{code:04x}"}
    return frozenset(found)


# A slug character ([a-z0-9-], either case) written escaped. Ordinary pages escape spaces, quotes,
# ampersands and non-ASCII characters, never these. For a hidden place with non-ASCII characters,
# any escape at all.
_SPELLED_ASCII = _spelled((ord(c) for c in "-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"),
                          (9, 10, 13))
_SPELLED_ANY = frozenset({"%", "&", "\\"})


ZWSP = "\u200b".encode("utf-8").decode("latin-1")  # as the latin-1 text of its UTF-8 bytes


class _Scan:
    """Markers in a stream of chunks; matches across chunk edges are found through a kept tail."""

    def __init__(self, markers: _Markers, binary: bool):
        self.markers = markers
        self.binary = binary   # media: short names are not looked for (chance matches)
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
            for secret, what, bounded, text_only in hits:
                if text_only and self.binary:
                    pass
                elif not bounded:
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
# Links: every URL a text output holds, resolved against the file's own address.

# Attributes whose value is a URL (or a list of them), whatever it looks like. `xlink:href` counts as
# href; `data-src`, `data-lazy-srcset`, `data-href` … by their last word.
URL_ATTRIBUTES = frozenset("href src srcset imagesrcset poster action formaction cite data background longdesc "
                           "manifest ping icon usemap codebase archive profile itemid url uri".split())
_URL_LISTS = frozenset({"ping", "archive"})  # space-separated URLs
_DATA_URL_WORDS = ("src", "srcset", "href", "url", "uri", "link", "poster")
# JSON keys whose string value is a URL, by their last word (`home_page_url`, `banner_image`, `feed-url`).
URL_KEYS = frozenset("url uri link href src srcset image icon logo avatar favicon location path id permalink "
                     "canonical".split())

# name=value anywhere (in a tag, a comment, a script): the name must start after space, a quote or "/".
_ATTRIBUTE = re.compile(r"""(?<![^\s"'/])([^\s"'<>/=]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""")
_JSON_STRING = re.compile(r'"([^"\\]*(?:\\.[^"\\]*)*)"(\s*:\s*)?', re.S)
_ELEMENT_TOKEN = re.compile(r">\s*([^<>\s]+)\s*<")               # <loc>https://…</loc>, <link>…</link>
_ESCAPED_MARKUP = re.compile(r">([^<]*&lt;[^<]*)<")              # RSS <description>&lt;a href=…&gt;
_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script\s*>", re.S | re.I)
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s'"]*))\s*\)""", re.I)
_REFRESH_URL = re.compile(r"""(?<![\w-])url\s*=\s*['"]?([^'"\s;>]+)""", re.I)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_SPACE = re.compile(r"\s")
_OUTER = "".join(map(chr, range(0x21))) + "\x7f"  # what browsers strip around a URL (C0 controls, space)


def _url_attribute(name: str) -> bool:
    name = name.lower().rpartition(":")[2]  # xlink:href
    if name in URL_ATTRIBUTES:
        return True
    return name.startswith("data-") and name.endswith(_DATA_URL_WORDS)


def _url_key(key: str) -> bool:
    return re.split(r"[_\-.]", key.lower())[-1] in URL_KEYS


def _srcset(value: str) -> Iterator[str]:
    for candidate in value.split(","):
        words = candidate.split()
        if words:
            yield words[0]


def _token(value: str) -> str | None:
    """A value that is one token holding a slash: a path or URL, whatever attribute or key holds it."""
    value = value.strip()
    return value if "/" in value and not _SPACE.search(value) else None


def _json_text(raw: str) -> str:
    if "\\" not in raw:
        return raw
    try:
        return json.loads(f'"{raw}"')
    except ValueError:
        return raw.replace("\\/", "/")


def _markup_links(text: str, found: set[str], nested: bool) -> None:
    """URLs in markup (or in anything that may hold attributes): attributes, CSS, refresh."""
    for match in _ATTRIBUTE.finditer(text):
        name, value = match.group(1), match.group(2)
        if value is None:
            value = match.group(3) if match.group(3) is not None else match.group(4)
        if "&" in value:
            value = html.unescape(value)
        if _url_attribute(name):
            kind = name.lower().rpartition(":")[2]
            if kind.endswith("srcset"):
                found.update(_srcset(value))
            elif kind in _URL_LISTS:
                found.update(value.split())
            else:  # one URL, whatever spaces it holds: a browser drops tabs and newlines inside it
                found.add(value)
        elif (token := _token(value)) is not None:
            found.add(token)
        elif not nested and value[:1] in "{[":  # data-config='{"url": "../x/"}'
            _json_links(value, found, nested=True)
    for match in _CSS_URL.finditer(text):
        found.add(next(group for group in match.groups() if group is not None))
    for match in _REFRESH_URL.finditer(text):
        found.add(match.group(1))


def _json_links(text: str, found: set[str], nested: bool) -> None:
    """URLs in JSON or script: strings under URL keys, one-token strings with a slash, and the
    markup inside strings (a feed's content_html)."""
    key_end = -1
    key = ""
    for match in _JSON_STRING.finditer(text):
        value = _json_text(match.group(1))
        if match.group(2):  # "key":
            key, key_end = value, match.end()
            continue
        if match.start() == key_end and _url_key(key):
            found.add(value.strip())
        elif (token := _token(value)) is not None:
            found.add(token)
        if not nested and "<" in value:
            _markup_links(value, found, nested=True)


def links_in(text: str, markup: bool) -> set[str]:
    """Every URL-like value in a text output, as written (not yet resolved)."""
    found: set[str] = set()
    _markup_links(text, found, nested=False)
    if markup:
        for match in _ELEMENT_TOKEN.finditer(text):
            if (token := _token(html.unescape(match.group(1)))) is not None:
                found.add(token)
        for match in _ESCAPED_MARKUP.finditer(text):
            _markup_links(html.unescape(match.group(1)), found, nested=True)
        for match in _SCRIPT.finditer(text):
            _json_links(match.group(1), found, nested=True)
    else:
        _json_links(text, found, nested=False)
    return found


class _Resolver:
    """Site path of a URL written in an output file, and the hidden places it reaches."""

    CACHE = 1 << 18  # resolved URLs kept; the chrome's links repeat on every page

    def __init__(self, site_url: str, places: Mapping[str, list[tuple[int, str]]]):
        parts = urlsplit(site_url.strip()) if site_url.strip() else None
        self.host = (parts.hostname or "").rstrip(".") if parts else ""
        self.prefix = [segment for segment in unquote(parts.path if parts else "").lower().split("/") if segment]
        self.places = places
        self.cache: dict[tuple[str | bool | None, str], tuple[tuple[int, str], ...]] = {}

    def hits(self, url: str, folder: str | None) -> tuple[tuple[int, str], ...]:
        """The hidden places `url` reaches, written in a file in the site folder `folder` ("models/a/";
        None: inside an archive, where only absolute links reach the site)."""
        relative = not (url[:1] in "/\\" or _SCHEME.match(url))
        # A relative URL depends on its folder; any other on whether it is inside an archive at all.
        key = (folder if relative else folder is None, url)
        found = self.cache.get(key)
        if found is None:
            found = self._hits(url, folder)
            if len(self.cache) >= self.CACHE:
                self.cache.clear()
            self.cache[key] = found
        return found

    def _hits(self, url: str, folder: str | None) -> tuple[tuple[int, str], ...]:
        segments = self.resolve(url, folder)
        if not segments:
            return ()
        found: list[tuple[int, str]] = []
        path = ""
        for segment in segments:  # the path and every folder above it
            path = f"{path}/{segment}" if path else segment
            found += self.places.get(path, ())
        if path.endswith(".html"):  # use_directory_urls: false writes models/slug.html
            found += self.places.get(path[:-5], ())
        return tuple(found)

    def resolve(self, url: str, folder: str | None) -> list[str] | None:
        """The site path of `url` as segments (decoded, lower-case, dot segments applied), or None when
        it is not on this site (another host, mailto:, data:, a fragment only)."""
        url = url.strip(_OUTER).replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")
        url = url.split("#", 1)[0].split("?", 1)[0]
        if not url:
            return None
        scheme = _SCHEME.match(url)
        if scheme:
            if scheme.group().lower() not in ("http:", "https:"):
                return None
            url = url[scheme.end():]
            if not url.startswith("/"):  # "https:x": relative to a page of the same scheme
                return self._within(url, folder)
        if url.startswith("//"):  # an address with a host: ours or not
            authority, _slash, path = url.lstrip("/").partition("/")
            host = authority.rpartition("@")[2].split(":", 1)[0].lower().rstrip(".")
            if not self.host or host != self.host:
                return None
            return self._absolute(path)
        if url.startswith("/"):
            return None if folder is None else self._absolute(url)
        return self._within(url, folder)

    def _within(self, url: str, folder: str | None) -> list[str] | None:
        if folder is None:
            return None
        return self._absolute("/".join(self.prefix) + "/" + folder + url)

    def _absolute(self, path: str) -> list[str]:
        segments: list[str] = []
        for segment in unquote(path).lower().split("/"):
            if segment in ("", "."):
                continue
            if segment == "..":
                if segments:
                    segments.pop()
                continue
            segments.append(segment)
        n = len(self.prefix)
        if n and segments[:n] == self.prefix:
            return segments[n:]
        return segments  # outside the site's folder: read from the site's root all the same


# ---------------------------------------------------------------------------------------------
# Walking the output.


def _walk(root: Path) -> list[tuple[str, Path]]:
    return [(rel, root / rel) for rel in _files(root)]


def _files(root: Path) -> list[str]:
    """Every file of the folder by its path in it, sorted (_tree)."""
    return sorted(_tree(os.fspath(root)))


def _tree(top: str) -> dict[str, tuple]:
    """Every file under `top` (what os.walk lists as one: anything but a folder; a linked folder is
    neither listed nor walked into) by its path in it → its size, mtime and inode (derived.file_stat:
    () when it cannot be had), in one walk. With os.scandir and strings: os.walk, relating each folder's path and a stat
    by the whole path again took 1.6 of the audit's 4 seconds at 10,000 stories (126,000 files in
    29,000 folders)."""
    found: dict[str, tuple] = {}
    folders = [("", top)]
    while folders:
        prefix, folder = folders.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    try:
                        inner = entry.is_dir()
                    except OSError:
                        inner = False
                    if inner:
                        if not entry.is_symlink():
                            folders.append((prefix + entry.name + "/", entry.path))
                        continue
                    try:
                        stat = entry.stat()
                        found[prefix + entry.name] = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
                    except OSError:
                        found[prefix + entry.name] = ()
        except OSError:
            continue  # as os.walk: a folder that cannot be listed (or not to its end) is passed over
    return found


def _suffix(name: str) -> str:
    return os.path.splitext(name.rsplit("/", 1)[-1].lower())[1]


def _zipped(lower: str, head: bytes) -> bool:
    """Whether blob() opens it as a zip: by its name, or by the bytes it starts with."""
    return lower.endswith(ZIP_SUFFIXES) or head[:4] in (b"PK\x03\x04", b"PK\x05\x06")


def _gzipped(head: bytes) -> bool:
    return head[:2] == b"\x1f\x8b"


def _folder(path: str) -> str:
    """The folder a file's relative links start from: "models/a/index.html" → "models/a/"."""
    return path.rpartition("/")[0] + "/" if "/" in path else ""


SLUG_NAMED = ("exports/", "downloads/")


def _stems(segment: str):
    yield segment
    for i, char in enumerate(segment):
        if char == "." and i > 0:
            yield segment[:i]  # draft-one.zip, draft-one.v2.tar.gz


class _Auditor:
    def __init__(self, markers: _Markers, resolver: _Resolver, preview: bool):
        self.markers = markers
        self.resolver = resolver
        self.preview = preview
        self.found: set[tuple[str, int, str]] = set()  # (output, secret, what) of the file being read
        self.unread = False  # the system refused a read of the file being read (not its bytes: they may be fine later)
        self.seen: dict[tuple, tuple[tuple[int, str], ...]] = {}  # see hits()
        self.members: dict[tuple, tuple[int, tuple[tuple[int, str], ...]]] = {}  # see _member_key()

    def add(self, output: str, secret: int, what: str) -> None:
        self.found.add((output, secret, what))

    def file(self, rel: str, path: Path, data: bytes | None = None) -> None:
        """One file of the site; `data`: its bytes, read whole already (_whole)."""
        relaxed = self.preview
        if relaxed and rel.startswith("media/"):
            return  # the preview copies non-public items' images and attachments here on purpose
        if not (relaxed and rel.lower().endswith(PAGE_SUFFIXES)):
            self.path_rule(rel, rel)
        try:
            with (io.BytesIO(data) if data is not None else open(path, "rb")) as f:
                self.blob(f, rel, rel, depth=0, relaxed=relaxed, budget=[ARCHIVE_BUDGET], base=rel)
        except OSError:
            self.unread = True  # a dangling symlink serves nothing; a file it could not read is read next time

    def path_rule(self, path: str, output: str, member: bool = False) -> None:
        path = _place(path.replace("\\", "/"))
        # The item's own page folder (stories/draft-one/…) or one of its paths (feeds/topics/KEY.xml):
        # each folder above the file looked up once, not each hidden folder tried against the file.
        place = ""
        for segment in path.split("/"):
            place = f"{place}/{segment}" if place else segment
            for secret, _what in self.markers.places.get(place, ()):
                self.add(output, secret, WHAT_PATH)
        # Per-item exports and downloads are named by the slug (exports/partners/draft-one.zip). Only
        # there: elsewhere a slug is an ordinary word (a tag gong-jiang, a pager's page/2/).
        if not self.markers.slugs or not (member or path.startswith(SLUG_NAMED)):
            return  # an archive's members are per-item files wherever the archive is
        for segment in path.split("/")[0 if member else 1:]:
            for stem in set(_stems(segment)) if segment else ():
                for secret in self.markers.slugs.get(stem, ()):
                    self.add(output, secret, WHAT_PATH)

    def blob(self, f: BinaryIO, name: str, output: str, *, depth: int, relaxed: bool, budget: list[int],
             base: str | None) -> None:
        """One file or archive member: `name` decides its kind, `output` is how leaks name it, `base`
        is its path in the site for its relative links (None inside an archive)."""
        lower = name.lower()
        suffix = _suffix(lower)
        shown = relaxed and (lower.endswith(PAGE_SUFFIXES) or suffix in MEDIA_SUFFIXES)
        markers = not shown
        digest = bool(self.markers.digests) and not relaxed and suffix not in UNHASHED
        head = f.read(4)
        f.seek(0)
        if depth < MAX_DEPTH and _zipped(lower, head):
            if self.zip(f, output, depth=depth, budget=budget):
                if digest:
                    f.seek(0)
                    self.stream(f, output, markers=False, digest=True)
                return
            f.seek(0)  # corrupt: scanned as the bytes it is
        if depth < MAX_DEPTH and _gzipped(head):
            inner = self.gunzip(f, budget)
            if inner is not None:
                if digest:
                    f.seek(0)
                    self.stream(f, output, markers=False, digest=True)
                # gzip is only transport: "x.html.gz" is still a page, "sitemap.xml.gz" still a sitemap
                inner_name = name[:-3] if lower.endswith(".gz") else name
                inner_base = base[:-3] if base is not None and base.lower().endswith(".gz") else base
                self.blob(io.BytesIO(inner), inner_name, output + "!", depth=depth + 1, relaxed=relaxed,
                          budget=budget, base=inner_base)
                return
            f.seek(0)
        self.stream(f, output, markers=markers, digest=digest, suffix=suffix, base=base)

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
            lower = member.lower()
            suffix = _suffix(lower)  # what blob() reads it as: the name as the site spells it
            key = self._member_key(f, info, suffix)
            known = self.members.get(key) if key is not None else None
            if known is not None:
                size, hits = known
                budget[0] -= size
                for secret, what in hits:
                    self.add(where, secret, what)
                continue
            try:
                with archive.open(info) as handle:
                    data = handle.read(limit + 1)  # the declared size may lie
            except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, OSError, EOFError,
                    ValueError) as exc:
                self.unread |= isinstance(exc, OSError)  # the system's, not the bytes': read it again next time
                continue  # corrupt or encrypted member: nothing readable to leak
            if len(data) > limit:
                continue
            budget[0] -= len(data)
            if key is not None and not _zipped(lower, data) and not _gzipped(data):
                # What blob() does with a member that holds no archive: its traces, kept for its stored bytes.
                hits = self.hits(io.BytesIO(data), markers=True, suffix=suffix, base=None,
                                 digest=bool(self.markers.digests) and suffix not in UNHASHED)
                self.members[key] = (len(data), hits)
                for secret, what in hits:
                    self.add(where, secret, what)
                continue
            # Archives are downloads and exports, meant for the outside even in a preview: full rules.
            self.blob(io.BytesIO(data), member, where, depth=depth + 1, relaxed=False, budget=budget, base=None)
        if archive.comment:
            self.stream(io.BytesIO(archive.comment), output, markers=True, digest=False)
        return True

    @staticmethod
    def _member_key(f: BinaryIO, info: zipfile.ZipInfo, suffix: str) -> tuple | None:
        """A member by its stored bytes: the same compressed bytes, method, declared size and CRC unpack
        to the same bytes, so their traces are known without unpacking and hashing them again (every
        partner bundle's Word file stores the same theme, settings and styles; with python-docx's whole
        template they were 8 GB unpacked at 10,000 stories), and stored bytes are fewer than unpacked. Read where zipfile reads them: after the
        local header, whose name must be the central directory's. None when that does not hold or the
        member is encrypted or large; then it is unpacked as usual. `suffix` decides how the bytes
        are read, as in the content memo (hits)."""
        if info.flag_bits & 0x1 or info.compress_size > CHUNK:
            return None
        try:
            f.seek(info.header_offset)
            header = f.read(30)
            if len(header) != 30 or header[:4] != b"PK\x03\x04":
                return None
            name_length, extra_length = struct.unpack("<HH", header[26:30])
            name = f.read(name_length)
            if name != info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437"):
                return None
            f.seek(extra_length, os.SEEK_CUR)
            stored = f.read(info.compress_size)
        except (OSError, ValueError, UnicodeEncodeError, struct.error):
            return None
        if len(stored) != info.compress_size:
            return None
        return (info.compress_type, info.file_size, info.CRC, suffix, hashlib.sha256(stored).digest())

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

    def stream(self, f: BinaryIO, output: str, *, markers: bool, digest: bool, suffix: str = "",
               base: str | None = None) -> None:
        for secret, what in self.hits(f, markers=markers, digest=digest, suffix=suffix, base=base):
            self.add(output, secret, what)

    def hits(self, f: BinaryIO, *, markers: bool, digest: bool, suffix: str, base: str | None) -> tuple:
        """What of the secrets these bytes hold, read in the role the flags and the suffix give."""
        media = suffix in MEDIA_SUFFIXES and suffix not in TEXT_MEDIA
        scanned = markers and self.markers.automaton is not None
        linked = markers and bool(self.markers.places) and not media
        if not (scanned or digest or linked):
            return ()
        head = f.read(CHUNK + 1)
        if len(head) > CHUNK or (linked and base is not None):
            # Large ones are scanned in pieces, never whole in memory; a page's relative links depend
            # on its folder, and pages are not copies of each other: neither is remembered.
            hits = self.traces(itertools.chain((head,), iter(lambda: f.read(CHUNK), b"")), scanned=scanned,
                               digest=digest, media=media, linked=linked, suffix=suffix, base=base)
        else:
            # The same bytes in the same role hold the same traces: scanned once. A site repeats much
            # of itself (each partner bundle's Word file holds the same parts, each WeChat package
            # copies of pictures), and that was most of the audit's bytes. The key is the
            # bytes' sha256 and all that decides how they are read: the suffix and the flags.
            sha = hashlib.sha256(head)
            key = (sha.digest(), suffix, scanned, digest, media, linked)
            hits = self.seen.get(key)
            if hits is None:
                hits = self.seen[key] = self.traces((head,), scanned=scanned, digest=digest, media=media,
                                                    linked=linked, suffix=suffix, base=base, sha=sha)
        return hits

    def traces(self, chunks: Iterable[bytes], *, scanned: bool, digest: bool, media: bool, linked: bool,
               suffix: str, base: str | None, sha=None) -> tuple[tuple[int, str], ...]:
        """What of the secrets these bytes hold: markers, their sha256 among hidden files', links."""
        scan = _Scan(self.markers, binary=media) if scanned else None
        kept: list[bytes] | None = [] if linked else None
        hashing = sha is None and digest
        if hashing:
            sha = hashlib.sha256()
        size = 0
        first = True
        for chunk in chunks:
            if first:
                first = False
                if b"\0" in chunk[:8192]:  # binary whatever its name: no links, no short names
                    kept = None
                    if scan is not None:
                        scan.binary = True
            if scan is not None:
                scan.feed(chunk)
            if hashing:
                sha.update(chunk)
            if kept is not None:
                size += len(chunk)
                if size <= LINK_LIMIT:
                    kept.append(chunk)
                else:
                    kept = None
        found: set[tuple[int, str]] = scan.close() if scan is not None else set()
        if digest:
            found.update((secret, WHAT_ASSET) for secret in self.markers.digests.get(sha.hexdigest(), ()))
        if kept:
            found.update(self.links(b"".join(kept), suffix, base))
        return tuple(sorted(found))

    def links(self, data: bytes, suffix: str, base: str | None) -> Iterator[tuple[int, str]]:
        if not self.markers.may_link(data):
            return  # no hidden place's name in any spelling: no link here can reach one
        text = data.decode("utf-8", "replace").lstrip("\ufeff")
        markup = suffix in MARKUP_SUFFIXES or text.lstrip()[:1] == "<"
        folder = None if base is None else _folder(base)
        for url in links_in(text, markup):
            yield from self.resolver.hits(url, folder)


# -- from a build ---------------------------------------------------------------------------------------

def _digest(path: Path) -> str | None:
    """sha256 of a hidden item's file, read in pieces; None when it is gone (deleted while `mkdocs
    serve` rebuilt): a file that is not there cannot have been copied by this build."""
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None


# Fields that say where an item lives, not what it says: never printed.
_UNPRINTED = frozenset({"source", "path", "folder", "lines", "kind", "bundle", "body_line", "parent"})
_TAGS = re.compile(r"<[^>]*>")
# What may be read as public text beside the content: text files of the docs folder, the engine's
# templates and scripts, the theme's shipped files.
_TEXT_SUFFIXES = frozenset(".md .markdown .html .htm .txt .svg .js .mjs .css .json .yml .yaml .csv .xml".split())
_TEXT_FILE_LIMIT = 8 * 2**20


_PRINTED: dict[type, tuple[str, ...]] = {}  # a dataclass's fields _strings reads


def _strings(value, depth: int = 0) -> Iterator[str]:
    """Every string a domain object holds (fields, tuples, mappings, nested objects)."""
    if isinstance(value, str):
        yield value
    elif depth > 8 or value is None or isinstance(value, (Path, bool, int, float)):
        return
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _PRINTED.get(type(value))
        if names is None:  # once per class: dataclasses.fields for each of 10,000 items was most of the walk
            names = _PRINTED[type(value)] = tuple(field.name for field in dataclasses.fields(value)
                                                  if field.name not in _UNPRINTED)
        for name in names:
            yield from _strings(getattr(value, name), depth + 1)
    elif isinstance(value, Mapping):
        for key, inner in value.items():
            yield from _strings(key, depth + 1)
            yield from _strings(inner, depth + 1)
    elif isinstance(value, (tuple, list, set, frozenset)):
        for inner in value:
            yield from _strings(inner, depth + 1)


def _text_files(folder: Path) -> Iterator[str]:
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() in _TEXT_SUFFIXES:
            yield from _read_text(path)


def _read_text(path: Path) -> Iterator[str]:
    try:
        if path.is_file() and path.stat().st_size <= _TEXT_FILE_LIMIT:
            yield path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        pass  # unreadable: nothing it says can be public


def _public_text(build, shipped: Iterable[Path]) -> Iterator[str]:
    """Everything the site may show that does not come from a hidden item (see the module doc)."""
    from . import search
    from .pages.base import STATIC

    settings = build.settings
    for item in build.public.items():
        yield from _strings(item)
        body = build.bodies.get(id(item))
        if body is not None:  # as rendered: "王**芳**" in Markdown is 王芳 on the page
            yield html.unescape(_TAGS.sub("", body.html))
    for rows in build.public.lists.values():
        for row in rows.values():
            yield from _strings(row)
    for page in build.public_pages:  # what the engine names its own pages (全部专题, 劳模展牌打印 …)
        yield page.title
        yield page.description
        yield from (value for value in page.context.values() if isinstance(value, str))
    yield from _strings((settings.site_name, settings.site_description, settings.copyright, settings.genres,
                         settings.industries, settings.nav_pages, settings.footer, settings.partners))
    yield from _text_files(STATIC.parent / "templates")
    yield from _text_files(STATIC)
    for path in shipped:
        yield from _read_text(Path(path))
    yield from _strings(search.traditional_parts())


def _handwritten_text(settings) -> Iterator[str]:
    """The hand-written pages and files of docs/. They may be the very place a title leaks, so they
    excuse only short names (too ambiguous to be evidence there), not titles (see the module doc)."""
    docs = {Path(page).parts[0] for page in settings.doc_pages.values()} or {"docs"}
    for name in sorted(docs):
        yield from _text_files(settings.root / name)


def _found_in(texts: Iterable[str], titles: set[str]) -> set[str]:
    """The titles that occur in `texts`, in one pass over them."""
    if not titles:
        return set()
    automaton = ahocorasick.Automaton()
    for title in titles:
        automaton.add_word(title, title)
    automaton.make_automaton()
    found: set[str] = set()
    for text in texts:
        for _end, title in automaton.iter(text):
            found.add(title)
        if len(found) == len(titles):
            break
    return found


def _row_paths(name: str, row, settings) -> tuple[str, ...]:
    """The site paths a list row has besides its page: a column's or topic's feeds, an honor's
    gallery filter page."""
    from .feedsets import FORMATS, column_feed, topic_feed
    from .pages.gallery import FilterValue

    feeds = {"column": column_feed, "topic": topic_feed}
    if name in feeds:
        feed = feeds[name](row, settings)
        return tuple(feed.url(fmt) for fmt, *_rest in FORMATS)
    if name == "honor":
        return (FilterValue("honor", row.key, "", "").url,)
    return ()


_VARIANT_OUTPUT = re.compile(r"media/pictures/[0-9a-f]{20}-\d+\.(?:webp|jpg|png|gif)")  # the pipeline's names


def secrets(build, shipped: Iterable[Path] = ()) -> list[Secret]:
    """What every non-public item and held-back list row of a build would leave behind: URLs, title or
    name, and the files only it uses. `shipped`: files the theme publishes as they are (its scripts,
    its language strings), whose text is public too."""
    from . import responsive
    from .kinds import ITEM_KINDS, LIST_KINDS  # here: the audit's own process needs no kinds

    settings = build.settings
    pictures = responsive.pipeline(settings)

    def with_variants(paths, made: Iterable[Path] = ()) -> set[Path]:
        # The site publishes a picture's variants instead of the original: both are its traces. `made`
        # are variants already (a body's pictures): encoding them again would make variants of variants,
        # and for a flat picture those have the very bytes of a public cover's own variants.
        found = set(paths) | set(made)
        for path in paths:
            variants = pictures.picture(path)
            if variants is not None:
                found |= {file for _output, file in variants.assets()}
        return found

    public_files: set[Path] = set()
    hidden_files: dict[int, set[Path]] = {}
    hidden: list[tuple[object, Secret]] = []  # (the item or row, its secret without digests yet)
    for item in build.catalog.items:
        files = {image.path for image in item.images if image.path is not None}
        made: set[Path] = set()
        body = build.bodies.get(id(item))
        if body is not None:
            for output, path in body.assets:
                (made if _VARIANT_OUTPUT.fullmatch(output) else files).add(path)
        files = with_variants(files, made)
        if item in build.public:
            public_files |= files
            continue
        hidden_files[id(item)] = files
        kind = ITEM_KINDS[item.kind]
        noun = "姓名" if item.kind == "model" else "标题"
        hidden.append((item, Secret(item.source, kind.url(item) if kind.url else "",
                                    item.label if item.label != item.slug else "", noun=noun)))
        # What else of it would show that it leaked (an exhibition's works and their authors, a
        # share's author): text only, its URL and files are the item's own secret's.
        for marker_noun, text in (kind.markers(item) if kind.markers else ()):
            if text.strip():
                hidden.append((object(), Secret(item.source, "", text, noun=marker_noun)))
    for name, rows in build.catalog.lists.items():
        kind = LIST_KINDS[name]
        public_rows = build.public.lists.get(name, {})
        source = settings.display(settings.content_dir / kind.file)
        for key, row in rows.items():
            cover = getattr(row, "cover", None)
            files = with_variants({cover.path}) if cover is not None and cover.path is not None else set()
            if key in public_rows:
                public_files |= files
                continue
            hidden_files[id(row)] = files
            hidden.append((row, Secret(source, kind.url(row) if kind.url else "", getattr(row, "name", ""),
                                       line=getattr(row, "line", 1), paths=_row_paths(name, row, settings),
                                       noun="名称")))
    # A title that public text itself contains is no evidence of a leak: leave it to URLs and files.
    titles = {secret.title.strip() for _owner, secret in hidden if secret.title.strip()}
    said = _found_in(_public_text(build, shipped), titles)
    said |= _found_in(_handwritten_text(settings), {title for title in titles - said if len(title) < MIN_TITLE})
    found = []
    for owner, secret in hidden:
        digests = frozenset(filter(None, (_digest(path) for path in sorted(hidden_files.get(id(owner), set()) - public_files))))
        title = secret.title if secret.title.strip() not in said else ""
        found.append(dataclasses.replace(secret, title=title, digests=digests))
    return found


def report(leaks: list[Leak], site_dir: Path) -> str:
    """The build's error message; the files that leak are removed so no deploy can ship them."""
    findings = Findings()
    for leak in leaks:
        findings.add(leak.source, leak.line, "leak", output=leak.output, what=leak.what)
    removed = sorted({leak.output.split("!", 1)[0] for leak in leaks})
    for name in removed:
        (site_dir / name).unlink(missing_ok=True)
    lines = [finding.format() for finding in findings.sorted()]
    lines.append(f"共 {len(leaks)} 处泄露；已删除 {len(removed)} 个输出文件，请勿发布此次构建。")
    return "UnionPress 发布检查未通过：\n" + "\n".join(lines)


if __name__ == "__main__":  # a share of an audit (_Helper): the task pickled on stdin, the leaks on stdout
    _yielding, _task = pickle.load(sys.stdin.buffer)
    if _yielding and hasattr(os, "nice"):  # serve's (audit's `aside`): its edits' runs come first
        os.nice(5)
    pickle.dump(_audit_files(*_task), sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
