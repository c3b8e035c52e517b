"""A build renders only the pages whose inputs changed since the last build of its folder
(hooks/unionpress/buildmemo.py); every other page is the last build's file. After any sequence of
edits the folder is byte for byte what a build with no memo makes; a memo that is damaged, foreign,
made by other code or names a file that is gone is not believed."""

from __future__ import annotations

import dataclasses
import os
import random
import re
import shutil
import time
from pathlib import Path

import pytest

from conftest import MKDOCS, NOW, ROOT
from forkrun import COMMANDS
from test_forking import build, split  # noqa: F401 — the sample's model; every site split in two processes
from test_incremental import EDITS, differences, project  # noqa: F401 — the fixture site and its edits
from unionpress import buildmemo, derived
from unionpress.pages import Renderer

COUNT = re.compile(r"UnionPress 页面：(\d+) 页中 (\d+) 页沿用上次构建的文件，未重新生成；正文：(\d+) 篇中 (\d+) 篇沿用；电子书 (\d+) 本沿用")


def _build(config: Path, site: Path, fresh: bool = False) -> tuple[int, ...]:
    """`mkdocs build -v` as a user runs it; (pages, pages linked and not rendered, bodies, bodies kept,
    EPUB books kept) from its log.
    `fresh`: UNIONPRESS_FRESH=1, every body and page made, no memo read or kept."""
    args = [*MKDOCS, "build", "-v", "--strict", "-f", str(config), "-d", str(site)]
    result = COMMANDS.run((args, dict(os.environ, UNIONPRESS_FRESH="1" if fresh else ""), ROOT))[0]
    assert result.returncode == 0, result.stderr[-3000:]
    if fresh:
        assert not COUNT.search(result.stderr + result.stdout)
        return 0, 0, 0, 0, 0
    found = COUNT.search(result.stderr + result.stdout)
    assert found, "the build says how many pages it linked"
    return tuple(map(int, found.groups()))


@pytest.mark.parametrize("seed,preview_mode", [(21, False), (22, True)])
def test_a_build_over_the_last_one_equals_a_build_from_nothing_after_any_edits(project, monkeypatch,  # noqa: F811
                                                                               seed, preview_mode):
    """Every kind of edit once, one per build, in an order of the seed's (the preview: four of them)."""
    tmp_path, config, site = project
    if preview_mode:
        monkeypatch.setenv("UNIONPRESS_PREVIEW", "1")
    kept, fresh = tmp_path / "kept", tmp_path / "fresh"
    total, linked, bodies, kept_bodies, books = _build(config, kept)
    assert total > 20 and linked == 0 and bodies > 5 and kept_bodies == books == 0
    again = _build(config, kept)
    assert again[:4] == (total, total, bodies, bodies) and again[4] > 1  # nothing changed: nothing made
    rnd = random.Random(seed)
    edits = rnd.sample(EDITS, 4 if preview_mode else len(EDITS))
    done: list[str] = []
    partly = 0
    for edit in edits:
        done.append(edit(rnd, site))
        time.sleep(0.002)  # a new mtime_ns even on a coarse clock
        total, linked, bodies, kept_bodies, _books = _build(config, kept)
        partly += 0 < linked < total and 0 < kept_bodies < bodies
        shutil.rmtree(fresh, ignore_errors=True)
        _build(config, fresh, fresh=True)
        assert differences(kept, fresh) == [], f"编辑顺序：{done}"
    assert partly >= 2, done  # most edits render a few pages, not none and not all


def test_bodies_kept_from_the_last_build_make_what_rendering_them_makes(tmp_path):
    """The sample's bodies (pictures in them, partner bundles that ship their originals) taken from the
    memo give every file a build that renders them gives."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    env = dict(os.environ, UNIONPRESS_CONTENT=str(content), UNIONPRESS_NOW=NOW, NO_MKDOCS_2_WARNING="1")
    env.pop("UNIONPRESS_PREVIEW", None)
    counts = []
    for site in ("rendered", "kept"):
        args = [*MKDOCS, "build", "-v", "--strict", "-d", str(tmp_path / site)]
        result = COMMANDS.run((args, env, ROOT))[0]
        assert result.returncode == 0, result.stderr[-3000:]
        counts.append(COUNT.search(result.stderr + result.stdout).groups())
    (pages, linked, bodies, first, books), (_pages, _linked, _bodies, second, kept_books) = counts
    assert int(first) == int(books) == 0 and int(second) == int(bodies) > 20  # a new folder: its pages all rendered
    assert int(kept_books) > 5
    assert differences(tmp_path / "kept", tmp_path / "rendered") == []
    assert list((tmp_path / "kept/exports/partners").glob("*.zip"))


def test_a_book_kept_from_the_last_build_says_its_findings_again(tmp_path):
    """What a book could not hold is said by every build, the one that takes the book from the memo too;
    a book no longer made is taken out of the cache (each edit and each day would leave one behind)."""
    from conftest import BASE, write_story
    from test_epub import ODD

    content = tmp_path / "content"
    shutil.copytree(BASE, content)
    story = write_story(content, "odd", ODD, title="怪写法", date="2026-06-01 09:00")
    env = dict(os.environ, UNIONPRESS_CONTENT=str(content), UNIONPRESS_NOW=NOW, NO_MKDOCS_2_WARNING="1",
               UNIONPRESS_CACHE=str(tmp_path / "cache/pictures"))
    env.pop("UNIONPRESS_PREVIEW", None)
    said = []

    def kept_books() -> set[str]:
        return {path.name for path in (tmp_path / "cache/derived").glob("*/epub-books/*/*")}

    for build_ in range(3):
        if build_ == 2:
            story.write_text(story.read_text(encoding="utf-8") + "\n\n补记一段。\n", encoding="utf-8")
        result = COMMANDS.run(([*MKDOCS, "build", "-v", "-d", str(tmp_path / "site")], env, ROOT))[0]
        assert result.returncode == 0, result.stderr[-3000:]
        said.append((sorted(line for line in result.stderr.splitlines() if "[epub-xhtml]" in line),
                     int(COUNT.search(result.stderr).group(5)), kept_books()))
    (first, made, _records), (second, kept, records), (third, kept_again, after_edit) = said
    books = len(list((tmp_path / "site/downloads").glob("*.epub")))
    assert len(first) == 6 and second == first == third
    assert made == 0 and kept == books >= 1 and len(records) == books
    assert kept_again < books  # the edited story's books made again, the others kept
    assert len(after_edit) == books and after_edit != records  # the books it replaced are gone


def _render(build, cache: Path, site: Path, into: Path) -> buildmemo.BuildMemo:
    """One build's pages into `into`, over the last build of `site`, as hooks/build.py renders them."""
    rewritten = derived.Rewritten(cache, site, "pages")
    kept = buildmemo.BuildMemo(build.settings, site, rewritten)
    build.render(into=into, rewritten=rewritten, kept=kept)
    rewritten.save()
    kept.save(build.pages)
    return kept


def _files(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture
def first(build, tmp_path, monkeypatch):
    """The pages of a first build in `site`, its memo and ledger kept in `cache` (not the project's);
    from then on each page rendered is noted."""
    cache, site = tmp_path / "cache", tmp_path / "site"
    monkeypatch.setattr(buildmemo.derived, "memo_file",
                        lambda _cache, kind, folder, ending: cache / kind / (Path(folder).name + ending))
    made = _render(build, cache, site, site)
    assert made.linked == 0 and len(build.pages) > 20
    renders = tmp_path / "renders"
    render = Renderer.render

    def noted(self, page):  # a file, not a list: a forked child's pages count too
        with renders.open("a", encoding="utf-8") as note:
            note.write(page.output + "\n")
        return render(self, page)

    monkeypatch.setattr(Renderer, "render", noted)
    return cache, site, renders


def _rendered(renders: Path) -> list[str]:
    return renders.read_text(encoding="utf-8").splitlines() if renders.exists() else []


def test_the_next_build_renders_no_page_and_links_every_one(build, first, split, tmp_path):
    cache, site, renders = first
    again = _render(build, cache, site, tmp_path / "again")
    assert again.linked == len(build.pages) and _rendered(renders) == []
    assert _files(tmp_path / "again") == {path: data for path, data in _files(site).items()}
    assert all((tmp_path / "again" / page.output).stat().st_ino == (site / page.output).stat().st_ino
               for page in build.pages)
    # The memo the child's pages were linked by is kept whole for the build after (records of both halves).
    shutil.rmtree(site)
    (tmp_path / "again").rename(site)
    assert _render(build, cache, site, tmp_path / "third").linked == len(build.pages)


def test_a_page_changed_by_hand_since_is_rendered_again(build, first, tmp_path):
    cache, site, renders = first
    page = build.pages[3]
    target = site / page.output
    target.write_bytes(target.read_bytes().replace(b"</body>", b"QZ8</body>"))
    again = _render(build, cache, site, tmp_path / "again")
    assert _rendered(renders) == [page.output] and again.linked == len(build.pages) - 1
    assert b"QZ8" not in (tmp_path / "again" / page.output).read_bytes()


def _memo(cache: Path) -> Path:
    found = list((cache / "page-records").iterdir())
    assert len(found) == 1
    return found[0]


def test_a_damaged_memo_is_not_believed(build, first, tmp_path):
    cache, site, renders = first
    memo = _memo(cache)
    data = bytearray(memo.read_bytes())
    data[-40] ^= 0x01
    memo.write_bytes(bytes(data))
    again = _render(build, cache, site, tmp_path / "again")
    assert again.linked == 0 and len(_rendered(renders)) == len(build.pages)
    assert _files(tmp_path / "again") == _files(site)


def test_a_memo_naming_code_is_refused_not_run(build, first, tmp_path):
    cache, site, renders = first
    shared, records = buildmemo._read(_memo(cache), buildmemo._PAGES)
    assert records
    output = next(iter(records))
    fingerprint, deps, sha, assets = records[output]
    records[output] = (fingerprint, deps, sha, (("x", os.system),))
    buildmemo._write(_memo(cache), buildmemo._PAGES, shared, records)
    assert buildmemo._read(_memo(cache), buildmemo._PAGES) == (b"", {})
    assert _render(build, cache, site, tmp_path / "again").linked == 0


def test_a_memo_made_by_other_code_renders_every_page(build, first, tmp_path, monkeypatch):
    cache, site, renders = first
    monkeypatch.setattr(buildmemo, "_package", lambda: b"another version of the templates")
    assert _render(build, cache, site, tmp_path / "again").linked == 0
    assert len(_rendered(renders)) == len(build.pages)


def test_a_page_whose_file_is_gone_from_the_cache_is_rendered(build, first, tmp_path):
    cache, site, renders = first
    shared, records = buildmemo._read(_memo(cache), buildmemo._PAGES)
    output = next(output for output, record in records.items() if record[3])
    fingerprint, deps, sha, assets = records[output]
    records[output] = (fingerprint, deps, sha, ((assets[0][0], str(tmp_path / "gone.css")),) + assets[1:])
    buildmemo._write(_memo(cache), buildmemo._PAGES, shared, records)
    _render(build, cache, site, tmp_path / "again")
    assert _rendered(renders) == [output]


def test_a_recorded_answer_that_differs_renders_the_page(build, first, tmp_path):
    cache, site, renders = first
    shared, records = buildmemo._read(_memo(cache), buildmemo._PAGES)
    output = next(output for output, record in records.items() if record[1])
    fingerprint, deps, sha, assets = records[output]
    (call, _answer), *rest = deps
    records[output] = (fingerprint, ((call, b"another answer"), *rest), sha, assets)
    buildmemo._write(_memo(cache), buildmemo._PAGES, shared, records)
    _render(build, cache, site, tmp_path / "again")
    assert _rendered(renders) == [output]


def test_a_kept_book_is_read_when_written_and_made_again_when_its_record_is_gone(build, tmp_path):
    """The library is not held in memory while the pages render (120 MB at 10,000 stories): each book
    is where its record lies, read when the output writes it; a record gone by then makes the book again."""
    from unionpress.outputs import epub

    mine = dataclasses.replace(build, settings=dataclasses.replace(build.settings, cache_dir=tmp_path / "cache"))
    epub._library.pop(build.public, None)
    try:
        expected = {book.anthology.file: book.data
                    for book in epub.library(mine.public, mine.settings, mine.public_body)}
        epub._library.pop(build.public, None)
        for made_now in (True, False):  # made by this build, then taken from the cache by the next
            memo = buildmemo.BuildMemo(mine.settings, tmp_path / "site", derived.Rewritten(
                mine.settings.cache_dir, tmp_path / "site", "pages"))
            books = memo.library(mine)
            epub._library.pop(build.public, None)
            assert memo.books_kept == (0 if made_now else len(expected)) and len(expected) > 1
            assert all(isinstance(book.made, derived.Stretch) for book in books)
            assert {book.anthology.file: book.length for book in books} == {
                file: len(data) for file, data in expected.items()}
        epub._library[build.public] = books
        for then in ("kept", "replaced", "gone"):
            records = list(derived.records_folder(mine.settings.cache_dir).glob("epub-books/*/*"))
            assert len(records) == len(expected)
            for record in records:
                if then == "replaced":  # by a record of another layout: the stretch is not read at its offsets
                    files = derived.unpack(derived.read_sealed(record))
                    derived.write_sealed(record, derived.pack({"findings": files["findings"] + b" " * 100,
                                                               "epub": files["epub"]}))
                elif then == "gone":
                    record.unlink()
            out = tmp_path / f"out-{then}"
            written = epub.write(mine.public, mine.public_pages, out, mine.settings, mine.public_body)
            assert {file: (out / file).read_bytes() for file in written} == expected
    finally:
        epub._library.pop(build.public, None)
