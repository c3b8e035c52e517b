"""`unionpress serve`: after any sequence of edits the incrementally kept folder equals a full build,
byte for byte, and a page edited in the content folder shows in the browser after the reload.

The property test drives hooks/unionpress/preview.py's Preview directly (outputs run at once, not in
the background, so each sequence ends with every file current) on a small fixture site with short
pages (page_size 2, so listings paginate), and compares every file with a fresh full build.
"""

from __future__ import annotations

import gc
import http.server
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import BASE, NOW, golden_project
from unionpress import audit as up_audit
from unionpress import forking, outputs, preview
from unionpress.outputs import manifest
from unionpress.outputs.manifest import next_change_file

REVIEWED = {"first": ("甲", "2026-01-01"), "second": ("乙", "2026-01-01"), "final": ("丙", "2026-01-01")}
TAGS = ["劳模精神", "工匠", "安全生产", "技能大赛", "女职工"]


@dataclass
class Story:
    title: str
    date: str
    column: str
    tags: list[str]
    topics: list[str]
    status: str = "published"
    body: str = "正文。"
    review: dict = field(default_factory=lambda: dict(REVIEWED))
    links_anchor: bool = False  # the body links to the anchor story (a body that depends on another item)
    names_model: bool = False  # models: [good-model] (its card, with its top honor, on the story's page)


@dataclass
class Site:
    """The fixture's state, written to the content folder whole after each edit."""

    content: Path
    stories: dict[str, Story] = field(default_factory=dict)
    columns: list[dict] = field(default_factory=lambda: [
        {"key": "laodongzhe-zhi-ge", "name": "劳动者之歌", "description": "劳模专题栏目"},
        {"key": "gonghui-dongtai", "name": "工会动态"}])
    topics: list[dict] = field(default_factory=lambda: [
        {"key": "laodongmei", "name": "中国梦·劳动美", "summary": "五一专题"}])
    counter: int = 0

    def write(self, slug: str) -> None:
        story = self.stories[slug]
        review = "".join(f"  {level}: {{by: {by}, date: {date}}}\n" for level, (by, date) in story.review.items())
        body = story.body + ("\n\n另见[锚点稿件](anchor.md)和[李明](../models/good-model.md)。" if story.links_anchor else "")
        lines = [f"title: {story.title}", f"date: {story.date}", f"column: {story.column}",
                 f"tags: [{', '.join(story.tags)}]", f"topics: [{', '.join(story.topics)}]", f"status: {story.status}",
                 f"models: [{'good-model' if story.names_model else ''}]"]
        if review:
            lines.append("review:\n" + review.rstrip("\n"))
        path = self.content / f"stories/{slug}.md"
        path.write_text("---\n" + "\n".join(lines) + f"\n---\n\n{body}\n", encoding="utf-8")
        assert path.is_file()

    def write_lists(self) -> None:
        def rows(entries):
            return "".join("- " + "\n  ".join(f"{key}: {value}" for key, value in row.items()) + "\n" for row in entries)
        (self.content / "columns.yml").write_text(rows(self.columns), encoding="utf-8")
        (self.content / "topics.yml").write_text(rows(self.topics), encoding="utf-8")

    def remove(self, slug: str) -> None:
        (self.content / f"stories/{slug}.md").unlink()
        del self.stories[slug]

    def new_slug(self) -> str:
        self.counter += 1
        return f"s{self.counter}"


def _date(rnd: random.Random, future: bool = False) -> str:
    if future:  # embargoed: public only after the build's clock (2026-11-22)
        return f"2026-12-{rnd.randint(1, 28):02d} 09:00"
    return f"2026-{rnd.randint(2, 10):02d}-{rnd.randint(1, 28):02d} {rnd.randint(8, 18):02d}:{rnd.choice(['00', '30'])}"


def _story(rnd: random.Random, site: Site) -> Story:
    return Story(title=f"稿件{rnd.randint(1, 999)}号：{rnd.choice(['车间', '工地', '班组'])}里的{rnd.choice(['师傅', '青年'])}",
                 date=_date(rnd, future=rnd.random() < 0.1), column=rnd.choice(site.columns)["key"],
                 tags=rnd.sample(TAGS, rnd.randint(0, 3)),
                 topics=rnd.sample([t["key"] for t in site.topics], rnd.randint(0, 1)),
                 status="published" if rnd.random() < 0.8 else "draft",
                 body=f"第{rnd.randint(1, 99)}段正文，写{rnd.choice(['技术攻关', '带徒传艺', '安全生产'])}。",
                 links_anchor=rnd.random() < 0.4, names_model=rnd.random() < 0.5)


def _movable(site: Site) -> list[str]:
    """Stories an edit may delete, rename, hold back or date ahead: never the anchor others link to."""
    return [slug for slug in sorted(site.stories) if slug != "anchor"]


# Each edit changes the state and writes what it changed; it returns its name for the failure message.
def edit_body(rnd, site):
    slug = rnd.choice(sorted(site.stories))
    site.stories[slug].body = f"改过的正文{rnd.randint(1, 9999)}。\n\n第二段{rnd.randint(1, 99)}。"
    site.write(slug)
    return f"body {slug}"


def edit_title(rnd, site):
    slug = rnd.choice(sorted(site.stories))
    site.stories[slug].title = f"新标题{rnd.randint(1, 9999)}"
    site.write(slug)
    return f"title {slug}"


def new_story(rnd, site):
    slug = site.new_slug()
    site.stories[slug] = _story(rnd, site)
    site.write(slug)
    return f"new {slug}"


def delete_story(rnd, site):
    movable = _movable(site)
    if not movable:
        return new_story(rnd, site)
    slug = rnd.choice(movable)
    site.remove(slug)
    return f"delete {slug}"


def rename_story(rnd, site):
    movable = _movable(site)
    if not movable:
        return new_story(rnd, site)
    old = rnd.choice(movable)
    new = site.new_slug()
    site.stories[new] = site.stories[old]
    site.remove(old)
    site.write(new)
    return f"rename {old}→{new}"


def change_date(rnd, site):
    slug = rnd.choice(sorted(site.stories))
    site.stories[slug].date = _date(rnd, future=slug != "anchor" and rnd.random() < 0.3)
    site.write(slug)
    return f"date {slug}"


def change_status(rnd, site):
    movable = _movable(site)
    if not movable:
        return new_story(rnd, site)
    slug = rnd.choice(movable)
    story = site.stories[slug]
    story.status = "draft" if story.status == "published" else "published"
    if story.status == "published":  # published needs all three reviews (an error otherwise)
        story.review = {**REVIEWED, **story.review}
    site.write(slug)
    return f"status {slug} {story.status}"


def change_column(rnd, site):
    slug = rnd.choice(sorted(site.stories))
    site.stories[slug].column = rnd.choice(site.columns)["key"]
    site.write(slug)
    return f"column {slug}"


def change_tags(rnd, site):
    slug = rnd.choice(sorted(site.stories))
    site.stories[slug].tags = rnd.sample(TAGS, rnd.randint(0, 3))
    site.write(slug)
    return f"tags {slug}"


def change_review(rnd, site):
    """A signer renamed (printed on the page), or a draft's final review withdrawn or given again."""
    slug = rnd.choice(sorted(site.stories))
    story = site.stories[slug]
    if story.status == "draft" and rnd.random() < 0.6:
        if "final" in story.review:
            del story.review["final"]
        else:
            story.review["final"] = REVIEWED["final"]
    else:
        story.review["first"] = (rnd.choice(["甲", "丁", "戊"]), "2026-01-02")
    site.write(slug)
    return f"review {slug}"


def edit_columns(rnd, site):
    if len(site.columns) < 3 and rnd.random() < 0.4:
        site.columns.append({"key": "xin-lanmu", "name": "新栏目"})
    else:
        row = rnd.choice(site.columns)
        row["name"] = f"{row['key'][:2]}栏目{rnd.randint(1, 99)}"
    site.write_lists()
    return "columns.yml"


def edit_topics(rnd, site):
    if len(site.topics) < 2 and rnd.random() < 0.4:
        site.topics.append({"key": "shuxiang", "name": "书香工匠", "summary": "读书专题"})
    else:
        row = rnd.choice(site.topics)
        row["summary"] = f"专题说明{rnd.randint(1, 99)}"
    site.write_lists()
    return "topics.yml"


def edit_honors(rnd, site):
    """An honor renamed: every card that prints a profile's top honor changes, though no profile did."""
    names = ["全国劳动模范", "全国劳动模范（国务院表彰）", "全国劳模"]
    (site.content / "honors.yml").write_text(
        f"- {{key: quanguo-laomo, name: {rnd.choice(names)}, level: 国家级, rank: 1}}\n"
        f"- {{key: shi-laomo, name: 市级劳动模范, level: 市级, rank: {rnd.choice([20, 30])}}}\n", encoding="utf-8")
    return "honors.yml"


def edit_model(rnd, site):
    """The profile the stories name: its name changes on their pages and in the gallery."""
    path = site.content / "models/good-model.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(text.split("name: ", 1)[1].split("\n", 1)[0], rnd.choice(["李明", "李明明", "李大明"]), 1),
                    encoding="utf-8")
    return "model"


EDITS = [edit_body, edit_title, new_story, delete_story, rename_story, change_date, change_status, change_column,
         change_tags, change_review, edit_columns, edit_topics, edit_honors, edit_model]


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("UNIONPRESS_NOW", NOW)
    monkeypatch.setenv("UNIONPRESS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    monkeypatch.delenv("UNIONPRESS_PREVIEW", raising=False)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    content = tmp_path / "content"
    shutil.copytree(BASE, content)
    config = golden_project(tmp_path, content)
    config.write_text(config.read_text(encoding="utf-8").replace("page_size: 10", "page_size: 2"), encoding="utf-8")
    site = Site(content)
    rnd = random.Random(0)
    site.stories["anchor"] = Story("锚点稿件", "2026-03-01 09:00", "laodongzhe-zhi-ge", ["工匠"], [], body="被链接的稿件。")
    for _ in range(5):
        slug = site.new_slug()
        site.stories[slug] = _story(rnd, site)
    for slug in site.stories:
        site.write(slug)
    site.write_lists()
    return tmp_path, config, site


def differences(left: Path, right: Path) -> list[str]:
    """Every file of either folder that the other lacks or holds with other bytes."""
    a, b = preview._listing(left), preview._listing(right)
    found = [f"只在增量结果里：{path}" for path in sorted(set(a) - set(b))]
    found += [f"只在完整构建里：{path}" for path in sorted(set(b) - set(a))]
    found += [f"内容不同：{path}" for path in sorted(set(a) & set(b))
              if (left / path).read_bytes() != (right / path).read_bytes()]
    return found


def test_the_preview_marker_stays_whatever_time_its_file_reads(project, monkeypatch):
    # A file's time comes from the kernel's coarse clock and may read before the run began: the
    # marker that says a preview folder must not be published is kept by name, not by its time.
    tmp_path, config, site = project
    monkeypatch.setenv("UNIONPRESS_PREVIEW", "1")
    write = manifest.write_preview_marker

    def written_early(site_dir):
        write(site_dir)
        os.utime(site_dir / manifest.PREVIEW_MARKER, (1, 1))

    monkeypatch.setattr(manifest, "write_preview_marker", written_early)
    kept = preview.Preview(config, tmp_path / "kept", background=False)
    kept.defer_outputs = True
    kept.full()
    edit_body(random.Random(1), site)
    kept.update()
    kept.wait()
    assert (kept.site_dir / manifest.PREVIEW_MARKER).is_file()


@pytest.mark.parametrize("seed,preview_mode,split", [(1, False, False), (2, False, False), (3, False, True),
                                                     (4, False, False), (5, True, False), (6, True, True)])
def test_incremental_equals_full_build(project, monkeypatch, seed, preview_mode, split):
    tmp_path, config, site = project
    if preview_mode:
        monkeypatch.setenv("UNIONPRESS_PREVIEW", "1")
    forks: list[int] = []
    if split:  # every other page looked at in a forked child (Preview._pages), as on a large site
        monkeypatch.setattr(preview, "SPLIT_PAGES", 2)
        in_two = forking.in_two

        def counted(*args, **kwargs):
            done = in_two(*args, **kwargs)
            forks.append(done is not None and done[1] is not forking.FAILED)
            return done
        monkeypatch.setattr(forking, "in_two", counted)
    rnd = random.Random(seed)
    kept = preview.Preview(config, tmp_path / "kept", background=False)
    kept.defer_outputs = True
    kept.full()
    done: list[str] = []
    for _round in range(2):
        for _step in range(rnd.randint(3, 5)):
            before = preview._scan([site.content])
            for _batch in range(1 if rnd.random() < 0.7 else 2):  # sometimes two files saved at once
                done.append(rnd.choice(EDITS)(rnd, site))
            time.sleep(0.002)  # a new mtime_ns even on a coarse clock
            if rnd.random() < 0.5:  # a page open in a browser: looked at and written before the rest
                kept.viewers.saw(rnd.choice(sorted(kept.records)))
            # Mostly with the paths changed named, as the system names them to the watcher (the
            # folder then not walked when they are all files it found); else looked at as by polling.
            after = preview._scan([site.content])
            kept.update(named={path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
                        if rnd.random() < 0.7 else None)
            assert not kept.error, f"{done}: {kept.error}"
            if rnd.random() < 0.5:
                kept.wait()  # the outputs follow now and then, as the background thread does
        # Before the outputs follow: the pages, their files and MkDocs' are exactly a full build's.
        before_outputs = set(preview._listing(kept.site_dir)) - kept.output_files
        kept.wait()
        full = tmp_path / "full"
        shutil.rmtree(full, ignore_errors=True)
        made = preview.mkdocs_build(config, full)
        assert sorted(before_outputs ^ made.before_outputs) == [], f"编辑顺序：{done}"
        assert differences(kept.site_dir, full) == [], f"编辑顺序：{done}"
        # and the file beside the folder that says when the site next changes (an embargo lifting)
        assert next_change_file(kept.site_dir).read_text(encoding="utf-8") == \
            next_change_file(full).read_text(encoding="utf-8"), f"编辑顺序：{done}"
    assert len(preview._listing(kept.site_dir)) > 30
    if split and forking.possible(threads_idle=True):
        assert sum(forks) >= 2  # after the full build and after each edit: a child did its share
    # A model per edit, and a full build in this process too: none is frozen out of the cycle
    # collector (engine.keep_until_the_end is for a process that builds once), or each would stay.
    assert gc.get_freeze_count() == 0


def test_a_child_that_fails_leaves_its_pages_to_the_preview(project, monkeypatch):
    # Its share is done again here: the folder is still a full build's, whatever the child left.
    tmp_path, config, site = project
    monkeypatch.setattr(preview, "SPLIT_PAGES", 2)
    in_two = forking.in_two
    failed: list[bool] = []

    def failing(mine, theirs, **kwargs):
        def broken():
            theirs()  # its pages written, then no answer
            raise RuntimeError("the child fails")
        done = in_two(mine, broken, **kwargs)
        failed.append(done is not None and done[1] is forking.FAILED)
        return done

    monkeypatch.setattr(forking, "in_two", failing)
    kept = preview.Preview(config, tmp_path / "kept", background=False)
    kept.full()
    for edit in (new_story, edit_title, change_status):
        edit(random.Random(7), site)
        kept.update()
    full = tmp_path / "full"
    preview.mkdocs_build(config, full)
    assert differences(kept.site_dir, full) == []
    if forking.possible(threads_idle=True):
        assert failed and all(failed)


def test_no_child_is_forked_while_the_outputs_thread_works(project, monkeypatch):
    # It runs the outputs (or the release check) without the lock: a lock it holds then would stay
    # held in a child.
    tmp_path, config, site = project
    monkeypatch.setattr(preview, "SPLIT_PAGES", 2)
    kept = preview.Preview(config, tmp_path / "kept", background=False)
    kept.defer_outputs = True
    kept.full()
    busy: list[bool] = []  # the thread says so while it works without the lock
    run, audit = preview.outputs.run, preview.Preview._audit
    monkeypatch.setattr(preview.outputs, "run", lambda *args: busy.append(kept._worker_busy) or run(*args))
    monkeypatch.setattr(preview.Preview, "_audit", lambda self, *args: busy.append(self._worker_busy) or audit(self, *args))
    edit_body(random.Random(2), site)
    kept.update()
    kept.wait()
    assert busy == [True, True] and not kept._worker_busy
    asked: list[bool] = []
    monkeypatch.setattr(forking, "in_two", lambda *args, **kwargs: asked.append(True))
    kept._worker_busy = True
    edit_body(random.Random(3), site)
    kept.update()
    assert asked == []
    kept._worker_busy = False
    edit_title(random.Random(3), site)
    kept.update()
    assert asked == [True]


def _book_sizes(site_dir: Path) -> list[str]:
    import re
    return re.findall(r'up-downloads__size">（EPUB，([^）]+)）', (site_dir / "downloads/index.html").read_text(encoding="utf-8"))


def _deferring(config: Path, tmp_path: Path) -> preview.Preview:
    """A preview after its full build whose outputs run only at wait(), in the test's thread."""
    kept = preview.Preview(config, tmp_path / "kept", background=False)
    kept.defer_outputs = True
    kept.full()
    return kept


def _grow_anchor(site, rnd: random.Random) -> None:
    """Some kilobytes that deflate cannot fold away: the anchor's column book grows past a size step."""
    site.stories["anchor"].body = "".join(chr(rnd.randint(0x4E00, 0x9FA5)) for _ in range(12_000))
    site.write("anchor")


def _full_build_equals(kept: preview.Preview, config: Path, tmp_path: Path) -> Path:
    full = tmp_path / "full"
    preview.mkdocs_build(config, full)
    assert differences(kept.site_dir, full) == []
    return full


def test_a_books_size_follows_with_the_outputs(project):
    # An edit's pages do not wait for its column's book: the size they print is the last one made
    # until the outputs make the book, and then the pages that print it equal a full build's.
    tmp_path, config, site = project
    kept = _deferring(config, tmp_path)
    before = _book_sizes(kept.site_dir)
    assert before
    _grow_anchor(site, random.Random(11))
    kept.update()
    assert _book_sizes(kept.site_dir) == before
    assert kept.outputs_behind
    edit_title(random.Random(12), site)  # a second edit before the outputs follow: its books stand in too
    kept.update()
    assert _book_sizes(kept.site_dir) == before
    version = kept.version
    pages = {output: (kept.site_dir / output).read_bytes() for output in kept.records}
    kept.wait()
    assert _book_sizes(_full_build_equals(kept, config, tmp_path)) != before
    # Only the pages written again reload: each has a version above the rest's, which stays.
    rewritten = {output for output, data in pages.items() if (kept.site_dir / output).read_bytes() != data}
    assert "downloads/index.html" in rewritten and kept.version == version
    assert all(kept.page_version(output) > version for output in rewritten)
    assert {kept.page_version(output) for output in set(pages) - rewritten} == {version}
    # The next run's version is above every one given: every page reloads for it.
    marked = max(kept.page_version(output) for output in rewritten)
    edit_body(random.Random(13), site)
    kept.update()
    assert {kept.page_version(output) for output in kept.records} == {kept.version} and kept.version > marked


def test_the_search_index_starts_before_the_books_the_pages_went_without(project, monkeypatch):
    # Pagefind indexes on the second core while the outputs make the edit's column book: started
    # after it, the index was written 13.7 s after the pages at 10,000 stories, 3.3 s of them books.
    tmp_path, config, site = project
    kept = _deferring(config, tmp_path)
    order = []
    start, books = outputs.start, preview.Preview._books
    monkeypatch.setattr(outputs, "start", lambda *args: (order.append("search"), start(*args))[1])
    monkeypatch.setattr(preview.Preview, "_books",
                        lambda self, *args, **kwargs: (order.append("books"), books(self, *args, **kwargs))[1])
    site.stories["anchor"].body = "锚点稿件的正文改了一句，它所在栏目的电子书要重新生成。"
    site.write("anchor")
    kept.update()
    assert order == ["books"] and kept.outputs_behind  # the pages', its column's book standing in
    kept.wait()
    assert order == ["books", "search", "books"]  # then the outputs': the index begun before the book
    _full_build_equals(kept, config, tmp_path)


def test_a_save_while_the_search_index_is_begun_keeps_its_own_book_to_make(project, monkeypatch):
    # The lock is let go while the index is begun: a save then (its column's book standing in again)
    # leaves its book for its own outputs run, which makes it; the earlier run does not take it away.
    tmp_path, config, site = project
    kept = _deferring(config, tmp_path)
    before = _book_sizes(kept.site_dir)
    site.stories["anchor"].body = "锚点稿件改了第一次。"
    site.write("anchor")
    kept.update()
    start, saved = outputs.start, []

    def start_with_a_save(*args):
        if not saved:  # the second save, as the first run's index is begun
            saved.append(True)
            _grow_anchor(site, random.Random(21))
            kept.update()
        return start(*args)
    monkeypatch.setattr(outputs, "start", start_with_a_save)
    kept.wait()  # the first save's outputs
    assert saved and kept.outputs_behind
    kept.wait()  # the second's
    assert not kept.outputs_behind
    assert _book_sizes(_full_build_equals(kept, config, tmp_path)) != before


def test_the_collector_waits_for_the_outputs_and_for_every_run_holding_it(project, monkeypatch):
    # The first collection after an edit (the last model's garbage: 1.3 s at 10,000 stories) came as
    # the outputs began, and the search index was written that much later: held off until they are.
    tmp_path, config, site = project
    try:
        kept = _deferring(config, tmp_path)
        seen, sitemap = [], outputs.OUTPUTS["sitemap"]
        monkeypatch.setitem(outputs.OUTPUTS, "sitemap",
                            lambda *args: (seen.append(gc.isenabled()), sitemap(*args))[1])
        assert gc.isenabled()
        edit_title(random.Random(31), site)
        kept.update()
        assert gc.isenabled()  # the edit's run let go
        kept.wait()
        assert seen == [False] and gc.isenabled()
        # An edit while the outputs are written: on again only when both runs let go.
        preview._COLLECTOR.hold()
        kept.update()
        assert not gc.isenabled()
        preview._COLLECTOR.let_go()
        assert gc.isenabled()
        # A template saved while the outputs are written: a full build, on meanwhile; the outputs
        # letting go during it leave it on after it.
        during, build = [], preview.mkdocs_build

        def building(*args):
            during.append(gc.isenabled())
            preview._COLLECTOR.let_go()  # the outputs run ends while the full build waits
            return build(*args)
        monkeypatch.setattr(preview, "mkdocs_build", building)
        preview._COLLECTOR.hold()
        kept.full()
        assert during == [True] and gc.isenabled()
    finally:
        gc.enable()  # whatever failed, not the rest of the run without it


def test_an_attachment_replaced_under_its_name_is_copied_again(project):
    # No page changes (the link is the same): only the content folder's files say it is new.
    tmp_path, config, site = project
    attachment = site.content / "files/note.txt"
    attachment.parent.mkdir()
    attachment.write_text("第一版说明。", encoding="utf-8")
    site.stories["anchor"].body = "见[说明](../files/note.txt)。"
    site.write("anchor")
    kept = preview.Preview(config, tmp_path / "kept", background=False)
    kept.full()
    copy = kept.site_dir / "media/files/note.txt"
    assert copy.read_text(encoding="utf-8") == "第一版说明。"
    edit_title(random.Random(5), site)  # a run with the files as they were
    kept.update()
    attachment.write_text("第二版说明，改过了。", encoding="utf-8")
    counts = kept.update()
    assert counts["written"] == 0
    assert copy.read_text(encoding="utf-8") == "第二版说明，改过了。"


def test_a_body_edit_renders_only_the_pages_that_show_it(project):
    tmp_path, config, site = project
    kept = preview.Preview(config, tmp_path / "kept", background=False)
    kept.full()
    pages = len(kept.records)
    slug = "anchor"
    site.stories[slug].body = "只改了正文的第二句。"
    site.write(slug)
    counts = kept.update()
    # Its page, and the listings that print its summary (column, tag, home, news …): never every page.
    assert 1 <= counts["rendered"] < pages / 2
    assert kept.timings["bodies"] == 1  # and only its own body (the bodies that link to it keep theirs)
    assert "只改了正文的第二句" in (kept.site_dir / "stories/anchor/index.html").read_text(encoding="utf-8")
    counts = kept.update()  # nothing changed: nothing rendered, nothing written
    assert counts == {"rendered": 0, "written": 0}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answer(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read()
    except OSError:
        return None


def test_serve_shows_an_edited_title_on_the_column_page(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    from unionpress import localsite

    content = tmp_path / "content"
    shutil.copytree(BASE, content)
    config = golden_project(tmp_path, content)
    port = _free_port()
    env = dict(os.environ, UNIONPRESS_NOW=NOW, UNIONPRESS_CACHE=str(tmp_path / "cache"), NO_MKDOCS_2_WARNING="1")
    env.pop("UNIONPRESS_PREVIEW", None)
    server = subprocess.Popen([sys.executable, "-m", "unionpress", "serve", "-f", str(config),
                               "--dev-addr", f"127.0.0.1:{port}"], env=env, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 180
        while _answer(base + preview.VERSION_PATH) is None:
            assert server.poll() is None, server.stdout.read().decode("utf-8", "replace")
            assert time.monotonic() < deadline, "unionpress serve did not answer"
            time.sleep(0.2)
        served = _answer(base + "columns/laodongzhe-zhi-ge/").decode("utf-8")
        assert served.count(preview.VERSION_PATH) == 1  # the live-reload script, added as it is served
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=localsite.CHROMIUM, args=localsite.CHROMIUM_ARGS)
            page = browser.new_page()
            loads = []
            page.on("load", lambda: loads.append(time.monotonic()))
            page.goto(base + "columns/laodongzhe-zhi-ge/")
            titles = page.locator(".up-card__title")
            expect(titles.first).to_have_text("车间里的好师傅")
            # The server knows the page is on screen once its script has asked (its first question comes
            # POLL_MS after the page loads; a save before it has no page on screen to write first).
            page.wait_for_event("requestfinished", predicate=lambda request: preview.VERSION_PATH in request.url)
            story = content / "stories/good-story.md"
            story.write_text(story.read_text(encoding="utf-8").replace("title: 车间里的好师傅", "title: 车间里的好师傅改了标题"),
                             encoding="utf-8")
            # The page reloads itself when the preview has written the change (no reload by the test).
            expect(titles.first).to_have_text("车间里的好师傅改了标题", timeout=60_000)
            # Reloaded once: the version the page was served with and the one its script is answered
            # agree from then on (on a site this small the run ends before the next poll, so whether
            # the page was written ahead is test_the_page_on_screen_is_written_first_and_reloads_once's).
            deadline = time.monotonic() + 60
            while json.loads(_answer(base + preview.VERSION_PATH))["version"] != page.evaluate(
                    "fetch('/" + preview.VERSION_PATH + "?page=' + encodeURIComponent(location.pathname))"
                    ".then(r => r.json()).then(a => a.version)"):
                assert time.monotonic() < deadline
                time.sleep(0.1)
            page.wait_for_timeout(5 * preview.POLL_MS)
            assert len(loads) == 2, loads
            browser.close()
    finally:
        server.send_signal(2)  # Ctrl+C: the server removes its folder
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    said = server.stdout.read().decode("utf-8", "replace")
    # A reload drops the poll on its way (a broken pipe): nothing to print. The edit's run says when
    # the page on screen was written.
    assert "Traceback" not in said and "正在看的页面" in said, said


def test_the_page_on_screen_is_written_first_and_reloads_once(project, monkeypatch):
    """An edit's run looks at the pages browsers show before the rest and writes them at once; each is
    given the version the run will end with, after it is written, so its script reloads for it then
    and not again when the run ends. The other pages keep the old version until the run ends."""
    tmp_path, config, site = project
    kept = preview.Preview(config, tmp_path / "kept", background=False)
    kept.defer_outputs = True
    kept.full()
    on_screen = "stories/anchor/index.html"  # the page on screen (its column's first page may not list it)
    version = kept.version
    writes: list[tuple[str, dict, int, int]] = []
    write = preview.Preview._write

    def noting(target: Path, data: bytes) -> None:
        write(target, data)
        output = target.relative_to(kept.site_dir).as_posix()
        writes.append((output, dict(kept.ahead), kept.page_version(output), kept.page_version(on_screen)))

    monkeypatch.setattr(preview.Preview, "_write", staticmethod(noting))
    kept.viewers.saw(on_screen)
    site.stories["anchor"].title = "正在看的页面先写"
    site.write("anchor")
    counts = kept.update()
    outputs_written = [output for output, *_ in writes]
    assert outputs_written[0] == on_screen and on_screen not in outputs_written[1:]
    assert len(outputs_written) >= 3  # the title shows on other pages too (its column's, its neighbours')
    assert counts["written"] == len(writes)
    # Its version set only once it was written (a reload before would show the old page) …
    assert writes[0][1] == {} and writes[0][2] == version
    # … and then, while the rest are written: the page on screen the run's version, the others the old.
    assert all(ahead == {on_screen: version + 1} and own == version and shown == version + 1
               for output, ahead, own, shown in writes[1:])
    # The run ends with that version: the script of the page on screen sees no change, every other page's does.
    assert kept.version == version + 1 and kept.ahead == {}
    assert kept.timings["on_screen"] <= kept.timings["pages"] + kept.timings["model"] + kept.timings["epub"]
    served = preview.inject((kept.site_dir / on_screen).read_bytes(), kept, "/", on_screen).decode("utf-8")
    assert f"const version = {version + 1}," in served
    assert "正在看的页面先写" in (kept.site_dir / on_screen).read_text(encoding="utf-8")
    # Nobody looking: the plan's order, no version ahead.
    writes.clear()
    kept.viewers = preview._Viewers()
    site.stories["anchor"].title = "没人看时照常的顺序"
    site.write("anchor")
    kept.update()
    assert all(ahead == {} for _output, ahead, *_ in writes) and "on_screen" not in kept.timings


def test_a_page_on_screen_the_edit_takes_away_goes_first(project, monkeypatch):
    tmp_path, config, site = project
    kept = preview.Preview(config, tmp_path / "kept", background=False)
    kept.defer_outputs = True
    kept.full()
    on_screen = "stories/anchor/index.html"
    version = kept.version
    removed = []
    remove = preview._remove
    monkeypatch.setattr(preview, "_remove", lambda site_dir, output: removed.append((output, dict(kept.ahead)))
                        or remove(site_dir, output))
    writes = []
    write = preview.Preview._write
    monkeypatch.setattr(preview.Preview, "_write", staticmethod(
        lambda target, data: writes.append(dict(kept.ahead)) or write(target, data)))
    kept.viewers.saw(on_screen)
    site.stories["anchor"].status = "draft"
    site.write("anchor")
    kept.update()
    assert removed[0] == (on_screen, {})  # its version given after it is gone …
    assert writes and all(ahead == {on_screen: version + 1} for ahead in writes)  # … before any page is written
    assert not (kept.site_dir / on_screen).exists() and on_screen not in kept.records
    assert kept.version == version + 1 and kept.ahead == {}


def test_a_run_that_fails_after_the_page_on_screen_gives_every_page_its_version(project, monkeypatch):
    tmp_path, config, site = project
    kept = preview.Preview(config, tmp_path / "kept", background=False)
    kept.defer_outputs = True
    kept.full()
    version = kept.version
    share = preview.Preview._share
    calls = []

    def failing_second(self, pages, *args, **kwargs):
        calls.append(len(pages))
        if len(calls) == 2:
            raise OSError("磁盘满了")
        return share(self, pages, *args, **kwargs)

    monkeypatch.setattr(preview.Preview, "_share", failing_second)
    kept.viewers.saw("stories/anchor/index.html")
    site.stories["anchor"].title = "写到一半失败"
    site.write("anchor")
    with pytest.raises(OSError):
        kept.update()
    assert calls[0] == 1  # the page on screen, alone, first
    # The page written ahead shows; every other page's script reloads too (some may be written).
    assert kept.ahead == {} and kept.version == version + 1


def test_the_live_reload_script_names_its_page_and_gets_its_version(project):
    """What the browser's script asks is answered for its page: the preview learns which pages are on
    screen (under the site's path prefix, its URL percent-encoded) and answers each its own version."""
    tmp_path, config, site = project
    kept = preview.Preview(config, tmp_path / "kept", background=False)
    kept.defer_outputs = True
    kept.full()
    kept.ahead = {"stories/anchor/index.html": kept.version + 1}  # as in a run that wrote it ahead
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), preview.handler(kept, ["/sub/"]))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/sub/"
    try:
        asked = json.loads(_answer(base + preview.VERSION_PATH + "?page=" + urllib.parse.quote("/sub/stories/anchor/")))
        assert asked["version"] == kept.version + 1
        assert json.loads(_answer(base + preview.VERSION_PATH + "?page=%2Fsub%2F"))["version"] == kept.version
        assert json.loads(_answer(base + preview.VERSION_PATH))["version"] == kept.version  # no page named
        assert kept.viewers.now() == {"stories/anchor/index.html", "index.html"}
        served = _answer(base + "stories/anchor/").decode("utf-8")
        assert f"const version = {kept.version + 1}," in served
        # A page on screen an edit took away: the 404 page it now gets has that page's version, or
        # its script, asking for the page, would reload it again and again until the run ends.
        kept.ahead["stories/taken-away/index.html"] = kept.version + 1
        try:
            urllib.request.urlopen(base + "stories/taken-away/", timeout=5)
        except urllib.error.HTTPError as missing:
            assert missing.code == 404 and f"const version = {kept.version + 1}," in missing.read().decode("utf-8")
        else:
            raise AssertionError("no 404")
        assert f"const version = {kept.version}," in _answer(base).decode("utf-8")
        assert f'"/sub/{preview.VERSION_PATH}?page=" + encodeURIComponent(location.pathname)' in served
    finally:
        server.shutdown()
        server.server_close()
    kept.viewers._seen = {page: when - preview._Viewers.RECENT - 1 for page, when in kept.viewers._seen.items()}
    assert kept.viewers.now() == frozenset()  # a tab that stopped asking is not on screen


def test_an_edit_with_an_error_keeps_the_pages_and_says_why(project):
    tmp_path, config, site = project
    kept = preview.Preview(config, tmp_path / "kept", background=False)
    kept.full()
    page = kept.site_dir / "stories/anchor/index.html"
    before = page.read_bytes()
    site.stories["anchor"].title = "改了标题但链接坏了"
    site.stories["anchor"].body = "见[不存在的稿件](missing.md)。"
    site.write("anchor")
    assert kept.update() == {"rendered": 0, "written": 0}
    assert page.read_bytes() == before  # the last good page stays
    message, shown = preview.status_line(kept)
    assert shown and message.startswith("内容检查未通过，页面保持上一次的样子")
    assert "content/stories/anchor.md:" in message and "[link-missing]" in message
    site.stories["anchor"].body = "链接修好了。"
    site.write("anchor")
    kept.update()
    assert not kept.error and preview.status_line(kept) == ("", False)
    assert "改了标题但链接坏了" in page.read_text(encoding="utf-8")


def test_serve_says_what_is_wrong_with_its_address(tmp_path):
    config = golden_project(tmp_path, BASE)
    run = [sys.executable, "-m", "unionpress", "serve", "-f", str(config)]
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    wrong = subprocess.run([*run, "--dev-addr", "localhost"], capture_output=True, text=True, env=env)
    assert wrong.returncode == 2
    assert wrong.stderr.strip() == "--dev-addr 应写成 主机:端口，如 127.0.0.1:8000，实际写的是「localhost」"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = subprocess.run([*run, "--dev-addr", f"127.0.0.1:{port}"], capture_output=True, text=True, env=env)
    assert busy.returncode == 2 and "Traceback" not in busy.stderr
    assert busy.stderr.startswith(f"无法在 127.0.0.1:{port} 提供预览（") and "端口可能已被占用" in busy.stderr


def test_pages_say_the_search_index_is_behind_until_the_outputs_follow(project):
    tmp_path, config, site = project
    kept = preview.Preview(config, tmp_path / "kept", background=False)
    kept.defer_outputs = True  # the outputs wait, as they do while the background thread works
    kept.full()
    assert preview.status_line(kept) == ("", False)
    site.stories["anchor"].title = "搜索索引还没跟上"
    site.write("anchor")
    kept.update()
    page = kept.site_dir / "stories/anchor/index.html"
    served = preview.inject(page.read_bytes(), kept, "/").decode("utf-8")
    assert preview.status_line(kept) == ("搜索索引正在后台更新，搜索结果可能还是改动之前的。", True)
    assert 'role="status" style="' in served and ">搜索索引正在后台更新，搜索结果可能还是改动之前的。</div>" in served
    assert served.index(preview.VERSION_PATH) < served.index("</body>")
    assert preview.VERSION_PATH not in page.read_text(encoding="utf-8")  # served, never written
    index = (kept.site_dir / "pagefind/pagefind-entry.json").read_bytes()
    kept.wait()
    assert preview.status_line(kept) == ("", False)
    assert " hidden></div>" in preview.inject(page.read_bytes(), kept, "/").decode("utf-8")
    assert (kept.site_dir / "pagefind/pagefind-entry.json").read_bytes() != index  # the index followed
    # When each output was written after the edit (scripts/bench's "within 15 s"): all, in their order.
    ready = kept.outputs_ready
    assert list(ready) == list(outputs.OUTPUTS)
    assert all(0 < a <= b for a, b in zip(ready.values(), list(ready.values())[1:]))


def test_the_release_check_after_an_edit_reads_again_only_what_changed(project, monkeypatch, caplog):
    """serve audits its folder after each edit's outputs with a memo (audit._Memo): a file as it was is
    not read again; a changed one is, and a leak in it is still reported. Every file is read in a
    process of its own (audit's `aside`), none in serve's: its edits' runs do not share the GIL."""
    tmp_path, config, site = project
    site.stories["hidden"] = Story("草稿里的秘密标题", "2026-03-02 09:00", "gonghui-dongtai", [], [], status="draft")
    site.write("hidden")
    kept = preview.Preview(config, tmp_path / "kept", background=False)
    kept.defer_outputs = True
    kept.full()
    read: list[set[str]] = []
    here: list = []
    helper, audit_files, robots = up_audit._Helper.__init__, up_audit._audit_files, outputs.OUTPUTS["robots"]

    def reading(self, task, files, *rest, **named):
        read.append(set(files))
        helper(self, task, files, *rest, **named)

    def reading_here(*args):
        here.append(args)
        return audit_files(*args)

    def leaking(public, pages, site_dir, settings, body_of):  # the second time: an output that leaks
        found = robots(public, pages, site_dir, settings, body_of)
        if read:
            with (site_dir / "robots.txt").open("a", encoding="utf-8") as handle:
                handle.write("# 草稿里的秘密标题\n")
        return found

    monkeypatch.setattr(up_audit._Helper, "__init__", reading)
    monkeypatch.setattr(up_audit, "_audit_files", reading_here)
    monkeypatch.setitem(outputs.OUTPUTS, "robots", leaking)
    listings = []
    for round_ in range(2):
        site.stories["anchor"].body = f"第{round_}次改的正文。"
        site.write("anchor")
        caplog.clear()
        kept.update()
        kept.wait()
        listings.append(preview._listing(kept.site_dir))
    assert read[0] == set(listings[0])  # the first audit: every file
    changed = {path for path, stat in listings[1].items() if listings[0].get(path) != stat}
    assert "stories/anchor/index.html" in changed and len(changed) < len(listings[1]) / 2
    # The second: only the files written again since, the leaking one too (removed by the report).
    assert read[1] == changed | {"robots.txt"} and "robots.txt" not in listings[1]
    assert here == []
    assert any("robots.txt" in record.getMessage() and "草稿里的秘密标题" in record.getMessage()
               for record in caplog.records if record.levelname == "ERROR"), caplog.text


def test_the_outputs_thread_gives_way_to_an_edits_run(tmp_path, monkeypatch):
    """Between two outputs the outputs thread waits while an edit's run is under way (both are Python
    in one process): from the run's call to its end, whatever it does. Any other thread (outputs run
    inside a run, or by wait()) goes on at once."""
    kept = preview.Preview(tmp_path / "mkdocs.yml", tmp_path / "site", background=False)
    inside, release = threading.Event(), threading.Event()

    def run(full_followed, named, asked):
        inside.set()
        release.wait(10)
        return {"rendered": 0, "written": 0}

    monkeypatch.setattr(kept, "_update", run)
    editing = threading.Thread(target=kept.update)
    editing.start()
    assert inside.wait(10)
    gave_way: list[float] = []
    worker = threading.Thread(target=lambda: (kept._give_way(), gave_way.append(time.monotonic())))
    kept._worker = worker
    kept._give_way_until = time.monotonic() + 60
    worker.start()
    worker.join(0.5)
    assert worker.is_alive() and not gave_way  # waiting for the run
    assert not kept._worker_busy  # meanwhile the run may fork its pages' second process
    kept._give_way()  # not the outputs thread: at once
    ended = time.monotonic()
    release.set()
    editing.join(10)
    worker.join(10)
    assert gave_way and gave_way[0] >= ended
    # One outputs run gives way for GIVE_WAY seconds in all, and not at all once a full build waits.
    release.clear()
    inside.clear()
    editing = threading.Thread(target=kept.update)
    editing.start()
    assert inside.wait(10)
    kept._worker = threading.current_thread()
    kept._give_way_until = time.monotonic() + 0.3
    began = time.monotonic()
    kept._give_way()
    assert 0.2 < time.monotonic() - began < 5
    kept._give_way_until = time.monotonic() + 60
    kept._full_waiting = True
    began = time.monotonic()
    kept._give_way()
    assert time.monotonic() - began < 5
    release.set()
    editing.join(10)


def test_a_save_is_seen_when_the_system_tells_and_when_it_cannot(project, monkeypatch):
    """The watcher runs the preview on a save: told by the system (its own look every `safety` seconds
    is set far too slow to be what saw it here), and, where the system cannot tell (a watch limit), by
    looking every `interval` seconds."""
    import watchdog.observers

    tmp_path, config, site = project
    threads = threading.active_count()
    kept = preview.Preview(config, tmp_path / "kept", background=False)
    kept.defer_outputs = True
    kept.full()
    page = kept.site_dir / "stories/anchor/index.html"

    def seen(watcher: preview.Watcher, title: str, lose_the_observer: bool = False) -> bool:
        thread = threading.Thread(target=watcher.run, daemon=True)
        thread.start()
        assert watcher.watching.wait(30)
        if lose_the_observer:  # as when a watched folder is moved away: its watch stops
            watcher.observer.stop()
            watcher.observer.join(10)
        site.stories["anchor"].title = title
        site.write("anchor")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and title not in page.read_text(encoding="utf-8"):
            time.sleep(0.05)
        watcher.close()
        thread.join(30)
        return title in page.read_text(encoding="utf-8") and not thread.is_alive()

    told = preview.Watcher(kept, safety=3600)
    assert seen(told, "系统告知后的新标题") and told.told
    lost = preview.Watcher(kept, safety=0.5)  # its next look finds the observer stopped: it polls from then on
    assert seen(lost, "通知中断后的新标题", lose_the_observer=True) and not lost.told

    def refused(self):
        raise OSError("inotify watch limit reached")

    monkeypatch.setattr(watchdog.observers.Observer, "start", refused)
    polled = preview.Watcher(kept, safety=3600)
    assert seen(polled, "定时查看到的新标题") and not polled.told
    # Stopped, the watcher leaves no thread behind (the observer's): a process with threads forks none
    # (derived.warm), so later work in the same process would lose its second core.
    assert threading.active_count() == threads, threading.enumerate()


def test_the_watcher_runs_at_once_on_what_the_system_names(project, monkeypatch):
    """Told by the system, the watcher runs the edit's run without looking at every file first (the
    look for its safety check comes after the run), and passes over what editors' tools leave: a
    swap file, an Obsidian folder, a backup, Python's compiled templates."""
    tmp_path, config, site = project
    kept = preview.Preview(config, tmp_path / "kept", background=False)
    kept.defer_outputs = True
    kept.full()
    calls: list[str] = []
    scan, update = preview._scan, kept.update
    monkeypatch.setattr(preview, "_scan", lambda paths: calls.append("scan") or scan(paths))
    monkeypatch.setattr(kept, "update", lambda *args, **kwargs: calls.append("update") or update(*args, **kwargs))
    watcher = preview.Watcher(kept, safety=3600)
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    try:
        assert watcher.watching.wait(30) and watcher.told
        content = site.content
        (content / "stories/.anchor.md.swp").write_bytes(b"\0" * 64)
        (content / ".obsidian").mkdir()
        (content / ".obsidian/workspace.json").write_text("{}", encoding="utf-8")
        (content / "stories/anchor.md~").write_text("旧稿", encoding="utf-8")
        templates = preview.TEMPLATES.parent / "__pycache__"
        time.sleep(1.0)
        assert calls == ["scan", "scan"]  # the first look only: nothing worth a run
        site.stories["anchor"].title = "系统点名后立即重建"
        site.write("anchor")
        page = kept.site_dir / "stories/anchor/index.html"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and "系统点名后立即重建" not in page.read_text(encoding="utf-8"):
            time.sleep(0.05)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(calls) < 5:
            time.sleep(0.05)
        assert calls == ["scan", "scan", "update", "scan", "scan"]
    finally:
        watcher.close()
        thread.join(30)
    assert watcher._what({str(templates / "base.cpython-311.pyc"), str(site.content / "stories/#anchor.md#")}) is None
    assert watcher._what({str(preview.TEMPLATES / "base.html")}) == "full"
    assert watcher._what({str(kept.config_file)}) == "full"
    assert watcher._what({str(kept.config_file.parent / "README.md")}) is None
    assert watcher._what({str(site.content / "stories"), str(site.content / ".anchor.md.swp")}) == "update"


def test_files_the_system_names_are_read_without_walking_the_folder(project, monkeypatch):
    """When the system names only item or list files, edited, come or gone (load.walk_after), the run
    reads those again and walks no folder; a picture, a folder or a link named, and it walks."""
    from unionpress import load as up_load

    tmp_path, config, site = project
    kept = preview.Preview(config, tmp_path / "kept", background=False)
    kept.defer_outputs = True
    kept.full()
    walks: list[str] = []
    walk, others = up_load._walk, preview.Preview._other_files
    monkeypatch.setattr(up_load, "_walk", lambda *args: walks.append("items") or walk(*args))
    monkeypatch.setattr(preview.Preview, "_other_files", staticmethod(lambda *args: walks.append("others") or others(*args)))
    content = site.content
    anchor = str(content / "stories/anchor.md")
    page = kept.site_dir / "stories/anchor/index.html"

    def run(named, expect_walk: bool) -> None:
        walks.clear()
        kept.update(named=named)
        assert not kept.error, kept.error
        assert walks == (["others", "items"] if expect_walk else []), (named, walks)

    def shows(slug: str, title: str) -> bool:
        return title in (kept.site_dir / f"stories/{slug}/index.html").read_text(encoding="utf-8")

    site.stories["anchor"].title = "只点名这一篇"
    site.write("anchor")
    run({anchor}, False)
    assert shows("anchor", "只点名这一篇")
    assert kept.timings["parsed"] == 1  # only the file named is looked at and parsed
    site.write_lists()
    run({str(content / "columns.yml"), str(content / "topics.yml")}, False)
    # Another file changed but not named: not seen by this run; the watcher's own look finds it.
    other = next(slug for slug, story in sorted(site.stories.items()) if slug != "anchor" and story.status == "published"
                 and story.date < "2026-11")  # shown (not held back by its date)
    site.stories[other].title = "没有点名的改动"
    site.write(other)
    site.stories["anchor"].title = "点名的改动"
    site.write("anchor")
    run({anchor}, False)
    assert shows("anchor", "点名的改动") and not shows(other, "没有点名的改动")
    run(None, True)
    assert shows(other, "没有点名的改动")
    # A story come and gone: told without a walk (load.walk_after); a picture, a folder, a symbolic
    # link where a file was: a walk.
    site.stories["s-new"] = Story("新来的稿件", "2026-03-03 09:00", "gonghui-dongtai", [], [])
    site.write("s-new")
    run({str(content / "stories/s-new.md")}, False)
    assert (kept.site_dir / "stories/s-new/index.html").is_file()
    (content / "stories/picture.png").write_bytes(b"png")
    run({str(content / "stories/picture.png"), anchor}, True)
    run({str(content / "stories")}, True)
    (content / "stories/s-new.md").unlink()
    del site.stories["s-new"]
    run({str(content / "stories/s-new.md")}, False)
    assert not (kept.site_dir / "stories/s-new/index.html").exists()
    # A run that fails takes the paths it was told with it: the next run walks, and finds its story.
    site.stories["s-lost"] = Story("失败那次的新稿", "2026-03-04 09:00", "gonghui-dongtai", [], [])
    site.write("s-lost")
    prepare = preview.engine.prepare
    monkeypatch.setattr(preview.engine, "prepare", lambda *args, **kwargs: (_ for _ in ()).throw(OSError("读盘出错")))
    with pytest.raises(OSError):
        kept.update(named={str(content / "stories/s-lost.md")})
    monkeypatch.setattr(preview.engine, "prepare", prepare)
    run({anchor}, True)
    assert shows("s-lost", "失败那次的新稿")
    moved = tmp_path / "anchor-elsewhere.md"
    shutil.move(anchor, moved)
    os.symlink(moved, anchor)
    walks.clear()
    kept.update(named={anchor})
    assert walks == ["others", "items"] and "[symlink]" in kept.error


def test_a_change_the_system_did_not_name_is_found_by_the_look_after_the_run(project, monkeypatch):
    """A named run trusts every file it was not told of. A change no event reported (a network
    folder, events lost in a large checkout) is found by the watcher's look after that run, and a
    run that looks at every file follows: the page does not stay old."""
    tmp_path, config, site = project
    kept = preview.Preview(config, tmp_path / "kept", background=False)
    kept.defer_outputs = True
    kept.full()
    other = next(slug for slug, story in sorted(site.stories.items()) if slug != "anchor" and story.status == "published"
                 and story.date < "2026-11")
    lost = str(site.content / f"stories/{other}.md")
    dispatch = preview._Nudge.dispatch
    monkeypatch.setattr(preview._Nudge, "dispatch", lambda self, event: None if os.fsdecode(event.src_path) == lost
                        else dispatch(self, event))
    watcher = preview.Watcher(kept, safety=3600)  # its own timed look far too slow to be what finds it
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    try:
        assert watcher.watching.wait(30) and watcher.told
        site.stories[other].title = "没有通知的改动"
        site.write(other)  # no event for this one
        time.sleep(0.05)
        site.stories["anchor"].title = "有通知的改动"
        site.write("anchor")
        page = kept.site_dir / f"stories/{other}/index.html"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "没有通知的改动" not in page.read_text(encoding="utf-8"):
            time.sleep(0.05)
        assert "没有通知的改动" in page.read_text(encoding="utf-8")
        assert "有通知的改动" in (kept.site_dir / "stories/anchor/index.html").read_text(encoding="utf-8")
    finally:
        watcher.close()
        thread.join(30)


def test_what_editors_tools_leave_does_not_make_every_item_new(project):
    """The content folder's other files are part of every item's digest (Preview._env): a swap file
    or an Obsidian folder changing every few seconds must not make the next run redo every item."""
    tmp_path, config, site = project
    kept = preview.Preview(config, tmp_path / "kept", background=False)
    kept.defer_outputs = True
    kept.full()
    site.stories["anchor"].body = "先改一次正文。"
    site.write("anchor")
    kept.update()
    (site.content / "stories/.anchor.md.swp").write_bytes(b"\0" * 64)
    (site.content / ".obsidian").mkdir()
    (site.content / ".obsidian/workspace.json").write_text("{}", encoding="utf-8")
    (site.content / "~$附件.docx").write_bytes(b"lock")
    assert kept.update() == {"rendered": 0, "written": 0}
    assert kept.cache.computed == {} and kept.timings["parsed"] == 0
    (site.content / "stories/new-picture.png").write_bytes(b"not junk")  # a real file still counts
    kept.update()
    assert kept.cache.computed


def test_a_kept_picture_check_sees_the_picture_replaced_under_its_name(project):
    """A front-matter picture's checks are kept by the item and the folder's other files, and by the
    picture's own size and time: a picture whose name the other files leave out (load.is_junk, here
    a name with a leading dot) replaced by a broken one is an error on the next run, as in a build."""
    import io

    from PIL import Image as PILImage

    tmp_path, config, site = project
    picture = site.content / "images/.cover.jpg"
    picture.parent.mkdir(exist_ok=True)
    made = io.BytesIO()
    PILImage.new("RGB", (320, 200), (180, 40, 40)).save(made, "JPEG", quality=90)
    picture.write_bytes(made.getvalue())
    story = site.content / "stories/anchor.md"
    story.write_text(story.read_text(encoding="utf-8").replace(
        "status: published", "status: published\ncover: ../images/.cover.jpg\ncover_alt: 车间"), encoding="utf-8")
    kept = preview.Preview(config, tmp_path / "kept", background=False)
    kept.defer_outputs = True
    kept.full()
    assert not kept.error
    site.stories["s1"].body = "别的稿件改了。"
    site.write("s1")
    kept.update()
    assert not kept.error and kept.cache.computed.get("images", 0) == 0  # the cover's check was kept
    picture.write_bytes(made.getvalue()[:300])  # the header reads, the picture does not
    kept.update(named={str(picture)})
    assert "content/stories/anchor.md:" in kept.error and "[image-broken]" in kept.error, kept.error


def test_a_full_build_that_fails_says_the_findings(project):
    tmp_path, config, site = project
    site.stories["anchor"].body = "见[不存在的稿件](missing.md)。"
    site.write("anchor")
    kept = preview.Preview(config, tmp_path / "kept", background=False)
    with pytest.raises(preview.FullBuildFailed) as failed:
        kept.full()
    assert "content/stories/anchor.md:" in str(failed.value) and "[link-missing]" in str(failed.value)
    message, shown = preview.status_line(kept)
    assert shown and "[link-missing]" in message
