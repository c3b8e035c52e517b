"""Online exhibitions (线上展览): content/exhibitions/SLUG/index.md → /exhibitions/SLUG/, and /exhibitions/.

An exhibition is open, upcoming or closed on the build date in the union's time zone (settings.now,
never the wall clock): it opens on the morning of `opens` and is still open all day on `closes`.
Its works are shown in a grid through the picture pipeline and the lightbox, grouped by award tier
in the union's order (awards.py) when any work carries an award. Each work has an anchor, #work-N
with N its place in the `works` list as written, so a link to one work can be shared; lightbox.js
opens the picture the address names.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import quote

from .. import awards, responsive
from ..items import Image, Item
from .base import HomeBlock, Kind, Ref

OPEN, UPCOMING, CLOSED = "open", "upcoming", "closed"
STATE_LABELS = {OPEN: "正在展出", UPCOMING: "即将开幕", CLOSED: "已闭幕"}
SECTION_TITLES = {OPEN: "正在展出", UPCOMING: "即将开幕", CLOSED: "往期展览"}
SEARCH_LABEL, WORK_LABEL = "展览", "作品"
HOME_EXHIBITIONS = 2  # current ones on the homepage (a row of two on a desktop); the rest are a click away
HOME_ORDER = 110  # after the stories (0–99) and the labor-model strip (100), before contests
UNGROUPED = "展出作品"  # heading of the works when none has an award
SHOWN_UNAWARDED = "入展作品"  # the works without an award, after the awarded ones


@dataclass(frozen=True)
class Work:
    """One work in an exhibition (书法、美术、摄影作品)."""

    title: str
    author: str
    image: Image | None
    unit: str = ""
    medium: str = ""
    size: str = ""
    year: int | None = None
    award: str = ""
    description: str = ""
    line: int = 1
    number: int = 0  # place in the `works` list as written, from 1: the #work-N anchor

    @property
    def anchor(self) -> str:
        return f"work-{self.number}"

    @property
    def shown_award(self) -> str:
        """The award a caption prints: none for 未获奖/无奖项 written out."""
        return self.award if awards.is_awarded(self.award) else ""


def _day(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


@dataclass(frozen=True, eq=False)
class Exhibition(Item):
    title: str = ""
    opens: dt.date | None = None
    closes: dt.date | None = None
    exhibition_kind: str = ""
    organizer: str = ""
    summary: str = ""
    cover: Image | None = None
    works: tuple[Work, ...] = ()
    topic_keys: tuple[str, ...] = ()

    @property
    def anchors(self) -> frozenset[str]:
        """The fragments its page defines for a link to point at: one per work (body.py keeps a link's
        #work-3 as written instead of reading it as a heading of the preface)."""
        return frozenset(work.anchor for work in self.works)

    @property
    def poster(self) -> Image | None:
        """The picture that stands for the exhibition (cards, link previews): its cover, else its first work's."""
        return self.cover or next((work.image for work in self.works if work.image is not None), None)

    def state_on(self, day: dt.date) -> str:
        """Open from its opening day through its closing day, both whole; without `closes`, open from then on."""
        if self.opens is not None and day < self.opens:
            return UPCOMING
        if self.closes is not None and day > self.closes:
            return CLOSED
        return OPEN

    def state_label(self, day: dt.date) -> str:
        return STATE_LABELS[self.state_on(day)]

    @property
    def period(self) -> str:
        """展期 in the union's words: 2026年10月1日至2026年12月31日, or 2026年10月1日起 without an end."""
        if self.opens is None:
            return ""
        return f"{_day(self.opens)}至{_day(self.closes)}" if self.closes else f"{_day(self.opens)}起"


def read(raw, f, settings) -> dict:
    fields = {
        "title": f.text("title", required=True, max_len=64),
        "opens": f.day("opens", required=True),
        "closes": f.day("closes"),
        "exhibition_kind": f.text("kind"),
        "organizer": f.text("organizer"),
        "summary": f.text("summary", max_len=120),
        "cover": f.image("cover", "cover_alt"),
        "topic_keys": f.texts("topics"),
    }
    works = []
    for number, row in enumerate(f.rows("works", required=True), start=1):
        title, author = row.text("title", required=True), row.text("author", required=True)
        image = row.image("image", "alt", default_alt=f"{title}（{author}）" if title and author else "", required=True)
        works.append(Work(title, author, image, unit=row.text("unit"), medium=row.text("medium"), size=row.text("size"),
                          year=row.integer("year", low=1900, high=settings.now.year + 1), award=row.text("award"),
                          description=row.text("description", max_len=500), line=row.data.line, number=number))
        row.finish()
    fields["works"] = tuple(works)
    if fields["opens"] and fields["closes"] and fields["closes"] < fields["opens"]:
        f.report("closes", "field-range", value=fields["closes"].isoformat(), rule="不得早于开幕日期")
    return fields


def url(exhibition: Exhibition) -> str:
    return f"exhibitions/{exhibition.slug}/"


def today(settings) -> dt.date:
    """The build date as the union reads a calendar (settings.now is in its time zone)."""
    return settings.now.date()


def ordered(exhibitions, day: dt.date) -> list[Exhibition]:
    """The listing's order: open now (latest opening first), upcoming (soonest first), closed (latest
    opening first); the slug breaks ties, so one clock gives one order."""
    def key(exhibition: Exhibition):
        opened = exhibition.opens.toordinal() if exhibition.opens else 0
        place = (OPEN, UPCOMING, CLOSED).index(exhibition.state_on(day))
        return (place, opened if place == 1 else -opened, exhibition.slug)
    return sorted(exhibitions, key=key)


def sections(exhibitions, day: dt.date) -> list[tuple[str, str, list[Exhibition]]]:
    """(state, heading, exhibitions) of ordered exhibitions, one per state present, in that order."""
    found: dict[str, list[Exhibition]] = {}
    for exhibition in exhibitions:
        found.setdefault(exhibition.state_on(day), []).append(exhibition)
    return [(name, SECTION_TITLES[name], found[name]) for name in (OPEN, UPCOMING, CLOSED) if name in found]


def work_groups(exhibition: Exhibition, tiers) -> list[tuple[str, list[Work]]]:
    """The works by award tier in the union's order when any has an award (those without one last,
    as 入展作品); otherwise one group in the order written."""
    if not awards.any_awarded(exhibition.works):
        return [(UNGROUPED, list(exhibition.works))]
    return awards.award_groups(exhibition.works, tiers, unawarded=SHOWN_UNAWARDED)


def description(exhibition: Exhibition, summary) -> str:
    """The page's description (search engines, link previews): the summary or the preface's first paragraph."""
    return exhibition.summary or summary(exhibition) or f"{exhibition.title}：{len(exhibition.works)} 件作品"


# -- structured data (schema.org) -------------------------------------------------------------------------

class _Deferred(Mapping):
    """A page's JSON-LD made when the page is rendered, not when it is planned: its picture URLs are
    the published variants, and pages are planned before the build encodes the pictures on every
    core (asking the pipeline at plan time would encode them one by one)."""

    def __init__(self, make: Callable[[], dict]) -> None:
        self._make = make

    @functools.cached_property
    def _data(self) -> dict:
        return self._make()

    def __getitem__(self, key: str):
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


def _picture_url(image: Image | None, settings) -> str:
    shown = responsive.published(image, settings, "largest") if image is not None else None
    return settings.base_url + quote(shown[0], safe="/") if shown and settings.base_url else ""


def _work_data(work: Work, page: str, settings) -> dict:
    data: dict = {"@type": "VisualArtwork", "name": work.title, "creator": {"@type": "Person", "name": work.author}}
    if work.unit:
        data["creator"]["affiliation"] = {"@type": "Organization", "name": work.unit}
    for key, value in (("artMedium", work.medium), ("size", work.size), ("award", work.shown_award),
                       ("description", work.description), ("image", _picture_url(work.image, settings))):
        if value:
            data[key] = value
    if work.year:
        data["dateCreated"] = str(work.year)
    if page:
        data["url"] = f"{page}#{work.anchor}"
    return data


def linked_data(exhibition: Exhibition, settings, summary) -> dict:
    """schema.org ExhibitionEvent, online, with its works as VisualArtwork (workFeatured). The page's
    address and share picture (the poster) are added by pages/jsonld.complete."""
    page = settings.base_url + url(exhibition) if settings.base_url else ""
    data: dict = {"@type": "ExhibitionEvent", "name": exhibition.title, "description": description(exhibition, summary),
                  "eventAttendanceMode": "https://schema.org/OnlineEventAttendanceMode"}
    if exhibition.opens:
        data["startDate"] = exhibition.opens.isoformat()
    if exhibition.closes:
        data["endDate"] = exhibition.closes.isoformat()
    if page:
        data["location"] = {"@type": "VirtualLocation", "url": page}
    if exhibition.organizer:
        data["organizer"] = {"@type": "Organization", "name": exhibition.organizer}
    data["workFeatured"] = [_work_data(work, page, settings) for work in exhibition.works]
    return data


def _listing_data(exhibitions, settings) -> dict:
    return {"@type": "ItemList", "name": "线上展览", "itemListElement": [
        {"@type": "ListItem", "position": at, "name": exhibition.title,
         **({"url": settings.base_url + url(exhibition)} if settings.base_url else {})}
        for at, exhibition in enumerate(exhibitions, start=1)]}


# -- pages, and what the kind gives search, the homepage, the channel bar, topics and the audit ---------------

def pages(site, out) -> None:
    """Each exhibition's page, and /exhibitions/ (paginated) when the view holds any."""
    settings = out.settings
    day = today(settings)
    shown = ordered(site.all("exhibition"), day)
    for exhibition in shown:
        groups = work_groups(exhibition, settings.award_tiers)
        out.add(url(exhibition), "exhibition.html", title=exhibition.title,
                description=description(exhibition, out.summary), item=exhibition, lastmod=exhibition.date,
                searchable=True, image=exhibition.poster, exhibition=exhibition, state=exhibition.state_on(day),
                groups=groups, grouped=groups[0][0] != UNGROUPED, topics=site.refs(exhibition, "topics"),
                jsonld=_Deferred(functools.partial(linked_data, exhibition, settings, out.summary)))
    if not shown:
        return
    for page_url, title, number, group, urls in out.paged("exhibitions/", "线上展览", shown, settings.page_size):
        out.add(page_url, "exhibitions.html", title=title, image=group[0].poster if number == 1 else None,
                description=f"{settings.site_name}的线上展览：职工书法、美术、摄影作品，正在展出、即将开幕和往期展览",
                sections=sections(group, day), pages=urls, current=number, jsonld=_listing_data(group, settings))


def records(public, body_of) -> list:
    """Search documents: each exhibition (展览), and each work (作品) at its anchor, so a reader who
    searches an author's name lands on the work itself and its lightbox opens."""
    from .. import search  # search walks the registry, which imports this module

    found = []
    settings = public.settings
    for exhibition in ordered(public.all("exhibition"), today(settings)):
        page = url(exhibition)
        opened = exhibition.opens.isoformat() if exhibition.opens else ""
        found.append(search.Record(
            url=page, title=exhibition.title, kind=SEARCH_LABEL,
            text=" ".join(filter(None, [exhibition.summary, search.body_text(exhibition, body_of)])),
            fields=tuple(filter(None, [exhibition.organizer, exhibition.exhibition_kind, exhibition.period,
                                       *(work.title for work in exhibition.works),
                                       *(work.author for work in exhibition.works)])),
            date=opened, image=search.thumbnail(exhibition.poster, settings),
            image_alt=exhibition.poster.alt if exhibition.poster else ""))
        for work in exhibition.works:
            found.append(search.Record(
                url=f"{page}#{work.anchor}", title=f"{work.title}（{work.author}）", kind=WORK_LABEL,
                text=work.description or "",  # not the show's title: its record has it
                fields=tuple(filter(None, [work.author, work.unit, work.medium, work.size, str(work.year or ""),
                                           work.shown_award])),
                date=opened, image=search.thumbnail(work.image, settings),
                image_alt=work.image.alt if work.image else "", people=(work.author,)))
    return found


def current(site) -> list[Exhibition]:
    """What the homepage shows: the exhibitions open now, else the upcoming ones."""
    day = today(site.settings)
    shown = ordered(site.all("exhibition"), day)
    now = [e for e in shown if e.state_on(day) == OPEN] or [e for e in shown if e.state_on(day) == UPCOMING]
    return now[:HOME_EXHIBITIONS]


def home(site, settings) -> HomeBlock | None:
    shown = current(site)
    return HomeBlock("_home_exhibition.html", "线上展览", "exhibitions/", HOME_ORDER, {"exhibitions": shown}) if shown else None


def channel(site) -> list[tuple[str, str]]:
    return [("线上展览", "exhibitions/")] if site.all("exhibition") else []


def topic(site, row) -> list[Exhibition]:
    return ordered(site.backrefs(row, "exhibition", "topics"), today(site.settings))


def markers(exhibition: Exhibition) -> list[tuple[str, str]]:
    """What of a hidden exhibition would show that it leaked: its title, its works' titles and authors."""
    found = [("标题", exhibition.title)]
    found += [(noun, text) for work in exhibition.works for noun, text in (("作品", work.title), ("作者", work.author))]
    return [(noun, text) for noun, text in dict.fromkeys(found) if text]


KIND = Kind("exhibition", "展览", "exhibitions", Exhibition, read, url=url, pages=pages, also_known=("cover_alt",),
            records=records, home=home, channel=channel, topic=topic, search_label=SEARCH_LABEL, markers=markers,
            refs=(Ref("topics", "topic", lambda e: e.topic_keys),))
