"""Labor-model profiles (劳模、工匠、先进人物): content/models/SLUG.md → /models/SLUG/, and the gallery."""

from __future__ import annotations

from dataclasses import dataclass

from .. import search
from ..items import Image, Item, Signature
from ..validate import read_signature
from .base import HomeBlock, Kind, Ref


@dataclass(frozen=True)
class HonorAward:
    """One honor a labor model received in one year."""

    honor_key: str
    year: int
    line: int = 1


@dataclass(frozen=True, eq=False)
class ModelWorker(Item):
    name: str = ""
    photo: Image | None = None
    employer: str = ""
    position: str = ""
    industry: str = ""
    region: str = ""
    gender: str = ""
    ethnicity: str = ""
    honors: tuple[HonorAward, ...] = ()
    quote: str = ""
    consent: Signature | None = None
    topic_keys: tuple[str, ...] = ()


def read(raw, f, settings) -> dict:
    name = f.text("name", required=True, max_len=32)
    fields = {
        "name": name,
        "photo": f.image("photo", "photo_alt", default_alt=f"{name}的肖像" if name else "", required=True),
        "employer": f.text("employer", required=True),
        "position": f.text("position"),
        "industry": f.text("industry", choices=settings.industries or None),
        "region": f.text("region"),
        "gender": f.text("gender"),
        "ethnicity": f.text("ethnicity"),
        "quote": f.text("quote", max_len=200),
        "topic_keys": f.texts("topics"),
    }
    honors = []
    for row in f.rows("honors", required=True):
        key = row.text("honor", required=True)
        year = row.integer("year", required=True, low=1949, high=settings.now.year + 1)
        row.finish()
        if key and year:
            honors.append(HonorAward(key, year, row.data.line))
    fields["honors"] = tuple(honors)
    fields["consent"] = read_signature(f.mapping("consent"))
    return fields


def check(model: ModelWorker, findings) -> None:
    """Published needs consent. Judged on the status the gate reads (`published　` with a full-width
    space is published too), never on the raw text."""
    if model.status == "published" and model.consent is None:
        findings.add(model.source, model.line_of("consent") if "consent" in model.lines else model.line_of("status"),
                     "consent-missing")


def url(model: ModelWorker) -> str:
    return f"models/{model.slug}/"


def awards(site, model: ModelWorker) -> list[tuple[HonorAward, object]]:
    """(award, honor) pairs whose honor exists, newest first."""
    honors = site.lists["honor"]
    pairs = [(a, honors[a.honor_key]) for a in model.honors if a.honor_key in honors]
    return sorted(pairs, key=lambda pair: (-pair[0].year, pair[1].rank))


def top_honor(site, model: ModelWorker):
    pairs = awards(site, model)
    return min(pairs, key=lambda pair: (pair[1].rank, -pair[0].year)) if pairs else None


def by_honor(site) -> list[ModelWorker]:
    """The gallery's order: honor rank, then the year it was given (newest first), then slug."""
    def order(model: ModelWorker):
        top = top_honor(site, model)
        return (top[1].rank if top else 10**6, -(top[0].year if top else 0), model.slug)
    return sorted(site.all("model"), key=order)


PROFILE_STORIES = 20  # stories on the profile itself; the rest on /models/SLUG/stories/ pages


def person(model: ModelWorker, honors, description: str) -> dict:
    """The profile as schema.org Person: only what the profile page itself shows (never gender,
    ethnicity or consent)."""
    data = {"@type": "Person", "name": model.name, "description": description,
            "worksFor": {"@type": "Organization", "name": model.employer}}
    if model.position:
        data["jobTitle"] = model.position
    if honors:
        data["award"] = [f"{award.year}年{honor.name}" for award, honor in honors]
    return data


def pages(site, out) -> None:
    """The profiles; the gallery and its filters are pages/gallery.py."""
    for model in site.all("model"):
        stories = site.backrefs(model, "story", "models")  # newest first, public only
        more = f"{url(model)}stories/" if len(stories) > PROFILE_STORIES else ""
        honors, description = awards(site, model), f"{model.name}，{model.employer}{model.position}"
        # Its printable name card (outputs/qrcards.py), made for public profiles and only with site_url.
        card = f"{url(model)}card.svg" if out.settings.site_url and model in getattr(site, "public", site) else ""
        out.add(url(model), "model.html", title=model.name, description=description,
                item=model, lastmod=model.date, searchable=True, image=model.photo, model=model,
                honors=honors, stories=stories[:PROFILE_STORIES], story_count=len(stories), more=more,
                jsonld=out.derived(person, model, honors, description), card=card)
        if more:
            out.listing(more, f"{model.name}的相关报道", stories, kicker="劳模风采",
                        description=f"报道{model.name}（{model.employer}）的全部 {len(stories)} 篇稿件", owner=model)


def records(public, body_of) -> list[search.Record]:
    """A profile is found by the name (and its pinyin), employer, position, industry, region, quote,
    honors and biography."""
    found = []
    honors = public.lists["honor"]
    for model in public.all("model"):
        about = [model.employer, model.position, model.industry, model.region]
        about += [f"{award.year}年{honors[award.honor_key].name}" for award in model.honors
                  if award.honor_key in honors]
        found.append(search.Record(
            url=public.url(model), title=model.name, kind=KIND.search_label,
            text=" ".join(filter(None, [model.quote, search.body_text(model, body_of)])), fields=tuple(filter(None, about)),
            image=search.thumbnail(model.photo, public.settings),
            image_alt=model.photo.alt if model.photo else "", people=(model.name,), pinned=True))
    return found


def channel(site) -> list[tuple[str, str]]:
    """劳模风采 in the channel bar while the view holds a profile."""
    return [("劳模风采", "models/")] if site.all("model") else []


def home(site, settings) -> HomeBlock | None:
    """星光大道 on the homepage: the recent highest honorees (pages/gallery.star_strip)."""
    from ..pages.gallery import star_strip  # the gallery's pages import this module

    strip = star_strip(site)
    if not strip:
        return None
    return HomeBlock("_home_model.html", "劳模风采", "models/", 100, {"models": strip})


def topic(site, row) -> list[ModelWorker]:
    """The topic's models: those it names itself, then those of its stories, each once."""
    seen = list(site.backrefs(row, "model", "topics"))
    for story in site.backrefs(row, "story", "topics"):
        seen += [m for m in site.refs(story, "models") if m not in seen]
    return seen


KIND = Kind("model", "劳模", "models", ModelWorker, read, url=url, pages=pages, check=check, also_known=("photo_alt",),
            records=records, channel=channel, home=home, topic=topic, search_label="劳模", refs=(
    Ref("honors", "honor", lambda m: [a.honor_key for a in m.honors]),
    Ref("topics", "topic", lambda m: m.topic_keys),
))
