"""The pages' own scripts (pages/static/), published minified under their own names.

A phone on weak signal downloads them on its first visit: the search page's three scripts are 34 KB as
written and 16 KB minified, every page's two 12 KB and 6 KB. Terser (BSD-2-Clause, pinned in
package.json, run by Node, which the build needs for Pagefind anyway) minifies them; rJSmin, which
only drops spaces and comments, left 22 KB. The sources stay commented. The minified copies are kept
beside the picture cache under the hash of the sources and Terser's version, so Node runs only when a
script changed. Names stay as they are (offline.py's worker precaches some by name), so they keep
the short cache rule. The browser tests run the minified copies.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import subprocess
from pathlib import Path

from .. import nodetools
from . import styles
from .base import STATIC

SCRIPT = Path(__file__).with_name("minify_scripts.mjs")
_MADE: dict[tuple, dict[str, Path]] = {}
# What Terser made, by the digest its copies are kept under, for the life of the process: a cache folder
# of its own (a new project, a test's) gets the same bytes written without starting Node again (0.9 s).
_TERSED: dict[str, dict[str, str]] = {}
log = logging.getLogger("mkdocs.hooks.unionpress")


class ScriptError(Exception):
    """The scripts could not be minified (no Node, Terser not installed, Terser failed)."""


def _terser(root: Path) -> Path:
    found = nodetools.package_file(root, "terser/main.js")
    if found is None:
        raise ScriptError("未找到 Terser（压缩网页脚本的工具）：请运行 bash scripts/setup（会执行 npm ci）")
    return found


def scripts(cache_dir: Path, root: Path) -> dict[str, Path]:
    """Script name → its minified copy, made once per process while the sources stay as they are
    (`unionpress serve` rebuilds in one process) and kept on disk between builds."""
    sources = sorted(STATIC.glob("*.js"))
    signature = (str(cache_dir), *((path.name, path.stat().st_mtime_ns, path.stat().st_size) for path in sources))
    made = _MADE.get(signature)
    if made is None:
        try:
            made = _minified({path.name: path.read_text(encoding="utf-8") for path in sources},
                             cache_dir.parent / "scripts", root)
        except (ScriptError, OSError, subprocess.TimeoutExpired, ValueError) as exc:
            # The pages work with the scripts as written, only heavier: said, not hidden (a warning
            # fails `mkdocs build --strict`), and the build goes on.
            log.warning(f"网页脚本未压缩，照原样发布：{exc}")
            made = {path.name: path for path in sources}
        _MADE.clear()
        _MADE[signature] = made
    return made


def _minified(sources: dict[str, str], cache: Path, root: Path) -> dict[str, Path]:
    terser = _terser(root)
    version = json.loads((terser.parent / "package.json").read_text(encoding="utf-8")).get("version", "")
    digest = hashlib.sha256(json.dumps([version, SCRIPT.read_text(encoding="utf-8"), sources], sort_keys=True,
                                       ensure_ascii=False).encode("utf-8")).hexdigest()[:20]
    folder = cache / digest
    if all((folder / name).is_file() for name in sources):
        return {name: folder / name for name in sources}
    minified = _TERSED.get(digest)
    if minified is None:
        minified = _terse(sources, terser)
        _TERSED.clear()  # one set of sources at a time, as _MADE: a serve that edits the scripts keeps no old ones
        _TERSED[digest] = minified
    return {name: styles.write_once(folder, name, minified[name].encode("utf-8")) for name in sources}


def _terse(sources: dict[str, str], terser: Path) -> dict[str, str]:
    node = shutil.which("node")
    if node is None:
        raise ScriptError("未找到 Node.js：压缩网页脚本需要它，请安装 nodejs 后运行 bash scripts/setup")
    done = subprocess.run([node, str(SCRIPT), str(terser)], input=json.dumps(sources).encode("utf-8"),
                          capture_output=True, timeout=300)
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise ScriptError("Terser 压缩网页脚本失败：" + " / ".join(detail))
    return json.loads(done.stdout)
