"""robots.txt: production points crawlers at the sitemap and keeps them out of the exports; a preview
build asks them to stay out."""

from __future__ import annotations

from pathlib import Path


def write(public, pages, site_dir: Path, settings, body_of) -> list[str]:
    if settings.preview:
        text = "User-agent: *\nDisallow: /\n"
    else:
        # The WeChat packages and partners' bundles are copies of the stories for other hands, not
        # pages for a search engine: indexed, they would compete with the stories themselves.
        text = f"User-agent: *\nAllow: /\nDisallow: {settings.site_path}exports/\n"
        if settings.site_url:
            text += f"Sitemap: {settings.base_url}sitemap.xml\n"
    (site_dir / "robots.txt").write_text(text, encoding="utf-8")
    return ["robots.txt"]
