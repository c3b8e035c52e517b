"""Outputs: files written after the pages, from the public view and nothing else.

Each output is a function `write(public, pages, site_dir, settings, body_of)` registered in OUTPUTS.
`run` is the only caller and hands it `build.public` (a PublicSite), the public page plan and
`body_of`, which gives the rendered body of a public item and refuses any other: an output cannot
be given a preview view, the catalog or a draft's body by mistake, it never sees them. Outputs must
be deterministic (same content and clock → same bytes).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from .. import pinyin
from ..publish import PublicSite
from . import epub, feeds, gallery, honors, newsroom, offline, qrcards, robots, search, sitemap, wechat
from .search import SearchIndexError

OUTPUTS: dict[str, Callable] = {"epub": epub.write, "sitemap": sitemap.write, "robots": robots.write,
                               # the bundles before the feeds: a partner's feed gives each bundle's size
                               "wechat": wechat.write, "newsroom": newsroom.write, "feeds": feeds.write,
                               "search": search.write, "gallery": gallery.write,
                               "qrcards": qrcards.write, "honors": honors.write,
                               "offline": offline.write}  # last: its version hashes what the others wrote
# Files the outputs write at fixed paths: a body may link to them.
FILES = ("sitemap.xml", "sitemap.xml.gz", "robots.txt")
# The site's top folders holding the outputs kept unit by unit (derived.place) or file by file
# (derived.Rewritten, the search index): a build that empties the site folder sets them aside for
# those outputs to move or link back in what is still the same.
CARRIED = frozenset(folder.split("/")[0] for folder in (wechat.FOLDER, newsroom.FOLDER, search.BUNDLE))

__all__ = ["OUTPUTS", "FILES", "CARRIED", "run", "start", "cancel", "OutputFailed", "SearchIndexError"]


class OutputFailed(Exception):
    """An output raised. The files written before it stay in the site folder: the build audits them
    before it fails (hooks/build.py), so a crash cannot leave unaudited files behind."""

    def __init__(self, name: str, cause: Exception) -> None:
        super().__init__(f"{name}: {cause}")
        self.name = name  # its key in OUTPUTS
        self.cause = cause


def _public(build):
    """The public view and its `body_of`, the only things an output is given."""
    public = build.public
    if not isinstance(public, PublicSite):  # the gate is the type: nothing else may reach an output
        raise TypeError("outputs take the public view only")

    def body_of(item):
        if item not in public:
            raise ValueError(f"{item.source} is not public")
        return build.bodies[id(item)]

    return public, body_of


def start(build, site_dir: Path) -> None:
    """Let the outputs that run in a process of their own begin while the pages are written (the
    search index). A failure here is not reported: the output's own write meets it and says so."""
    public, body_of = _public(build)
    try:
        search.start(public, build.public_pages, site_dir, build.settings, body_of)
    except Exception:  # noqa: BLE001 — reported by search.write, with the build's other failures
        pass


def cancel(site_dir: Path) -> None:
    """A build that failed before its outputs leaves no indexing running."""
    search.cancel(site_dir)


def run(build, site_dir: Path, done: Callable[[str], None] | None = None) -> list[str]:
    """Write every output; returns the files written (site paths), in order. `done(name)` is called as
    each output's files are all written (`unionpress serve` tells when the feeds and the search are)."""
    public, body_of = _public(build)
    written: list[str] = []
    for name, write in OUTPUTS.items():
        try:
            with build.phases(f"output {name}"):
                written += write(public, build.public_pages, site_dir, build.settings, body_of)
        except Exception as exc:
            raise OutputFailed(name, exc) from exc
        if done is not None:
            done(name)
    pinyin.keep()  # the search output was the last to ask
    return written
