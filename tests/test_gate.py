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


# -- list rows (columns, topics, honors, shelves) pass a gate too ------------------------------------------

def _write_columns(content, extra: str) -> None:
    (content / "columns.yml").write_text("- {key: laodongzhe-zhi-ge, name: 劳动者之歌}\n" + extra, encoding="utf-8")


@pytest.mark.parametrize("now, public", [
    ("2026-11-30T23:59:00+08:00", False),
    ("2026-12-01T00:00:00+08:00", True),  # a bare date is 00:00 that day in the union's time zone
    ("2026-11-30T15:59:00+00:00", False),  # the same instants in UTC
    ("2026-11-30T16:00:00Z", True),
])
def test_row_date_holds_it_back_until_then(site_copy, now, public):
    _write_columns(site_copy, "- {key: later, name: 以后的栏目, date: 2026-12-01}\n")
    _, build = check(site_copy, now=now)
    assert ("later" in build.public.lists["column"]) is public
    assert "later" in build.catalog.lists["column"]  # the catalog keeps every row, whatever the clock


@pytest.mark.parametrize("status, public", [("published", True), ("draft", False), ("review", False), ("", True)])
def test_row_status(site_copy, status, public):
    _write_columns(site_copy, f"- {{key: other, name: 另一个栏目, status: '{status}'}}\n")
    lines, build = check(site_copy)
    assert lines == [] and ("other" in build.public.lists["column"]) is public


def test_public_view_lists_are_read_only_and_hold_only_public_rows(site_copy):
    _write_columns(site_copy, "- {key: draft-col, name: 草稿栏目, status: draft}\n")
    _, build = check(site_copy)
    with pytest.raises(TypeError):
        build.public.lists["column"]["draft-col"] = build.catalog.lists["column"]["draft-col"]
    assert [row.key for row in build.public.held["column"]] == ["draft-col"]
    assert build.public.get("column", "draft-col") is None and build.public.url(build.catalog.lists["column"]["draft-col"]) is None


# -- scheduled items and their signatures (issue 16, item 7) ------------------------------------------------

SIGNED_LATER = ("review:\n  first: {by: 甲, date: 2026-11-20}\n  second: {by: 乙, date: 2026-11-21}\n"
                "  final: {by: 丙, date: %s}\n")


def _signed(content, slug: str, date: str, final: str):
    path = write_story(content, slug, review=False, date=date)
    text = path.read_text(encoding="utf-8").replace("---\n\n", SIGNED_LATER % final + "---\n\n", 1)
    path.write_text(text, encoding="utf-8")


def test_scheduled_story_may_be_signed_after_today_up_to_its_own_date(site_copy):
    # Signed on its own (future) publication day: it blocks nothing, and comes out on its date.
    _signed(site_copy, "scheduled", "2027-01-10 09:00", "2027-01-10")
    lines, build = check(site_copy)
    assert lines == [] and _public_slugs(build) == ["good-story"]
    later, build = check(site_copy, now="2027-01-10T09:00:00+08:00")
    assert later == [] and "scheduled" in _public_slugs(build)


def test_scheduled_story_signed_after_its_own_date_is_late(site_copy):
    _signed(site_copy, "scheduled", "2027-01-10 09:00", "2027-01-11")
    lines, _ = check(site_copy)
    assert lines == ["content/stories/scheduled.md:6: [review-late] 终审签署日期 2027-01-11 晚于发布时间 2027-01-10 09:00："
                     "三审须在发布前完成"]


def test_public_story_signed_after_today_is_an_error(site_copy):
    # Out since 21 November, signed "30 December": late, and a review that has not happened yet. (An
    # undated item out now, with only the second finding: tests/fixtures/cases/review-in-the-future-public.md.)
    _signed(site_copy, "out-now", "2026-11-21 09:00", "2026-12-30")
    lines, _ = check(site_copy)
    assert lines == [
        "content/stories/out-now.md:6: [review-future] 终审签署日期 2026-12-30 晚于今天（2026-11-22）：尚未发生的审核不能算数",
        "content/stories/out-now.md:6: [review-late] 终审签署日期 2026-12-30 晚于发布时间 2026-11-21 09:00：三审须在发布前完成"]
