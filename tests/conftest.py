"""Shared helpers: fixture sites in temp folders, the engine in-process, MkDocs as a user runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
BASE = FIXTURES / "base-content"
CASES = FIXTURES / "cases"
NOW = "2026-11-22T12:00:00+08:00"
MKDOCS = [sys.executable, "-m", "mkdocs"]


def check(content: Path, now: str = NOW, **extra):
    """Run the engine's check on a content folder in-process; returns (report lines, build)."""
    from unionpress import config, engine
    from unionpress.findings import Findings

    findings = Findings()
    settings = config.from_mapping(content.parent, {"site_name": "测试", "extra": {"unionpress": extra}}, findings,
                                   environ={"UNIONPRESS_CONTENT": str(content), "UNIONPRESS_NOW": now})
    build = engine.prepare(settings, findings)
    build.render()
    return [f.format() for f in findings.sorted()], build


def mkdocs_build(site_dir: Path, content: Path | None = None, now: str = NOW, preview: bool = False,
                 config: Path = ROOT / "mkdocs.yml", strict: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, UNIONPRESS_NOW=now, NO_MKDOCS_2_WARNING="1")
    env.pop("SOURCE_DATE_EPOCH", None)
    env.pop("UNIONPRESS_PREVIEW", None)
    if content:
        env["UNIONPRESS_CONTENT"] = str(content)
    if preview:
        env["UNIONPRESS_PREVIEW"] = "1"
    args = [*MKDOCS, "build", "-q", "-f", str(config), "-d", str(site_dir)] + (["--strict"] if strict else [])
    return subprocess.run(args, env=env, capture_output=True, text=True, cwd=ROOT)


@pytest.fixture
def site_copy(tmp_path):
    """A fresh copy of the base fixture content, as `<tmp>/content`."""
    target = tmp_path / "content"
    shutil.copytree(BASE, target)
    return target


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory):
    """The shipped sample union, built once for the whole session (production, fixed clock)."""
    out = tmp_path_factory.mktemp("sample") / "site"
    result = mkdocs_build(out)
    assert result.returncode == 0, result.stderr
    return out
