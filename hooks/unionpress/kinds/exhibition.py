"""Online exhibitions (线上展览): content/exhibitions/SLUG/index.md with their works.

No page of its own yet (the exhibition pages come with a later issue); topics already list them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..items import Image, Item
from .base import Kind, Ref


@dataclass(frozen=True)
class Work:
    """One work in an exhibition (书法、美术、摄影作品)."""

    title: str
    author: str
    image: Image | None
    unit: str = ""
    medium: str = ""
    size: str = ""
    year: int | None = None
    award: str = ""
    description: str = ""
    line: int = 1


@dataclass(frozen=True, eq=False)
class Exhibition(Item):
    title: str = ""
    opens: dt.date | None = None
    closes: dt.date | None = None
    exhibition_kind: str = ""
    organizer: str = ""
    summary: str = ""
    cover: Image | None = None
    works: tuple[Work, ...] = ()
    topic_keys: tuple[str, ...] = ()


def read(raw, f, settings) -> dict:
    fields = {
        "title": f.text("title", required=True, max_len=64),
        "opens": f.day("opens", required=True),
        "closes": f.day("closes"),
        "exhibition_kind": f.text("kind"),
        "organizer": f.text("organizer"),
        "summary": f.text("summary", max_len=120),
        "cover": f.image("cover", "cover_alt"),
        "topic_keys": f.texts("topics"),
    }
    works = []
    for row in f.rows("works", required=True):
        title, author = row.text("title", required=True), row.text("author", required=True)
        image = row.image("image", "alt", default_alt=f"{title}（{author}）" if title and author else "", required=True)
        works.append(Work(title, author, image, unit=row.text("unit"), medium=row.text("medium"), size=row.text("size"),
                          year=row.integer("year", low=1900, high=settings.now.year + 1), award=row.text("award"),
                          description=row.text("description", max_len=500), line=row.data.line))
        row.finish()
    fields["works"] = tuple(works)
    if fields["opens"] and fields["closes"] and fields["closes"] < fields["opens"]:
        f.report("closes", "field-range", value=fields["closes"].isoformat(), rule="不得早于开幕日期")
    return fields


KIND = Kind("exhibition", "展览", "exhibitions", Exhibition, read, also_known=("cover_alt",), refs=(
    Ref("topics", "topic", lambda e: e.topic_keys),
))
