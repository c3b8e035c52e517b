"""Validate: raw items → typed domain objects + findings.

Each kind has one `_read_<kind>` function that reads its fields through a `Fields` reader. The
reader converts and checks a value, records a finding with the exact line when it is wrong, and
remembers which keys were read so that anything else (a typo such as `colum:`) is warned about.
A wrong field never stops the rest of the file, or the rest of the site, from being checked.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path
from typing import Callable

from .config import Settings
from .findings import Findings
from .frontmatter import BadDate, Map, Seq
from .items import (Book, Column, Contest, Entry, Exemption, Exhibition, Honor, HonorAward, Image, Item,
                    ModelWorker, Review, Share, Shelf, Signature, Story, Topic, Work)
from .load import SLUG_RE, RawContent, RawItem, RawList

STATUSES = ("draft", "review", "published")
HONOR_LEVELS = ("国家级", "省部级", "市级", "县级", "企业级")
CADENCE_PERIODS = ("week", "month", "quarter", "year")
_DATE_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d", "%Y/%m/%d %H:%M", "%Y年%m月%d日", "%Y.%m.%d")


def _describe_value(value: object) -> str:
    if isinstance(value, (Map, dict)):
        return "映射（字段: 值）"
    if isinstance(value, (Seq, list)):
        return "列表"
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "空值"
    text = str(value)
    return f"「{text[:30]}」"


class Fields:
    """Reads one mapping of front matter, field by field, with line-exact findings."""

    def __init__(self, data: Map, source: str, findings: Findings, settings: Settings, prefix: str = "",
                 folder: Path | None = None):
        self.data = data
        self.source = source
        self.findings = findings
        self.settings = settings
        self.prefix = prefix
        self.folder = folder
        self.read: set[str] = set()

    # -- plumbing ---------------------------------------------------------------------------
    def line(self, key: str) -> int:
        return getattr(self.data, "lines", {}).get(key, getattr(self.data, "line", 1))

    def name(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def report(self, key: str, code: str, **fields: object) -> None:
        self.findings.add(self.source, self.line(key), code, field=self.name(key), **fields)

    def _get(self, key: str, required: bool):
        self.read.add(key)
        value = self.data.get(key)
        if value is None or value == "" or value == []:
            if required:
                self.findings.add(self.source, self.line(key) if key in self.data else getattr(self.data, "line", 1),
                                  "field-missing", field=self.name(key))
            return None
        return value

    def finish(self, also_known: tuple[str, ...] = ()) -> None:
        """Warn about keys nobody read: typos must not pass silently."""
        known = self.read | set(also_known)
        for key in self.data:
            if key in known:
                continue
            close = difflib.get_close_matches(str(key), sorted(known), n=1, cutoff=0.6)
            hint = f"。是否想写「{close[0]}」？" if close else ""
            self.findings.add(self.source, self.line(key), "unknown-key", field=self.name(key), hint=hint)

    # -- scalar kinds -------------------------------------------------------------------------
    def text(self, key: str, required: bool = False, max_len: int | None = None,
             choices: list[str] | tuple[str, ...] | None = None) -> str:
        value = self._get(key, required)
        if value is None:
            return ""
        if isinstance(value, (Map, Seq, bool, BadDate)):
            self.report(key, "field-type", expected="文字", got=_describe_value(value))
            return ""
        text = value.isoformat() if isinstance(value, dt.date) else str(value)
        text = text.strip()
        if max_len is not None and len(text) > max_len:
            self.report(key, "too-long", length=len(text), limit=max_len)
        if choices and text not in choices:
            self.report(key, "field-choice", value=text, choices="、".join(choices))
        return text

    def texts(self, key: str, required: bool = False) -> list[str]:
        value = self._get(key, required)
        if value is None:
            return []
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, list) or any(isinstance(v, (Map, Seq, bool)) or v is None for v in value):
            self.report(key, "field-type", expected="文字列表", got=_describe_value(value))
            return []
        return [str(v).strip() for v in value if str(v).strip()]

    def integer(self, key: str, required: bool = False, low: int | None = None, high: int | None = None) -> int | None:
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if not isinstance(value, int) or isinstance(value, bool):
            self.report(key, "field-type", expected="整数", got=_describe_value(value))
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            self.report(key, "field-range", value=value, rule=f"{low} 到 {high}")
            return None
        return value

    def when(self, key: str, required: bool = False) -> dt.datetime | None:
        """A date or datetime, in the union's time zone (a bare date means 00:00 that day)."""
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, str):
            for fmt in _DATE_FORMATS:
                try:
                    value = dt.datetime.strptime(value.strip(), fmt)
                    break
                except ValueError:
                    continue
        if isinstance(value, dt.datetime):
            return value if value.tzinfo else value.replace(tzinfo=self.settings.timezone)
        if isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day, tzinfo=self.settings.timezone)
        if isinstance(value, (BadDate, str, int, float)) and not isinstance(value, bool):
            self.report(key, "date-invalid", value=str(value))
        else:
            self.report(key, "field-type", expected="日期", got=_describe_value(value))
        return None

    def day(self, key: str, required: bool = False) -> dt.date | None:
        value = self.when(key, required)
        return value.date() if value else None

    # -- structure ------------------------------------------------------------------------------
    def mapping(self, key: str, required: bool = False) -> "Fields | None":
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, Map):
            self.report(key, "field-type", expected="映射（字段: 值）", got=_describe_value(value))
            return None
        return Fields(value, self.source, self.findings, self.settings, f"{self.name(key)}.", self.folder)

    def rows(self, key: str, required: bool = False) -> list["Fields"]:
        value = self._get(key, required)
        if value is None:
            return []
        if not isinstance(value, Seq):
            self.report(key, "field-type", expected="列表（每项以 - 开头）", got=_describe_value(value))
            return []
        result = []
        for index, row in enumerate(value):
            name = f"{self.name(key)}[{index + 1}]"
            if not isinstance(row, Map):
                self.findings.add(self.source, value.lines[index], "field-type", field=name,
                                  expected="映射（字段: 值）", got=_describe_value(row))
                continue
            result.append(Fields(row, self.source, self.findings, self.settings, f"{name}.", self.folder))
        return result

    def image(self, key: str, alt_key: str | None, default_alt: str = "", required: bool = False) -> Image | None:
        src = self.text(key, required)
        alt = self.text(alt_key) if alt_key else ""
        if not src:
            return None
        alt = alt or default_alt
        if not alt:
            self.report(key, "image-alt-missing", src=src, fix=f"请加字段 {self.prefix}{alt_key}: 写明图片内容")
        return resolve_image(src, alt, self.line(key), self.folder, self.settings, self.findings, self.source)

    def focus(self, key: str) -> tuple[float, float] | None:
        value = self._get(key, False)
        if value is None:
            return None
        ok = (isinstance(value, list) and len(value) == 2
              and all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1 for v in value))
        if not ok:
            self.report(key, "field-type", expected="两个 0 到 1 之间的数，如 [0.5, 0.3]", got=_describe_value(value))
            return None
        return (float(value[0]), float(value[1]))


def resolve_image(src: str, alt: str, line: int, folder: Path | None, settings: Settings, findings: Findings,
                  source: str) -> Image:
    """Resolve an image path against the item's folder; it must be a file inside the content folder."""
    content = settings.content_dir.resolve()
    path = None
    if folder is not None and not re.match(r"^[a-z]+:", src):
        candidate = ((content / src.lstrip("/")) if src.startswith("/") else (folder / src)).resolve()
        if candidate.is_file() and content in candidate.parents:
            path = candidate
    if path is None:
        findings.add(source, line, "image-missing", src=src)
        return Image(src, None, alt, line)
    return Image(src, path, alt, line, output="media/" + path.relative_to(content).as_posix())


_MD_IMAGE = re.compile(r"!\[([^\]\n]*)\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^\"'\n]*[\"'])?\s*\)")
_HTML_IMAGE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""\b(src|alt)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def body_images(raw: RawItem, settings: Settings, findings: Findings) -> list[Image]:
    """Images in the body (Markdown and HTML); each needs a file and alt text."""
    images = []
    for offset, text in enumerate(raw.body.split("\n")):
        line = raw.body_line + offset
        found = [(m.group(2), m.group(1).strip()) for m in _MD_IMAGE.finditer(text)]
        for tag in _HTML_IMAGE.findall(text):
            attrs = {m.group(1).lower(): (m.group(2) if m.group(2) is not None else m.group(3)) for m in _ATTR.finditer(tag)}
            found.append((attrs.get("src", ""), (attrs.get("alt") or "").strip()))
        for src, alt in found:
            if not src or re.match(r"^(?:https?:|data:|//)", src):
                continue
            if not alt:
                findings.add(raw.source, line, "image-alt-missing", src=src, fix="请在 ![] 的方括号中写明图片内容")
            images.append(resolve_image(src, alt, line, raw.folder, settings, findings, raw.source))
    return images


# -- shared fields of every item --------------------------------------------------------------------

def _read_signature(f: Fields | None) -> Signature | None:
    if f is None:
        return None
    by = f.text("by", required=True)
    when = f.day("date", required=True)
    f.finish()
    return Signature(by, when) if by and when else None


def _read_common(item: Item, f: Fields, date_required: bool) -> None:
    item.status = f.text("status", choices=STATUSES) or "draft"
    if item.status not in STATUSES:
        item.status = "draft"  # an unknown status never publishes
    item.date = f.when("date", required=date_required)
    review = f.mapping("review")
    if review is not None:
        item.review = Review(*(_read_signature(review.mapping(level)) for level, _name in Review.LEVELS))
        review.finish()
    for row in f.rows("allow"):
        rule, why = row.text("rule", required=True), row.text("why", required=True)
        row.finish()
        if rule and why:
            item.allow.append(Exemption(rule, why))


def _check_review(item: Item, settings: Settings, findings: Findings) -> None:
    names: dict[str, list[str]] = {}
    for level, signature in item.review.signed():
        names.setdefault(signature.by, []).append(level)
    for name, levels in names.items():
        if len(levels) > 1:
            findings.add(item.source, item.line_of("review"), "review-same-person", name=name, levels="、".join(levels))
    if settings.review_required and item.status == "published" and item.review.missing():
        findings.add(item.source, item.line_of("review") if "review" in item.lines else item.line_of("status"),
                     "review-missing", levels="、".join(item.review.missing()))


def _base(cls: type, raw: RawItem) -> Item:
    return cls(kind=raw.kind, slug=raw.slug, source=raw.source, path=raw.path, lines=dict(raw.meta.lines),
               body=raw.body, body_line=raw.body_line)


# -- one reader per kind ------------------------------------------------------------------------------

def _read_story(raw: RawItem, f: Fields, settings: Settings) -> Story:
    story: Story = _base(Story, raw)  # type: ignore[assignment]
    _read_common(story, f, date_required=True)
    story.title = f.text("title", required=True, max_len=64)
    story.column_key = f.text("column", required=True)
    story.genre = f.text("genre", choices=settings.genres)
    story.summary = f.text("summary", max_len=120)
    story.authors = f.texts("authors")
    story.origin = f.text("source")
    story.editor = f.text("editor")
    story.cover = f.image("cover", "cover_alt")
    story.cover_focus = f.focus("cover_focus")
    story.tags = f.texts("tags")
    story.topic_keys = f.texts("topics")
    story.model_slugs = f.texts("models")
    wechat = f.mapping("wechat")
    if wechat is not None:
        story.wechat = {"title": wechat.text("title", max_len=32), "digest": wechat.text("digest", max_len=128),
                        "author": wechat.text("author", max_len=16)}
        wechat.finish()
    return story


def _read_model(raw: RawItem, f: Fields, settings: Settings) -> ModelWorker:
    model: ModelWorker = _base(ModelWorker, raw)  # type: ignore[assignment]
    _read_common(model, f, date_required=False)
    model.name = f.text("name", required=True, max_len=32)
    model.photo = f.image("photo", "photo_alt", default_alt=f"{model.name}的肖像" if model.name else "", required=True)
    model.employer = f.text("employer", required=True)
    model.position = f.text("position")
    model.industry = f.text("industry", choices=settings.industries or None)
    model.region = f.text("region")
    model.gender = f.text("gender")
    model.ethnicity = f.text("ethnicity")
    model.quote = f.text("quote", max_len=200)
    model.topic_keys = f.texts("topics")
    next_year = settings.now.year + 1
    for row in f.rows("honors", required=True):
        key = row.text("honor", required=True)
        year = row.integer("year", required=True, low=1949, high=next_year)
        row.finish()
        if key and year:
            model.honors.append(HonorAward(key, year, row.data.line))
    model.consent = _read_signature(f.mapping("consent"))
    if model.status == "published" and model.consent is None:
        f.findings.add(raw.source, f.line("consent") if "consent" in raw.meta else f.line("status"), "consent-missing")
    return model


def _read_exhibition(raw: RawItem, f: Fields, settings: Settings) -> Exhibition:
    show: Exhibition = _base(Exhibition, raw)  # type: ignore[assignment]
    _read_common(show, f, date_required=False)
    show.title = f.text("title", required=True, max_len=64)
    show.opens = f.day("opens", required=True)
    show.closes = f.day("closes")
    show.exhibition_kind = f.text("kind")
    show.organizer = f.text("organizer")
    show.summary = f.text("summary", max_len=120)
    show.cover = f.image("cover", "cover_alt")
    show.topic_keys = f.texts("topics")
    for row in f.rows("works", required=True):
        title, author = row.text("title", required=True), row.text("author", required=True)
        image = row.image("image", "alt", default_alt=f"{title}（{author}）" if title and author else "", required=True)
        work = Work(title, author, image, unit=row.text("unit"), medium=row.text("medium"), size=row.text("size"),
                    year=row.integer("year", low=1900, high=settings.now.year + 1), award=row.text("award"),
                    description=row.text("description", max_len=500), line=row.data.line)
        row.finish()
        show.works.append(work)
    if show.opens and show.closes and show.closes < show.opens:
        f.report("closes", "field-range", value=show.closes.isoformat(), rule="不得早于开幕日期")
    return show


def isbn_problem(value: str) -> str | None:
    digits = value.replace("-", "").replace(" ", "")
    if not re.fullmatch(r"\d{13}", digits):
        return "应为 13 位数字（ISBN-13，可含连字符）"
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits[:12]))
    if (10 - total % 10) % 10 != int(digits[12]):
        return "校验位不对，请核对书上的条码号"
    return None


def _read_book(raw: RawItem, f: Fields, settings: Settings) -> Book:
    book: Book = _base(Book, raw)  # type: ignore[assignment]
    _read_common(book, f, date_required=False)
    book.title = f.text("title", required=True, max_len=64)
    book.author = f.text("author", required=True)
    book.publisher = f.text("publisher")
    book.year = f.integer("year", low=1900, high=settings.now.year + 1)
    book.isbn = f.text("isbn")
    if book.isbn and (problem := isbn_problem(book.isbn)):
        f.report("isbn", "isbn-invalid", value=book.isbn, reason=problem)
    book.cover = f.image("cover", "cover_alt", default_alt=f"《{book.title}》封面" if book.title else "")
    book.shelf_key = f.text("shelf", required=True)
    book.summary = f.text("summary", max_len=120)
    return book


def _read_share(raw: RawItem, f: Fields, settings: Settings) -> Share:
    share: Share = _base(Share, raw)  # type: ignore[assignment]
    _read_common(share, f, date_required=True)
    share.title = f.text("title", required=True, max_len=64)
    share.book_slug = f.text("book", required=True)
    share.author = f.text("author", required=True)
    share.unit = f.text("unit")
    return share


def _read_contest(raw: RawItem, f: Fields, settings: Settings) -> Contest:
    contest: Contest = _base(Contest, raw)  # type: ignore[assignment]
    _read_common(contest, f, date_required=False)
    contest.title = f.text("title", required=True, max_len=64)
    contest.theme = f.text("theme")
    contest.opens = f.day("opens", required=True)
    contest.closes = f.day("closes")
    contest.organizer = f.text("organizer")
    return contest


def _read_entry(raw: RawItem, f: Fields, settings: Settings) -> Entry:
    entry: Entry = _base(Entry, raw)  # type: ignore[assignment]
    _read_common(entry, f, date_required=True)
    entry.title = f.text("title", required=True, max_len=64)
    entry.author = f.text("author", required=True)
    entry.unit = f.text("unit")
    entry.award = f.text("award")
    entry.contest_slug = raw.parent
    return entry


READERS: dict[str, Callable[[RawItem, Fields, Settings], Item]] = {
    "story": _read_story, "model": _read_model, "exhibition": _read_exhibition, "book": _read_book,
    "share": _read_share, "contest": _read_contest, "entry": _read_entry,
}


# -- list files: columns, topics, honors, shelves -------------------------------------------------------

def _read_rows(raw: RawList, settings: Settings, findings: Findings, read: Callable[[Fields], object]) -> list:
    result, seen = [], {}
    for index, row in enumerate(raw.rows):
        line = raw.rows.lines[index]
        if not isinstance(row, Map):
            findings.add(raw.source, line, "field-type", field=f"[{index + 1}]", expected="映射（字段: 值）",
                         got=_describe_value(row))
            continue
        f = Fields(row, raw.source, findings, settings, folder=raw.path.parent)
        key = f.text("key", required=True)
        if key and not SLUG_RE.match(key):
            f.report("key", "slug-invalid", slug=key)
        obj = read(f)
        f.finish()
        if not key or obj is None:
            continue
        if key in seen:
            findings.add(raw.source, f.line("key"), "duplicate-key", what="", key=key, other=seen[key])
            continue
        seen[key] = f.line("key")
        obj.key, obj.line = key, f.line("key")
        result.append(obj)
    return result


def _column(f: Fields) -> Column:
    column = Column("", f.text("name", required=True), f.text("description"))
    cadence = f.mapping("cadence")
    if cadence is not None:
        per = cadence.text("per", required=True, choices=CADENCE_PERIODS)
        count = cadence.integer("count", required=True, low=1, high=100)
        cadence.finish()
        column.cadence = {"per": per, "count": count} if per and count else None
    return column


def _topic(f: Fields) -> Topic:
    topic = Topic("", f.text("name", required=True), f.text("summary", max_len=120))
    topic.cover = f.image("cover", "cover_alt")
    featured = f.mapping("featured")
    if featured is not None:
        topic.featured_from = featured.day("from", required=True)
        topic.featured_to = featured.day("to", required=True)
        featured.finish()
    return topic


def _honor(f: Fields) -> Honor:
    return Honor("", f.text("name", required=True), f.text("level", required=True, choices=HONOR_LEVELS),
                 f.integer("rank", low=0, high=10000) or 0, f.integer("target", low=0, high=100000))


def _shelf(f: Fields) -> Shelf:
    return Shelf("", f.text("name", required=True), f.text("description"))


# list kind → (reader, attribute of Validated)
LIST_READERS = {"column": (_column, "columns"), "topic": (_topic, "topics"), "honor": (_honor, "honors"),
                "shelf": (_shelf, "shelves")}


class Validated:
    """Typed content, before references are linked."""

    def __init__(self) -> None:
        self.items: list[Item] = []
        self.columns: list[Column] = []
        self.topics: list[Topic] = []
        self.honors: list[Honor] = []
        self.shelves: list[Shelf] = []


def validate(raw: RawContent, settings: Settings, findings: Findings) -> Validated:
    result = Validated()
    for kind, (reader, attribute) in LIST_READERS.items():
        if kind in raw.lists:
            setattr(result, attribute, _read_rows(raw.lists[kind], settings, findings, reader))
    for item_raw in raw.items:
        f = Fields(item_raw.meta, item_raw.source, findings, settings, folder=item_raw.folder)
        item = READERS[item_raw.kind](item_raw, f, settings)
        f.finish(also_known=("cover_alt", "photo_alt"))
        item.images = [img for img in (getattr(item, "cover", None), getattr(item, "photo", None)) if img]
        item.images += [w.image for w in getattr(item, "works", []) if w.image]
        item.images += body_images(item_raw, settings, findings)
        _check_review(item, settings, findings)
        result.items.append(item)
    return result
