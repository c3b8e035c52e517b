"""The gate: what may leave the build, judged in the union's time zone, held in an immutable view."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from conftest import check, write_item, write_story


def _public_slugs(build, kind="story"):
    return [item.slug for item in build.public.all(kind)]


def test_unreviewed_story_is_not_public_even_without_the_error(site_copy):
    # review_required: false would publish it; the default must not (drop the review condition → fails).
    write_story(site_copy, "half-signed", review=False)
    lines, build = check(site_copy)
    assert "half-signed" not in _public_slugs(build)
    assert any("[review-missing]" in line for line in lines)
    _, relaxed = check(site_copy, review_required=False)
    assert "half-signed" in _public_slugs(relaxed)


@pytest.mark.parametrize("now, public", [
    ("2026-05-01T11:59:00+08:00", False),  # one minute before: still embargoed
    ("2026-05-01T12:00:00+08:00", True),  # at its time: out
    ("2026-05-01T03:59:00+00:00", False),  # the same instants written in UTC
    ("2026-05-01T04:00:00Z", True),
])
def test_embargo_lifts_at_the_minute_in_any_offset(site_copy, now, public):
    write_story(site_copy, "timed", date="2026-05-01T04:00:00Z")  # = 12:00 in Shanghai
    _, build = check(site_copy, now=now)
    assert ("timed" in _public_slugs(build)) is public


def test_dates_are_shown_and_compared_in_the_union_time_zone(site_copy):
    write_story(site_copy, "late-utc", date="2026-04-30T20:00:00Z")
    write_story(site_copy, "quoted", date='"2026-05-12"')
    write_story(site_copy, "minutes-offset", date="2026-05-01T09:00+08:00")
    write_story(site_copy, "minutes-local", date="2026-05-01T09:30")
    lines, build = check(site_copy)
    assert lines == []
    stories = {s.slug: s for s in build.public.all("story")}
    assert stories["late-utc"].date.isoformat() == "2026-05-01T04:00:00+08:00"  # 1 May in Shanghai, not 30 April
    assert stories["quoted"].date.isoformat() == "2026-05-12T00:00:00+08:00"
    assert stories["minutes-offset"].date.isoformat() == "2026-05-01T09:00:00+08:00"
    assert stories["minutes-local"].date.isoformat() == "2026-05-01T09:30:00+08:00"


def test_another_union_time_zone(site_copy):
    write_story(site_copy, "urumqi", date="2026-05-01T09:00")
    _, build = check(site_copy, now="2026-05-01T10:30:00+08:00", timezone="Asia/Urumqi")  # 09:00 there is 11:00 here
    assert "urumqi" not in _public_slugs(build)
    _, later = check(site_copy, now="2026-05-01T11:00:00+08:00", timezone="Asia/Urumqi")
    assert "urumqi" in _public_slugs(later)


def test_public_view_links_only_public_items(site_copy):
    write_item(site_copy, "models/draft-model.md", name="草稿劳模", photo="../images/photo.jpg", employer="某厂",
               honors="[{honor: quanguo-laomo, year: 2020}]", status="draft")
    write_story(site_copy, "names-draft-model", models="[good-model, draft-model]")
    write_story(site_copy, "draft-story", status="draft", models="[good-model]")
    _, build = check(site_copy)
    story = build.public.get("story", "names-draft-model")
    assert [m.slug for m in build.public.refs(story, "models")] == ["good-model"]
    model = build.public.get("model", "good-model")
    assert [s.slug for s in build.public.backrefs(model, "story", "models")] == ["names-draft-model", "good-story"]
    assert build.public.get("model", "draft-model") is None


def test_preview_view_does_not_disturb_the_public_one(site_copy):
    write_item(site_copy, "models/draft-model.md", name="草稿劳模", photo="../images/photo.jpg", employer="某厂",
               honors="[{honor: quanguo-laomo, year: 2020}]", status="draft")
    write_story(site_copy, "names-draft-model", models="[good-model, draft-model]")
    from unionpress import config, engine
    from unionpress.findings import Findings

    settings = config.from_mapping(site_copy.parent, {"extra": {}}, Findings(), environ={
        "UNIONPRESS_CONTENT": str(site_copy), "UNIONPRESS_NOW": "2026-11-22T12:00:00+08:00", "UNIONPRESS_PREVIEW": "1"})
    build = engine.prepare(settings)
    shown = build.shown.get("story", "names-draft-model")
    assert [m.slug for m in build.shown.refs(shown, "models")] == ["good-model", "draft-model"]
    public = build.public.get("story", "names-draft-model")
    assert [m.slug for m in build.public.refs(public, "models")] == ["good-model"]  # same item, its own index
    assert shown is public
    assert build.public.get("model", "draft-model") is None
    assert "models/draft-model/" not in {p.url for p in build.public_pages}
    assert "models/draft-model/" in {p.url for p in build.pages}


def test_items_are_frozen_and_outputs_take_only_the_public_view(site_copy, tmp_path):
    _, build = check(site_copy)
    story = build.public.get("story", "good-story")
    with pytest.raises(dataclasses.FrozenInstanceError):
        story.status = "draft"
    from unionpress import outputs
    from unionpress.publish import PreviewSite

    build.public = PreviewSite(build.catalog, build.settings, build.public)  # the wrong call, written on purpose
    with pytest.raises(TypeError):
        outputs.run(build, tmp_path)


def test_entry_of_a_draft_contest_is_not_public(site_copy):
    write_item(site_copy, "contests/essay/index.md", title="征文", opens="2026-04-01", status="draft")
    write_item(site_copy, "contests/essay/entries/first.md", title="参赛作品一", author="某人", date="2026-05-10",
               status="published")
    lines, build = check(site_copy)
    assert lines == [] and build.public.all("entry") == () and len(build.catalog.items) == 4


def test_clock_is_read_per_build_and_environ_is_untouched(site_copy, monkeypatch):
    import os

    from unionpress import config

    before = dict(os.environ)
    write_story(site_copy, "timed", date="2026-12-01T10:00:00+08:00")
    _, first = check(site_copy, now="2026-12-01T09:59:00+08:00")
    _, second = check(site_copy, now="2026-12-01T10:00:00+08:00")
    assert "timed" not in _public_slugs(first) and "timed" in _public_slugs(second)
    assert dict(os.environ) == before
    wall = config.clock(environ={})
    assert abs((wall - dt.datetime.now(dt.timezone.utc)).total_seconds()) < 5 and wall.utcoffset() == dt.timedelta(hours=8)
