"""The pipeline in one place: load → validate → link → publish → bodies → pages.

Both the MkDocs hooks and the command-line scripts call `prepare`, so a `check` run and a build
report exactly the same findings. Outputs (sitemap, feeds, exports …) receive `build.public` only.
"""

from __future__ import annotations

import bisect
import gc
from dataclasses import dataclass, field
from pathlib import Path

from . import checks, link as linking, memory, pinyin
from .checks import wechat as wechat_checks
from .body import Body, BodyRenderer, Targets
from .config import Settings, forget_folders, resolved
from .feedsets import check_partners, feed_sets
from .findings import Findings
from . import outputs
from .kinds import ITEM_KINDS, LIST_KINDS
from .catalog import Catalog, read_catalog
from .link import View
from .load import Walk, load
from .pages import Page, Renderer, Rendered, gallery, plan
from .publish import PreviewSite, PublicSite, is_public
from .timing import Phases


@dataclass
class Build:
    settings: Settings
    findings: Findings
    catalog: Catalog  # everything read, for checks and the audit; never for output
    public: PublicSite  # what may leave the building
    shown: View  # what this build's HTML pages show: the public view, or the preview view
    pages: list[Page]  # the plan of the shown view
    public_pages: list[Page]  # the plan of the public view (the sitemap's pages, even in preview)
    bodies: dict[int, Body] = field(default_factory=dict)
    renderer: Renderer | None = None
    phases: Phases = field(default_factory=Phases)
    digests: dict[str, bytes] = field(default_factory=dict)  # a build's Markdown files by content (RawContent)
    walk: Walk | None = None  # what the walk of the content folder found (serve hands it back: load.Walk)

    def render(self, into: Path | None = None, rewritten=None, kept=None) -> Rendered:
        """The pages: written into the folder `into` as each is made (a build), else kept in memory;
        `rewritten` (derived.Rewritten): the pages the last build wrote alike are linked from it;
        `kept` (buildmemo.BuildMemo, with `rewritten`): so are those made of what the last build's were,
        without rendering them."""
        # The EPUB books before the pages, which print their sizes; from the public view, in a preview too.
        with self.phases("epub"):
            books = (kept.library(self) if kept is not None and into is not None
                     else outputs.epub.library(self.public, self.settings, self.public_body, self.findings))
        with self.phases("render"):
            self.renderer = (kept.renderer(self, books) if kept is not None and into is not None
                             else Renderer(self.shown, self.settings, self.bodies, books))
            return self.renderer.render_all(self.pages, into, rewritten)

    def public_body(self, item) -> Body:
        """The body of a public item, for what leaves the building; any other is refused."""
        if item not in self.public:
            raise ValueError(f"{item.source} is not public")
        return self.bodies[id(item)]

    def page_types(self) -> dict[str, str]:
        """One public page of each page type: template name → the first page planned with it, and
        "handwritten" → the first page MkDocs renders. The reader tests and scripts/budget measure
        these, so a page type added later is measured without being listed anywhere."""
        found: dict[str, str] = {}
        for page in self.public_pages:
            found.setdefault(page.template.removesuffix(".html"), page.url)
        if self.settings.doc_pages:
            found["handwritten"] = next(iter(self.settings.doc_pages))
        return found


def _item_url(item) -> str | None:
    kind = ITEM_KINDS[item.kind]
    return kind.url(item) if kind.url else None


class _Later:
    """A view, or a set of URLs, made when it is first asked something (links ask only `in`)."""

    def __init__(self, make) -> None:
        self._make, self._made = make, None

    def _view(self):
        if self._made is None:
            self._made = self._make()
        return self._made

    def __contains__(self, item) -> bool:
        return item in self._view()

    def __getattr__(self, name: str):
        return getattr(self._view(), name)


def _render_bodies(build: Build, cache=None, kept=None) -> None:
    """Each body once: a public item against the public view (whatever it points at must be public),
    anything else against everything (it may point at other drafts, but not at missing files)."""
    settings, findings, catalog = build.settings, build.findings, build.catalog
    # A build resolves each file by its folder (config.resolved): serve by what it remembers of the last run.
    targets = Targets(settings, catalog.items, _item_url, cache.resolve if cache is not None else resolved)
    renderer = BodyRenderer(settings, targets)
    # serve, and a build over an earlier one: unchanged bodies kept
    render = (cache.bodies(renderer) if cache is not None else kept.bodies(build, renderer) if kept is not None
              else renderer.render)
    # The pictures named in front matter (covers, portraits, works) are most of a site's: encoded on
    # every core before the pages ask for them one by one (a no-op when the cache has them).
    with build.phases("pictures"):
        renderer.pictures.warm(image.path for item in build.shown.items() for image in item.images)
    feeds = {feed.url(fmt) for feed in feed_sets(build.public, settings) for fmt in ("rss", "atom", "json")}
    public_urls = {page.url for page in build.public_pages} | set(settings.doc_pages) | set(outputs.FILES) | feeds
    # Non-public items against everything: made when first asked. A loose check (strict=False) never
    # asks the view, and serve's kept bodies ask only as their links did (1,100 drafts at 10,000
    # stories: a second View of 17,000 items and their URLs, 0.15 s of every run, for nothing).
    everything = build.shown if settings.preview else _Later(lambda: View(catalog.items, catalog.lists, settings))
    all_urls = _Later(lambda: public_urls | {_item_url(i) for i in catalog.items} | linking.row_urls(catalog.lists))
    for item in catalog.items:
        if item in build.public:
            view, urls, strict = build.public, public_urls, True
        else:
            view, urls, strict = everything, all_urls, False
        build.bodies[id(item)] = render(item, view, urls, findings, strict)
        renderer.check_images(item, view, findings, strict, cache)
    renderer.check_fragments(build.bodies, findings)
    for name, rows in catalog.lists.items():
        source = settings.display(settings.content_dir / LIST_KINDS[name].file)
        renderer.check_list_images(rows.values(), source, build.public, findings,
                                   frozenset(build.public.lists.get(name, {})))


def made_by(page: Page) -> str:
    """What makes a generated page, for a message: its content file, or the listing it is."""
    return page.source or f"自动生成的「{page.title}」页面"


def _check_outputs(pages: list[Page], settings: Settings, findings: Findings) -> None:
    """Two pages writing one output path is an error, never a silent overwrite. The finding is on an
    editor's file when there is one, and names the other page (never the same file twice)."""
    seen: dict[str, Page] = {}
    for page in pages:
        if page.output in seen:
            first = seen[page.output]
            owner, rival = (page, first) if page.source and not first.source else (first, page)
            findings.add(owner.source or settings.display(settings.content_dir), 1,
                         "duplicate-output", url=page.url, other=made_by(rival))
        else:
            seen[page.output] = page
    made = {page.url: page for page in reversed(pages)}  # the first page planned at each URL
    for url in sorted(set(settings.doc_pages) & set(made)):
        findings.add(settings.doc_pages[url], 1, "duplicate-output", url=url, other=made_by(made[url]))


def _check_slugs(catalog: Catalog, pages: list[Page], settings: Settings, findings: Findings) -> None:
    """An item whose page folder holds a page the site makes itself (a profile named `honor` under the
    gallery's models/honor/KEY/), or may make as content grows (gallery.RESERVED), is an error whatever
    its status: a draft named so would hide the gallery's page, and the audit would read that page as
    the draft's. A page at exactly the item's own URL is duplicate-output's to report."""
    made = sorted((page for page in pages if page.url.endswith("/")), key=lambda page: page.url)
    urls = [page.url for page in made]
    listings = set(urls)
    for item in catalog.items:
        url = _item_url(item)
        if not url:
            continue
        parent = url.rstrip("/").rpartition("/")[0] + "/"
        # a listing at the parent (exhibitions/) pages on at parent/page/N/ once it grows
        reserved = ("劳模风采" if item.kind == "model" and item.slug in gallery.RESERVED else
                    "列表的翻页" if item.slug == "page" and url == parent + "page/" and parent in listings else "")
        deeper = None
        at = bisect.bisect_right(urls, url)  # the page URLs after the item's own: deeper ones come first
        while at < len(made) and urls[at].startswith(url):
            # Its own: its sub-pages (a profile's stories/), a contest's entries; not the site's pages.
            inner = made[at].item
            own = inner is item or made[at].owner is item or (
                inner is not None and inner.parent == item.slug and ITEM_KINDS[inner.kind].parent == item.kind)
            if not own and not urls[at][len(url):].startswith("page/"):  # not its own pager
                deeper = made[at]
                break
            at += 1
        if reserved or deeper is not None:
            shown = deeper.url if deeper is not None else url
            findings.add(item.source, 1, "slug-reserved", slug=item.slug, url=shown,
                         what=made_by(deeper) if deeper is not None else reserved)


def collect_less() -> None:
    """For a process that builds once (`mkdocs build`, `unionpress check`): its model (800,000 objects
    at 10,000 stories) lives until the end, and at Python's default pace (700, 10, 10) the cycle
    collector walked it 2,700 times while it was being made (2.2 s of 25 s). At (50,000, 20, 100)
    young collections come about 70 times, full ones some 1,400 times, less often: 0.8 s. Each phase
    hands back the memory it freed as it ends (memory.between_phases)."""
    gc.set_threshold(50_000, 20, 100)
    memory.between_phases()


def keep_until_the_end() -> None:
    """The model just made lives until the process ends: out of the collector's walks from now on
    (planning the pages spent 0.45 s of 0.72 s in them). Only where one model is made: a server that
    makes one per edit (`unionpress serve`) would keep every old one. The garbage of making it is
    collected first, or it would be kept too."""
    gc.collect()
    gc.freeze()


def let_go() -> None:
    """The model made once is no longer needed (hooks/build.py, before the audit): back in the collector's
    walks, so that what of it is held in cycles is freed with the rest, and its memory handed back."""
    gc.unfreeze()
    gc.collect()
    memory.give_back()


def prepare(settings: Settings, findings: Findings | None = None, cache=None, kept=None) -> Build:
    """`cache` (preview.Cache, for `unionpress serve`) keeps each file's parse and each body between runs;
    `kept` (buildmemo.BuildMemo, for a build of its own) the bodies of the last build of this content."""
    findings = findings if findings is not None else Findings()
    phases = Phases()
    pinyin.remember_in(settings.cache_dir)  # tags, awards and search ask from here on
    if cache is None:
        forget_folders()
    # serve: `cache` is also called as keep(stage, item, findings, compute, *extra), giving an item's own
    # share of a stage (its fields read, its rule checks, its WeChat limits) as the last run had it when
    # nothing it reads changed; what looks across items (duplicate slugs, references, homes) runs whole.
    keep = cache
    with phases("load"):
        raw = load(settings, findings, cache.parse if cache is not None else None,
                   cache.display if cache is not None else None, getattr(cache, "walked", None))
    with phases("validate"):
        catalog = read_catalog(raw, settings, findings, keep)
    # The parsed front matter is in the catalog now: the raw reading (70 MB at 10,000 stories) is let go
    # before the pages are planned and the bodies rendered, not when the model is done.
    digests, walk = raw.digests, raw.walk
    del raw
    with phases("link"):
        linking.check(catalog, findings)
    with phases("checks"):
        remembered = checks.Remembered(settings) if keep is None else None
        checks.run(catalog, settings, findings, keep or remembered)
        if remembered is not None:
            remembered.save()
        check_partners(settings, catalog.lists, {tag for item in catalog.items for tag in getattr(item, "tags", ())},
                       findings, settings.setting_lines)
    with phases("plan"):
        public = PublicSite(catalog, settings)
        shown = PreviewSite(catalog, settings, public) if settings.preview else public
        public_pages = plan(public, settings)
        pages = plan(shown, settings) if settings.preview else public_pages
    build = Build(settings, findings, catalog, public, shown, pages, public_pages, phases=phases, digests=digests,
                  walk=walk)
    with phases("bodies"):  # the pictures' warm-up inside is its own phase, taken out below
        _render_bodies(build, cache, kept)
    with phases("wechat"):
        if kept is not None:  # what the WeChat check and the exports key their records by, kept
            kept.prints(build)
        wechat_checks.run(build, findings, keep)  # WeChat's limits on the bodies as WeChat gets them
    phases.seconds["bodies"] -= phases.seconds.get("pictures", 0.0)
    with phases("plan"):
        _check_outputs(pages, settings, findings)
        _check_slugs(catalog, public_pages, settings, findings)
    return build


__all__ = ["Build", "prepare", "is_public"]
