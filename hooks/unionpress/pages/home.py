"""The homepage: featured topic, latest news, each kind's box (Kind.home), columns and topics."""

from __future__ import annotations

from ..kinds import ITEM_KINDS, topic
from ..kinds.base import HomeBlock

HOME_STORIES = 10


def blocks(site, settings) -> list[HomeBlock]:
    """Every kind's homepage box that has something to show in this view, by `order` (then registry
    order): 星光大道, current exhibitions, the reading room …"""
    found = [block for kind in ITEM_KINDS.values() if kind.home and (block := kind.home(site, settings)) is not None]
    return sorted(found, key=lambda block: block.order)  # stable: equal orders keep registry order


def pages(site, out) -> None:
    settings = out.settings
    featured = topic.featured(site, settings.now.date())  # settings.now is in the union's time zone
    latest = site.latest("story")[:HOME_STORIES]
    out.add("", "home.html", title=settings.site_name, description=settings.site_description,
            lastmod=latest[0].date if latest else None,
            image=featured.cover if featured else None, featured=featured,
            latest=latest, blocks=blocks(site, settings),
            columns=list(site.occupied("column")), topics=list(site.occupied("topic")))
