"""What every page renderer shares: the page record, URLs, templates and Markdown helpers.

A page is Markdown (front matter + raw HTML blocks made from templates + the editor's body), so the
site engine only has to render Markdown: MkDocs today, another engine tomorrow.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from PIL import Image as PILImage

from ..items import Image, Item

TEMPLATES = Path(__file__).parent / "templates"


@dataclass
class Page:
    """One page the build makes: its source URI (KIND/SLUG/index.md), title and Markdown."""

    src_uri: str
    title: str
    markdown: str
    source: str = ""  # the content file it comes from ('' for listings)
    lastmod: str = ""  # ISO date for the sitemap

    @property
    def url(self) -> str:
        return url_of(self.src_uri)


@dataclass
class Rendered:
    pages: list[Page] = field(default_factory=list)
    assets: dict[str, Path] = field(default_factory=dict)  # src_uri → file on disk


def url_of(src_uri: str) -> str:
    """Directory URL of a page source: `stories/x/index.md` → `stories/x/`, `index.md` → ``."""
    return src_uri[: -len("index.md")] if src_uri.endswith("index.md") else src_uri


def relative(from_url: str, to_url: str) -> str:
    """Relative link between two site paths (directory URLs end in /, files do not).

    Written out instead of posixpath.relpath: it runs tens of thousands of times per build and all
    our paths are already normalised, so the segment arithmetic below is all that is needed.
    """
    base = from_url.split("/")[:-1]  # the directory the page lives in
    target = to_url.split("/")
    common = 0
    while common < len(base) and common < len(target) - 1 and base[common] == target[common]:
        common += 1
    path = "../" * (len(base) - common) + "/".join(target[common:])
    return path or "./"


def story_uri(slug: str) -> str:
    return f"stories/{slug}/index.md"


def model_uri(slug: str) -> str:
    return f"models/{slug}/index.md"


def paged_uri(base: str, number: int) -> str:
    """`columns/k/` page 1 → `columns/k/index.md`; page 3 → `columns/k/page/3/index.md`."""
    return f"{base}index.md" if number == 1 else f"{base}page/{number}/index.md"


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


_image_sizes: dict[tuple[Path, int], tuple[int, int]] = {}


def image_size(image: Image) -> tuple[int, int]:
    """Pixel size for width/height attributes (reads only the header). Cached per file and
    modification time, so `mkdocs serve` picks up an image an editor replaced."""
    if image.path is None:
        return (0, 0)
    key = (image.path, image.path.stat().st_mtime_ns)
    if key not in _image_sizes:
        with PILImage.open(image.path) as handle:
            _image_sizes[key] = handle.size
    return _image_sizes[key]


def front_matter(title: str, description: str = "", hide: Iterable[str] = ("navigation", "toc")) -> str:
    # JSON is valid YAML and quotes whatever an editor typed safely.
    meta = {"title": title}
    if description:
        meta["description"] = description
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in meta.items()]
    lines.append("hide: " + json.dumps(list(hide)))
    return "---\n" + "\n".join(lines) + "\n---\n\n"


_BLANKS = re.compile(r"\n\s*\n+")


def html_block(html: str) -> str:
    """Template output as one raw HTML block: no blank lines, so Markdown leaves it whole."""
    return _BLANKS.sub("\n", html.strip()) + "\n"


class Templates:
    def __init__(self, globals_: dict) -> None:
        self.env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True,
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        self.env.globals.update(globals_)
        self.env.filters["cn_date"] = lambda d: f"{d.year}年{d.month}月{d.day}日" if d else ""
        self.env.filters["iso"] = lambda d: d.isoformat() if d else ""

    def render(self, name: str, **context) -> str:
        return html_block(self.env.get_template(name).render(**context))


# -- Markdown helpers --------------------------------------------------------------------------------

_MD_IMAGE = re.compile(r"(!\[[^\]\n]*\]\(\s*<?)([^)\s>]+)")
_HTML_SRC = re.compile(r"(<img\b[^>]*?\bsrc\s*=\s*[\"'])([^\"']+)", re.IGNORECASE)


def rewrite_images(body: str, item: Item, page_uri: str) -> str:
    """Point the body's image paths at the copies the build publishes under media/."""
    outputs = {img.src: img.output for img in item.images if img.output}
    if not outputs:
        return body
    page_dir = posixpath.dirname(page_uri)

    def swap(match: re.Match) -> str:
        target = outputs.get(match.group(2))
        return match.group(1) + (posixpath.relpath(target, page_dir) if target else match.group(2))

    return _HTML_SRC.sub(swap, _MD_IMAGE.sub(swap, body))


_STRIP = [
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
