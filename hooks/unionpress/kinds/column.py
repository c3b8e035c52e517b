"""Columns (栏目): content/columns.yml → /columns/KEY/ (its stories, newest first, paginated) and /columns/."""

from __future__ import annotations

from dataclasses import dataclass

from ..feedsets import feed_of
from .base import ListKind, Row

CADENCE_PERIODS = ("week", "month", "quarter", "year")
_PERIOD_NAMES = {"week": "每周", "month": "每月", "quarter": "每季度", "year": "每年"}


@dataclass(frozen=True)
class Column(Row):
    key: str
    name: str
    description: str = ""
    cadence: dict | None = None  # {per: month, count: 2}
    line: int = 1
    notices: bool = False  # 通知公告: the homepage lists its titles and dates in the notices box


def read(f, key, line) -> Column:
    name, description, notices = f.text("name", required=True), f.text("description"), f.flag("notices")
    cadence = None
    block = f.mapping("cadence")
    if block is not None:
        per = block.text("per", required=True, choices=CADENCE_PERIODS)
        count = block.integer("count", required=True, low=1, high=100)
        block.finish()
        # A value that failed its check is not used: the column simply has no promise.
        if per in CADENCE_PERIODS and count:
            cadence = {"per": per, "count": count}
    return Column(key, name, description, cadence, line, notices)


def url(column: Column) -> str:
    return f"columns/{column.key}/"


def pages(site, out) -> None:
    """A page per column that holds a story of this view; /columns/ lists them. A column without one
    has no page (the build log says so: pages.plan)."""
    columns = site.occupied("column")
    for column in columns:
        note = f"{_PERIOD_NAMES[column.cadence['per']]}更新 {column.cadence['count']} 篇" if column.cadence else ""
        out.listing(url(column), column.name, site.backrefs(column, "story", "column"), kicker="栏目",
                    description=column.description, note=note, feed=feed_of(site, "column", column),
                    notice=out.row_banner("column", column))
    if columns:
        out.add("columns/", "index.html", title="全部栏目", kicker="栏目", description="按栏目浏览全部报道",
                entries=[(column.name, url(column), column.description,
                          f"{len(site.backrefs(column, 'story', 'column'))} 篇") for column in columns])


KIND = ListKind("column", "栏目", "columns.yml", read, url=url, pages=pages, members=(("story", "column"),), home=True)
