"""The homepage: featured topic, latest news, the labor-model strip, columns and topics."""

from __future__ import annotations

from ..kinds import topic
from . import gallery

HOME_STORIES = 10


def pages(site, out) -> None:
    settings = out.settings
    featured = topic.featured(site, settings.now.date())  # settings.now is in the union's time zone
    latest = site.latest("story")[:HOME_STORIES]
    out.add("", "home.html", title=settings.site_name, description=settings.site_description,
            lastmod=latest[0].date if latest else None,
            image=featured.cover if featured else None, featured=featured,
            latest=latest, models=gallery.star_strip(site),
            columns=list(site.occupied("column")), topics=list(site.occupied("topic")))
