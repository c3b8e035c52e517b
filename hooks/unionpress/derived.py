"""Files derived from content that cost time to make again on every build (the name cards' QR codes
and cropped portraits, the EPUB covers): kept in the cache folder beside the picture variants.

A record is named by a hash of everything it is made from: the inputs the caller names, the bytes of
the module that makes it and of the whole engine, and the versions of the libraries it uses, so a
changed text, picture or any change of code makes it again. Like the picture cache it is a convenience, never an authority: a
record holds the digest of its own bytes and one that does not match is made again, and a folder
that cannot be written only costs time (the picture pipeline already says why). Each version of the
engine keeps its records in a folder of its own, removed once no build has used it for two weeks.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import marshal
import os
import re
import shutil
import stat as stat_module
import sys
import threading
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from importlib import metadata
from pathlib import Path, PurePath
from typing import Callable, Mapping

from . import sitefiles
from .responsive import _write_atomically

_DIGEST = 32  # bytes of sha256 in front of each record


@lru_cache(maxsize=64)
def _versions(libraries: tuple[str, ...]) -> list[str]:
    found = []
    for name in libraries:
        try:
            found.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name}=?")
    return found


@lru_cache(maxsize=1)
def _engine() -> bytes:
    """A digest of the whole engine's Python code: a card or cover is drawn by more than its own module
    (a helper of the profile's kind, the picture pipeline), and a record made by other code must not be
    served after any of it changed. Not the templates and styles: no record is drawn with them, and an
    edited page template must not make every picture's crops again. Read once per process."""
    root = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


@lru_cache(maxsize=64)
def _source(code: Path) -> bytes:
    """A maker module's bytes, read once per process (key() is called for every story and picture)."""
    return code.read_bytes()


@lru_cache(maxsize=64)
def _code_digest(code: Path, engine: bytes):
    """The hash of a maker's source and the engine's code, begun once and copied for every key."""
    return hashlib.sha256(_source(code) + engine)


def key(code: Path, inputs, libraries: tuple[str, ...] = ()) -> str:
    """The record's name: inputs (any JSON-able value), the maker's source, the engine's code and the
    libraries' versions."""
    digest = _code_digest(code, _engine()).copy()
    digest.update(json.dumps([inputs, _versions(tuple(libraries))], ensure_ascii=False, sort_keys=True,
                             default=str).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def file_digest(path: Path | None) -> str:
    """A file's bytes as an input (a picture the record is drawn from); "" for none or an unreadable one."""
    if path is None:
        return ""
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return ""


KEEP_DAYS = 14  # a folder of records that no build has used for this long is removed (records_folder)
# What records_folder may remove beside its own folder: another version's folder, and the kinds'
# folders of the layout before versions. Nothing else: UNIONPRESS_CACHE may put "derived" anywhere.
_OURS = re.compile(r"[0-9a-f]{16}|cards|epub|newsroom|newsroom-bundle|wechat|wechat-article|wechat-package")


def record_path(cache_dir: Path, kind: str, name: str) -> Path:
    return records_folder(cache_dir) / kind / name[:2] / name


@lru_cache(maxsize=16)
def records_folder(cache_dir: Path) -> Path:
    """Where this engine's records are: a folder per version of the engine's code (every record's key
    holds that code, so another version never reads them). An upgrade would otherwise leave all of the
    last version's records behind it, 1.5 GB at 10,000 stories each time. Once per process its own
    folder is marked as used now, and the folders no build has used for KEEP_DAYS are removed: a
    version switched back to within that time still finds its records, and a removed record only costs
    the time to make it again."""
    root = cache_dir.parent / "derived"
    own = root / _engine().hex()[:16]
    try:
        own.mkdir(parents=True, exist_ok=True)
        os.utime(own)
        unused = time.time() - KEEP_DAYS * 86400
        with os.scandir(root) as entries:
            old = [entry for entry in entries if entry.path != str(own) and _OURS.fullmatch(entry.name)
                   and entry.stat(follow_symlinks=False).st_mtime < unused]
        for entry in old:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
    except OSError:
        pass  # an unwritable cache costs time only (cached() makes records in memory then)
    return own


def fresh() -> bool:
    """UNIONPRESS_FRESH=1: no memo of an earlier build is read or kept, everything is made (what a
    build over an earlier one is compared with)."""
    return os.environ.get("UNIONPRESS_FRESH", "") not in ("", "0")


def memo_file(cache_dir: Path, kind: str, folder: Path, ending: str) -> Path:
    """Where a memo about one folder (a site folder's ledger or audit, a content folder's parses or
    findings) is kept: beside this engine's records, named by the folder's resolved path."""
    return records_folder(cache_dir) / kind / (
        hashlib.sha256(os.fsencode(Path(folder).resolve())).hexdigest()[:16] + ending)


def has(cache_dir: Path, kind: str, name: str) -> bool:
    """Whether the record is there (not whether it is sound: cached() checks that as it reads it)."""
    return record_path(cache_dir, kind, name).is_file()


def warm(cache_dir: Path, kind: str, jobs: list[tuple[str, Callable[[], bytes]]], processes: bool = False) -> None:
    """The records of `jobs` (name, make) the cache lacks, made first on every core and kept, for the
    caller to read in its own order with cached(). A first build spends most of its outputs' time
    here. Threads where most of the work lets go of the GIL (Pillow's resizing and encoding);
    `processes` where it does not (python-docx builds its XML in Python): forked, so each inherits
    the jobs and the model they read, and only writes records; forked only while this process runs
    no other thread (a lock another thread held at the fork would stay held in the child: `unionpress
    serve` makes its outputs beside its server's threads), threads then. A record that fails here, or
    a pool that cannot start, leaves the work to the caller, in order, where a failure is reported.
    Nothing is made here when the records cannot be kept: the caller would make them all again."""
    if not os.access(records_folder(cache_dir), os.W_OK):
        return
    missing = [(name, make) for name, make in jobs if not has(cache_dir, kind, name)]
    workers = min(sitefiles.cores(), len(missing))
    if workers < 2:
        return
    if processes and hasattr(os, "fork") and threading.active_count() == 1:
        _FORKED[:] = [(cache_dir, kind, missing)]
        try:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            shares = [range(start, len(missing), workers) for start in range(workers)]
            with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
                for _done in pool.map(_make_share, shares):
                    pass
        except (OSError, RuntimeError, ValueError):  # BrokenProcessPool is a RuntimeError: the caller makes them
            pass
        finally:
            _FORKED.clear()
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for _done in pool.map(lambda job: _make_one(cache_dir, kind, job), missing):
            pass


_FORKED: list = []  # warm(processes=True)'s jobs while its workers are forked: they inherit them


def _make_share(share: range) -> None:
    cache_dir, kind, jobs = _FORKED[0]
    for index in share:
        _make_one(cache_dir, kind, jobs[index])


def _make_one(cache_dir: Path, kind: str, job: tuple[str, Callable[[], bytes]]) -> None:
    try:
        cached(cache_dir, kind, *job)
    except Exception:  # noqa: BLE001 — the caller makes it again and reports it
        pass


def read_sealed(path: Path) -> bytes | None:
    """The bytes a file written by write_sealed holds; None when it is not there or not whole."""
    found = _sealed(path)
    return found[0] if found is not None else None


def _sealed(path: Path) -> tuple[bytes, tuple] | None:
    """read_sealed's bytes, and the file's size, time and inode as it was read (one open file)."""
    try:
        with open(path, "rb") as file:
            found = os.fstat(file.fileno())
            record = file.read()
    except OSError:
        return None  # not made yet
    rest = record[_DIGEST:]  # one copy, hashed and given (an EPUB record is up to 20 MB)
    if hashlib.sha256(rest).digest() != record[:_DIGEST]:
        return None
    return rest, (found.st_size, found.st_mtime_ns, found.st_ino)


def write_sealed(path: Path, data: bytes) -> None:
    """`data` after its SHA-256 (a damaged disk is not believed), written whole or not at all; an
    unwritable cache costs time only."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(path, (hashlib.sha256(data).digest(), data))
    except OSError:
        pass  # the picture pipeline reports an unwritable cache folder once


def read_memo(path: Path, rules: object) -> object | None:
    """What keep_memo kept at `path` under the same `rules` (what the memo's answers depend on: a
    library's version, the site's address); None when there is none, it is damaged, or other rules,
    another marshal or another Python wrote it (marshal's format is the interpreter's). A memo is
    marshal's format behind its SHA-256: quicker to read than JSON or pickle, and one this code wrote
    needs no look at each of its rows."""
    data = read_sealed(path)
    if data is None:
        return None
    try:
        found = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None
    if type(found) is tuple and len(found) == 2 and found[0] == _memo_rules(rules):
        return found[1]
    return None


def keep_memo(path: Path, rules: object, payload: object) -> None:
    """Keep `payload` for read_memo; a value marshal cannot hold keeps no memo (the work is done again)."""
    try:
        data = marshal.dumps((_memo_rules(rules), payload))
    except ValueError:
        return
    write_sealed(path, data)


def _memo_rules(rules: object) -> tuple:
    return (rules, marshal.version, sys.version)


def kept(cache_dir: Path, kind: str, name: str) -> bytes | None:
    """The record `name` of `kind` from the cache; None when it is not there or not whole."""
    return read_sealed(record_path(cache_dir, kind, name))


def cached(cache_dir: Path, kind: str, name: str, make: Callable[[], bytes]) -> bytes:
    """The record `name` of `kind` from the cache, or `make()` it and keep it."""
    found = kept(cache_dir, kind, name)
    if found is None:
        found = make()
        write_sealed(record_path(cache_dir, kind, name), found)
    return found


def stable(value) -> object:
    """A JSON-able picture of a value that is the same in every process, for a record's key: frozen
    dataclasses (items, bodies, settings) field by field, mappings and sets sorted (a set's own order,
    like its repr, changes with each process's string hashing, and the record would never be found).
    A value of any other type is its repr: at worst one that names its address is never found again,
    which costs time, never a wrong record."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [type(value).__qualname__,
                {f.name: stable(getattr(value, f.name)) for f in dataclasses.fields(value)}]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, Mapping):
        return ["{}", sorted(([stable(k), stable(v)] for k, v in value.items()), key=_ordering)]
    if isinstance(value, (set, frozenset)):
        return ["set", sorted((stable(v) for v in value), key=_ordering)]
    if isinstance(value, (list, tuple)):
        return [stable(v) for v in value]
    if isinstance(value, PurePath):
        return ["path", str(value)]
    if isinstance(value, (dt.date, dt.time)):
        return ["time", value.isoformat(), str(getattr(value, "tzinfo", None))]
    return ["repr", type(value).__qualname__, repr(value)]


def _ordering(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


class Clockless:
    """Stands for `settings.now` while an export whose record is kept between builds is made: the
    record's key leaves the clock out (it changes every build), so the export must not read it, and
    any use of it fails loudly instead of keeping yesterday's date in a record."""

    def _refuse(self, *args, **kwargs):
        raise RuntimeError("此导出的缓存键不含构建时间，生成时不能读取 settings.now"
                           "（the clock is not part of this cached export's key）")

    __getattr__ = __eq__ = __lt__ = __le__ = __gt__ = __ge__ = __sub__ = __rsub__ = __str__ = __format__ = _refuse
    __hash__ = None


def clockless(settings):
    """The settings an export kept by its inputs is made with: the same, without the clock."""
    return dataclasses.replace(settings, now=Clockless())


def settings_print(settings) -> str:
    """The settings as a key input (a digest of their stable picture): everything but the clock (a
    clockless copy's `now` is left out too) and the cache folder (where records are kept, not what
    they hold: the files an export is made from are inputs by their bytes)."""
    return _digest(stable({f.name: getattr(settings, f.name) for f in dataclasses.fields(settings)
                           if f.name not in ("now", "cache_dir")}))


def _digest(value) -> str:
    # surrogatepass: a file name that is not UTF-8 (a zip made on Chinese Windows) keeps its bytes
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
                          .encode("utf-8", "surrogatepass")).hexdigest()


_item_prints: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def item_print(item, body) -> str:
    """An item with its rendered body as a key input: a digest of both field by field and of the bytes
    of every file the body names (its pictures, its attachments). Worked out once per item and body
    (the WeChat check, the package and the bundle all ask), again for another body of the same item."""
    files = [file for _site_path, file in getattr(body, "assets", ())]
    stats = tuple(file_stat(file) for file in files)  # a file saved over between two builds of `serve` is read again
    known = _item_prints.get(item)
    if known is not None and known[0] is body and known[1] == stats:
        return known[2]
    made = _digest([stable(item), stable(body), [file_digest(file) for file in files]])
    _item_prints[item] = (body, stats, made)
    return made


def file_stat(file: Path | str) -> tuple:
    """Size, mtime and inode: a file written again, by anyone, tells by one of them; () when absent."""
    try:
        found = os.stat(file)
    except OSError:
        return ()
    return found.st_size, found.st_mtime_ns, found.st_ino


def pack(files: dict[str, bytes]) -> bytes:
    """Several named files as one record: a JSON head of names and lengths, then the bytes one after
    another (a zip's parsing cost more than the rest of reading a record). `cached` checks the
    record's digest, so a damaged one never reaches `unpack`."""
    head = json.dumps([[name, len(data)] for name, data in files.items()], ensure_ascii=False).encode("utf-8")
    return b"".join([str(len(head)).encode(), b"\n", head, *files.values()])


def unpack(record: bytes) -> dict[str, bytes]:
    """The files of a record made by `pack`, in the order they were packed."""
    return {name: record[at:at + length] for name, (at, length) in _places(record).items()}


def _places(record: bytes) -> dict[str, tuple[int, int]]:
    """Where each file of a record made by `pack` lies in it: name → (offset, length)."""
    size, _, rest = record.partition(b"\n")
    start = len(record) - len(rest)
    head = json.loads(rest[:int(size)])
    places, at = {}, start + int(size)
    for name, length in head:
        places[name] = (at, length)
        at += length
    if at != len(record):
        raise ValueError("record longer than its head says")
    return places


@dataclasses.dataclass(frozen=True)
class Stretch:
    """Bytes lying in a file, read when they are wanted instead of held: a kept EPUB book in its
    record. At 10,000 stories the library is 120 MB, and the pages only print the books' sizes; the
    output reads each book when it writes it. The record was read whole and its digest checked when
    the stretch was taken (`kept_stretches`), and the file is read only while it is that same file
    (its size, time and inode): a record replaced meanwhile is not read at offsets of another layout."""
    path: str
    start: int
    length: int
    stat: tuple  # file_stat of the record when its digest was checked

    def read(self) -> bytes:
        """The bytes; OSError when the file is gone, replaced or shorter (a cache emptied meanwhile)."""
        with open(self.path, "rb") as file:
            found = os.fstat(file.fileno())
            if (found.st_size, found.st_mtime_ns, found.st_ino) != self.stat:
                raise OSError(f"{self.path}：缓存记录已被替换")
            file.seek(self.start)
            data = file.read(self.length)
        if len(data) != self.length:
            raise OSError(f"{self.path}：缓存记录不完整")
        return data


def kept_stretches(cache_dir: Path, kind: str, name: str, held: frozenset[str] = frozenset()) -> dict | None:
    """The files of record `name` of `kind` (made by `pack`), the ones named in `held` as bytes and
    the others as the Stretch of the record's file they lie in; None when it is not there, not whole
    or not packed."""
    path = record_path(cache_dir, kind, name)
    found = _sealed(path)
    return _stretches(path, *found, held) if found is not None else None


def keep_stretches(cache_dir: Path, kind: str, name: str, files: dict[str, bytes],
                   held: frozenset[str] = frozenset()) -> dict | None:
    """`files` packed and kept as record `name` of `kind`, then given as kept_stretches gives them
    (without reading the record back); None when it could not be written."""
    path = record_path(cache_dir, kind, name)
    record = pack(files)
    write_sealed(path, record)
    try:
        found = os.stat(path)
    except OSError:
        return None
    if found.st_size != _DIGEST + len(record):
        return None
    return _stretches(path, record, (found.st_size, found.st_mtime_ns, found.st_ino), held)


def _stretches(path: Path, record: bytes, stat: tuple, held: frozenset[str]) -> dict | None:
    try:
        places = _places(record)
    except (ValueError, TypeError):
        return None
    return {member: record[at:at + length] if member in held else Stretch(str(path), _DIGEST + at, length, stat)
            for member, (at, length) in places.items()}


# (site folder, output) → unit → (its key, its files with their stats as written). Only a process that
# writes the same folder again keeps anything here: `unionpress serve` runs every output after each
# edit, and writing 10,000 WeChat packages (60,000 files) again took most of 12 s at 10,000 stories.
_placed: dict[tuple[Path, str], dict[str, tuple[str, tuple]]] = {}
# Site folder → where the previous build's files now lie, for a build in a process of its own
# (`mkdocs build` moves them aside before it begins, hooks/build.py): None when there are none. A
# folder named here also keeps a ledger of what was placed in it, for the next build's process.
_aside: dict[Path, Path | None] = {}


def set_aside(site_dir: Path, earlier: Path | None) -> None:
    """Say that the previous build's files of `site_dir` were moved, whole, into `earlier` (None: there
    were none, or they stay where they are): place() moves in from there each unit that is still
    what it would write, by a rename, instead of writing it again (16 s for 60,000 files of the
    WeChat packages at 10,000 stories), and keeps a ledger of what it placed for the next build. The
    caller deletes `earlier` once the outputs have run, with what place() left in it."""
    _aside[site_dir.resolve()] = earlier


def forget_asides() -> None:
    """A command begins: no folder of an earlier one in this process counts as set aside."""
    _aside.clear()


def aside(site_dir: Path) -> tuple[bool, Path | None]:
    """Whether this process set aside the previous build's files of `site_dir` (a build of its own,
    not serve), and where they lie (None: there were none)."""
    root = site_dir.resolve()
    return root in _aside, _aside.get(root)


def place(site_dir: Path, output: str, cache_dir: Path, kind: str,
          units: list[tuple[str, str, Callable[[], dict[str, bytes]]]], processes: bool = False) -> list[str]:
    """Write each unit (name, key, make → {its path in the site folder: bytes}) into `site_dir`, whole
    from the cache (`kind`, by key) when it is there: the units the cache lacks are made first on
    every core (warm), then every unit is written in order, where a failure is reported. A unit this
    process last wrote with the same key, its files untouched since, is left as it is (Placement).
    Returns every unit's paths, in order."""
    placement = Placement(site_dir, output, cache_dir)
    kept = [placement.kept(unit, key) for unit, key, _make in units]

    def packed(make: Callable[[], dict[str, bytes]]) -> Callable[[], bytes]:
        return lambda: pack(make())

    warm(cache_dir, kind, [(key, packed(make)) for (_unit, key, make), old in zip(units, kept) if old is None],
         processes)
    written: list[str] = []
    folders: set[Path] = set()
    for (unit, key, make), old in zip(units, kept):
        if old is not None:
            written += old
            continue
        files = unpack(cached(cache_dir, kind, key, packed(make)))
        for path, data in files.items():
            target = site_dir / path
            if target.parent not in folders:  # one mkdir per folder, not per file: 6,000 files at 1,000 stories
                target.parent.mkdir(parents=True, exist_ok=True)
                folders.add(target.parent)
            target.write_bytes(data)
        placement.wrote(unit, key, list(files))
        written += files
    placement.finish()
    return written


class Placement:
    """The files of one output in one site folder, unit by unit (a story's package, its bundle): a
    unit whose key is the one it was last written with, and whose files are still as they were left
    (size, mtime, inode), is not written again. Anything else is: another key, a file touched or
    removed since, a unit first seen, a run that failed before `finish`. What was written is known
    from this process (`serve` writes the same folder after each edit) or, in a folder whose earlier
    files were set aside (set_aside), from the ledger the last build kept: its units are moved back
    in from where they were set aside."""

    def __init__(self, site_dir: Path, output: str, cache_dir: Path) -> None:
        self.site_dir = site_dir
        root = site_dir.resolve()
        self._key = (root, output)
        earlier = _placed.pop(self._key, None)  # a run that fails leaves nothing to trust
        for other in [key for key in _placed if key[0] != self._key[0]]:
            del _placed[other]  # a folder left behind (serve's full builds go to a new one)
        self._ledger = self._aside = None
        if root in _aside:
            self._aside = _aside[root]
            self._ledger = memo_file(cache_dir, "placed", root, f"-{output}.json")
            if earlier is None:
                earlier = _read_ledger(self._ledger)
            try:
                self._ledger.unlink()  # likewise on disk
            except OSError:
                pass
        self._earlier = earlier or {}
        self._now: dict[str, tuple[str, tuple]] = {}
        self._site = os.fspath(site_dir)
        self._folders: set[str] = set()

    def kept(self, unit: str, key: str) -> list[str] | None:
        """The site paths of `unit` when they are in place for `key`, else None (write them)."""
        earlier = self._earlier.get(unit)
        if earlier is None or earlier[0] != key:
            return None
        # Paths as strings, not Path objects: 10,000 units of 3 or 4 files each at 10,000 stories, and
        # pathlib's joins were most of the time it took to check and move them.
        site = self._site
        if (any(file_stat(f"{site}/{path}") != stat for path, stat in earlier[1])
                and not self._moved_in(unit, earlier[1])):
            return None
        self._now[unit] = earlier
        return [path for path, _stat_then in earlier[1]]

    def _moved_in(self, unit: str, files: tuple) -> bool:
        """Move the unit's files, as they were left, from where the last build's were set aside: its
        folder by one rename when the unit is a folder holding these files and nothing else (a file
        put there by hand would come along), else file by file. False when any is not as it was left:
        the caller writes them all."""
        if self._aside is None:
            return False
        aside, site = os.fspath(self._aside), self._site
        if any(file_stat(f"{aside}/{path}") != stat for path, stat in files):
            return False
        names = [path[len(unit):] for path, _stat in files]
        try:
            if unit.endswith("/") and all(path.startswith(unit) for path, _stat in files):
                folder = f"{aside}/{unit.rstrip('/')}"
                if os.path.islink(folder) or _files_under(folder) != sorted(names):
                    return False
                self._folder(os.path.dirname(f"{site}/{unit.rstrip('/')}"))
                os.rename(folder, f"{site}/{unit.rstrip('/')}")
                return True
            for path, _stat in files:
                target = f"{site}/{path}"
                if os.path.lexists(target):
                    return False  # something else wrote it
                self._folder(os.path.dirname(target))
                os.rename(f"{aside}/{path}", target)
        except OSError:
            return False
        return True

    def _folder(self, folder: str) -> None:
        if folder not in self._folders:  # one mkdir per folder, not per unit
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)

    def wrote(self, unit: str, key: str, paths: list[str]) -> None:
        self._now[unit] = (key, tuple((path, file_stat(self.site_dir / path)) for path in paths))

    def finish(self) -> None:
        _placed[self._key] = self._now
        if self._ledger is not None:
            try:
                self._ledger.parent.mkdir(parents=True, exist_ok=True)
                _write_atomically(self._ledger, json.dumps(self._now, ensure_ascii=False).encode("utf-8"))
            except OSError:
                pass  # the next build writes them all again


def _files_under(folder: str) -> list[str]:
    """Every entry under `folder` but its folders, as paths relative to it: a link to a folder counts
    as an entry (it would come along with the folder, unlisted)."""
    found = []

    def refused(error: OSError) -> None:
        raise error  # a folder it cannot list may hold anything: the unit is written anew

    for root, folders, files in os.walk(folder, onerror=refused):
        under = root[len(folder) + 1:] + "/" if root != folder else ""
        found += [under + name for name in files]
        found += [under + name for name in folders if os.path.islink(os.path.join(root, name))]
    return sorted(found)


def _read_ledger(ledger: Path) -> dict[str, tuple[str, tuple]] | None:
    """What the last build placed ({unit: [key, [[path, [size, mtime, inode]], …]]}), None when it
    cannot be read as that."""
    try:
        found = json.loads(ledger.read_bytes())
        read = {unit: (key, tuple((path, tuple(stat)) for path, stat in files))
                for unit, (key, files) in found.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return None
    for unit, (key, files) in read.items():
        if not (isinstance(unit, str) and isinstance(key, str) and all(
                isinstance(path, str) and "\0" not in path and len(stat) == 3 and all(type(n) is int for n in stat)
                for path, stat in files)):
            return None  # not a ledger this code wrote
    return read


class Rewritten:
    """Files a build makes afresh each time with bytes it knows before writing them (the pages): one
    whose bytes are those the last build wrote at that path, its file in the site folder still as it
    was left (size, mtime, inode), becomes a second name of that file (a hard link) instead of a new
    file. Creating 19,000 files was most of the pages' time at 10,000 stories on a disk where a new
    file costs 0.4 ms and a link 0.01 ms; and a file kept is one the audit and the manifest know by
    its stat. A link, not a rename: the last build's folder stays whole until MkDocs empties it, so a
    build that fails before leaves the site as it was. Kept per site folder in the cache, like the
    other memos: a ledger that cannot be read only costs the writing."""

    def __init__(self, cache_dir: Path, site_dir: Path, kind: str, earlier: Path | None = None) -> None:
        """`earlier`: where the last build's files of `site_dir` lie now (set_aside), if not in it."""
        self.source = earlier or site_dir
        self.ledger = memo_file(cache_dir, kind, site_dir, ".json")
        self.earlier = _read_rewritten(self.ledger)
        self.now: dict[str, tuple[str, tuple]] = {}  # site path → (sha256, stat) of what is there now

    def link(self, target: Path, path: str, sha: str) -> bool:
        """The last build's file at `path` linked at `target`, if it held bytes of this SHA-256 and is
        still as it was left; False (nothing done) otherwise."""
        earlier = self.earlier.get(path)
        if earlier is None or earlier[0] != sha:
            return False
        source = self.source / path
        try:
            found = os.lstat(source)  # a link in its place is not the file the ledger names
            if stat_module.S_ISREG(found.st_mode) and (found.st_size, found.st_mtime_ns, found.st_ino) == earlier[1]:
                os.link(source, target)
                self.now[path] = earlier
                return True
        except OSError:
            pass
        return False

    def write(self, target: Path, path: str, data: bytes) -> str:
        """`data` at `target` (its folder made), for the site path `path`; returns its SHA-256."""
        sha = hashlib.sha256(data).hexdigest()
        if self.link(target, path, sha):
            return sha
        # Never through a name that is there (a page planned twice, a share done again): it may be a
        # second name of the published file, which must stay as it was until the build replaces it.
        target.unlink(missing_ok=True)
        target.write_bytes(data)
        self.now[path] = (sha, file_stat(target))
        return sha

    def wrote(self, target: Path, path: str, data: bytes) -> None:
        """`data` was written at `target` by someone else (Pagefind), for the next build to link."""
        self.now[path] = (hashlib.sha256(data).hexdigest(), file_stat(target))

    def save(self) -> None:
        try:
            self.ledger.parent.mkdir(parents=True, exist_ok=True)
            _write_atomically(self.ledger, json.dumps(self.now, ensure_ascii=False).encode("utf-8"))
        except OSError:
            pass  # the next build writes them all


def _read_rewritten(ledger: Path) -> dict[str, tuple[str, tuple]]:
    """{site path: (sha256, (size, mtime, inode))} as the last build left it; {} when it cannot be read
    as that (every file is written)."""
    try:
        found = json.loads(ledger.read_bytes())
        read = {path: (sha, tuple(stat)) for path, (sha, stat) in found.items()}
    except (OSError, ValueError, TypeError, AttributeError, RecursionError):
        return {}
    for path, (sha, stat) in read.items():
        if not (isinstance(path, str) and isinstance(sha, str) and len(stat) == 3
                and all(type(n) is int for n in stat)):
            return {}  # not a ledger this code wrote
    return read
