"""What every page shares: the page plan, URLs, pagination, templates and image sizes.

Pages are planned first (URL, template, context) and rendered later, so the plan's URLs are known
before any body is rendered: a body may link to a column page, and the sitemap of the public view
needs the public plan even when a preview build renders another one.
"""

from __future__ import annotations

import datetime as dt
import re
import weakref
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ..images import pixel_size
from ..items import Image, Item
from ..publish import row_banner
from ..tags import tag_url

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"  # scripts the pages ship with (no other host)


@dataclass(frozen=True)
class Derived:
    """A value a page shows (its JSON-LD) made from other values when the page is rendered, not when
    it is planned. `make` is a plain function of `args` and of nothing else: so the plan of 10,000
    stories makes no data that only rendered pages use, and `unionpress serve` tells whether the
    value changed by its inputs (items by their digest, preview.Digester) without making it."""

    make: Callable
    args: tuple

    def __call__(self):
        return self.make(*self.args)


def made(value):
    """A context value as templates use it: a Derived one made now."""
    return value() if isinstance(value, Derived) else value


@dataclass
class Page:
    """One page the build makes: where it goes, what template, and the objects it shows."""

    url: str  # site path: "stories/x/", "" for the homepage, "404.html"
    template: str
    title: str
    context: dict
    item: Item | None = None  # the content item the page shows (None for listings)
    lastmod: dt.datetime | None = None
    searchable: bool = False  # only items are search documents; listing pages are not
    description: str = ""
    image: Image | None = None  # for Open Graph
    owner: Item | None = None  # the item a page belongs to without showing it (a profile's stories/ pages)

    @property
    def output(self) -> str:
        """The file it is written to, relative to the site folder."""
        return self.url + "index.html" if self.url == "" or self.url.endswith("/") else self.url

    @property
    def source(self) -> str:
        return self.item.source if self.item else ""


def paged_url(base: str, number: int) -> str:
    """`columns/k/` page 1 → `columns/k/`; page 3 → `columns/k/page/3/`."""
    return base if number == 1 else f"{base}page/{number}/"


def pager_window(total: int, current: int, spread: int = 2) -> list[int]:
    """Page numbers to show: first, last and current ± spread; 0 marks a gap (…)."""
    shown = sorted({1, total, *range(max(1, current - spread), min(total, current + spread) + 1)})
    window: list[int] = []
    for number in shown:
        if window and number - window[-1] > 1:
            window.append(0)
        window.append(number)
    return window


def chunks(items: Sequence, size: int) -> list[Sequence]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


def tag_table(stories) -> dict[str, str]:
    """Tag page URL → the tag's name as most stories spell it (5G and 5g share one page)."""
    spellings: dict[str, Counter] = defaultdict(Counter)
    for story in stories:
        for name in story.tags:
            spellings[tag_url(name)][name] += 1
    return {url: min(names, key=lambda n: (-names[n], n)) for url, names in sorted(spellings.items())}


_STRIP = [
    (re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>", re.I | re.S), ""),  # never text
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links keep their text
    (re.compile(r"<[^>]+>"), ""),  # html tags
    (re.compile(r"[*_`~]+"), ""),  # emphasis and code marks
    (re.compile(r"^\s{0,3}(?:>|[-+*]|\d+\.)\s+", re.M), ""),  # quote and list markers
]


def derive_summary(body: str, limit: int = 120) -> str:
    """The first real paragraph of the body, as plain text, cut to `limit` characters."""
    for block in re.split(r"\n\s*\n", body):
        block = block.strip()
        if not block or block.startswith(("#", "!", "|", "```", "<!--", "---")):
            continue
        for pattern, replacement in _STRIP:
            block = pattern.sub(replacement, block)
        text = " ".join(block.split())
        if text:
            return text if len(text) <= limit else text[: limit - 1] + "…"
    return ""


_summaries: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def summary_of(story) -> str:
    """The story's summary, or its first paragraph: worked out once per story, for pages and feeds."""
    if story not in _summaries:
        _summaries[story] = story.summary or derive_summary(story.body)
    return _summaries[story]


class PageSet:
    """The plan of one view's pages; each kind's `pages()` adds to it."""

    def __init__(self, site, settings) -> None:
        self.site = site
        self.settings = settings
        self.pages: list[Page] = []
        self.tags = tag_table(site.all("story"))
        self.summary = summary_of

    @staticmethod
    def derived(make: Callable, *args) -> Derived:
        """`make(*args)`, made when the page is rendered (Derived): for a kind's page data."""
        return Derived(make, args)

    @staticmethod
    def tag_url(name: str) -> str:
        return tag_url(name)

    def add(self, url: str, template: str, *, title: str, description: str = "", item: Item | None = None,
            lastmod: dt.datetime | None = None, searchable: bool = False, image: Image | None = None,
            owner: Item | None = None, **context) -> Page:
        page = Page(url, template, title, context, item, lastmod, searchable, description, image, owner)
        self.pages.append(page)
        return page

    def paged(self, base: str, title: str, members: Sequence, size: int):
        """Pages of `members`, `size` at a time: page 1 at `base`, page N at `base/page/N/`. Yields
        (url, title, number, the page's members, every page's URL); at least one, maybe empty."""
        groups = chunks(members, size)
        urls = [paged_url(base, n) for n in range(1, len(groups) + 1)]
        for number, (url, group) in enumerate(zip(urls, groups), start=1):
            yield url, title if number == 1 else f"{title}（第 {number} 页）", number, group, urls

    def row_banner(self, name: str, row) -> str:
        """The preview banner of a list row's page that production does not make ('' in production,
        where such a page is never planned)."""
        if not getattr(self.site, "preview", False):
            return ""
        return row_banner(name, row, self.settings, self.site.public)

    def listing(self, base: str, title: str, stories: Sequence, *, kicker: str, description: str = "",
                note: str = "", cover: Image | None = None, models: Sequence = (), feed=None,
                notice: str = "", owner: Item | None = None) -> None:
        """A paginated list of stories; `notice` is a preview banner (a held-back column or topic);
        `owner` the item whose folder it is in (a profile's stories/)."""
        for url, page_title, number, group, urls in self.paged(base, title, stories, self.settings.page_size):
            self.add(url, "listing.html", title=page_title, description=description,
                     lastmod=group[0].date if group else None, image=cover if number == 1 else None,
                     heading=title, kicker=kicker, note=note, cover=cover if number == 1 else None,
                     models=list(models) if number == 1 else [], stories=group, pages=urls, current=number,
                     feed=feed, notice=notice, owner=owner)


def image_size(image: Image) -> tuple[int, int]:
    if image.path is None:
        return (0, 0)
    return pixel_size(image.path) or (0, 0)


_ENVIRONMENTS: dict[tuple, Environment] = {}


def environment() -> Environment:
    """Jinja with autoescaping on: every piece of metadata an editor wrote is escaped wherever printed.

    One environment per process while the templates stay as they are: each template is compiled once,
    not on every build (`mkdocs serve` rebuilds in the same process), and an include is looked up
    without a stat of its file (auto_reload off; 14,000 lookups at 1,000 stories). The signature is
    the templates' names, sizes and times, so an edited template gives a new environment."""
    signature = tuple(sorted((path.name, path.stat().st_mtime_ns, path.stat().st_size)
                             for path in TEMPLATES.iterdir()))
    env = _ENVIRONMENTS.get(signature)
    if env is not None:
        return env
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, auto_reload=False)
    _ENVIRONMENTS.clear()
    _ENVIRONMENTS[signature] = env
    env.filters["cn_date"] = lambda d: f"{d.year}年{d.month}月{d.day}日" if d else ""
    env.filters["iso"] = lambda d: d.isoformat() if d else ""
    env.filters["digits"] = lambda text: "".join(c for c in str(text) if c.isascii() and c.isdigit())
    env.filters["address_parts"] = address_parts
    return env


def address_parts(address: str) -> list[str]:
    """An address in the pieces a line may break between: 「https://host/」 whole (a break inside
    「//」 reads as two addresses), then each folder with its 「/」, then the file."""
    scheme, separator, rest = address.partition("://")
    head, slash, rest = rest.partition("/") if separator else ("", "", address)
    parts = [f"{scheme}{separator}{head}{slash}"] if separator else []
    while rest:
        piece, slash, rest = rest.partition("/")
        parts.append(piece + slash)
    return parts


@dataclass
class Rendered:
    """Pages as HTML documents, and the files they use (site path → file on disk)."""

    files: list[tuple[Page, str]] = field(default_factory=list)
    written: list[Page] = field(default_factory=list)  # pages written to a folder, their HTML not kept
    assets: dict[str, Path] = field(default_factory=dict)

    def text_of(self, url: str) -> str:
        """The HTML of the page at `url` (for the tests and scripts that look at one page)."""
        return next(html for page, html in self.files if page.url == url)
