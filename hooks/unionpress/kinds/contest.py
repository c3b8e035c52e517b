"""Contests (征文/比赛): content/contests/SLUG/index.md, entries in content/contests/SLUG/entries/*.md."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..items import Item
from .base import Kind, Ref


@dataclass(frozen=True, eq=False)
class Contest(Item):
    title: str = ""
    theme: str = ""
    opens: dt.date | None = None
    closes: dt.date | None = None
    organizer: str = ""


@dataclass(frozen=True, eq=False)
class Entry(Item):
    title: str = ""
    author: str = ""
    unit: str = ""
    award: str = ""


def read_contest(raw, f, settings) -> dict:
    fields = {"title": f.text("title", required=True, max_len=64), "theme": f.text("theme"),
              "opens": f.day("opens", required=True), "closes": f.day("closes"), "organizer": f.text("organizer")}
    if fields["opens"] and fields["closes"] and fields["closes"] < fields["opens"]:  # as for exhibitions
        f.report("closes", "field-range", value=fields["closes"].isoformat(), rule="不得早于征集开始日期 opens")
    return fields


def read_entry(raw, f, settings) -> dict:
    return {"title": f.text("title", required=True, max_len=64), "author": f.text("author", required=True),
            "unit": f.text("unit"), "award": f.text("award")}


KIND = Kind("contest", "征文比赛", "contests", Contest, read_contest)
# An entry of a hidden contest must not surface on its own: it is public only while its contest is.
ENTRY = Kind("entry", "参赛作品", "entries", Entry, read_entry, date_required=True, parent="contest", refs=(
    Ref("所在目录", "contest", lambda e: (e.parent,), required_public=True),
))
