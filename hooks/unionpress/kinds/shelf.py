"""Reading-room shelves (书架): content/library/shelves.yml."""

from __future__ import annotations

from dataclasses import dataclass

from .base import ListKind


@dataclass(frozen=True)
class Shelf:
    key: str
    name: str
    description: str = ""
    line: int = 1


def read(f, key, line) -> Shelf:
    return Shelf(key, f.text("name", required=True), f.text("description"), line)


KIND = ListKind("shelf", "书架", "library/shelves.yml", read)
