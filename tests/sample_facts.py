"""What the shipped sample (content/) holds, read through the engine once per session.

Tests that build the sample derive their expectations from here (how many public stories, which
feeds, which picture variant a cover gets) instead of pinning today's numbers, so the sample can
grow without editing them. The engine's gate decides what is public; these helpers only count and
name what follows from it by the rules the README gives.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from conftest import NOW, ROOT


@lru_cache(maxsize=None)
def sample(preview: bool = False):
    """engine.prepare() of the project as `mkdocs build` sees it (mkdocs.yml, content/, the tests' clock)."""
    from unionpress import config, engine

    environ = {"UNIONPRESS_NOW": NOW, **({"UNIONPRESS_PREVIEW": "1"} if preview else {})}
    settings, findings = config.load(ROOT, environ=environ)
    return engine.prepare(settings, findings)


def public_stories(build=None) -> list:
    return list((build or sample()).public.latest("story"))


def feed_files(build=None) -> set[str]:
    """Every feed file of the public site: the site's, the reading shares' while a share is public, each
    column holding a public story, each topic holding a public story, profile, exhibition or contest,
    each partner's; RSS, Atom and JSON Feed of each."""
    build = build or sample()
    public = build.public
    columns = {story.column_key for story in public.all("story")} & set(public.lists["column"])
    topics = {key for kind in ("story", "model", "exhibition", "contest") for item in public.all(kind)
              for key in item.topic_keys}
    topics &= set(public.lists["topic"])
    stems = [f"feeds/columns/{key}" for key in columns] + [f"feeds/topics/{key}" for key in topics]
    stems += ["feeds/shares"] if public.all("share") else []
    stems += [f"feeds/partners/{partner['name']}" for partner in build.settings.partners]
    return {"feeds/rss.xml", "feeds/atom.xml", "feeds/feed.json"} | {
        stem + suffix for stem in stems for suffix in (".xml", ".atom.xml", ".json")}


def story(slug: str, build=None):
    return (build or sample()).public.get("story", slug)


def cover_variants(slug: str, build=None):
    """The responsive variants the site publishes for a public story's cover."""
    from unionpress import responsive

    build = build or sample()
    return responsive.pipeline(build.settings).picture(Path(story(slug, build).cover.path))


def variant_for(variants, css_width: int, density: int) -> str:
    """The file name a browser picks from a srcset for a slot `css_width` wide at `density`: the
    narrowest candidate at least that many pixels wide, else the widest."""
    need = css_width * density
    fitting = [v for v in variants if v.width >= need]
    return (min(fitting, key=lambda v: v.width) if fitting else max(variants, key=lambda v: v.width)).output


__all__ = ["sample", "public_stories", "feed_files", "story", "cover_variants", "variant_for", "ROOT"]
