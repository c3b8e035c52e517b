"""Stories (稿件): content/stories/[YYYY/]SLUG.md or SLUG/index.md → /stories/SLUG/."""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import search
from ..items import Image, Item
from ..tags import tag_key
from .base import Kind, Ref

TAG_LIMIT = 30  # characters; a longer "tag" is a pasted sentence, not a way to browse


@dataclass(frozen=True, eq=False)
class Story(Item):
    title: str = ""
    column_key: str = ""
    genre: str = ""
    summary: str = ""
    authors: tuple[str, ...] = ()
    origin: str = ""  # 来源 (the `source` field; `source` names the file)
    editor: str = ""  # 责任编辑
    featured: bool = False  # 头条: the homepage leads with the newest featured story
    cover_caption: str = ""  # the cover's caption (图片说明); its alt text stands in when none is written
    cover: Image | None = None
    cover_focus: tuple[float, float] | None = None
    tags: tuple[str, ...] = ()
    topic_keys: tuple[str, ...] = ()
    model_slugs: tuple[str, ...] = ()
    wechat: dict = field(default_factory=dict)


def read(raw, f, settings) -> dict:
    fields = {
        "title": f.text("title", required=True, max_len=64),
        "column_key": f.text("column", required=True),
        "genre": f.text("genre", choices=settings.genres),
        "summary": f.text("summary", max_len=120),
        "authors": f.texts("authors"),
        "origin": f.text("source", max_len=40),  # a newspaper or a union, not a paragraph
        "editor": f.text("editor"),
        "cover": f.image("cover", "cover_alt"),
        "cover_caption": f.text("cover_caption", max_len=200),
        "featured": f.flag("featured"),
        "cover_focus": f.focus("cover_focus"),
        "tags": f.texts("tags", max_len=TAG_LIMIT, same=tag_key),
        "topic_keys": f.texts("topics"),
        "model_slugs": f.texts("models"),
    }
    wechat = f.mapping("wechat")
    if wechat is not None:
        fields["wechat"] = {"title": wechat.text("title", max_len=32), "digest": wechat.text("digest", max_len=128),
                            "author": wechat.text("author", max_len=16),
                            "type": wechat.text("type", choices=("news", "newspic"))}  # newspic: 图片消息
        wechat.finish()
    return fields


def url(story: Story) -> str:
    return f"stories/{story.slug}/"


def newest_first(story: Story):
    # The slug breaks ties so equal dates still give one order (determinism).
    return (story.date.timestamp() if story.date else float("-inf"), story.slug)


def neighbours(site) -> dict[int, tuple[Story | None, Story | None]]:
    """上一篇 / 下一篇 of every story: the stories above and below it in its column's listing (newest
    first), one pass per column (looking each story up in its column would be quadratic). Taken from
    the view, so a draft or embargoed story is never a neighbour."""
    found: dict[int, tuple[Story | None, Story | None]] = {}
    for column in site.lists["column"].values():
        siblings = site.backrefs(column, "story", "column")
        for at, story in enumerate(siblings):
            found[id(story)] = (siblings[at - 1] if at > 0 else None,
                                siblings[at + 1] if at + 1 < len(siblings) else None)
    return found


def article(story: Story, column, description: str, settings) -> dict:
    """The story as schema.org NewsArticle (its URL and cover are added when the page is rendered)."""
    data = {"@type": "NewsArticle", "headline": story.title, "description": description, "inLanguage": "zh-CN",
            "datePublished": story.date, "publisher": {"@type": "Organization", "name": settings.site_name}}
    if story.authors:
        data["author"] = [{"@type": "Person", "name": name} for name in story.authors]
    if column is not None:
        data["articleSection"] = column.name
    if story.tags:
        data["keywords"] = list(story.tags)
    return data


def pages(site, out) -> None:
    around = neighbours(site)
    for story in site.latest("story"):
        newer, older = around.get(id(story), (None, None))
        column, description = site.first(story, "column"), out.summary(story)
        out.add(url(story), "story.html", title=story.title, description=description, item=story,
                lastmod=story.date, searchable=True, image=story.cover, story=story,
                column=column, models=site.refs(story, "models"), newer=newer, older=older,
                topics=site.refs(story, "topics"), tags=[(t, out.tag_url(t)) for t in story.tags],
                jsonld=out.derived(article, story, column, description, out.settings))


def records(public, body_of) -> list[search.Record]:
    """A story is found by its title, summary, body, bylines, tags and the names (and their pinyin) of
    its writers and of the labor models it is about."""
    found = []
    for story in public.latest("story"):
        column = public.first(story, "column")
        people = [*story.authors, *(model.name for model in public.refs(story, "models"))]
        found.append(search.Record(
            url=public.url(story), title=story.title, kind=KIND.search_label,
            text=" ".join(filter(None, [story.summary, search.body_text(story, body_of)])),
            fields=(*story.authors, *story.tags),
            date=story.date.date().isoformat() if story.date else "", column=column.name if column else "",
            image=search.thumbnail(story.cover, public.settings),
            image_alt=story.cover.alt if story.cover else "", people=tuple(dict.fromkeys(people))))
    return found


def topic(site, row) -> tuple[Story, ...]:
    """A topic's stories, newest first: the paginated list of its page (kinds/topic.py)."""
    return site.backrefs(row, "story", "topics")


KIND = Kind("story", "稿件", "stories", Story, read, date_required=True, url=url, pages=pages, sort=newest_first,
            records=records, topic=topic, search_label="报道", also_known=("cover_alt",), refs=(
                Ref("column", "column", lambda s: (s.column_key,) if s.column_key else ()),
                Ref("topics", "topic", lambda s: s.topic_keys),
                Ref("models", "model", lambda s: s.model_slugs),
            ))
