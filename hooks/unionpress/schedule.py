"""When the site next changes by itself: the earliest moment after the build clock at which a build of
the same content would give another site, so a cron job can build and publish then.

What moves with the clock (each in the union's time zone, as the gate and the pages read it):

* a published item dated in the future (an embargo; publish.is_public) and a list row dated so
  (is_public_row): it appears at its date;
* an exhibition's or a contest's `opens` (the morning of that day) and `closes` (it is open all day,
  so the change is at midnight after it): its state and its place on the listings change;
* a topic's `featured` window, from the morning of `from` to midnight after `to`: the homepage.

Drafts and items waiting for review never change by themselves, so their dates do not count; an item
that misses a review level under review_required does not either. Reading the catalog, not the public
view, is the point: the public view holds nothing embargoed. Only a time leaves this module, never a
title or a path, and it is written beside the manifest, not into the site a reader sees.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from .catalog import Catalog
from .config import Settings


def _morning(day: dt.date, settings: Settings) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), settings.timezone)


def _midnight_after(day: dt.date, settings: Settings) -> dt.datetime:
    return _morning(day + dt.timedelta(days=1), settings)


def _may_appear(item, settings: Settings) -> bool:
    """Published and signed: nothing but its date holds it back."""
    return item.status == "published" and not (settings.review_required and item.review.missing())


def _window(start: dt.date | None, end: dt.date | None, settings: Settings) -> Iterator[dt.datetime]:
    if isinstance(start, dt.date):
        yield _morning(start, settings)
    if isinstance(end, dt.date):
        yield _midnight_after(end, settings)


def edges(catalog: Catalog, settings: Settings) -> Iterator[dt.datetime]:
    """Every moment the content names at which the built site changes (past ones too)."""
    for item in catalog.items:
        if not _may_appear(item, settings):
            continue
        if item.date is not None:
            yield item.date
        if item.kind in ("exhibition", "contest"):
            yield from _window(getattr(item, "opens", None), getattr(item, "closes", None), settings)
    for rows in catalog.lists.values():
        for row in rows.values():
            if getattr(row, "status", "published") != "published":
                continue
            date = getattr(row, "date", None)
            if isinstance(date, dt.datetime):
                yield date
            yield from _window(getattr(row, "featured_from", None), getattr(row, "featured_to", None), settings)


def next_change(catalog: Catalog, settings: Settings) -> dt.datetime | None:
    """The first edge after the build clock, in the union's time zone (None: the site stays as built)."""
    return _first_after(edges(catalog, settings), settings)


def _first_after(moments: Iterable[dt.datetime], settings: Settings) -> dt.datetime | None:
    later = [moment for moment in moments if moment > settings.now]
    return min(later).astimezone(settings.timezone) if later else None
