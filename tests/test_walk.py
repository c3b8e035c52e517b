"""load.walk_after: what `unionpress serve` takes for a walk of the content folder when the system
named what changed. Whenever it answers, it must be exactly what a new walk finds (the order too:
which of two files with one slug is read first is the walk's to say); when in doubt, it says so."""

from __future__ import annotations

import os
import random
import types
from pathlib import Path

from unionpress import load
from unionpress.findings import Findings


_SHOWN = types.SimpleNamespace(display=str)  # the settings as the walk uses them: to name a file in a report


def _walk(root: Path) -> load.Walk:
    said = Findings()
    finder = load._Finder(_SHOWN, said)
    found = load._walk(root, finder)
    load._report_strays(root, finder, _SHOWN, said)
    return load.Walk(tuple(found), tuple(said.items), frozenset(str(path) for _kind, _slug, path, _parent in found),
                     frozenset(finder.spoken))


def _write(path: Path, text: str = "---\ntitle: 稿件\n---\n\n正文。\n") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_a_walk_told_what_changed_is_a_new_walk(tmp_path):
    rnd = random.Random(11)
    root = tmp_path / "content"
    folders = ["stories", "stories/2025", "stories/2026", "models", "exhibitions/2026"]
    for number in range(12):
        _write(root / rnd.choice(folders) / f"s{number:02d}.md")
    _write(root / "stories/bundle-b/index.md")
    _write(root / "stories/2026/bundle-a/index.md")
    _write(root / "contests/2026/race/index.md")
    _write(root / "contests/2026/race/entries/e1.md")
    last, told = _walk(root), 0

    def plain_files() -> list[Path]:
        return sorted(path for folder in folders for path in (root / folder).glob("*.md") if not path.is_symlink())

    for step in range(80):
        named: set[str] = set()
        what = rnd.choice(["new", "new", "gone", "renamed", "edited", "junk", "bundle", "picture", "year", "same slug",
                           "link", "link gone", "stray"])
        if what == "new":
            path = root / rnd.choice(folders) / f"n{step:02d}{rnd.choice('abz')}.md"
            _write(path)
            named.add(str(path))
        elif what in ("gone", "renamed", "edited") and plain_files():
            path = rnd.choice(plain_files())
            named.add(str(path))
            if what == "edited":
                _write(path, "---\ntitle: 改过\n---\n")
            else:
                moved = root / rnd.choice(folders) / f"m{step:02d}.md"
                path.rename(moved) if what == "renamed" else path.unlink()
                named.add(str(moved)) if what == "renamed" else None
        elif what == "junk":
            path = root / "stories" / f".s{step}.md.swp"
            path.write_bytes(b"swap")
            named.add(str(path))
        elif what == "bundle":  # a bundle's index comes: its folder's other files change meaning
            path = root / "stories" / f"bundle-{step}" / "index.md"
            _write(path)
            named |= {str(path.parent), str(path)}
        elif what == "picture":  # the other files are part of every item: a walk
            path = root / "stories/2025" / f"p{step}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"png")
            named.add(str(path))
        elif what == "year":  # a year folder new since the last walk
            path = root / "stories" / str(2030 + step) / "y.md"
            _write(path)
            named |= {str(path.parent), str(path)}
        elif what == "link":  # a symbolic link where an item would be: an error of the walk's
            path = root / "stories" / f"l{step}.md"
            os.symlink(rnd.choice(plain_files()), path)
            named.add(str(path))
        elif what == "link gone":  # the error goes with it
            links = sorted(path for path in (root / "stories").glob("l*.md") if path.is_symlink())
            if links:
                links[0].unlink()
                named.add(str(links[0]))
        elif what == "stray":  # Markdown no kind claims: the walk speaks of it
            path = root / f"stray{step}.md"
            _write(path)
            named.add(str(path))
        else:  # a second file with a slug the kind has: the walk says which is read first
            path = root / "stories/2026" / (_walk(root).items[0][1] + ".md")
            if not path.exists():
                _write(path)
                named.add(str(path))
                assert load.walk_after(last, named, root) is None
        after = load.walk_after(last, named, root)
        fresh = _walk(root)
        if after is not None:
            assert after.items == fresh.items and after.files == fresh.files, (what, named)
            assert sorted(after.said) == sorted(fresh.said) and after.spoken == fresh.spoken, (what, named)
            told += 1
        if what in ("bundle", "picture", "year", "link", "stray") or what == "link gone" and named:
            assert after is None, what
        if what in ("new", "edited", "junk"):
            assert after is not None, (what, named)
        last = fresh
    assert told >= 40


def test_a_folder_moved_away_or_a_link_where_a_file_was_is_walked(tmp_path):
    root = tmp_path / "content"
    _write(root / "stories/2025/a.md")
    _write(root / "stories/b.md")
    last = _walk(root)
    (root / "stories/2025").rename(tmp_path / "elsewhere")  # the system names the folder only
    assert load.walk_after(last, {str(root / "stories/2025")}, root) is None
    (tmp_path / "elsewhere").rename(root / "stories/2025")
    os.unlink(root / "stories/b.md")
    os.symlink(root / "stories/2025/a.md", root / "stories/b.md")
    assert load.walk_after(last, {str(root / "stories/b.md")}, root) is None
    # Beside mkdocs.yml, outside the content folder (the watcher names those too): nothing to walk for.
    assert load.walk_after(last, {str(tmp_path / "README.md")}, root) == last


def test_a_name_changed_only_in_case_is_walked(tmp_path, monkeypatch):
    """Where the file system ignores case (Windows, macOS), Story.md renamed story.md still answers
    to its old name: both names would stay in the walk. Only a name the folder lists counts. (This
    machine's file system minds case: lstat is made to ignore it, as those systems' do.)"""
    root = tmp_path / "content"
    _write(root / "stories/Story.md")
    _write(root / "stories/other.md")
    last = _walk(root)
    (root / "stories/Story.md").rename(root / "stories/story.md")
    lstat = os.lstat

    def ignoring_case(path, *args, **kwargs):
        folder, name = os.path.split(os.fspath(path))
        for there in os.listdir(folder) if os.path.isdir(folder) else ():
            if there.casefold() == name.casefold():
                return lstat(os.path.join(folder, there), *args, **kwargs)
        return lstat(path, *args, **kwargs)

    monkeypatch.setattr(load.os, "lstat", ignoring_case)
    named = {str(root / "stories/Story.md"), str(root / "stories/story.md")}
    assert load.walk_after(last, named, root) is None
