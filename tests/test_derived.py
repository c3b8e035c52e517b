"""The cache of derived files (name cards, EPUB covers): a record is reused only for the same inputs,
code and library versions, and a damaged record is made again, never served."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from unionpress import derived
from test_gallery import gallery  # noqa: F401  (fixture)

CODE = Path(derived.__file__)


def _maker(calls: list, data: bytes):
    def make() -> bytes:
        calls.append(data)
        return data
    return make


def test_same_inputs_are_made_once(tmp_path):
    cache, calls = tmp_path / "pictures", []
    name = derived.key(CODE, ["王建国", "2020年 全国劳动模范"])
    assert derived.cached(cache, "cards", name, _maker(calls, b"<svg>1</svg>")) == b"<svg>1</svg>"
    assert derived.cached(cache, "cards", name, _maker(calls, b"<svg>2</svg>")) == b"<svg>1</svg>"
    assert calls == [b"<svg>1</svg>"]
    assert (derived.records_folder(cache) / "cards" / name[:2] / name).is_file()


def test_any_change_of_inputs_code_or_library_gives_another_record(tmp_path):
    base = derived.key(CODE, ["王建国", "2020年"], ("pillow",))
    assert derived.key(CODE, ["王建国", "2021年"], ("pillow",)) != base
    assert derived.key(Path(__file__), ["王建国", "2020年"], ("pillow",)) != base  # other drawing code
    assert derived.key(CODE, ["王建国", "2020年"], ("segno",)) != base
    assert derived.key(CODE, ["王建国", "2020年"], ("pillow",)) == base


def test_a_damaged_record_is_made_again(tmp_path):
    cache, calls = tmp_path / "pictures", []
    name = derived.key(CODE, ["赵秀英"])
    derived.cached(cache, "covers", name, _maker(calls, b"good bytes"))
    record = derived.record_path(cache, "covers", name)
    record.write_bytes(record.read_bytes()[:-3] + b"bad")
    assert derived.cached(cache, "covers", name, _maker(calls, b"good bytes")) == b"good bytes"
    assert len(calls) == 2
    assert derived.cached(cache, "covers", name, _maker(calls, b"other")) == b"good bytes"  # mended


def test_an_engine_versions_records_are_kept_apart_and_removed_when_unused(tmp_path, monkeypatch):
    # Each version of the engine's code keeps its records in a folder of its own; one no build has
    # used for KEEP_DAYS goes (an upgrade leaves nothing behind), one used lately stays.
    cache = tmp_path / "pictures"
    root = cache.parent / "derived"
    stale, recent = root / "0123456789abcdef", root / "fedcba9876543210"
    others = root / "notes"  # not the engine's: UNIONPRESS_CACHE may put "derived" beside anything
    for folder in (stale, recent, root / "wechat-package", others):  # wechat-package: the layout before versions
        (folder / "ab").mkdir(parents=True)
        (folder / "ab" / "record").write_bytes(b"x")
    old = time.time() - (derived.KEEP_DAYS + 1) * 86400
    for folder in (stale, root / "wechat-package", others):
        os.utime(folder, (old, old))
    os.utime(recent, (old + 2 * 86400, old + 2 * 86400))
    derived.records_folder.cache_clear()
    name = derived.key(CODE, ["王建国"])
    derived.cached(cache, "cards", name, lambda: b"<svg/>")
    own = derived.records_folder(cache)
    assert own.parent == root and own.name == derived._engine().hex()[:16]
    assert sorted(p.name for p in root.iterdir()) == sorted([own.name, recent.name, others.name])
    assert derived.record_path(cache, "cards", name).read_bytes().endswith(b"<svg/>")
    os.utime(own, (old, old))  # a long pause, then another build: its own folder is used again, not removed
    derived.records_folder.cache_clear()
    assert derived.has(cache, "cards", name) and own.stat().st_mtime > old + 86400


def test_an_unwritable_cache_still_gives_the_file(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    calls: list = []
    assert derived.cached(blocked / "pictures", "cards", "ab" * 32, _maker(calls, b"x")) == b"x"
    assert derived.cached(blocked / "pictures", "cards", "ab" * 32, _maker(calls, b"x")) == b"x"
    assert len(calls) == 2


def _where() -> bytes:
    return f"{os.getpid()}:{threading.get_ident()}".encode()


@pytest.mark.parametrize("processes", [False, True])
def test_warm_makes_what_the_cache_lacks_elsewhere_and_leaves_a_failure_to_the_caller(tmp_path, monkeypatch, processes):
    # The records of a first build's exports are made on every core (derived.warm); the caller then reads
    # them in its own order, and a job that failed there is made again, in order, where its error shows.
    monkeypatch.setattr(derived.sitefiles, "cores", lambda: 2)
    cache = tmp_path / "pictures"
    names = [derived.key(CODE, ["稿件", n]) for n in range(6)]
    derived.cached(cache, "packages", names[0], lambda: b"kept before")

    def broken() -> bytes:
        raise ValueError("坏稿件")

    jobs = [(names[0], lambda: b"made again")] + [(name, _where) for name in names[1:5]] + [(names[5], broken)]
    derived.warm(cache, "packages", jobs, processes=processes)
    here = _where()
    made = [derived.cached(cache, "packages", name, lambda: b"not made by warm") for name in names[1:5]]
    assert b"not made by warm" not in made and here not in made  # made by warm's workers, not here
    assert all(record.startswith(str(os.getpid()).encode() + b":") != processes for record in made)
    assert derived.cached(cache, "packages", names[0], lambda: b"made again") == b"kept before"
    assert not derived.has(cache, "packages", names[5])
    with pytest.raises(ValueError, match="坏稿件"):
        derived.cached(cache, "packages", names[5], broken)


def test_warm_forks_only_a_process_without_other_threads(tmp_path, monkeypatch):
    # A lock another thread holds at a fork stays held in the child (`unionpress serve` makes its
    # outputs beside its server's threads): then the records are made in threads of this process.
    monkeypatch.setattr(derived.sitefiles, "cores", lambda: 2)
    cache, stop = tmp_path / "pictures", threading.Event()
    server = threading.Thread(target=stop.wait)
    server.start()
    try:
        names = [derived.key(CODE, ["线程", n]) for n in range(4)]
        derived.warm(cache, "packages", [(name, _where) for name in names], processes=True)
    finally:
        stop.set()
        server.join()
    made = [derived.cached(cache, "packages", name, lambda: b"not made by warm") for name in names]
    assert all(record.startswith(str(os.getpid()).encode() + b":") for record in made), made
    assert _where() not in made


def test_a_picture_input_is_its_bytes(tmp_path):
    picture = tmp_path / "a.jpg"
    picture.write_bytes(b"\xff\xd8one")
    first = derived.file_digest(picture)
    picture.write_bytes(b"\xff\xd8two")
    assert derived.file_digest(picture) != first
    assert derived.file_digest(None) == derived.file_digest(tmp_path / "missing.jpg") == ""


def test_name_cards_come_from_the_cache_until_the_profile_changes(gallery, tmp_path, monkeypatch):
    """A second build draws no card again; an edited profile (its employer) gets a new card at once."""
    import dataclasses

    from conftest import check, write_item
    from unionpress.outputs import qrcards

    drawn: list[str] = []
    draw = qrcards.card_svg
    monkeypatch.setattr(qrcards, "card_svg", lambda model, *rest: drawn.append(model.slug) or draw(model, *rest))

    def cards(out):
        _, build = check(gallery)
        settings = dataclasses.replace(build.settings, site_url="https://example.org/", cache_dir=tmp_path / "pictures")
        written = qrcards.write(build.public, build.public_pages, out, settings, None)
        return {path: (out / path).read_text(encoding="utf-8") for path in written}

    first = cards(tmp_path / "one")
    assert sorted(drawn) == sorted(path.split("/")[1] for path in first) and len(first) == 6  # PEOPLE's public six
    drawn.clear()
    assert cards(tmp_path / "two") == first and drawn == []
    write_item(gallery, "models/zhou-a.md", name="周甲", photo="../images/photo.jpg", employer="新单位",
               honors="[{honor: shi-laomo, year: 2025}]", consent="{by: 本人, date: 2026-01-05}", status="published")
    third = cards(tmp_path / "three")
    assert drawn == ["zhou-a"] and "新单位" in third["models/zhou-a/card.svg"]
    assert {k: v for k, v in third.items() if "zhou-a" not in k} == {k: v for k, v in first.items() if "zhou-a" not in k}


def test_a_change_anywhere_in_the_engine_gives_another_record(monkeypatch):
    """A card is drawn with helpers from other modules (the profile's kind, the picture pipeline): a
    change to any of them must not serve a card drawn by the old code."""
    before = derived.key(CODE, ["王建国"])
    monkeypatch.setattr(derived, "_engine", lambda: b"another engine")
    assert derived.key(CODE, ["王建国"]) != before


def _exports(content: Path, site: Path) -> dict[str, tuple[int, int, bytes]]:
    """The WeChat packages and partner bundles of `content` written into `site`: each file's inode,
    mtime and bytes, by its site path."""
    from conftest import check
    from unionpress import outputs

    _, build = check(content)
    public, body_of = outputs._public(build)
    site.mkdir(exist_ok=True)
    written = [*outputs.wechat.write(public, build.public_pages, site, build.settings, body_of),
               *outputs.newsroom.write(public, build.public_pages, site, build.settings, body_of)]
    return {path: ((site / path).stat().st_ino, (site / path).stat().st_mtime_ns, (site / path).read_bytes())
            for path in written}


def test_serve_writes_again_only_the_package_and_bundle_of_a_changed_story(tmp_path):
    """`unionpress serve` runs the outputs again after each edit into the same folder: a story's WeChat
    package and partner bundle stay untouched (same inode and mtime) while it is the same, the edited
    story's are written anew and equal a fresh build's, and a file changed by hand is put right."""
    import shutil

    from conftest import BASE, write_story

    content = tmp_path / "content"
    shutil.copytree(BASE, content)
    write_story(content, "jiangxin", "焊花里的匠心。", title="焊花里的匠心")
    write_story(content, "shouhou", "井下的坚守。", title="井下的坚守")

    def run(site: Path) -> dict[str, tuple[int, int, bytes]]:
        return _exports(content, site)

    def of(files: dict, slug: str, same: bool = True) -> dict:
        return {path: found for path, found in files.items() if (f"/{slug}/" in path or f"/{slug}." in path) == same}

    site = tmp_path / "serve"
    first = run(site)
    assert of(first, "jiangxin") and of(first, "shouhou")  # both stories have files
    assert run(site) == first  # nothing written again
    story = content / "stories/jiangxin.md"
    story.write_text(story.read_text(encoding="utf-8").replace("焊花里的匠心。", "焊花里的匠心，三十年如一日。"),
                     encoding="utf-8")
    after = run(site)
    fresh = run(tmp_path / "fresh")
    assert {path: data for path, (_, _, data) in after.items()} == {path: data for path, (_, _, data) in fresh.items()}
    assert of(after, "jiangxin", same=False) == of(first, "jiangxin", same=False)  # the other story untouched
    assert all(after[path][1] != stat[1] or after[path][0] != stat[0]
               for path, stat in of(first, "jiangxin").items())  # the edited story's files written anew
    assert any(after[path][2] != found[2] for path, found in of(first, "jiangxin").items())
    tampered = next(path for path in of(after, "shouhou") if path.endswith(".zip"))
    (site / tampered).write_bytes(b"changed by hand")
    tampered_package = next(path for path in of(after, "shouhou") if path.endswith(".html"))
    (site / tampered_package).unlink()
    again = run(site)
    assert {path: data for path, (_, _, data) in again.items()} == {path: data for path, (_, _, data) in fresh.items()}


def test_a_build_of_its_own_moves_in_only_the_exports_still_as_they_were_left(tmp_path, monkeypatch):
    """`mkdocs build` sets the last build's exports aside (hooks/build.py) and, in a process that knows
    nothing of it but the ledger, place() moves back in each unit whose key and files are unchanged.
    A package edited since, a file changed or added by hand, a story no longer public, a ledger that
    cannot be read: written anew or left behind, and the folder equals a fresh build's."""
    import shutil

    from conftest import BASE, check, write_story
    from unionpress import outputs

    content = tmp_path / "content"
    shutil.copytree(BASE, content)
    for slug, text in [("jiangxin", "焊花里的匠心。"), ("shouhou", "井下的坚守。"), ("chuancheng", "师带徒。"),
                       ("tuihui", "即将撤回的稿件。")]:
        write_story(content, slug, text, title=text.rstrip("。"))
    monkeypatch.setattr(derived, "_placed", {})
    monkeypatch.setattr(derived, "_aside", {})

    def run(site: Path, earlier: Path | None) -> dict[str, tuple[int, int, bytes]]:
        derived._placed.clear()  # a process of its own
        derived.set_aside(site, earlier)
        return _exports(content, site)

    def of(files: dict, slug: str) -> dict:
        return {path: found for path, found in files.items() if f"/{slug}/" in path or f"/{slug}." in path}

    def set_aside(site: Path) -> Path:  # as hooks/build.py does before MkDocs empties the folder
        aside = tmp_path / f"aside-{len(list(tmp_path.glob('aside-*')))}"
        aside.mkdir()
        for top in outputs.CARRIED:
            if (site / top).exists():  # the search index is not made here
                (site / top).rename(aside / top)
        return aside

    site = tmp_path / "site"
    first = run(site, None)
    assert all(of(first, slug) for slug in ("jiangxin", "shouhou", "chuancheng", "tuihui"))
    aside = set_aside(site)
    assert run(site, aside) == first  # every unit moved back in: the same inodes and times
    assert not [path for path in aside.rglob("*") if path.is_file()]  # nothing was left to delete

    story = content / "stories/jiangxin.md"
    story.write_text(story.read_text(encoding="utf-8").replace("焊花里的匠心。", "焊花里的匠心，三十年如一日。"),
                     encoding="utf-8")
    (content / "stories/tuihui.md").unlink()
    aside = set_aside(site)
    package = next(iter(of(first, "shouhou"))).rsplit("/", 1)[0]
    (aside / package / "meta.json").write_bytes(b"{}")  # changed by hand
    (aside / next(p for p in of(first, "chuancheng") if "/wechat/" in p)).parent.joinpath("extra.txt").write_text(
        "手工放进来的文件", encoding="utf-8")
    bundle = next(path for path in of(first, "chuancheng") if path.endswith(".zip"))
    after = run(site, aside)
    fresh = run(tmp_path / "fresh", None)
    assert {path: data for path, (*_, data) in after.items()} == {path: data for path, (*_, data) in fresh.items()}
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()) == sorted(after)
    assert after[bundle] == first[bundle]  # a unit of its own: moved in though its package was not
    assert not set(of(after, "jiangxin").values()) & set(of(first, "jiangxin").values())  # edited: written anew
    hand = {path: found for path, found in of(after, "shouhou").items() if path.startswith(package)}
    assert len(hand) > 3 and not set(hand.values()) & set(of(first, "shouhou").values())  # the whole package
    assert {path: found for path, found in of(after, "shouhou").items() if path not in hand} == {
        path: found for path, found in of(first, "shouhou").items() if not path.startswith(package)}  # its bundle
    assert not of(after, "tuihui") and of(first, "tuihui")
    left = {path.relative_to(aside).as_posix() for path in aside.rglob("*") if path.is_file()}
    assert {path for path in of(first, "tuihui")} <= left  # left behind, for the build to delete

    import hashlib
    import json
    import os

    cache_dir = check(content)[1].settings.cache_dir
    ledgers = sorted(derived.records_folder(cache_dir).glob(
        f"placed/{hashlib.sha256(os.fsencode(site.resolve())).hexdigest()[:16]}-*.json"))
    assert [ledger.name[17:] for ledger in ledgers] == ["newsroom.json", "wechat.json"]
    for ledger in ledgers:
        ledger.write_text("[不是账本", encoding="utf-8")
    aside = set_aside(site)
    again = run(site, aside)
    assert {path: data for path, (*_, data) in again.items()} == {path: data for path, (*_, data) in fresh.items()}
    assert not set(again.values()) & set(after.values())  # nothing trusted: all written anew

    # A ledger of the right shape with values of the wrong type, a unit that is a link to a folder
    # elsewhere, a folder that cannot be listed: written anew, never believed or moved in.
    for ledger in ledgers:
        ledger.write_text(json.dumps({unit: [key, [[1, [1, 2, 3]]]] for unit, (key, _files) in
                                      json.loads(json.dumps(derived._placed[(site.resolve(), ledger.name[17:-5])])).items()}),
                          encoding="utf-8")
    aside = set_aside(site)
    previous = run(site, aside)
    assert {path: data for path, (*_, data) in previous.items()} == {path: data for path, (*_, data) in fresh.items()}
    assert not set(previous.values()) & set(again.values())  # all written anew
    aside = set_aside(site)
    package = next(iter(of(fresh, "shouhou"))).rsplit("/", 1)[0]
    elsewhere = tmp_path / "elsewhere"
    (aside / package).rename(elsewhere)
    (aside / package).symlink_to(elsewhere, target_is_directory=True)
    walk = os.walk
    monkeypatch.setattr(os, "walk", lambda top, onerror=None, **kw: (
        onerror(PermissionError(13, "Permission denied", str(top))) if "chuancheng" in str(top) and onerror else None)
        or walk(top, onerror=onerror, **kw))
    moved = run(site, aside)
    monkeypatch.setattr(os, "walk", walk)
    assert not (site / package).is_symlink() and (site / package).is_dir()
    for slug, same in (("shouhou", False), ("chuancheng", False), ("jiangxin", True)):
        wechat = {path: found for path, found in of(moved, slug).items() if "/wechat/" in path}
        assert wechat and (wechat.items() <= previous.items() if same else not wechat.items() & previous.items()), slug
    assert {path: data for path, (*_, data) in moved.items()} == {path: data for path, (*_, data) in fresh.items()}

    # A folder nobody set aside (`mkdocs serve` builds into a new temporary one each time): no ledger.
    derived._aside.clear()
    before = set(derived.records_folder(cache_dir).glob("placed/*"))
    derived._placed.clear()
    _, build = check(content)
    public, body_of = outputs._public(build)
    (tmp_path / "serve").mkdir()
    outputs.wechat.write(public, build.public_pages, tmp_path / "serve", build.settings, body_of)
    assert set(derived.records_folder(cache_dir).glob("placed/*")) == before


def test_a_bodys_markdown_is_converted_once_across_builds_while_its_extensions_are_pure(tmp_path, monkeypatch):
    """Converting Markdown is most of a body's time: kept between builds by the text (derived), only
    while every extension's output is the text's alone. An edited body is converted again, and what
    comes from the cache is what converting gives."""
    import dataclasses
    import shutil

    import markdown

    from conftest import BASE, check, write_story
    from unionpress import body as body_module

    content = tmp_path / "content"
    shutil.copytree(BASE, content)
    write_story(content, "jiangxin", "焊花里的**匠心**。\n\n| 年 | 事 |\n|---|---|\n| 1996 | 进厂 |\n\n师傅说[^1]。\n\n"
                "[^1]: 一句话。\n", title="焊花里的匠心")
    converted: list[str] = []
    convert = markdown.Markdown.convert
    monkeypatch.setattr(markdown.Markdown, "convert", lambda self, text: converted.append(text) or convert(self, text))

    def bodies(build) -> dict[str, object]:
        return {item.source: build.bodies[id(item)] for item in build.catalog.items}

    _, first = check(content)
    assert len(converted) >= len(first.catalog.items) >= 3
    converted.clear()
    _, again = check(content)
    assert converted == [] and bodies(again) == bodies(first)
    story = content / "stories/jiangxin.md"
    story.write_text(story.read_text(encoding="utf-8").replace("焊花里的", "焊花里三十年的"), encoding="utf-8")
    _, edited = check(content)
    assert len(converted) == 1 and "焊花里三十年的" in converted[0]
    assert "<table>" in bodies(edited)[next(s for s in bodies(edited) if s.endswith("jiangxin.md"))].html

    settings = first.settings
    assert body_module._converts_alike(settings)
    for changed in (dataclasses.replace(settings, markdown_extensions=(*settings.markdown_extensions, "pymdownx.snippets")),
                    dataclasses.replace(settings, mdx_configs={**settings.mdx_configs, "footnotes": {"UNIQUE_IDS": True}})):
        assert not body_module._converts_alike(changed)
    monkeypatch.setattr(body_module, "PURE_EXTENSIONS", frozenset())  # as with an extension of another kind
    converted.clear()
    check(content)
    assert len(converted) >= len(first.catalog.items)


def test_a_page_written_twice_never_writes_through_the_published_file(tmp_path):
    # The first time it is linked from the last build (a second name of the published file); a second
    # page at the same path (reported, the build fails) or a share done again writes a file of its own.
    site, staging, cache = tmp_path / "site", tmp_path / "staging", tmp_path / "cache"
    site.mkdir()
    staging.mkdir()
    first = derived.Rewritten(cache, site, "pages")
    first.write(site / "a.html", "a.html", "同样的页面".encode())
    first.save()
    again = derived.Rewritten(cache, site, "pages")
    again.write(staging / "a.html", "a.html", "同样的页面".encode())
    assert (staging / "a.html").stat().st_ino == (site / "a.html").stat().st_ino
    again.write(staging / "a.html", "a.html", "另一个页面".encode())
    assert (site / "a.html").read_bytes() == "同样的页面".encode()
    assert (staging / "a.html").read_bytes() == "另一个页面".encode()
    assert again.now["a.html"][1] == derived.file_stat(staging / "a.html")
