"""`unionpress serve`: the site as `mkdocs build` makes it, served on this computer, kept current as
editors save their files.

The first build is MkDocs' own, in this process, into a folder of its own. After it, a change in the
content folder does not build everything again (20 s at 1,000 stories): `Preview.update` reads again
only the files that changed (Cache.parse), makes the model again from the kept parses (cheap), renders
again only the bodies whose item or whose links' targets changed (Cache.bodies), and renders again
only the pages whose inputs changed (Pages): each page's fingerprint covers its plan entry (URL,
template, title, the objects in its context, by their content), what every page shares (settings,
channel bar, masthead, the EPUB sizes) and a dependency list recorded while it was rendered (each
url_of, top_honor, body and site.* call a template made, with a digest of the answer). A page is
written again only when one of them changed, and only when its bytes differ. Feeds, the sitemap, the
search index and every other output follow in a thread of their own; pages say meanwhile that the
search index is behind. So does an edited item's EPUB book: until it is made, pages print the size of
the one made before, then those whose size changed are written again (Preview._books). At 2,000
pages or more, every other page is looked at in a forked child (Preview._pages). A change to mkdocs.yml, docs/ or the page templates builds everything again.

The folder is never given the live-reload script: the server adds it to each HTML response, so the
folder stays byte for byte what a full build writes (tests/test_incremental.py holds it to that).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import hashlib
import html as html_lib
import http.server
import io
import json
import logging
import os
import pickle
import shutil
import sys
import tempfile
import threading
import time
import types
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import Callable

from . import config as up_config
from . import engine, forking, localsite, outputs, schedule
from .body import Body, Problem
from .config import Settings
from .findings import Findings
from .items import Image, Item
from .kinds import ITEM_KINDS, LIST_KINDS, model
from .link import View
from .load import is_junk, walk_after
from .pages import Renderer, crumbs
from .pages.base import TEMPLATES
from .feedsets import site_feed

log = logging.getLogger("mkdocs.hooks.unionpress")

VERSION_PATH = "__unionpress/version"  # what the live-reload script polls (never a file of the site)


# -- content digests ---------------------------------------------------------------------------------

class Unfingerprintable(Exception):
    """A value whose content cannot be told by a digest (a view, a function): its page is always rendered."""


def _h(*parts: bytes) -> bytes:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    return digest.digest()


def _file_hash(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _stat(path: Path | None) -> bytes:
    """A file by size and time (a replaced picture is a new picture)."""
    if path is None:
        return b"-"
    try:
        found = path.stat()
    except OSError:
        return b"missing"
    return f"{found.st_size}:{found.st_mtime_ns}".encode()


# What a pickle holds as it is, with no look-up: most of what 19,010 pages' contexts are made of.
_OWN = frozenset({str, int, float, bool, type(None), bytes, tuple, list, dict, dt.datetime, dt.date})
_CONTAINERS = frozenset({tuple, list, dict})
_KINDS = {**ITEM_KINDS, **LIST_KINDS}  # kinds are code (functions, lambdas): told by name
_SHARED = 16  # a container longer than this is digested once per model (Digester._stand_in)
# A site of this many pages or more has them looked at in two processes (Preview._pages): below it,
# forking and handing back cost more than half the work (as pages.SPLIT_PAGES for a build).
SPLIT_PAGES = 2000
GIVE_WAY = 10.0  # seconds an outputs run waits in all for edits' runs (Preview._give_way)


class Digester:
    """Digests of values by content, for one model: items and list rows by their file's content (so the
    same story read again has the same digest), anything else by its pickle.

    A pickle, because it goes through a page's context in C: a walk in Python was 4× slower, and every
    edit digests every page (19,010 at 10,000 stories). The pickler offers each object it meets to
    `_stand_in` first: an item or row is pickled as its digest, a picture as its fields and its file's
    size and time, the settings as settings_digest. A value with no content a digest can tell (a view,
    the findings, a closure, a generator, anything pickle refuses) is Unfingerprintable: its page is
    rendered every time. The same content gives the same bytes within a process (dicts keep their
    order; functions and classes go by name, the same code for the life of the process); digests are
    never kept beyond it."""

    def __init__(self) -> None:
        self.known: dict[int, bytes] = {}  # id(item or row) → digest
        self.objects: dict[bytes, object] = {}  # digest → the item or row of this model
        self.keep: list = []  # the objects whose ids are in `known` (an id is only unique while alive)
        self._stand_ins: dict[int, bytes] = {}  # id(picture, settings, long list) → what is pickled for it
        self._top = 0  # id of the value `of` was asked for: never stood in for by itself

    def register(self, obj: object, digest: bytes) -> None:
        self.known[id(obj)] = digest
        self.objects.setdefault(digest, obj)
        self.keep.append(obj)

    def of(self, value: object) -> bytes:
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=5)
        pickler.persistent_id = self._stand_in
        outer, self._top = self._top, id(value)
        try:
            pickler.dump(value)
        except Unfingerprintable:
            raise
        except Exception as exc:  # whatever pickle cannot take, a page cannot be told by: render it
            raise Unfingerprintable(f"{type(exc).__name__}: {exc}") from None
        finally:
            self._top = outer
        return _file_hash(buffer.getbuffer())

    def _stand_in(self, value: object) -> bytes | None:
        kind = type(value)
        if kind in _OWN:
            if kind in _CONTAINERS and len(value) > _SHARED and id(value) != self._top:
                # A long list many pages hold (a gallery's filters, a column's stories): digested once
                # per model, kept alive so its id names it alone. Plans are not changed once made.
                found = self._stand_ins.get(id(value))
                if found is None:
                    found = self._stand_ins[id(value)] = b"C" + self.of(value)
                    self.keep.append(value)
                return found
            return None
        found = self.known.get(id(value))
        if found is not None:
            return found
        if kind is Image or kind is Settings:
            found = self._stand_ins.get(id(value))
            if found is None:
                found = (b"I" + _file_hash(pickle.dumps(value, protocol=5)) + _stat(value.path) if kind is Image
                         else b"S" + settings_digest(value))
                self._stand_ins[id(value)] = found
                self.keep.append(value)
            return found
        if _KINDS.get(getattr(value, "name", None)) is value:  # a kind of the registry: code, by its name
            return b"K" + value.name.encode()
        if kind is types.MappingProxyType:  # a read-only table of the settings: by its content
            return b"M" + self.of(dict(value))
        if kind is set or kind is frozenset:
            # By its members' digests in their order: a set's own order follows the process's hash seed,
            # and a build's page records are told by the next build's process (buildmemo).
            return b"s" + _h(*sorted(self.of(member) for member in value))
        if isinstance(value, (View, Findings)) or kind is types.FunctionType and value.__closure__:
            raise Unfingerprintable(kind.__name__)
        return None


def settings_digest(settings: Settings) -> bytes:
    """The settings as pages read them: the clock by its date (templates print dates only; what the hour
    decides, embargoes, is in the model), so a page is not rendered again because a second passed."""
    plain = Digester()
    parts = []
    for found in dataclasses.fields(settings):
        value = getattr(settings, found.name)
        if found.name == "now":
            value = value.date()
        parts.append(found.name.encode() + plain.of(value))
    return _h(*parts)


def _problem(problem: Problem) -> tuple:
    return ("problem", problem.code, tuple(sorted((key, repr(value)) for key, value in problem.fields.items())))


def _used(assets) -> tuple:
    """Files a link made part of the site, with their size and time (an attachment replaced)."""
    return tuple((output, str(path), _stat(path)) for output, path in assets)


# -- the cache of parses and bodies ------------------------------------------------------------------

@dataclasses.dataclass
class Parsed:
    """One file's parse and the findings it gave, for its size, time and content."""

    size: int
    mtime_ns: int
    digest: bytes
    result: object
    findings: tuple


@dataclasses.dataclass
class BodyEntry:
    """One body, and every link target it resolved with the answer: it holds while each answer does."""

    body: Body
    calls: tuple  # (args of BodyRenderer.resolve after the view, the outcome)
    findings: tuple


class Cache:
    """What `engine.prepare(cache=…)` keeps between runs: each file's parse, each body, and each item's
    own share of the model (its fields read, its rule checks, its WeChat limits: Cache.keep)."""

    def __init__(self) -> None:
        # Keyed by the path's text: a Path's own hash and == are slow (10,000 look-ups each run).
        self.files: dict[str, Parsed] = {}
        self.body_entries: dict[tuple, BodyEntry] = {}
        self.item_digest: Callable[[Item], bytes] | None = None  # set by Preview for each model
        self.parsed = 0  # files parsed in the last run (the rest came from the cache)
        self.rendered = 0  # bodies rendered in the last run
        self.kept: dict[tuple, tuple] = {}  # (stage, key) → (result, its findings), last run
        # An item's source → (its file's digest, the other files' digest, the item digest), last run
        # and this one (_Prepared.digest).
        self.bases: dict[str, tuple] = {}
        self.bases_live: dict[str, tuple] = {}
        self._kept_live: dict[tuple, tuple] = {}  # … this run: only these are kept after it
        self.computed: dict[str, int] = {}  # per stage, the items whose work was done in the last run
        self.shown: dict[str, str] = {}  # a file's path as messages print it (Settings.display resolves)
        self.resolved: dict[str, Path] = {}  # a content file's resolved path
        self._body_digests: dict[int, tuple[Body, bytes]] = {}  # id(body) → (the body, kept alive; digest)
        # The files the system named as changed, when it named them (Preview.update): a file it did not
        # name is as it was parsed, and not looked at (17,000 stats at 10,000 stories). None: each looked at.
        self.named: frozenset[str] | None = None

    def start(self) -> None:
        """A run begins: what it keeps is what it uses."""
        self._kept_live, self.computed, self.parsed, self.bases_live = {}, {}, 0, {}

    def keep(self, stage: str, key: bytes | tuple | None, findings: Findings, compute: Callable[[Findings], object]):
        """`compute(findings)` for one item in one stage, or its result and findings as the last run with
        the same key had them. The key is the caller's promise: it covers everything `compute` reads
        (the item's file, the settings, the other files, and whatever of other items it looks at)."""
        if key is None:
            return compute(findings)
        entry = self.kept.get((stage, key)) or self._kept_live.get((stage, key))
        if entry is None:
            own = Findings()
            entry = (compute(own), tuple(own.items))
            self.computed[stage] = self.computed.get(stage, 0) + 1
        findings.items.extend(entry[1])
        self._kept_live[(stage, key)] = entry
        return entry[0]

    def display(self, settings: Settings, path: Path) -> str:
        """Settings.display, once per path for the life of the cache (a full build makes a new cache,
        and only a full build changes where the content folder is)."""
        key = str(path)
        found = self.shown.get(key)
        if found is None:
            found = self.shown[key] = settings.display(path)
        return found

    def resolve(self, path: Path) -> Path:
        """Path.resolve, once per content file for the life of the cache (the loader follows no
        symbolic link inside the content folder, and only a full build changes the folder)."""
        key = str(path)
        found = self.resolved.get(key)
        if found is None:
            found = self.resolved[key] = path.resolve()
        return found

    def body_digest(self, body: Body) -> bytes:
        """A body by its HTML and files; a body kept from the last run is not hashed again."""
        found = self._body_digests.get(id(body))
        if found is None or found[0] is not body:
            found = (body, _h(body.html.encode("utf-8", "surrogatepass"),
                              repr([(output, str(path), _stat(path)) for output, path in body.assets]).encode()))
            self._body_digests[id(body)] = found
        return found[1]

    def parse(self, parser: Callable, path: Path, shown: str, findings: Findings):
        key = str(path)
        entry = self.files.get(key)
        if entry is not None and self.named is not None and key not in self.named:
            findings.items.extend(entry.findings)
            return entry.result
        try:
            found = path.stat()
        except OSError:
            found = None
        if found is not None and entry is not None and (entry.size, entry.mtime_ns) == (found.st_size, found.st_mtime_ns):
            findings.items.extend(entry.findings)
            return entry.result
        try:
            digest = _file_hash(path.read_bytes())
        except OSError:
            digest = None
        if digest is not None and entry is not None and entry.digest == digest and found is not None:
            entry.size, entry.mtime_ns = found.st_size, found.st_mtime_ns  # touched, not changed
            findings.items.extend(entry.findings)
            return entry.result
        own = Findings()
        result = parser(path, shown, own)
        findings.items.extend(own.items)
        self.parsed += 1
        if digest is not None and found is not None:
            self.files[key] = Parsed(found.st_size, found.st_mtime_ns, digest, result, tuple(own.items))
        else:
            self.files.pop(key, None)
        return result

    def digest_of(self, path: Path) -> bytes | None:
        entry = self.files.get(str(path))
        return entry.digest if entry is not None else None

    def forget(self, keep: set[Path]) -> None:
        kept = {str(path) for path in keep}
        for path in [path for path in self.files if path not in kept]:
            del self.files[path]
        self.resolved = {path: found for path, found in self.resolved.items() if path in kept}

    def bodies(self, renderer) -> Callable:
        """BodyRenderer.render, keeping each body while its item and every link answer stay the same."""
        live: dict[tuple, BodyEntry] = {}
        self._live, self.rendered = live, 0

        def outcome(item: Item, written: str, view, page_urls, strict: bool, rest: tuple, assets: list) -> tuple:
            before = len(assets)
            try:
                result = type(renderer).resolve(renderer, item, written, view, page_urls, strict, assets, *rest)
            except Problem as problem:
                return _problem(problem)
            return ("ok", result, _used(assets[before:]))

        def render(item: Item, view, page_urls, findings: Findings, strict: bool) -> Body:
            digest = self.item_digest(item) if self.item_digest else None
            key = (item.source, digest, strict)
            entry = self.body_entries.get(key) if digest is not None else None
            if entry is not None and all(outcome(item, written, view, page_urls, strict, rest, []) == answer
                                         for (written, rest), answer in entry.calls):
                findings.items.extend(entry.findings)
                live[key] = entry
                return entry.body
            calls: list = []

            def resolve(item_, written, view_, page_urls_, strict_, assets, *rest):
                before = len(assets)
                try:
                    result = type(renderer).resolve(renderer, item_, written, view_, page_urls_, strict_, assets, *rest)
                except Problem as problem:
                    calls.append(((written, rest), _problem(problem)))
                    raise
                calls.append(((written, rest), ("ok", result, _used(assets[before:]))))
                return result

            start = len(findings.items)
            renderer.resolve = resolve
            try:
                body = renderer.render(item, view, page_urls, findings, strict)
            finally:
                del renderer.resolve
            self.rendered += 1
            if digest is not None:
                live[key] = BodyEntry(body, tuple(calls), tuple(findings.items[start:]))
            return body

        return render

    def finish(self) -> None:
        """The bodies and kept work of this run replace the last run's (an item edited twice keeps no
        stale entries)."""
        if getattr(self, "_live", None) is not None:
            self.body_entries, self._live = self._live, None
        self.kept, self._kept_live = self._kept_live, {}
        self.bases, self.bases_live = self.bases_live, {}
        bodies = {id(entry.body) for entry in self.body_entries.values()}
        self._body_digests = {key: found for key, found in self._body_digests.items() if key in bodies}


# -- pages and their dependencies --------------------------------------------------------------------

@dataclasses.dataclass
class PageRecord:
    fingerprint: bytes | None  # None: not fingerprintable, rendered every time
    deps: tuple  # ((function, argument digests), the answer: a text as itself, else its digest)
    html: bytes  # the digest of the file written
    assets: dict  # site path → file, of this page


class Model:
    """One run's model with the functions a template may call, answered for any object by digest."""

    def __init__(self, build: engine.Build, cache: Cache, item_digest: Callable[[Item], bytes | None],
                 env_rows: dict[str, bytes]) -> None:
        self.build, self.cache = build, cache
        self.digester = Digester()
        for item in build.catalog.items:
            # An item whose file could not be digested is like no other, not even itself next time.
            self.digester.register(item, item_digest(item) or _h(b"unread", item.source.encode(), os.urandom(8)))
        for name, rows in build.catalog.lists.items():
            for key, row in rows.items():
                self.digester.register(row, _h(b"row", name.encode(), str(key).encode(), env_rows.get(name, b"")))
        self.answers: dict[tuple, bytes | str | None] = {}
        self.book_sizes: dict[str, str] = {}  # the EPUB sizes the pages print (Renderer.book_sizes)
        self.body_digests: dict[int, bytes] = {}
        self.env = b""  # the content folder's other files (Preview._env)

    def body_digest(self, item: Item) -> bytes:
        found = self.body_digests.get(id(item))
        if found is None:
            found = self.body_digests[id(item)] = self.cache.body_digest(self.build.bodies[id(item)])
        return found

    def call(self, name: str, args: tuple):
        site = self.build.shown
        if name == "url_of":
            return site.url(*args)
        if name == "top_honor":
            return model.top_honor(site, *args)
        if name == "body":
            return self.body_digest(args[0])
        if name == "book_sizes.contains":
            return args[0] in self.book_sizes
        if name == "book_sizes.get":
            return self.book_sizes[args[0]]
        if name == "book_sizes.len":
            return len(self.book_sizes)
        return getattr(site, name.removeprefix("site."))(*args)

    def arg(self, value) -> tuple:
        """An argument as recorded: an item or row by its digest, a plain value as itself."""
        if id(value) in self.digester.known:
            return ("obj", self.digester.known[id(value)])
        if value is None or isinstance(value, (str, int, float, bool)):
            return ("val", value)
        raise Unfingerprintable(type(value).__name__)

    def told(self, result) -> bytes | str:
        """An answer as a page's record keeps it: a text as itself, anything else by its digest. Most
        answers are URLs (url_of): a pickler made for each, 36,000 of them per process at 10,000
        stories, cost more than the comparison. A text never equals a digest, which is bytes."""
        return result if type(result) is str else self.digester.of(result)

    def answer(self, name: str, recorded: tuple) -> bytes | str | None:
        """The answer this model gives to a recorded call, as records keep it (Model.told; None: cannot
        be asked)."""
        key = (name, recorded)
        if key not in self.answers:
            args = []
            for how, value in recorded:
                if how == "obj":
                    if value not in self.digester.objects:
                        self.answers[key] = None
                        return None
                    value = self.digester.objects[value]
                args.append(value)
            try:
                result = self.call(name, tuple(args))
                self.answers[key] = result if name == "body" else self.told(result)
            except Unfingerprintable:
                self.answers[key] = None
        return self.answers[key]


class _SiteCalls:
    """The view as templates see it, each call noted with its answer."""

    def __init__(self, site, note: Callable) -> None:
        self._site, self._note = site, note

    def __getattr__(self, name: str):
        found = getattr(self._site, name)
        if not callable(found):
            self._note(None)  # a plain attribute of the view: not followed, so the page is always rendered
            return found

        def called(*args):
            result = found(*args)
            self._note(("site." + name, args, result))
            return result
        return called


class _Sizes(Mapping):
    """The EPUB sizes as templates see them, each look-up noted: a story edited changes its column's
    book, and only the pages printing that book's size are rendered again for it."""

    def __init__(self, sizes: dict, note: Callable) -> None:
        self._sizes, self._note = sizes, note

    def __contains__(self, key) -> bool:
        found = key in self._sizes
        self._note(("book_sizes.contains", (key,), found))
        return found

    def __getitem__(self, key):
        found = self._sizes[key]
        self._note(("book_sizes.get", (key,), found))
        return found

    def __len__(self) -> int:
        self._note(("book_sizes.len", (), len(self._sizes)))
        return len(self._sizes)

    def __iter__(self):
        self._note(None)  # all of them: not followed, the page is always rendered
        return iter(self._sizes)


class TrackingRenderer(Renderer):
    """The build's Renderer, noting per page what its templates asked of the model and which files it used."""

    def __init__(self, current: Model, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.model = current
        self.noted: list | None = None

    def _note(self, call) -> None:
        if self.noted is not None:
            self.noted.append(call)

    def context(self, url: str, absolute: bool = False) -> dict:
        helpers = super().context(url, absolute)
        if self.noted is None:
            return helpers

        def noting(name: str, function: Callable) -> Callable:
            def called(*args):
                result = function(*args)
                self._note((name, args, self.model.body_digest(args[0]) if name == "body" else result))
                return result
            return called

        for name in ("url_of", "top_honor", "body"):
            helpers[name] = noting(name, helpers[name])
        helpers["site"] = _SiteCalls(self.site, self._note)
        helpers["book_sizes"] = _Sizes(helpers["book_sizes"], self._note)
        return helpers

    def render_noted(self, page) -> tuple[str, list, dict]:
        """The page, what its templates asked and the files it uses (also added to the renderer's own)."""
        before, self.noted, self.out.assets = self.out.assets, [], {}
        try:
            html = self.render(page)
            return html, self.noted, self.out.assets
        finally:
            before.update(self.out.assets)
            self.noted, self.out.assets = None, before


def fingerprint_of(page, renderer: Renderer, digester: Digester) -> bytes | None:
    """A page's own inputs by content: its plan entry, its trail and the books it offers (None: a value
    no digest can tell, so the page is rendered every time)."""
    try:
        return digester.of((page.url, page.template, page.title, page.description, page.lastmod,
                            page.searchable, page.image, page.item, page.owner, page.context,
                            renderer.trails.get(page.url, ()),
                            [(book.anthology, book.size) for book in renderer.books.get(page.url, [])]))
    except Unfingerprintable as why:
        log.debug(f"UnionPress：{page.output} 每次都重新生成（{why}）")
        return None


_UNASKED = object()


def still_valid(record: PageRecord, current: Model) -> bool:
    """Whether every call the page's templates made is answered alike by this model. An answer the
    model gave already is looked up by the recorded call as it is (no call, no key made again: 19,010
    pages on every edit, a dozen calls each); a call not asked yet is asked."""
    answers = current.answers
    for key, answer in record.deps:
        if answer is None:  # a call that could not be asked: the page is rendered every time
            return False
        found = answers.get(key, _UNASKED)
        if found is _UNASKED:
            found = current.answer(*key)
        if found != answer:
            return False
    return True


def dependencies(noted: list, current: Model) -> tuple:
    """What a page's templates asked (TrackingRenderer.noted), as a record keeps it: each call by its
    arguments' digests and its answer's. Unfingerprintable when one cannot be told."""
    deps = []
    for call in noted:
        if call is None:
            raise Unfingerprintable("attribute")
        name, args, result = call
        recorded = tuple(current.arg(arg) for arg in args)
        deps.append(((name, recorded), result if name == "body" else current.told(result)))
    return tuple(deps)


def _shared(renderer: Renderer, settings: Settings) -> bytes:
    """What every page shows whatever it is: settings, channel bar, masthead, the site's feed."""
    return Digester().of((settings, renderer.channels, renderer.masthead, renderer.site_url, renderer.root_path,
                          settings.stylesheets, site_feed(settings))) + settings_digest(settings)


# -- the site folder ---------------------------------------------------------------------------------

def _listing(folder: Path) -> dict[str, tuple[int, int]]:
    found = {}
    for here, _folders, files in os.walk(folder):
        for name in files:
            path = Path(here) / name
            try:
                stat = path.stat()
            except OSError:
                continue
            found[path.relative_to(folder).as_posix()] = (stat.st_size, stat.st_mtime_ns)
    return found


def _rewritten(before: dict[str, PageRecord], after: dict[str, PageRecord]) -> set[str]:
    """The pages of `after` new or with other bytes than in `before`: those a browser must reload."""
    return {output for output, record in after.items() if output not in before or before[output].html != record.html}


def _remove(site_dir: Path, output: str) -> None:
    path = site_dir / output
    path.unlink(missing_ok=True)
    parent = path.parent
    while parent != site_dir and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent


class FullBuildFailed(Exception):
    pass


@dataclasses.dataclass(frozen=True)
class FullBuild:
    hooks: types.ModuleType  # hooks/build.py as MkDocs loaded it: its _state holds the engine's build
    before_outputs: frozenset[str]  # the files MkDocs and the engine's pages wrote (the outputs own the rest)
    handwritten: tuple  # how the engine was asked for each docs/ page: (method, arguments)
    docs_dir: Path


def mkdocs_build(config_file: Path, site_dir: Path) -> FullBuild:
    """`mkdocs build` in this process (as `mkdocs serve` names itself: no publish manifest), into
    site_dir. Returns the hooks module (its build), and the files MkDocs and the engine's pages wrote
    before the outputs (everything else the outputs own)."""
    from mkdocs.commands.build import build as mkdocs_build_
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException
    from mkdocs.plugins import BasePlugin, event_priority

    before_outputs: dict[str, set[str]] = {}
    handwritten: list[tuple[str, tuple]] = []

    class Snapshot(BasePlugin):
        @event_priority(100)  # before the engine's on_page_context asks its renderer for the page
        def on_page_context(self, context, page, config, nav):
            hooks = next(module for module in config["hooks"].values() if hasattr(module, "_state"))
            renderer = hooks._state["build"].renderer
            for name in ("handwritten", "chrome"):  # how the engine renders a docs/ page (around MkDocs' HTML)
                method = getattr(type(renderer), name, None)
                if method is not None and name not in vars(renderer):
                    def noted(*args, _name=name, _method=method, _renderer=renderer):
                        handwritten.append((_name, args))
                        return _method(_renderer, *args)
                    setattr(renderer, name, noted)
            return context

        @event_priority(100)  # before the engine's on_post_build writes the outputs
        def on_post_build(self, config):
            listing = _listing(Path(config.site_dir))
            before_outputs["files"] = {path for path in listing if not path.startswith(outputs.search.BUNDLE + "/")}

    errors: list[str] = []  # what MkDocs logged as errors (the findings): the reason, not "Aborted"

    class Errors(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            errors.append(record.getMessage())

    catch = Errors(logging.ERROR)
    logging.getLogger("mkdocs").addHandler(catch)
    try:
        config = load_config(config_file=str(config_file), site_dir=str(site_dir))
        config.plugins["unionpress-serve-snapshot"] = Snapshot()
        config.plugins.on_startup(command="serve", dirty=False)
        try:
            mkdocs_build_(config)
        finally:
            config.plugins.on_shutdown()
    except (MkDocsException, SystemExit) as exc:
        raise FullBuildFailed("\n".join(errors) or str(exc)) from None
    finally:
        logging.getLogger("mkdocs").removeHandler(catch)
    hooks = next(module for module in config["hooks"].values() if hasattr(module, "_state"))
    return FullBuild(hooks, frozenset(before_outputs.get("files", ())), tuple(handwritten), Path(config.docs_dir))


# -- the preview -------------------------------------------------------------------------------------

class _Collector:
    """The cycle collector held off while any of the preview's runs holds it, on again when the last
    lets go. An edit's run and an outputs run hold it at once (a save while the outputs are written):
    the first to end turning it back on would give the other the collections it was held off for.
    A full build turns it on whoever holds it (an edit's run may turn into one), and leaves it as the
    holders left by then want it: on its own, full() restoring what it found would turn it off for
    good when an outputs run let go meanwhile (a template saved while the outputs are written)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = self._full_builds = 0
        self._base = True  # as it was before the first holder or full build: what it goes back to

    def _count(self, holders: int, full_builds: int) -> None:
        with self._lock:
            if self._holders == self._full_builds == 0:
                self._base = gc.isenabled()
            self._holders += holders
            self._full_builds += full_builds
            on = True if self._full_builds else False if self._holders else self._base
            gc.enable() if on else gc.disable()

    def hold(self) -> None:
        self._count(1, 0)

    def let_go(self) -> None:
        self._count(-1, 0)

    def full_build(self) -> None:
        self._count(0, 1)

    def full_build_done(self) -> None:
        self._count(0, -1)


_COLLECTOR = _Collector()


class _Viewers:
    """The pages open in a browser, as their live-reload scripts say when they ask for the version
    (every POLL_MS): an edit's run looks at these first and writes them at once (Preview._ahead)."""

    RECENT = 2.0  # seconds: a script asks ten times in that; a tab in the background is left out

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, float] = {}  # page's file → when its script last asked

    def saw(self, output: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._seen[output] = now
            if len(self._seen) > 64:  # tabs long closed: the dict stays small
                self._seen = {page: when for page, when in self._seen.items() if now - when <= self.RECENT}

    def now(self) -> frozenset[str]:
        now = time.monotonic()
        with self._lock:
            return frozenset(page for page, when in self._seen.items() if now - when <= self.RECENT)


class Preview:
    """A site folder kept equal to a full build of the content as it changes (see the module's note)."""

    def __init__(self, config_file: Path, site_dir: Path | None = None, background: bool = True) -> None:
        self.config_file = config_file.resolve()
        self.site_dir = site_dir
        self.background = background  # outputs in a thread (serve), or at once (tests)
        self.defer_outputs = False  # without a thread: outputs only when wait() is called (tests)
        self.lock = threading.RLock()
        self.version = 0  # the live-reload script reloads when it changes
        # Pages with a version of their own, newer than `version`: written ahead of the run they belong
        # to (the ones on screen: Preview._pages), with the version the run will end with, so their
        # script reloads once, when they are written; or written again when the books followed
        # (_follow_books), so only they reload. The next run's version is above them all (_next).
        self.ahead: dict[str, int] = {}
        self._run_version = 0  # the version the run under way gives (Preview._update)
        self.viewers = _Viewers()
        self.error = ""  # the findings of a run that failed: the pages stay as they were
        self.cache = Cache()
        self.books: dict[bytes, tuple[bytes, tuple]] = {}  # anthology digest → (EPUB bytes, its findings)
        self.shelf: dict[str, bytes] = {}  # anthology key → the EPUB last made for it (Preview._books)
        self._assets_env: bytes | None = None  # the content folder's other files when the pages' were copied
        self._stale: tuple | None = None  # (build, model): its books made again with the outputs
        self._walk = None  # load.Walk of the last run (Preview._walked)
        self._others: list[bytes] = []  # the content folder's other files as the last walk found them (_env)
        self.records: dict[str, PageRecord] = {}
        self.copied: dict[str, tuple[str, bytes]] = {}  # asset site path → (source, its stat) as copied
        self.mkdocs_files: set[str] = set()  # docs/ pages, theme files: only a full build writes them
        self.output_files: set[str] = set()  # what the outputs wrote last
        self.shared = b""
        self.chrome = b""
        self.handwritten: tuple = ()  # how the full build asked the engine for each docs/ page
        self.docs_dir: Path | None = None
        self.settings: Settings | None = None
        self.timings: dict[str, float] = {}
        self.model_phases: dict[str, float] = {}  # engine.prepare's phases in the last update (scripts/bench)
        self.outputs_ready: dict[str, float] = {}  # seconds from the outputs' start to each output written
        self.audit_seconds = 0.0  # the last release check's (scripts/bench)
        self._outputs_wanted: engine.Build | None = None
        self._outputs_running = False
        self._worker_busy = False  # the outputs thread runs the outputs or the release check (no fork then)
        self._outputs_done = threading.Condition(self.lock)
        # Edits' runs under way or waiting for the lock: the outputs thread gives way to them between
        # one output and the next (_give_way). Its own lock: the outputs thread holds none of the
        # preview's while it writes the outputs.
        self._runs = 0
        self._calm = threading.Condition(threading.Lock())
        self._give_way_until = 0.0  # the outputs run's deadline for giving way (GIVE_WAY in all)
        self._full_waiting = False  # a full build waits for the outputs: no more giving way
        self._worker: threading.Thread | None = None
        self._owned_dir = site_dir is None

    # -- full builds -----------------------------------------------------------------------------------
    def full(self) -> None:
        """A full build by MkDocs into a new folder, then the model and page records from it."""
        _COLLECTOR.full_build()  # an update may turn into a full build (update() holds the collector back): not this
        try:
            self._full()
        finally:
            _COLLECTOR.full_build_done()

    def _full(self) -> None:
        with self.lock:
            with self._calm:  # the outputs thread would give way to the run this build may be part of
                self._full_waiting = True
                self._calm.notify_all()
            try:
                self._wait_outputs()
            finally:
                with self._calm:
                    self._full_waiting = False
            old, owned = self.site_dir, self._owned_dir
            # In a folder of its own: the build writes its next-change file beside the site folder.
            target = Path(tempfile.mkdtemp(prefix="unionpress-serve-")) / "site" if owned else old
            started = time.perf_counter()
            try:
                made = mkdocs_build(self.config_file, target)
            except FullBuildFailed as exc:
                self.error = str(exc)
                if owned and target != old:
                    shutil.rmtree(target.parent, ignore_errors=True)
                self._advance()
                raise
            built, rendered = made.hooks._state["build"], made.hooks._state["rendered"]
            before, self.handwritten, self.docs_dir = made.before_outputs, made.handwritten, made.docs_dir
            self.settings = built.settings
            pages = {page.output for page in rendered.written}
            self.mkdocs_files = before - pages - set(rendered.assets)
            self.output_files = set(_listing(target)) - before
            self.copied = {output: (str(path), _stat(path)) for output, path in rendered.assets.items()
                           if output in before and output not in self.mkdocs_files}
            self.records, self.chrome, self.shared = {}, b"", b""
            self._outputs_wanted = None  # MkDocs wrote every output of this content
            self.cache, self.books, self.shelf, self._stale, self._assets_env = Cache(), {}, {}, None, None
            self._walk = None
            self.site_dir, self.error = target, ""
            self.timings = {"full": time.perf_counter() - started}
            if owned and old is not None and old != target:
                shutil.rmtree(old.parent, ignore_errors=True)
            # The first incremental run renders every page once to learn what each depends on; its
            # files equal the build's, so nothing is written.
            self.update(full_followed=True)
            self._advance()

    # -- incremental runs ------------------------------------------------------------------------------
    @staticmethod
    def _env(settings: Settings, others: list[bytes] | None = None) -> bytes:
        """What items and rows are made of besides their own file: settings, and the content folder's
        other files (pictures, attachments) by name, size and time (`others`: as _other_files found
        them, when they are known to be as they were)."""
        return _h(settings_digest(settings), *(others if others is not None else Preview._other_files(settings)))

    @staticmethod
    def _other_files(settings: Settings) -> list[bytes]:
        content = str(settings.content_dir)
        lists = {os.path.join(content, kind.file) for kind in LIST_KINDS.values()}  # as the walk spells them
        others = []
        for here, folders, files in os.walk(content):  # strings, not Paths: 10,000 files each run
            # What editors' tools leave (load.is_junk: an editor's swap file, Obsidian's .obsidian/) is
            # never content: its changes, every few seconds while typing, must not make every item new.
            folders[:] = sorted(name for name in folders if not is_junk(name))
            inner = os.path.relpath(here, content).replace(os.sep, "/")
            prefix = "" if inner == "." else inner + "/"
            for name in sorted(files):
                path = os.path.join(here, name)
                if (name.endswith(".md") and len(name) > 3) or path in lists or is_junk(name):  # .md: Path(name).suffix
                    continue
                try:
                    found = os.stat(path)
                    stat = f"{found.st_size}:{found.st_mtime_ns}".encode()
                except OSError:
                    stat = b"missing"
                others.append(f"{prefix}{name}\0".encode() + stat)
        return others

    def _rows(self, settings: Settings, env_items: bytes) -> dict[str, bytes]:
        """A list's rows are made of its file (parsed by now) and the same settings and files."""
        return {name: _h(env_items, self.cache.digest_of(settings.content_dir / kind.file) or b"")
                for name, kind in LIST_KINDS.items()}

    def update(self, full_followed: bool = False, named: set[str] | None = None) -> dict[str, int]:
        """Bring the folder up to the content: returns how many pages were rendered and written.
        `named`: the paths the system named as changed since the last run (Watcher), when it did.

        Without the cycle collector while it runs: each run makes a new model, and at 10,000 stories
        the collections that sets off walk every object the preview keeps (1.4 s at a time, measured
        inside the plan). The outputs run that follows holds it off too, until its files are written:
        the first collection after an edit, a full one of the last model's garbage (1.3 s at 10,000
        stories), came as that run began, and the search index was written that much later. Not for
        the run after a full build (every page rendered: minutes at 10,000 stories), nor for a full
        build a run turns into (full() collects as usual)."""
        asked = time.perf_counter()
        if full_followed:
            return self._update(full_followed, None, asked)
        _COLLECTOR.hold()
        with self._calm:
            self._runs += 1
        try:
            return self._update(full_followed, named, asked)
        finally:
            with self._calm:
                self._runs -= 1
                self._calm.notify_all()
            _COLLECTOR.let_go()

    def _walked(self, named: set[str] | None):
        """The content folder's walk (load.Walk) as the last run's tells it, when the paths the system
        named leave no doubt what a walk would find (load.walk_after: items and lists edited, a story
        come or gone). Else None: the folder is walked. A change the system did not name (a network
        folder) is found by the watcher's look after the run, and a run that walks follows."""
        if named is None or self._walk is None:
            return None
        return walk_after(self._walk, named, self.settings.content_dir)

    def _update(self, full_followed: bool, named: set[str] | None, asked: float) -> dict[str, int]:
        with self.lock:
            clock = time.perf_counter()
            timings: dict[str, float] = {"waited": clock - asked}  # for the lock the outputs thread held
            on_screen = self.viewers.now()  # as the save found them: the model takes longer than RECENT
            self._run_version = self._next()  # the pages written ahead get it, then every page
            settings = dataclasses.replace(self.settings, now=up_config.clock(self.settings.timezone, os.environ))
            findings = Findings()
            walked = self._walked(named)
            # An edit of items and lists leaves the folder's other files as they were.
            if walked is None:
                self._others = self._other_files(settings)
            env_items = self._env(settings, self._others)
            # Parses first (digests of items read their file's), then the model with kept bodies.
            self.cache.item_digest = None
            self.cache.named = frozenset(named) if walked is not None else None
            prepared = _Prepared(self.cache, env_items, settings, walked)
            self._walk = None  # until this run's is made: a run that fails walks next time (its names are gone)
            try:
                build = engine.prepare(settings, findings, cache=prepared)
            finally:
                self.cache.named = None
            self._walk = build.walk
            self.cache.finish()
            self.cache.forget({item.path for item in build.catalog.items} | {
                settings.content_dir / kind.file for kind in LIST_KINDS.values()})
            timings["model"] = time.perf_counter() - clock
            if findings.errors:
                self.error = findings.report()
                log.error("UnionPress 内容检查未通过，预览保持上一次的页面：\n" + self.error)
                self._advance()
                return {"rendered": 0, "written": 0}
            current = Model(build, self.cache, prepared.digest, self._rows(settings, env_items))
            current.env = env_items
            clock = time.perf_counter()
            with build.phases("epub"):
                books, stale = self._books(build, settings, findings, current, defer=not full_followed)
            for finding in findings.sorted():  # the books' with the rest (warnings only: a book fails nothing)
                if not finding.is_error and not full_followed:
                    log.warning(finding.format())
            renderer = self._renderer(build, settings, current, books, crumbs.trails(build.pages, build.shown))
            timings["epub"] = time.perf_counter() - clock
            clock = time.perf_counter()
            # The docs/ pages as the engine would render them now (MkDocs' HTML of their Markdown kept).
            chrome = Digester().of([getattr(renderer, name)(*args) for name, args in self.handwritten])
            renderer.out.assets = {}
            if self.chrome and chrome != self.chrome:
                # The hand-written pages show the channel bar and masthead: only MkDocs renders them.
                self.error = ""
                self.full()
                return {"rendered": -1, "written": -1}
            self.chrome = chrome
            shared = _shared(renderer, settings)
            try:
                counts = self._pages(build, current, renderer, shared, write=not full_followed,
                                     first=frozenset() if full_followed else on_screen,
                                     shown=lambda: timings.__setitem__("on_screen", time.perf_counter() - asked))
            except BaseException:
                self._catch_up()  # what was written ahead is shown; the rest as it was
                raise
            self.shared = shared
            timings["pages"] = time.perf_counter() - clock
            self.error = ""
            self._stale = (build, current) if stale else None
            if not full_followed:
                # The version the pages written ahead were given: they reload no more; every other
                # page, those the books' follow-up marked too, reloads.
                self.version, self.ahead = self._run_version, {}
            if not full_followed:
                self._want_outputs(build)
            self.timings = timings | {"bodies": float(self.cache.rendered), "parsed": float(self.cache.parsed)}
            self.model_phases = {name: round(seconds, 3) for name, seconds in build.phases.seconds.items()}
            return counts

    def _books(self, build, settings: Settings, findings: Findings, current: Model,
               defer: bool = False, made: Findings | None = None) -> tuple[tuple, bool]:
        """The EPUB books (the pages print their sizes), each made again only when its anthology, the
        bodies in it or the settings changed; the outputs write these same bytes (epub.library's memo).
        With `defer`, a book made before under the same key stands in for the new one: an edit's pages
        need not wait for its column's book (0.4 s at 2,000 chapters); the outputs make it and bring
        the pages that print its size up to it (_follow_books). Returns (books, whether one stands in)."""
        epub = outputs.epub
        kept: dict[bytes, tuple[bytes, tuple]] = {}
        books = []
        stale = False
        settings_key = settings_digest(settings)  # once, not per book (60 at 10,000 stories)
        for anthology in epub.anthologies(build.public):
            try:
                key = _h(current.digester.of(anthology), settings_key,
                         *(current.body_digest(item) for item in anthology.items))
            except Unfingerprintable:
                key = None
            found = self.books.get(key) if key is not None else None
            if found is None and defer and anthology.key in self.shelf:
                books.append(epub.Book(anthology, self.shelf[anthology.key]))
                stale = True
                continue
            if found is None:
                own = Findings()
                found = (epub.make(anthology, build.public, settings, build.public_body, own), tuple(own.items))
                if made is not None:
                    made.items.extend(own.items)
            findings.items.extend(found[1])
            if key is not None:
                kept[key] = found
            books.append(epub.Book(anthology, found[0]))
        if defer:  # the books standing in are made with the outputs: until then, the ones made stay
            self.books.update(kept)
        else:
            self.books = kept
        self.shelf = {book.anthology.key: book.data for book in books}  # a stand-in's bytes are its own
        epub._library[build.public] = tuple(books)  # what outputs.run's epub.write writes
        return tuple(books), stale

    @staticmethod
    def _renderer(build, settings: Settings, current: Model, books: tuple, trails: dict) -> TrackingRenderer:
        renderer = TrackingRenderer(current, build.shown, settings, build.bodies, books)
        current.book_sizes = renderer.book_sizes
        build.renderer = renderer  # the outputs' (the offline pages)
        renderer.trails = trails
        return renderer

    def _follow_books(self, build) -> None:
        """The books an edit's pages went without (_books' `defer`), made now, before the outputs write
        them; the pages that print a size that changed are rendered again."""
        stale = self._stale
        if stale is None or stale[0] is not build:
            # Another run's (a save while this run's search index was begun, the lock let go):
            # left for the outputs run that follows it.
            return
        self._stale = None
        _build, current = stale
        settings = build.settings  # the update's, clock and all
        try:
            made = Findings()  # what the books made now say (the update said the others')
            books, _stale = self._books(build, settings, Findings(), current, made=made)
            for finding in made.sorted():
                log.warning(finding.format())
            renderer = self._renderer(build, settings, current, books, build.renderer.trails)
            # What the pages asked of the sizes is answered anew; everything else answers as before.
            current.answers = {key: found for key, found in current.answers.items()
                               if not key[0].startswith("book_sizes.")}
            before = self.records
            self._pages(build, current, renderer, self.shared, write=True)
            # Only the pages written again reload (a column's and the downloads page, most often):
            # the others show what they showed.
            changed = _rewritten(before, self.records)
            if changed:
                version = self._next()
                self.ahead.update(dict.fromkeys(changed, version))
        except BaseException:
            self._stale = stale  # the next run of the outputs tries again
            raise

    def _next(self) -> int:
        """The version after every one given so far: to the pages (ahead) and to all (version)."""
        return max(self.version, max(self.ahead.values(), default=0)) + 1

    def _advance(self) -> None:
        """Every page reloads (a full build, a run that failed, its findings shown)."""
        self.version, self.ahead = self._next(), {}

    def _catch_up(self) -> None:
        """A run that failed after writing pages ahead: the version they were given, for every page."""
        if self.ahead:
            self.version = max(self.version, *self.ahead.values())
            self.ahead = {}

    def page_version(self, output: str | None) -> int:
        """The version a page's live-reload script is given and compares: the run's own for a page
        written ahead of it, so that page reloads once, when it is written, not again at the run's end."""
        return self.ahead.get(output, self.version) if output is not None else self.version

    def _ahead(self, pages: list, gone: set[str], current: Model, renderer: TrackingRenderer, shared: bytes) -> tuple:
        """The pages on screen, looked at before the rest and written at once (`gone`: those the edit
        took away, removed): their browsers reload for them while the others are looked at (800
        listing pages after a new story at 10,000 stories, 2.5 s). Their records and counts, and a
        version for those written or removed (after it: a browser reloading before would keep the
        old page)."""
        records, rendered, written = self._share(pages, current, renderer, shared, write=True)
        changed = _rewritten(self.records, records)
        for output in changed:  # a picture the edit added shows with the page (those it dropped go later)
            self._copy(records[output].assets, trusted=False)
        # A page on screen the edit took away (a story made a draft): gone now, its browser shows the
        # site's 404 page. Its record goes with the rest (Preview._pages).
        for output in gone:
            _remove(self.site_dir, output)
        self.ahead.update(dict.fromkeys(changed | gone, self._run_version))
        return records, rendered, written, bool(changed or gone)

    def _pages(self, build, current: Model, renderer: TrackingRenderer, shared: bytes, write: bool,
               first: frozenset = frozenset(), shown: Callable[[], None] | None = None) -> dict[str, int]:
        """Each page looked at, rendered when its inputs changed, written when its bytes did; `first`,
        the pages on screen, before the rest (`shown` is told when they are written)."""
        pages = build.pages
        ahead: dict = {}
        before = (0, 0)
        if first and write:
            planned = [page for page in pages if page.output in first]
            gone = {output for output in first if output in self.records and output not in self.mkdocs_files} - {
                page.output for page in planned}
            ahead, *before, marked = self._ahead(planned, gone, current, renderer, shared)
            pages = [page for page in pages if page.output not in ahead]
            if shown is not None and marked:
                shown()
        done = None
        if len(pages) >= SPLIT_PAGES and not self._worker_busy:
            # Every other page in a forked child (forking.in_two): fingerprinting 19,010 pages is most
            # of an edit at 10,000 stories, and a new story shifts a column's 800 listing pages. The
            # server's threads render nothing, and the outputs thread waits for the lock held here.
            done = forking.in_two(lambda: self._share(pages[0::2], current, renderer, shared, write),
                                  lambda: self._share(pages[1::2], current, renderer, shared, write, answer=[],
                                                      yielding=True),
                                  threads_idle=True)
        if done is None:
            records, rendered, written = self._share(pages, current, renderer, shared, write)
        else:
            (records, rendered, written), theirs = done
            if theirs is forking.FAILED:  # its pages here, where an error is raised as it would be alone
                theirs = self._share(pages[1::2], current, renderer, shared, write)
            else:  # what it had to say, said here (a forked child writes nothing to the terminal)
                for level, message in theirs[3]:
                    log.log(level, message)
            records.update({output: record if record is not None else self.records[output]
                            for output, record in theirs[0].items()})
            rendered, written = rendered + theirs[1], written + theirs[2]
        if ahead or done is not None:
            # In the plan's order, as one process keeps them (the pages' files are gathered in it).
            records = {page.output: ahead[page.output] if page.output in ahead else records[page.output]
                       for page in build.pages}
        rendered, written = rendered + before[0], written + before[1]
        for output in set(self.records) - set(records):
            if output not in self.mkdocs_files:
                _remove(self.site_dir, output)
        self.records = records
        self._assets(current.env)
        return {"rendered": rendered, "written": written}

    def _share(self, pages: list, current: Model, renderer: TrackingRenderer, shared: bytes, write: bool,
               answer: list | None = None, yielding: bool = False) -> tuple:
        """Each page's record, rendering (and writing, when its bytes changed) the pages whose inputs
        changed. `answer`: a child's share, handed back through a pickle: a page kept is named with None
        (its record is the parent's already), not pickled with its dependencies; its log lines are
        gathered in the list given and handed back too. `yielding` (the forked child): at a lower
        priority, so the browser reloading the page on screen, written just before, is not starved of
        both cores."""
        if yielding:
            with contextlib.suppress(OSError, AttributeError):  # AttributeError: no os.nice (Windows)
                os.nice(5)
        site_dir = self.site_dir
        rendered = written = 0

        def say(level: int, message: str) -> None:
            if answer is None:
                log.log(level, message)
            else:
                answer.append((level, message))
        records: dict[str, PageRecord | None] = {}
        same_shared = shared == self.shared
        for page in pages:
            fingerprint = fingerprint_of(page, renderer, current.digester)
            old = self.records.get(page.output)
            if (old is not None and same_shared and fingerprint is not None and old.fingerprint == fingerprint
                    and still_valid(old, current)):
                records[page.output] = None if answer is not None else old
                continue
            html, noted, assets = renderer.render_noted(page)
            rendered += 1
            data = html.encode("utf-8")
            digest = _file_hash(data)
            try:
                deps = dependencies(noted, current)
            except Unfingerprintable as why:
                say(logging.DEBUG, f"UnionPress 预览：{page.output} 每次都重新生成（{why}）")
                fingerprint, deps = None, ()
            records[page.output] = PageRecord(fingerprint, deps, digest, dict(assets))
            target = site_dir / page.output
            if not write:
                if not target.is_file() or _file_hash(target.read_bytes()) != digest:
                    say(logging.WARNING, f"UnionPress 预览：{page.output} 与完整构建不同，已重写")
                    self._write(target, data)
                    written += 1
                continue
            if old is None or old.html != digest or not target.is_file():
                self._write(target, data)
                written += 1
        if answer is not None:
            return records, rendered, written, answer
        return {output: record if record is not None else self.records[output]
                for output, record in records.items()}, rendered, written

    @staticmethod
    def _write(target: Path, data: bytes) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def _assets(self, env: bytes) -> None:
        """The files the pages use, copied as MkDocs copies them; those no page uses any more removed.
        A file copied from the same source is not looked at again while the content folder's other
        files are as they were (`env`, Preview._env): the rest come from the cache, whose files are
        named by what they hold and never changed in place (20,000 stats at 10,000 stories)."""
        trusted, self._assets_env = env == self._assets_env, None  # set again once every file is in
        wanted: dict[str, Path] = {}
        for record in self.records.values():
            wanted.update(record.assets)
        self._copy(wanted, trusted)
        for output in set(self.copied) - set(wanted):
            del self.copied[output]
            if output not in self.output_files:
                _remove(self.site_dir, output)
        self._assets_env = env

    def _copy(self, wanted: dict[str, Path], trusted: bool) -> None:
        for output, path in wanted.items():
            if output in self.mkdocs_files:  # a file of docs/ at that path wins, as in a build
                continue
            if trusted and self.copied.get(output, ("",))[0] == str(path):
                continue
            stat = (str(path), _stat(path))
            if self.copied.get(output) != stat or not (self.site_dir / output).is_file():
                target = self.site_dir / output
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
                self.copied[output] = stat

    # -- outputs, in the background --------------------------------------------------------------------
    @property
    def outputs_behind(self) -> bool:
        return self._outputs_wanted is not None or self._outputs_running

    def _want_outputs(self, build: engine.Build) -> None:
        self._outputs_wanted = build
        if not self.background:
            if not self.defer_outputs:
                self._run_outputs()
            return
        if self._worker is None:  # a worker sets it back to None under the lock as it stops: none is missed
            self._worker = threading.Thread(target=self._outputs_loop, name="unionpress-outputs", daemon=True)
            self._worker.start()

    def _outputs_loop(self) -> None:
        with self.lock:
            try:
                while self._outputs_wanted is not None:
                    self._run_outputs()
            finally:
                self._worker = None

    def _run_outputs(self) -> None:
        """Every output from the latest model; files an earlier run wrote and this one did not, removed."""
        build, self._outputs_wanted = self._outputs_wanted, None
        if build is None:
            return
        self._outputs_running = True
        site_dir = self.site_dir
        started = time.time_ns()
        clock = time.perf_counter()
        self._give_way_until = time.monotonic() + GIVE_WAY
        _COLLECTOR.hold()  # on again when the outputs are written, before the release check (update())
        try:
            # Pagefind first: a process of its own, it indexes on the second core while the books
            # the edit's pages went without are made, and then the WeChat packages and the partner
            # bundles (at 10,000 stories, started after the books, the index was written 13.7 s into
            # this run, 3.3 s of them books). It reads the model, not the pages the books change.
            with self._unlocked():
                outputs.start(build, site_dir)
            try:
                self._follow_books(build)  # under the lock: it writes pages
            except BaseException:
                # No indexing left running for a run that failed. The index begun has taken the last
                # one's place: the search page has none until the next change's outputs, as when an
                # output fails.
                outputs.cancel(site_dir)
                raise
            with self._unlocked():
                if build.settings.preview:
                    outputs.manifest.write_preview_marker(site_dir)
                try:
                    ready, self.audit_seconds = {}, 0.0
                    self.outputs_ready = ready
                    def done(name: str) -> None:
                        ready[name] = time.perf_counter() - clock
                        self._give_way()

                    written = set(outputs.run(build, site_dir, done))
                except BaseException:
                    outputs.cancel(site_dir)  # no indexing left running for a run that failed
                    raise
                outputs.manifest.write_next_change(site_dir, schedule.next_change(build.catalog, build.settings))
                # Unlocked (40,000 files at 10,000 stories: an edit's run waited for it): a file a run
                # writes meanwhile is newer than `started` and stays; one it removes is gone already.
                listing = _listing(site_dir)
            if self.site_dir != site_dir:
                return
            owned = self._owned_now()
            # Written by this run: what the outputs say, the preview's marker (named: a file's time
            # comes from the kernel's coarse clock and may read before `started`), and any file the
            # outputs touched without saying.
            if build.settings.preview:
                written.add(outputs.manifest.PREVIEW_MARKER)
            written |= {path for path, (_size, mtime) in listing.items() if mtime >= started}
            # Nothing else may stay: a full build's folder holds MkDocs' files, the pages, their
            # files and what the outputs wrote (a withdrawn story's WeChat export goes here).
            for path in set(listing) - owned - written:
                _remove(site_dir, path)
            self.output_files = written - owned
            self.timings["outputs"] = time.perf_counter() - clock
        except Exception as exc:  # noqa: BLE001 — reported, and the next change tries again
            log.error(f"UnionPress 预览：输出文件（订阅源、站点地图、搜索索引等）生成失败：{exc}")
            return
        finally:
            _COLLECTOR.let_go()
            self._outputs_running = False  # the status line goes; the pages are as they were
            self._outputs_done.notify_all()
        if self._outputs_wanted is None:  # the release check, when no later change is waiting
            with self._unlocked():
                self._give_way()  # its listing of every file is read here
                self._audit(build, site_dir)

    def _give_way(self) -> None:
        """Between two outputs: while an edit's run is under way, wait for it. Both are Python in one
        process and would share the GIL, each at half speed: the page on screen is what the editor
        waits for (at 10,000 stories a run's model took 2.2 s beside the outputs, 1.1 s alone). At
        most GIVE_WAY seconds in one outputs run (saves every second must not hold the feeds back for
        good), and not at all once a full build waits for the outputs (a run may turn into one)."""
        if threading.current_thread() is not self._worker:
            return  # the outputs run inside a run, or in wait() (tests, scripts/bench): nothing to give way to
        # While it waits it holds no lock: the run may fork its pages' second process (_pages).
        busy, self._worker_busy = self._worker_busy, False
        try:
            with self._calm:
                self._calm.wait_for(lambda: self._runs == 0 or self._full_waiting,
                                    timeout=max(0.0, self._give_way_until - time.monotonic()))
        finally:
            self._worker_busy = busy

    @contextlib.contextmanager
    def _unlocked(self):
        """The outputs thread's work with the preview's lock let go (pages may be written meanwhile: a
        later run follows them), and no page process forked meanwhile (Preview._pages)."""
        self._worker_busy = True
        self.lock.release()
        try:
            yield
        finally:
            self.lock.acquire()
            self._worker_busy = False

    def _owned_now(self) -> set[str]:
        return set(self.records) | set(self.copied) | self.mkdocs_files

    def _audit(self, build, site_dir: Path) -> None:
        """The build's release check, so a leak shows while editing, not first at publishing. With a memo
        of what each file held (audit._Memo): an edit rewrites a few pages and outputs, and reading all
        the rest again after every save kept both cores busy for seconds, beside the next edit's run.
        Serve's own folder keeps it beside the site (gone with the folder, not piling up in the cache);
        a folder it was given, where the build's audits of that folder keep theirs."""
        from . import audit as up_audit

        clock = time.perf_counter()
        memo = (site_dir.parent / "audited.marshal" if self._owned_dir
                else up_audit.memo_path(build.settings.cache_dir, site_dir))
        leaks = up_audit.audit(site_dir, up_audit.secrets(build, ()), pages_may_show=build.settings.preview,
                               site_url=build.settings.site_url, memo=memo, aside=True)
        if self._owned_dir and not site_dir.is_dir():  # removed meanwhile (a full build, serve stopped)
            shutil.rmtree(site_dir.parent, ignore_errors=True)  # the memo it wrote goes too
            return
        self.audit_seconds = time.perf_counter() - clock
        if leaks:
            log.error(up_audit.report(leaks, site_dir))

    def _wait_outputs(self) -> None:
        while self.outputs_behind and self.background:
            if self._worker is None:
                break
            self._outputs_done.wait(timeout=1)

    def wait(self) -> None:
        """Until the outputs have followed the last change."""
        with self.lock:
            if not self.background and self._outputs_wanted is not None:
                self._run_outputs()
            self._wait_outputs()


class _Prepared:
    """The cache as engine.prepare takes it: parses, then bodies keyed by item digests of this run, and
    called as `keep(stage, item, findings, compute, *extra)`, an item's own work kept by its digest."""

    def __init__(self, cache: Cache, env_items: bytes, settings: Settings, walked=None) -> None:
        self.cache, self.env_items = cache, env_items
        self.walked = walked  # load.Walk as it is now (Preview._walked), or None: walk
        self.parse = cache.parse
        self.body_digest, self.resolve = cache.body_digest, cache.resolve
        self.display = lambda path: cache.display(settings, path)
        self._bases: dict[str, bytes | None] = {}  # source → its item's digest, this run
        cache.start()

    def bodies(self, renderer):
        self.cache.item_digest = self.digest
        return self.cache.bodies(renderer)

    def digest(self, item) -> bytes | None:
        """An item (or its raw file) is made from its file, the settings (their date: settings_digest)
        and the content folder's other files (env_items): the same three give the same item. None for
        a file the cache could not digest."""
        base = self._bases.get(item.source, b"")  # a raw file and its item: one file, one digest
        if base == b"":
            content = self.cache.digest_of(item.path)
            if content is None:
                base = None
            else:
                # The same file (its source names its place: kind, slug, parent, path) with the same
                # content and other files has the last run's digest: 17,000 hashes a run, saved.
                last = self.cache.bases.get(item.source)
                if last is not None and last[0] == content and last[1] == self.env_items:
                    base = last[2]
                else:
                    base = _h(b"item", item.kind.encode(), item.slug.encode(), item.parent.encode(),
                              item.source.encode(), str(item.path).encode(), content, self.env_items)
                self.cache.bases_live[item.source] = (content, self.env_items, base)
            self._bases[item.source] = base
        return base

    def __call__(self, stage: str, item, findings: Findings, compute: Callable[[Findings], object], *extra: bytes):
        """`compute` kept by the item's digest and `extra`, what else the stage reads."""
        base = self.digest(item)
        key = None if base is None else (base, *extra) if extra else base  # a tuple: hashed in C, not digested
        return self.cache.keep(stage, key, findings, compute)


# -- watching and serving ----------------------------------------------------------------------------

def _left_out(name: str) -> bool:
    """A file or folder the watcher passes over: what editors' tools leave (load.is_junk: never
    content, and a swap file is written every few seconds while typing), and Python's compiled code."""
    return is_junk(name) or name == "__pycache__"


def _scan(paths: list[Path]) -> dict[str, tuple[int, int]]:
    found: dict[str, tuple[int, int]] = {}
    for root in paths:
        if root.is_file():
            stat = root.stat()
            found[str(root)] = (stat.st_size, stat.st_mtime_ns)
            continue
        for here, folders, files in os.walk(root):
            folders[:] = [name for name in folders if not _left_out(name)]
            for name in files:
                if _left_out(name):
                    continue
                path = os.path.join(here, name)
                try:
                    stat = os.stat(path)
                except OSError:
                    continue
                found[path] = (stat.st_size, stat.st_mtime_ns)
    return found


def _changed(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> set[str]:
    """The paths one look found otherwise than another (come, gone or changed)."""
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


class _Nudge:
    """watchdog's handler: wakes the watcher on any change the system reports, and keeps the paths it
    names (Watcher.run tells from them what to run, without looking at every file first). Opening and
    reading a file is not a change (the preview's own runs read every content file)."""

    def __init__(self, wake: threading.Event) -> None:
        self.wake = wake
        self._lock = threading.Lock()
        self._paths: set[str] = set()

    def dispatch(self, event) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory and event.event_type == "modified":
            # Said of a folder whenever a file in it comes or goes, which has an event of its own: a
            # swap file created would otherwise name its whole folder. (Where a system said only this,
            # the look every `safety` seconds finds the change.)
            return
        with self._lock:
            self._paths.update(os.fsdecode(path) for path in (event.src_path, getattr(event, "dest_path", "")) if path)
        self.wake.set()

    def take(self) -> set[str]:
        """The paths named since the last call."""
        with self._lock:
            paths, self._paths = self._paths, set()
        return paths

    def pending(self) -> set[str]:
        """The paths named since the last `take`, left for it."""
        with self._lock:
            return set(self._paths)


def _observing(observer) -> bool:
    """Whether the observer and every watch it keeps still run (a watched folder deleted or moved
    away stops its own)."""
    return observer.is_alive() and all(emitter.is_alive() for emitter in observer.emitters)


class Watcher:
    """Watches the content folder (and mkdocs.yml, docs/, the templates) and runs the preview on a change.

    Told by the system (watchdog, which MkDocs' own serve uses: inotify on Linux), then each folder
    looked at to see what changed. Looking at the folders every 0.2 s instead, as before, walked 21,000
    files five times a second at 10,000 stories (0.15 to 0.4 s a time): most of a core, and up to half
    a second before a save was seen. The folders are still looked at every `safety` seconds, for a
    change no event reported (a network folder); and every `interval` where the system cannot watch."""

    def __init__(self, preview: Preview, interval: float = 0.2, safety: float = 3.0) -> None:
        self.preview, self.interval, self.safety = preview, interval, safety
        settings = preview.settings
        docs = preview.docs_dir
        # The page templates, their scripts and styles (pages/templates, static, styles …): a full build.
        self.full_paths = [preview.config_file, TEMPLATES.parent] + ([docs] if docs is not None and docs.is_dir() else [])
        self.content = [settings.content_dir]
        self.stop = threading.Event()
        self.wake = threading.Event()
        self.told = False  # whether the system tells of changes (else the folders are polled)
        self.observer = None  # watchdog's, while it runs
        self.nudge = _Nudge(self.wake)
        self.watching = threading.Event()  # set once the first look is taken: a save from then on is seen

    def close(self) -> None:
        self.stop.set()
        self.wake.set()

    def _observe(self):
        """An observer of every watched path (a file by its folder), started; None where it cannot be."""
        observer = None
        try:
            from watchdog import events
            from watchdog.observers import Observer
            from watchdog.observers.polling import PollingObserver

            if Observer is PollingObserver:  # no system events here: it would walk the folders itself
                raise OSError("此系统不提供文件改动通知")
            observer = Observer()  # on Linux, its reading thread starts here already
            nudge = self.nudge
            # Changes only, asked of the kernel: the preview's own runs open and read every content
            # file (42,000 events a full build at 10,000 stories, each through three threads).
            changes = [events.FileCreatedEvent, events.DirCreatedEvent, events.FileDeletedEvent,
                       events.DirDeletedEvent, events.FileMovedEvent, events.DirMovedEvent,
                       events.FileModifiedEvent, events.DirModifiedEvent, events.FileClosedEvent]
            for path in self.full_paths + self.content:
                if path.is_dir():
                    observer.schedule(nudge, str(path), recursive=True, event_filter=changes)
                elif path.parent.is_dir():
                    observer.schedule(nudge, str(path.parent), recursive=False, event_filter=changes)
            observer.daemon = True
            observer.start()
            return observer
        except Exception as exc:  # noqa: BLE001 — a watch limit reached, a file system without events
            log.info(f"UnionPress 预览：无法接收文件改动通知（{exc}），改为每 {self.interval} 秒查看一次")
            if observer is not None:
                try:
                    observer.stop()  # what it started, stopped: no thread left behind
                except Exception:  # noqa: BLE001 — polling works whatever this says
                    pass
            return None

    def run(self) -> None:
        full, content = _scan(self.full_paths), _scan(self.content)
        observer = self.observer = self._observe()
        self.told = observer is not None
        pause = self.safety if self.told else self.interval
        self.watching.set()
        try:
            while not self.stop.is_set():
                woken = self.wake.wait(pause)
                self.wake.clear()
                if self.stop.is_set():
                    break
                if self.told and not woken and not _observing(observer):
                    log.info(f"UnionPress 预览：文件改动通知已中断，改为每 {self.interval} 秒查看一次")
                    self.told, pause = False, self.interval
                if woken:  # an editor's save may be several writes: they land first, then one look
                    time.sleep(self.interval / 2)
                    self.wake.clear()  # their events: the look that follows sees them
                if woken and self.told:
                    # The system named what changed: run at once, without looking at every file first
                    # (21,000 files, 0.12 s at 10,000 stories, before the edit's run could begin).
                    # The look for the safety check is taken after the run, off the editor's wait.
                    named = self.nudge.take()
                    run = self._what(named)
                    if run is not None:
                        self._run(run == "full", named)
                        new_full, new_content = _scan(self.full_paths), _scan(self.content)
                        # A change the look finds that nobody named, nor is named since (its run is
                        # next): the run trusted that file as it was, so a run that looks at every
                        # file follows (a network folder, events lost in a large checkout).
                        unnamed = _changed(full, new_full) | _changed(content, new_content)
                        unnamed -= named | self.nudge.pending()
                        unnamed = {path for path in unnamed  # a folder named: its files were looked at
                                   if not any(path.startswith(folder + os.sep) for folder in named)}
                        full, content = new_full, new_content
                        if unnamed:
                            self._run(bool(unnamed & set(full)))
                    continue
                new_full, new_content = _scan(self.full_paths), _scan(self.content)
                if new_full == full and new_content == content:
                    continue
                if not woken:  # found by looking: the save may still be under way
                    time.sleep(self.interval / 2)
                    new_full, new_content = _scan(self.full_paths), _scan(self.content)
                self._run(new_full != full)
                full, content = new_full, new_content
        finally:
            if observer is not None:  # its threads gone too: a process with threads forks none (derived.warm)
                observer.stop()
                observer.join(10)

    def _what(self, paths: set[str]) -> str | None:
        """What the paths the system named call for: "full" (settings, templates, docs/), "update" (a
        content file, or a folder of it), or None (elsewhere beside mkdocs.yml, or what editors' tools
        leave, load.is_junk: a swap file written every few seconds while typing)."""
        def within(path: str, root: Path) -> bool:  # and not left out by the look (_scan)
            root_text = str(root)
            if path == root_text:
                return True
            if not path.startswith(root_text.rstrip(os.sep) + os.sep):
                return False
            return not any(_left_out(name) for name in os.path.relpath(path, root_text).split(os.sep))

        found = None
        for path in paths:
            if path == str(self.full_paths[0]) or any(within(path, root) for root in self.full_paths[1:]):
                return "full"
            if any(within(path, root) for root in self.content):
                found = "update"
        return found

    def _run(self, full: bool, named: set[str] | None = None) -> None:
        started = time.perf_counter()
        try:
            if full:
                log.info("UnionPress 预览：设置或模板有改动，完整构建……")
                self.preview.full()
            else:
                counts = self.preview.update(named=named)
                if counts["rendered"] >= 0:
                    shown = self.preview.timings.get("on_screen")
                    waited = self.preview.timings.get("waited", 0.0)
                    log.info(f"UnionPress 预览：重新生成 {counts['rendered']} 页，写出 {counts['written']} 页，"
                             f"用时 {time.perf_counter() - started:.2f} 秒"
                             + (f"（先等后台输出 {waited:.2f} 秒，" if waited >= 0.05 else "（")
                             + f"模型 {self.preview.timings.get('model', 0.0):.2f} 秒"
                             + (f"，正在看的页面 {shown:.2f} 秒时已写出）" if shown is not None else "）")
                             + "；订阅源、站点地图和搜索索引在后台更新")
        except FullBuildFailed as exc:
            log.error(f"UnionPress 预览：构建失败，页面保持上一次的样子：{exc}")
        except Exception:  # noqa: BLE001 — the server keeps running; the next save tries again
            log.exception("UnionPress 预览：更新失败")


# The script asks for the version every POLL_MS and names its page: that page is looked at first after
# an edit (Preview._ahead). Asking, not a connection held open until the version changes: browsers give
# a host six connections across all tabs, and an editor with six pages open would find the seventh
# never loads. A request costs the server a dictionary look-up.
POLL_MS = 200
RELOAD = """<div id="up-serve-status" role="status" style="position:fixed;left:0;right:0;bottom:0;z-index:2147483647;\
margin:0;padding:.4em 1em;background:#fff3cd;color:#533f03;border-top:1px solid #d9b65a;\
font:14px/1.5 system-ui,sans-serif"{hidden}>{message}</div>
<script>(() => {{
  const version = {version}, status = document.getElementById("up-serve-status");
  const asked = "{path}?page=" + encodeURIComponent(location.pathname);
  async function poll() {{
    try {{
      const answer = await (await fetch(asked, {{cache: "no-store"}})).json();
      if (answer.version !== version) {{ location.reload(); return; }}
      status.textContent = answer.message;
      status.hidden = !answer.message;
    }} catch (error) {{}}
    setTimeout(poll, {poll});
  }}
  setTimeout(poll, {poll});
}})();</script>
"""
BEHIND = "搜索索引正在后台更新，搜索结果可能还是改动之前的。"


def status_line(preview: Preview) -> tuple[str, bool]:
    if preview.error:
        lines = preview.error.splitlines() or [""]
        first = next((line for line in lines if ": [" in line), lines[0])  # the first finding, not a heading
        return "内容检查未通过，页面保持上一次的样子（详见运行 unionpress serve 的窗口）：" + first, True
    if preview.outputs_behind:
        return BEHIND, True
    return "", False


def page_output(path: str, prefix: str) -> str:
    """The file a URL path of the served site is (as Page.output names it): "/p/stories/x/" with the
    site under "/p/" → "stories/x/index.html"."""
    path = urllib.parse.unquote(path.split("?", 1)[0].split("#", 1)[0])
    path = path[len(prefix):] if path.startswith(prefix) else path.lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path


def inject(page: bytes, preview: Preview, prefix: str, output: str | None = None) -> bytes:
    """The live-reload script (and the status line) added to one HTML response, never to the file;
    `output`: the page's file, whose version the script is given (Preview.page_version)."""
    message, shown = status_line(preview)
    snippet = RELOAD.format(version=preview.page_version(output), path=prefix + VERSION_PATH, poll=POLL_MS,
                            message=html_lib.escape(message), hidden="" if shown else " hidden").encode("utf-8")
    at = page.lower().rfind(b"</body>")
    return page[:at] + snippet + page[at:] if at >= 0 else page + snippet


def handler(preview: Preview, prefixes: list[str]):
    class Handler(http.server.SimpleHTTPRequestHandler):
        @property
        def prefix(self) -> str:
            return prefixes[0] if prefixes else "/"

        def translate_path(self, path: str) -> str:
            prefix = self.prefix
            path = path.split("?", 1)[0].split("#", 1)[0]
            if path.startswith(prefix):
                path = "/" + path[len(prefix):]
            self.directory = str(preview.site_dir)
            return super().translate_path(path)

        def log_message(self, format, *args):  # noqa: A002 — the server's signature
            return

        def do_GET(self) -> None:  # noqa: N802
            path, prefix = self.path.split("?", 1)[0], self.prefix
            if path == prefix + VERSION_PATH:
                asked = urllib.parse.parse_qs(self.path.partition("?")[2]).get("page")
                output = page_output(asked[0], prefix) if asked else None
                if output is not None:
                    preview.viewers.saw(output)
                message, _shown = status_line(preview)
                self._send(200, "application/json", json.dumps(
                    {"version": preview.page_version(output), "behind": preview.outputs_behind, "message": message},
                    ensure_ascii=False).encode("utf-8"))
                return
            if path == "/" and prefix != "/":
                self.send_response(302)
                self.send_header("Location", prefix)
                self.end_headers()
                return
            if path.endswith("/sw.js"):
                # A service worker would keep showing the pages of before an edit: not while previewing.
                self._send(404, "text/plain", b"")
                return
            local = Path(self.translate_path(self.path))
            if local.is_dir():
                if not path.endswith("/"):
                    self.send_response(301)
                    self.send_header("Location", path + "/")
                    self.end_headers()
                    return
                local = local / "index.html"
            if local.suffix == ".html" and local.is_file():
                output = local.relative_to(preview.site_dir).as_posix() if local.is_relative_to(preview.site_dir) else None
                self._send(200, "text/html; charset=utf-8", inject(local.read_bytes(), preview, prefix, output))
                return
            if not local.exists():
                missing = Path(preview.site_dir) / "404.html"
                if missing.is_file():
                    # With the version of the page asked for: one on screen that an edit took away was
                    # given the run's own (Preview._ahead), and its script asks for that page.
                    self._send(404, "text/html; charset=utf-8",
                               inject(missing.read_bytes(), preview, prefix, page_output(path, prefix)))
                    return
            super().do_GET()

        def _send(self, code: int, kind: str, data: bytes) -> None:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

    return Handler


def serve(config_file: Path, host: str = "127.0.0.1", port: int = 8000) -> int:
    """Build, serve and watch until interrupted."""
    preview = Preview(config_file)
    prefix: list[str] = []  # known after the first build (site_url's path); no request is answered before
    try:  # the address first: a port in use is said at once, not after a build of minutes
        server = localsite.Server((host, port), handler(preview, prefix))
    except OSError as exc:
        print(f"无法在 {host}:{port} 提供预览（{exc.strerror or exc}）：端口可能已被占用，请换一个，如 --dev-addr 127.0.0.1:8001",
              file=sys.stderr, flush=True)
        return 2
    server.daemon_threads = True
    # The edit's run holds the GIL for seconds; a browser's poll and its reload of the page on screen
    # are answered by the server's threads meanwhile, each waiting up to the switch interval (5 ms
    # by default) several times per request.
    sys.setswitchinterval(0.001)
    try:
        preview.full()
    except FullBuildFailed as exc:
        server.server_close()
        print(f"构建失败：{exc}", file=sys.stderr, flush=True)
        return 1
    prefix.append(preview.settings.site_path)
    watcher = Watcher(preview)
    thread = threading.Thread(target=watcher.run, name="unionpress-watch", daemon=True)
    thread.start()
    shown_host = f"[{host}]" if ":" in host else host
    print(f"预览地址：http://{shown_host}:{server.server_address[1]}{prefix[0]}（保存文件后页面自动刷新；按 Ctrl+C 停止）",
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        watcher.close()
        server.server_close()
        if preview._owned_dir and preview.site_dir is not None:
            shutil.rmtree(preview.site_dir.parent, ignore_errors=True)
    return 0


def measure_edits(kept: Preview) -> dict[str, dict]:
    """scripts/bench: edit-to-output for the four edits the issue names, on one published story of the
    content folder (put back afterwards), each told to the run as the system names it to the watcher:
    the page on screen (what the browser reloads for), every page, and the outputs."""
    import re

    content = kept.settings.content_dir
    story = next(path for path in sorted((content / "stories").rglob("*.md"))
                 if "\nstatus: published" in path.read_text(encoding="utf-8"))
    original = story.read_text(encoding="utf-8")
    added = story.with_name("bench-new-story.md")
    edits = {
        "body": lambda: story.write_text(original.replace("\n\n", "\n\n编辑预览测量加的一句。", 1), encoding="utf-8"),
        "title": lambda: story.write_text(re.sub(r"\ntitle: (.*)", r"\ntitle: \1（改）", original, count=1), encoding="utf-8"),
        # Dated an hour ago, as an editor's new story is: first in its column and on the homepage.
        "new story": lambda: added.write_text(re.sub(r"\ndate: .*", "\ndate: " + (kept.settings.now - dt.timedelta(hours=1)).strftime(
            "%Y-%m-%d %H:%M"), re.sub(r"\ntitle: (.*)", r"\ntitle: 新稿件\1", original, count=1), count=1), encoding="utf-8"),
        "status": lambda: story.write_text(original.replace("\nstatus: published", "\nstatus: draft", 1), encoding="utf-8"),
    }
    # The page the editor looks at, as its live-reload script names it: the story's own page, and for a
    # new story its column's (the story has no page yet).
    slug = story.parent.name if story.name == "index.md" else story.stem
    own = page_output(ITEM_KINDS["story"].url(types.SimpleNamespace(slug=slug)), "")
    column = re.search(r"\ncolumn: *['\"]?([^'\"\n]+)", original)
    on_screen = dict.fromkeys(edits, own)
    if column:
        on_screen["new story"] = page_output(LIST_KINDS["column"].url(types.SimpleNamespace(key=column[1].strip())), "")
    found: dict[str, dict] = {}
    kept.defer_outputs, background = True, kept.background
    kept.background = False
    try:
        for name, edit in edits.items():
            edit()
            kept.viewers.saw(on_screen[name])
            started = time.perf_counter()
            counts = kept.update(named={str(added if name == "new story" else story)})  # as the system names it
            pages = time.perf_counter() - started
            kept.wait()
            found[name] = {"pages": pages, "on_screen": kept.timings.get("on_screen"),
                           "waited": kept.timings.get("waited", 0.0),
                           "outputs": kept.timings.get("outputs", 0.0), **counts,
                           "ready": {output: round(seconds, 3) for output, seconds in kept.outputs_ready.items()},
                           "audit": kept.audit_seconds,
                           "model": kept.timings.get("model", 0.0), "model_phases": dict(kept.model_phases),
                           "after_model": {key: kept.timings.get(key, 0.0) for key in ("epub", "pages")}}
    finally:
        story.write_text(original, encoding="utf-8")
        added.unlink(missing_ok=True)
        kept.update()
        kept.wait()
        kept.background = background
    return found


__all__ = ["Preview", "measure_edits", "FullBuild", "Cache", "serve", "inject", "mkdocs_build", "FullBuildFailed"]
