"""Characters: the controls no output may carry, and the one way two spellings of a name become one.

Controls. Editors paste from Word and WPS, which bring form feeds (a page break), vertical tabs
(a soft return), ESC and C1 controls from text that went through the wrong code page. No reader can
see them, HTML calls them parse errors, and XML 1.0 forbids most of them: a feed or a name card
holding one is not well-formed. So they are removed when a file is read (load.py, and the YAML
loader for those written as escapes such as "\\f"), once, with a located warning; nothing after
loading ever sees one. Tab, line feed and carriage return are text; NUL stays an error of its own
(a NUL byte means the file is not text at all).

Identities. A tag, a signer's name, a synonym or a partner's tag filter is one thing however it is
typed: full-width or half-width (NFKC), upper or lower case, with invisible format characters
(category Cf: zero-width space and joiners, word joiner, BOM, soft hyphen, bidi marks …) or
without, with one space or three. `fold` is that comparison, used by every identity in the engine
and mirrored by the search page's query folding.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import lru_cache

# C0 controls but tab, LF and CR; DEL and the C1 block; lone surrogates; the two non-characters
# XML 1.0 excludes. (A surrogate cannot come from a UTF-8 file or a YAML escape, only from code.)
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

_NAMES = {0x0B: "垂直制表符，多为 Word 的软回车", 0x0C: "换页符，多为 Word 的分页符", 0x1B: "ESC 转义符",
          0x85: "NEL 换行符", 0x00: "空字符"}


def describe(chars: str) -> str:
    """The distinct control characters of `chars` as an editor can look them up: U+000C（换页符…）."""
    shown = []
    for char in dict.fromkeys(chars):
        name = _NAMES.get(ord(char))
        shown.append(f"U+{ord(char):04X}" + (f"（{name}）" if name else ""))
    return "、".join(shown[:4]) + ("等" if len(shown) > 4 else "")


def controls(text: str) -> list[tuple[int, int, str]]:
    """(line, column of the first, every control character) for each line holding one; 1-based."""
    found: dict[int, tuple[int, list[str]]] = {}
    # Lines counted on from the last control, never from the top: a Word paste with a soft return
    # (U+000B) on each of 80,000 lines took 42 s counting from the top each time; this is one pass.
    line, line_start, counted = 1, 0, 0
    for match in CONTROL.finditer(text):
        start = match.start()
        breaks = text.count("\n", counted, start)
        if breaks:
            line += breaks
            line_start = text.rfind("\n", counted, start) + 1
        counted = start
        found.setdefault(line, (start - line_start + 1, []))[1].append(match.group())
    return [(line, col, "".join(chars)) for line, (col, chars) in found.items()]


def strip_controls(text: str) -> str:
    return CONTROL.sub("", text)


@lru_cache(maxsize=1)
def _format_characters() -> re.Pattern:
    """Every character of category Cf in this Python's Unicode version, as one character class."""
    chars = "".join(chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf")
    return re.compile("[" + re.escape(chars) + "]")


@lru_cache(maxsize=65536)  # pure, and asked for every tag of every story on several paths
def fold(text: str) -> str:
    """What makes two spellings one identity: NFKC (全角 ５Ｇ → 5G), no format characters (Cf),
    case folded (5G → 5g), runs of whitespace one space, none at the ends."""
    hidden = _format_characters()
    # Out before NFKC too: a soft hyphen between a letter and its accent would keep them apart.
    text = hidden.sub("", unicodedata.normalize("NFKC", hidden.sub("", text)))
    return " ".join(text.casefold().split())
