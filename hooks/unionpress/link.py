"""Link: typed items → one Site, with every reference resolved and every backlink filled in.

Run twice per build: once over everything (to report unknown references and duplicates), and
once over what `publish` lets out (so listings and backlinks only ever see published items).
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field, replace

from .findings import Findings
from .items import (Book, Column, Contest, Entry, Exhibition, Honor, Item, ModelWorker, Share, Shelf, Story,
                    Topic)
from .validate import Validated

_UNDATED = dt.datetime(1900, 1, 1, tzinfo=dt.timezone.utc)  # sorts a story with a bad date last
KIND_NAMES = {"story": "稿件", "model": "劳模", "exhibition": "展览", "book": "书目", "share": "读书分享",
              "contest": "征文比赛", "entry": "参赛作品"}


@dataclass
class Site:
    stories: dict[str, Story] = field(default_factory=dict)
    models: dict[str, ModelWorker] = field(default_factory=dict)
    exhibitions: dict[str, Exhibition] = field(default_factory=dict)
    books: dict[str, Book] = field(default_factory=dict)
    shares: dict[str, Share] = field(default_factory=dict)
    contests: dict[str, Contest] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    columns: dict[str, Column] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)
    honors: dict[str, Honor] = field(default_factory=dict)
    shelves: dict[str, Shelf] = field(default_factory=dict)

    def items(self) -> list[Item]:
        return [*self.stories.values(), *self.models.values(), *self.exhibitions.values(), *self.books.values(),
                *self.shares.values(), *self.contests.values(), *self.entries]

    def latest_stories(self) -> list[Story]:
        # Newest first; the slug breaks ties so equal dates still give one order (determinism).
        return sorted(self.stories.values(), key=lambda s: (s.date or _UNDATED, s.slug), reverse=True)


_COLLECTIONS = {"story": "stories", "model": "models", "exhibition": "exhibitions", "book": "books",
                "share": "shares", "contest": "contests"}


def _hint(key: str, known) -> str:
    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
    return f"，是否想写「{close[0]}」？" if close else ""


def _fresh(obj):
    """A copy of a list object with its backlinks emptied, so linking twice never accumulates."""
    empty = {name: [] for name in ("stories", "models", "exhibitions", "books") if hasattr(obj, name)}
    return replace(obj, **empty)


def link(content: Validated, findings: Findings | None = None) -> Site:
    report = findings is not None
    findings = findings or Findings()
    site = Site()
    site.columns = {c.key: _fresh(c) for c in content.columns}
    site.topics = {t.key: _fresh(t) for t in content.topics}
    site.honors = {h.key: h for h in content.honors}
    site.shelves = {s.key: _fresh(s) for s in content.shelves}

    for item in content.items:
        if item.kind == "entry":
            site.entries.append(item)  # type: ignore[arg-type]
            continue
        table = getattr(site, _COLLECTIONS[item.kind])
        if item.slug in table:
            findings.add(item.source, 1, "duplicate-slug", what=KIND_NAMES[item.kind], slug=item.slug,
                         other=table[item.slug].source)
            continue
        table[item.slug] = item

    def ref(item: Item, field_name: str, key: str, table: dict, what: str):
        if key in table:
            return table[key]
        if report:
            findings.add(item.source, item.line_of(field_name), "unknown-ref", field=field_name, what=what, key=key,
                         hint=_hint(key, table))
        return None

    for model in site.models.values():
        model.stories = []
        for award in model.honors:
            award.honor = ref(model, "honors", award.honor_key, site.honors, "荣誉")
        for key in model.topic_keys:
            if topic := ref(model, "topics", key, site.topics, "专题"):
                topic.models.append(model)

    for story in site.latest_stories():
        story.column = ref(story, "column", story.column_key, site.columns, "栏目") if story.column_key else None
        if story.column:
            story.column.stories.append(story)
        story.topics = [t for k in story.topic_keys if (t := ref(story, "topics", k, site.topics, "专题"))]
        story.models = [m for k in story.model_slugs if (m := ref(story, "models", k, site.models, "劳模"))]
        for topic in story.topics:
            topic.stories.append(story)
            for model in story.models:
                if model not in topic.models:
                    topic.models.append(model)
        for model in story.models:
            model.stories.append(story)

    for show in site.exhibitions.values():
        for key in show.topic_keys:
            if topic := ref(show, "topics", key, site.topics, "专题"):
                topic.exhibitions.append(show)

    for book in site.books.values():
        book.shares = []
        book.shelf = ref(book, "shelf", book.shelf_key, site.shelves, "书架") if book.shelf_key else None
        if book.shelf:
            book.shelf.books.append(book)
    for share in site.shares.values():
        share.book = ref(share, "book", share.book_slug, site.books, "书目") if share.book_slug else None
        if share.book:
            share.book.shares.append(share)

    for contest in site.contests.values():
        contest.entries = []
    for entry in site.entries:
        if entry.contest_slug in site.contests:
            site.contests[entry.contest_slug].entries.append(entry)
        elif report:
            findings.add(entry.source, 1, "unknown-ref", field="所在目录", what="征文比赛", key=entry.contest_slug,
                         hint="（比赛目录下缺少 index.md）")
    return site
