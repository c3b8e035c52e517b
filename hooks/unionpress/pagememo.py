"""Pages a build need not render: those whose inputs are what they were at the last build of the same
site folder.

`unionpress serve` already tells, for every page, whether anything it was made from changed (preview.py:
a fingerprint of its plan entry and a digest of every answer its templates were given). A build of
its own did not: Jinja rendered all 19,000 pages at 10,000 stories (5.7 s of 31.6) when an edit
changed a few dozen. PageMemo keeps those page records in the cache, per site folder, for the next
build: a page whose fingerprint and recorded answers are the same in this build's model, and whose
file the last build left as it was, is linked from that file (derived.Rewritten.link) and not
rendered; any other page is rendered and recorded.

What may be told apart across processes is only content: items and list rows by their file's bytes
and the content folder's other files (as serve), pictures by their file's size and time, sets by
their members in order (preview.Digester). What is told by name only, the code, is covered by
`shared`: the engine's files (templates and styles too), the libraries that render, the stylesheets
and scripts the pages link, everything every page shows. The memo is a convenience, never an
authority: it holds the SHA-256 of its own bytes, is read back as plain values only, and a memo that
cannot be read or kept costs the rendering, nothing else. The audit still reads every page.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import sys
from functools import lru_cache
from pathlib import Path

from . import derived
from .config import Settings
from .kinds import LIST_KINDS
from .preview import (Cache, Digester, Model, PageRecord, Preview, TrackingRenderer, Unfingerprintable, _file_hash,
                      _h, _shared, dependencies, fingerprint_of, still_valid)

_FORMAT = b"unionpress-pages-1"
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


def _read(path: Path) -> tuple[bytes, dict]:
    """(shared, {output: (fingerprint, deps, sha256, assets)}) as the last build kept them; empty when the
    file is missing, damaged, or not one this code wrote."""
    try:
        data = path.read_bytes()
        if not data.startswith(_FORMAT) or hashlib.sha256(data[len(_FORMAT) + 32:]).digest() != data[len(_FORMAT):len(_FORMAT) + 32]:
            return b"", {}
        shared, records = _Plain(io.BytesIO(data[len(_FORMAT) + 32:])).load()
    except Exception:  # noqa: BLE001 — whatever a damaged or foreign file raises: every page rendered
        return b"", {}
    if not (isinstance(shared, bytes) and isinstance(records, dict)):
        return b"", {}
    return shared, records


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


class PageMemo:
    """The page records of one site folder's builds (see the module's note). `rewritten` links the
    pages kept; it is the one that writes the others (derived.Rewritten of the same build)."""

    def __init__(self, settings: Settings, site_dir: Path, rewritten: derived.Rewritten) -> None:
        self.path = derived.memo_file(settings.cache_dir, "page-records", site_dir, ".pickle")
        self.rewritten = rewritten
        self.earlier_shared, self.earlier = b"", {}  # read with the model (renderer): in the render phase
        self.now: dict[str, PageRecord | None] = {}  # output → its new record; None: the last build's kept
        self.shared = b""
        self.model: Model | None = None
        self.linked = 0  # pages linked, not rendered (scripts/bench, tests)
        self._there = _Files()
        self._paths = _Paths()

    # -- the model as the records tell it -------------------------------------------------------------
    def renderer(self, build, books: tuple) -> TrackingRenderer:
        """The build's renderer, noting what each page asks, with this build's model told by content."""
        settings = build.settings
        self.earlier_shared, self.earlier = _read(self.path)
        env_items = Preview._env(settings)
        digests: dict[str, bytes | None] = {}

        def item_digest(item) -> bytes | None:  # as preview._Prepared.digest, from the file's bytes
            if item.source not in digests:
                try:  # as the build read it, else read now
                    content = build.digests.get(str(item.path)) or _file_hash(Path(item.path).read_bytes())
                except OSError:
                    digests[item.source] = None
                else:
                    digests[item.source] = _h(b"item", item.kind.encode(), item.slug.encode(), item.parent.encode(),
                                              item.source.encode(), str(item.path).encode(), content, env_items)
            return digests[item.source]

        rows = {}
        for name, kind in LIST_KINDS.items():
            try:
                rows[name] = _h(env_items, _file_hash((settings.content_dir / kind.file).read_bytes()))
            except OSError:
                rows[name] = _h(env_items, b"")
        self.model = Model(build, Cache(), item_digest, rows)
        self.model.env = env_items
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
        """Keep the records of this build's pages for the next build of the folder (only these: a page
        no longer planned leaves none behind)."""
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
            _write(self.path, self.shared, records)
        except OSError:
            pass  # the next build renders every page


def _write(path: Path, shared: bytes, records: dict) -> None:
    """The memo as _read reads it: marked, with the SHA-256 of its pickle (a damaged disk is not believed)."""
    data = pickle.dumps((shared, records), protocol=pickle.HIGHEST_PROTOCOL)
    path.parent.mkdir(parents=True, exist_ok=True)
    derived._write_atomically(path, _FORMAT + hashlib.sha256(data).digest() + data)


__all__ = ["PageMemo"]
