"""Exports kept whole between builds (issue 23): a story's WeChat package and its newsroom bundle are
cached in the derived cache under a key of everything they are made from, and the EPUB's picture
check by the picture's bytes. A warm build must give the very bytes of a build with an empty cache,
and an edit must remake exactly the edited story's exports, nothing less (stale) and nothing more."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from conftest import MKDOCS, NOW, ROOT, check
from unionpress import derived, responsive
from unionpress.outputs import epub, newsroom, wechat
from wechat_site import build_content, project

KINDS = ("wechat-package", "newsroom-bundle")


def _build(config: Path, site: Path, cache: Path, content: Path) -> None:
    env = dict(os.environ, UNIONPRESS_NOW=NOW, NO_MKDOCS_2_WARNING="1", UNIONPRESS_CACHE=str(cache),
               UNIONPRESS_CONTENT=str(content))
    for name in ("SOURCE_DATE_EPOCH", "UNIONPRESS_PREVIEW", "UNIONPRESS_PHASES"):
        env.pop(name, None)
    done = subprocess.run([*MKDOCS, "build", "-q", "-f", str(config), "-d", str(site)], env=env,
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def _records(cache: Path) -> dict[str, set[str]]:
    """The kept exports by kind: the names of their records (a record's name is its key)."""
    return {kind: {p.name for p in (derived.records_folder(cache) / kind).rglob("*") if p.is_file()} for kind in KINDS}


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    root = tmp_path_factory.mktemp("build-cache")
    content = build_content(root)
    config = project(root, content)
    cache = root / "cache" / "pictures"
    _build(config, root / "cold", cache, content)
    filled = _records(cache)
    _build(config, root / "warm", cache, content)  # the same cache, now full
    return root, content, config, cache, filled


def test_a_warm_build_gives_the_bytes_of_a_cold_one_and_makes_nothing_again(builds):
    root, _content, _config, cache, filled = builds
    cold, warm = _files(root / "cold"), _files(root / "warm")
    assert sorted(cold) == sorted(warm)
    assert [path for path in cold if cold[path] != warm[path]] == []
    # every public story's package and bundle was kept, and the warm build found them all
    stories = {path.split("/")[2] for path in cold if path.startswith("exports/wechat/")}
    assert len(stories) >= 4 and len(filled["wechat-package"]) == len(stories)
    assert len(filled["newsroom-bundle"]) == len(stories)
    assert _records(cache) == filled


def test_an_edit_remakes_exactly_the_edited_storys_exports(builds):
    root, content, config, cache, filled = builds
    edited = content  # in place: a moved folder is another story (its paths are inputs), made again whole
    story = edited / "stories" / "plain-words.md"
    story.write_text(story.read_text(encoding="utf-8").replace("只有文字，没有图片。", "只有文字，改过一句。"),
                     encoding="utf-8")
    _build(config, root / "edited-warm", cache, edited)
    made = {kind: names - filled[kind] for kind, names in _records(cache).items()}
    assert {kind: len(names) for kind, names in made.items()} == {"wechat-package": 1, "newsroom-bundle": 1}
    # … and what the warm build wrote is what a build with an empty cache writes for the edited content
    _build(config, root / "edited-cold", root / "empty-cache" / "pictures", edited)
    warm, cold = _files(root / "edited-warm"), _files(root / "edited-cold")
    assert sorted(warm) == sorted(cold)
    assert [path for path in warm if warm[path] != cold[path]] == []
    package = warm["exports/wechat/plain-words/article.html"].decode()
    assert "只有文字，改过一句。" in package and "没有图片" not in package
    assert "只有文字，改过一句。".encode() in warm["exports/partners/plain-words.zip"] or \
        "改过一句" in _docx_text(warm["exports/partners/plain-words.zip"])


def _docx_text(bundle: bytes) -> str:
    import zipfile
    with zipfile.ZipFile(io.BytesIO(bundle)) as outer:
        docx = outer.read("plain-words.docx")
    with zipfile.ZipFile(io.BytesIO(docx)) as inner:
        return inner.read("word/document.xml").decode()


# -- what the keys hold ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def made(tmp_path_factory):
    root = tmp_path_factory.mktemp("keys")
    content = build_content(root)
    lines, build = check(content, site_url="https://example.org/")
    public = build.public
    story = next(s for s in public.latest("story") if s.slug == "every-construct")
    return build, public, story


def _keys(build, public, story, settings=None, body=None):
    settings = derived.clockless(settings or build.settings)
    body = body or build.bodies[id(story)]
    return (wechat.package_key(story, body, public, settings, derived.settings_print(settings), b"t"),
            newsroom.bundle_key(story, body, public, settings, derived.settings_print(settings)))


def test_the_keys_change_with_the_story_its_body_and_the_settings_but_not_the_clock(made):
    build, public, story = made
    base = _keys(build, public, story)
    assert _keys(build, public, story) == base
    later = dataclasses.replace(build.settings, now=build.settings.now + dt.timedelta(days=3))
    assert _keys(build, public, story, settings=later) == base  # the clock is left out: every build's would differ
    renamed = dataclasses.replace(build.settings, site_name="另一个工会")
    body = build.bodies[id(story)]
    changed = [_keys(build, public, dataclasses.replace(story, title="改过的标题"), body=body),
               _keys(build, public, dataclasses.replace(story, cover_focus=(0.1, 0.1)), body=body),
               _keys(build, public, story, settings=renamed),
               _keys(build, public, story, body=dataclasses.replace(build.bodies[id(story)], html="<p>别的</p>"))]
    for keys in changed:
        assert keys[0] != base[0] and keys[1] != base[1]
    # the WeChat preview's templates are an input too
    settings = derived.clockless(build.settings)
    print_ = derived.settings_print(settings)
    assert wechat.package_key(story, build.bodies[id(story)], public, settings, print_, b"other") != base[0]


def test_the_keys_follow_the_bytes_of_the_pictures(made):
    build, public, story = made
    base = _keys(build, public, story)
    cover = responsive.published(story.cover, build.settings, "largest")[1]
    kept = cover.read_bytes()
    try:
        cover.write_bytes(kept + b"\0")  # the same file name, other bytes
        assert all(a != b for a, b in zip(_keys(build, public, story), base))
    finally:
        cover.write_bytes(kept)
    body_picture = next(file for _path, file in build.bodies[id(story)].assets if file != cover)
    kept = body_picture.read_bytes()
    try:
        body_picture.write_bytes(kept + b"\0")
        assert all(a != b for a, b in zip(_keys(build, public, story), base))
    finally:
        body_picture.write_bytes(kept)
    assert _keys(build, public, story) == base


def test_the_clock_cannot_be_read_while_a_kept_export_is_made(made):
    build, _public, _story = made
    settings = derived.clockless(build.settings)
    with pytest.raises(RuntimeError, match="不能读取 settings.now"):
        settings.now.isoformat()
    with pytest.raises(RuntimeError):
        _ = settings.now < build.settings.now
    with pytest.raises(RuntimeError):
        f"{settings.now}"
    assert derived.settings_print(settings) == derived.settings_print(build.settings)


def test_a_stable_print_is_the_same_whatever_the_order_of_a_set_or_mapping():
    assert derived.stable(frozenset({"乙", "甲", "丙"})) == derived.stable(frozenset({"丙", "甲", "乙"}))
    assert derived.stable({"b": 1, "a": 2}) == derived.stable({"a": 2, "b": 1})
    assert derived.stable((Path("a"), dt.date(2026, 5, 1))) != derived.stable(("a", "2026-05-01"))
    code = "from unionpress import derived; import json; print(json.dumps(derived.stable(frozenset('甲乙丙丁戊己'))))"
    seen = {subprocess.run([os.sys.executable, "-c", code], env=dict(os.environ, PYTHONHASHSEED=str(seed)),
                           capture_output=True, text=True, check=True).stdout for seed in (1, 2, 3)}
    assert len(seen) == 1


# -- the EPUB's pictures -----------------------------------------------------------------------------------------

def _picture(path: Path, fmt: str, size=(300, 200)) -> Path:
    Image.new("RGBA" if fmt == "PNG" else "RGB", size, "#336699").save(path, fmt)
    return path


@pytest.mark.parametrize("name,fmt", [("a.jpg", "JPEG"), ("b.png", "PNG"), ("c.gif", "GIF"), ("d.jpg", "PNG"),
                                      ("wide.jpg", "JPEG")])
def test_a_book_picture_from_the_cache_is_what_decoding_gives(tmp_path, monkeypatch, name, fmt):
    file = _picture(tmp_path / name, fmt, (1600, 900) if name.startswith("wide") else (300, 200))
    cache = tmp_path / "cache" / "pictures"
    fresh = epub._as_jpeg_or_png(file)
    assert epub._as_jpeg_or_png(file, cache) == fresh
    monkeypatch.setattr(epub, "_converted", lambda *a: pytest.fail("decoded again"))
    assert epub._as_jpeg_or_png(file, cache) == fresh  # from the record
    file.write_bytes(file.read_bytes() + b"x" if fmt != "JPEG" else b"broken")  # other bytes: decoded again
    with pytest.raises(pytest.fail.Exception):
        epub._as_jpeg_or_png(file, cache)


def test_a_broken_book_picture_stays_broken_from_the_cache(tmp_path):
    file = tmp_path / "broken.jpg"
    file.write_bytes(b"\xff\xd8\xff not a picture")
    cache = tmp_path / "cache" / "pictures"
    assert epub._as_jpeg_or_png(file, cache) == (None, "")
    assert epub._as_jpeg_or_png(file, cache) == (None, "")
    assert epub._as_jpeg_or_png(tmp_path / "missing.jpg", cache) == (None, "")


def test_a_kept_wechat_article_is_the_one_made_afresh(made):
    build, public, _story = made
    for story in public.latest("story"):
        body = build.bodies[id(story)]
        kept = wechat.article(story, body, public, build.settings)  # the WeChat checks kept it when preparing
        assert kept == wechat._article(story, body, public, build.settings)
        assert kept.html and kept == wechat.article(story, body, public, derived.clockless(build.settings))


def test_the_keys_follow_the_columns_name(made, monkeypatch):
    build, public, story = made
    base = _keys(build, public, story)
    settings = build.settings
    article = wechat.article(story, build.bodies[id(story)], public, settings)
    first = public.first

    def renamed(item, field):
        found = first(item, field)
        return dataclasses.replace(found, name="改名后的栏目") if field == "column" and found is not None else found

    monkeypatch.setattr(public, "first", renamed)
    assert all(a != b for a, b in zip(_keys(build, public, story), base))
    changed = wechat.article(story, build.bodies[id(story)], public, settings)
    assert "改名后的栏目" in changed.html and changed != article


# -- the site folder: the last build's files and the pictures --------------------------------------------------

def test_a_rebuild_leaves_no_file_of_the_last_build_and_no_folder_beside(builds):
    root, content, config, cache, _filled = builds
    site = root / "again"
    shutil.copytree(root / "warm", site)
    (site / "stories" / "stale-page").mkdir(parents=True)
    (site / "stories" / "stale-page" / "index.html").write_text("旧页面", encoding="utf-8")
    (site / "stale.txt").write_text("旧文件", encoding="utf-8")
    (site / ".kept").write_text("hidden: MkDocs keeps these", encoding="utf-8")
    _build(config, site, cache, content)
    assert not (site / "stale.txt").exists() and not (site / "stories" / "stale-page").exists()
    assert (site / ".kept").read_text(encoding="utf-8") == "hidden: MkDocs keeps these"
    assert [p.name for p in root.iterdir() if "unionpress" in p.name] == []  # the old files' folder is gone too
    assert (site / "index.html").is_file()


def test_the_caches_pictures_are_linked_and_a_site_file_changed_in_place_is_not_published_again(builds):
    root, content, config, cache, _filled = builds
    site = root / "linked"
    _build(config, site, cache, content)
    variants = sorted((site / "media" / "pictures").iterdir())
    assert variants and all((cache / v.name).is_file() and (cache / v.name).stat().st_ino == v.stat().st_ino
                            for v in variants)
    content_inodes = {p.stat().st_ino for p in content.rglob("*") if p.is_file()}
    assert all(p.stat().st_ino not in content_inodes for p in site.rglob("*") if p.is_file())  # never a content file
    victim = variants[0]
    kept = victim.read_bytes()
    with victim.open("r+b") as handle:  # a tool that rewrites the published file where it is
        handle.seek(len(kept) // 2)
        handle.write(b"\0" * 16)
    assert (cache / victim.name).read_bytes() != kept  # the same file: the cache's copy changed with it
    _build(config, root / "after", cache, content)
    assert (root / "after" / "media" / "pictures" / victim.name).read_bytes() == kept  # checked, made again
