"""What a build need not make again: the bodies, the EPUB books and the pages whose inputs are what
they were at the last build (bodies: of the same content folder; pages: of the same site folder;
books: any build's, kept as records by what they are made of).

`unionpress serve` already tells, for every body, EPUB book and page, whether anything it was made from
changed (preview.py: a body by its item and each link it resolved with the answer; a book by its
anthology, the bodies in it and the settings; a page by a fingerprint of its plan entry and a digest
of every answer its templates were given). A build of its own did not: at 10,000 stories it rendered
17,000 bodies (3.3 s), made every book (1.5 s) and Jinja rendered 19,000 pages (5.7 s of 31.6) when
an edit changed a few dozen. BuildMemo keeps serve's records in the cache for the next build: a body
whose item and link answers are the same is taken as it was, so is a book (and says its findings
again); a page whose fingerprint and recorded answers are the same, and whose file the last build
left as it was, is linked from that file (derived.Rewritten.link) and not rendered. Anything else is
made and recorded.

What may be told apart across processes is only content: items and list rows by their file's bytes
and the content folder's other files (as serve), pictures by their file's size and time, sets by
their members in order (preview.Digester). What is told by name only, the code, is covered by
`shared`: the engine's files (templates and styles too), the libraries that render, the stylesheets
and scripts the pages link, everything every page shows. A memo is a convenience, never an
authority: it holds the SHA-256 of its own bytes, is read back as plain values only, a record naming
a file that is gone (an emptied picture cache) is not used, and a memo that cannot be read or kept
costs the rendering, nothing else. The checks and the audit still run on everything.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Callable

from . import derived
from .config import Settings
from .kinds import LIST_KINDS
from .responsive import RASTER
from .body import Body
from .findings import Finding, Findings
from .preview import (BodyEntry, Cache, Digester, Model, PageRecord, Preview, TrackingRenderer, Unfingerprintable,
                      _file_hash, _h, _shared, dependencies, fingerprint_of, settings_digest, still_valid)

_PAGES = b"unionpress-pages-1"
_BODIES = b"unionpress-bodies-1"
_PRINTS = b"unionpress-prints-1"
_RENDERING = ("jinja2", "markupsafe", "pillow", "nh3", "markdown", "pymdown-extensions")


@lru_cache(maxsize=1)
def _package() -> bytes:
    """Every file of the engine (templates, styles and scripts with its code): a page is drawn by them."""
    root = Path(__file__).parent
    parts = [sys.version.encode(), *(line.encode() for line in derived._versions(_RENDERING))]
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            parts.append(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return _h(*parts)


class _Plain(pickle.Unpickler):
    """A memo holds plain values (and Markup, a str) only: anything else named in it is refused, never run."""

    def find_class(self, module: str, name: str):
        if (module, name) == ("markupsafe", "Markup"):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name}")


def _read(path: Path, mark: bytes) -> tuple[bytes, dict]:
    """(shared, records) as the last build kept them; empty when the file is missing, damaged, or not
    one this code wrote."""
    try:
        data = path.read_bytes()
        head = len(mark) + 32
        if not data.startswith(mark) or hashlib.sha256(data[head:]).digest() != data[len(mark):head]:
            return b"", {}
        shared, records = _Plain(io.BytesIO(data[head:])).load()
    except Exception:  # noqa: BLE001 — whatever a damaged or foreign file raises: everything made again
        return b"", {}
    if not (isinstance(shared, bytes) and isinstance(records, dict)):
        return b"", {}
    return shared, records


def _write(path: Path, mark: bytes, shared: bytes, records: dict) -> None:
    """A memo as _read reads it: marked, with the SHA-256 of its pickle (a damaged disk is not believed)."""
    data = pickle.dumps((shared, records), protocol=pickle.HIGHEST_PROTOCOL)
    path.parent.mkdir(parents=True, exist_ok=True)
    derived._write_atomically(path, mark + hashlib.sha256(data).digest() + data)


def _record(kept) -> PageRecord | None:
    """A kept record as the preview's, or None when it is not the shape this code writes."""
    try:
        fingerprint, deps, sha, assets = kept
        if not (isinstance(fingerprint, bytes) and isinstance(deps, tuple) and isinstance(sha, str)
                and isinstance(assets, tuple)):
            return None
        return PageRecord(fingerprint, deps, sha, dict(assets))
    except (TypeError, ValueError):
        return None


class _Files(dict):
    """Whether each file a kept page uses is still there to be copied (the picture cache may have been
    emptied since): looked at once per file, however many pages use it."""

    def __missing__(self, path: str) -> bool:
        found = self[path] = os.path.isfile(path)
        return found


class _Paths(dict):
    """One Path per file a kept page uses (the pages share most of theirs: 120,000 uses at 10,000 stories)."""

    def __missing__(self, path: str) -> Path:
        found = self[path] = Path(path)
        return found


class BuildMemo:
    """What earlier builds made (see the module's note): bodies, EPUB books and the items' prints by
    content folder, page records by site folder. `rewritten` links the pages kept; it is the one that
    writes the others (derived.Rewritten of the same build)."""

    def __init__(self, settings: Settings, site_dir: Path, rewritten: derived.Rewritten) -> None:
        self.settings = settings
        self.path = derived.memo_file(settings.cache_dir, "page-records", site_dir, ".pickle")
        # A preview's bodies are keyed otherwise (its settings): a memo of their own, not each build
        # overwriting the other's.
        self.bodies_path = derived.memo_file(settings.cache_dir, "bodies-preview" if settings.preview else "bodies",
                                             settings.content_dir, ".pickle")
        self.prints_path = derived.memo_file(settings.cache_dir, "prints-preview" if settings.preview else "prints",
                                             settings.content_dir, ".pickle")
        self._prints: tuple | None = None  # (build, the last build's, item id → this build's key)
        self.books_kept = 0  # EPUB books taken from the memo, not made
        self.rewritten = rewritten
        self.earlier_shared, self.earlier = b"", {}  # read with the model (renderer): in the render phase
        self.now: dict[str, PageRecord | None] = {}  # output → its new record; None: the last build's kept
        self.shared = b""
        self.model: Model | None = None
        self.linked = 0  # pages linked, not rendered (scripts/bench, tests)
        self.bodies_kept = 0  # bodies taken from the memo, not rendered
        self.cache = Cache()  # serve's, for the bodies (Cache.bodies) and the digests of bodies
        self._env = b""
        self._bodies_earlier: dict = {}
        self._bodies_count = 0
        self._there = _Files()
        self._paths = _Paths()
        self._items: dict[str, bytes | None] = {}

    # -- what this build is made of, by content --------------------------------------------------------
    def _item_digest(self, build, item) -> bytes | None:
        """An item as preview._Prepared.digest tells it: by its file as the build read it (else read
        now), its place, the settings and the content folder's other files."""
        found = self._items.get(item.source, b"")
        if found == b"":
            if not self._env:
                self._env = Preview._env(self.settings)
            try:
                content = build.digests.get(str(item.path)) or _file_hash(Path(item.path).read_bytes())
            except OSError:
                found = None
            else:
                found = _h(b"item", item.kind.encode(), item.slug.encode(), item.parent.encode(),
                           item.source.encode(), str(item.path).encode(), content, self._env)
            self._items[item.source] = found
        return found

    # -- bodies ------------------------------------------------------------------------------------------
    def bodies(self, build, renderer) -> Callable:
        """BodyRenderer.render for engine._render_bodies: a body kept while its item and every link
        answer stay the same (preview.Cache.bodies), from the last build's records of this content."""
        shared, earlier = _read(self.bodies_path, _BODIES)
        self._bodies_shared = _h(_package(), settings_digest(self.settings))
        self._bodies_earlier = earlier if shared == self._bodies_shared else {}
        self.cache.body_entries = _Entries(self._bodies_earlier, self._there, renderer.pictures)
        self.cache.item_digest = lambda item: self._item_digest(build, item)
        return self.cache.bodies(renderer)

    def save_bodies(self) -> None:
        """The bodies of this build for the next (only these: an edited item leaves no stale entry)."""
        live = getattr(self.cache, "_live", None)
        if live is None:
            return
        self.bodies_kept = max(0, len(live) - self.cache.rendered)
        if self.cache.rendered == 0 and len(live) == self._bodies_count:
            return  # every body kept, none gone: the memo on the disk says it all
        records = {key: _plain_entry(entry) for key, entry in live.items()}
        try:
            _write(self.bodies_path, _BODIES, self._bodies_shared, records)
        except OSError:
            pass  # the next build renders every body

    # -- the items' prints (derived.item_print) ---------------------------------------------------------
    def prints(self, build) -> None:
        """Each item's derived.item_print as the last build of this content worked it out, given to
        derived for the items whose file and body are as they were: the WeChat check, the packages
        and the bundles key their records by it, and working it out (every field and every file the
        body names, read) was 1.2 s at 10,000 stories."""
        shared, earlier = _read(self.prints_path, _PRINTS)
        earlier = earlier if shared == _package() else {}
        keys: dict[int, bytes] = {}
        for item in build.catalog.items:
            body = build.bodies.get(id(item))
            base = self._item_digest(build, item) if body is not None else None
            if base is None:
                continue
            key = keys[id(item)] = _h(base, self.cache.body_digest(body), repr(body.links).encode(),
                                      repr(sorted(body.ids)).encode())
            made = earlier.get(key)
            if isinstance(made, str) and len(made) == 64:
                derived._item_prints[item] = (body, tuple(derived.file_stat(file) for _output, file in body.assets), made)
        self._prints = (build, earlier, keys)

    def save_prints(self) -> None:
        if self._prints is None:
            return
        build, earlier, keys = self._prints
        now = {}
        for item in build.catalog.items:
            known = derived._item_prints.get(item)
            if id(item) in keys and known is not None and known[0] is build.bodies.get(id(item)):
                now[keys[id(item)]] = known[2]
        if now == earlier:
            return
        try:
            _write(self.prints_path, _PRINTS, _package(), now)
        except OSError:
            pass  # worked out again next time

    # -- this build's model, by content -----------------------------------------------------------------
    def _model(self, build) -> Model:
        """This build's model with every item and list row told by content (preview.Model), once."""
        if self.model is None:
            settings = build.settings
            # The bodies are made: the last build's that were not used need not stay in memory.
            self._bodies_count, self._bodies_earlier = len(self._bodies_earlier), {}
            self.cache.body_entries = {}
            if not self._env:
                self._env = Preview._env(settings)
            rows = {}
            for name, kind in LIST_KINDS.items():
                try:
                    rows[name] = _h(self._env, _file_hash((settings.content_dir / kind.file).read_bytes()))
                except OSError:
                    rows[name] = _h(self._env, b"")
            self.model = Model(build, self.cache, lambda item: self._item_digest(build, item), rows)
            self.model.env = self._env
        return self.model

    # -- the EPUB books ----------------------------------------------------------------------------------
    def library(self, build) -> tuple:
        """epub.library: each book taken from the cache when its anthology, the bodies in it and the
        settings are those of a book made before (the key preview.Preview._books keeps books by in
        serve), the others made (in two processes when many) and kept, each a record of its own with
        the findings it gave, said again when it is taken (a column's year is 2 MB at 10,000 stories:
        an edit writes that one again, not all of them). The outputs then write these very bytes."""
        from .outputs import epub

        public, settings = build.public, build.settings
        if public in epub._library:
            return epub._library[public]
        model = self._model(build)
        found = epub.anthologies(public)
        names: list[str | None] = []
        for anthology in found:
            try:
                names.append(_h(_package(), model.digester.of(anthology), settings_digest(settings),
                                *(model.body_digest(item) for item in anthology.items)).hex())
            except Unfingerprintable:
                names.append(None)
        made: dict[int, tuple] = {}
        for n, name in enumerate(names):
            book = (_book(derived.kept_stretches(settings.cache_dir, _BOOK_RECORDS, name, _HELD))
                    if name is not None else None)
            if book is not None:
                made[n] = book
        self.books_kept = len(made)
        missing = [n for n in range(len(found)) if n not in made]

        def books(share: list) -> list[tuple]:
            """Each book with the findings it gave, its own (a kept book says them again)."""
            out = []
            for anthology in share:
                own = Findings()
                data = epub.make(anthology, public, settings, build.public_body, own,
                                 epub._Bodies(public, settings, build.public_body, own))
                out.append((data, tuple((f.path, f.line, f.col, f.code, f.message, f.level) for f in own.items)))
            return out

        todo = [found[n] for n in missing]
        fresh = epub._made_in_two(todo, books, Findings()) if todo else None
        for n, book in zip(missing, fresh if fresh is not None else books(todo)):
            made[n] = book
            if names[n] is not None:
                # Kept, and from now on read from its record as a kept book (not held while the pages render).
                made[n] = _book(derived.keep_stretches(
                    settings.cache_dir, _BOOK_RECORDS, names[n],
                    {"epub": book[0], "findings": json.dumps(book[1], ensure_ascii=False).encode()}, _HELD)) or book
        for n in range(len(found)):
            build.findings.items.extend(Finding(*found_) for found_ in made[n][1])
        self._prune_books(settings, names)
        epub._library[public] = tuple(epub.Book(anthology, made[n][0]) for n, anthology in enumerate(found))
        return epub._library[public]

    @staticmethod
    def _prune_books(settings: Settings, names: list[str | None]) -> None:
        """Remove the books the last build of this content (and mode) kept and this one did not use:
        a book's name holds the day and its chapters, so without this every day and every edit would
        leave a library behind (125 MB a day at 10,000 stories). The names are kept beside them."""
        index = derived.memo_file(settings.cache_dir, "epub-books-kept-preview" if settings.preview
                                  else "epub-books-kept", settings.content_dir, ".json")
        now = sorted({name for name in names if name is not None})
        try:
            earlier = json.loads(derived.read_sealed(index) or b"[]")
        except ValueError:
            earlier = []
        if not isinstance(earlier, list):
            earlier = []
        for name in set(earlier) - set(now):
            if isinstance(name, str) and _BOOK_NAME.fullmatch(name):  # a damaged index names no other file
                try:
                    derived.record_path(settings.cache_dir, _BOOK_RECORDS, name).unlink(missing_ok=True)
                except OSError:
                    pass
        if earlier != now:  # one that cannot be written costs space only: the next build cannot prune these
            derived.write_sealed(index, json.dumps(now).encode())

    # -- the model as the page records tell it --------------------------------------------------------
    def renderer(self, build, books: tuple) -> TrackingRenderer:
        """The build's renderer, noting what each page asks, with this build's model told by content."""
        settings = build.settings
        self.earlier_shared, self.earlier = _read(self.path, _PAGES)
        self._model(build)
        renderer = TrackingRenderer(self.model, build.shown, settings, build.bodies, books)
        self.model.book_sizes = renderer.book_sizes
        renderer.kept = self
        try:
            self.shared = _h(_package(), _shared(renderer, settings),
                             Digester().of((dict(renderer.scripts), dict(renderer.sheets))))
        except Unfingerprintable:
            self.shared = b""  # nothing kept, nothing reused
        return renderer

    # -- each page ---------------------------------------------------------------------------------------
    def write(self, renderer: TrackingRenderer, page, target: Path) -> None:
        """The page at `target`: the last build's file linked when nothing it is made of changed, else
        rendered, written (through Rewritten) and recorded."""
        fingerprint = fingerprint_of(page, renderer, self.model.digester) if self.shared else None
        old = _record(self.earlier.get(page.output)) if fingerprint is not None else None
        if (old is not None and old.fingerprint == fingerprint and self.earlier_shared == self.shared
                and all(map(self._there.__getitem__, old.assets.values())) and self._valid(old)
                and self.rewritten.link(target, page.output, old.html)):
            renderer.out.assets.update(zip(old.assets.keys(), map(self._paths.__getitem__, old.assets.values())))
            self.now[page.output] = None
            self.linked += 1
            return
        html, noted, assets = renderer.render_noted(page)
        sha = self.rewritten.write(target, page.output, html.encode("utf-8"))
        try:
            deps = dependencies(noted, self.model) if fingerprint is not None else None
        except Unfingerprintable:
            deps = None
        self.now[page.output] = PageRecord(fingerprint, deps, sha, {output: str(path) for output, path in assets.items()}) \
            if deps is not None else PageRecord(None, (), sha, {})

    def _valid(self, old: PageRecord) -> bool:
        try:
            return still_valid(old, self.model)
        except Exception:  # noqa: BLE001 — a record of another shape than this code writes: rendered
            return False

    def taken(self, theirs: dict) -> None:
        """A forked child's share of the pages (pages.Renderer._render_in_two)."""
        self.now.update(theirs[0])
        self.linked += theirs[1]

    def share(self) -> tuple:
        return self.now, self.linked

    def save(self, pages) -> None:
        """Keep the records of this build's bodies and pages for the next build (only these: a page no
        longer planned leaves none behind). Then they are let go: the outputs run after, and the last
        build's records, this build's and the answers the pages were told were 60 MB at 10,000 stories."""
        try:
            self._save(pages)
        finally:
            self.earlier, self.now = {}, {}
            if self.model is not None:
                self.model.answers = {}

    def _save(self, pages) -> None:
        self.save_bodies()
        self.save_prints()
        if not self.shared:
            return
        if (self.earlier_shared == self.shared and all(found is None for found in self.now.values())
                and len(self.now) == len(self.earlier) and all(page.output in self.now for page in pages)):
            return  # every page kept, none gone: the memo on the disk says it all
        records = {}
        # The same call with the same answer, the same file used, as one object in every record: pickled
        # once, not once per page (pages ask much the same and use the same sheets: 20 MB at 10,000
        # stories without).
        interned: dict = {}
        for page in pages:
            found = self.now.get(page.output, False)
            if found is None:
                kept = self.earlier.get(page.output)
                if kept is not None:
                    fingerprint, deps, sha, assets = kept
                    records[page.output] = (fingerprint, tuple(interned.setdefault(dep, dep) for dep in deps), sha,
                                            tuple(interned.setdefault(pair, pair) for pair in assets))
            elif found is not False and found.fingerprint is not None:
                records[page.output] = (found.fingerprint, tuple(interned.setdefault(dep, dep) for dep in found.deps),
                                        found.html, tuple(interned.setdefault(pair, pair) for pair in sorted(found.assets.items())))
        try:
            _write(self.path, _PAGES, self.shared, records)
        except OSError:
            pass  # the next build renders every page


_BOOK_RECORDS = "epub-books"  # derived records: a book's bytes and its findings, packed
_BOOK_NAME = re.compile(r"[0-9a-f]{32}")  # preview._h: blake2b of 16 bytes


_HELD = frozenset({"findings"})  # of a book's record, what is read at once; its EPUB bytes when written


def _book(files: dict | None) -> tuple | None:
    """(where its EPUB bytes lie, its findings as tuples) of a kept book's record (derived.kept_stretches);
    None when it is not one this code packs. The bytes are read when the output writes them."""
    if files is None:
        return None
    try:
        findings = tuple(tuple(found) for found in json.loads(files["findings"]))
        if not all(len(found) == 6 and all(isinstance(part, (str, int)) for part in found) for found in findings):
            return None
        if not isinstance(files["epub"], derived.Stretch):
            return None
        return files["epub"], findings
    except (KeyError, ValueError, TypeError):
        return None


def _plain_entry(entry: BodyEntry) -> tuple:
    """A body's record as plain values (_Entries makes it a BodyEntry again)."""
    body = entry.body
    return (body.html, tuple((output, str(path)) for output, path in body.assets), body.links, tuple(sorted(body.ids)),
            entry.calls, tuple((f.path, f.line, f.col, f.code, f.message, f.level) for f in entry.findings))


class _Entries(dict):
    """The last build's bodies as preview.Cache.bodies looks them up, each made a BodyEntry when asked
    for; one whose files are not all there (an emptied picture cache) is not found.

    The pictures a body's links found are shown to the picture pipeline as rendering it would: a
    partner's bundle ships a picture's original, which the pipeline tells from the variant the body
    names only for the pictures it was asked about in this process (responsive.Pipeline.sources)."""

    def __init__(self, earlier: dict, there: _Files, pictures) -> None:
        super().__init__()
        self._earlier, self._there, self._pictures = earlier, there, pictures

    def get(self, key, default=None):
        kept = self._earlier.get(key)
        if kept is None:
            return default
        try:
            html, assets, links, ids, calls, findings = kept
            if not all(self._there[path] for _output, path in assets):
                return default
            for (_written, _rest), answer in calls:
                if answer[0] == "ok":
                    for _output, path, _stat in answer[2]:
                        if os.path.splitext(path)[1].lower() in RASTER:
                            self._pictures.picture(Path(path))
            return BodyEntry(Body(html, tuple((output, Path(path)) for output, path in assets), tuple(links), frozenset(ids)),
                             tuple(calls), tuple(Finding(*found) for found in findings))
        except (TypeError, ValueError):
            return default  # not a record this code writes: rendered


__all__ = ["BuildMemo"]
