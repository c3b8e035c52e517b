"""The pages' own scripts (pages/static/), published minified under their own names.

A phone on weak signal downloads them on its first visit (the search page's three scripts were 31 KB
as written, 20 KB minified); the sources stay commented. rJSmin (Apache-2.0, by the author of
rcssmin, which minifies the stylesheets) only removes comments and spaces, so a minified script does
what its source does; the browser tests run the minified copies. Names stay as they are (offline.py's
worker precaches some by name), so they keep the short cache rule.
"""

from __future__ import annotations

from pathlib import Path

import rjsmin

from . import styles
from .base import STATIC

_MADE: dict[tuple, dict[str, Path]] = {}


def scripts(cache_dir: Path) -> dict[str, Path]:
    """Script name → its minified copy beside the picture cache, made once per process while the
    sources stay as they are (`unionpress serve` rebuilds in one process)."""
    sources = sorted(STATIC.glob("*.js"))
    signature = (str(cache_dir), *((path.name, path.stat().st_mtime_ns, path.stat().st_size) for path in sources))
    made = _MADE.get(signature)
    if made is None:
        folder = cache_dir.parent / "scripts"
        made = {path.name: styles.write_once(folder, path.name, rjsmin.jsmin(path.read_text(encoding="utf-8")).encode("utf-8"))
                for path in sources}
        _MADE.clear()
        _MADE[signature] = made
    return made
