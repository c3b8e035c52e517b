"""sw.js and offline/pages.json: the service worker for reading offline (a railway halt, a mine).

Made from the public view only, like every output, and only in a production build: a preview writes no
worker, and its pages register none (_head.html). The worker (outputs/sw.js, CONFIG filled in here):
- precaches the shell (the stylesheets, the toolbar, the search page's code, the offline page) and the
  reading room's index pages: what a reader needs to find their way without a signal;
- keeps each story, book, share, exhibition or entry page read, with the pictures it showed, up to
  `offline_budget_mb` (least recently read out first); only the pages listed in offline/pages.json;
- is versioned by the build's content hash (the precached files, the list and every public page), so a
  new build is installed on the next visit, and then drops the saved pages the list no longer holds.
The list is a file of its own, fetched with the shell, not inlined: at 10,000 stories it is most of the
worker's bytes, and the browser fetches sw.js again on every visit to compare it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..kinds.book import LIBRARY_URL
# The modules, not their names: pages/downloads imports the outputs' EPUB code, so whichever package is
# imported first finds the other half made; the names are read when a build runs.
from ..pages import downloads, styles

WORKER = Path(__file__).with_name("sw.js")
FILE = "sw.js"
PUBLISHED = "offline/pages.json"
KEPT_KINDS = ("story", "book", "share", "exhibition", "entry")  # the pages worth keeping: one is read, then read again
READING_ROOM = ("library.html", "shelf.html", "library_shares.html")  # its index pages' templates
SHELL = ("assets/unionpress/care.js", "assets/unionpress/offline.js", "assets/unionpress/search.js",
         "assets/unionpress/lightbox.js", "pagefind/pagefind.js", "assets/images/favicon.png", "search/")


def _file(site_dir: Path, path: str) -> Path:
    return site_dir / (path + "index.html" if path.endswith("/") or path == "" else path)


def plan(public, pages, site_dir: Path, settings) -> tuple[list[str], list[str]]:
    """(the precache list, the pages a phone may keep), as site paths; the precache holds only files
    this build wrote (an install that asks for a missing one fails whole)."""
    kept = sorted({page.url for page in pages if page.item is not None and page.item.kind in KEPT_KINDS})
    room = [page.url for page in pages if page.template in READING_ROOM]
    sheets = [sheet.output for sheet in styles.sheets(settings.cache_dir).values()]  # every page type's
    wanted = [*sheets, *settings.stylesheets, *SHELL, downloads.OFFLINE, PUBLISHED, *(url for url in room if url != LIBRARY_URL),
              *([LIBRARY_URL] if LIBRARY_URL in room else [])]
    precache = [path for path in dict.fromkeys(wanted) if path == PUBLISHED or _file(site_dir, path).is_file()]
    return precache, kept


def version(site_dir: Path, precache: list[str], kept: list[str], pages, listing: bytes) -> str:
    """The build's content hash: what the worker serves or keeps, and every public page (a story's
    new wording, a new story) — the same site gives the same worker, byte for byte."""
    digest = hashlib.sha256(listing)
    for path in sorted({*precache, *(page.url for page in pages)} - {PUBLISHED}):
        file = _file(site_dir, path)
        if file.is_file():
            digest.update(path.encode() + b"\0")
            with file.open("rb") as f:
                digest.update(hashlib.file_digest(f, "sha256").digest())
    return digest.hexdigest()[:20]


def worker(config: dict) -> str:
    return WORKER.read_text(encoding="utf-8").replace(
        "/*CONFIG*/null", json.dumps(config, ensure_ascii=False, sort_keys=True, separators=(",", ":")), 1)


def write(public, pages, site_dir: Path, settings, body_of) -> list[str]:
    if settings.preview:  # a preview is never kept on a phone
        return []
    precache, kept = plan(public, pages, site_dir, settings)
    listing = json.dumps(kept, ensure_ascii=False, separators=(",", ":")).encode()
    (site_dir / PUBLISHED).parent.mkdir(parents=True, exist_ok=True)
    (site_dir / PUBLISHED).write_bytes(listing)
    config = {"version": version(site_dir, precache, kept, pages, listing), "budget": settings.offline_budget_mb * 2**20,
              "precache": precache, "published": PUBLISHED, "offline": downloads.OFFLINE, "site": settings.site_name}
    (site_dir / FILE).write_text(worker(config), encoding="utf-8")
    return [PUBLISHED, FILE]
