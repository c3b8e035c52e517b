"""JSON-LD: the structured data of a page (schema.org), in one <script type="application/ld+json">.

A kind's page puts a dict (or a list of them) in its context as `jsonld` (story.py: NewsArticle,
model.py: Person; exhibitions, books, shares and entries theirs), or a template calls the helper
`jsonld(data)` in its `{% block jsonld %}`. Either way the data is completed with what only
rendering knows (the page's canonical URL and its share image, when the dict leaves them out) and
printed through `script_text`, the one serialiser: a title that holds
</script> or <!-- must not end the script, so <, > and & are written as \\u003c, \\u003e, \\u0026,
which every JSON reader reads back as the same characters.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from markupsafe import Markup

CONTEXT = "https://schema.org"
_UNSAFE = re.compile(r"[<>&]")


def _plain(value: Any) -> str:
    if isinstance(value, (dt.date, dt.datetime)):  # a datetime is a date too: both as ISO 8601
        return value.isoformat()
    raise TypeError(f"JSON-LD cannot hold {type(value).__name__}")


def script_text(data: dict | list) -> Markup:
    """The text of the script element: JSON with every <, > and & escaped, deterministic (the keys in
    the order the page gave them; Chinese as it is, not as \\u escapes)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_plain)
    return Markup(_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


def script(data: dict | list | None) -> Markup:
    """The whole element, or nothing without data."""
    if not data:
        return Markup("")
    return Markup('<script type="application/ld+json">') + script_text(data) + Markup("</script>\n")


def complete(data: dict | list | None, url: str, image: str) -> dict | list | None:
    """The page's data with @context on each object, and the page's absolute URL and share image on
    the first (the thing the page is about) when it does not say them itself. None: no data."""
    if not data:
        return None
    objects = [{"@context": CONTEXT, **obj} for obj in (data if isinstance(data, list) else [data])]
    first = objects[0]
    if url and "url" not in first:
        first["url"] = url
    if image and "image" not in first:
        first["image"] = image
    return objects if isinstance(data, list) else first
