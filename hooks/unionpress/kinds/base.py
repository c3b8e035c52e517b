"""What a content kind declares, so that adding or changing a kind touches one module.

An item kind (story, model, …) names its folder, its class, how its front matter is read, which
other things it refers to, its page URL and the pages it builds. A list kind (columns, topics,
honors, shelves) is a YAML list file read row by row. The phases (load, validate, link, publish,
pages) only ever go through these declarations.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable, Iterable


@dataclass(frozen=True)
class Ref:
    """A reference from an item to others, by key, written in one front-matter field."""

    field: str  # the front-matter field, for messages ("column", "models")
    target: str  # the kind referred to: an item kind ("model") or a list kind ("column")
    keys: Callable[[Any], Iterable[str]]
    required_public: bool = False  # entry → contest: the item is public only while its target is


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # Chinese name in messages (稿件, 劳模 …)
    folder: str  # under the content folder
    cls: type
    read: Callable  # (RawItem, Fields, Settings) -> dict of the kind's own fields
    refs: tuple[Ref, ...] = ()
    url: Callable[[Any], str] | None = None  # page URL ("stories/slug/"); None: no page of its own yet
    pages: Callable | None = None  # (view, PageSet) -> None: adds this kind's pages
    date_required: bool = False
    parent: str = ""  # entries live inside a contest's folder: contests/SLUG/entries/
    also_known: tuple[str, ...] = ()  # keys read indirectly (cover_alt next to cover)
    sort: Callable[[Any], Any] | None = None  # order of backlinks to this kind (newest first for stories)
    check: Callable | None = None  # (item, findings): the kind's own rules on the finished item
    # What a kind contributes beyond its own pages, so search, the channel bar, the homepage, topic
    # pages and the feeds iterate the registry instead of naming kinds (issue 17). Each takes the
    # view it is given (public, or preview for pages) and returns nothing for a kind with nothing to show.
    records: Callable | None = None  # (public, body_of) -> list[search.Record]: the kind's search documents
    feeds: Callable | None = None  # (view, settings) -> list[FeedSet]: feeds beside the story feeds
    home: Callable | None = None  # (site, settings) -> HomeBlock | None: the kind's box on the homepage
    channel: Callable | None = None  # (site) -> list[(label, url)]: channel-bar entries, in registry order
    topic: Callable | None = None  # (site, topic) -> list[item]: the kind's items a topic page lists
    search_label: str = ""  # the kind a reader sees beside a search result and filters by (展览, 图书 …)
    # What else of a hidden item would show that it leaked, besides its URL, files and title or name
    # (the audit always knows those): (noun, text) pairs for the audit's message, such as
    # ("作品", work.title), ("作者", work.author), ("作者", share.author).
    markers: Callable | None = None  # (item) -> list[tuple[str, str]]


@dataclass(frozen=True)
class HomeBlock:
    """One kind's box on the homepage: a partial template (pages/templates/_home_KIND.html) and what it shows."""

    template: str  # "_home_exhibition.html"
    title: str  # the box's heading, e.g. 线上展览
    url: str  # its "更多" link, e.g. "exhibitions/"
    order: int  # place on the homepage, smaller first (stories' boxes are 0–99)
    context: dict


@dataclass(frozen=True, kw_only=True)
class Row:
    """What every row of a `key:` list shares: the gate, as on items. A row is public from the moment it
    is written unless it says otherwise (`status` defaults to published, so lists written before rows
    had a gate keep working); `date` holds it back until then, like an embargoed item."""

    status: str = "published"
    date: dt.datetime | None = None
    unreadable: bool = False  # a status or date was written but cannot be read: held back, never guessed


@dataclass(frozen=True)
class ListKind:
    name: str
    label: str  # 栏目, 专题 …
    file: str  # under the content folder
    read: Callable | None  # (Fields, key, line) -> Row, for lists of `key:` rows
    url: Callable[[Any], str] | None = None
    pages: Callable | None = None
    rows: Callable | None = None  # (rows, source, findings) -> {key: object}, for lists of another shape
    # (item kind, field) of the items a row holds: a column's stories, a topic's stories and profiles.
    # A row that holds none of a view's items has no page, feed or channel-bar entry in that view.
    members: tuple[tuple[str, str], ...] = ()
    # The row is its members' home (a story's column, a book's shelf): a member cannot be shown without
    # it, so a published member in a row that is not public by then is an error (row-hidden).
    home: bool = False
    # What the build log says production does with a row it does not show, when a column's words
    # (no page or feed, not on the homepage or the channel bar) do not fit: a shelf has neither.
    unshown: str = ""
