"""Reading shares (读书分享): content/library/shares/SLUG.md, each about one book."""

from __future__ import annotations

from dataclasses import dataclass

from ..items import Item
from .base import Kind, Ref


@dataclass(frozen=True, eq=False)
class Share(Item):
    title: str = ""
    book_slug: str = ""
    author: str = ""
    unit: str = ""


def read(raw, f, settings) -> dict:
    return {
        "title": f.text("title", required=True, max_len=64),
        "book_slug": f.text("book", required=True),
        "author": f.text("author", required=True),
        "unit": f.text("unit"),
    }


KIND = Kind("share", "读书分享", "library/shares", Share, read, date_required=True, refs=(
    Ref("book", "book", lambda s: (s.book_slug,) if s.book_slug else ()),
))
