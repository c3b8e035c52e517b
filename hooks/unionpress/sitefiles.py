"""The files of a built site folder and their digests, with nothing but the standard library: the
manifest reads them in a process of its own (`python -m unionpress.sitefiles SITE`) while the audit
reads the same files in the build's process. A thread would not do: the audit holds the GIL most of
the time, and a thread that needs it for every file waits out a switch interval each time."""

from __future__ import annotations

import hashlib
import json
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


def hashed(site_dir: Path | str) -> dict[str, tuple[str, str, int]]:
    root = os.fspath(site_dir)
    return {path: digests(os.path.join(root, path)) for path in site_files(root)}


if __name__ == "__main__":
    if not os.path.isdir(sys.argv[1]):
        sys.exit(f"{sys.argv[1]}: not a folder")
    json.dump(hashed(sys.argv[1]), sys.stdout, ensure_ascii=False)
