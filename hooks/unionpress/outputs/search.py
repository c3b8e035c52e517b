"""The search index: Pagefind's chunked index of the public records, and the query tables beside it.

    pagefind/            Pagefind's bundle (its JS, WebAssembly, index chunks and fragments)
    search/t2s.json      traditional → simplified characters and phrases (OpenCC data)
    search/synonyms.json the union's synonym groups (content/synonyms.yml)

Pagefind runs as a Node program (pinned in package.json, installed by scripts/setup with `npm ci`):
its 1.6 release segments Chinese with ICU4X at index time, which agrees with the browser's
Intl.Segmenter far better than the 1.5 release on the Python package index.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import threading
import weakref
from pathlib import Path

from .. import search

SCRIPT = Path(__file__).with_name("pagefind_index.mjs")
BUNDLE = "pagefind"


class SearchIndexError(Exception):
    """The index could not be built (no Node, Pagefind not installed, Pagefind failed)."""


def _pagefind_module(root: Path) -> Path:
    """Pagefind from the project's node_modules, or from the engine's own checkout's (a content
    repository built with the engine installed elsewhere)."""
    for folder in (root, *root.parents, *Path(__file__).resolve().parents):
        candidate = folder / "node_modules/pagefind/lib/index.js"
        if candidate.is_file():
            return candidate
    raise SearchIndexError("未找到 Pagefind（搜索索引工具）：请运行 bash scripts/setup（会执行 npm ci）")


def _json(value) -> bytes:
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n").encode("utf-8")


class Indexing:
    """One Pagefind run, started as soon as the public records are known and finished once the pages
    are written. In a MkDocs build it starts at the end of on_config, so Pagefind indexes on one core
    while MkDocs writes the pages on the other; the index is built in a folder of its own (MkDocs
    cleans the site folder when it starts writing) and moved into the site at the end."""

    def __init__(self, public, settings, body_of) -> None:
        node = shutil.which("node")
        if node is None:
            raise SearchIndexError("未找到 Node.js：搜索索引需要它，请安装 nodejs 后运行 bash scripts/setup")
        module = _pagefind_module(settings.root)
        records = [record.pagefind() for record in search.records(public, body_of)]
        self.tables = {"t2s.json": _json(search.traditional_to_simplified()),
                       "synonyms.json": _json(search.synonym_groups(public))}
        self.folder = Path(tempfile.mkdtemp(prefix="unionpress-search-"))
        self._cleanup = weakref.finalize(self, shutil.rmtree, self.folder, True)  # an abandoned build
        command = [node, str(SCRIPT), str(module), str(self.folder / BUNDLE)]
        self.result: subprocess.CompletedProcess | BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(command, _json({"records": records})), daemon=True)
        self.thread.start()

    def _run(self, command: list[str], data: bytes) -> None:
        try:
            self.result = subprocess.run(command, input=data, capture_output=True, timeout=1800)
        except (OSError, subprocess.SubprocessError) as exc:
            self.result = exc

    def finish(self, site_dir: Path) -> list[str]:
        self.thread.join()
        done = self.result
        if not isinstance(done, subprocess.CompletedProcess) or done.returncode != 0:
            detail = (done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
                      if isinstance(done, subprocess.CompletedProcess) else [str(done)])
            self._cleanup()
            raise SearchIndexError("Pagefind 生成搜索索引失败：" + " / ".join(detail))
        built = self.folder / BUNDLE
        for unused in built.glob("pagefind-*ui*"):  # Pagefind's own UI: we ship our own search page
            unused.unlink()
        (built / "pagefind-highlight.js").unlink(missing_ok=True)
        out = site_dir / BUNDLE
        if out.exists():
            shutil.rmtree(out)  # no chunk of an earlier build (it may hold a story since withdrawn)
        shutil.move(str(built), str(out))
        self._cleanup()
        tables = site_dir / "search"
        tables.mkdir(parents=True, exist_ok=True)
        for name, data in self.tables.items():
            (tables / name).write_bytes(data)
        written = sorted(path.relative_to(site_dir).as_posix() for path in out.rglob("*") if path.is_file())
        return written + [f"search/{name}" for name in self.tables]


def start(public, pages, settings, body_of) -> Indexing:
    return Indexing(public, settings, body_of)


def write(public, pages, site_dir: Path, settings, body_of) -> list[str]:
    return Indexing(public, settings, body_of).finish(site_dir)
