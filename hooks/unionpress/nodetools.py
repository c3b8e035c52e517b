"""The Node packages the build runs (package.json, installed by `npm ci` in scripts/setup)."""

from __future__ import annotations

from pathlib import Path


def package_file(root: Path, relative: str) -> Path | None:
    """A file of an installed package (`pagefind/lib/index.js`), from the project's node_modules or its
    parents', else from the engine's own checkout's (a content repository built with the engine
    installed elsewhere); None when it is not installed."""
    for folder in (root, *root.parents, *Path(__file__).resolve().parents):
        candidate = folder / "node_modules" / relative
        if candidate.is_file():
            return candidate
    return None
