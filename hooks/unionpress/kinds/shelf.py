"""Reading-room shelves (书架): content/library/shelves.yml → /library/shelves/KEY/, its books newest
first, paginated. A shelf is its books' home; a shelf that holds no book of the view has no page (the
build log says so, as for an empty column), and /library/ shows the shelves in the file's order."""

from __future__ import annotations

from dataclasses import dataclass

from .base import ListKind, Row


@dataclass(frozen=True)
class Shelf(Row):
    key: str
    name: str
    description: str = ""
    line: int = 1


def read(f, key, line) -> Shelf:
    return Shelf(key, f.text("name", required=True), f.text("description"), line)


def url(shelf: Shelf) -> str:
    return f"library/shelves/{shelf.key}/"


def pages(site, out) -> None:
    """A page per shelf holding a book of this view (with a preview banner when production does not
    make it), its books in pages of `page_size`."""
    for shelf in site.occupied("shelf"):
        books = site.backrefs(shelf, "book", "shelf")  # newest first (kinds/book.newest_first)
        notice = out.row_banner("shelf", shelf)
        for page, title, number, group, urls in out.paged(url(shelf), shelf.name, books, out.settings.page_size):
            out.add(page, "shelf.html", title=title, description=shelf.description or f"书架「{shelf.name}」的全部图书",
                    lastmod=group[0].date if group else None, image=group[0].cover if group else None,
                    shelf=shelf, books=group, count=len(books), pages=urls, current=number, notice=notice,
                    jsonld={"@type": "CollectionPage", "name": title, "inLanguage": "zh-CN",
                            "hasPart": [{"@type": "Book", "name": book.title} for book in group]})


KIND = ListKind("shelf", "书架", "library/shelves.yml", read, url=url, pages=pages, members=(("book", "shelf"),),
                home=True, unshown="正式构建不生成它的页面，职工书屋里也不列出")
