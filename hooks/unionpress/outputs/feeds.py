"""Feeds: RSS 2.0 and Atom (feedgen) and JSON Feed 1.1 for the site, each kind's own feed (reading
shares …), each column, topic and partner.

Full text with every link and image absolute, the cover as an enclosure, the item's URL as a stable
id, dates with the union's offset. Built from the public view only, like every output. The feed's
own date is its newest item's, so an unchanged feed keeps the same bytes from build to build.
"""

from __future__ import annotations

import html
import json
import mimetypes
from pathlib import Path
from urllib.parse import quote, unquote

from feedgen.feed import FeedGenerator

from .. import responsive
from ..config import UNDATED
from ..feedsets import FeedSet, feed_sets
from ..kinds import ITEM_KINDS
from ..pages.base import derive_summary, summary_of
from .newsroom import bundle_path

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


def _entries(public, feed: FeedSet, length: int) -> list:
    chosen = []
    for item in feed.items(public):
        column = public.first(item, "column")
        topics = [topic.key for topic in public.refs(item, "topics")]
        if item in public and feed.matches(item, column.key if column else "", topics):  # never a hidden one
            chosen.append(item)
            if len(chosen) == length:
                break
    return chosen


class _Entry:
    """What every format says about one item: a story, or a kind's own feed's item (a reading share).
    Its author is its `authors`, or its one `author`; its picture its `cover`."""

    def __init__(self, public, item, body_of, base: str, full_text: bool) -> None:
        self.url = base + ITEM_KINDS[item.kind].url(item)
        self.title = item.label
        self.summary = summary_of(item) if hasattr(item, "summary") else derive_summary(item.body)
        self.html = body_of(item).absolute(base) if full_text else ""
        self.date = item.date
        author = getattr(item, "author", "")
        self.authors = list(getattr(item, "authors", ())) or ([author] if author else [])
        column = public.first(item, "column")
        self.categories = ([column.name] if column else []) + list(dict.fromkeys(getattr(item, "tags", ())))
        self.cover = None
        self.bundle = None  # (URL, size, type) of its manuscript bundle, in a partner's feed that asks for them
        shown = responsive.published(getattr(item, "cover", None), public.settings, "largest")
        if shown is not None:
            output, file = shown
            mime = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            self.cover = (base + quote(output, safe="/"), file.stat().st_size, mime)


def _xml(feed: FeedSet, entries: list[_Entry], base: str, settings, updated) -> tuple[bytes, bytes]:
    """RSS and Atom from one feedgen document. Their summaries differ: RSS readers show <description>
    as HTML, so there the text goes in escaped as HTML too (a summary about <b> or &amp; must show
    those characters, not bold text or &); Atom's <summary> and <subtitle> say type text themselves."""
    fg = FeedGenerator()
    fg.id(base + feed.url("atom"))
    fg.title(feed.title)
    description = feed.description or feed.title
    fg.subtitle(as_html_text(description))
    fg.language("zh-CN")
    fg.generator("UnionPress")
    # RSS 2.0's <author> must be an e-mail address; writers' names go in dc:creator there.
    fg.load_extension("dc", atom=False, rss=True)
    fg.updated(updated)
    if settings.copyright:
        fg.rights(settings.copyright)
    added = []
    for entry in reversed(entries):  # feedgen prepends: add oldest first to print newest first
        fe = fg.add_entry()
        added.append((fe, entry))
        fe.id(entry.url)
        fe.guid(entry.url, permalink=True)
        fe.title(entry.title)
        fe.link(href=entry.url, rel="alternate")
        fe.published(entry.date)
        fe.updated(entry.date)
        if entry.summary:
            fe.summary(as_html_text(entry.summary))  # RSS's; Atom's is set below
        if entry.html:
            fe.content(entry.html, type="html")
        for name in entry.authors:
            fe.author(name=name)
        if entry.authors:
            fe.dc.dc_creator(entry.authors)
        for name in entry.categories:
            fe.category(term=name)
        enclosure = entry.bundle or entry.cover  # RSS has one enclosure: a partner asking for bundles gets it
        if enclosure:
            fe.enclosure(enclosure[0], str(enclosure[1]), enclosure[2])
    # feedgen prints RSS's <link> from the last link given and atom:link from the self one.
    fg.link(href=base + feed.url("rss"), rel="self", replace=True)
    fg.link(href=base + feed.page, rel="alternate")
    rss = fg.rss_str(pretty=True)
    fg.subtitle(description)
    for fe, entry in added:
        if entry.summary:
            fe.summary(entry.summary)
    fg.link(href=base + feed.url("atom"), rel="self", replace=True)
    fg.link(href=base + feed.page, rel="alternate")
    return rss, _atom_links(fg.atom_str(pretty=True), entries)


def as_html_text(text: str) -> str:
    """Plain text as HTML shows it: what goes where a reader parses HTML (RSS <description>)."""
    return html.escape(text, quote=False)


ATOM = "{http://www.w3.org/2005/Atom}"


def _atom_links(data: bytes, entries: list[_Entry]) -> bytes:
    """Write each entry's links ourselves: feedgen 1.0 drops rel, type and length from entry links
    in Atom, so an enclosure would read as a second alternate link (the story's address)."""
    from lxml import etree

    # huge_tree: a long body is one text node, and libxml2 refuses one over 10 MB without it.
    root = etree.fromstring(data, parser=etree.XMLParser(huge_tree=True, resolve_entities=False))
    by_id = {entry.url: entry for entry in entries}
    for element in root.iter(f"{ATOM}entry"):
        entry = by_id[element.findtext(f"{ATOM}id")]
        links = element.findall(f"{ATOM}link")
        for link in links:
            element.remove(link)
        at = list(element).index(element.find(f"{ATOM}title")) + 1
        alternate = etree.Element(f"{ATOM}link", href=entry.url, rel="alternate", type="text/html")
        element.insert(at, alternate)
        for offset, enclosure in enumerate(filter(None, (entry.cover, entry.bundle)), start=1):
            element.insert(at + offset, etree.Element(f"{ATOM}link", href=enclosure[0], rel="enclosure",
                                                      type=enclosure[2], length=str(enclosure[1])))
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _json(feed: FeedSet, entries: list[_Entry], base: str) -> bytes:
    items = []
    for entry in entries:
        item = {"id": entry.url, "url": entry.url, "title": entry.title}
        if entry.html:
            item["content_html"] = entry.html
        else:
            item["content_text"] = entry.summary or entry.title
        if entry.summary:
            item["summary"] = entry.summary
        if entry.cover:
            item["image"] = entry.cover[0]
            item["attachments"] = [{"url": entry.cover[0], "mime_type": entry.cover[2],
                                    "size_in_bytes": entry.cover[1]}]
        if entry.bundle:
            item.setdefault("attachments", []).append({"url": entry.bundle[0], "mime_type": entry.bundle[2],
                                                       "size_in_bytes": entry.bundle[1], "title": "稿件包"})
        item["date_published"] = entry.date.isoformat()
        if entry.authors:
            item["authors"] = [{"name": name} for name in entry.authors]
        if entry.categories:
            item["tags"] = entry.categories
        items.append(item)
    document = {"version": JSON_FEED_VERSION, "title": feed.title, "home_page_url": base + feed.page,
                "feed_url": base + feed.url("json"), "description": feed.description or feed.title,
                "language": "zh-CN", "items": items}
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write(public, pages, site_dir: Path, settings, body_of) -> list[str]:
    if not settings.site_url:
        return []  # feed readers need absolute URLs
    base = settings.base_url
    written = []
    for feed in feed_sets(public, settings):
        items = _entries(public, feed, settings.feed_length)
        entries = [_Entry(public, item, body_of, base, feed.full_text) for item in items]
        if feed.bundles:  # written by outputs/newsroom.py, which runs before the feeds
            for item, entry in zip(items, entries):
                bundle = site_dir / unquote(bundle_path(item))
                if item.kind == "story" and bundle.is_file():
                    entry.bundle = (base + bundle_path(item), bundle.stat().st_size, "application/zip")
        updated = items[0].date if items else UNDATED
        rss, atom = _xml(feed, entries, base, settings, updated)
        for fmt, data in (("rss", rss), ("atom", atom), ("json", _json(feed, entries, base))):
            target = site_dir / feed.url(fmt)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            written.append(feed.url(fmt))
    return written
