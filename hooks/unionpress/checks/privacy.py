"""Privacy (DESIGN §6): resident ID numbers, mainland mobile numbers and bank-card numbers in
published text. Each candidate must pass the check its issuer defines (the ID's ISO 7064 check
digit and a real birth date, the mobile network prefix, the card's Luhn digit), so dates, counts,
ISBNs and order numbers in an article do not raise false alarms.

What is read is the text a reader finally sees (checks/reading.py), not the characters as typed: a
number split by no-break or zero-width spaces, written with entities or full-width digits, wrapped
over two lines, or put in a `tel:`/`sms:` link or a query string is the same number. The front
matter and list files are read as YAML values (an escape such as "\\u0031" is a 1; a comment is
never published, so never read); a body both as typed (its links and attributes) and as rendered
(inline marks next to digits left out).

Where it looks: every published item (front matter and body); every list file (columns, topics,
honors, shelves, synonyms), row by row, except rows held back by their status; and the settings of
mkdocs.yml that are printed (the footer, partners' feed titles and descriptions, the site's name,
description and copyright). `footer.phone` may hold a mobile: it is the field for the union's own
public contact number (many grassroots unions' hotline is a mobile), written by the site's
administrator for the organisation, not a person's number caught up in a text; an ID or card number
there, or a mobile anywhere else, is still an error. Items may exempt a rule (`allow`); list rows and
settings cannot: nothing there is an article that needs to quote a number.

Written here rather than taken from a library: the rules are three short public standards
(GB 11643, the MIIT numbering plan, ISO/IEC 7812), and no maintained package checks running
Chinese text for all three with positions.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator

import yaml

from .. import frontmatter
from .reading import Places, aligned, front_matter, read

RULES = ("privacy-id", "privacy-mobile", "privacy-bank")

FIX = "若确需公开，请在头信息写 allow: [{{rule: {rule}, why: 理由}}]"
# Lists and settings have no exemptions: what to do instead.
LIST_FIX = "列表文件里的文字不能豁免，请删去或打码"
LIST_FIX_MOBILE = "列表文件里的文字不能豁免；单位对外公开的服务热线请写在 mkdocs.yml 的 extra.unionpress.footer.phone"
SETTING_FIX = "设置里的文字不能豁免，请删去或打码"
SETTING_FIX_MOBILE = "单位对外公开的服务热线请写在 footer.phone（那里可以写手机号）"

_EDGE_BEFORE = r"(?<![0-9A-Za-z])"
_EDGE_AFTER = r"(?![0-9A-Za-z])"
# One separator between the groups of a number as people write it (any space reads as a plain one).
_SEP = r"[ -]"
# A phone-like or card-like number followed by a unit is a count or an amount (产值 13800000000 元).
# Not for ID numbers, whose check digit already tells them apart; and no unit that is also a common
# surname (张, 万, 米 …), so 「13812345678张师傅」 is still a phone number.
_COUNT_AFTER = r"(?! ?[元角分人次件个吨台户名块条份本册篇位辆亩斤千亿%％])"
# 18 characters, whole or as 6-8-4 (region, birth date, sequence and check).
_ID = re.compile(_EDGE_BEFORE + rf"[1-8][0-9]{{5}}{_SEP}?(?:19|20)[0-9]{{6}}{_SEP}?[0-9]{{3}}[0-9Xx]" + _EDGE_AFTER)
# 1[3-9]x: every mainland mobile prefix; written whole, or 3-4-4 with spaces or hyphens; +86/86 ahead.
_MOBILE = re.compile(_EDGE_BEFORE + rf"(?:\+?86{_SEP}?)?(1[3-9][0-9]){_SEP}?([0-9]{{4}}){_SEP}?([0-9]{{4}})"
                     + _EDGE_AFTER + _COUNT_AFTER)
# 16 to 19 digits, whole or in groups of four (the last group may be shorter), starting as the
# cards issued in China do (3 JCB, 4 Visa, 5 Mastercard, 6 UnionPay, 9 older domestic debit cards).
_CARD = re.compile(_EDGE_BEFORE + rf"(?:[34569][0-9]{{15,18}}|[34569][0-9]{{3}}(?:{_SEP}[0-9]{{4}}){{3}}(?:{_SEP}[0-9]{{1,3}})?)"
                   + _EDGE_AFTER + _COUNT_AFTER)
_NOT_DIGIT = re.compile(r"[^0-9Xx]")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

Found = tuple[int, str, str]  # (source offset, code, masked number)


def id_number_valid(number: str, today: dt.date) -> bool:
    """GB 11643-1999: a real birth date (not after the build's today) and the ISO 7064 MOD 11-2 check digit."""
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if born > today:
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == number[17].upper()


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _masked(digits: str) -> str:
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


class _Taken:
    """Source spans already reported: a card inside an ID, or a mobile inside either, is not reported
    again. Kept disjoint and sorted, so a lookup is a bisection however many numbers a body holds."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def holds(self, offset: int) -> bool:
        index = bisect_right(self.starts, offset) - 1
        return index >= 0 and offset < self.ends[index]

    def add(self, start: int, end: int) -> None:
        index = bisect_right(self.starts, start)
        if index and self.ends[index - 1] >= start:  # overlaps the span before: one span
            index -= 1
            start, end = self.starts[index], max(end, self.ends[index])
            del self.starts[index], self.ends[index]
        while index < len(self.starts) and self.starts[index] <= end:  # swallows the spans after
            end = max(end, self.ends[index])
            del self.starts[index], self.ends[index]
        self.starts.insert(index, start)
        self.ends.insert(index, end)


# A text to read, how an offset in it maps to the source file, and whether it is Markdown/HTML.
Source = tuple[str, Callable[[int], int], bool]


_DECIMAL = re.compile(r"\d")
SHORTEST = 11  # digits in the shortest number a rule finds (a mobile number)


def _may_hold_number(text: str) -> bool:
    """Whether `text` can hold a number at all, before it is read character by character: most values
    (a title, a name, a date) have fewer digits than the shortest number and no escape that could
    stand for one, and skipping them is most of the check's time (25,000 values at 1,000 stories).
    Every digit a reading finds comes from a decimal digit of any script, or from an entity or a
    percent-escape, which `&` and `%` announce."""
    return "&" in text or "%" in text or len(_DECIMAL.findall(text)) >= SHORTEST


def _numbers(sources: list[Source], today: dt.date) -> Iterator[Found]:
    """Every ID, card and mobile number in the texts, by source offset. Markdown and HTML are read
    twice: as typed (link targets and attributes are read too) and as rendered (inline marks next to
    digits left out). A number more than one reading finds is reported once."""
    sources = [source for source in sources if _may_hold_number(source[0])]
    if not sources:
        return
    readings = [(read(text, markup=False), origin) for text, origin, _markup in sources]
    readings += [(read(text, markup=True), origin) for text, origin, markup in sources if markup]
    taken = _Taken()
    for code, pattern in (("privacy-id", _ID), ("privacy-bank", _CARD), ("privacy-mobile", _MOBILE)):
        for reading, origin in readings:
            for found in pattern.finditer(reading.text):
                start = origin(reading.origin(found.start()))
                if taken.holds(start):
                    continue
                if code == "privacy-mobile":
                    digits = found.group(1) + found.group(2) + found.group(3)
                else:
                    digits = _NOT_DIGIT.sub("", found.group())
                    valid = id_number_valid(digits, today) if code == "privacy-id" else luhn_valid(digits)
                    if not valid:
                        continue
                taken.add(start, origin(reading.origin(found.end() - 1)) + 1)
                yield start, code, _masked(digits)


def _scalars(node: yaml.Node | None) -> Iterator[yaml.ScalarNode]:
    """Every value (never a key) under a YAML node, each node once (an alias is not read twice, so an
    alias bomb costs what it is written as)."""
    stack, seen = [node], set()
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, yaml.ScalarNode):
            yield current
        elif isinstance(current, yaml.MappingNode):
            stack.extend(value for _key, value in current.value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)


def _in_yaml(node: yaml.Node | None, yaml_text: str, base: int, today: dt.date) -> Iterator[Found]:
    """The numbers in the values under `node`, by offset in the file (`base`: where yaml_text starts)."""
    for scalar in _scalars(node):
        start, end = scalar.start_mark.index, scalar.end_mark.index
        raw = yaml_text[start:end]
        if not (_may_hold_number(scalar.value) or _may_hold_number(raw)):
            continue  # what _numbers would skip, skipped before the offsets are lined up (most values)
        back = aligned(scalar.value, raw)
        # The value (escapes decoded) and the value as written: a line break YAML folds into a space
        # inside a wrapped number is read as the Markdown body reads it, as no break at all.
        at_value = lambda at, back=back, start=start: base + start + back(at)  # noqa: E731
        at_raw = lambda at, start=start: base + start + at  # noqa: E731
        yield from _numbers([(scalar.value, at_value, True), (raw, at_raw, False)], today)


def _located(places: Places, found: Iterator[Found], fix: Callable[[str], str]) -> Iterator[tuple[int, int, str, dict]]:
    for offset, code, masked in found:
        line, col = places.at(offset)
        yield line, col, code, {"masked": masked, "fix": fix(code)}


def as_read(text: str) -> str:
    """A file's text with its line breaks as the loader reads them (\\r\\n and \\r are one break)."""
    return text.replace("\r\r\n", "\n").replace("\r\n", "\n").replace("\r", "\n")


def scan(text: str, today: dt.date) -> Iterator[tuple[int, int, str, dict]]:
    """(line, column, code, message fields) of every ID, mobile or card number in an item's source
    file: its front matter's values and its body."""
    text = as_read(text)
    yaml_text, body, body_line = frontmatter.split(text)
    places = Places(text)

    def found() -> Iterator[Found]:
        if yaml_text is not None:
            yield from _in_yaml(front_matter(yaml_text), yaml_text, places.offset(2), today)
        base = places.offset(body_line) if yaml_text is not None else 0
        yield from _numbers([(body, lambda at: base + at, True)], today)

    yield from _located(places, found(), lambda code: FIX.format(rule=code))


def scan_list(text: str, today: dt.date, shown: Callable[[yaml.Node], bool]) -> Iterator[tuple[int, int, str, dict]]:
    """The numbers in a list file (columns.yml …), in the rows `shown` lets through (the published ones)."""
    text = as_read(text)
    root = front_matter(text)
    rows = root.value if isinstance(root, yaml.SequenceNode) else [root]

    def found() -> Iterator[Found]:
        for row in rows:
            if shown(row):
                yield from _in_yaml(row, text, 0, today)

    yield from _located(Places(text), found(), lambda code: LIST_FIX_MOBILE if code == "privacy-mobile" else LIST_FIX)


def scan_value(value: str, today: dt.date) -> Iterator[tuple[int, str, dict]]:
    """(offset in the value, code, message fields) of the numbers in one setting's text."""
    for offset, code, masked in _numbers([(value, lambda at: at, False)], today):
        fix = SETTING_FIX_MOBILE if code == "privacy-mobile" else SETTING_FIX
        yield offset, code, {"masked": masked, "fix": fix}
