"""Contests (征文/比赛): content/contests/SLUG/index.md, entries in content/contests/SLUG/entries/*.md.

Pages: /contests/ (every contest, by state), /contests/SLUG/ (the notice or the results, the entries
grouped by award tier) and /contests/SLUG/entries/ENTRY/ (one entry, 上一篇/下一篇 within its tier).

A contest's state on the build date (settings.now, the union's time zone), decided in this order:

    before `opens`                         即将开始  (the call is announced, submissions not yet taken)
    any entry shown carries an award       已揭晓    (results are out, whatever `closes` says)
    no `closes`, or on/before `closes`     征集中    (`closes` is the last day a piece is taken)
    after `closes`                         评审中

An award is what announces results, so it wins over the dates once the contest has opened; before it
opens nothing has happened yet, so an award there (test data, a wrong year) changes nothing.
"""

from __future__ import annotations

import datetime as dt
import weakref
from dataclasses import dataclass

from .. import search
from ..awards import any_awarded, award_groups, is_awarded
from ..items import Image, Item
from .base import HomeBlock, Kind, Ref

UPCOMING, OPEN, JUDGING, ANNOUNCED = "即将开始", "征集中", "评审中", "已揭晓"
STATES = (OPEN, UPCOMING, JUDGING, ANNOUNCED)  # the order of /contests/: what a worker can still join first
STATE_KEYS = {OPEN: "open", UPCOMING: "upcoming", JUDGING: "judging", ANNOUNCED: "announced"}
IN_CONTEST = "所在目录"  # the entry → contest reference (the entry's folder, not a field an editor writes)
SEARCH_LABEL = "征文"
HOME_CONTESTS = 3
OPENING = 60  # characters of an entry's text shown under its title on the contest page


@dataclass(frozen=True, eq=False)
class Contest(Item):
    title: str = ""
    theme: str = ""
    opens: dt.date | None = None
    closes: dt.date | None = None
    organizer: str = ""
    cover: Image | None = None  # the call's poster: the contest's picture on its cards and when shared
    topic_keys: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Entry(Item):
    title: str = ""
    author: str = ""
    unit: str = ""
    award: str = ""


def read_contest(raw, f, settings) -> dict:
    title = f.text("title", required=True, max_len=64)
    fields = {"title": title, "theme": f.text("theme"),
              "opens": f.day("opens", required=True), "closes": f.day("closes"), "organizer": f.text("organizer"),
              "cover": f.image("cover", "cover_alt", default_alt=f"{title}海报" if title else ""),
              "topic_keys": f.texts("topics")}
    if fields["opens"] and fields["closes"] and fields["closes"] < fields["opens"]:  # as for exhibitions
        f.report("closes", "field-range", value=fields["closes"].isoformat(), rule="不得早于征集开始日期 opens")
    return fields


def read_entry(raw, f, settings) -> dict:
    return {"title": f.text("title", required=True, max_len=64), "author": f.text("author", required=True),
            "unit": f.text("unit"), "award": f.text("award")}


# -- state and order ------------------------------------------------------------------------------------

def state(contest: Contest, entries, today: dt.date) -> str:
    """The contest's state on `today` (the union's date), given the entries the page shows."""
    if contest.opens is not None and today < contest.opens:
        return UPCOMING
    if any_awarded(entries):
        return ANNOUNCED
    if contest.closes is None or today <= contest.closes:
        return OPEN
    return JUDGING


def entries_of(site, contest: Contest) -> tuple[Entry, ...]:
    """The contest's entries in this view, in the order they are listed inside a tier: by date, then by
    file name (an editor orders a tier by naming the files 01-…, 02-…)."""
    return tuple(sorted(site.backrefs(contest, "entry", IN_CONTEST), key=lambda e: (e.date or _EPOCH, e.slug)))


_EPOCH = dt.datetime.min.replace(tzinfo=dt.timezone.utc)


@dataclass(frozen=True)
class Standing:
    """A contest as a page shows it on the build date: its state and its entries by award tier."""

    contest: Contest
    state: str
    groups: tuple[tuple[str, tuple[Entry, ...]], ...]  # (tier heading, entries) in the union's tier order
    awarded: int  # entries carrying an award

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(entry for _tier, group in self.groups for entry in group)

    @property
    def key(self) -> str:
        """The state in ASCII, for the badge's class (up-state--open …)."""
        return STATE_KEYS[self.state]

    def dates(self) -> str:
        """征集时间 as a reader reads it: 2026年3月1日—4月15日, or 2026年3月1日起 without a closing day."""
        opens, closes = self.contest.opens, self.contest.closes
        if opens is None:
            return ""
        if closes is None:
            return f"{_cn(opens)}起"
        return f"{_cn(opens)}—{_cn(closes)[5:] if closes.year == opens.year else _cn(closes)}"

    def note(self) -> str:
        """One line under the state badge: what a worker can do now."""
        contest = self.contest
        if self.state == UPCOMING:
            return f"{_cn(contest.opens)}开始征集"
        if self.state == OPEN:
            return f"征集截止到{_cn(contest.closes)}" if contest.closes else "长期征集"
        if self.state == JUDGING:
            return f"征集已于{_cn(contest.closes)}截止，正在评审"
        return f"评审结果已揭晓，{self.awarded} 件作品获奖"


def _cn(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def standing(site, contest: Contest) -> Standing:
    entries = entries_of(site, contest)
    today = site.settings.now.date()  # the union's date: settings.now is in its time zone
    found = state(contest, entries, today)
    # Entries without an award: 参赛作品 when none has one; beside awarded ones, 其他参赛作品 (not a
    # bare 未获奖 over pieces the union chose to publish).
    unawarded = "其他参赛作品" if any_awarded(entries) else "参赛作品"
    groups = award_groups(entries, site.settings.award_tiers, unawarded=unawarded)
    return Standing(contest, found, tuple((tier, tuple(group)) for tier, group in groups),
                    sum(1 for entry in entries if is_awarded(entry.award)))


def _listing_key(standing_: Standing):
    """Inside a state: the soonest to close or open first while a worker can still take part, the
    most recent first afterwards; the slug breaks ties (determinism)."""
    contest, far = standing_.contest, dt.date.max
    opens, closes = contest.opens or dt.date.min, contest.closes
    if standing_.state == OPEN:
        return (STATES.index(OPEN), (closes or far).toordinal(), -opens.toordinal(), contest.slug)
    if standing_.state == UPCOMING:
        return (STATES.index(UPCOMING), opens.toordinal(), 0, contest.slug)
    last = (closes or opens).toordinal()
    return (STATES.index(standing_.state), -last, -opens.toordinal(), contest.slug)


_standings: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def standings(site) -> list[Standing]:
    """Every contest of the view in the order of /contests/: 征集中, 即将开始, 评审中, 已揭晓. Worked out
    once per view (pages, search, the homepage, every topic and the reading room ask): a view and its
    clock never change."""
    if site not in _standings:
        _standings[site] = tuple(sorted((standing(site, contest) for contest in site.all("contest")), key=_listing_key))
    return list(_standings[site])


def collecting(site) -> list[Standing]:
    """The contests a worker can enter today (the reading room and the homepage show them)."""
    return [found for found in standings(site) if found.state == OPEN]


def neighbours(found: Standing) -> dict[int, tuple[Entry | None, Entry | None]]:
    """上一篇 / 下一篇 of every entry: the entries before and after it in its own tier's list."""
    around: dict[int, tuple[Entry | None, Entry | None]] = {}
    for _tier, group in found.groups:
        for at, entry in enumerate(group):
            around[id(entry)] = (group[at - 1] if at > 0 else None, group[at + 1] if at + 1 < len(group) else None)
    return around


# -- pages ----------------------------------------------------------------------------------------------

def url(contest: Contest) -> str:
    return f"contests/{contest.slug}/"


def entry_url(entry: Entry) -> str:
    return f"contests/{entry.parent}/entries/{entry.slug}/"


def _absolute(settings, path: str) -> str:
    return settings.base_url + path if settings.base_url else ""


def _person(name: str, unit: str = "") -> dict:
    person: dict = {"@type": "Person", "name": name}
    if unit:
        person["affiliation"] = {"@type": "Organization", "name": unit}
    return person


def contest_ld(found: Standing, settings, description: str) -> dict:
    """schema.org Event: the call for entries runs from `opens` to `closes`, online, by its organizer."""
    contest = found.contest
    data: dict = {"@type": "Event", "name": contest.title,
                  "eventAttendanceMode": "https://schema.org/OnlineEventAttendanceMode",
                  "location": {"@type": "VirtualLocation", "url": _absolute(settings, url(contest)) or url(contest)}}
    if description:
        data["description"] = description
    if contest.opens:
        data["startDate"] = contest.opens.isoformat()
    if contest.closes:
        data["endDate"] = contest.closes.isoformat()
    if contest.organizer:
        data["organizer"] = {"@type": "Organization", "name": contest.organizer}
    return data  # its url and image: the page's canonical address and share picture (pages/jsonld.complete)


def entry_ld(entry: Entry, contest: Contest, settings, description: str) -> dict:
    """schema.org CreativeWork: the piece, its author and unit, its award and the contest it was written for."""
    data: dict = {"@type": "CreativeWork", "name": entry.title,
                  "author": _person(entry.author, entry.unit), "inLanguage": "zh-CN",
                  "isPartOf": {"@type": "CreativeWorkSeries", "name": contest.title}}
    if description:
        data["description"] = description
    if is_awarded(entry.award):
        data["award"] = f"{contest.title}{entry.award}"
    if entry.date:
        data["datePublished"] = entry.date.date().isoformat()
    if settings.base_url:
        data["isPartOf"]["url"] = _absolute(settings, url(contest))
    return data


def contest_description(contest: Contest) -> str:
    from ..pages.base import derive_summary  # pages import the kinds: imported when pages are planned

    about = contest.theme or derive_summary(contest.body, 100)
    return f"{contest.title}：{about}" if about else contest.title


def entry_description(entry: Entry, contest: Contest) -> str:
    from ..pages.base import derive_summary

    prize = entry.award if is_awarded(entry.award) else "参赛作品"
    opening = derive_summary(entry.body, 80)
    lead = f"{contest.title}{prize}，作者{entry.author}" + (f"（{entry.unit}）" if entry.unit else "")
    return f"{lead}。{opening}" if opening else lead


def opening(entry: Entry) -> str:
    """The first words of an entry, under its title in the contest's list."""
    from ..pages.base import derive_summary

    return derive_summary(entry.body, OPENING)


def pages(site, out) -> None:
    """/contests/, each contest and each of its entries. Entries are planned here, with their contest:
    their order and 上一篇/下一篇 come from the contest's tiers."""
    found = standings(site)
    if not found:
        return
    settings = out.settings
    sections = [(name, [s for s in found if s.state == name]) for name in STATES]
    sections = [(name, group) for name, group in sections if group]
    out.add("contests/", "contests.html", title="征文比赛", description=f"{settings.site_name}举办的职工征文和比赛：征集中、评审中和已揭晓的活动及获奖作品",
            lastmod=max((s.contest.date for s in found if s.contest.date), default=None), sections=sections,
            jsonld={"@type": "ItemList", "name": "征文比赛",
                "itemListElement": [{"@type": "ListItem", "position": n, "name": s.contest.title,
                                     **({"url": _absolute(settings, url(s.contest))} if settings.base_url else {})}
                                    for n, s in enumerate(found, start=1)]})
    for standing_ in found:
        contest = standing_.contest
        description = contest_description(contest)
        entries = standing_.entries
        newest = max((e.date for e in entries if e.date), default=None)
        out.add(url(contest), "contest.html", title=contest.title, description=description, item=contest,
                lastmod=max(filter(None, (contest.date, newest)), default=None), searchable=True,
                image=contest.cover, contest=contest, standing=standing_, topics=site.refs(contest, "topics"),
                opening=opening, jsonld=contest_ld(standing_, settings, description))
        around = neighbours(standing_)
        for number, (tier, group) in enumerate(standing_.groups, start=1):
            for entry in group:
                before, after = around[id(entry)]
                about = entry_description(entry, contest)
                out.add(entry_url(entry), "entry.html", title=entry.title, description=about, item=entry,
                        lastmod=entry.date, searchable=True, image=contest.cover, entry=entry, contest=contest,
                        standing=standing_, tier=tier, tier_anchor=f"tier-{number}", before=before, after=after,
                        jsonld=entry_ld(entry, contest, settings, about))


# -- what contests contribute elsewhere ------------------------------------------------------------------

def _date(moment: dt.datetime | None) -> str:
    return moment.date().isoformat() if moment else ""


def records(public, body_of) -> list:
    """One search record per public contest: its title, theme, organizer, state and notice."""
    found = []
    for standing_ in standings(public):
        contest = standing_.contest
        found.append(search.Record(
            url=public.url(contest), title=contest.title, kind=SEARCH_LABEL,
            fields=tuple(filter(None, [contest.organizer, standing_.state])),
            text=" ".join(filter(None, [contest.theme, search.body_text(contest, body_of)])),
            date=_date(contest.date) or (contest.opens.isoformat() if contest.opens else ""),
            image=search.thumbnail(contest.cover, public.settings) if contest.cover else "",
            image_alt=contest.cover.alt if contest.cover else ""))
    return [record for record in found if record.url]


def entry_records(public, body_of) -> list:
    """One search record per public entry: title, author (with the pinyin of the name), unit, award,
    the contest's title and the text itself."""
    found = []
    for standing_ in standings(public):
        contest = standing_.contest
        for entry in standing_.entries:
            award = entry.award if is_awarded(entry.award) else ""
            found.append(search.Record(
                url=public.url(entry), title=entry.title, kind=SEARCH_LABEL,
                fields=tuple(filter(None, [entry.author, entry.unit, award, contest.title])),
                text=search.body_text(entry, body_of),
                date=_date(entry.date), image=search.thumbnail(contest.cover, public.settings) if contest.cover else "",
                image_alt=contest.cover.alt if contest.cover else "", people=(entry.author,)))
    return [record for record in found if record.url]


def home(site, settings) -> HomeBlock | None:
    """The homepage's 征文比赛 box: what a worker can enter now or soon, then the latest results."""
    found = standings(site)
    if not found:
        return None
    return HomeBlock("_home_contest.html", "征文比赛", "contests/", 130, {"standings": found[:HOME_CONTESTS]})


def channel(site) -> list[tuple[str, str]]:
    return [("征文比赛", "contests/")] if site.all("contest") else []


def topic(site, row) -> list[Contest]:
    """The topic's contests, in the order of /contests/."""
    named = {id(contest) for contest in site.backrefs(row, "contest", "topics")}
    return [s.contest for s in standings(site) if id(s.contest) in named]


def entry_markers(entry: Entry) -> list[tuple[str, str]]:
    """Beyond its title and URL (every hidden item's), what would show that a hidden entry leaked: its
    author's name. Not the unit: a factory has many writers, public ones among them."""
    return [("作者", entry.author)] if entry.author else []


KIND = Kind("contest", "征文比赛", "contests", Contest, read_contest, url=url, pages=pages, also_known=("cover_alt",),
            records=records, home=home, channel=channel, topic=topic, search_label=SEARCH_LABEL, refs=(
                Ref("topics", "topic", lambda c: c.topic_keys),
            ))
# An entry of a hidden contest must not surface on its own: it is public only while its contest is.
ENTRY = Kind("entry", "参赛作品", "entries", Entry, read_entry, date_required=True, parent="contest", url=entry_url,
             records=entry_records, markers=entry_markers, search_label=SEARCH_LABEL, refs=(
                 Ref(IN_CONTEST, "contest", lambda e: (e.parent,), required_public=True),
             ))
