"""The search index: Pagefind's chunked index of the public records, and the query tables beside it.

    pagefind/            Pagefind's bundle (its JS, WebAssembly, index chunks and fragments): the
                         index a first query loads (search.first_part: profiles and the newest records)
    pagefind/archive/    on a large site, the index of the other records, merged by the page on request
    search/query.json    what the page needs before a query: the union's synonym groups
                         (content/synonyms.yml), the filters' values, the number of t2s and pinyin parts
    search/t2s/N.json    traditional → simplified characters and phrases (OpenCC data), in parts
    search/pinyin/N.json the site's words by their pinyin and initials (search.pinyin_table), in parts

Pagefind runs as a Node program (pinned in package.json, installed by scripts/setup with `npm ci`):
its 1.6 release segments Chinese with ICU4X at index time, which agrees with the browser's
Intl.Segmenter far better than the 1.5 release on the Python package index.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .. import search

SCRIPT = Path(__file__).with_name("pagefind_index.mjs")
BUNDLE = "pagefind"
ARCHIVE = "archive"  # the second index, inside the first one's folder (the same cache rules)


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


@dataclass
class Indexing:
    """Pagefind at work in a process of its own, on the records of one public view."""

    public: object  # the view it indexes (a later build's write must not take an earlier one's index)
    found: list
    parts: search.Parts
    process: subprocess.Popen
    stdout: IO[bytes]
    stderr: IO[bytes]


_running: dict[Path, Indexing] = {}  # site folder → the indexing started for it and not yet finished


def start(public, pages, site_dir: Path, settings, body_of) -> None:
    """Begin indexing now, while MkDocs copies the pages and the other outputs are written: Pagefind
    is a process of its own (Node, and Rust inside it), so it uses the second core instead of waiting
    for the first (3 s of a 10 s build at 1,000 stories). `write` waits for it and finishes."""
    cancel(site_dir)
    node = shutil.which("node")
    if node is None:
        raise SearchIndexError("未找到 Node.js：搜索索引需要它，请安装 nodejs 后运行 bash scripts/setup")
    module = _pagefind_module(settings.root)
    found = search.records(public, body_of)
    parts = search.first_part(found, settings.search_first)
    out = site_dir / BUNDLE
    if out.exists():
        shutil.rmtree(out)  # no chunk of an earlier build (it may hold a story since withdrawn)
    # Files, not pipes: nothing has to read or write them while Python does other work.
    records = tempfile.TemporaryFile()
    records.write(_json({"records": [record.pagefind() for record in parts.first],
                         "archive": [record.pagefind() for record in parts.rest]}))
    records.seek(0)
    stdout, stderr = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    with records:
        process = subprocess.Popen([node, str(SCRIPT), str(module), str(out)], stdin=records, stdout=stdout,
                                   stderr=stderr)
    _running[site_dir.resolve()] = Indexing(public, found, parts, process, stdout, stderr)


def cancel(site_dir: Path) -> None:
    """Stop an indexing that no write will finish (the build failed before the outputs)."""
    running = _running.pop(site_dir.resolve(), None)
    if running is not None:
        running.process.kill()
        running.process.wait()
        running.stdout.close()
        running.stderr.close()


def write(public, pages, site_dir: Path, settings, body_of) -> list[str]:
    running = _running.get(site_dir.resolve())
    if running is None or running.public is not public:
        start(public, pages, site_dir, settings, body_of)  # not started early (tests, scripts): now
        running = _running[site_dir.resolve()]
    del _running[site_dir.resolve()]
    found, parts, out = running.found, running.parts, site_dir / BUNDLE
    with running.stdout, running.stderr:
        try:
            code = running.process.wait(timeout=1800)
        except subprocess.TimeoutExpired:
            running.process.kill()
            raise SearchIndexError("Pagefind 生成搜索索引超过 30 分钟，已停止") from None
        running.stdout.seek(0)
        running.stderr.seek(0)
        stdout, stderr = running.stdout.read(), running.stderr.read()
    if code != 0:
        detail = stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise SearchIndexError("Pagefind 生成搜索索引失败：" + " / ".join(detail))
    for unused in out.glob("pagefind-*ui*"):  # Pagefind's own UI: we ship our own search page
        unused.unlink()
    (out / "pagefind-highlight.js").unlink(missing_ok=True)
    # The archive is merged into the first index's instance, which brings the scripts and the
    # WebAssembly: its own copies would never be asked for.
    for unused in (out / ARCHIVE).glob("*"):
        if unused.is_file() and not unused.name.endswith((".json", ".pf_meta")):
            unused.unlink()
    # The script's last line is the site's segmented vocabulary (anything Pagefind logs comes before).
    lines = stdout.decode("utf-8").strip().splitlines()
    segmented = json.loads(lines[-1]) if lines else {}
    table = search.pinyin_table(search.vocabulary(found, segmented))
    pinyin = search.pinyin_parts(search.with_written(table, segmented.get("latin", {})))
    setup = {"synonyms": search.synonym_groups(public), "facets": search.facets(found),
             "t2s_parts": search.T2S_PARTS, "pinyin_parts": len(pinyin)}
    if parts.rest:  # what the page says it has not searched yet, and offers to
        pinned = list(dict.fromkeys(record.kind for record in parts.first if record.pinned))
        setup["archive"] = {"records": len(parts.rest), "since": parts.since, "pinned": pinned}
    tables = {"query.json": _json(setup)}
    tables |= {f"t2s/{n}.json": _json(part) for n, part in enumerate(search.traditional_parts())}
    tables |= {f"pinyin/{n}.json": _json(part) for n, part in enumerate(pinyin)}
    folder = site_dir / "search"
    for sub in ("t2s", "pinyin"):  # no part of an earlier build (a word only a withdrawn story used)
        if (folder / sub).exists():
            shutil.rmtree(folder / sub)
        (folder / sub).mkdir(parents=True)
    for name, data in tables.items():
        (folder / name).write_bytes(data)
    written = sorted(path.relative_to(site_dir).as_posix() for path in out.rglob("*") if path.is_file())
    return written + [f"search/{name}" for name in tables]
