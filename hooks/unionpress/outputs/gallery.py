"""models/gallery.json: the public profiles with their filter keys, for gallery.js to combine filters
without a reload. The pre-built filter pages need none of it; the file is fetched only when a reader
uses the combined filter, so its size never weighs on an ordinary visit."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from .. import responsive
from ..kinds import model as model_kind
from ..images import pixel_size
from ..pages.gallery import filters

OUTPUT = "models/gallery.json"


def write(public, pages, site_dir: Path, settings, body_of) -> list[str]:
    menu = filters(public)
    keys: dict[int, dict[str, list[str]]] = {}
    for facet, values in menu:
        for value in values:
            for model in value.models:
                keys.setdefault(id(model), {}).setdefault(facet.name, []).append(value.key)
    records = []
    for model in model_kind.by_honor(public):
        top = model_kind.top_honor(public, model)
        shown = responsive.published(model.photo, public.settings, "small")  # the 320 px variant
        width, height = (pixel_size(shown[1]) or (0, 0)) if shown else (0, 0)
        records.append({"u": public.url(model), "n": model.name, "e": model.employer,
                        "t": f"{top[0].year} {top[1].name}" if top else "",
                        "p": quote(shown[0], safe="/") if shown else "",
                        "a": model.photo.alt if model.photo else "", "w": width, "h": height,
                        "f": keys.get(id(model), {})})
    data = {"facets": {facet.name: [[value.key, value.name] for value in values] for facet, values in menu},
            "models": records}
    target = site_dir / OUTPUT
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True), encoding="utf-8")
    return [OUTPUT]
