"""Reading-room shelves (书架): content/library/shelves.yml."""

from __future__ import annotations

from dataclasses import dataclass

from .base import ListKind, Row


@dataclass(frozen=True)
class Shelf(Row):
    key: str
    name: str
    description: str = ""
    line: int = 1


def read(f, key, line) -> Shelf:
    return Shelf(key, f.text("name", required=True), f.text("description"), line)


# No shelf pages yet (they come with the reading room's pages); a shelf is already its books' home.
KIND = ListKind("shelf", "书架", "library/shelves.yml", read, members=(("book", "shelf"),), home=True)
