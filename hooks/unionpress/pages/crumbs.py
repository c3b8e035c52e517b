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


def trails(pages: Sequence, site) -> Trails:
    """page URL → its trail as (name, URL) pairs from 首页 to the page itself (the last one is the
    page). The homepage and the 404 page have none."""
    return Trails(pages, site)


class Trails(dict):
    """The trails, each worked out when a page first asks (`get`): a preview's edit renders the page on
    screen before it looks at the other 19,000 (0.1 s at 10,000 stories), and a forked child works out
    its own half. A trail set by hand (a docs/ page) is kept as set."""

    def __init__(self, pages: Sequence, site) -> None:
        super().__init__()
        self._pages = {page.url: page for page in pages}
        self._titles = {page.url: page.title for page in pages}
        self._site = site

    def get(self, url: str, default=None):
        found = super().get(url)
        if found is None:
            page = self._pages.get(url)
            if page is None or (found := self._trail(page)) is None:
                return default
            self[url] = found
        return found

    def _trail(self, page) -> tuple[tuple[str, str], ...] | None:
        titles = self._titles
        if page.url in ("", "404.html") or not page.url.endswith("/"):
            return None
        trail: list[tuple[str, str]] = [(HOME, "")]
        paged = _PAGED.match(page.url)
        own = paged.group(1) if paged and paged.group(1) in titles else page.url
        parts = own.strip("/").split("/")
        for end in range(1, len(parts)):
            above = "/".join(parts[:end]) + "/"
            if above in titles:
                trail.append((titles[above], above))
        if page.item is not None:
            for kind, row in _home_rows(self._site, page.item):
                url = kind.url(row) if kind.url else ""
                if url in titles and (titles[url], url) not in trail:
                    trail.append((titles[url], url))
        if own != page.url:
            trail += [(titles[own], own), (f"第 {paged.group(2)} 页", page.url)]
        else:
            trail.append((page.title, page.url))
        return tuple(trail)


def jsonld(trail, base_url: str) -> dict | None:
    """schema.org BreadcrumbList of a trail (absolute URLs, so only for a site with an address)."""
    if not trail or not base_url:
        return None
    return {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
        {"@type": "ListItem", "position": number, "name": name, "item": base_url + url}
        for number, (name, url) in enumerate(trail, start=1)]}
