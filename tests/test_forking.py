"""Work done in two processes (forking.in_two) is the work one process does: pages
(pages.Renderer._render_in_two) with the same bytes, files used and order, EPUB books
(outputs/epub._made_in_two) with the same bytes and findings; a child that fails leaves its share
to the parent, which makes it all the same."""

from __future__ import annotations

import os
import shutil
import types
from pathlib import Path

import pytest

from conftest import ROOT, check
from unionpress import derived, forking
from unionpress import pages as pages_module
from unionpress.pages import Renderer


def _site(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    content = tmp_path_factory.mktemp("render-in-two") / "content"
    shutil.copytree(ROOT / "content", content)
    return check(content)[1]


@pytest.fixture
def split(monkeypatch):
    # Every site is split, whatever its size; and the test runner's own threads (pytest-xdist) do not
    # stand in the way: the child renders and exits, it never takes a lock those threads use.
    monkeypatch.setattr(pages_module, "SPLIT_PAGES", 2)
    monkeypatch.setattr(forking, "threading", types.SimpleNamespace(active_count=lambda: 1))
    monkeypatch.setattr(forking.sitefiles, "cores", lambda: 2)


def _render(build, into: Path):
    made = build.render(into=into)
    return _site(into), [page.output for page in made.written], dict(sorted(made.assets.items()))


def test_two_processes_write_the_pages_one_writes(build, split, tmp_path, monkeypatch):
    writers = tmp_path / "writers"
    render = Renderer.render

    def noted(self, page):
        with writers.open("a", encoding="utf-8") as note:
            note.write(f"{os.getpid()} {page.output}\n")
        return render(self, page)

    monkeypatch.setattr(Renderer, "render", noted)
    two = _render(build, tmp_path / "two")
    by = {}
    for line in writers.read_text(encoding="utf-8").splitlines():
        pid, output = line.split(" ", 1)
        by.setdefault(output, set()).add(pid)
    assert len(set().union(*by.values())) == 2 and all(len(pids) == 1 for pids in by.values())
    monkeypatch.setattr(pages_module, "SPLIT_PAGES", 10**9)
    one = _render(build, tmp_path / "one")
    assert len(one[1]) > 20
    assert two == one  # bytes, the plan's order, the files used


def test_the_pages_the_child_wrote_are_in_the_ledger_of_the_next_build(build, split, tmp_path):
    # derived.Rewritten: a page made alike is linked from the last build's folder, whichever process
    # wrote it there.
    site = tmp_path / "site"
    first = derived.Rewritten(tmp_path / "cache", site, "pages")
    build.render(into=site, rewritten=first)
    first.save()
    again = derived.Rewritten(tmp_path / "cache", site, "pages")
    made = build.render(into=tmp_path / "staging", rewritten=again)
    assert len(made.written) > 20
    assert all((tmp_path / "staging" / page.output).stat().st_ino == (site / page.output).stat().st_ino
               for page in made.written)


def test_a_child_that_fails_leaves_its_pages_to_the_parent(build, split, tmp_path, monkeypatch):
    parent = os.getpid()
    render = Renderer.render

    def failing_in_the_child(self, page):
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return render(self, page)

    monkeypatch.setattr(Renderer, "render", failing_in_the_child)
    made = _render(build, tmp_path / "made")
    monkeypatch.setattr(Renderer, "render", render)
    monkeypatch.setattr(pages_module, "SPLIT_PAGES", 10**9)
    assert made == _render(build, tmp_path / "alone")


def test_an_error_in_this_process_stops_the_child_and_is_raised(build, split, tmp_path, monkeypatch):
    parent = os.getpid()
    render = Renderer.render

    def failing_here(self, page):
        if os.getpid() == parent:
            raise RuntimeError("模板出错")
        return render(self, page)

    monkeypatch.setattr(Renderer, "render", failing_here)
    with pytest.raises(RuntimeError, match="模板出错"):
        build.render(into=tmp_path / "broken")


def test_books_made_in_two_processes_are_the_ones_one_process_makes(tmp_path, split, monkeypatch):
    """outputs/epub.py: the first books here, the rest in a child; the same bytes, and the child's
    findings (an attribute a book cannot hold) follow this process's as one process reports them."""
    from conftest import BASE, write_story
    from unionpress import outputs
    from unionpress.findings import Findings
    from unionpress.outputs import epub

    content = tmp_path / "content"
    shutil.copytree(BASE, content)
    write_story(content, "odd", '<p dir="up">方向写错的段落。</p>\n\n<ol start="abc"><li>一</li></ol>\n', title="怪写法",
                date="2026-06-01 09:00")
    write_story(content, "older", '<p id="a b">去年的稿件。</p>\n', title="去年的稿件", date="2025-03-01 09:00")
    _, build = check(content)
    public, body_of = outputs._public(build)

    def library(chapters: int) -> tuple[list, list[str]]:
        monkeypatch.setattr(epub, "SPLIT_CHAPTERS", chapters)
        epub._library.pop(public, None)
        findings = Findings()
        books = epub.library(public, build.settings, body_of, findings)
        return [(book.anthology.key, book.data) for book in books], [f.format() for f in findings.items]

    alone = library(10**9)
    assert len(alone[0]) >= 2 and len([line for line in alone[1] if "[epub-xhtml]" in line]) == 3
    forks: list[int] = []
    in_two = forking.in_two
    monkeypatch.setattr(forking, "in_two", lambda mine, theirs: forks.append(1) or in_two(mine, theirs))
    assert library(1) == alone and forks == [1]
    parent = os.getpid()
    make = epub.make

    def failing_in_the_child(*args, **kwargs):
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return make(*args, **kwargs)

    monkeypatch.setattr(epub, "make", failing_in_the_child)
    assert library(1) == alone


def test_a_child_that_takes_no_processor_time_for_long_is_taken_for_stuck(monkeypatch):
    # A lock it can never take (one another thread held at the fork): its share is the parent's.
    monkeypatch.setattr(forking, "STUCK", 0.5)
    monkeypatch.setattr(forking.sitefiles, "cores", lambda: 2)
    done = forking.in_two(lambda: "mine", lambda: __import__("time").sleep(3600), threads_idle=True)
    assert done == ("mine", forking.FAILED)


def test_a_child_forked_beside_other_threads_writes_nothing_to_the_terminal(capfd, monkeypatch):
    monkeypatch.setattr(forking.sitefiles, "cores", lambda: 2)

    def theirs():
        import logging
        import sys
        print("孩子的输出", file=sys.stderr)
        logging.getLogger("mkdocs").warning("孩子的日志")
        return "theirs"

    assert forking.in_two(lambda: "mine", theirs, threads_idle=True) == ("mine", "theirs")
    assert "孩子" not in capfd.readouterr().err
