"""The homepage, a portal the union arranges (`extra.unionpress.home`), and /news/, every story.

The blocks are the editors' to order and size: 头条 (the newest `featured: true` story, else the
newest), 图片新闻 (a grid, never a carousel: nothing moves under an old reader's finger), 要闻,
通知公告 (the columns marked `notices: true`), a box per column, the featured topic, and each kind's
own box (Kind.home: 星光大道, exhibitions, the reading room, contests). The page is two columns on a
desktop: a wide block spans both, the boxes of titles pair up in the order written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..config import HOME_BLOCKS, HOME_COUNTS
from ..kinds import ITEM_KINDS, topic
from ..kinds.base import HomeBlock

NEWS_URL = "news/"
NEWS_TITLE = "全部报道"
# The kinds' own boxes by the name editors write in `home` (the kind's registry name is code's word).
KIND_BLOCKS = {"models": "model", "exhibitions": "exhibition", "library": "book", "contests": "contest"}
# Boxes of dated titles share a row on a desktop; everything else spans the page.
HALF = {"latest", "notices", "columns", "pictures"}


@dataclass(frozen=True)
class Cell:
    """One box of the homepage as placed: the block it comes from (a `home` key), whether it spans
    both columns on a desktop, and the box itself."""

    name: str
    wide: bool
    block: HomeBlock


def blocks(site, settings) -> list[HomeBlock]:
    """Every kind's homepage box that has something to show in this view, by `order` (then registry
    order): 星光大道, current exhibitions, the reading room …"""
    found = [block for kind in ITEM_KINDS.values() if kind.home and (block := kind.home(site, settings)) is not None]
    return sorted(found, key=lambda block: block.order)  # stable: equal orders keep registry order


def lead(site):
    """头条: the newest story marked `featured: true`, else the newest story (None: no story yet)."""
    stories = site.latest("story")
    return next((story for story in stories if story.featured), stories[0] if stories else None)


def _capped(block: HomeBlock, count: int | None) -> HomeBlock:
    """A kind's box with each of its lists cut to the count the editors wrote (never longer than the
    kind's own choice)."""
    if count is None:
        return block
    return replace(block, context={key: value[:count] if isinstance(value, (list, tuple)) else value
                                   for key, value in block.context.items()})


def cells(site, settings) -> list[Cell]:
    """The homepage's boxes in the editors' order, each only when it has something to show."""
    from ..kinds import column  # the column kind's URL

    stories = site.latest("story")
    top = lead(site) if any(name == "lead" for name, _ in settings.home) else None  # not shown twice
    rest = [story for story in stories if story is not top]
    # The notices columns have their own box; without a `notices` block they are columns like the others.
    notices = [row for row in site.occupied("column") if row.notices] if any(
        name == "notices" for name, _ in settings.home) else []
    held = {id(row) for row in notices}
    kinds = {}
    for kind in ITEM_KINDS.values():
        block = kind.home(site, settings) if kind.home else None
        if block is not None:
            kinds[kind.name] = block
    found: list[Cell] = []
    for name, written in settings.home:
        count = written or HOME_COUNTS.get(name)
        wide = name not in HALF
        if name == "lead" and top is not None:
            found.append(Cell(name, wide, HomeBlock("_home_lead.html", HOME_BLOCKS[name], NEWS_URL, 0, {"story": top})))
        elif name == "topic" and (featured := topic.featured(site, settings.now.date())) is not None:
            found.append(Cell(name, wide, HomeBlock("_home_topic.html", "专题", topic.url(featured), 0,
                                                    {"topic": featured})))
        elif name == "pictures" and (pictured := [story for story in rest if story.cover][:count]):
            found.append(Cell(name, wide, HomeBlock("_home_pictures.html", HOME_BLOCKS[name], NEWS_URL, 0,
                                                    {"stories": pictured})))
        elif name == "latest" and rest:
            shown = [story for story in rest if id(site.first(story, "column")) not in held][:count]
            if shown:
                found.append(Cell(name, wide, HomeBlock("_home_titles.html", HOME_BLOCKS[name], NEWS_URL, 0,
                                                        {"stories": shown, "key": name})))
        elif name in ("notices", "columns"):
            rows = notices if name == "notices" else [row for row in site.occupied("column") if id(row) not in held]
            for row in rows:
                found.append(Cell(name, wide, HomeBlock("_home_titles.html", row.name, column.url(row), 0, {
                    "stories": site.backrefs(row, "story", "column")[:count], "key": f"{name}-{row.key}"})))
        elif name in KIND_BLOCKS and KIND_BLOCKS[name] in kinds:
            found.append(Cell(name, wide, _capped(kinds[KIND_BLOCKS[name]], written)))
    # A kind added later that `home` cannot name yet still shows its box, last, by its order.
    named = set(KIND_BLOCKS.values())
    found += [Cell(kind, True, block) for kind, block in sorted(kinds.items(), key=lambda pair: pair[1].order)
              if kind not in named]
    return found


def pages(site, out) -> None:
    settings = out.settings
    stories = site.latest("story")
    top = lead(site)
    featured = topic.featured(site, settings.now.date())  # settings.now is in the union's time zone
    image = featured.cover if featured and featured.cover else top.cover if top else None
    out.add("", "home.html", title=settings.site_name, description=settings.site_description,
            lastmod=stories[0].date if stories else None, image=image, cells=cells(site, settings))
    # A list like a column's (listing.html), under its own template name so the page-type checks (axe,
    # budgets, screenshots) see /news/ and still a column page.
    description = f"{settings.site_name}的全部报道，按发布时间从新到旧"
    for url, title, number, group, urls in out.paged(NEWS_URL, NEWS_TITLE, stories, settings.page_size) if stories else ():
        out.add(url, "news.html", title=title, description=description, lastmod=group[0].date if group else None,
                heading=NEWS_TITLE, kicker="报道", note="", cover=None, models=[], stories=group, pages=urls,
                current=number, feed=None, notice="", owner=None)
