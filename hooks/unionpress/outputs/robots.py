"""robots.txt: production points crawlers at the sitemap; a preview build asks them to stay out."""

from __future__ import annotations

from pathlib import Path


def write(public, pages, site_dir: Path, settings, body_of) -> list[str]:
    if settings.preview:
        text = "User-agent: *\nDisallow: /\n"
    else:
        text = "User-agent: *\nAllow: /\n"
        if settings.site_url:
            text += f"Sitemap: {settings.base_url}sitemap.xml\n"
    (site_dir / "robots.txt").write_text(text, encoding="utf-8")
    return ["robots.txt"]
