"""The labor-model gallery (劳模风采, the online labor-model hall): /models/ and its pre-built filters.

Every filter a reader can choose is a page of its own with a stable URL (/models/honor/KEY/,
/models/level/KEY/, /models/year/YYYY/, /models/region/KEY/ — a region's page is its sub-hall,
分馆 — and /models/industry/KEY/), so a filter works without JavaScript and can be shared. Each is
paginated, so no page grows with the number of profiles; the filter menu grows only with the number
of distinct honors, years, regions and industries. gallery.js may combine filters without a reload,
from models/gallery.json (outputs/gallery.py), but nothing needs it: without it the combined form
stays hidden (a dropdown that does nothing is never shown). Every choice of the form carries its
count (option_counts, recounted by gallery.js after each choice), and a choice that would show
nobody is not offered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..kinds import model as model_kind
from ..kinds.honor import HONOR_LEVELS, LEVEL_KEYS
from ..tags import name_slug

STRIP = 8  # portraits on the homepage's 星光大道
RECENT_YEARS = 3  # "recent" honorees: honored in the latest three award years of the site


@dataclass
class FilterValue:
    """One choice of one filter: its key in the URL, its name, and its profiles in gallery order."""

    facet: str
    key: str
    name: str
    heading: str
    models: list = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"models/{self.facet}/{self.key}/"


@dataclass(frozen=True)
class Facet:
    name: str  # the URL segment: honor | level | year | region | industry
    label: str  # 按荣誉 …
    values: Callable  # (site, model) → [(key, name, heading, order)]


def _honors(site, model):
    return [(honor.key, honor.name, honor.name, (honor.rank, honor.key)) for _award, honor in model_kind.awards(site, model)]


def _levels(site, model):
    return [(LEVEL_KEYS[honor.level], honor.level, f"{honor.level}荣誉获得者", (HONOR_LEVELS.index(honor.level),))
            for _award, honor in model_kind.awards(site, model) if honor.level in LEVEL_KEYS]


def _years(site, model):
    return [(str(award.year), f"{award.year}年", f"{award.year}年获得荣誉", (-award.year,))
            for award, _honor in model_kind.awards(site, model)]


def _regions(site, model):
    return [(name_slug(model.region), model.region, f"{model.region}分馆", (name_slug(model.region),))] if model.region else []


def _industries(site, model):
    return [(name_slug(model.industry), model.industry, f"{model.industry}行业", (name_slug(model.industry),))] \
        if model.industry else []


FACETS = (
    Facet("honor", "荣誉", _honors),
    Facet("level", "级别", _levels),
    Facet("year", "年份", _years),
    Facet("region", "地区分馆", _regions),
    Facet("industry", "行业", _industries),
)


# Folders of models/ the gallery writes or may write as profiles are added (a filter page appears with
# its first profile, a second page with the 21st): no profile may take one as its slug, whatever its
# status, or its page would one day share a folder with the gallery's (engine._check_slugs).
RESERVED = frozenset({"page", "print", "stats", *(facet.name for facet in FACETS)})


def filters(site) -> list[tuple[Facet, list[FilterValue]]]:
    """Every filter value the public profiles give, each with its profiles in gallery order."""
    ordered = model_kind.by_honor(site)
    groups = []
    for facet in FACETS:
        found: dict[str, tuple[tuple, FilterValue]] = {}
        for model in ordered:
            for key, name, heading, order in facet.values(site, model):
                if key not in found:
                    found[key] = (order, FilterValue(facet.name, key, name, heading))
                value = found[key][1]
                if not value.models or value.models[-1] is not model:  # two awards of one honor: once
                    value.models.append(model)
        groups.append((facet, [value for _order, value in sorted(found.values(), key=lambda pair: pair[0])]))
    return groups


def star_strip(site, limit: int = STRIP) -> list:
    """星光大道: the highest-ranked among the recent honorees (the latest RECENT_YEARS award years),
    then the rest of the gallery when there are fewer."""
    pairs = [(model, award, honor) for model in site.all("model") for award, honor in model_kind.awards(site, model)]
    if not pairs:
        return []
    years = sorted({award.year for _m, award, _h in pairs}, reverse=True)[:RECENT_YEARS]
    best: dict[int, tuple] = {}
    for model, award, honor in pairs:
        if award.year in years:
            rank = (honor.rank, -award.year, model.slug)
            if id(model) not in best or rank < best[id(model)][0]:
                best[id(model)] = (rank, model)
    chosen = [model for _rank, model in sorted(best.values(), key=lambda pair: pair[0])][:limit]
    return chosen + [m for m in model_kind.by_honor(site) if m not in chosen][:limit - len(chosen)]


def option_counts(menu, everyone: Sequence, current: FilterValue | None) -> dict[str, int]:
    """How many profiles each choice of the combined filter would show on a page filtered by `current`
    (the page's own choice already made): a choice in another filter counts with it, a choice in its
    own filter replaces it. Key "" + facet name is that filter's 全部. A choice counted 0 is not offered."""
    chosen = {id(m) for m in current.models} if current else {id(m) for m in everyone}
    counts = {}
    for facet, values in menu:
        own = current is not None and facet.name == current.facet
        counts[facet.name] = len(everyone) if own else len(chosen)
        for value in values:
            # counted in C: 53 pages × 4,000 choices' profiles at 1,000 profiles
            counts[value.url] = len(value.models) if own else sum(map(chosen.__contains__, map(id, value.models)))
    return counts


def _gallery(out, base: str, heading: str, models: Sequence, *, menu, current: FilterValue | None,
             description: str, everyone: Sequence) -> None:
    size = out.settings.gallery_page_size
    counts = option_counts(menu, everyone, current)
    # An honor's page in a preview build may be one of a held-back honors.yml row: it says so.
    honor = out.site.get("honor", current.key) if current is not None and current.facet == "honor" else None
    notice = out.row_banner("honor", honor) if honor is not None else ""
    for url, title, number, group, urls in out.paged(base, heading, models, size):
        out.add(url, "models.html", title=title, description=description, heading=heading, total=len(models),
                models=group, pages=urls, current=number, menu=menu, chosen=current, first=(number - 1) * size + 1,
                notice=notice, counts=counts)


def _print_pages(site, out, menu) -> None:
    """A print page of name cards (outputs/qrcards.py) per region sub-hall, and an index of them.
    Only with site_url: the cards' QR codes need the site's full address."""
    if not out.settings.site_url:
        return
    # Cards are an output, made for public profiles only; a preview's print pages list those too.
    public = getattr(site, "public", site)
    regions = [FilterValue(v.facet, v.key, v.name, v.heading, [m for m in v.models if m in public])
               for facet, values in menu if facet.name == "region" for v in values]
    regions = [value for value in regions if value.models]
    everyone = [m for m in model_kind.by_honor(site) if m in public]
    unplaced = [m for m in everyone if not m.region]
    out.add("models/print/", "cards.html", title="劳模展牌打印", description="各分馆劳模展牌（含二维码）的打印页",
            heading="劳模展牌打印", regions=regions, models=[], unplaced=len(unplaced), index=True)
    for value in regions:
        out.add(f"{value.url}print/", "cards.html", title=f"{value.heading}展牌", heading=f"{value.heading}展牌",
                description=f"{value.heading} {len(value.models)} 位劳模的展牌，A4 纸每页 10 张",
                regions=regions, models=value.models, unplaced=0, index=False)
    if unplaced:
        out.add("models/print/unplaced/", "cards.html", title="未填地区的劳模展牌", heading="未填地区的劳模展牌",
                description=f"没有填写地区的 {len(unplaced)} 位劳模的展牌", regions=regions, models=unplaced,
                unplaced=0, index=False)


def pages(site, out) -> None:
    menu = filters(site)
    _print_pages(site, out, menu)
    everyone = model_kind.by_honor(site)
    _gallery(out, "models/", "劳模风采", everyone, menu=menu, current=None, everyone=everyone,
             description=f"劳动模范、大国工匠和先进人物，共 {len(everyone)} 位")
    for _facet, values in menu:
        for value in values:
            _gallery(out, value.url, value.heading, value.models, menu=menu, current=value, everyone=everyone,
                     description=f"劳模风采 · {value.heading}，共 {len(value.models)} 位")
