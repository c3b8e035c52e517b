"""Files derived from content that cost time to make again on every build (the name cards' QR codes
and cropped portraits, the EPUB covers): kept in the cache folder beside the picture variants.

A record is named by a hash of everything it is made from: the inputs the caller names, the bytes of
the module that makes it and of the whole engine, and the versions of the libraries it uses, so a
changed text, picture or any change of code makes it again. Like the picture cache it is a convenience, never an authority: a
record holds the digest of its own bytes and one that does not match is made again, and a folder
that cannot be written only costs time (the picture pipeline already says why).
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Callable

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


def key(code: Path, inputs, libraries: tuple[str, ...] = ()) -> str:
    """The record's name: inputs (any JSON-able value), the maker's source, the engine's code and the
    libraries' versions."""
    digest = hashlib.sha256(_source(code) + _engine())
    digest.update(json.dumps([inputs, _versions(tuple(libraries))], ensure_ascii=False, sort_keys=True,
                             default=str).encode("utf-8"))
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


def cached(cache_dir: Path, kind: str, name: str, make: Callable[[], bytes]) -> bytes:
    """The record `name` of `kind` from the cache, or `make()` it and keep it."""
    target = cache_dir.parent / "derived" / kind / name[:2] / name
    try:
        record = target.read_bytes()
        if hashlib.sha256(record[_DIGEST:]).digest() == record[:_DIGEST]:
            return record[_DIGEST:]
    except OSError:
        pass  # not made yet
    data = make()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(target, hashlib.sha256(data).digest() + data)
    except OSError:
        pass  # an unwritable cache costs time only; the picture pipeline reports the folder once
    return data
