"""Pages: a view of the site → a plan of pages → HTML documents through Jinja templates.

Every page type has its own template with the domain objects in its context and autoescaping on;
the pages are complete HTML documents, never Markdown for MkDocs to parse again. Each content kind
adds its own pages (kinds/*.py `pages`); the homepage, tags and 404 are here.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import quote

from markupsafe import Markup

from .. import forking, responsive
from ..body import Body, relative
from ..feedsets import site_feed
from ..config import Settings
from ..items import Image, Item
from ..kinds import ITEM_KINDS, LIST_KINDS, column, model
from ..publish import PublicSite, banner, row_reasons
from . import crumbs, downloads, editors, feeds, gallery, home, jsonld, masthead, scripts, stats, styles, tags
from .base import (Page, PageSet, Rendered, derive_summary, environment, image_size, made, pager_window, summary_of,
                   tag_table)


# The hooks' logger: MkDocs prints its info lines in the build log (not under -q), and --strict counts
# only warnings, so a notice here never fails a build.
log = logging.getLogger("mkdocs.hooks.unionpress")


def plan(site, settings: Settings) -> list[Page]:
    """Every page this view makes, in a stable order (home, kinds, lists, tags, 404)."""
    out = PageSet(site, settings)
    home.pages(site, out)
    for kind in ITEM_KINDS.values():
        if kind.pages:
            kind.pages(site, out)
    for kind in LIST_KINDS.values():
        if kind.pages:
            kind.pages(site, out)
    gallery.pages(site, out)
    stats.pages(site, out)
    editors.pages(site, out)
    tags.pages(site, out)
    feeds.pages(site, out)
    downloads.pages(site, out)
    out.add("search/", "search.html", title="搜索", description=f"搜索{settings.site_name}的报道和劳模风采")
    out.add("404.html", "404.html", title="页面没有找到", description=f"您访问的页面不存在。可从首页、标签或劳模风采继续浏览{settings.site_name}。")
    if isinstance(site, PublicSite):  # once per build: a preview plans the public view too
        for line in unshown_rows(site):
            log.info(line)
    return out.pages


def unshown_rows(public: PublicSite) -> list[str]:
    """What the build log says about list rows the production site does not show: held back by their
    gate, or (columns, topics) public but holding nothing public, so without a page. Info, not a
    finding: an empty column (set up before its first story, or all of its stories scheduled) is a
    normal state, and a warning would fail every --strict build over it."""
    lines = []
    for kind in LIST_KINDS.values():
        effect = kind.unshown or ("正式构建不生成它的页面和订阅源" if kind.url else "正式构建里不显示、不统计")
        for row in public.held.get(kind.name, ()):
            why = "、".join(row_reasons(row, public.settings))
            lines.append(f"{kind.label}「{row.name}」（{kind.file}：{row.key}）未公开（{why}）：{effect}")
        if not kind.url:
            continue
        shown = {id(row) for row in public.occupied(kind.name)}
        labels = "或".join(dict.fromkeys(ITEM_KINDS[k].label for k, _field in kind.members))
        for row in public.lists.get(kind.name, {}).values():
            if id(row) not in shown:
                lines.append(f"{kind.label}「{row.name}」（{kind.file}：{row.key}）还没有公开的{labels}："
                             f"{kind.unshown or '不生成它的页面和订阅源，首页和栏目条上也不列出'}")
    return lines


def channels(site, settings: Settings) -> list[tuple[str, str]]:
    """The channel bar: home, each column, then each kind's entries (Kind.channel, in registry order:
    劳模风采, 线上展览, 职工书屋, 征文比赛 — each only while the view holds one), all topics, tags, then
    the hand-written pages. Stories are never listed: the bar is on every page, so it must not grow
    with them (a phone scrolls it sideways)."""
    bar = [("首页", "")]
    bar += [(c.name, column.url(c)) for c in site.occupied("column")]  # a column with a page in this view
    for kind in ITEM_KINDS.values():
        if kind.channel:
            bar += kind.channel(site)
    if site.occupied("topic"):
        bar.append(("专题", "topics/"))
    bar.append(("标签", "tags/"))
    bar += [(title, url) for title, url in settings.nav_pages]
    return bar


# A site of this many pages or more renders them in two processes (Renderer._render_in_two): below it
# forking and waiting cost more than half the rendering.
SPLIT_PAGES = 400


class Renderer:
    """Renders planned pages (and the shared masthead/footer for pages another engine renders)."""

    def __init__(self, site, settings: Settings, bodies: dict[int, Body], books=()) -> None:
        self.site = site
        self.settings = settings
        self.bodies = bodies
        self.books: dict[str, list] = {}  # page URL → the EPUB books it offers (outputs/epub.py), with their sizes
        for book in books:
            self.books.setdefault(book.anthology.page, []).append(book)
        self.book_sizes = {book.anthology.key: book.size for book in books}
        self.env = environment()
        self.out = Rendered()
        self.channels = channels(site, settings)
        self.site_url = settings.base_url
        self.root_path = settings.site_path
        self.pictures = responsive.pipeline(settings)
        self.masthead = masthead.masthead(settings)  # which name fits where (pages/masthead.py)
        self.trails: dict = {}  # page URL → its breadcrumb trail (crumbs.trails of the pages rendered)
        self.rewritten = None  # derived.Rewritten of a build (render_all)
        self.kept = None  # buildmemo.BuildMemo of a build: a page made of what the last build's was is linked
        self.sheets = styles.sheets(self.settings.cache_dir)  # once, not per page: it stats the sources
        self.scripts = scripts.scripts(self.settings.cache_dir, self.settings.root)

    def _asset(self, image: Image | None) -> None:
        if image is not None and image.path is not None:
            self.out.assets[image.output] = image.path

    def context(self, url: str, absolute: bool = False) -> dict:
        """Helpers for a page at `url`; `absolute` for pages served at any address (404)."""
        def href(target: str) -> str:
            return self.root_path + target if absolute else relative(url, target)

        def media(image: Image) -> str:
            self._asset(image)
            return href(quote(image.output, safe="/"))  # a file named a#1.jpg must stay one file

        def variants(image: Image):
            """The picture's responsive variants (published with the page), or None to show it as it is."""
            found = self.pictures.picture(image.path) if image is not None else None
            if found is not None:
                self.out.assets.update(found.assets())
            return found

        def srcset(chosen) -> str:
            return responsive.srcset(chosen, href)

        def static(name: str) -> str:
            """A file shipped with the engine (pages/static/), published under assets/unionpress/."""
            self.out.assets[f"assets/unionpress/{name}"] = self.scripts[name]  # KeyError: no such script
            return href(f"assets/unionpress/{name}")

        def sheet_links(names=()) -> list[str]:
            """The page's stylesheets (pages/styles.py), published with it; then the union's own."""
            chosen = [self.sheets[name] for name in styles.chosen(names)]
            for sheet in chosen:
                self.out.assets[sheet.output] = sheet.path
            return [href(sheet.output) for sheet in chosen] + [href(sheet) for sheet in self.settings.stylesheets]

        def body(item: Item) -> Markup:
            found = self.bodies[id(item)]
            for output, path in found.assets:
                self.out.assets[output] = path
            return Markup(found.at(url) if not absolute else found.absolute(self.root_path))

        return {"href": href, "media": media, "variants": variants, "srcset": srcset, "top_honor": lambda m: model.top_honor(self.site, m), "body": body, "static": static, "sheet_links": sheet_links, "url_of": self.site.url, "site": self.site,
                "summary": summary_of, "banner": lambda item: banner(item, self.settings),
                "image_size": image_size, "pager_window": pager_window, "settings": self.settings,
                "site_name": self.settings.site_name, "channels": self.channels, "current_url": url,
                "masthead": self.masthead,
                "preview": self.settings.preview, "site_url": self.site_url,
                "site_feed": site_feed(self.settings),
                "books_here": self.books.get(url, []), "book_sizes": self.book_sizes}

    def render(self, page: Page) -> str:
        # 404 and offline/ are served at any address (the server's, the service worker's): root-absolute links
        context = self.context(page.url, absolute=page.url in ("404.html", downloads.OFFLINE))
        context.update(page.context)
        context["page"] = page
        context["canonical"] = self.site_url + page.url if self.site_url and page.url != "404.html" else ""
        context["og_image"] = self._share_image(page.image) if self.site_url and page.image and page.image.path else ""
        # `jsonld` in a page's context is its data; in the template it is the helper that prints data as
        # the script element (layout.html prints the page's; a template may print its own through it).
        canonical, og_image = context["canonical"], context["og_image"]
        context["page_jsonld"] = made(page.context.get("jsonld"))
        context["jsonld"] = lambda data: jsonld.script(jsonld.complete(data, canonical, og_image))
        context["crumbs"] = self.trails.get(page.url, ())
        context["crumbs_jsonld"] = jsonld.script(crumbs.jsonld(context["crumbs"], self.site_url))
        return self.env.get_template(page.template).render(**context)

    def _share_image(self, image: Image) -> str:
        """og:image: the largest fallback variant (JPEG, which every app that shows link cards reads)."""
        found = self.pictures.picture(image.path)
        if found is None:
            self._asset(image)
            return self.site_url + quote(image.output, safe="/")
        self.out.assets.update(found.assets())
        return self.site_url + found.largest.output

    def render_all(self, pages: list[Page], into: Path | None = None, rewritten=None) -> Rendered:
        """Every page. Kept in memory (tests, scripts), or with `into` written there as each is made and
        not kept: a build's memory then does not grow with the pages' HTML (hundreds of MB at 10,000
        stories). `rewritten` (derived.Rewritten): a page the last build wrote alike is linked from it."""
        self.trails = crumbs.trails(pages, self.site)
        self.rewritten = rewritten
        if into is not None and len(pages) >= SPLIT_PAGES and self._render_in_two(pages, into):
            return self.out
        for page in pages:
            if into is None:
                self.out.files.append((page, self.render(page)))
                continue
            self._write(page, into)
        return self.out

    def _write(self, page: Page, into: Path) -> None:
        target = into / page.output
        target.parent.mkdir(parents=True, exist_ok=True)
        if self.kept is not None:
            self.kept.write(self, page, target)
            self.out.written.append(page)
            return
        data = self.render(page).encode("utf-8")
        if self.rewritten is not None:
            self.rewritten.write(target, page.output, data)
        else:
            target.write_bytes(data)
        self.out.written.append(page)

    def _render_in_two(self, pages: list[Page], into: Path) -> bool:
        """Every other page rendered in a forked child (forking.in_two), which writes its pages into
        the same folder and hands back the files they use: rendering is Python from end to end
        (Jinja), 13 of 80 seconds at 10,000 stories, with the second core idle meanwhile. A page is
        made from the model alone, never from pages made before it (serve renders any subset and
        equals a full build), so the bytes are the same. A child that fails leaves its pages to this
        process, where the error is raised as it would be alone. False when no child could be had."""
        theirs = pages[1::2]
        start = len(self.out.written)

        def child() -> tuple[dict, dict, tuple | None]:
            self.out = Rendered()
            for page in theirs:
                self._write(page, into)
            return (self.out.assets, self.rewritten.now if self.rewritten is not None else {},
                    self.kept.share() if self.kept is not None else None)

        done = forking.in_two(lambda: [self._write(page, into) for page in pages[0::2]], child)
        if done is None:
            return False
        if isinstance(done[1], tuple):
            self.out.assets.update(done[1][0])
            if self.rewritten is not None:
                self.rewritten.now.update(done[1][1])
            if self.kept is not None:
                self.kept.taken(done[1][2])
        else:
            for page in theirs:
                self._write(page, into)
        self.out.written[start:] = pages  # in the plan's order, as one process writes them
        return True

    def handwritten(self, url: str, title: str, description: str, content: str) -> str:
        """A hand-written page of docs/ (about, 投稿须知 …) as a whole document: MkDocs made `content`
        from its Markdown; the page around it is ours, so it looks like every other page and loads
        no theme stylesheet or script. Its trail is 首页 › the page."""
        page = Page(url, "handwritten.html", title, {"content": Markup(content)}, description=description)
        self.trails[url] = ((crumbs.HOME, ""), (title, url))
        return self.render(page)


__all__ = ["plan", "Renderer", "Page", "Rendered", "tag_table", "derive_summary", "pager_window"]
