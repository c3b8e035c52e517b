"""The search index is made by Pagefind in a process started early (while the pages are written) and
finished by the search output: the result is the same as made at once, of the view the output is
given, and a build that fails first leaves no indexing behind."""

from __future__ import annotations

import hashlib

from conftest import check, write_story
from unionpress import search as records_of
from unionpress.outputs import search


def _args(build):
    return build.public, build.public_pages, build.settings, lambda item: build.bodies[id(item)]


def _tree(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _fragments(site):
    return len(list((site / "pagefind/fragment").glob("*.pf_fragment")))


def test_started_early_or_made_at_once_the_index_is_the_same(site_copy, tmp_path):
    _, build = check(site_copy)
    public, pages, settings, body_of = _args(build)
    early, direct = tmp_path / "early", tmp_path / "direct"
    search.start(public, pages, early, settings, body_of)
    written = search.write(public, pages, early, settings, body_of)
    assert search.write(public, pages, direct, settings, body_of) == written
    assert _tree(early) == _tree(direct) and written
    assert _fragments(early) == len([r for r in records_of.records(public, body_of)])


def test_the_index_is_of_the_view_the_output_is_given(site_copy, tmp_path):
    write_story(site_copy, "extra-one", title="多出来的一篇")
    _, larger = check(site_copy)
    (site_copy / "stories/extra-one.md").unlink()
    _, build = check(site_copy)
    site = tmp_path / "site"
    public, pages, settings, body_of = _args(larger)
    search.start(public, pages, site, settings, body_of)  # an earlier view's indexing …
    public, pages, settings, body_of = _args(build)
    search.write(public, pages, site, settings, body_of)  # … is not taken for this one
    assert _fragments(site) == len(records_of.records(public, body_of))
    assert _fragments(site) == len(records_of.records(larger.public, lambda i: larger.bodies[id(i)])) - 1


def test_a_cancelled_indexing_is_stopped_and_forgotten(site_copy, tmp_path):
    _, build = check(site_copy)
    public, pages, settings, body_of = _args(build)
    site = tmp_path / "site"
    search.start(public, pages, site, settings, body_of)
    process = search._running[site.resolve()].process
    search.cancel(site)
    assert process.poll() is not None and site.resolve() not in search._running
    assert search.write(public, pages, site, settings, body_of)  # a later write indexes afresh
    assert site.resolve() not in search._running
