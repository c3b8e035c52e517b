"""E-reading room books (电子职工书屋书目): content/library/books/SLUG.md → /library/books/SLUG/, and the
reading room's front page /library/: the shelves in shelves.yml order with their newest books, the
newest reading shares, and the contests a worker can enter now.

Shelf pages are kinds/shelf.py's, share pages kinds/share.py's; what the reading room adds to search,
the homepage and the channel bar is declared here, on the book's Kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import isbn as isbn_numbers
from ..items import Image, Item
from ..validate import isbn_problem
from .base import HomeBlock, Kind, Ref

SEARCH_LABEL = "图书"
LIBRARY_URL = "library/"
SHELF_STRIP = 8  # books of each shelf on /library/ (one swipe on a phone); the rest on the shelf's page
LIBRARY_SHARES = 6  # newest reading shares on /library/
HOME_BOOKS = 6  # the homepage's strip of newest books
HOME_SHARES = 3  # and its newest shares
HOME_ORDER = 120  # after the labor models (100) and exhibitions (110), before contests (130)
# The role an editor writes after a name on a title page: "王振东 主编", "示例市总工会 编".
_ROLE = re.compile(r"\s*(主编|编著|编写|编|著|译|等)$")
# How the name of a body ends (示例市总工会, 示例市第一人民医院, 宣教部, 编写组): its byline is no person's.
_BODY = ("会", "社", "院", "部", "局", "馆", "厂", "所", "组", "中心", "公司", "学校", "大学")


@dataclass(frozen=True, eq=False)
class Book(Item):
    title: str = ""
    author: str = ""
    publisher: str = ""
    year: int | None = None
    isbn: str = ""
    cover: Image | None = None
    shelf_key: str = ""
    summary: str = ""
    topic_keys: tuple[str, ...] = ()  # 专题 the book is read for (书香工匠·职工书屋 …)

    @property
    def isbn_shown(self) -> str:
        """The ISBN as the copyright page prints it (978-7-5008-3712-1)."""
        return isbn_numbers.hyphenated(self.isbn) if self.isbn else ""


def read(raw, f, settings) -> dict:
    title = f.text("title", required=True, max_len=64)
    isbn = f.text("isbn")
    if isbn and (problem := isbn_problem(isbn)):
        f.report("isbn", "isbn-invalid", value=isbn, reason=problem)
        isbn = ""  # never printed as if it were a book's number
    return {
        "title": title,
        "author": f.text("author", required=True),
        "publisher": f.text("publisher"),
        "year": f.integer("year", low=1900, high=settings.now.year + 1),
        "isbn": isbn,
        "cover": f.image("cover", "cover_alt", default_alt=f"《{title}》封面" if title else ""),
        "shelf_key": f.text("shelf", required=True),
        "summary": f.text("summary", max_len=120),
        "topic_keys": f.texts("topics"),
    }


def url(book: Book) -> str:
    return f"library/books/{book.slug}/"


def newest_first(item) -> tuple:
    """The reading room's order, newest first once reversed (as View sorts backlinks): by `date` (a book
    without one last), then by slug A→Z, so equal dates still give one order (determinism)."""
    return (item.date.timestamp() if item.date else float("-inf"), tuple(-ord(c) for c in item.slug))


def person(author: str) -> str:
    """The name in a byline without its role (王振东 主编 → 王振东), for search and structured data."""
    return _ROLE.sub("", author).strip() or author


def shelves(site) -> list[tuple[object, tuple[Book, ...]]]:
    """(shelf, its books newest first) for every shelf that holds a book of this view, in the order of
    shelves.yml: a shelf without one has no page and is not shown."""
    return [(shelf, site.backrefs(shelf, "book", "shelf")) for shelf in site.occupied("shelf")]


def contests_open(site) -> list:
    """The contests a worker can enter today (kinds/contest.py's standings), or none while contests
    have no pages of their own: the reading room links only to pages that exist."""
    from . import ITEM_KINDS, contest  # the registry imports this module

    if not ITEM_KINDS["contest"].url or not hasattr(contest, "collecting"):
        return []
    return list(contest.collecting(site))


def linked_data(book: Book, shelf, description: str, settings) -> dict:
    """The book as schema.org Book: the ISBN as 13 digits (what catalogues match on), the byline's
    person or body as author, the publisher, the year it came out."""
    name = person(book.author)
    data: dict = {"@type": "Book", "name": book.title, "inLanguage": "zh-CN",
                  "author": {"@type": "Organization" if name.endswith(_BODY) else "Person", "name": name}}
    if description:
        data["description"] = description
    if book.isbn:
        data["isbn"] = isbn_numbers.digits(book.isbn)
    if book.publisher:
        data["publisher"] = {"@type": "Organization", "name": book.publisher}
    if book.year:
        data["datePublished"] = str(book.year)
    if shelf is not None:
        data["genre"] = shelf.name
    return data


def description(book: Book, summary) -> str:
    return book.summary or summary(book) or f"《{book.title}》，{book.author}"


def _library_data(racks, settings) -> dict:
    """/library/ as a schema.org CollectionPage of the books it shows, each with its page's address."""
    shown = []
    for _shelf, books in racks:
        for book in books[:SHELF_STRIP]:
            entry = {"@type": "Book", "name": book.title}
            if settings.base_url:
                entry["url"] = settings.base_url + url(book)
            shown.append(entry)
    return {"@type": "CollectionPage", "name": "电子职工书屋", "inLanguage": "zh-CN", "hasPart": shown}


def pages(site, out) -> None:
    """/library/ when the view holds a book or a share, and a page per book with its reading shares
    (newest first). A share is listed only while it is in the view, like everything a page shows."""
    from ..feedsets import public_of
    from . import share as share_kind

    settings = out.settings
    racks = shelves(site)
    if site.all("book") or site.all("share"):
        newest = site.latest("share")[:LIBRARY_SHARES]
        changed = [item.date for item in (*newest[:1], *site.latest("book")[:1]) if item.date]
        out.add(LIBRARY_URL, "library.html", title="电子职工书屋",
                description=f"{settings.site_name}电子职工书屋：按书架浏览好书，读职工的读书分享，参加读书征文",
                lastmod=max(changed) if changed else None, image=racks[0][1][0].cover if racks else None,
                shelves=[(shelf, books[:SHELF_STRIP], len(books)) for shelf, books in racks],
                shares=newest, share_count=len(site.all("share")), contests=contests_open(site),
                feed=share_kind.feed(public_of(site), settings),
                jsonld=_library_data(racks, settings))
    for book in site.all("book"):
        shelf = site.first(book, "shelf")
        about = description(book, out.summary)
        out.add(url(book), "book.html", title=book.title, description=about, item=book, lastmod=book.date,
                searchable=True, image=book.cover, book=book, shelf=shelf,
                shares=site.backrefs(book, "share", "book"), topics=site.refs(book, "topics"), jsonld=out.derived(linked_data, book, shelf, about, settings))


def records(public, body_of) -> list:
    """A book is found by its title, author (and the author's pinyin), publisher, ISBN (as printed and
    as the 13 digits on the barcode), shelf, summary and 推荐语."""
    from .. import search  # search walks the registry, which imports this module

    found = []
    for book in public.latest("book"):
        shelf = public.first(book, "shelf")
        numbers = [book.isbn_shown, isbn_numbers.digits(book.isbn)] if book.isbn else []
        found.append(search.Record(
            url=public.url(book), title=f"《{book.title}》", kind=SEARCH_LABEL,
            text=" ".join(filter(None, [book.summary, search.body_text(book, body_of)])),
            fields=tuple(filter(None, [book.author, book.publisher, str(book.year or ""), *numbers,
                                       shelf.name if shelf else ""])),
            date=book.date.date().isoformat() if book.date else "",
            image=search.thumbnail(book.cover, public.settings), image_alt=book.cover.alt if book.cover else "",
            people=(person(book.author),)))
    return found


def home(site, settings) -> HomeBlock | None:
    """电子职工书屋 on the homepage: a strip of the newest books and the newest reading shares."""
    books, shares = site.latest("book")[:HOME_BOOKS], site.latest("share")[:HOME_SHARES]
    if not books and not shares:
        return None
    return HomeBlock("_home_library.html", "电子职工书屋", LIBRARY_URL, HOME_ORDER, {"books": books, "shares": shares})


def channel(site) -> list[tuple[str, str]]:
    """职工书屋 in the channel bar while /library/ exists in this view."""
    return [("职工书屋", LIBRARY_URL)] if site.all("book") or site.all("share") else []


def topic(site, row) -> tuple[Book, ...]:
    """The books a topic lists (those naming it in `topics`), newest first."""
    return site.backrefs(row, "book", "topics")


def markers(book: Book) -> list[tuple[str, str]]:
    """What of a hidden book would show that it leaked: its title, its author, its ISBN as printed."""
    found = [("标题", book.title), ("作者", person(book.author)), ("ISBN", book.isbn_shown)]
    return [(noun, text) for noun, text in found if text]


KIND = Kind("book", "书目", "library/books", Book, read, url=url, pages=pages, sort=newest_first,
            also_known=("cover_alt",), records=records, home=home, channel=channel, topic=topic, markers=markers,
            search_label=SEARCH_LABEL, refs=(
                Ref("shelf", "shelf", lambda b: (b.shelf_key,) if b.shelf_key else ()),
                Ref("topics", "topic", lambda b: b.topic_keys),
            ))
