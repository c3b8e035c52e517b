"""Lighthouse (npm package, Debian's Chromium, mobile preset) through scripts/lighthouse, as a user runs it.

Performance is left out here: its score is timed, and a busy test machine would make it flaky. The
closing notes give the performance scores of a quiet run of the same command.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

from conftest import ROOT

COMMAND = [sys.executable, str(ROOT / "scripts/lighthouse"), "--only", "accessibility,best-practices,seo"]


def _run(site, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run([*COMMAND, *options, str(site)], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_home_story_gallery_and_search_score_full_marks(sample_site):
    run = _run(sample_site)
    assert run.returncode == 0, run.stdout + run.stderr
    rows = {line.split()[0]: line.split()[1:4] for line in run.stdout.splitlines()
            if line.startswith(("home ", "story ", "models ", "search "))}
    assert rows == {kind: ["100", "100", "100"] for kind in ("home", "story", "models", "search")}


def test_a_page_without_description_or_language_misses_the_target(sample_site, tmp_path):
    """The same command fails when the home page loses what SEO and accessibility need (only the home
    page scored: the other three are the first test's)."""
    site = tmp_path / "site"
    shutil.copytree(sample_site, site)
    home = site / "index.html"
    text = home.read_text(encoding="utf-8")
    text = re.sub(r'<meta name="description"[^>]*>', "", text).replace('<html lang="zh-CN">', "<html>")
    home.write_text(text, encoding="utf-8")
    run = _run(site, "--pages", "home")
    assert run.returncode == 1
    assert [line.split()[0] for line in run.stdout.splitlines()[1:-1] if not line.startswith(" ")] == ["home"]
    home_row = next(line for line in run.stdout.splitlines() if line.startswith("home "))
    assert "未达标：accessibility、seo" in home_row
    assert "seo: meta-description 0.00" in run.stdout and "accessibility: html-has-lang 0.00" in run.stdout


def test_an_unknown_page_type_is_named(sample_site):
    run = _run(sample_site, "--pages", "home,no-such-type")
    assert run.returncode == 1 and "未知的页面类型：no-such-type" in run.stderr and not run.stdout
