"""/feeds/: the readers' page listing every feed with its subscribe address."""

from __future__ import annotations

from ..feedsets import feed_sets

KINDS = {"site": "全站", "column": "栏目", "topic": "专题", "partner": "合作媒体"}


def pages(site, out) -> None:
    groups: dict[str, list] = {}
    for feed in feed_sets(site, out.settings):  # the public view's feeds, in a preview build too
        groups.setdefault(feed.group or KINDS.get(feed.kind, feed.title), []).append(feed)
    out.add("feeds/", "feeds.html", title="订阅本站", description="用 RSS 阅读器或新闻客户端订阅本站最新报道",
            groups=list(groups.items()))
