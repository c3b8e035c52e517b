"""Careless values: what an editor typed is kept as typed, and a wrong value is never used."""

from __future__ import annotations

from conftest import check, write_item, write_story


def test_values_are_read_as_written(site_copy):
    write_story(site_copy, "num-title", title="3.10")
    write_story(site_copy, "dup-tags", tags="[劳模, 劳模, 工匠]", topics="[laodongmei, laodongmei]")
    write_item(site_copy, "models/fw-year.md", name="全角年份", photo="../images/photo.jpg", employer="某厂",
               honors="[{honor: quanguo-laomo, year: '２０２４'}, {honor: quanguo-laomo, year: '²⁰²³'}]", status="draft")
    lines, build = check(site_copy)
    assert lines == []
    items = {item.slug: item for item in build.catalog.items}
    assert items["num-title"].title == "3.10"
    assert items["dup-tags"].tags == ("劳模", "工匠") and items["dup-tags"].topic_keys == ("laodongmei",)
    assert [award.year for award in items["fw-year"].honors] == [2024, 2023]


def test_blank_and_disallowed_values_are_findings_and_unused(site_copy):
    write_story(site_copy, "blank-title", title="'　 '")
    write_story(site_copy, "bad-genre", genre="小说")
    lines, build = check(site_copy)
    assert lines == [
        "content/stories/bad-genre.md:6: [field-choice] 字段「genre」（体裁）的值「小说」不在可选范围内：劳模故事、工匠故事、劳动故事、新闻、微故事、评论",
        "content/stories/blank-title.md:2: [field-missing] 缺少必填字段「title」（标题）",
    ]
    assert next(i for i in build.catalog.items if i.slug == "bad-genre").genre == ""
