"""Topics (专题/主题活动): content/topics.yml → /topics/KEY/ (stories, models, exhibitions) and /topics/."""

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


def models_of(site, topic: Topic) -> list:
    """Models named by the topic itself, then those of its stories, each once."""
    seen = list(site.backrefs(topic, "model", "topics"))
    for story in site.backrefs(topic, "story", "topics"):
        seen += [m for m in site.refs(story, "models") if m not in seen]
    return seen


def featured(site, today: dt.date) -> Topic | None:
    """The topic the homepage leads with: the first whose window holds today (the union's date), of
    those that have a page in this view."""
    for topic in site.occupied("topic"):
        if topic.featured_from and topic.featured_to and topic.featured_from <= today <= topic.featured_to:
            return topic
    return None


def pages(site, out) -> None:
    """A page per topic that holds a story or profile of this view; /topics/ lists them."""
    topics = site.occupied("topic")
    for topic in topics:
        out.listing(url(topic), topic.name, site.backrefs(topic, "story", "topics"), kicker="专题",
                    description=topic.summary, cover=topic.cover, models=models_of(site, topic),
                    feed=feed_of(site, "topic", topic), notice=out.row_banner("topic", topic))
    if topics:
        out.add("topics/", "index.html", title="全部专题", kicker="专题", description="专题和主题活动",
                entries=[(topic.name, url(topic), topic.summary, len(site.backrefs(topic, "story", "topics")))
                         for topic in topics])


KIND = ListKind("topic", "专题", "topics.yml", read, url=url, pages=pages,
                members=(("story", "topics"), ("model", "topics")))
