"""Shared helpers: fixture sites in temp folders, the engine in-process, MkDocs as a user runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
BASE = FIXTURES / "base-content"
CASES = FIXTURES / "cases"
NOW = "2026-11-22T12:00:00+08:00"
# A picture variant the responsive pipeline publishes in place of the original (hash of content and settings).
VARIANT = r"media/pictures/[0-9a-f]{20}-\d+\.(?:jpg|png|webp|gif)"
MKDOCS = [sys.executable, "-m", "mkdocs"]


def check(content: Path, now: str = NOW, **extra):
    """Run the engine's check on a content folder in-process; returns (report lines, build)."""
    from unionpress import config, engine
    from unionpress.findings import Findings

    findings = Findings()
    extensions = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["markdown_extensions"]
    site = {"site_name": "测试", "extra": {"unionpress": extra}, "markdown_extensions": extensions}
    settings = config.from_mapping(content.parent, site, findings,
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


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory):
    """The shipped sample union, built once for the whole session (production, fixed clock)."""
    out = tmp_path_factory.mktemp("sample") / "site"
    result = mkdocs_build(out)
    assert result.returncode == 0, result.stderr
    return out


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
