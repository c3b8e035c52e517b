"""Publish: the gate. The only place that decides what may leave the build.

`PublicSite` applies the gate in its own constructor, so a public view that holds a draft, an
embargoed or an unreviewed item cannot be made, whoever builds it. Every output meant for the
outside world (sitemap, search, feeds, exports) takes a `PublicSite` and nothing else. A preview
build also makes a `PreviewSite` (everything, with banners) for its HTML pages only.
"""

from __future__ import annotations

from .config import Settings
from .items import Item
from .catalog import Catalog
from .kinds import ITEM_KINDS
from .link import View


def is_public(item: Item, settings: Settings) -> bool:
    """May this item leave the building? Independent of preview mode."""
    if item.status != "published":
        return False
    if item.date is not None and item.date > settings.now:
        return False  # embargoed until its date
    if settings.review_required and item.review.missing():
        return False
    return True


def _public_items(catalog: Catalog, settings: Settings) -> list[Item]:
    public = [item for item in catalog.items if is_public(item, settings)]
    # An item that lives inside another (an entry in a contest) is public only while that one is.
    keys = {(item.kind, item.key) for item in public}
    result = []
    for item in public:
        if all((ref.target, key) in keys for ref in ITEM_KINDS[item.kind].refs if ref.required_public
               for key in ref.keys(item)):
            result.append(item)
    return result


class PublicSite(View):
    """Published, reviewed, not embargoed: linked only among themselves."""

    def __init__(self, catalog: Catalog, settings: Settings) -> None:
        super().__init__(_public_items(catalog, settings), catalog.lists, settings)
        self.preview = False


class PreviewSite(View):
    """Everything, for the HTML pages of a preview build; never handed to an output."""

    def __init__(self, catalog: Catalog, settings: Settings, public: PublicSite) -> None:
        super().__init__(catalog.items, catalog.lists, settings)
        self.public = public
        self.preview = True


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
    if not reasons:
        reasons.append("所属内容未发布")
    return "草稿·未发布（" + "；".join(reasons) + "）"
