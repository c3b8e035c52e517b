"""The site's own stylesheets, in a few sheets by page type, minified and named by their content.

No theme stylesheet is loaded (Material's was 150 KB, render-blocking, and barely used): every page
loads `core` (base.css: the page frame and an article's typography; core.css: masthead, channel bar,
footer, 适老化 toolbar and modes, story lists), and a template names the other sheets it needs with
`{% set sheets = [...] %}`, so a story does not download the exhibitions' or the gallery's rules.
A sheet's file name holds the hash of its bytes: it may be cached for a year (manifest.py) and a
changed sheet is a new address. rcssmin (Apache-2.0) minifies; the sources stay commented.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import rcssmin

from ..responsive import _write_atomically

SOURCES = Path(__file__).parent / "styles"
OUTPUT_DIR = "assets/unionpress"
# Sheet name → its source files, in the order pages load them (core first: the others build on it).
SHEETS: dict[str, tuple[str, ...]] = {
    "core": ("base.css", "core.css"),
    "people": ("people.css",),  # portraits in a grid, a profile's head (gallery, topics, home, listings)
    "gallery": ("gallery.css",),  # the gallery's filters
    "home": ("home.css",),
    "rooms": ("rooms.css",),  # exhibitions, the reading room, contests, downloads
    "search": ("search.css",),
    "stats": ("stats.css",),  # charts and tables of /models/stats/ and /stats/, the name cards' print sheet
}


@dataclass(frozen=True)
class Sheet:
    name: str
    output: str  # site path: assets/unionpress/core.0123456789.css
    path: Path  # the minified file, in the build cache


_MADE: dict[tuple, dict[str, Sheet]] = {}


def sheets(cache_dir: Path) -> dict[str, Sheet]:
    """Every sheet, minified once per process while the sources stay as they are (`mkdocs serve`
    rebuilds in one process), written beside the picture cache, where a build's assets come from."""
    signature = (str(cache_dir), *((path.name, path.stat().st_mtime_ns, path.stat().st_size)
                                   for path in sorted(SOURCES.glob("*.css"))))
    made = _MADE.get(signature)
    if made is None:
        made = {name: _make(name, files, cache_dir.parent / "styles") for name, files in SHEETS.items()}
        _MADE.clear()
        _MADE[signature] = made
    return made


def _make(name: str, files: tuple[str, ...], folder: Path) -> Sheet:
    text = "\n".join((SOURCES / file).read_text(encoding="utf-8") for file in files)
    data = rcssmin.cssmin(text).encode("utf-8")
    filename = f"{name}.{hashlib.sha256(data).hexdigest()[:10]}.css"
    return Sheet(name, f"{OUTPUT_DIR}/{filename}", write_once(folder, filename, data))


def write_once(folder: Path, filename: str, data: bytes) -> Path:
    """`data` as folder/filename, unless the file already holds it."""
    path = folder / filename
    if not path.is_file() or path.read_bytes() != data:
        folder.mkdir(parents=True, exist_ok=True)
        # Written whole or not at all: two builds (a test run's workers) may make the same file at once.
        _write_atomically(path, data)
    return path


def chosen(names) -> list[str]:
    """The sheets a page loads: core, then the ones its template named, in SHEETS' order."""
    wanted = {"core", *names}
    unknown = wanted - SHEETS.keys()
    if unknown:  # a template's typo would silently leave its page unstyled
        raise ValueError(f"unknown stylesheet(s) {sorted(unknown)}; known: {sorted(SHEETS)}")
    return [name for name in SHEETS if name in wanted]
