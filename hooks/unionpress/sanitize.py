"""Body HTML sanitising: an allow-list of what an article needs, applied with nh3 (Rust ammonia).

Editors paste from Word, WPS and web pages; raw HTML in Markdown passes through Python-Markdown
untouched. Whatever is not on the list goes: scripts and styles with their content, event handlers
(onerror=…), javascript:/data: URLs, forms. Embedded players (iframe) are kept only from the hosts
the union lists in `extra.unionpress.embed_hosts`. What is removed is reported as a warning with
its line by `removals`, so the editor knows the page differs from what they wrote.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import nh3

TAGS = {"a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del", "details",
        "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins",
        "kbd", "li", "mark", "ol", "p", "picture", "pre", "q", "s", "small", "source", "span", "strong", "sub",
        "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "video", "audio",
        "track", "iframe"}
ATTRIBUTES = {
    "*": {"id", "class", "title", "lang", "dir"},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height", "loading", "decoding", "srcset", "sizes"},
    "source": {"src", "type", "media", "srcset", "sizes"},
    "video": {"src", "controls", "width", "height", "preload", "muted", "loop"},
    "audio": {"src", "controls", "preload"},
    "track": {"src", "kind", "srclang", "label"},
    "iframe": {"src", "width", "height", "allowfullscreen", "title", "loading"},
    "td": {"colspan", "rowspan", "align"}, "th": {"colspan", "rowspan", "align", "scope"}, "col": {"span"},
    "ol": {"start", "type"}, "time": {"datetime"}, "details": {"open"},
}
# The body renderer marks internal URLs with this scheme until a page or feed prints them.
SITE_SCHEME = "unionpress-site"
# Written by the picture pipeline only: an editor's srcset could load pictures from another host,
# so it is removed (and reported), and a srcset kept must name the site's own files.
GENERATED_ATTRIBUTES = ("srcset", "sizes")
_VARIANT_CANDIDATE = re.compile(re.escape(SITE_SCHEME) + r":media/pictures/[0-9a-f]{20}-\d+\.(?:webp|jpg|png) \d+w")
SCHEMES = {"http", "https", "mailto", "tel", SITE_SCHEME}
GONE_WITH_CONTENT = {"script", "style", "noscript", "template", "object", "embed", "applet", "form", "math", "svg"}


_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


def scheme_of(url: str) -> str:
    """The URL's scheme in lower case ('' for a relative URL, #fragment or path)."""
    found = _SCHEME.match(url)
    if not found or len(found.group(1)) == 1:
        return ""  # C:\\… is a Windows drive, reported as a local path (link-local), not a protocol
    return found.group(1).lower()


def _embed_filter(hosts: frozenset[str]):
    def keep(element: str, attribute: str, value: str):
        if element == "iframe" and attribute == "src":
            host = (urlsplit(value).hostname or "").lower()
            return value if host in hosts else None
        if attribute == "srcset":
            own = all(_VARIANT_CANDIDATE.fullmatch(part.strip()) for part in value.split(","))
            return value if own else None
        return value
    return keep


def clean(html: str, embed_hosts: frozenset[str]) -> str:
    return nh3.clean(html, tags=TAGS, clean_content_tags=GONE_WITH_CONTENT, attributes=ATTRIBUTES,
                     url_schemes=SCHEMES, link_rel=None, strip_comments=True,
                     attribute_filter=_embed_filter(embed_hosts))


def removals(root, embed_hosts: frozenset[str]) -> list[tuple[str, str]]:
    """(what the editor wrote, why it goes) for each thing `clean` will remove, in document order."""
    found = []
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        if not tag or tag == "div" and element.getparent() is None:
            continue
        if tag not in TAGS:
            found.append((f"<{tag}", f"不允许的标签 <{tag}>"))
            continue
        if tag == "iframe":
            try:
                host = (urlsplit(element.get("src") or "").hostname or "").lower()
            except ValueError:  # https://[在此粘贴视频地址]/ — not a URL at all
                host = ""
            if host not in embed_hosts:
                found.append((element.get("src") or "<iframe", f"嵌入内容来自未列入 embed_hosts 的网站「{host or '（空）'}」"))
        allowed = ATTRIBUTES.get(tag, set()) | ATTRIBUTES["*"]
        for name, value in element.attrib.items():
            if name in GENERATED_ATTRIBUTES:
                found.append((name, f"不允许的属性 {name}（图片的各种尺寸由构建自动生成）"))
            elif name not in allowed:
                found.append((name, f"不允许的属性 {name}"))
            elif name in ("href", "src") and (scheme := scheme_of(value)) and scheme not in SCHEMES:
                found.append((value[:40], f"不允许的链接协议 {scheme}:"))
    return found
