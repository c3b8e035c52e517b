"""Two builds of the same content at two clocks give the same bytes in every file (issue 21 item 4), so
incremental publishing uploads only what changed.

One fixture site with every output whose bytes once followed the build clock: sitemap.xml.gz (gzip
header mtime), an empty feed (a partner filter that matches nothing: its date was the clock), a shelf
of books with an undated one (the EPUB's modified date), beside exhibitions, contests, Pagefind's index
and pictures. The two clocks are hours apart and cross no embargo, opening, closing, featured or day edge
(the reading room's embargoed items are dated 2026-12-01, its open contest closes 2026-12-31).
The build's control folder (_unionpress/: its manifest records the clock) is compared apart.
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from conftest import BASE, NOW, golden_project, mkdocs_build
from test_exhibitions import exhibition, work
from test_library import reading_room

LATER = "2026-11-22T15:30:00+08:00"  # hours after NOW, the same day: no edge of the content in between
# (the same day, because pages that state the build day change at midnight: the editors' report /stats/
# says 「截至 2026-11-22」, an exhibition's state is read by the day)
PARTNER = "\n    partners:\n      - {name: pinglun, genres: [评论]}\n"  # no story is a 评论: an empty feed


def _files(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    root = tmp_path_factory.mktemp("determinism")
    content = root / "content"
    shutil.copytree(BASE, content)
    reading_room(content)
    exhibition(content, "show", works=(work(1, "一等奖"), work(2)), title="职工书画展")
    config = golden_project(root, content, PARTNER)
    sites = []
    for name, now in (("early", NOW), ("late", LATER)):
        result = mkdocs_build(root / name, content, now=now, config=config, strict=False, fresh=True)
        assert result.returncode == 0, result.stderr
        sites.append(_files(root / name))
    return sites


def test_every_file_has_the_same_bytes_at_two_clocks(two_builds):
    early, late = two_builds
    control = "_unionpress/"
    assert sorted(p for p in early if not p.startswith(control)) == sorted(p for p in late if not p.startswith(control))
    differ = sorted(p for p in early if not p.startswith(control) and early[p] != late[p])
    assert differ == []
    # the files that once followed the clock are there, so the comparison above covers them
    assert "sitemap.xml.gz" in early and "feeds/partners/pinglun.json" in early
    assert any(p.startswith("downloads/") and p.endswith(".epub") for p in early)


def test_sitemap_gzip_header_holds_no_clock_and_no_name(two_builds):
    packed = two_builds[0]["sitemap.xml.gz"]
    assert packed[4:8] == b"\0\0\0\0"  # MTIME zero
    assert packed[3] & 0x08 == 0  # FLG.FNAME unset: no file name inside
    assert gzip.decompress(packed) == two_builds[0]["sitemap.xml"]


def test_an_empty_feed_is_dated_by_the_fixed_value_not_the_clock(two_builds):
    early = two_builds[0]
    feed = json.loads(early["feeds/partners/pinglun.json"])
    assert feed["items"] == []
    rss = early["feeds/partners/pinglun.xml"].decode()
    assert "<lastBuildDate>Sat, 01 Jan 2000 00:00:00 +0000</lastBuildDate>" in rss
    assert "<updated>2000-01-01T00:00:00+00:00</updated>" in early["feeds/partners/pinglun.atom.xml"].decode()


def test_the_manifest_records_the_clock_it_was_built_at(two_builds):
    early, late = two_builds
    assert json.loads(early["_unionpress/manifest.json"])["clock"] == NOW
    assert json.loads(late["_unionpress/manifest.json"])["clock"] == LATER
