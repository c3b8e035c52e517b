"""`unionpress check` and `mkdocs build` are one set of rules: with --strict, the same finding lines
(every one, mkdocs.yml's included, paths normalised) and the same exit status, over every fixture
case, the hostile fixtures that overlay the content folder, and a few project-level cases here.

The one finding only a build can make is the audit's `leak`: it reads the site the build wrote.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from conftest import BASE, FIXTURES, NOW, ROOT
from forkrun import COMMANDS
from test_checker import EXPECTED, _place

LOCATED = re.compile(r"^\S.*?:[1-9][0-9]*(?::[1-9][0-9]*)?: \[[a-z0-9-]+\] ")
HOSTILE = FIXTURES / "hostile"
# What a content folder holds: a hostile fixture folder made only of these is an overlay of it.
CONTENT_NAMES = {"columns.yml", "topics.yml", "honors.yml", "synonyms.yml", "stories", "models", "exhibitions",
                 "contests", "library", "images", "content"}


EXTENSIONS = (ROOT / "mkdocs.yml").read_text(encoding="utf-8").split("\nmarkdown_extensions:\n", 1)[1].split("\n\n", 1)[0]
EXTENSIONS = "markdown_extensions:\n" + EXTENSIONS + "\n"


def _project(tmp_path: Path, settings: str = "") -> Path:
    """A small project: the golden fixture's mkdocs.yml (real hooks, theme and extensions) with
    `settings` added under extra.unionpress, its hand-written page, and a copy of the base content."""
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "golden-project/docs", project / "docs")
    text = (FIXTURES / "golden-project/mkdocs.yml").read_text(encoding="utf-8")
    text = text.replace("../../../hooks/build.py", str(ROOT / "hooks/build.py"))
    text = text.replace("content_dir: ../base-content", "content_dir: content")
    # The project's Markdown extensions, as tests/test_checker.py renders the cases with them.
    text = text.replace("markdown_extensions:\n  - attr_list\n  - tables\n", EXTENSIONS)
    (project / "mkdocs.yml").write_text(text + settings, encoding="utf-8")
    shutil.copytree(BASE, project / "content")
    return project


# One cache for every project here, as a machine keeps for its builds: scripts are minified and
# pictures encoded once, not in each of some hundred projects (its keys are the bytes, so a case's own
# files are still made from them; test_build_cache is where caching itself is tested).
CACHE = Path(tempfile.mkdtemp(prefix="unionpress-check-equals-build-"))
atexit.register(shutil.rmtree, CACHE, ignore_errors=True)


def _env() -> dict[str, str]:
    env = dict(os.environ, UNIONPRESS_NOW=NOW, NO_MKDOCS_2_WARNING="1", UNIONPRESS_CACHE=str(CACHE / "pictures"))
    for name in ("UNIONPRESS_PREVIEW", "UNIONPRESS_CONTENT", "UNIONPRESS_ROOT", "UNIONPRESS_CONFIG", "SOURCE_DATE_EPOCH"):
        env.pop(name, None)
    return env


def _commands(project: Path, strict: bool) -> tuple[list[str], list[str]]:
    flag = ["--strict"] if strict else []
    return ([sys.executable, "-m", "unionpress", "check", *flag],
            [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(project / "site"), *flag])


def _run(command: list[str], project: Path) -> subprocess.CompletedProcess:
    return COMMANDS.run((command, _env(), project))[0]


def _check(project: Path, strict: bool = True) -> subprocess.CompletedProcess:
    return _run(_commands(project, strict)[0], project)


def _build(project: Path, strict: bool = True) -> subprocess.CompletedProcess:
    return _run(_commands(project, strict)[1], project)


def _check_and_build(project: Path, strict: bool = True) -> tuple[subprocess.CompletedProcess, ...]:
    """Both at once, in two processes: independent runs over the same content (the picture cache is
    written atomically), and this file runs some hundred pairs, so two cores halve its time; each
    forked from a process that has imported the command line once (tests/forkrun.py)."""
    return tuple(COMMANDS.run(*((command, _env(), project) for command in _commands(project, strict))))


def _findings(output: str, project: Path) -> set[str]:
    """The finding lines of a report, paths relative to the project."""
    prefixes = (f"{project}/", f"{project.resolve()}/")
    lines = set()
    for line in output.splitlines():
        for prefix in prefixes:
            line = line.replace(prefix, "")
        if LOCATED.match(line):
            lines.add(line)
    return lines


def _agree(project: Path) -> set[str]:
    checked, built = _check_and_build(project)
    assert "Traceback" not in checked.stdout + checked.stderr + built.stdout + built.stderr, (checked, built)
    found = _findings(checked.stdout, project)
    made = _findings(built.stderr, project)
    assert found == {line for line in made if "] 发布检查（audit）" not in line}, (sorted(found), sorted(made))
    assert checked.returncode == built.returncode or (built.returncode and made - found), (checked, built.stderr)
    assert checked.returncode == (1 if found else 0), checked.stdout
    return found


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_check_and_strict_build_agree_on_every_case(tmp_path, case):
    project = _project(tmp_path)
    _place(project / "content", case)
    assert _agree(project) == set(EXPECTED[case][1])


def _overlays() -> list[str]:
    if not HOSTILE.is_dir():
        return []
    return sorted(p.name for p in HOSTILE.iterdir()
                  if p.is_dir() and {child.name for child in p.iterdir() if child.name != "README.md"} <= CONTENT_NAMES)


@pytest.mark.parametrize("case", _overlays())
def test_check_and_strict_build_agree_on_hostile_overlays(tmp_path, case):
    project = _project(tmp_path)
    source = HOSTILE / case / "content" if (HOSTILE / case / "content").is_dir() else HOSTILE / case
    shutil.copytree(source, project / "content", dirs_exist_ok=True, ignore=shutil.ignore_patterns("README.md"))
    _agree(project)


# Project-level cases: settings in mkdocs.yml and hand-written pages, which the fixture cases cannot reach.
SETTINGS = {
    "bad-and-unknown-settings": ("    feed_length: 0\n    colum: 1\n", [
        "mkdocs.yml:26: [config] 配置 extra.unionpress.feed_length 有误：应为 1 到 1000 之间的整数",
        "mkdocs.yml:27: [config-unknown] 警告：配置 extra.unionpress 中有未知字段「colum」，将被忽略"]),
    "partner-names-a-missing-column": ("    partners:\n      - {name: xinhua, columns: [no-such-column]}\n", [
        "mkdocs.yml:26: [config] 配置 extra.unionpress.partners[1].columns 有误：「no-such-column」不存在"]),
}


@pytest.mark.parametrize("case", sorted(SETTINGS))
def test_check_and_strict_build_agree_on_settings(tmp_path, case):
    settings, expected = SETTINGS[case]
    assert _agree(_project(tmp_path, settings)) == set(expected)


def test_unionpress_settings_that_are_not_a_mapping(tmp_path):
    project = _project(tmp_path)
    text = (project / "mkdocs.yml").read_text(encoding="utf-8")
    block = text[text.index("  unionpress:"):]
    (project / "mkdocs.yml").write_text(text.replace(block, "  unionpress: [content_dir, content]\n"), encoding="utf-8")
    found = _agree(project)
    assert found == {"mkdocs.yml:22: [config] 配置 extra.unionpress 有误：应为映射（字段: 值），实际写的是：列表"}


def test_a_hand_written_page_at_a_generated_address(tmp_path):
    project = _project(tmp_path)
    (project / "docs/tags.md").write_text("# 我写的标签页\n", encoding="utf-8")
    found = _agree(project)
    assert len(found) == 1 and found.pop().startswith("docs/tags.md:1: [duplicate-output] 输出路径 /tags/ 冲突：")


def test_several_files_at_once(tmp_path):
    project = _project(tmp_path, "    colum: 1\n")
    cases = ("bad-date.md", "typo-key.md", "unknown-column.md", "gbk-encoding.md", "model-consent-missing.md")
    for case in cases:
        _place(project / "content", case)
    found = _agree(project)
    assert found == {line for case in cases for line in EXPECTED[case][1]} | {
        "mkdocs.yml:26: [config-unknown] 警告：配置 extra.unionpress 中有未知字段「colum」，将被忽略"}


def test_warnings_pass_both_without_strict_and_fail_both_with_it(tmp_path):
    project = _project(tmp_path)
    _place(project / "content", "typo-key.md")
    assert _check(project, strict=False).returncode == 0
    assert _build(project, strict=False).returncode == 0
    assert _check(project).returncode == 1
    assert _build(project).returncode == 1
