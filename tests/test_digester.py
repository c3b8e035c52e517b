"""preview.Digester: how `unionpress serve` tells whether a page's inputs changed without rendering it.

A page is skipped only when its digest is the last run's. So a digest must follow everything the page
can print (a false "same" leaves a stale page), and the same content must give the same digest (a
false "changed" renders every page on every edit: tests/test_incremental.py counts those). Whatever
it cannot tell by content must say so (Unfingerprintable: the page is then rendered every time).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import types

import pytest

from unionpress import preview
from unionpress.findings import Findings
from unionpress.items import Image
from unionpress.kinds import ITEM_KINDS, LIST_KINDS
from unionpress.pages.base import Derived, made


@dataclasses.dataclass(frozen=True)
class Thing:
    name: str
    tags: tuple = ()


@dataclasses.dataclass
class Menu:
    values: list


def context(name: str = "甲", long: int = 40) -> dict:
    """A page's context as plans make them: built afresh on every run."""
    return {"title": name, "date": dt.datetime(2026, 5, 1, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))),
            "tags": [(tag, f"tags/{tag}/") for tag in ("劳模", "工匠")], "thing": Thing(name, ("a", "b")),
            "rows": [Thing(f"第{i}条") for i in range(long)], "count": 3, "flag": True}


def test_the_same_content_built_again_has_the_same_digest():
    assert preview.Digester().of(context()) == preview.Digester().of(context())
    kept = preview.Digester()
    assert kept.of(context()) == kept.of(context())  # the long list stood in for, both times alike


@pytest.mark.parametrize("change", ["title", "date", "tag", "thing", "long list", "type"])
def test_every_change_of_content_changes_the_digest(change):
    before, after = context(), context()
    if change == "title":
        after["title"] = "乙"
    elif change == "date":
        after["date"] += dt.timedelta(days=1)
    elif change == "tag":
        after["tags"][1] = ("工匠", "tags/gongjiang/")
    elif change == "thing":
        after["thing"] = Thing("甲", ("a", "c"))
    elif change == "long list":
        after["rows"][-1] = Thing("最后一条改了")
    else:
        after["count"] = 3.0
    digester = preview.Digester()
    assert digester.of(before) != digester.of(after)


def test_a_long_list_shared_by_pages_is_told_by_its_content_in_each_model():
    rows = [Thing(f"第{i}条") for i in range(40)]
    first = preview.Digester()
    pages = [first.of({"page": n, "rows": rows}) for n in range(3)]
    rows[5] = Thing("改了")  # the next run's plan: a new model, a new digester
    again = preview.Digester()
    assert [again.of({"page": n, "rows": rows}) for n in range(3)] != pages
    assert preview.Digester().of({"page": 0, "rows": list(rows)}) == again.of({"page": 0, "rows": rows})
    menu = Menu(["东城区", "西城区"])  # an object on every gallery page: told once per model, by content
    first = preview.Digester()
    before = [first.of({"page": n, "menu": menu}) for n in range(3)]
    assert len(set(before)) == 3
    menu.values.append("南湖区")
    assert [preview.Digester().of({"page": n, "menu": menu}) for n in range(3)] != before


def test_a_registered_item_goes_by_its_digest_not_its_fields():
    story = Thing("同一个对象")
    one, two = preview.Digester(), preview.Digester()
    one.register(story, b"file-v1")
    two.register(story, b"file-v2")  # its file changed: the same fields can print otherwise (its body)
    assert one.of({"story": story}) != two.of({"story": story})
    three = preview.Digester()
    three.register(Thing("另一个对象，同一个文件"), b"file-v1")
    assert one.of({"story": story}) == three.of({"story": next(iter(three.objects.values()))})


def test_a_picture_goes_by_its_file_too(tmp_path):
    picture = tmp_path / "a.jpg"
    picture.write_bytes(b"x" * 10)
    image = Image("a.jpg", picture, "说明", 3, "media/a.jpg")
    before = preview.Digester().of({"cover": image})
    picture.write_bytes(b"y" * 11)  # replaced under the same name
    os.utime(picture, ns=(1, 1))
    assert preview.Digester().of({"cover": Image("a.jpg", picture, "说明", 3, "media/a.jpg")}) != before
    assert preview.Digester().of({"cover": Image("a.jpg", picture, "另一说明", 3, "media/a.jpg")}) != before


MADE: list[int] = []


def article(story, note):  # a module-level function, as the engine's are: pickled by its name
    MADE.append(1)
    return {"headline": story.name, "note": note}


def test_page_data_made_later_goes_by_what_it_is_made_of_and_is_not_made():
    MADE.clear()
    story = Thing("甲")
    digester = preview.Digester()
    digester.register(story, b"v1")
    first = digester.of({"jsonld": Derived(article, (story, "说明"))})
    assert digester.of({"jsonld": Derived(article, (story, "说明"))}) == first
    assert digester.of({"jsonld": Derived(article, (story, "另一说明"))}) != first
    other = preview.Digester()
    other.register(story, b"v2")
    assert other.of({"jsonld": Derived(article, (story, "说明"))}) != first
    assert MADE == []  # digests never make it
    assert made(Derived(article, (story, "说明"))) == {"headline": "甲", "note": "说明"} and MADE == [1]


def test_kinds_go_by_name_though_they_hold_lambdas():
    digester = preview.Digester()
    for kind in (*ITEM_KINDS.values(), *LIST_KINDS.values()):
        assert digester.of({"kind": kind}) == preview.Digester().of({"kind": kind})
    assert len({digester.of(kind) for kind in ITEM_KINDS.values()}) == len(ITEM_KINDS)


def test_a_read_only_table_goes_by_its_content():
    one = types.MappingProxyType({"a": 1})
    assert preview.Digester().of({"t": one}) == preview.Digester().of({"t": types.MappingProxyType({"a": 1})})
    assert preview.Digester().of({"t": one}) != preview.Digester().of({"t": types.MappingProxyType({"a": 2})})


def _closure():
    hidden = ["状态"]
    return lambda: hidden[0]


@pytest.mark.parametrize("value", [_closure(), (n for n in range(3)), Findings(), lambda: 1],
                         ids=["closure", "generator", "findings", "lambda"])
def test_what_content_cannot_tell_is_said_so(value):
    with pytest.raises(preview.Unfingerprintable):
        preview.Digester().of({"page": "x", "value": value})
