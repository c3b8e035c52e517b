"""/downloads/: the EPUB anthologies (outputs/epub.py) with their sizes, for reading offline; and
/offline/, the page the service worker (outputs/offline.py) shows for a page not saved on the phone.

Planned here so that it is in the sitemap and a body may link to it; the books are made before the
pages are rendered (engine.Build.render), so it prints their sizes. Always the public view's
anthologies, in a preview build too: a draft is never in a book.
"""

from __future__ import annotations

from ..kinds.book import LIBRARY_URL
from ..outputs.epub import PAGE, anthologies

OFFLINE = "offline/"


def pages(site, out) -> None:
    public = getattr(site, "public", site)  # a preview lists what production publishes
    found = anthologies(public)
    if not getattr(site, "preview", False):  # a preview has no service worker to show it
        out.add(OFFLINE, "offline.html", title="离线阅读", description=f"没有网络时，{out.settings.site_name}已保存在这部手机上的内容",
                noindex=True, reading_room=LIBRARY_URL if public.all("book") or public.all("share") else "", downloads=PAGE if found else "")
    if not found:
        return
    groups: dict[str, list] = {}
    for anthology in found:
        groups.setdefault(anthology.kind, []).append(anthology)
    out.add(PAGE, "downloads.html", title="电子书下载", description=f"{out.settings.site_name}的栏目文章、展览、征文和职工书屋书目，下载为电子书（EPUB）离线阅读",
            groups=list(groups.items()))
