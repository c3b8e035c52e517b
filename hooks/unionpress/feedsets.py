"""Which feeds the site offers: the whole site, each kind's own (Kind.feeds: reading shares …), each
column, each topic, each partner.

Kept apart from the output that writes them (outputs/feeds.py) because pages need the same list:
every page links the site feed, column and topic pages link theirs, and /feeds/ lists them all.
The feed sets are decided by the public view and the settings: a column or topic has a feed exactly
while it has a public page (its row passes the gate and holds a public story or profile). A preview
build offers the same feeds as production, never one of what it shows only in preview.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from .tags import tag_key

FORMATS = (("rss", ".xml", "application/rss+xml", "RSS"), ("atom", ".atom.xml", "application/atom+xml", "Atom"),
           ("json", ".json", "application/feed+json", "JSON Feed"))


@dataclass(frozen=True)
class FeedSet:
    stem: str  # feeds/columns/KEY → KEY.xml, KEY.atom.xml, KEY.json beside it
    title: str
    description: str
    page: str  # the HTML page the feed follows ("" for the homepage)
    columns: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()  # tag keys (tag_key): a partner's 5G matches a story's 5g
    genres: tuple[str, ...] = ()
    full_text: bool = True
    kind: str = "site"  # site | column | topic | partner, or the item kind of a kind's own feed (share …)
    # A kind's own feed (Kind.feeds) holds items of another kind than stories: which kind, and which of
    # the public view's items, newest first (default: every public item of that kind, newest first).
    kind_of_items: str = "story"
    select: Callable[[object], Sequence] | None = None  # (public view) -> items, newest first
    group: str = ""  # its heading on /feeds/ ("读书分享"); site, column, topic and partner feeds have theirs
    bundles: bool = False  # a partner's: each item links its manuscript bundle (outputs/newsroom.py)

    def items(self, public) -> Sequence:
        """The public items this feed may hold, newest first, before its filters and length."""
        return self.select(public) if self.select else public.latest(self.kind_of_items)

    def url(self, fmt: str) -> str:
        suffix = next(s for name, s, _type, _label in FORMATS if name == fmt)
        if self.kind == "site":
            return {"rss": "feeds/rss.xml", "atom": "feeds/atom.xml", "json": "feeds/feed.json"}[fmt]
        return self.stem + suffix

    def links(self) -> list[tuple[str, str, str]]:
        """(type, label, URL) for each format."""
        return [(mime, label, self.url(name)) for name, _s, mime, label in FORMATS]

    def matches(self, story, column_key: str, topic_keys) -> bool:
        """Whether a story passes the feed's filters (a feed without filters takes any item)."""
        if self.columns and column_key not in self.columns:
            return False
        if self.topics and not set(self.topics) & set(topic_keys):
            return False
        if self.tags and not set(self.tags) & {tag_key(t) for t in story.tags}:
            return False
        if self.genres and story.genre not in self.genres:
            return False
        return True


def site_feed(settings) -> FeedSet:
    return FeedSet("feeds/site", settings.site_name, settings.site_description or f"{settings.site_name}最新报道", "")


def column_feed(column, settings) -> FeedSet:
    return FeedSet(f"feeds/columns/{column.key}", f"{column.name} - {settings.site_name}",
                   column.description or column.name, f"columns/{column.key}/", columns=(column.key,), kind="column")


def topic_feed(topic, settings) -> FeedSet:
    return FeedSet(f"feeds/topics/{topic.key}", f"{topic.name} - {settings.site_name}", topic.summary or topic.name,
                   f"topics/{topic.key}/", topics=(topic.key,), kind="topic")


def public_of(site):
    """The public view behind a view: itself, or the one a preview view was made beside."""
    return getattr(site, "public", site)


def feed_of(site, name: str, row) -> FeedSet | None:
    """The feed of a column or topic, or None when it has none (held back, or nothing public in it:
    then even a preview page of it must not link a feed that production never writes)."""
    public = public_of(site)
    if not any(shown is row for shown in public.occupied(name)):
        return None
    return column_feed(row, site.settings) if name == "column" else topic_feed(row, site.settings)


def feed_sets(public, settings) -> list[FeedSet]:
    """Every feed of the public view, in a stable order: site, each kind's own (registry order),
    columns, topics, partners. A partner's filter may name a row that is not public yet: its feed
    simply finds nothing through it, since the public view knows no story in that row
    (outputs/feeds.py matches against the public view)."""
    from .kinds import ITEM_KINDS  # the kinds' modules import this one (topic and column feeds)

    public = public_of(public)
    sets = [site_feed(settings)]
    for kind in ITEM_KINDS.values():
        if kind.feeds:
            sets += kind.feeds(public, settings)
    sets += [column_feed(column, settings) for column in public.occupied("column")]
    sets += [topic_feed(topic, settings) for topic in public.occupied("topic")]
    for partner in settings.partners:
        sets.append(FeedSet(f"feeds/partners/{partner['name']}", partner.get("title") or f"{settings.site_name}（{partner['name']}）",
                            partner.get("description", ""), "", columns=tuple(partner.get("columns", ())),
                            topics=tuple(partner.get("topics", ())), tags=tuple(tag_key(t) for t in partner.get("tags", ())),
                            genres=tuple(partner.get("genres", ())), full_text=partner.get("full_text", True),
                            kind="partner", bundles=partner.get("bundles", False)))
    return sets


def check_partners(settings, lists, known_tags, findings, lines) -> None:
    """A partner filter naming a column, topic, genre or tag that does not exist is a config error."""
    from .findings import did_you_mean

    known = {"columns": set(lists["column"]), "topics": set(lists["topic"]), "genres": set(settings.genres),
             "tags": set(known_tags)}
    folded = {key: {tag_key(v) for v in values} if key == "tags" else values for key, values in known.items()}
    for index, partner in enumerate(settings.partners):
        for key, values in known.items():
            for value in partner.get(key, ()):
                if (tag_key(value) if key == "tags" else value) not in folded[key]:  # 5G matches 5g
                    close = did_you_mean(value, values)
                    findings.add("mkdocs.yml", lines.get("partners", 1), "config",
                                 field=f"extra.unionpress.partners[{index + 1}].{key}",
                                 detail=f"「{value}」不存在" + (f"，是否想写「{close}」？" if close else ""))
