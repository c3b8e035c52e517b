"""Publish: the gate. The only place that decides what may leave the build.

`PublicSite` applies the gate in its own constructor, so a public view that holds a draft, an
embargoed or an unreviewed item cannot be made, whoever builds it. Every output meant for the
outside world (sitemap, search, feeds, exports) takes a `PublicSite` and nothing else. A preview
build also makes a `PreviewSite` (everything, with banners) for its HTML pages only.

List rows (columns, topics, honors, shelves) pass a gate too: `status` and `date` as on items, but
published by default. The public view holds only the rows that pass it; everything that reads
`view.lists` (pages, feeds, the gallery, the honors report) therefore never sees a held-back row, and
an item's reference to one is simply absent there, as a reference to a draft item is.
"""

from __future__ import annotations

from .config import Settings
from .reviewqueue import review_queue
from .items import Item
from .catalog import Catalog
from .kinds import ITEM_KINDS, LIST_KINDS
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


def is_public_row(row: object, settings: Settings) -> bool:
    """May this list row (a column, topic, honor, shelf) leave the building? A row without a gate
    (a synonym group) always may. A row whose status or date cannot be read is a draft (validate)."""
    if getattr(row, "status", "published") != "published":
        return False
    date = getattr(row, "date", None)
    return date is None or date <= settings.now


class PublicSite(View):
    """Published, reviewed, not embargoed: linked only among themselves. Its lists hold only public rows;
    `held` keeps the rows the gate held back, for the build log and nothing else."""

    def __init__(self, catalog: Catalog, settings: Settings) -> None:
        lists = {name: {key: row for key, row in rows.items() if is_public_row(row, settings)}
                 for name, rows in catalog.lists.items()}
        super().__init__(_public_items(catalog, settings), lists, settings)
        self.held = {name: tuple(row for key, row in rows.items() if key not in lists[name])
                     for name, rows in catalog.lists.items()}
        self.preview = False
        # The 三审 queue as counts and days only, for the editors' report (/stats/): never an item.
        self.queue = review_queue(catalog.items, settings.now.date())


class PreviewSite(View):
    """Everything, for the HTML pages of a preview build; never handed to an output."""

    def __init__(self, catalog: Catalog, settings: Settings, public: PublicSite) -> None:
        super().__init__(catalog.items, catalog.lists, settings)
        self.public = public
        self.preview = True


def row_reasons(row, settings: Settings) -> list[str]:
    """Why the gate holds a list row back (empty for a public row), in the banner's words."""
    if is_public_row(row, settings):
        return []
    if row.unreadable:
        return ["status 或 date 写法有误"]
    if row.status != "published":
        return [{"draft": "草稿", "review": "待审"}.get(row.status, row.status)]
    return [f"定时发布：{row.date:%Y-%m-%d %H:%M}"]


def row_banner(name: str, row, settings: Settings, public: View) -> str:
    """The preview banner of a list row's page that production does not make ('' when it does): the
    gate holds the row back, or nothing public is in it yet."""
    reasons = row_reasons(row, settings)
    held_by = LIST_KINDS[name].members
    if not reasons and held_by and public.lists.get(name, {}).get(row.key) is row and not public.members(name, row):
        reasons = ["还没有公开的" + "或".join(dict.fromkeys(ITEM_KINDS[k].label for k, _field in held_by))]
    return "草稿·未发布（" + "；".join(reasons) + "）" if reasons else ""


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
