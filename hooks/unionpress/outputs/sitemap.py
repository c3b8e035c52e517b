"""sitemap.xml (and .gz): the public pages and hand-written pages, each dated by its content."""

from __future__ import annotations

import gzip
from pathlib import Path
from xml.sax.saxutils import escape

# Editors' reports, the search page and the 404 page are no destination for a search engine.
_EXCLUDED = ("404.html", "models/stats/", "stats/", "search/", "offline/")  # offline/: the service worker's stand-in


def write(public, pages, site_dir: Path, settings, body_of) -> list[str]:
    if not settings.site_url:
        return []  # a sitemap needs absolute URLs
    base = settings.base_url
    entries: dict[str, str] = {}
    for page in pages:
        if page.url not in _EXCLUDED:
            entries[page.url] = page.lastmod.date().isoformat() if page.lastmod else ""
    for url in settings.doc_pages:
        entries.setdefault(url, "")
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for url in sorted(entries):
        lastmod = f"<lastmod>{entries[url]}</lastmod>" if entries[url] else ""
        lines.append(f"<url><loc>{escape(base + url)}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    data = ("\n".join(lines) + "\n").encode("utf-8")
    (site_dir / "sitemap.xml").write_bytes(data)
    # mtime 0 and no file name in the gzip header: the same content gives the same bytes at any clock
    # (the build clock here made every build upload a new sitemap.xml.gz).
    packed = gzip.compress(data, mtime=0)
    (site_dir / "sitemap.xml.gz").write_bytes(packed)
    return ["sitemap.xml", "sitemap.xml.gz"]
