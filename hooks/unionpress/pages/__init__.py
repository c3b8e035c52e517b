"""Render: the linked Site → pages (Markdown with raw HTML blocks) and the assets they use.

One `_render_*` helper per kind of page. Listings are paginated so that no page grows with the
size of the site; the navigation lists columns and topics, never individual stories.
"""

from __future__ import annotations

import re
from pypinyin import lazy_pinyin

from ..config import Settings
from ..items import Image, Item, ModelWorker, Story
from ..link import Site
from ..publish import banner
from .base import (Page, Rendered, Templates, chunks, pager_window, derive_summary, front_matter, image_size, model_uri,
                   paged_uri, relative, rewrite_images, story_uri, url_of)

HOME_STORIES = 10
HOME_MODELS = 8


def column_uri(key: str) -> str:
    return f"columns/{key}/index.md"


def topic_uri(key: str) -> str:
    return f"topics/{key}/index.md"


def tag_slug(name: str) -> str:
    """An ASCII URL segment for a Chinese tag: its pinyin (劳模精神 → lao-mo-jing-shen)."""
    words = lazy_pinyin(name, errors=lambda chars: [chars])
    slug = "-".join(re.sub(r"[^a-z0-9]+", "-", w.lower()).strip("-") for w in words)
    return re.sub(r"-{2,}", "-", slug).strip("-") or "tag"


def tag_table(stories) -> dict[str, str]:
    """Tag name → page URI. Homophones (工匠/公匠) get -2, -3 … in name order, so URLs are stable."""
    table, taken = {}, set()
    for name in sorted({t for s in stories for t in s.tags}, key=lambda n: (tag_slug(n), n)):
        slug, number = tag_slug(name), 2
        candidate = slug
        while candidate in taken:
            candidate, number = f"{slug}-{number}", number + 1
        taken.add(candidate)
        table[name] = f"tags/{candidate}/index.md"
    return table


class _Renderer:
    def __init__(self, site: Site, settings: Settings) -> None:
        self.site = site
        self.settings = settings
        self.out = Rendered()
        self.tags = tag_table(site.stories.values())
        self.templates = Templates({
            "story_uri": story_uri, "model_uri": model_uri, "column_uri": column_uri, "topic_uri": topic_uri,
            "image_size": image_size, "summary": self.summary, "pager_window": pager_window, "site_name": settings.site_name,
        })

    # -- helpers ------------------------------------------------------------------------------
    def summary(self, story: Story) -> str:
        return story.summary or derive_summary(story.body)

    def html(self, template: str, page_uri: str, **context) -> str:
        page_url = url_of(page_uri)
        context.setdefault("href", lambda uri: relative(page_url, url_of(uri)))
        context.setdefault("media", lambda image: relative(page_url, image.output))
        return self.templates.render(template, **context)

    def add(self, uri: str, title: str, markdown: str, item: Item | None = None, lastmod=None) -> None:
        self.out.pages.append(Page(uri, title, markdown, item.source if item else "",
                                   lastmod.date().isoformat() if lastmod else ""))
        for image in item.images if item else ():
            self._asset(image)

    def _asset(self, image: Image | None) -> None:
        if image is not None and image.path is not None:
            self.out.assets[image.output] = image.path

    # -- pages ----------------------------------------------------------------------------------
    def _render_story(self, story: Story) -> None:
        uri = story_uri(story.slug)
        head = self.html("story_head.html", uri, story=story, text=banner(story, self.settings))
        tags = [(t, self.tags[t]) for t in story.tags]
        foot = self.html("story_foot.html", uri, story=story, tags=tags)
        body = rewrite_images(story.body, story, uri)
        md = front_matter(story.title, self.summary(story), hide=("navigation",)) + head + "\n" + body + "\n\n" + foot
        self.add(uri, story.title, md, story, story.date)

    def _render_listing(self, base: str, title: str, stories: list[Story], kicker: str, description: str = "",
                        note: str = "", cover: Image | None = None, models=()) -> None:
        groups = chunks(stories, self.settings.page_size)
        uris = [paged_uri(base, n) for n in range(1, len(groups) + 1)]
        self._asset(cover)
        for number, (uri, group) in enumerate(zip(uris, groups), start=1):
            html = self.html("listing.html", uri, title=title, kicker=kicker, description=description, note=note,
                             cover=cover if number == 1 else None, models=list(models) if number == 1 else [],
                             stories=group, pages=uris, current=number)
            page_title = title if number == 1 else f"{title}（第 {number} 页）"
            self.add(uri, page_title, front_matter(page_title, description) + html,
                     lastmod=group[0].date if group else None)

    def _render_columns(self) -> None:
        for column in self.site.columns.values():
            note = ""
            if column.cadence:
                per = {"week": "每周", "month": "每月", "quarter": "每季度", "year": "每年"}[column.cadence["per"]]
                note = f"{per}更新 {column.cadence['count']} 篇"
            self._render_listing(f"columns/{column.key}/", column.name, column.stories, "栏目",
                                 column.description, note)

    def _render_topics(self) -> None:
        for topic in self.site.topics.values():
            self._render_listing(f"topics/{topic.key}/", topic.name, topic.stories, "专题", topic.summary,
                                 cover=topic.cover, models=topic.models)

    def _render_tags(self) -> None:
        by_tag: dict[str, list[Story]] = {name: [] for name in self.tags}
        for story in self.site.latest_stories():
            for tag in story.tags:
                by_tag[tag].append(story)
        rows = sorted(((name, self.tags[name], len(items)) for name, items in by_tag.items()),
                      key=lambda row: (-row[2], self.tags[row[0]]))
        self.add("tags/index.md", "标签", front_matter("标签") + self.html("tags.html", "tags/index.md", tags=rows))
        for name, uri in self.tags.items():
            self._render_listing(uri[: -len("index.md")], name, by_tag[name], "标签")

    def _render_model(self, model: ModelWorker) -> None:
        uri = model_uri(model.slug)
        honors = sorted((h for h in model.honors if h.honor), key=lambda h: (-h.year, h.honor.rank))
        head = self.html("model_head.html", uri, model=model, honors=honors, text=banner(model, self.settings))
        foot = self.html("model_foot.html", uri, model=model)
        body = rewrite_images(model.body, model, uri)
        description = f"{model.name}，{model.employer}{model.position}"
        md = front_matter(model.name, description) + head + "\n" + body + "\n\n" + foot
        self.add(uri, model.name, md, model, model.date)

    def models_by_honor(self) -> list[ModelWorker]:
        def order(model: ModelWorker):
            top = model.top_honor
            return (top.honor.rank if top else 10**6, -(top.year if top else 0), model.slug)
        return sorted(self.site.models.values(), key=order)

    def _render_models(self) -> None:
        for model in self.site.models.values():
            self._render_model(model)
        models = self.models_by_honor()
        self.add("models/index.md", "劳模风采",
                 front_matter("劳模风采", "劳动模范、大国工匠和先进人物") + self.html("models.html", "models/index.md", models=models))

    def featured_topic(self):
        today = self.settings.now.date()
        for topic in self.site.topics.values():
            if topic.featured_from and topic.featured_to and topic.featured_from <= today <= topic.featured_to:
                return topic
        return None

    def _render_home(self) -> None:
        featured = self.featured_topic()
        self._asset(featured.cover if featured else None)
        html = self.html("home.html", "index.md", featured=featured,
                         latest=self.site.latest_stories()[:HOME_STORIES], models=self.models_by_honor()[:HOME_MODELS],
                         columns=list(self.site.columns.values()), topics=list(self.site.topics.values()))
        self.add("index.md", self.settings.site_name,
                 front_matter(self.settings.site_name, "劳动者之歌，劳模风采，职工书屋", hide=("navigation", "toc")) + html)

    def render(self) -> Rendered:
        self._render_home()
        for story in self.site.latest_stories():
            self._render_story(story)
        self._render_columns()
        self._render_topics()
        self._render_tags()
        self._render_models()
        return self.out


def render(site: Site, settings: Settings) -> Rendered:
    return _Renderer(site, settings).render()


__all__ = ["render", "Page", "Rendered", "column_uri", "topic_uri", "tag_slug"]
