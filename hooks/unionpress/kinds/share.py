"""Reading shares (读书分享): content/library/shares/SLUG.md, each about one book → /library/shares/SLUG/,
and their feed /feeds/shares.xml (Atom and JSON Feed beside it), next to the story feeds.

A share is public by its own gate. Its book is shown and linked only while the book is in the view
too: a share written before its book is put on the shelf never names a book the site does not show.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..feedsets import FeedSet
from ..items import Item
from .base import Kind, Ref
from .book import LIBRARY_URL, newest_first, person

SEARCH_LABEL = "读书分享"
LIST_URL = "library/shares/"  # every share, newest first, paginated
FEED_STEM = "feeds/shares"
SAME_BOOK = 5  # other shares about the same book, under a share


@dataclass(frozen=True, eq=False)
class Share(Item):
    title: str = ""
    book_slug: str = ""
    author: str = ""
    unit: str = ""

    @property
    def summary(self) -> str:
        """The share's opening as plain text: a share has no summary field, and lists, search, feeds and
        link cards all want one (pages.base.summary_of reads it once per share)."""
        from ..pages.base import derive_summary  # pages import the kinds

        return derive_summary(self.body)


def read(raw, f, settings) -> dict:
    return {
        "title": f.text("title", required=True, max_len=64),
        "book_slug": f.text("book", required=True),
        "author": f.text("author", required=True),
        "unit": f.text("unit"),
    }


def url(share: Share) -> str:
    return f"library/shares/{share.slug}/"


def neighbours(site) -> dict[int, tuple[Share | None, Share | None]]:
    """上一篇 / 下一篇 of every share: the shares just newer and just older than it, among all the shares
    of this view (the order of the reading room's list), so a draft is never a neighbour."""
    shares = site.latest("share")
    return {id(share): (shares[at - 1] if at > 0 else None, shares[at + 1] if at + 1 < len(shares) else None)
            for at, share in enumerate(shares)}


def feed(public, settings) -> FeedSet | None:
    """The reading shares' feed, while the public view holds a share: only public shares, newest first
    (FeedSet.items takes the public view's). A preview build links the same feed, never one of its own."""
    if not public.all("share"):
        return None
    return FeedSet(FEED_STEM, f"读书分享 - {settings.site_name}", "电子职工书屋里职工写的读书分享，最新的在前",
                   LIBRARY_URL, kind="share", kind_of_items="share", group="读书分享")


def feeds(public, settings) -> list[FeedSet]:
    found = feed(public, settings)
    return [found] if found else []


def linked_data(share: Share, book, description: str, settings) -> dict:
    """The share as schema.org Review (a CreativeWork) of the book: the worker who wrote it, with the
    unit they work in, and the book it is about (its ISBN and page)."""
    author: dict = {"@type": "Person", "name": person(share.author)}
    if share.unit:
        author["affiliation"] = {"@type": "Organization", "name": share.unit}
    data: dict = {"@type": "Review", "name": share.title, "headline": share.title, "description": description,
                  "inLanguage": "zh-CN", "datePublished": share.date, "author": author,
                  "publisher": {"@type": "Organization", "name": settings.site_name}}
    if book is not None:
        from . import book as book_kind

        about = book_kind.linked_data(book, None, "", settings)
        if settings.base_url:
            about["url"] = settings.base_url + book_kind.url(book)
        data["itemReviewed"] = about
    return data


def pages(site, out) -> None:
    """A page per share, and /library/shares/: every share of the view, newest first, paginated (the
    reading room itself shows only the newest)."""
    from ..feedsets import public_of

    around = neighbours(site)
    shares = site.latest("share")
    feed_set = feed(public_of(site), out.settings)
    for page, title, number, group, urls in out.paged(LIST_URL, "读书分享", shares, out.settings.page_size):
        if not shares:
            break
        out.add(page, "library_shares.html", title=title, description="职工的读书心得：读了什么书，有什么体会，最新的在前",
                lastmod=group[0].date, shares=group, count=len(shares), pages=urls, current=number, feed=feed_set)
    for share in shares:
        book = site.first(share, "book")  # None while the book is not in this view
        newer, older = around[id(share)]
        about = out.summary(share)
        others = [other for other in site.backrefs(book, "share", "book") if other is not share] if book else []
        out.add(url(share), "share.html", title=share.title, description=about, item=share, lastmod=share.date,
                searchable=True, image=book.cover if book else None, share=share, book=book,
                shelf=site.first(book, "shelf") if book else None, newer=newer, older=older,
                others=others[:SAME_BOOK], jsonld=out.derived(linked_data, share, book, about, out.settings))


def records(public, body_of) -> list:
    """A share is found by its title, its writer (and the writer's pinyin), unit, the book's title and
    author, and its text."""
    from .. import search  # search walks the registry, which imports this module

    found = []
    for share in public.latest("share"):
        book = public.first(share, "book")
        found.append(search.Record(
            url=public.url(share), title=share.title, kind=SEARCH_LABEL,
            text=search.body_text(share, body_of),
            fields=tuple(filter(None, [share.author, share.unit, f"《{book.title}》" if book else "",
                                       book.author if book else ""])),
            date=share.date.date().isoformat() if share.date else "",
            image=search.thumbnail(book.cover, public.settings) if book else "",
            image_alt=book.cover.alt if book and book.cover else "",
            people=(person(share.author),)))
    return found


def markers(share: Share) -> list[tuple[str, str]]:
    """What of a hidden share would show that it leaked: its title and its writer's name."""
    return [(noun, text) for noun, text in (("标题", share.title), ("作者", person(share.author))) if text]


KIND = Kind("share", "读书分享", "library/shares", Share, read, date_required=True, url=url, pages=pages,
            sort=newest_first, records=records, feeds=feeds, markers=markers, search_label=SEARCH_LABEL, refs=(
                Ref("book", "book", lambda s: (s.book_slug,) if s.book_slug else ()),
            ))
