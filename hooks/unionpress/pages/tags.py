"""Tag pages: /tags/ (every tag with its count) and /tags/TAG/ (its stories, paginated)."""

from __future__ import annotations

from ..tags import tag_url


def pages(site, out) -> None:
    by_url: dict[str, list] = {url: [] for url in out.tags}
    for story in site.latest("story"):
        for url in dict.fromkeys(tag_url(tag) for tag in story.tags):
            by_url[url].append(story)
    rows = sorted(((out.tags[url], url, len(stories)) for url, stories in by_url.items()),
                  key=lambda row: (-row[2], row[1]))
    out.add("tags/", "tags.html", title="标签", description="按标签浏览全部报道", tags=rows)
    for url, name in out.tags.items():
        out.listing(url, name, by_url[url], kicker="标签", description=f"带“{name}”标签的报道，共 {len(by_url[url])} 篇")
