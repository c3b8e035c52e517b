"""The text a reader finally sees, and the way back to where each character of it was written.

A check that reads the source as typed is fooled by how a number is typed: a reader sees
`138&nbsp;1234&#8203;5678`, `１３８…`, `tel:%2B86-138…` or a number wrapped over two lines of
Markdown as one plain number. `read` turns a source text into what is read, in one linear pass:

- HTML character references decoded (`&#49;`, `&#x31;`, `&nbsp;`), and percent-escapes of URLs
  (`%2B86`, `%20`): href, src and query strings are read by the phone or browser that opens them;
- format characters (category Cf: zero-width spaces and joiners, word joiner, BOM, soft hyphen,
  direction marks) and control characters left out: nobody sees them;
- every kind of space (no-break U+00A0, narrow U+202F, ideographic U+3000, tab …) one plain space,
  and a run of spaces one space, as a browser shows them;
- a line break inside a paragraph between two digits left out (a wrapped number), elsewhere a
  space; a blank line a line break (a number never runs over a paragraph);
- digits of any script (full-width １, mathematical 𝟏 …) ASCII digits, full-width letters and signs
  ASCII, dashes (‐ – — −) a hyphen;
- with `markup`, inline Markdown and HTML next to a digit left out (`138**1234**5678`,
  `138<span>1234</span>5678`, `138\\-1234`), as the rendered page shows it.

Every piece keeps the source offset it came from, so a finding points at the character an editor
has to change. Each rule is a bounded pattern: the pass stays linear on a 5 MB body.
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

import yaml

from ..chars import _format_characters

_INLINE_TAGS = ("a|abbr|b|bdi|bdo|big|br|cite|code|del|dfn|em|font|i|ins|kbd|mark|q|s|samp|small|span|strike|"
                "strong|sub|sup|time|tt|u|var|wbr")
# Inline markup a reader never sees as characters. Each alternative is bounded, so a `<` or `<!--`
# that is never closed costs a few hundred steps, not a scan to the end of the body.
_MARKUP = (r"\*{1,3}|_{1,3}|~~|`{1,3}|\\(?=[!-/:-@\[-`{-~])|\[|\]\([^()\n]{0,300}\)|\]\[[^\[\]\n]{0,100}\]|\]"
           r"|<!--[\s\S]{0,2000}?-->|</?(?:" + _INLINE_TAGS + r")(?:\s[^<>]{0,500})?/?>")
_ENTITY = r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?"
_PERCENT = r"(?:%[0-9A-Fa-f]{2})+"
# A run of spaces holding a line break; two or more spaces; one space that is not the plain one.
_SPACES = r"[^\S\n]*\n\s*|[^\S\n]{2,}|[^\S \n]"
# Full-width digits, letters, plus and hyphen (typed with a Chinese input method); dashes; digits of
# any other script. Not the full-width punctuation (，。（）), which changes nothing a number rule reads.
_WIDE_ALNUM = frozenset(chr(c) for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B),
                                          0xFF0B, 0xFF0D])
_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63")
# Characters no rule above starts with: ASCII but spaces and the marks, CJK ideographs, CJK and
# full-width punctuation. A body is nearly all of them, and the scan skips them in C; only the rest is
# tried against the rules.
_CANDIDATE = re.compile(r"[^!-$'-)+-;=>?@A-Z^a-z{|}\u00b7\u2018\u2019\u201c\u201d\u2026\u3001-\u303f"
                        r"\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff0a\uff0c\uff0e\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]")
_WIDE = "[" + re.escape("".join(sorted(_WIDE_ALNUM | _DASHES))) + r"]|(?![0-9])\d"


@lru_cache(maxsize=1)
def _hidden_class() -> str:
    """Every format (Cf) and control (Cc) character but tab, line feed and carriage return, as one
    character class. The format characters are chars.py's (one scan of the Unicode tables per
    process); the controls are the fixed C0 and C1 ranges."""
    controls = "".join(chr(c) for c in (*range(0x20), *range(0x7F, 0xA0)) if chr(c) not in "\t\n\r")
    return "[" + _format_characters().pattern[1:-1] + re.escape(controls) + "]"


def read_source(path: Path) -> str | None:
    """A content file's text as the checks read it again (only published content is scanned, so it is
    not kept from loading); None for a file the loader already reported or would not follow."""
    try:
        return None if path.is_symlink() else path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


@lru_cache(maxsize=2)
def _pattern(markup: bool) -> re.Pattern:
    parts = [rf"(?P<markup>(?<=\d)(?:{_MARKUP})+|(?:{_MARKUP})+(?=\d))"] if markup else []
    parts += [rf"(?P<entity>{_ENTITY})", rf"(?P<percent>{_PERCENT})", rf"(?P<spaces>{_SPACES})",
              rf"(?P<hidden>{_hidden_class()}+)", rf"(?P<wide>{_WIDE})"]
    return re.compile("|".join(parts))


def _char(char: str) -> str:
    """One character as read (for the characters an entity or a percent-escape stands for)."""
    if char.isascii() and char.isprintable():
        return char
    if char.isspace():
        return " "
    if unicodedata.category(char) in ("Cf", "Cc"):
        return ""
    if char in _WIDE_ALNUM:
        return chr(ord(char) - 0xFEE0)
    if char in _DASHES:
        return "-"
    decimal = unicodedata.decimal(char, None)
    return str(decimal) if decimal is not None else char


@dataclass(frozen=True)
class Reading:
    """`text` as a reader sees it; piece i starts at text offset starts[i] and came from source offset
    origins[i], character for character when exact[i] (else the whole piece points at its start)."""

    text: str
    starts: tuple[int, ...]
    origins: tuple[int, ...]
    exact: tuple[bool, ...]

    def origin(self, at: int) -> int:
        """The source offset of the character at `at` in `text`."""
        piece = bisect_right(self.starts, at) - 1
        if piece < 0:
            return 0
        return self.origins[piece] + (at - self.starts[piece] if self.exact[piece] else 0)


def read(source: str, markup: bool = False) -> Reading:
    """What a reader sees of `source` (see the module's description); `markup`: the source is Markdown
    or HTML, whose inline marks next to a digit are not characters on the page."""
    parts: list[str] = []
    starts: list[int] = []
    origins: list[int] = []
    exact: list[bool] = []
    length = 0

    def piece(text: str, origin: int, same: bool) -> None:
        nonlocal length
        if text:
            parts.append(text)
            starts.append(length)
            origins.append(origin)
            exact.append(same)
            length += len(text)

    position = 0
    pattern, candidate = _pattern(markup), _CANDIDATE
    at = 0
    while (near := candidate.search(source, at)) is not None:
        found = pattern.match(source, near.start())
        if found is None:  # a lone space, a CJK sign …: read as written
            at = near.start() + 1
            continue
        start, end = found.span()
        at = end
        if start > position:
            piece(source[position:start], position, True)
        written = found.group()
        kind = found.lastgroup
        if kind == "markup" or kind == "hidden":
            shown = ""
        elif kind == "spaces":
            breaks = written.count("\n")
            if breaks >= 2:
                shown = "\n"
            elif breaks == 1 and start > 0 and end < len(source) and source[start - 1].isdecimal() \
                    and source[end].isdecimal():
                shown = ""  # a number wrapped over two lines reads as one
            else:
                shown = " "
        elif kind == "entity":
            decoded = html.unescape(written)
            shown = written if decoded == written else "".join(map(_char, decoded))
        elif kind == "percent":
            try:
                shown = "".join(map(_char, bytes.fromhex(written.replace("%", "")).decode("utf-8")))
            except UnicodeDecodeError:
                shown = written  # not UTF-8: not text anyone reads
        else:  # wide
            shown = _char(written)
        piece(shown, start, len(shown) == len(written))
        position = end
    piece(source[position:], position, True)
    return Reading("".join(parts), tuple(starts), tuple(origins), tuple(exact))


class Places:
    """line:column (1-based, in characters) of any offset of a text, by bisection over its line starts:
    a lookup costs log(lines), never a scan from the top."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [found.end() for found in re.finditer("\n", text)]

    def at(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def offset(self, line: int) -> int:
        """The offset where `line` (1-based) starts; the end of the text past its last line."""
        return self.starts[line - 1] if line <= len(self.starts) else self.starts[-1]


def aligned(value: str, raw: str) -> Callable[[int], int]:
    """value offset → raw offset, for a YAML scalar's value and the text it was written as (quotes,
    escapes, folded lines). Plain and simply quoted scalars map one for one; otherwise each value
    character is found in order a short way ahead in the raw text (an escape such as \\u0031 points at
    its backslash, a folded line break at the indentation)."""
    if raw == value:
        return lambda at: at
    if len(raw) >= 2 and raw[0] in "'\"" and raw[1:-1] == value:
        return lambda at: at + 1
    table: list[int] = []
    cursor = 0
    for char in value:
        found = raw.find(char, cursor, cursor + 64)
        if found < 0:
            table.append(min(cursor, max(len(raw) - 1, 0)))
        else:
            # An escape (\u0031) is pointed at where it starts, not at the digit inside it.
            table.append(cursor if found > cursor and raw[cursor] == "\\" else found)
            cursor = found + 1
    return lambda at: table[at] if at < len(table) else len(raw)


_YAML = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=4)
def front_matter(yaml_text: str) -> yaml.Node | None:
    """The YAML node tree of a front matter, or None when it does not parse (the loader has reported
    that already). Kept for the next call: the privacy and the wording rules read the same item one
    after the other, and composing it twice was 3 s of the checks at 10,000 stories. The tree is only
    read, never changed."""
    try:
        return yaml.compose(yaml_text, Loader=_YAML)
    except (yaml.YAMLError, ValueError, RecursionError):
        return None
