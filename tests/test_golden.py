"""Golden files: every page the engine makes (whole documents: head, masthead, article, footer), the
article of each hand-written page MkDocs renders, the sitemap, and the list of output files.

Refresh after an intended change with: UNIONPRESS_REFRESH_GOLDEN=1 bash scripts/test tests/test_golden.py
and review the diff of tests/golden/ like any other change.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from conftest import FIXTURES, mkdocs_build

GOLDEN = Path(__file__).parent / "golden"
TEXT = (".html", ".xml", ".txt", ".json")
OWN = "epub"  # tests/golden/epub/: test_epub's golden book, refreshed by that test, not this one


def _snapshot(site: Path) -> dict[str, str]:
    # _unionpress/ is about the build, not the site (manifest with every file's hash and the content's
    # commit, next-change): tests/test_upload.py and test_determinism.py pin it.
    files = sorted(p.relative_to(site).as_posix() for p in site.rglob("*")
                   if p.is_file() and not p.relative_to(site).as_posix().startswith(("assets/", "_unionpress/")))
    snapshot = {"files.txt": "\n".join(files) + "\n"}
    for name in files:
        if name.endswith(TEXT) and not name.startswith("media/"):
            snapshot[name] = (site / name).read_text(encoding="utf-8")  # hand-written pages too: the page is ours
    return snapshot


def test_golden_site(tmp_path):
    site = tmp_path / "site"
    result = mkdocs_build(site, config=FIXTURES / "golden-project/mkdocs.yml")
    assert result.returncode == 0, result.stderr
    snapshot = _snapshot(site)
    if os.environ.get("UNIONPRESS_REFRESH_GOLDEN"):
        for old in GOLDEN.iterdir() if GOLDEN.is_dir() else ():
            if old.name != OWN:
                shutil.rmtree(old) if old.is_dir() else old.unlink()
        for name, text in snapshot.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_text(text, encoding="utf-8")
    stored = {p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8") for p in GOLDEN.rglob("*")
              if p.is_file() and p.relative_to(GOLDEN).parts[0] != OWN}
    assert sorted(stored) == sorted(snapshot)
    for name, text in snapshot.items():
        assert stored[name] == text, f"{name} differs from tests/golden/{name}"
