"""Topics (专题/主题活动): content/topics.yml → /topics/KEY/ (each kind's members, through `Kind.topic`) and /topics/."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..feedsets import feed_of
from ..items import Image
from .base import ListKind, Row


@dataclass(frozen=True)
class Topic(Row):
    key: str
    name: str
    summary: str = ""
    cover: Image | None = None
    featured_from: dt.date | None = None
    featured_to: dt.date | None = None
    line: int = 1


def read(f, key, line) -> Topic:
    name, summary = f.text("name", required=True), f.text("summary", max_len=120)
    cover = f.image("cover", "cover_alt")
    start = end = None
    featured = f.mapping("featured")
    if featured is not None:
        start, end = featured.day("from", required=True), featured.day("to", required=True)
        featured.finish()
    return Topic(key, name, summary, cover, start, end, line)


def url(topic: Topic) -> str:
    return f"topics/{topic.key}/"


def featured(site, today: dt.date) -> Topic | None:
    """The topic the homepage leads with: the first whose window holds today (the union's date), of
    those that have a page in this view."""
    for topic in site.occupied("topic"):
        if topic.featured_from and topic.featured_to and topic.featured_from <= today <= topic.featured_to:
            return topic
    return None


def members(site, topic: Topic) -> list[tuple[object, list]]:
    """(kind, its items) for every kind whose `topic` hook finds some in this topic, in registry order."""
    from . import ITEM_KINDS  # the registry imports this module

    found = []
    for kind in ITEM_KINDS.values():
        items = [item for item in kind.topic(site, topic) if site.url(item)] if kind.topic else []  # with a page
        if items:
            found.append((kind, items))
    return found


def pages(site, out) -> None:
    """A page per topic that holds an item of this view; /topics/ lists them. The topic's stories are
    the paginated list; its other kinds' items (models, exhibitions, contests …) head the first page."""
    topics = site.occupied("topic")
    for topic in topics:
        groups = members(site, topic)
        stories = next((items for kind, items in groups if kind.name == "story"), [])
        others = [(kind, items) for kind, items in groups if kind.name != "story"]
        feed, notice = feed_of(site, "topic", topic), out.row_banner("topic", topic)
        for page, title, number, group, urls in out.paged(url(topic), topic.name, stories, out.settings.page_size):
            out.add(page, "topic.html", title=title, description=topic.summary,
                    lastmod=group[0].date if group else None, image=topic.cover if number == 1 else None,
                    heading=topic.name, kicker="专题", note="", cover=topic.cover if number == 1 else None,
                    groups=others if number == 1 else [], stories=group, pages=urls, current=number, feed=feed,
                    notice=notice)
    if topics:
        out.add("topics/", "index.html", title="全部专题", kicker="专题", description="专题和主题活动",
                entries=[(topic.name, url(topic), topic.summary, held(site, topic)) for topic in topics])


def held(site, topic) -> str:
    """What a topic holds, by kind (稿件 3 · 展览 1): a topic of only an exhibition is not 「0 篇」."""
    return " · ".join(f"{kind.label} {len(items)}" for kind, items in members(site, topic))


# Every kind that names topics in a `topics` field: a topic holding any of them has a page.
KIND = ListKind("topic", "专题", "topics.yml", read, url=url, pages=pages,
                members=(("story", "topics"), ("model", "topics"), ("exhibition", "topics"), ("contest", "topics"),
                         ("book", "topics")))
