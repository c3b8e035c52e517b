"""Whole fixture sites for the fuzz tests: hypothesis strategies for valid-but-odd content of every kind
that reaches publication, a smaller share of malformed input, and the engine run in-process.

A generated `Site` knows, without asking the engine, which of its items the publishing rules make
public (status, date against the fixed clock, three reviews, an entry's contest), which findings its
oddities must raise (a public item linking to a hidden one, a link to a kind without pages, a file
broken on purpose), and the marker every hidden item carries in its slug, title, body and tags.
`build` writes it to a folder and runs the engine as hooks/build.py does (check, render, write the
pages, outputs, audit) without MkDocs, which would take seconds per example.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import posixpath
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from hypothesis import strategies as st
from PIL import Image

from conftest import NOW, ROOT

SHANGHAI = ZoneInfo("Asia/Shanghai")
CLOCK = dt.datetime.fromisoformat(NOW).astimezone(SHANGHAI)
TODAY = CLOCK.date()
SITE_URL = "https://example.org/"
INDUSTRIES = ["制造业", "能源", "信息技术"]
GENRES = ["劳模故事", "工匠故事", "劳动故事", "新闻", "微故事", "评论"]  # config.DEFAULT_GENRES
LEVELS = ["国家级", "省部级", "市级", "县级", "企业级"]
AWARDS = ["特等奖", "一等奖", "二等奖", "三等奖", "优秀奖", "入围奖", "最佳人气奖"]  # the default tiers, and others
# A pattern no odd text below can produce: hidden items carry MARK + number, scanned for in every output.
MARK = "qzv"
SCRIPT_MARK = "pwnx"  # inside <script>, event handlers and javascript: URLs: must never reach an output

# Pieces of odd but valid text: scripts, directions, combining marks, markup-looking and template-looking
# text, Markdown syntax, YAML words, quotes, full-width and compatibility forms, emoji sequences.
ODD = [
    "劳模", "工匠精神", "车间里的春天", "🔧", "👩‍🔧", "🇨🇳", "عمال المصنع", "עובדים", "é", "Z̤͔ͧ̑", "ﬁ", "ℌ", "Ω",
    "<b>粗</b>", "<script>x</script>", "&amp;", "&lt;", "&", "<", ">", '"引号"', "'单引'", "「书名」", "《报》",
    "{{ 7*7 }}", "{% if x %}", "{#", "**粗体**", "_斜_", "[链接](http://x)", "# 井号", "`码`", "\\", "C:\\x",
    "％", "１２３", "3.10", "no", "null", "~", "- a", "a: b", " #x", "@", "|", "*", "!", "?", "&nbsp;", "‮反转",
    "\u00a0", "　", "Ⅻ", "ｱｲｳ", "漢字", "한국어", "ру́сский", "…", "——", "·",
]
ALT_SAFE = ["车间", "焊花", "劳模", "Zoë", "🔧", "عمال", "é", "&amp;", "“引号”", "{{ x }}", "1 < 2"]  # no [ ] in alt
PEOPLE = ["甲", "乙", "丙", "Zoë", "O'Brien", "<i>审</i>", "阿卜杜勒·热合曼", "李　四", "张三", "🙂王", "&amp;审"]
SLUG_ODD = ["a", "0", "9-9", "x" * 60, "2026-05-01", "li-ming-2024", "a1b2"]
# Words the gallery and listings use as URL segments beside profiles and stories: a slug may still
# be one of them (models/stats/ is the honors report, models/print/ the name-card index, …).
GALLERY_FOLDERS = {"page", "stats", "print", "region", "honor", "level", "year", "industry"}  # under models/
SLUG_RESERVED = sorted(GALLERY_FOLDERS) + ["stories", "feeds", "tags"]
TAG_ODD = ["C++", "5G", "5g", "Ｃ＋＋", "劳模/工匠", "a b", "#话题", "..", "%2F", "?x=1", "🔧", "<b>", "&amp;",
           "عمال", "é", "ℌ", "劳模精神", "工匠", "AI", "ai", "page", "a--b", "-", "'", "\"q\""]


def visible(text: str) -> str:
    from unionpress.validate import visible as engine_visible

    return engine_visible(text)


# -- text ---------------------------------------------------------------------------------------------

# Made once: hypothesis works out a character strategy's code points when it is built, per build.
_PIECES = st.lists(st.one_of(st.sampled_from(ODD),
                             st.text(st.characters(codec="utf-8", categories=["L", "M", "N", "P", "S"],
                                                   exclude_characters="\u2028\u2029\ufeff"), max_size=4)),
                   min_size=1, max_size=6)
_GLUE = st.sampled_from(["", " ", "·"])


@st.composite
def odd_text(draw, limit: int) -> str:
    """Odd text whose visible length is within `limit` (the field's maximum)."""
    pieces = draw(_PIECES)
    glue = draw(_GLUE)
    text = visible(glue.join(pieces))
    if draw(st.integers(0, 9)) == 0:  # as long as the rules allow
        text = (text + "长" * limit)[:limit]
    text = visible(text[:limit])
    return text or "题"


def quoted(value: str) -> str:
    """A YAML double-quoted scalar (PyYAML escapes whatever is not printable)."""
    return yaml.dump(value, Dumper=yaml.SafeDumper, default_style='"', allow_unicode=True, width=10**9).rstrip("\n")


class Raw(str):
    """A value written into YAML as it is (an unquoted date)."""


def _scalar(value) -> str:
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return quoted(str(value))


def dump(fields: dict, indent: str = "") -> str:
    """Front matter or a list row as block YAML; lists of scalars in flow style."""
    lines = []
    for key, value in fields.items():
        if isinstance(value, dict):
            lines.append(f"{indent}{key}:")
            lines.append(dump(value, indent + "  "))
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f"{indent}{key}:")
            for row in value:
                inner = dump(row, indent + "    ").split("\n")
                lines.append(f"{indent}  - " + inner[0].lstrip())
                lines.extend(inner[1:])
        elif isinstance(value, list):
            lines.append(f"{indent}{key}: [{', '.join(_scalar(v) for v in value)}]")
        else:
            lines.append(f"{indent}{key}: {_scalar(value)}")
    return "\n".join(line for line in lines if line)


# -- dates --------------------------------------------------------------------------------------------

@st.composite
def moment(draw, public: bool) -> dt.datetime:
    """A publication moment (minute precision, Shanghai): at or before the clock, or after it."""
    if public:
        edge = [CLOCK, CLOCK - dt.timedelta(minutes=1), dt.datetime(1900, 1, 1, tzinfo=SHANGHAI),
                dt.datetime(2024, 2, 29, 23, 59, tzinfo=SHANGHAI),
                dt.datetime.combine(TODAY, dt.time(), SHANGHAI)]
        low, high = dt.datetime(1990, 1, 1), CLOCK.replace(tzinfo=None)
    else:
        edge = [CLOCK + dt.timedelta(minutes=1), dt.datetime.combine(TODAY + dt.timedelta(days=1), dt.time(), SHANGHAI),
                dt.datetime(2999, 12, 31, tzinfo=SHANGHAI)]
        low, high = CLOCK.replace(tzinfo=None) + dt.timedelta(minutes=1), dt.datetime(2999, 12, 31)
    if draw(st.integers(0, 4)) == 0:
        return draw(st.sampled_from(edge))
    at = draw(st.datetimes(min_value=low, max_value=high)).replace(second=0, microsecond=0)
    if draw(st.booleans()):
        at = at.replace(hour=0, minute=0)
    found = at.replace(tzinfo=SHANGHAI)
    return found if (found <= CLOCK) == public else (CLOCK if public else CLOCK + dt.timedelta(minutes=1))


@st.composite
def written_date(draw, at: dt.datetime):
    """The moment as an editor may write it: every form means exactly `at` in the union's zone."""
    forms = [Raw(f"{at:%Y-%m-%d %H:%M}"), f"{at:%Y-%m-%d %H:%M}", f"{at:%Y/%m/%d %H:%M}", Raw(at.isoformat())]
    utc = at.astimezone(dt.timezone.utc)
    if utc.year >= 1900:  # 1900-01-01 00:00 in Shanghai is 1899 in UTC: a year the rules refuse
        forms.append(Raw(utc.strftime("%Y-%m-%dT%H:%M:%SZ")))
    if at.time() == dt.time():
        forms += [Raw(f"{at:%Y-%m-%d}"), f"{at:%Y/%m/%d}", f"{at.year}年{at.month}月{at.day}日", f"{at:%Y.%m.%d}"]
    return draw(st.sampled_from(forms))


@st.composite
def day(draw, low: dt.date, high: dt.date) -> Raw:
    return Raw(draw(st.dates(min_value=low, max_value=max(low, high))).isoformat())


# -- the site -----------------------------------------------------------------------------------------

@dataclass
class Doc:
    """One content file the generator plans: an item of some kind, with what the rules make of it."""

    kind: str
    slug: str
    path: str  # under content/
    state: str  # public | draft | review | embargoed | unreviewed
    marker: str = ""  # hidden items: a token in slug, title, body and tags that no output may hold
    parent: str = ""  # an entry's contest slug
    fields: dict = field(default_factory=dict)
    body: str = ""

    @property
    def gated(self) -> bool:
        """What the item's own gate says (an entry also needs its contest)."""
        return self.state == "public"

    @property
    def key(self) -> str:
        return f"{self.parent}/{self.slug}" if self.parent else self.slug

    @property
    def label(self) -> str:
        return visible(str(self.fields.get("title") or self.fields.get("name") or self.slug))

    @property
    def url(self) -> str:
        """Its page's address, as its kind declares it ("" for a kind without pages)."""
        from types import SimpleNamespace

        from unionpress.kinds import ITEM_KINDS

        kind = ITEM_KINDS[self.kind]
        shape = SimpleNamespace(kind=self.kind, slug=self.slug, parent=self.parent, key=self.key)
        return kind.url(shape) if kind.url else ""

    def text(self) -> str:
        return "---\n" + dump(self.fields) + "\n---\n\n" + self.body + "\n"


@dataclass
class Site:
    docs: list[Doc]
    lists: dict[str, list[dict]]  # file under content/ → rows
    site_name: str
    images: dict[str, str]  # file under content/ → which sample picture
    settings: dict = field(default_factory=dict)  # extra.unionpress
    search: bool = True  # build the search index too (Node starts up for it: not on every example)
    flawed: bool = False  # may hold content errors on purpose (unreviewed items, links to hidden items)
    public: set[tuple[str, str]] = field(default_factory=set)  # (kind, key) the rules make public
    gates: dict = field(default_factory=dict)  # (list file, key) → (status, public from)
    row_markers: list[str] = field(default_factory=list)  # of held-back rows (in the name, maybe the key)
    expected: set[tuple[str, str]] = field(default_factory=set)  # (file under content/, code) that must be found
    broken: str = ""  # the mutation applied to one file (malformed share)
    texts: dict[str, bytes] = field(default_factory=dict)  # files written as bytes instead (mutations)

    def markers(self) -> list[str]:
        return [doc.marker for doc in self.docs if doc.marker] + self.row_markers

    def row_open(self, file: str, key: str, when: dt.datetime) -> bool:
        """Is this list row public at that moment (published, and its date passed)?"""
        status, since = self.gates[(file, key)]
        return status == "published" and (since is None or since <= when)

    def row_pages(self) -> set[str]:
        """The pages of columns and topics: public rows that hold a public member (the kinds the
        registry names as a row's members: a column's stories, a topic's stories, profiles …)."""
        from unionpress.kinds import LIST_KINDS

        found = set()
        for name, file, folder in (("column", "columns.yml", "columns"), ("topic", "topics.yml", "topics")):
            kinds = {kind for kind, _field in LIST_KINDS[name].members}
            for doc in self.docs:
                if doc.kind in kinds and (doc.kind, doc.key) in self.public:
                    keys = doc.fields.get(name) or doc.fields.get(f"{name}s") or ()
                    found |= {f"{folder}/{key}/" for key in ([keys] if isinstance(keys, str) else keys)
                              if self.row_open(file, key, CLOCK)}
        return found


# Photos are noisy like real ones; wide.webp is one flat colour, like a logo or a banner.
IMAGES = {"photo.jpg": ("RGB", (80, 60), "JPEG"), "透明 图.png": ("RGBA", (50, 50), "PNG"),
          "a#1.jpg": ("RGB", (40, 30), "JPEG"), "wide.webp": ("RGB", (2000, 10), "WEBP"), "dot.gif": ("P", (10, 10), "GIF")}


def make_images(folder: Path) -> None:
    """The sample pictures, drawn once: small, so a fuzz example spends no time encoding."""
    import random

    noise = random.Random(7)
    folder.mkdir(parents=True, exist_ok=True)
    for name, (mode, size, fmt) in IMAGES.items():
        if name == "wide.webp":
            picture = Image.new(mode, size, (30, 90, 160))
        else:
            data = bytes(noise.randrange(256) for _ in range(size[0] * size[1] * len(Image.new(mode, (1, 1)).getbands())))
            picture = Image.frombytes(mode, size, data)
            if mode == "P":
                picture.putpalette([noise.randrange(256) for _ in range(768)])
        picture.save(folder / name, fmt)


def _rel(from_file: str, to_file: str) -> str:
    return posixpath.relpath(to_file, posixpath.dirname(from_file))


def _isbn(digits: str) -> str:
    core = "978" + digits
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(core))
    return core + str((10 - total % 10) % 10)


STATES = ["public"] * 6 + ["draft", "review", "embargoed"]


@st.composite
def _slug(draw, kind: str, taken: set[str], marker: str, flawed: bool) -> str:
    if marker and draw(st.integers(0, 5)) > 0:
        base = marker + draw(st.sampled_from(["", "-a", "-2026", "-x-y"]))
    else:
        base = draw(st.one_of(st.sampled_from(SLUG_ODD), st.from_regex(r"[a-z0-9]{1,10}(-[a-z0-9]{1,6}){0,2}",
                                                                        fullmatch=True)))
    if flawed and draw(st.integers(0, 3)) == 0:
        base = draw(st.sampled_from(SLUG_RESERVED))  # a profile there is an error whatever its status
    if base.startswith(MARK) and not marker:
        base = "x" + base  # only hidden items carry the marker
    slug, n = base, 2
    while slug in taken or slug == "index":
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


@st.composite
def sites(draw, malformed: bool = False) -> Site:
    serial = iter(range(100))
    # One site in five holds errors on purpose; the rest must build clean, so the properties of a
    # finished build (pages, links, outputs, audit) are checked on most examples.
    flawed = draw(st.integers(0, 4)) == 0

    def hidden_marker(state: str) -> str:
        return f"{MARK}{next(serial):02d}k" if state != "public" else ""


    # -- lists: every row behind its own gate (status, date), published when it says nothing --------
    gates: dict[tuple[str, str], tuple[str, dt.datetime | None]] = {}
    lists_so_far: dict[str, list[dict]] = {}
    row_markers: list[str] = []

    def rows(file: str, keys: list[str], home: bool) -> list[dict]:
        """Rows of a list file; a column or shelf list (`home`) keeps its first row public and
        undated, so every published story or book has somewhere to live."""
        made = []
        for at, key in enumerate(keys):
            state = "public" if home and at == 0 else draw(st.sampled_from(["public"] * 3 + ["dated", "draft",
                                                                                           "review", "embargoed"]))
            row: dict = {}
            since = None
            marker = hidden_marker(state) if state in ("draft", "review", "embargoed") else ""
            if marker:
                row_markers.append(marker)
            if marker and draw(st.booleans()):
                key = marker  # a held-back row's key is in its page's and feeds' addresses
            row["key"] = key
            row["name"] = draw(odd_text(20 - len(marker) - 1)) + (f" {marker}" if marker else "")
            if marker and draw(st.integers(0, 3)) == 0:
                # Held back but named like a public row of another list (a topic 工会动态 beside the column
                # 工会动态) or a word of the pages: the name is no evidence of a leak, its key may be.
                said = [other["name"] for (name, other_key), (status, since) in gates.items()
                        for other in lists_so_far.get(name, []) if other["key"] == other_key
                        and status == "published" and (since is None or since <= CLOCK)]
                row["name"] = draw(st.sampled_from(said + ["劳模风采", "首页", "标签"]))
            if state in ("draft", "review"):
                row["status"] = state
            elif draw(st.booleans()):
                row["status"] = "published"
            if state in ("dated", "embargoed"):
                since = draw(moment(state == "dated"))
                row["date"] = draw(written_date(since))
            gates[(file, key)] = (row.get("status", "published"), since)
            made.append(row)
        lists_so_far[file] = made
        return made

    columns = rows("columns.yml", draw(st.lists(st.sampled_from(["lao-dong", "c", "x-1", "9", "gong-hui"]), min_size=1,
                                                max_size=3, unique=True)), home=True)
    for column in columns:
        if draw(st.booleans()):
            column["description"] = draw(odd_text(60))
        if draw(st.integers(0, 2)) == 0:
            column["cadence"] = {"per": draw(st.sampled_from(["week", "month", "quarter", "year"])),
                                 "count": draw(st.integers(1, 100))}
    topics = rows("topics.yml", draw(st.lists(st.sampled_from(["t", "zhuan-ti", "2026"]), max_size=2, unique=True)),
                  home=False)
    for topic in topics:
        if draw(st.booleans()):
            topic["summary"] = draw(odd_text(120))
        if draw(st.booleans()):
            start = draw(st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)))
            topic["featured"] = {"from": Raw(start.isoformat()),
                                 "to": Raw((start + dt.timedelta(days=draw(st.integers(0, 400)))).isoformat())}
    honors = rows("honors.yml", draw(st.lists(st.sampled_from(["quanguo", "shi", "h-1"]), min_size=1, max_size=3,
                                              unique=True)), home=False)
    for honor in honors:
        honor["level"], honor["rank"] = draw(st.sampled_from(LEVELS)), draw(st.integers(0, 10000))
    shelves = rows("library/shelves.yml", draw(st.lists(st.sampled_from(["wenxue", "s"]), min_size=1, max_size=2,
                                                        unique=True)), home=True)
    lists = {"columns.yml": columns, "topics.yml": topics, "honors.yml": honors, "library/shelves.yml": shelves}
    if draw(st.booleans()):
        words = draw(st.lists(st.sampled_from(["劳模", "劳动模范", "Zoë", "工匠", "🔧", "C++"]), min_size=2, max_size=3,
                              unique=True))
        lists["synonyms.yml"] = [words]

    # -- which items, in which state --------------------------------------------------------------
    docs: list[Doc] = []
    expected: set[tuple[str, str]] = set()
    contests: dict[str, Doc] = {}
    taken: dict[str, set[str]] = {}

    def plan(kind: str, folder: str, parent: str = "") -> Doc:
        state = draw(st.sampled_from(STATES))
        if flawed and draw(st.integers(0, 4)) == 0:
            state = "unreviewed"
        # An entry of a hidden contest is hidden whatever it says itself: it carries a marker too.
        marker = hidden_marker("hidden" if parent and contests[parent].state != "public" else state)
        slug = draw(_slug(kind, taken.setdefault(f"{kind}/{parent}", set()), marker, flawed))
        shape = draw(st.sampled_from(["file", "year", "bundle"])) if kind == "story" else "file"
        if kind == "contest" or (kind == "exhibition" and draw(st.booleans())):
            shape = "bundle"
        if shape == "bundle" and re.fullmatch(r"[0-9]{4}", slug):
            shape = "file"  # a four-digit folder only sorts by year (README): never a bundle's name
        path = {"file": f"{folder}/{slug}.md", "year": f"{folder}/2026/{slug}.md",
                "bundle": f"{folder}/{slug}/index.md"}[shape]
        doc = Doc(kind, slug, path, state, marker, parent)
        docs.append(doc)
        if kind == "model" and slug in GALLERY_FOLDERS:
            expected.add((path, "slug-reserved"))
        if kind == "contest":
            contests[slug] = doc
        return doc

    for _ in range(draw(st.integers(1, 4))):
        plan("story", "stories")
    for _ in range(draw(st.integers(0, 3))):
        plan("model", "models")
    for _ in range(draw(st.integers(0, 2))):
        plan("exhibition", "exhibitions")
    for _ in range(draw(st.integers(0, 2))):
        plan("book", "library/books")
    if any(doc.kind == "book" for doc in docs):
        for _ in range(draw(st.integers(0, 2))):
            plan("share", "library/shares")
    for _ in range(draw(st.integers(0, 1))):
        contest = plan("contest", "contests")
        for _ in range(draw(st.integers(0, 2))):
            plan("entry", f"contests/{contest.slug}/entries", parent=contest.slug)

    # Small pages, so a few items already page listings, the gallery and its filters.
    options = {"industries": INDUSTRIES, "page_size": draw(st.integers(1, 3)), "gallery_page_size": draw(st.integers(1, 3)),
               "feed_length": draw(st.integers(1, 3))}
    site = Site(docs, lists, draw(odd_text(20)), images={f"images/{name}": name for name in IMAGES}, flawed=flawed,
                search=draw(st.integers(0, 3)) == 0, settings=options, gates=gates, expected=expected,
                row_markers=row_markers)
    for doc in docs:
        if doc.gated and (doc.kind != "entry" or contests[doc.parent].gated):
            site.public.add((doc.kind, doc.key))

    # -- fields -----------------------------------------------------------------------------------
    for doc in docs:
        draw_fields(draw, site, doc, columns, topics, honors, shelves)
    for doc in docs:
        doc.body = draw(body(site, doc))
    if malformed:
        draw(mutate(site))
    return site


def _picture(draw, site: Site, doc: Doc) -> str:
    """A picture the item may show: one of the shared ones, or its own in its bundle."""
    if doc.path.endswith("/index.md") and draw(st.booleans()):
        own = posixpath.join(posixpath.dirname(doc.path), draw(st.sampled_from(["pic.jpg", "图 2.png"])))
        site.images[own] = "photo.jpg" if own.endswith(".jpg") else "透明 图.png"
        return posixpath.basename(own)
    name = draw(st.sampled_from(sorted(IMAGES)))
    return _rel(doc.path, f"images/{name}") if draw(st.booleans()) else f"/images/{name}"


def _review(draw, doc: Doc, at: dt.datetime | None) -> dict:
    """Three signatures by three people, none after the publication day nor after today."""
    names = draw(st.permutations(PEOPLE))[:3]
    latest = min(at.date(), TODAY) if at else TODAY
    levels = ["first", "second", "final"]
    if doc.state == "unreviewed":
        levels.remove(draw(st.sampled_from(levels)))
    earliest = max(dt.date(1900, 1, 1), latest - dt.timedelta(days=60))
    return {level: {"by": name, "date": draw(day(earliest, latest))} for level, name in zip(levels, names)}


def _home(draw, site: Site, doc: Doc, file: str, at: dt.datetime | None) -> str:
    """A story's column or a book's shelf: for a published one, a row public by its date (a book
    without a date is out now); a flawed site may pick a held-back row, which must be reported."""
    keys = [row["key"] for row in site.lists[file]]
    if doc.state not in ("public", "embargoed", "unreviewed"):
        return draw(st.sampled_from(keys))
    when = at or CLOCK
    if site.flawed and draw(st.integers(0, 2)) == 0:
        key = draw(st.sampled_from(keys))
        if not site.row_open(file, key, when):
            site.expected.add((doc.path, "row-hidden"))
        return key
    return draw(st.sampled_from([key for key in keys if site.row_open(file, key, when)]))


WECHAT = {"title": 32, "author": 16, "digest": 128}  # WeChat's limits (outputs/wechat.py, checks/wechat.py)


def _wechat_fits(draw, site: Site, doc: Doc, f: dict) -> None:
    """A published story's title (up to 64 here) or authors (、-joined) over WeChat's limit is an error
    unless a `wechat:` override fits (issue 19; the digest is the summary, at most 120, or the override):
    a valid site gives it one; a flawed site may leave it out, and then the finding is expected."""
    if doc.state not in ("public", "embargoed", "unreviewed"):  # the checker looks at published stories only
        return
    own = f.get("wechat", {})
    over = [key for key, value in (("title", f["title"]), ("author", "、".join(f["authors"])))
            if key not in own and len(value) > WECHAT[key]]
    if not over:
        return
    if site.flawed and draw(st.booleans()):
        site.expected.add((doc.path, "wechat-too-long"))
        return
    own = f.setdefault("wechat", {})
    for key in over:
        own[key] = draw(odd_text(WECHAT["title"])) if key == "title" else draw(st.sampled_from(PEOPLE))


def draw_fields(draw, site: Site, doc: Doc, columns, topics, honors, shelves) -> None:
    f: dict = {}
    public_like = doc.state in ("public", "embargoed", "unreviewed")
    at = None
    needs_date = doc.kind in ("story", "share", "entry")
    if needs_date or doc.state == "embargoed" or draw(st.booleans()):
        at = draw(moment(doc.state != "embargoed"))
    marker = f" {doc.marker}" if doc.marker else ""

    def title(limit: int) -> str:
        if doc.marker and draw(st.integers(0, 3)) == 0:
            # A hidden item named like something public (a namesake, a revision's copy, a column, a
            # word of the templates): the title is no evidence of a leak, its slug and body still are.
            said = [d.label for d in site.docs if (d.kind, d.key) in site.public and d.fields]
            said += [row["name"] for name in ("columns.yml", "topics.yml", "honors.yml") for row in site.lists[name]]
            said += ["劳模风采", "首页", "搜索", "标签", "全部专题", "全部栏目", site.site_name]
            return draw(st.sampled_from([text for text in said if len(text) <= limit]))
        return draw(odd_text(limit - len(marker))) + marker

    if doc.kind == "story":
        f["title"] = title(64)
        f["column"] = _home(draw, site, doc, "columns.yml", at)
        if draw(st.booleans()):
            f["genre"] = draw(st.sampled_from(GENRES))
        if draw(st.booleans()):
            f["summary"] = draw(odd_text(120 - len(marker))) + marker
        f["authors"] = draw(st.lists(st.sampled_from(PEOPLE), max_size=3, unique=True))
        if draw(st.booleans()):
            f["source"], f["editor"] = draw(odd_text(20)), draw(st.sampled_from(PEOPLE))
        if draw(st.booleans()):
            f["cover"], f["cover_alt"] = _picture(draw, site, doc), draw(st.sampled_from(ALT_SAFE))
            if draw(st.booleans()):
                f["cover_focus"] = [draw(st.sampled_from([0, 0.5, 1, 0.25])), draw(st.sampled_from([0, 0.3, 1]))]
        tags = draw(st.lists(st.one_of(st.sampled_from(TAG_ODD), odd_text(30)), max_size=4))
        if doc.marker:
            tags.append(f"隐{doc.marker}")  # a hidden story's own tag: no tag page may show it
        f["tags"] = tags
        if topics and draw(st.booleans()):
            f["topics"] = draw(st.lists(st.sampled_from([t["key"] for t in topics]), min_size=1, unique=True))
        models = [d.slug for d in site.docs if d.kind == "model"]
        if models and draw(st.booleans()):
            f["models"] = draw(st.lists(st.sampled_from(models), min_size=1, max_size=3))
        if draw(st.integers(0, 3)) == 0:
            f["wechat"] = {"title": draw(odd_text(WECHAT["title"])), "digest": draw(odd_text(WECHAT["digest"])),
                           "author": draw(st.sampled_from(PEOPLE))}
            if site.flawed and draw(st.integers(0, 3)) == 0:  # an override over its own limit: the schema's error
                f["wechat"]["title"] = "长" * WECHAT["title"] + draw(odd_text(8))
                site.expected.add((doc.path, "too-long"))
        _wechat_fits(draw, site, doc, f)
    elif doc.kind == "model":
        f["name"] = title(32)
        f["photo"] = _picture(draw, site, doc)
        if draw(st.booleans()):
            f["photo_alt"] = draw(st.sampled_from(ALT_SAFE))
        f["employer"] = draw(odd_text(30))
        for key in ("position", "region", "gender", "ethnicity"):
            if draw(st.booleans()):
                f[key] = draw(odd_text(12))
        if draw(st.booleans()):
            f["industry"] = draw(st.sampled_from(INDUSTRIES))
        if draw(st.booleans()):
            f["quote"] = draw(odd_text(200))
        if topics and draw(st.booleans()):
            f["topics"] = [draw(st.sampled_from([t["key"] for t in topics]))]
        f["honors"] = [{"honor": draw(st.sampled_from([h["key"] for h in honors])),
                        "year": draw(st.sampled_from([1949, 2000, TODAY.year, TODAY.year + 1]))}
                       for _ in range(draw(st.integers(1, 3)))]
        if public_like or draw(st.booleans()):
            f["consent"] = {"by": draw(st.sampled_from(PEOPLE)), "date": draw(day(dt.date(2000, 1, 1), TODAY))}
    elif doc.kind == "exhibition":
        f["title"] = title(64)
        opens = draw(st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1)))
        f["opens"] = Raw(opens.isoformat())
        if draw(st.booleans()):
            f["closes"] = Raw((opens + dt.timedelta(days=draw(st.integers(0, 999)))).isoformat())
        for key in ("kind", "organizer"):
            if draw(st.booleans()):
                f[key] = draw(odd_text(12))
        if draw(st.booleans()):
            f["summary"] = draw(odd_text(120))
        if draw(st.booleans()):
            f["cover"], f["cover_alt"] = _picture(draw, site, doc), draw(st.sampled_from(ALT_SAFE))
        if topics and draw(st.booleans()):
            f["topics"] = [draw(st.sampled_from([t["key"] for t in topics]))]
        f["works"] = [{"title": draw(odd_text(20)), "author": draw(st.sampled_from(PEOPLE)),
                       "image": _picture(draw, site, doc), "year": draw(st.sampled_from([1900, 2020, TODAY.year + 1])),
                       "award": draw(st.sampled_from(AWARDS + [""])),
                       "description": draw(odd_text(500))} for _ in range(draw(st.integers(1, 3)))]
        for work in f["works"]:
            if not work["award"]:
                del work["award"]
    elif doc.kind == "book":
        f["title"] = title(64)
        f["author"] = draw(st.sampled_from(PEOPLE))
        f["shelf"] = _home(draw, site, doc, "library/shelves.yml", at)
        if draw(st.booleans()):
            f["year"] = draw(st.integers(1900, TODAY.year + 1))
        if draw(st.booleans()):
            f["isbn"] = _isbn(draw(st.from_regex(r"[0-9]{9}", fullmatch=True)))
        if draw(st.booleans()):
            f["cover"] = _picture(draw, site, doc)
        if draw(st.booleans()):
            f["summary"] = draw(odd_text(120))
        if topics and draw(st.booleans()):
            f["topics"] = [draw(st.sampled_from([t["key"] for t in topics]))]
    elif doc.kind == "share":
        f["title"] = title(64)
        f["book"] = draw(st.sampled_from([d.slug for d in site.docs if d.kind == "book"]))
        f["author"] = draw(st.sampled_from(PEOPLE))
    elif doc.kind == "contest":
        f["title"] = title(64)
        opens = draw(st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1)))
        f["opens"] = Raw(opens.isoformat())
        if draw(st.booleans()):
            f["closes"] = Raw((opens + dt.timedelta(days=draw(st.integers(0, 99)))).isoformat())
        for key in ("theme", "organizer"):
            if draw(st.booleans()):
                f[key] = draw(odd_text(30))
        if draw(st.booleans()):
            f["cover"], f["cover_alt"] = _picture(draw, site, doc), draw(st.sampled_from(ALT_SAFE))
        if topics and draw(st.booleans()):
            f["topics"] = [draw(st.sampled_from([t["key"] for t in topics]))]
    elif doc.kind == "entry":
        f["title"] = title(64)
        f["author"] = draw(st.sampled_from(PEOPLE))
        if draw(st.booleans()):
            f["unit"] = draw(odd_text(20))
        if draw(st.booleans()):
            f["award"] = draw(st.one_of(st.sampled_from(AWARDS), odd_text(10)))
    if at is not None:
        f["date"] = draw(written_date(at))
    f["status"] = {"public": "published", "embargoed": "published", "unreviewed": "published",
                   "draft": "draft", "review": "review"}[doc.state]
    if doc.state != "draft" or draw(st.booleans()):
        f["review"] = _review(draw, doc, at)
    if doc.state == "unreviewed":
        site.expected.add((doc.path, "review-missing"))
    doc.fields = f


# -- bodies -------------------------------------------------------------------------------------------

def _inline(draw) -> str:
    """A line of odd text that Markdown reads as text (no block syntax at its start)."""
    return "文" + draw(odd_text(40)).replace("\n", " ")


@st.composite
def _link(draw, site: Site, doc: Doc) -> str:
    """A link to another generated item by content path or site URL; expected findings recorded."""
    public = (doc.kind, doc.key) in site.public
    fine = [t for t in site.docs if t.url and ((t.kind, t.key) in site.public or not public)]
    if not site.flawed and not fine:
        return "[外链](https://example.com/a?b=1&c=2)"
    target = draw(st.sampled_from(site.docs if site.flawed else fine))
    shown = (target.kind, target.key) in site.public
    forms = ["path"]
    if target.url:
        forms += ["url", "absolute"]
    if target.path.endswith("/index.md"):
        forms.append("folder")
    form = draw(st.sampled_from(forms))
    written = {"path": _rel(doc.path, target.path), "url": "/" + target.url, "absolute": SITE_URL + target.url,
               "folder": _rel(doc.path, posixpath.dirname(target.path)) + "/"}[form]
    written += draw(st.sampled_from(["", "", "#zhang", "?from=fuzz"]))
    # A public item may only point at what is public; whatever points at a kind without pages is told so.
    if public and not shown:
        site.expected.add((doc.path, "link-hidden"))
    elif not target.url:
        site.expected.add((doc.path, "link-no-page"))
    text = draw(st.sampled_from(["链接", "看这里", "Zoë", "🔧", "&amp;"]))
    return f"[{text}]({written.replace(' ', '%20').replace('(', '%28').replace(')', '%29')})"


@st.composite
def _block(draw, site: Site, doc: Doc) -> str:
    kind = draw(st.sampled_from(["para", "para", "link", "list", "table", "image", "html", "code", "footnote",
                                 "heading", "quote", "script", "template"]))
    if kind == "para":
        return _inline(draw)
    if kind == "link":
        return f"{_inline(draw)} {draw(_link(site, doc))} {_inline(draw)}"
    if kind == "list":
        lines, depth = [], 0
        for _ in range(draw(st.integers(1, 6))):
            depth = draw(st.integers(0, min(depth + 1, 3)))
            marker = draw(st.sampled_from(["-", "*", "1."]))
            lines.append("    " * depth + f"{marker} {_inline(draw)}")
        return "\n".join(lines)
    if kind == "table":
        cells = lambda: " | ".join(_inline(draw).replace("|", "\\|") for _ in range(2))  # noqa: E731
        rows = [cells() for _ in range(draw(st.integers(1, 3)))]
        return "| " + cells() + " |\n|---|:-:|\n" + "\n".join(f"| {row} |" for row in rows)
    if kind == "image":
        src = _picture(draw, site, doc).replace(" ", "%20").replace("#", "%23")
        alt = draw(st.sampled_from(ALT_SAFE))
        if draw(st.booleans()):
            return f'<img src="{src}" alt="{alt.replace(chr(34), "&quot;")}">'
        return f"![{alt}]({src})"
    if kind == "html":
        return draw(st.sampled_from([
            "<b>粗</b>与<i>斜</i>与<span class=\"note\" title=\"&quot;引&quot;\">注</span>",
            "<div markdown=\"1\">\n\n**在 HTML 里的 Markdown**\n\n</div>",
            "<details><summary>展开</summary>\n\n内容 &amp; 更多\n\n</details>",
            "<table><tr><td colspan=\"2\">合并</td></tr></table>",
            "<p>段落<br>换行 &lt;不是标签&gt;</p>"]))
    if kind == "code":
        return "```python\n" + "{{ site_name }} {% if x %} <b>不是标签</b>\n" + "[x](../nowhere.md)\n```"
    if kind == "footnote":
        return f"脚注在此[^n1]。\n\n[^n1]: {_inline(draw)}"
    if kind == "heading":
        return "## " + _inline(draw)
    if kind == "quote":
        return "> " + _inline(draw) + "\n>\n> > " + _inline(draw)
    if kind == "script":  # removed by the sanitiser (a warning), never in any output
        return draw(st.sampled_from([f"<script>{SCRIPT_MARK}()</script>", f"<b onclick=\"{SCRIPT_MARK}()\">点</b>",
                                     f"<a href=\"javascript:{SCRIPT_MARK}()\">链</a>",
                                     f"<style>.{SCRIPT_MARK}{{color:red}}</style>"]))
    return draw(st.sampled_from(["{{ 7*7 }} 与 {% raw %} 原样显示", "{# 注释 #} 原样", "${x} 与 `{{ y }}`"]))


@st.composite
def body(draw, site: Site, doc: Doc) -> str:
    blocks = draw(st.lists(_block(site, doc), max_size=6))
    if doc.marker:
        blocks.insert(draw(st.integers(0, len(blocks))), f"只在未公开内容里的记号 {doc.marker}。")
    return "\n\n".join(blocks)


# -- malformed share ----------------------------------------------------------------------------------

@st.composite
def mutate(draw, site: Site) -> None:
    """Break one file in one way; record the finding it must raise when the break is certain."""
    doc = draw(st.sampled_from(site.docs))
    text = doc.text()
    # A broken file may no longer be read at all, and links to it then miss instead of hiding: only
    # the break's own finding is still certain.
    site.expected.clear()
    how = draw(st.sampled_from(["unclosed", "title-list", "bad-date", "gbk", "truncate", "control-body",
                                "dangling-column", "unknown-key", "duplicate-key", "columns-not-a-list", "nul",
                                "conflict", "bytes", "tab", "crlf-bom"]))
    site.broken = how
    certain = True
    if how == "unclosed":
        text = text.replace("\n---\n", "\n", 1)
    elif how == "title-list":
        key = "name" if doc.kind == "model" else "title"
        doc.fields[key] = ["甲", "乙"]
        text = doc.text()
    elif how == "bad-date":
        doc.fields["date"] = Raw("2026-02-30")
        text = doc.text()
    elif how == "gbk":
        data = text.encode("gb18030", "replace")
        try:
            data.decode("utf-8")
            certain = False
        except UnicodeDecodeError:
            pass
        site.texts[doc.path] = data
        text = None
    elif how == "truncate":
        text = text[:draw(st.integers(0, len(text)))]
        certain = False
    elif how == "control-body":  # a pasted Word page break, an ESC
        control = draw(st.sampled_from(["\x0c", "\x1b", "\x0b", "\x85", "\x7f"]))
        text += f"\n分页{control}符\n"
        certain = False
    elif how == "dangling-column" and doc.kind == "story":
        doc.fields["column"] = "no-such-column"
        text = doc.text()
    elif how == "unknown-key":
        doc.fields["colum"] = "x"
        text = doc.text()
        certain = False  # a warning
    elif how == "duplicate-key":
        text = text.replace("\nstatus:", "\nstatus: draft\nstatus:", 1)
    elif how == "columns-not-a-list":
        site.texts["columns.yml"] = "key: lao-dong\nname: 劳动\n".encode()
        site.expected.add(("columns.yml", "not-a-list"))
        return
    elif how == "nul":
        text = text.replace("\n\n", "\n\n\x00", 1)
    elif how == "conflict":
        text = text.replace("\n\n", "\n\n<<<<<<< HEAD\n", 1)
    elif how == "bytes":
        site.texts[doc.path] = text.encode() + draw(st.binary(min_size=1, max_size=40))
        text = None
        certain = False
    elif how == "tab":
        text = text.replace("\n  ", "\n\t", 1)
        certain = False
    elif how == "crlf-bom":  # valid: Windows line ends and a byte-order mark
        site.texts[doc.path] = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()
        return
    else:
        certain = False
    if text is not None:
        site.texts[doc.path] = text.encode("utf-8")
    if certain:
        site.expected.add((doc.path, "*"))  # some error in this file


# -- writing and building -----------------------------------------------------------------------------

def write(site: Site, content: Path, pictures: Path) -> None:
    content.mkdir(parents=True)
    for name, rows in site.lists.items():
        target = content / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if name == "synonyms.yml":
            text = "".join(f"- [{', '.join(quoted(w) for w in row)}]\n" for row in rows)
        else:
            text = "".join("- " + dump(row, "  ").lstrip() + "\n" for row in rows)
        target.write_text(text, encoding="utf-8")
    for name, picture in site.images.items():
        target = content / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(pictures / picture, target)
    for doc in site.docs:
        target = content / doc.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(doc.text(), encoding="utf-8")
    for name, data in site.texts.items():
        (content / name).write_bytes(data)


@dataclass
class Outcome:
    lines: list[str]  # formatted findings
    errors: int
    build: object  # engine.Build
    rendered: object  # pages.Rendered
    site_dir: Path
    written: list[str] = field(default_factory=list)  # what the outputs wrote
    leaks: list = field(default_factory=list)  # the audit's findings


@contextlib.contextmanager
def _lighter(search: bool):
    """Two costs of a build that do not depend on the content, cut for examples of a few items: the
    Jinja templates are compiled once for the session instead of once per build (the same
    environment every build makes), and Pagefind, a Node program, runs only when `search` says."""
    from unionpress import outputs, pages

    made, writers = getattr(pages, "environment", None), outputs.OUTPUTS
    if made is not None:  # where the Renderer looks it up; without it, builds are only slower
        pages.environment = _environment(made)
    if not search:
        outputs.OUTPUTS = {name: write for name, write in writers.items() if name != "search"}
    try:
        yield
    finally:
        outputs.OUTPUTS = writers
        if made is not None:
            pages.environment = made


_ENVIRONMENTS: dict = {}


def _environment(made):
    def cached():
        if made not in _ENVIRONMENTS:
            _ENVIRONMENTS[made] = made()
        return _ENVIRONMENTS[made]
    return cached


def build(site: Site, root: Path, cache: Path, outputs_too: bool = True) -> Outcome:
    """The engine as hooks/build.py runs it, in-process, on the site written to root/content."""
    return build_content(root, cache, site_name=site.site_name, options=site.settings, search=site.search,
                         outputs_too=outputs_too)


def build_content(root: Path, cache: Path, *, site_name: str = "测试工会", options: dict | None = None,
                  search: bool = True, outputs_too: bool = True) -> Outcome:
    """Check and render root/content; with no errors, write the pages and their files, run every
    output and the audit over the folder (root/site)."""
    with _lighter(search):
        return _build(root, cache, site_name, options or {}, outputs_too)


def _build(root: Path, cache: Path, site_name: str, options: dict, outputs_too: bool) -> Outcome:
    from unionpress import audit, config, engine, outputs
    from unionpress.findings import Findings

    content = root / "content"
    findings = Findings()
    extensions = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["markdown_extensions"]
    mapping = {"site_name": site_name, "site_url": SITE_URL, "site_description": "描述 <b>&</b>",
               "extra": {"unionpress": options}, "markdown_extensions": extensions}
    settings = config.from_mapping(root, mapping, findings, environ={
        "UNIONPRESS_CONTENT": str(content), "UNIONPRESS_NOW": NOW, "UNIONPRESS_CACHE": str(cache)})
    made = engine.prepare(settings, findings)
    rendered = made.render()
    site_dir = root / "site"
    outcome = Outcome([f.format() for f in findings.sorted()], len(findings.errors), made, rendered, site_dir)
    if outcome.errors or not outputs_too:
        return outcome
    for page, html in rendered.files:
        target = site_dir / page.output
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
    for output, path in rendered.assets.items():
        target = site_dir / output
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    outcome.written = outputs.run(made, site_dir)
    outcome.leaks = audit.audit(site_dir, audit.secrets(made))
    return outcome


LOCATED = re.compile(r"^(?P<path>.+?):(?P<line>[1-9][0-9]*)(?::(?P<col>[1-9][0-9]*))?: \[(?P<code>[a-z0-9-]+)\] ")
_DATA_URI = re.compile(rb"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+")


def text_outputs(site_dir: Path):
    """(site path, bytes) of every output a reader or a machine reads as text: gzip opened, embedded
    pictures (data: URIs) left out, Pagefind's zero-width word breaks removed."""
    import gzip

    for path in sorted(p for p in site_dir.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        elif path.suffix.lower() in {".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif", ".wasm"}:
            continue
        yield path.relative_to(site_dir).as_posix(), _DATA_URI.sub(b"data:", data).replace("\u200b".encode(), b"")


__all__ = ["sites", "build", "build_content", "write", "make_images", "Site", "Doc", "LOCATED", "text_outputs", "MARK",
           "SCRIPT_MARK"]
