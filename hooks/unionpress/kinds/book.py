"""E-reading room books (电子职工书屋书目): content/library/books/SLUG.md. Pages come with a later issue."""

from __future__ import annotations

from dataclasses import dataclass

from ..items import Image, Item
from ..validate import isbn_problem
from .base import Kind, Ref


@dataclass(frozen=True, eq=False)
class Book(Item):
    title: str = ""
    author: str = ""
    publisher: str = ""
    year: int | None = None
    isbn: str = ""
    cover: Image | None = None
    shelf_key: str = ""
    summary: str = ""


def read(raw, f, settings) -> dict:
    title = f.text("title", required=True, max_len=64)
    isbn = f.text("isbn")
    if isbn and (problem := isbn_problem(isbn)):
        f.report("isbn", "isbn-invalid", value=isbn, reason=problem)
    return {
        "title": title,
        "author": f.text("author", required=True),
        "publisher": f.text("publisher"),
        "year": f.integer("year", low=1900, high=settings.now.year + 1),
        "isbn": isbn,
        "cover": f.image("cover", "cover_alt", default_alt=f"《{title}》封面" if title else ""),
        "shelf_key": f.text("shelf", required=True),
        "summary": f.text("summary", max_len=120),
    }


KIND = Kind("book", "书目", "library/books", Book, read, also_known=("cover_alt",), refs=(
    Ref("shelf", "shelf", lambda b: (b.shelf_key,) if b.shelf_key else ()),
))
