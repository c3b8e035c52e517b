"""Validate: shared field readers, the fields every item shares, and findings with exact lines.

Each kind's module (kinds/) reads its own fields through a `Fields` reader. The reader converts and
checks a value, records a finding with the exact line when it is wrong, and remembers which keys
were read so that anything else (a typo such as `colum:`) is warned about. A wrong field never
stops the rest of the file, or the rest of the site, from being checked.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from .alttext import is_file_name
from .chars import fold
from .config import Settings
from .findings import Findings, did_you_mean
from .frontmatter import BadDate, Map, Seq
from .isbn import compact
from .items import Exemption, Image, Review, Signature
from .sanitize import scheme_of

STATUSES = ("draft", "review", "published")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")  # file, folder and list keys: ASCII, for URLs
# Besides ISO 8601 (quoted or not, with or without seconds and offset): the forms editors type.
_DATE_FORMATS = ("%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y/%m/%d %H:%M", "%Y年%m月%d日", "%Y.%m.%d")


def to_moment(value: object, tz: ZoneInfo) -> dt.datetime | None:
    """A YAML date, datetime or date-like text as an aware datetime in the union's time zone.

    A value with an offset is converted (2026-04-30T20:00:00Z is 1 May 04:00 in Shanghai); a value
    without one is taken as the union's local time. None when the value is not a date.
    """
    if isinstance(value, str):
        text = value.strip()
        parsed = None
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            for fmt in _DATE_FORMATS:
                try:
                    parsed = dt.datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
        if parsed is None:
            return None
        value = parsed
    if isinstance(value, dt.date) and not 1900 <= value.year <= 2999:
        return None  # 0001-01-01 or 9999-12-31 is a typo, and would overflow once converted
    try:
        if isinstance(value, dt.datetime):
            return value.astimezone(tz) if value.tzinfo else value.replace(tzinfo=tz)
        if isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day, tzinfo=tz)
    except (OverflowError, ValueError):
        return None
    return None


# Invisible characters pasted from web pages and chat apps: zero-width spaces, word joiners, BOMs,
# direction marks. They make a blank title look filled in and one tag look like two.
_INVISIBLE = re.compile("[\u200b\u200c\u200e\u200f\u2060\ufeff\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """A front-matter text as a reader sees it: invisible characters out, outer whitespace (the
    full-width space U+3000 included) stripped."""
    return _INVISIBLE.sub("", text).strip()


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
            close = did_you_mean(key, known)
            hint = f"。是否想写「{close}」？" if close else ""
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
        # A number keeps the digits the editor typed (title: 3.10 is not 3.1).
        text = value.isoformat() if isinstance(value, dt.date) else getattr(value, "written", None) or str(value)
        text = visible(text)
        if not text:
            if required:
                self.report(key, "field-missing")
            return ""
        if max_len is not None and len(text) > max_len:
            self.report(key, "too-long", length=len(text), limit=max_len)
        if choices and text not in choices:
            self.report(key, "field-choice", value=text, choices="、".join(choices))
            return ""  # a value that failed its check is never used
        return text

    def texts(self, key: str, required: bool = False, max_len: int | None = None,
              same=None) -> tuple[str, ...]:
        """A list of short texts, each once; `same` says when two entries are one (5G and 5g)."""
        value = self._get(key, required)
        if value is None:
            return ()
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, list) or any(isinstance(v, (Map, Seq, bool)) or v is None for v in value):
            self.report(key, "field-type", expected="文字列表", got=_describe_value(value))
            return ()
        # Each entry once, in the order written (tags: [劳模, 劳模] is one tag).
        found = [text for text in (visible(str(getattr(v, "written", None) or v)) for v in value) if text]
        for text in found:
            if max_len is not None and len(text) > max_len:
                self.report(key, "too-long", length=len(text), limit=max_len)
                return ()
        seen: dict[object, str] = {}
        for text in found:
            seen.setdefault(same(text) if same else text, text)
        return tuple(seen.values())

    def integer(self, key: str, required: bool = False, low: int | None = None, high: int | None = None) -> int | None:
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, str):
            digits = unicodedata.normalize("NFKC", value).strip()  # full-width ２０２４ and ²⁰²⁴ → 2024
            if digits.isascii() and digits.isdigit() and len(digits) <= 18:
                value = int(digits)
        if not isinstance(value, int) or isinstance(value, bool):
            self.report(key, "field-type", expected="整数", got=_describe_value(value))
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            self.report(key, "field-range", value=value, rule=f"{low} 到 {high}")
            return None
        return value

    def when(self, key: str, required: bool = False) -> dt.datetime | None:
        """A date or datetime in the union's time zone (a bare date means 00:00 that day there)."""
        value = self._get(key, required)
        if value is None:
            return None
        moment = to_moment(value, self.settings.timezone)
        if moment is not None:
            return moment
        if isinstance(value, (BadDate, str, int, float, dt.date)) and not isinstance(value, bool):
            self.report(key, "date-invalid", value=value.isoformat() if isinstance(value, dt.date) else str(value))
        else:
            self.report(key, "field-type", expected="日期", got=_describe_value(value))
        return None

    def day(self, key: str, required: bool = False) -> dt.date | None:
        value = self.when(key, required)
        return value.date() if value else None

    def flag(self, key: str) -> bool:
        """true or false as YAML writes them; anything else (是, yes, 1) is refused, never guessed."""
        value = self._get(key, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.report(key, "field-type", expected="true 或 false", got=_describe_value(value))
            return False
        return value

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
        elif alt_key and is_file_name(alt, src):
            self.report(alt_key, "image-alt-filename", src=src, alt=alt)
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


_LOCAL_PATH = re.compile(r"^(?:[A-Za-z]:[\\/]|file:|\\\\)|\\", re.I)


def is_local_path(src: str) -> bool:
    """C:\\Users\\…\\image.png, file:///…, \\\\server\\share: a path on the editor's own computer
    (Typora, Word and WPS write these), which nobody else can open."""
    return bool(_LOCAL_PATH.search(src))


def _host(url: str) -> str:
    if "//" not in url:
        return scheme_of(url) + ":"  # data:, file: …
    try:
        return urlsplit(url).hostname or "（空）"
    except ValueError:  # https://[粘贴地址]/ is no address at all
        return "（空）"


def resolve_image(src: str, alt: str, line: int, folder: Path | None, settings: Settings, findings: Findings,
                  source: str) -> Image:
    """Resolve an image path against the item's folder; it must be a file inside the content folder.
    A leading / means the content folder itself."""
    content = settings.content_dir.resolve()
    path = None
    if is_local_path(src):
        findings.add(source, line, "link-local", src=src)
        return Image(src, None, alt, line)
    if scheme_of(src) or src.startswith("//"):
        # A picture named in front matter goes through the picture pipeline and the audit, so it must
        # be a file of ours: another site's address would be fetched by every reader from that site.
        findings.add(source, line, "image-remote", src=src, host=_host(src))
        return Image(src, None, alt, line)
    if folder is not None:
        try:
            candidate = ((content / src.lstrip("/")) if src.startswith("/") else (folder / src)).resolve()
            if candidate.is_file() and content in candidate.parents:
                path = candidate
        except (OSError, ValueError):  # a name too long for the file system, a NUL byte …
            path = None
    if path is None:
        findings.add(source, line, "image-missing", src=src)
        return Image(src, None, alt, line)
    return Image(src, path, alt, line, output="media/" + path.relative_to(content).as_posix())


# -- shared fields of every item --------------------------------------------------------------------

def read_signature(f: Fields | None) -> Signature | None:
    if f is None:
        return None
    by = f.text("by", required=True)
    when = f.day("date", required=True)
    f.finish()
    return Signature(by, when) if by and when else None


def read_common(f: Fields, date_required: bool) -> dict:
    """status, date, review and allow: the fields the gate and the checks read on every item."""
    status = f.text("status", choices=STATUSES) or "draft"
    if status not in STATUSES:
        status = "draft"  # an unknown status never publishes
    common = {"status": status, "date": f.when("date", required=date_required)}
    review = f.mapping("review")
    if review is not None:
        common["review"] = Review(*(read_signature(review.mapping(level)) for level, _name in Review.LEVELS))
        review.finish()
    allow = []
    for row in f.rows("allow"):
        rule, why, text = row.text("rule", required=True), row.text("why", required=True), row.text("text")
        row.finish()
        if rule and why:
            allow.append(Exemption(rule, why, text or "", row.line("rule")))
    common["allow"] = tuple(allow)
    return common


def person(name: str) -> str:
    """A name as compared: the engine's one identity (chars.fold: full-width forms, case, invisible
    format characters) and no whitespace of any kind, so 「周 晓燕」「周　晓燕」「周晓燕 」 are one person."""
    return fold(name).replace(" ", "")


def check_review(item, settings: Settings, findings: Findings) -> None:
    # `unionpress serve` keeps these findings per item while its file, the date and `scheduled` below
    # stay the same (catalog.read_catalog): read the clock through those two only.
    names: dict[str, list[str]] = {}
    shown: dict[str, str] = {}
    for level, signature in item.review.signed():
        names.setdefault(person(signature.by), []).append(level)
        shown.setdefault(person(signature.by), signature.by.strip())
    for name, levels in names.items():
        if len(levels) > 1:
            findings.add(item.source, item.line_of("review"), "review-same-person", name=shown[name],
                         levels="、".join(levels))
    # A review signed after the publication time was not a review before publication.
    if item.date is not None:
        for level, signature in item.review.signed():
            if signature.date > item.date.date():
                findings.add(item.source, item.line_of("review"), "review-late", level=level,
                             date=signature.date.isoformat(), published=f"{item.date:%Y-%m-%d %H:%M}")
    # A signature after today is judged only on an item that is out now (or undated). A scheduled item
    # may be signed on its own future date: review-late already holds every signature to that date, so
    # by the time it comes out no signature lies ahead, and today's clock never fails a build over an
    # item that is not yet public (the build is all-or-nothing: it would hold back every other item).
    scheduled = item.date is not None and item.date > settings.now
    if item.status == "published" and not scheduled:
        for level, signature in item.review.signed():
            if signature.date > settings.now.date():
                findings.add(item.source, item.line_of("review"), "review-future", level=level,
                             date=signature.date.isoformat(), now=f"{settings.now:%Y-%m-%d}")
    if settings.review_required and item.status == "published" and item.review.missing():
        findings.add(item.source, item.line_of("review") if "review" in item.lines else item.line_of("status"),
                     "review-missing", levels="、".join(item.review.missing()))


def isbn_problem(value: str) -> str | None:
    digits = compact(value)
    if not re.fullmatch(r"\d{13}", digits):
        return "应为 13 位数字（ISBN-13，可含连字符）"
    if not digits.startswith(("978", "979")):  # the book-trade prefixes: any other EAN is not a book
        return "ISBN-13 以 978 或 979 开头，请核对书上的条码号"
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits[:12]))
    if (10 - total % 10) % 10 != int(digits[12]):
        return "校验位不对，请核对书上的条码号"
    return None


def read_row_gate(f: Fields) -> dict:
    """status and date of a list row (a column, topic, honor or shelf), read like an item's. The status
    defaults to published, not draft: lists were public row by row before they had a gate, and a union
    that never writes `status:` in columns.yml must keep its columns. A status that is written but
    wrong, or a date that is no date, holds the row back: a typo never publishes early."""
    def written(key: str) -> bool:  # as the readers see it: blank is not written (and not reported)
        value = f.data.get(key)
        return value not in (None, []) and not (isinstance(value, str) and not visible(value))

    status = f.text("status", choices=STATUSES)
    date = f.when("date")
    unreadable = (not status and written("status")) or (date is None and written("date"))
    return {"status": "draft" if unreadable else status or "published", "date": date, "unreadable": unreadable}


def read_rows(rows: Seq, source: str, folder: Path, settings: Settings, findings: Findings, read) -> list:
    """A list file (columns.yml …): one row object per row, each with a unique ASCII key and its gate."""
    result, seen = [], {}
    for index, row in enumerate(rows):
        line = rows.lines[index]
        if not isinstance(row, Map):
            findings.add(source, line, "field-type", field=f"[{index + 1}]", expected="映射（字段: 值）",
                         got=_describe_value(row))
            continue
        f = Fields(row, source, findings, settings, folder=folder)
        key = f.text("key", required=True)
        if key and not SLUG_RE.match(key):
            f.report("key", "slug-invalid", slug=key)
        obj = read(f, key, f.line("key"))
        if obj is not None:
            obj = replace(obj, **read_row_gate(f))  # every `key:` row is a kinds.base.Row
        f.finish()
        if not key or obj is None:
            continue
        if key in seen:
            findings.add(source, f.line("key"), "duplicate-key", what="", key=key, other=seen[key])
            continue
        seen[key] = f.line("key")
        result.append(obj)
    return result

