"""The files of a built site folder and their digests, with nothing but the standard library: the
manifest reads them in a process of its own (`python -m unionpress.sitefiles SITE`) while the audit
reads the same files in the build's process. A thread would not do: the audit holds the GIL most of
the time, and a thread that needs it for every file waits out a switch interval each time."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from pathlib import Path

CONTROL = "_unionpress"  # the build's own control folder (manifest, preview marker): never a site file


def cores() -> int:
    """The cores this process may run on (its affinity, where the system tells it)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def package_path() -> str:
    """PYTHONPATH for a child process that runs the engine: the folder it is imported from first, so
    the same code runs there."""
    here = str(Path(__file__).resolve().parent.parent)
    return os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH", "")]))


def site_files(site_dir: Path | str) -> list[str]:
    """Every file of the site folder but the control folder, as site paths, sorted. Walked with
    os.walk, not Path.rglob: making and relating 160,000 Path objects took 8 of the 30 s the manifest
    took at 10,000 stories. Like rglob it does not descend into a linked folder; a link to a file
    counts as that file."""
    found = []
    root = os.fspath(site_dir)
    for folder, folders, names in os.walk(root):
        relative = os.path.relpath(folder, root)
        prefix = "" if relative == "." else relative.replace(os.sep, "/") + "/"
        if not prefix and CONTROL in folders:
            folders.remove(CONTROL)
        found += [prefix + name for name in names
                  if (prefix or name != CONTROL) and os.path.isfile(os.path.join(folder, name))]
    return sorted(found)


def digests(path: Path | str) -> tuple[str, str, int]:
    """sha256, md5 and size of a file, read once."""
    sha, md5, size = hashlib.sha256(), hashlib.md5(usedforsecurity=False), 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            sha.update(chunk)
            md5.update(chunk)
            size += len(chunk)
    return sha.hexdigest(), md5.hexdigest(), size


def hashed(site_dir: Path | str, memo: str | None = None) -> dict[str, tuple[str, str, int]]:
    """Every file's digests. `memo`: a file where they are kept with each file's size, mtime and inode
    for the next time: a file whose stat is the same is not read again (most of a site: the pages
    and the search index linked from the last build, the packages moved back in, the pictures
    linked from the cache; reading 1.6 GB took 7 s at 10,000 stories). The stat is taken before the
    file is read, so a file written meanwhile is read again next time."""
    root = os.fspath(site_dir)
    earlier = _read_memo(memo) if memo else {}
    found, kept = {}, {}
    for path in site_files(root):
        full = os.path.join(root, path)
        try:
            stat = os.stat(full)
            now = [stat.st_size, stat.st_mtime_ns, stat.st_ino]
        except OSError:
            now = None
        row = earlier.get(path)
        if now is not None and row is not None and row[:3] == now:
            found[path] = (row[3], row[4], now[0])
        else:
            found[path] = digests(full)
        if now is not None:
            kept[path] = [*now, found[path][0], found[path][1]]
    if memo:
        _write_memo(memo, kept)
    return found


def _read_memo(memo: str) -> dict[str, list]:
    """{site path: [size, mtime, inode, sha256, md5]}; {} when it is not a memo this code wrote."""
    try:
        with open(memo, "rb") as handle:
            rows = json.load(handle)
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(rows, dict) or not all(
            isinstance(row, list) and len(row) == 5 and all(type(n) is int for n in row[:3])
            and is_hex(row[3], 64) and is_hex(row[4], 32) for row in rows.values()):
        return {}
    return rows


_HEX = {64: re.compile(r"[0-9a-f]{64}"), 32: re.compile(r"[0-9a-f]{32}")}


def is_hex(value, length: int) -> bool:
    """A hex digest of `length` digits, as hexdigest() writes it (sha256: 64, md5: 32)."""
    return isinstance(value, str) and _HEX[length].fullmatch(value) is not None


def _write_memo(memo: str, rows: dict) -> None:
    """Whole or not at all; a memo that cannot be written costs the reading next time."""
    temporary = f"{memo}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(memo), exist_ok=True)
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(rows, handle, ensure_ascii=False)
        os.replace(temporary, memo)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass


if __name__ == "__main__":  # SITE [MEMO]
    if not os.path.isdir(sys.argv[1]):
        sys.exit(f"{sys.argv[1]}: not a folder")
    json.dump(hashed(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None), sys.stdout, ensure_ascii=False)
