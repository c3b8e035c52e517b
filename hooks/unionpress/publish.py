"""Publish: what may leave this build.

The one place that decides visibility, so every page, listing and output asks the same question.
A production build lets out only items that are `published`, dated no later than the build clock,
and (when the union requires it) signed at all three review levels. A preview build also shows the
rest, each marked with a banner; outputs meant for the outside (feeds, exports) must still call
`is_public`, never `is_visible`.
"""

from __future__ import annotations

from .config import Settings
from .items import Item
from .link import Site, link
from .validate import Validated


def is_public(item: Item, settings: Settings) -> bool:
    """May this item leave the building? Independent of preview mode."""
    if item.status != "published":
        return False
    if item.date is not None and item.date > settings.now:
        return False  # embargoed until its date
    if settings.review_required and item.review.missing():
        return False
    return True


def is_visible(item: Item, settings: Settings) -> bool:
    """Does this build show the item as a page? Preview shows everything, with a banner."""
    return settings.preview or is_public(item, settings)


def banner(item: Item, settings: Settings) -> str:
    """The preview banner of a non-public item ('' for public ones)."""
    if is_public(item, settings):
        return ""
    reasons = []
    if item.status != "published":
        reasons.append({"draft": "草稿", "review": "待审"}.get(item.status, item.status))
    elif item.date is not None and item.date > settings.now:
        reasons.append(f"定时发布：{item.date:%Y-%m-%d %H:%M}")
    if settings.review_required and item.review.missing():
        reasons.append("未完成三审：缺" + "、".join(item.review.missing()))
    return "草稿·未发布（" + "；".join(reasons) + "）"


def select(content: Validated, settings: Settings) -> Site:
    """The Site this build renders: only visible items, linked among themselves."""
    visible = Validated()
    visible.columns, visible.topics = content.columns, content.topics
    visible.honors, visible.shelves = content.honors, content.shelves
    visible.items = [item for item in content.items if is_visible(item, settings)]
    site = link(visible)
    # An entry of a hidden contest must not surface through the contest's slug alone.
    site.entries = [e for e in site.entries if e.contest_slug in site.contests]
    return site
