"""`unionpress serve` keeps each item's own share of the model between runs (preview.Cache.keep: its
fields read, its review, its rule checks and sensitive words, its WeChat limits). A kept result must
never go stale: after every edit below, the findings of the kept run equal those of a run that keeps
nothing (engine.prepare without a cache, as `unionpress check` and a build run it), as a multiset
(the report counts repeats), and the edit made only the edited item's work be done again.

Each test drives engine.prepare the way Preview.update does (the same _Prepared), without MkDocs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import BASE, NOW, ROOT, write_story
from unionpress import config, engine, preview
from unionpress.findings import Findings


class Kept:
    """One content folder, prepared again and again through one preview cache."""

    def __init__(self, content: Path, now: str = NOW) -> None:
        extensions = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["markdown_extensions"]
        site = {"site_name": "测试", "extra": {"unionpress": {}}, "markdown_extensions": extensions}
        self.settings = config.from_mapping(content.parent, site, Findings(),
                                            environ={"UNIONPRESS_CONTENT": str(content), "UNIONPRESS_NOW": now})
        self.cache = preview.Cache()

    def at(self, now: str) -> None:
        self.settings = dataclasses.replace(self.settings, now=dt.datetime.fromisoformat(now))

    def run(self) -> list[str]:
        """The kept run's findings, after asserting they equal a run that keeps nothing."""
        kept = Findings()
        env = preview.Preview._env(self.settings)
        engine.prepare(self.settings, kept, cache=preview._Prepared(self.cache, env, self.settings))
        self.cache.finish()
        whole = Findings()
        engine.prepare(self.settings, whole)
        found = sorted(finding.format() for finding in kept.items)
        assert found == sorted(finding.format() for finding in whole.items)
        return found

    def codes(self) -> list[str]:
        return [line.split("[", 1)[1].split("]", 1)[0] for line in self.run()]


def save(path: Path, text: str) -> None:
    """An editor's save: new content, and a later time than the file had (a save within the clock's
    tick at the same size would otherwise look unchanged, which no editor can do)."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    later = max(path.stat().st_mtime_ns, before + 1_000_000_000)
    os.utime(path, ns=(later, later))


@pytest.fixture
def content(tmp_path):
    target = tmp_path / "content"
    shutil.copytree(BASE, target)
    write_story(target, "quiet", body="平常的一天。")
    return target


def test_a_privacy_finding_comes_with_an_edit_and_goes_with_the_fix(content):
    kept = Kept(content)
    assert "privacy-mobile" not in kept.codes()
    story = content / "stories/quiet.md"
    text = story.read_text(encoding="utf-8")
    save(story, text.replace("平常的一天。", "联系人电话13812345678。"))
    assert kept.codes().count("privacy-mobile") == 1
    assert kept.cache.computed == {"item": 1, "review": 1, "checks": 1, "wechat": 1}  # that story's, no other
    save(story, text)
    assert "privacy-mobile" not in kept.codes()


def test_an_exemption_added_to_the_edited_item_silences_its_finding(content):
    kept = Kept(content)
    story = content / "stories/quiet.md"
    text = story.read_text(encoding="utf-8").replace("平常的一天。", "联系人电话13812345678。")
    save(story, text)
    assert "privacy-mobile" in kept.codes()
    save(story, text.replace("status: published", "status: published\nallow: [{rule: privacy-mobile, why: 单位总机}]"))
    assert "privacy-mobile" not in kept.codes()


def test_a_rule_file_edited_alone_judges_every_story_again(content):
    """The wording rules are no item's file: changing them must reach the kept findings of stories
    nobody touched."""
    (content / "rules").mkdir()
    rules = content / "rules/wording.yml"
    save(rules, "- {code: local-word, level: warning, kind: banned, message: 不用此词, wrong: [平常]}\n")
    kept = Kept(content)
    assert kept.codes().count("local-word") == 1
    save(rules, "- {code: local-word, level: warning, kind: banned, message: 不用此词, wrong: [特别]}\n")
    assert "local-word" not in kept.codes()
    save(content / "rules/sensitive.yml", "level: error\nwords: [一天]\n")
    assert "sensitive-word" in kept.codes()


def test_a_duplicate_slug_comes_and_goes_by_one_file(content):
    kept = Kept(content)
    assert "duplicate-slug" not in kept.codes()
    second = write_story(content, "quiet", folder="stories/2026", title="另一篇")
    assert kept.codes().count("duplicate-slug") == 1
    second.rename(second.with_name("quiet-two.md"))
    assert "duplicate-slug" not in kept.codes()
    assert kept.cache.computed.get("checks") == 1  # the renamed file only


def test_a_picture_put_beside_an_unchanged_story_is_found(content):
    """An item's fields are read against the files beside it: its own file unchanged, its missing
    cover saved at last (and taken away again)."""
    write_story(content, "covered", cover="../images/late.jpg", cover_alt="车间")
    kept = Kept(content)
    assert kept.codes().count("image-missing") == 1
    shutil.copyfile(content / "images/cover.jpg", content / "images/late.jpg")
    assert "image-missing" not in kept.codes()
    (content / "images/late.jpg").unlink()
    assert kept.codes().count("image-missing") == 1


def test_a_review_is_judged_again_when_its_story_comes_out_the_same_day(content):
    """The review reads the clock to the minute (review-future only once the item is out): the same
    files, the same date, a later hour."""
    story = content / "stories/quiet.md"
    text = story.read_text(encoding="utf-8").replace("date: 2026-05-01 09:00", "date: 2026-11-22 13:00")
    save(story, text.replace("final: {by: 丙, date: 2026-04-30}", "final: {by: 丙, date: 2026-11-23}"))
    assert "final: {by: 丙, date: 2026-11-23}" in story.read_text(encoding="utf-8")
    kept = Kept(content, now="2026-11-22T12:00:00+08:00")
    assert "review-future" not in kept.codes()
    kept.at("2026-11-22T13:30:00+08:00")
    assert "review-future" in kept.codes()
    kept.at("2026-11-22T12:30:00+08:00")
    assert "review-future" not in kept.codes()


def test_a_column_renamed_reaches_its_stories_wechat_size(content):
    """A story's WeChat article prints its column's name: renaming the column in columns.yml (the
    story's file unchanged) can take the article over WeChat's limit."""
    from unionpress.outputs import wechat

    kept = Kept(content)
    kept.run()
    build = engine.prepare(kept.settings, Findings())
    story = next(item for item in build.catalog.items if item.slug == "quiet")
    length = len(wechat.article(story, build.bodies[id(story)], build.public, build.settings).html)
    path = content / "stories/quiet.md"
    # One character under the limit: the body's one paragraph grows by as many characters as it gets.
    save(path, path.read_text(encoding="utf-8").replace("平常的一天。", "平常的一天。" + "字" * (wechat.CONTENT_CHARS - 1 - length)))
    assert "wechat-content-long" not in kept.codes()
    columns = content / "columns.yml"
    save(columns, columns.read_text(encoding="utf-8").replace("name: 劳动者之歌", "name: 劳动者之歌特别版"))
    assert "wechat-content-long" in kept.codes()
    assert kept.cache.computed.get("checks") is None  # no story's own rules were judged again


def test_references_and_homes_are_judged_whole_when_only_the_other_file_changes(content):
    """A story names a profile and a column; renaming the profile's file, or holding its column back in
    columns.yml, touches no story, yet the story's unknown-ref and row-hidden must come (and go)."""
    kept = Kept(content)
    assert not {"unknown-ref", "row-hidden"} & set(kept.codes())
    model = content / "models/good-model.md"
    model.rename(model.with_name("good-model-2.md"))
    assert kept.codes().count("unknown-ref") == 1
    assert kept.cache.computed.get("checks") == 1  # the renamed profile alone was judged again
    model.with_name("good-model-2.md").rename(model)
    assert "unknown-ref" not in kept.codes()
    columns = content / "columns.yml"
    text = columns.read_text(encoding="utf-8")
    save(columns, text.replace("  description: 劳模专题栏目\n", "  description: 劳模专题栏目\n  status: draft\n", 1))
    assert "row-hidden" in kept.codes()
    save(columns, text)
    assert "row-hidden" not in kept.codes()
