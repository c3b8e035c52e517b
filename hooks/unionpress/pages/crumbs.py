"""Breadcrumbs (当前位置): 首页 › … › this page, on every page below the homepage.

Worked out from the page plan, so a page type added later gets its trail without being listed: the
trail is every planned page whose URL is a folder above this one (contests/ → contests/x/ → the
entry), with the row an item lives in put before it (a story's column, a book's shelf: the ListKinds
that are their members' home). A page of a paginated list ends in 「第 N 页」 under its first page.
"""

from __future__ import annotations

import re
from typing import Sequence

from ..kinds import LIST_KINDS

HOME = "首页"
_PAGED = re.compile(r"^(.*/)page/(\d+)/$")


def _home_rows(site, item) -> list:
    """The rows an item lives in (its column, its shelf), each that the view holds."""
    found = []
    for kind in LIST_KINDS.values():
        if not kind.home:
            continue
        for member, field in kind.members:
            if member == item.kind and (row := site.first(item, field)) is not None:
                found.append((kind, row))
    return found


def trails(pages: Sequence, site) -> dict[str, tuple[tuple[str, str], ...]]:
    """page URL → its trail as (name, URL) pairs from 首页 to the page itself (the last one is the
    page). The homepage and the 404 page have none."""
    titles = {page.url: page.title for page in pages}
    found: dict[str, tuple[tuple[str, str], ...]] = {}
    for page in pages:
        if page.url in ("", "404.html") or not page.url.endswith("/"):
            continue
        trail: list[tuple[str, str]] = [(HOME, "")]
        paged = _PAGED.match(page.url)
        own = paged.group(1) if paged and paged.group(1) in titles else page.url
        parts = own.strip("/").split("/")
        for end in range(1, len(parts)):
            above = "/".join(parts[:end]) + "/"
            if above in titles:
                trail.append((titles[above], above))
        if page.item is not None:
            for kind, row in _home_rows(site, page.item):
                url = kind.url(row) if kind.url else ""
                if url in titles and (titles[url], url) not in trail:
                    trail.append((titles[url], url))
        if own != page.url:
            trail += [(titles[own], own), (f"第 {paged.group(2)} 页", page.url)]
        else:
            trail.append((page.title, page.url))
        found[page.url] = tuple(trail)
    return found


def jsonld(trail, base_url: str) -> dict | None:
    """schema.org BreadcrumbList of a trail (absolute URLs, so only for a site with an address)."""
    if not trail or not base_url:
        return None
    return {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
        {"@type": "ListItem", "position": number, "name": name, "item": base_url + url}
        for number, (name, url) in enumerate(trail, start=1)]}
