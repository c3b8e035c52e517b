"""Honor taxonomy (荣誉): content/honors.yml."""

from __future__ import annotations

from dataclasses import dataclass

from .base import ListKind, Row

HONOR_LEVELS = ("国家级", "省部级", "市级", "县级", "企业级")
# The gallery's /models/level/KEY/ pages need ASCII keys (a URL a worker can read out or type).
LEVEL_KEYS = {"国家级": "guojia", "省部级": "shengbu", "市级": "shi", "县级": "xian", "企业级": "qiye"}


@dataclass(frozen=True)
class Honor(Row):
    key: str
    name: str
    level: str
    rank: int = 0
    target: int | None = None
    line: int = 1


def read(f, key, line) -> Honor:
    return Honor(key, f.text("name", required=True), f.text("level", required=True, choices=HONOR_LEVELS),
                 f.integer("rank", low=0, high=10000) or 0, f.integer("target", low=0, high=100000), line)


KIND = ListKind("honor", "荣誉", "honors.yml", read)
