"""Labor-model profiles (劳模、工匠、先进人物): content/models/SLUG.md → /models/SLUG/, and the gallery."""

from __future__ import annotations

from dataclasses import dataclass

from ..items import Image, Item, Signature
from ..validate import read_signature
from .base import Kind, Ref


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


def pages(site, out) -> None:
    """The profiles; the gallery and its filters are pages/gallery.py."""
    for model in site.all("model"):
        stories = site.backrefs(model, "story", "models")  # newest first, public only
        more = f"{url(model)}stories/" if len(stories) > PROFILE_STORIES else ""
        out.add(url(model), "model.html", title=model.name, description=f"{model.name}，{model.employer}{model.position}",
                item=model, lastmod=model.date, searchable=True, image=model.photo, model=model,
                honors=awards(site, model), stories=stories[:PROFILE_STORIES], story_count=len(stories), more=more)
        if more:
            out.listing(more, f"{model.name}的相关报道", stories, kicker="劳模风采",
                        description=f"报道{model.name}（{model.employer}）的全部 {len(stories)} 篇稿件")


KIND = Kind("model", "劳模", "models", ModelWorker, read, url=url, pages=pages, check=check, also_known=("photo_alt",), refs=(
    Ref("honors", "honor", lambda m: [a.honor_key for a in m.honors]),
    Ref("topics", "topic", lambda m: m.topic_keys),
))
