"""Light pages (issue 22 item 7): the site's own stylesheets, named by their content, chosen by page type;
no theme stylesheet or script on any page, hand-written pages included; per-page-type weight budgets.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from sample_facts import sample

BUDGET = [sys.executable, str(ROOT / "scripts/budget")]
CLASS_ATTRIBUTE = re.compile(r'\bclass="([^"]*)"')
SHEET_LINK = re.compile(r'<link rel="stylesheet" href="([^"]+)">')
SELECTOR_CLASS = re.compile(r"\.(up-[A-Za-z0-9_-]+)")


def _file(site: Path, url: str) -> Path:
    return site / url / "index.html" if url == "" or url.endswith("/") else site / url


def _pages(site: Path) -> dict[str, Path]:
    """One built page of each page type of the sample (a type added later is checked too)."""
    return {kind: _file(site, url) for kind, url in sample().page_types().items()}


def _sheets_of(page: Path, site: Path) -> list[Path]:
    """The sheets a page links, as files of the site (404 and offline/ link from the site's root)."""
    html = page.read_text(encoding="utf-8")
    return [(site / href.lstrip("/") if href.startswith("/") else page.parent / href).resolve()
            for href in SHEET_LINK.findall(html)]


def test_no_page_loads_the_themes_stylesheets_or_scripts(sample_site):
    pages = sorted(sample_site.rglob("*.html"))
    theirs = [str(p.relative_to(sample_site)) for p in pages
              if re.search(r'(?:href|src)="[^"]*assets/(?:stylesheets|javascripts)/', p.read_text(encoding="utf-8"))]
    assert theirs == []
    # nor are they published for nobody: the theme's own assets are not in the site, but the favicon
    assert not (sample_site / "assets/stylesheets").exists() and not (sample_site / "assets/javascripts").exists()
    assert (sample_site / "assets/images/favicon.png").is_file()


def test_every_page_type_loads_the_core_sheet_first_and_every_sheet_is_named_by_its_bytes(sample_site):
    for kind, page in _pages(sample_site).items():
        sheets = _sheets_of(page, sample_site)
        assert sheets and sheets[0].name.startswith("core."), kind
        for sheet in sheets:
            name, digest, _css = sheet.name.rsplit(".", 2)
            assert sheet.parent == (sample_site / "assets/unionpress").resolve(), (kind, sheet)
            assert digest == hashlib.sha256(sheet.read_bytes()).hexdigest()[:10], sheet


def test_each_page_loads_the_sheet_of_every_class_it_uses(sample_site):
    """A class styled in some sheet is styled on the page only if the page loads that sheet: a template
    that forgets to name its sheet (`{% set sheets %}`) shows its page unstyled. Classes no sheet styles
    are hooks for scripts and tests."""
    styled: dict[str, set[str]] = {}
    for sheet in (sample_site / "assets/unionpress").glob("*.css"):
        for name in SELECTOR_CLASS.findall(sheet.read_text(encoding="utf-8")):
            styled.setdefault(name, set()).add(sheet.name)
    assert len(styled) > 100  # the rules are read from the published sheets, not from nothing
    missing = {}
    for kind, page in _pages(sample_site).items():
        loaded = {sheet.name for sheet in _sheets_of(page, sample_site)}
        used = {name for value in CLASS_ATTRIBUTE.findall(page.read_text(encoding="utf-8"))
                for name in value.split() if name.startswith("up-")}
        lacking = sorted(name for name in used if name in styled and not styled[name] & loaded)
        if lacking:
            missing[kind] = lacking
    assert missing == {}


def test_a_story_does_not_download_the_rules_of_other_rooms(sample_site):
    story = {sheet.name.split(".")[0] for sheet in _sheets_of(_pages(sample_site)["story"], sample_site)}
    assert story == {"core"}
    gallery = {sheet.name.split(".")[0] for sheet in _sheets_of(_pages(sample_site)["models"], sample_site)}
    assert {"core", "people", "gallery"} <= gallery


def test_a_template_naming_an_unknown_sheet_is_an_error():
    from unionpress.pages import styles

    assert styles.chosen(["rooms", "people"]) == ["core", "people", "rooms"]  # in SHEETS' order
    with pytest.raises(ValueError, match="unknown stylesheet"):
        styles.chosen(["room"])


def test_hand_written_pages_are_our_pages(sample_site):
    """docs/ pages: the engine's page around MkDocs' HTML: masthead, 当前位置, the article's typography,
    the same core sheet as a story, the simplified-Chinese language, and nothing of the theme."""
    about = (sample_site / "about/index.html").read_text(encoding="utf-8")
    story = _pages(sample_site)["story"].read_text(encoding="utf-8")
    assert about.startswith("<!doctype html>") and '<html lang="zh-CN">' in about
    assert 'class="up-masthead' in about and 'aria-label="当前位置"' in about
    assert '<article class="up-article up-text">' in about and "<h1" in about.split("<article", 1)[1]
    core = next(link for link in SHEET_LINK.findall(story) if "/core." in link)
    assert core.replace("../../", "../") in SHEET_LINK.findall(about)  # /stories/x/ is one folder deeper than /about/
    assert not re.search(r'class="[^"]*\bmd-', about) and "data-md-" not in about


def _budget(site: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*BUDGET, *args, str(site)], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_every_page_type_is_within_its_budget(sample_site):
    run = _budget(sample_site)
    assert run.returncode == 0, run.stdout + run.stderr
    rows = {line.split()[0]: line.split() for line in run.stdout.splitlines()[1:] if line.split()}
    assert set(rows) == set(sample().page_types())
    story = rows["story"]
    assert float(story[2]) <= 60  # the story: HTML, CSS and JS of the first visit ≤ 60 KiB


def test_a_page_over_its_budget_fails_the_budget(sample_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(sample_site, site)
    url = sample().page_types()["story"]
    page = _file(site, url)
    page.write_text(page.read_text(encoding="utf-8").replace("</body>", "<!--" + "x" * 30 * 1024 + "--></body>"),
                    encoding="utf-8")
    run = _budget(site, "--only", "story")
    assert run.returncode == 1, run.stdout
    assert re.search(rf"超出预算：story（/{re.escape(url)}）首次访问 \d+\.\d KiB，预算 60 KiB", run.stdout), run.stdout


def test_a_new_cache_folder_gets_terser_s_scripts_without_node(tmp_path, monkeypatch):
    """What Terser made is kept for the process (pages/scripts.py): a build into another cache folder
    (another project, a federation's next site) writes the same minified bytes with no Node to run."""
    from unionpress.pages import scripts
    from unionpress.pages.base import STATIC

    first = scripts.scripts(tmp_path / "one" / "pictures", ROOT)
    monkeypatch.setattr(scripts.shutil, "which", lambda name: None)  # Node gone: only the kept output
    second = scripts.scripts(tmp_path / "two" / "pictures", ROOT)
    assert sorted(second) == sorted(first) == sorted(path.name for path in STATIC.glob("*.js"))
    for name, path in second.items():
        assert path.is_relative_to(tmp_path / "two") and path.read_bytes() == first[name].read_bytes()
        assert len(path.read_bytes()) < len((STATIC / name).read_bytes())  # minified, not the source
