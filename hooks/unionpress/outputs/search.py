"""The search index: Pagefind's chunked index of the public records, and the query tables beside it.

    pagefind/            Pagefind's bundle (its JS, WebAssembly, index chunks and fragments): the
                         index a first query loads (search.first_part: profiles and the newest records)
    pagefind/archive/N/  on a large site, the other records in shelves (search.shelves), each an index
                         of its own, all merged by the page on request
    search/query.json    what the page needs before a query: the union's synonym groups
                         (content/synonyms.yml), the filters' values, the number of t2s and pinyin parts
    search/t2s/N.json    traditional → simplified characters and phrases (OpenCC data), in parts
    search/pinyin/N.json the site's words by their pinyin and initials (search.pinyin_table), in parts

Pagefind runs as a Node program (pinned in package.json, installed by scripts/setup with `npm ci`):
its 1.6 release segments Chinese with ICU4X at index time, which agrees with the browser's
Intl.Segmenter far better than the 1.5 release on the Python package index.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .. import derived, nodetools, search
from ..responsive import _write_atomically

SCRIPT = Path(__file__).with_name("pagefind_index.mjs")
BUNDLE = "pagefind"
ARCHIVE = "archive"  # the second part's shelves, inside the first index's folder (the same cache rules)
KEPT_ARCHIVES = 3  # builds whose shelves stay in the cache folder (a preview and a production build, one spare)


class SearchIndexError(Exception):
    """The index could not be built (no Node, Pagefind not installed, Pagefind failed)."""


def _pagefind_module(root: Path) -> Path:
    found = nodetools.package_file(root, "pagefind/lib/index.js")
    if found is None:
        raise SearchIndexError("未找到 Pagefind（搜索索引工具）：请运行 bash scripts/setup（会执行 npm ci）")
    return found


def _json(value) -> bytes:
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n").encode("utf-8")


@dataclass
class Shelf:
    """One shelf of the second part (search.shelves): where its index is kept between builds, and the
    vocabulary of that index when an earlier build made it (its files are in the site folder from the
    indexing's start). Not its records: they are Pagefind's input, written to it when the indexing
    starts (19 MiB at 10,000 stories, held to the search output's end before)."""

    number: int  # its folder: pagefind/archive/N/
    kept: Path
    vocabulary: bytes | None  # the kept index's, when there is one


@dataclass
class Indexing:
    """Pagefind at work in a process of its own, on the records of one public view."""

    public: object  # the view it indexes (a later build's write must not take an earlier one's index)
    found: list
    parts: search.Parts
    shelves: list[Shelf]
    first: tuple[Path, dict[str, bytes] | None]  # where the first part's index is kept, and it when it was
    put: _Writer  # what writes the kept indexes' files into the site folder
    process: subprocess.Popen | None  # None: every part was kept, nothing to index
    stdout: IO[bytes]
    stderr: IO[bytes]


_running: dict[Path, Indexing] = {}  # site folder → the indexing started for it and not yet finished
# site folder → shelf → the kept index this process last wrote there, with its files' stats then:
# `unionpress serve` indexes again after each edit, and deleting and writing the second part's 16,000
# files took 25 s at 10,000 stories. Only the folder last written is remembered.
_on_disk: dict[Path, dict[int, tuple[str, dict]]] = {}


def _files(folder: Path) -> dict[str, tuple]:
    """A shelf's files as they are now: another build into the folder, or a hand, changes them."""
    return {path.relative_to(folder).as_posix(): derived.file_stat(path)
            for path in folder.rglob("*") if not path.is_dir()}


def _records(public, body_of, settings) -> list:
    """search.records with the bodies' text the last build of this content folder found (by the body's
    HTML: a body changed is read again), and what this one found kept for the next."""
    if derived.fresh():
        return search.records(public, body_of)
    # A preview's apart: its drafts' bodies would make each memo rewrite the other's.
    memo = derived.memo_file(settings.cache_dir, "body-texts-preview" if settings.preview else "body-texts",
                             settings.content_dir, ".bin")
    texts = search.Texts(_read_texts(memo))
    found = search.records(public, body_of, texts)
    if texts.used != texts.known:  # a memo that cannot be written: the next build reads the bodies again
        derived.write_sealed(memo, derived.pack({key: text.encode("utf-8", "surrogatepass")
                                                 for key, text in sorted(texts.used.items())}))
    return found


def _read_texts(memo: Path) -> dict[str, str]:
    """The texts _records kept; empty when missing, damaged, or not what it writes."""
    data = derived.read_sealed(memo)
    try:
        return {key: text.decode("utf-8", "surrogatepass") for key, text in derived.unpack(data).items()} if data else {}
    except (ValueError, KeyError, TypeError):
        return {}


def start(public, pages, site_dir: Path, settings, body_of) -> None:
    """Begin indexing now, while MkDocs copies the pages and the other outputs are written: Pagefind
    is a process of its own (Node, and Rust inside it), so it uses the second core instead of waiting
    for the first (3 s of a 10 s build at 1,000 stories). `write` waits for it and finishes."""
    cancel(site_dir)
    node = shutil.which("node")
    if node is None:
        raise SearchIndexError("未找到 Node.js：搜索索引需要它，请安装 nodejs 后运行 bash scripts/setup")
    module = _pagefind_module(settings.root)
    found = _records(public, body_of, settings)
    parts = search.first_part(found, settings.search_first)
    out = site_dir / BUNDLE
    previous = _on_disk.pop(site_dir.resolve(), {})
    _on_disk.clear()  # a folder left behind (serve's full builds go to a new one) is not remembered
    found_shelves = []  # (number, where it is kept, the kept index or None, whether its folder holds it)
    todo = []  # [shelf number, its records] for Pagefind
    made_by = _made_by(module)
    for number, found_here in search.shelves(parts.rest, settings.search_shelf).items():
        records = [record.pagefind() for record in found_here]
        kept = _kept(settings, made_by, records)
        folder = out / ARCHIVE / str(number)
        earlier_here = previous.get(number)
        in_place = (earlier_here is not None and earlier_here[0] == kept.name and folder.is_dir()
                    and _files(folder) == earlier_here[1])
        earlier = _read_kept(kept, whole=not in_place)
        found_shelves.append((number, kept, earlier, in_place and earlier is not None))
        if earlier is None:
            todo.append([number, records])
    # No chunk of an earlier build (it may hold a story since withdrawn), but a shelf of the second
    # part when it is the very one this process wrote there.
    keep = {str(number) for number, _kept_at, _earlier, in_place in found_shelves if in_place}
    for old in (out.iterdir() if out.is_dir() else ()):
        if old.name == ARCHIVE and old.is_dir() and not old.is_symlink():
            for shelf in old.iterdir():
                if shelf.name not in keep:
                    _remove(shelf)
        else:
            _remove(old)
    # A kept index's files go into the site folder now, not at the search output: held until then,
    # the shelves' were 35 MiB at 10,000 stories through the pages and every other output.
    put = _Writer(site_dir, settings)
    shelves = []
    for number, kept, earlier, in_place in found_shelves:
        if earlier is not None and not in_place:
            _put_kept(put, f"{BUNDLE}/{ARCHIVE}/{number}/", earlier)
        shelves.append(Shelf(number, kept, earlier[VOCABULARY] if earlier is not None else None))
    del found_shelves
    # The first part is kept like a shelf: a build whose newest records are the last build's (an old
    # story edited, nothing changed) runs no Pagefind for it; none at all when every shelf is kept.
    # Its files go in at the search output only: until then, a stopped indexing (cancel) leaves no
    # entry a search page would take for a whole index.
    first = [record.pagefind() for record in parts.first]
    first_kept = _kept(settings, made_by, first, FIRST)
    first_earlier = _read_kept(first_kept)
    stdout, stderr = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    process = None
    if first_earlier is None or todo:
        # Files, not pipes: nothing has to read or write them while Python does other work.
        records = tempfile.TemporaryFile()
        records.write(_json({"records": first if first_earlier is None else None, "shelves": todo}))
        records.seek(0)
        with records:
            process = subprocess.Popen([node, str(SCRIPT), str(module), str(out)], stdin=records, stdout=stdout,
                                       stderr=stderr)
    _running[site_dir.resolve()] = Indexing(public, found, parts, shelves, (first_kept, first_earlier), put,
                                            process, stdout, stderr)


def _put_kept(put: _Writer, folder: str, index: dict[str, bytes]) -> None:
    for name, data in index.items():
        if name != VOCABULARY:
            put(folder + name, data)


def _remove(path: Path) -> None:
    shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()


# -- the second part's index, kept between builds --------------------------------------------------
# Pagefind spends most of a large site's minute on the second part (nine records in ten), which
# changes only a step at a time (search.first_part) or when an old record is edited, and then on one
# shelf only (search.shelves). So each shelf's files and vocabulary are kept under the hash of
# everything they are made from: its records as Pagefind gets them, this module's script and
# Pagefind's version. Pagefind writes the same bytes for the same records (test_determinism), so a
# kept index is the one a new run would write.

VOCABULARY = "vocabulary.json"  # the kept shelf's counts, beside its index files in the record


def _made_by(module: Path) -> bytes:
    """What every kept shelf of a build is made by: Pagefind's version and this module's script."""
    version = json.loads((module.parent.parent / "package.json").read_text(encoding="utf-8")).get("version", "")
    return version.encode() + b"\0" + SCRIPT.read_bytes() + b"\0"


FIRST = "first"  # the first part's kept indexes: a folder of their own in the cache's search-archive


def _kept(settings, made_by: bytes, records: list[dict], folder: str = "") -> Path:
    digest = hashlib.sha256(made_by + folder.encode() + _json(records))
    return settings.cache_dir.parent / "search-archive" / folder / f"{digest.hexdigest()}.zip"


def _read_kept(path: Path, whole: bool = True) -> dict[str, bytes] | None:
    """The kept index's files (its vocabulary only when the files are in place already), or None (not
    made yet, or unreadable: then it is made again). A kept index that is used is marked as recent."""
    try:
        with zipfile.ZipFile(path) as kept:
            names = kept.namelist() if whole else [VOCABULARY]
            files = {name: kept.read(name) for name in names}
        os.utime(path)
    except Exception:  # noqa: BLE001 — any damage (a member's method, flags or data: zlib.error,
        return None  # NotImplementedError, RuntimeError …) makes it again, never stops the build
    return files if VOCABULARY in files else None


def _keep(path: Path, folder: Path, vocabulary: dict, leave_out: str = "", seen=None) -> None:
    """A shelf's files and vocabulary as one stored zip, written whole or not at all (the first part:
    without the shelves' folder, `leave_out`). A cache that cannot be written costs time only.
    `seen(file, bytes)` is told each file as it is read (_Writer.wrote)."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as kept:
        for file in sorted(p for p in folder.rglob("*") if p.is_file()
                           and not (leave_out and p.relative_to(folder).parts[0] == leave_out)):
            read = file.read_bytes()
            if seen is not None:
                seen(file, read)
            kept.writestr(zipfile.ZipInfo(file.relative_to(folder).as_posix(), (1980, 1, 1, 0, 0, 0)), read)
        kept.writestr(zipfile.ZipInfo(VOCABULARY, (1980, 1, 1, 0, 0, 0)), _json(vocabulary))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(path, data.getvalue())
    except OSError:
        pass


def _prune(folder: Path, shelves: int) -> None:
    """The kept shelves of the last KEPT_ARCHIVES builds stay (each build marks the ones it used), the
    older ones go."""
    try:
        found = sorted(folder.glob("*.zip"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in found[KEPT_ARCHIVES * max(1, shelves):]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


def _counted(*parts: dict) -> dict:
    """Vocabularies added up: each count is of the records holding the word, and no record is in two parts."""
    total: dict[str, dict[str, int]] = {}
    for part in parts:
        for table, counts in part.items():
            into = total.setdefault(table, {})
            for word, n in counts.items():
                into[word] = into.get(word, 0) + n
    return total


def cancel(site_dir: Path) -> None:
    """Stop an indexing that no write will finish (the build failed before the outputs)."""
    running = _running.pop(site_dir.resolve(), None)
    if running is not None:
        # start() has emptied pagefind/ already: the setup of the earlier index must not send the page
        # to shelves that are gone (the page then says search is not ready)
        (site_dir / "search" / "query.json").unlink(missing_ok=True)
        if running.process is not None:
            running.process.kill()
            running.process.wait()
        running.stdout.close()
        running.stderr.close()


def write(public, pages, site_dir: Path, settings, body_of) -> list[str]:
    running = _running.get(site_dir.resolve())
    if running is None or running.public is not public:
        start(public, pages, site_dir, settings, body_of)  # not started early (tests, scripts): now
        running = _running[site_dir.resolve()]
    del _running[site_dir.resolve()]
    found, parts, out = running.found, running.parts, site_dir / BUNDLE
    with running.stdout, running.stderr:
        try:
            code = running.process.wait(timeout=1800) if running.process is not None else 0
        except subprocess.TimeoutExpired:
            running.process.kill()
            raise SearchIndexError("Pagefind 生成搜索索引超过 30 分钟，已停止") from None
        running.stdout.seek(0)
        running.stderr.seek(0)
        stdout, stderr = running.stdout.read(), running.stderr.read()
    if code != 0:
        detail = stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise SearchIndexError("Pagefind 生成搜索索引失败：" + " / ".join(detail))
    for unused in out.glob("pagefind-*ui*"):  # Pagefind's own UI: we ship our own search page
        unused.unlink()
    (out / "pagefind-highlight.js").unlink(missing_ok=True)
    # The script's last line is each part's segmented vocabulary (anything Pagefind logs comes before).
    lines = stdout.decode("utf-8").strip().splitlines()
    made = json.loads(lines[-1]) if lines else {}
    first_kept, first_earlier = running.first
    put = running.put
    if first_earlier is not None:  # kept from an earlier build: its bundle and index as written then
        _put_kept(put, f"{BUNDLE}/", first_earlier)
        vocabularies = [json.loads(first_earlier[VOCABULARY])]
    else:
        vocabularies = [made.get("first", {})]
        _keep(first_kept, out, vocabularies[0], leave_out=ARCHIVE, seen=put.wrote)
        _prune(first_kept.parent, 1)
    for shelf in running.shelves:
        folder = out / ARCHIVE / str(shelf.number)
        if shelf.vocabulary is not None:  # kept from an earlier build: its files were put in place by start()
            vocabularies.append(json.loads(shelf.vocabulary))
        else:
            # A shelf is merged into the first index's instance, which brings the scripts and the
            # WebAssembly: its own copies would never be asked for.
            for unused in folder.glob("*"):
                if unused.is_file() and not unused.name.endswith((".json", ".pf_meta")):
                    unused.unlink()
            vocabularies.append(made.get("shelves", {}).get(str(shelf.number), {}))
            _keep(shelf.kept, folder, vocabularies[-1], seen=put.wrote)
    if running.shelves:
        _on_disk[site_dir.resolve()] = {shelf.number: (shelf.kept.name, _files(out / ARCHIVE / str(shelf.number)))
                                        for shelf in running.shelves}
        _prune(running.shelves[0].kept.parent, len(running.shelves))
    segmented = _counted(*vocabularies)
    table = search.pinyin_table(search.vocabulary(found, segmented))
    pinyin = search.pinyin_parts(search.with_written(table, segmented.get("latin", {})))
    setup = {"synonyms": search.synonym_groups(public), "facets": search.facets(found),
             "t2s_parts": search.T2S_PARTS, "pinyin_parts": len(pinyin)}
    if parts.rest:  # what the page says it has not searched yet, and offers to
        pinned = list(dict.fromkeys(record.kind for record in parts.first if record.pinned))
        setup["archive"] = {"records": len(parts.rest), "since": parts.since, "pinned": pinned,
                            "shelves": [shelf.number for shelf in running.shelves]}
    tables = {"query.json": _json(setup)}
    tables |= {f"t2s/{n}.json": _json(part) for n, part in enumerate(search.traditional_parts())}
    tables |= {f"pinyin/{n}.json": _json(part) for n, part in enumerate(pinyin)}
    folder = site_dir / "search"
    for sub in ("t2s", "pinyin"):  # no part of an earlier build (a word only a withdrawn story used)
        if (folder / sub).exists():
            shutil.rmtree(folder / sub)
        (folder / sub).mkdir(parents=True)
    for name, data in tables.items():
        (folder / name).write_bytes(data)
    put.save()
    written = sorted(path.relative_to(site_dir).as_posix() for path in out.rglob("*") if path.is_file())
    return written + [f"search/{name}" for name in tables]


class _Writer:
    """Writes the index's files kept in the cache. In a build of its own, a file whose bytes the last
    build wrote at that path is linked from where that build's files were set aside (derived.
    Rewritten): 18,000 files at 10,000 stories, each new file costing what fifty links do."""

    def __init__(self, site_dir: Path, settings) -> None:
        self.site_dir = site_dir
        own, earlier = derived.aside(site_dir)
        self.rewritten = derived.Rewritten(settings.cache_dir, site_dir, "search", earlier) if own else None
        self.folders: set[Path] = set()

    def __call__(self, path: str, data: bytes) -> None:
        target = self.site_dir / path
        if target.parent not in self.folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self.folders.add(target.parent)
        if self.rewritten is not None:
            self.rewritten.write(target, path, data)
        else:
            target.write_bytes(data)

    def wrote(self, file: Path, data: bytes) -> None:
        """A file Pagefind wrote, for the next build to link."""
        if self.rewritten is not None:
            self.rewritten.wrote(file, file.relative_to(self.site_dir).as_posix(), data)

    def save(self) -> None:
        if self.rewritten is not None:
            self.rewritten.save()
