"""The files of a built site folder and their digests, with nothing but the standard library: the
manifest reads them in a process of its own (`python -m unionpress.sitefiles SITE`) while the audit
reads the same files in the build's process. A thread would not do: the audit holds the GIL most of
the time, and a thread that needs it for every file waits out a switch interval each time."""

from __future__ import annotations

import hashlib
import marshal
import os
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
    """Every file of the site folder but the control folder, as site paths, sorted (site_stats)."""
    return sorted(site_stats(site_dir))


def site_stats(site_dir: Path | str) -> dict[str, tuple[int, int, int]]:
    """Every file of the site folder but the control folder, as a site path → its size, mtime and inode,
    in one walk. Like Path.rglob it does not descend into a linked folder; a link to a file counts as
    that file, a link to nothing is no file. With os.scandir and strings: making and relating 160,000
    Path objects took 8 of the 30 s the manifest took at 10,000 stories, and os.walk with a stat
    of each file by its whole path again most of what was left of its walk."""
    found: dict[str, tuple[int, int, int]] = {}
    folders = [("", os.fspath(site_dir))]
    while folders:
        prefix, folder = folders.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    name = entry.name
                    if not prefix and name == CONTROL:
                        continue
                    try:
                        if entry.is_dir():
                            if not entry.is_symlink():
                                folders.append((prefix + name + "/", entry.path))
                        elif entry.is_file():
                            stat = entry.stat()
                            found[prefix + name] = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
                    except OSError:
                        continue  # gone since it was listed, or a link that cannot be followed: no file
        except OSError:
            continue  # as os.walk: a folder that cannot be listed (or not to its end) is passed over
    return found


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
    stats = site_stats(root)
    found, kept = {}, {}
    for path in sorted(stats):
        now = stats[path]
        row = earlier.get(path)
        if row is not None and row[:3] == now:
            found[path] = (row[3], row[4], now[0])
        else:
            found[path] = digests(os.path.join(root, path))
        kept[path] = (*now, found[path][0], found[path][1])
    if memo:
        _write_memo(memo, kept)
    return found


# What a memo begins with: its format, and the interpreter whose marshal wrote it.
_MEMO = f"unionpress.sitefiles 2 {sys.version}"
_SEAL = 32  # bytes of the SHA-256 of the rest, in front of a memo


def _read_memo(memo: str) -> dict[str, tuple]:
    """{site path: (size, mtime, inode, sha256, md5)}; {} when it is not a whole memo this code wrote.
    Kept in marshal's format behind its SHA-256: a damaged one is not believed, and one this code
    wrote needs no look at each of its rows (reading JSON and checking every row took a second at
    10,000 stories, and this process is the last one a build waits for)."""
    try:
        with open(memo, "rb") as handle:
            data = handle.read()
    except OSError:
        return {}
    rest = memoryview(data)[_SEAL:]  # not a copy of a 20 MB memo, twice
    if hashlib.sha256(rest).digest() != data[:_SEAL]:
        return {}
    try:
        kind, rows = marshal.loads(rest)
    except (EOFError, ValueError, TypeError):
        return {}
    return rows if kind == _MEMO and type(rows) is dict else {}


def _write_memo(memo: str, rows: dict) -> None:
    """Whole or not at all; a memo that cannot be written costs the reading next time."""
    data = marshal.dumps((_MEMO, rows))
    temporary = f"{memo}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(memo), exist_ok=True)
        with open(temporary, "wb") as handle:
            handle.write(hashlib.sha256(data).digest() + data)
        os.replace(temporary, memo)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass


if __name__ == "__main__":  # SITE [MEMO]
    if not os.path.isdir(sys.argv[1]):
        sys.exit(f"{sys.argv[1]}: not a folder")
    marshal.dump(hashed(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None), sys.stdout.buffer)
