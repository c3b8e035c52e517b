"""Tag pages: /tags/ (every tag with its count) and /tags/TAG/ (its stories, paginated)."""

from __future__ import annotations


def pages(site, out) -> None:
    by_tag: dict[str, list] = {name: [] for name in out.tags}
    for story in site.latest("story"):
        for tag in dict.fromkeys(story.tags):
            by_tag[tag].append(story)
    rows = sorted(((name, out.tags[name], len(stories)) for name, stories in by_tag.items()),
                  key=lambda row: (-row[2], row[1]))
    out.add("tags/", "tags.html", title="标签", description="按标签浏览全部报道", tags=rows)
    for name, url in out.tags.items():
        out.listing(url, name, by_tag[name], kicker="标签")
