"""Shared helpers: fixture sites in temp folders, the engine in-process, MkDocs as a user runs it."""

from __future__ import annotations

import dataclasses

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from filelock import FileLock
from forkrun import COMMANDS

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
BASE = FIXTURES / "base-content"
CASES = FIXTURES / "cases"
NOW = "2026-11-22T12:00:00+08:00"
# A picture variant the responsive pipeline publishes in place of the original (hash of content and settings).
VARIANT = r"media/pictures/[0-9a-f]{20}-\d+\.(?:jpg|png|webp|gif)"
MKDOCS = [sys.executable, "-m", "mkdocs"]


def check(content: Path, now: str = NOW, drafts: bool = False, **extra):
    """Run the engine's check on a content folder in-process; returns (report lines, build).
    `drafts`: as `unionpress check --drafts`."""
    from unionpress import config, engine
    from unionpress.findings import Findings

    findings = Findings()
    extensions = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["markdown_extensions"]
    site = {"site_name": "测试", "extra": {"unionpress": extra}, "markdown_extensions": extensions}
    settings = config.from_mapping(content.parent, site, findings,
                                   environ={"UNIONPRESS_CONTENT": str(content), "UNIONPRESS_NOW": now})
    if drafts:
        settings = dataclasses.replace(settings, check_drafts=True)
    build = engine.prepare(settings, findings)
    build.render()
    return [f.format() for f in findings.sorted()], build


def mkdocs_build(site_dir: Path, content: Path | None = None, now: str = NOW, preview: bool = False,
                 config: Path = ROOT / "mkdocs.yml", strict: bool = True, fresh: bool = False) -> subprocess.CompletedProcess:
    """`mkdocs build` as a user runs it. `fresh`: in a process of its own, not forked from the command
    server, for what an interpreter's start decides (the hash seed: builds compared for determinism)."""
    env = dict(os.environ, UNIONPRESS_NOW=now, NO_MKDOCS_2_WARNING="1")
    env.pop("SOURCE_DATE_EPOCH", None)
    env.pop("UNIONPRESS_PREVIEW", None)
    if content:
        env["UNIONPRESS_CONTENT"] = str(content)
    if preview:
        env["UNIONPRESS_PREVIEW"] = "1"
    args = [*MKDOCS, "build", "-q", "-f", str(config), "-d", str(site_dir)] + (["--strict"] if strict else [])
    if fresh:
        return subprocess.run(args, env=env, capture_output=True, text=True, cwd=ROOT)
    return COMMANDS.run((args, env, ROOT))[0]  # as `python -m mkdocs` in a new process, its imports done once


def golden_project(tmp_path: Path, content: Path, extra: str = "") -> Path:
    """The golden project's settings (site_url set, so feeds and the sitemap are written) on `content`,
    with `extra` appended under extra.unionpress; its docs/ copied beside. Returns the mkdocs.yml."""
    config = tmp_path / "mkdocs.yml"
    text = (FIXTURES / "golden-project/mkdocs.yml").read_text(encoding="utf-8")
    text = text.replace("../../../hooks/build.py", str(ROOT / "hooks/build.py")).replace(
        "content_dir: ../base-content", f"content_dir: {content}") + extra
    config.write_text(text, encoding="utf-8")
    shutil.copytree(FIXTURES / "golden-project/docs", tmp_path / "docs")
    return config


@pytest.fixture
def site_copy(tmp_path):
    """A fresh copy of the base fixture content, as `<tmp>/content`."""
    target = tmp_path / "content"
    shutil.copytree(BASE, target)
    return target


def built_once(tmp_path_factory, name: str, make) -> Path:
    """`make(folder)` run once for the whole test run, its folder returned to every test that asks.
    Under pytest-xdist (`bash scripts/test` runs two workers) the first worker to ask makes it in the
    run's shared temp folder while the other waits on a file lock, then both read the same files:
    a site is never built twice for one run. Read only: a test that changes files copies them first."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):  # no xdist: this process alone
        folder = tmp_path_factory.mktemp(name)
        make(folder)
        return folder
    shared = tmp_path_factory.getbasetemp().parent / name  # the run's folder, above every worker's own
    done = shared.with_name(f"{name}.done")
    with FileLock(shared.with_name(f"{name}.lock")):
        if not done.exists():
            if shared.exists():  # a failed try of the other worker: start again from nothing
                shutil.rmtree(shared)
            shared.mkdir()
            make(shared)
            done.touch()
    return shared


def _sample(folder: Path) -> None:
    result = mkdocs_build(folder / "site")
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory):
    """The shipped sample union, built once for the whole run (production, fixed clock)."""
    return built_once(tmp_path_factory, "sample", _sample) / "site"


def _wechat(folder: Path) -> None:
    from wechat_site import build_content, project  # it imports this module: not at the top

    content = build_content(folder)
    result = mkdocs_build(folder / "site", content, config=project(folder, content))
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="session")
def wechat_built(tmp_path_factory) -> tuple[Path, Path, Path]:
    """The WeChat fixture site (tests/wechat_site.py) built once for the run: (site, content, mkdocs.yml).
    The WeChat and newsroom tests read the same build."""
    root = built_once(tmp_path_factory, "wechat", _wechat)
    return root / "site", root / "content", root / "mkdocs.yml"


REVIEWED = "review:\n  first: {by: 甲, date: 2026-04-30}\n  second: {by: 乙, date: 2026-04-30}\n  final: {by: 丙, date: 2026-04-30}\n"


def write_item(content: Path, path: str, body: str = "正文。", review: bool = True, **fields) -> Path:
    """Write one content file; `fields` become front matter lines (values written as given)."""
    lines = "".join(f"{key}: {value}\n" for key, value in fields.items())
    target = content / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(f"---\n{lines}{REVIEWED if review else ''}---\n\n{body}\n", encoding="utf-8")
    return target


def write_story(content: Path, slug: str, body: str = "正文。", review: bool = True, folder: str = "stories",
                **fields) -> Path:
    fields = {"title": slug, "date": "2026-05-01 09:00", "column": "laodongzhe-zhi-ge", "status": "published", **fields}
    return write_item(content, f"{folder}/{slug}.md", body, review, **fields)


# Seconds one test file takes on a two-core machine (bash scripts/test, 2026-12-06). Under two workers
# the files go out heaviest first: pytest-xdist alone sends the files with most tests first, so a file of
# a few slow tests (Lighthouse: three tests, a minute) came last while the other worker sat idle. A file
# not named counts half a second a test; a figure gone stale costs balance only, never a result.
FILE_SECONDS = {"test_reader": 222, "test_check_equals_build": 89, "test_epub": 80, "test_upload": 78,
                "test_incremental": 77, "test_fuzz": 74, "test_gallery": 73, "test_lighthouse": 71,
                "test_buildmemo": 70, "test_preview_audit": 52, "test_checker": 48, "test_search": 47,
                "test_styles": 43, "test_settings": 42, "test_build_cache": 41, "test_hostile_audit": 39,
                "test_portal_browser": 37, "test_editorial": 34, "test_reader_minors": 33, "test_build": 24,
                "test_search_parts": 22, "test_offline": 22, "test_exhibitions": 19, "test_wechat": 16,
                "test_federation": 15, "test_memory": 13, "test_pictures": 13}


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist, order the files heaviest first (each file's own tests keep their order);
    scripts/test turns xdist's own reordering by test count off. Every worker sorts alike, as xdist
    requires. Without xdist the order stays pytest's."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    counts: dict[Path, int] = {}
    for item in items:
        counts[item.path] = counts.get(item.path, 0) + 1
    order = {path: index for index, path in enumerate(counts)}
    items.sort(key=lambda item: (-FILE_SECONDS.get(item.path.stem, counts[item.path] / 2), order[item.path]))
