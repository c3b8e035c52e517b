"""Domain objects every content kind shares, in the union's own terms.

Items are frozen once the validate phase has made them: a view of the site (public or preview) never
changes an item, it keeps its own indexes of who links to whom. That is what lets the public view
and the preview view of one build exist side by side without one leaking into the other.
Each kind's own class (Story, ModelWorker, …) lives in its module under `kinds/`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping


@dataclass(frozen=True, eq=False)
class Image:
    """An image an item uses: where it was written, where it lives, what it shows."""

    src: str  # as the editor wrote it
    path: Path | None  # resolved file on disk (None when missing)
    alt: str
    line: int
    output: str = ""  # path in the built site (media/…)


@dataclass(frozen=True)
class Signature:
    """One signed step: a review level or a consent record."""

    by: str
    date: dt.date


@dataclass(frozen=True)
class Review:
    """三审: 初审 (language), 复审 (facts), 终审 (direction)."""

    first: Signature | None = None
    second: Signature | None = None
    final: Signature | None = None

    LEVELS = (("first", "初审"), ("second", "复审"), ("final", "终审"))

    def missing(self) -> list[str]:
        return [name for key, name in self.LEVELS if getattr(self, key) is None]

    def signed(self) -> list[tuple[str, Signature]]:
        return [(name, getattr(self, key)) for key, name in self.LEVELS if getattr(self, key) is not None]


@dataclass(frozen=True)
class Exemption:
    rule: str
    why: str
    text: str = ""  # when set, only the occurrences inside this text are exempt (the rest still count)
    line: int = 1  # where the exemption is written (the report lists every exemption in force)


# eq=False: items are compared and hashed by identity, so views can index them cheaply.
@dataclass(frozen=True, eq=False)
class Item:
    """What every content file shares: identity, source position, status, review and date."""

    kind: str  # story | model | exhibition | book | share | contest | entry
    slug: str
    source: str  # path as shown to editors (relative to the project)
    path: Path  # the Markdown file
    folder: Path  # where relative paths resolve
    bundle: bool  # SLUG/index.md: the folder and the files in it belong to this item
    lines: Mapping[str, int]
    body: str
    body_line: int
    parent: str = ""  # the contest slug of an entry
    status: str = "draft"
    date: dt.datetime | None = None
    review: Review = field(default_factory=Review)
    allow: tuple[Exemption, ...] = ()
    images: tuple[Image, ...] = ()  # images named in front matter (cover, photo, works)

    def line_of(self, key: str) -> int:
        return self.lines.get(key, 1)

    @property
    def key(self) -> str:
        """Unique within its kind: the slug, or CONTEST/SLUG for a contest entry."""
        return f"{self.parent}/{self.slug}" if self.parent else self.slug

    @property
    def label(self) -> str:
        return getattr(self, "title", "") or getattr(self, "name", "") or self.slug
