"""Domain objects of a union's publicity site, in the union's own terms.

These are plain dataclasses: the validate phase makes them from front matter, the link phase
fills in the references between them, and every renderer and output reads only these.
A labor-model profile is a `ModelWorker` (劳模), never a bare `Model`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Image:
    """An image an item uses: where it was written, where it lives, what it shows."""

    src: str  # as the editor wrote it
    path: Path | None  # resolved file on disk (None when missing)
    alt: str
    line: int
    output: str = ""  # src_uri in the built site (set by load)


@dataclass
class Signature:
    """One signed step: a review level or a consent record."""

    by: str
    date: dt.date


@dataclass
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


@dataclass
class Exemption:
    rule: str
    why: str


@dataclass
class Item:
    """What every content file shares: identity, source position, status, review and date."""

    kind: str  # story | model | exhibition | book | share | contest | entry
    slug: str
    source: str  # path as shown to editors (relative to the project)
    path: Path
    lines: dict[str, int]
    body: str
    body_line: int
    status: str = "draft"
    date: dt.datetime | None = None
    review: Review = field(default_factory=Review)
    allow: list[Exemption] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)  # every image used in fields and body

    def line_of(self, key: str) -> int:
        return self.lines.get(key, 1)

    @property
    def label(self) -> str:
        return getattr(self, "title", "") or getattr(self, "name", "") or self.slug


@dataclass
class Column:
    key: str
    name: str
    description: str = ""
    cadence: dict | None = None  # {per: month, count: 2}
    line: int = 1
    stories: list["Story"] = field(default_factory=list)


@dataclass
class Topic:
    key: str
    name: str
    summary: str = ""
    cover: Image | None = None
    featured_from: dt.date | None = None
    featured_to: dt.date | None = None
    line: int = 1
    stories: list["Story"] = field(default_factory=list)
    models: list["ModelWorker"] = field(default_factory=list)
    exhibitions: list["Exhibition"] = field(default_factory=list)


@dataclass
class Honor:
    key: str
    name: str
    level: str
    rank: int = 0
    target: int | None = None
    line: int = 1


@dataclass
class Shelf:
    key: str
    name: str
    description: str = ""
    line: int = 1
    books: list["Book"] = field(default_factory=list)


@dataclass
class Story(Item):
    title: str = ""
    column_key: str = ""
    genre: str = ""
    summary: str = ""
    authors: list[str] = field(default_factory=list)
    origin: str = ""  # 来源 (the `source` field; `source` names the file)
    editor: str = ""  # 责任编辑
    cover: Image | None = None
    cover_focus: tuple[float, float] | None = None
    tags: list[str] = field(default_factory=list)
    topic_keys: list[str] = field(default_factory=list)
    model_slugs: list[str] = field(default_factory=list)
    wechat: dict = field(default_factory=dict)
    # filled by link
    column: Column | None = None
    topics: list[Topic] = field(default_factory=list)
    models: list["ModelWorker"] = field(default_factory=list)


@dataclass
class HonorAward:
    """One honor a labor model received in one year."""

    honor_key: str
    year: int
    line: int = 1
    honor: Honor | None = None


@dataclass
class ModelWorker(Item):
    name: str = ""
    photo: Image | None = None
    employer: str = ""
    position: str = ""
    industry: str = ""
    region: str = ""
    gender: str = ""
    ethnicity: str = ""
    honors: list[HonorAward] = field(default_factory=list)
    quote: str = ""
    consent: Signature | None = None
    topic_keys: list[str] = field(default_factory=list)
    # filled by link: every story that names this model
    stories: list[Story] = field(default_factory=list)

    @property
    def top_honor(self) -> HonorAward | None:
        ranked = [h for h in self.honors if h.honor]
        return min(ranked, key=lambda h: (h.honor.rank, -h.year)) if ranked else None


@dataclass
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


@dataclass
class Exhibition(Item):
    title: str = ""
    opens: dt.date | None = None
    closes: dt.date | None = None
    exhibition_kind: str = ""
    organizer: str = ""
    summary: str = ""
    cover: Image | None = None
    works: list[Work] = field(default_factory=list)
    topic_keys: list[str] = field(default_factory=list)


@dataclass
class Book(Item):
    title: str = ""
    author: str = ""
    publisher: str = ""
    year: int | None = None
    isbn: str = ""
    cover: Image | None = None
    shelf_key: str = ""
    summary: str = ""
    shelf: Shelf | None = None
    shares: list["Share"] = field(default_factory=list)


@dataclass
class Share(Item):
    title: str = ""
    book_slug: str = ""
    author: str = ""
    unit: str = ""
    book: Book | None = None


@dataclass
class Entry(Item):
    title: str = ""
    author: str = ""
    unit: str = ""
    award: str = ""
    contest_slug: str = ""


@dataclass
class Contest(Item):
    title: str = ""
    theme: str = ""
    opens: dt.date | None = None
    closes: dt.date | None = None
    organizer: str = ""
    entries: list[Entry] = field(default_factory=list)
