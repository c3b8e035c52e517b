"""`unionpress check` and `mkdocs build` are one set of rules: the same findings, the same exit status,
with and without --strict, over every fixture case."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from conftest import BASE, NOW, ROOT, mkdocs_build
from test_checker import EXPECTED, _place


def _check(content, strict: bool) -> subprocess.CompletedProcess:
    env = dict(os.environ, UNIONPRESS_CONTENT=str(content), UNIONPRESS_NOW=NOW)
    env.pop("UNIONPRESS_PREVIEW", None)
    args = [sys.executable, "-m", "unionpress", "check"] + (["--strict"] if strict else [])
    return subprocess.run(args, env=env, capture_output=True, text=True, cwd=ROOT)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_check_and_strict_build_agree(tmp_path, case):
    content = tmp_path / "content"
    shutil.copytree(BASE, content)
    _place(content, case)
    checked = _check(content, strict=True)
    built = mkdocs_build(tmp_path / "site", content=content, strict=True)
    assert checked.returncode == built.returncode, (checked.stdout, built.stderr)
    findings = checked.stdout.strip().splitlines()[:-1]
    assert len(findings) == len(EXPECTED[case][1])
    for line in findings:  # the same line, word for word (paths are absolute for content outside the project)
        assert line.split("content/", 1)[1] in built.stderr, line
    assert "Traceback" not in checked.stdout + checked.stderr + built.stderr


def test_warnings_pass_both_without_strict_and_fail_both_with_it(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(BASE, content)
    _place(content, "typo-key.md")
    assert _check(content, strict=False).returncode == 0
    assert mkdocs_build(tmp_path / "a", content=content, strict=False).returncode == 0
    assert _check(content, strict=True).returncode == 1
    assert mkdocs_build(tmp_path / "b", content=content, strict=True).returncode == 1
