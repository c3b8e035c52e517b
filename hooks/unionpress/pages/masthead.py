"""The masthead's name: whole on one line where it fits, the short name where it does not, the emblem
alone where neither does — on every screen and at every 字号 step, never wrapped mid-word and never
under the toolbar button.

Which one fits is decided by the browser, without a script and before the first paint: the name's
box is a CSS container, and its width is compared with each name's width in `em` of the name's own
size, which grows with 字号 (container queries measure `em` in the container's font size). Chinese
characters are one em wide each, so the widths are known when the site is built.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

LOGO_EM = 1.8  # the emblem's height in em of the name (stylesheet: .up-masthead__logo)
GAP_EM = 0.4  # between emblem and name
SLACK_EM = 0.6  # font differences: a name that almost fits is shortened rather than clipped


def text_em(text: str) -> float:
    """The width of a line of text in em: full-width (CJK) characters 1, others about 0.62, spaces 0.3."""
    width = 0.0
    for char in text:
        if char.isspace():
            width += 0.3
        elif unicodedata.east_asian_width(char) in "WF":
            width += 1.0
        else:
            width += 0.62
    return width


def parts(name: str) -> tuple[str, ...]:
    """The name's words, each kept whole on a line: split after a separator (·, |, -, —) or at a
    space, so 「示例市总工会 · 劳动者之家」 may break only between 「示例市总工会 ·」 and 「劳动者之家」."""
    pieces = re.findall(r"\S+(?:\s*[·•|｜\-—–]+)?", name.strip())
    return tuple(pieces) or (name,)


def default_short(name: str) -> str:
    """Without `short_name`: the name's first word (the union's own name, before 「 · 劳动者之家」)."""
    first = parts(name)[0]
    return re.sub(r"\s*[·•|｜\-—–]+$", "", first) or name


@dataclass(frozen=True)
class Masthead:
    parts: tuple[str, ...]
    short: str
    full_em: float  # the emblem and the whole name on one line
    short_em: float  # the emblem and the short name
    logo: bool

    @property
    def shortens(self) -> bool:
        return self.short != " ".join(self.parts)


def masthead(settings) -> Masthead:
    name = settings.site_name
    short = settings.short_name or default_short(name)
    logo = (LOGO_EM * settings.logo.width / settings.logo.height + GAP_EM) if settings.logo else 0.0
    whole = text_em(" ".join(parts(name)))
    return Masthead(parts(name), short, round(logo + whole + SLACK_EM, 2), round(logo + text_em(short) + SLACK_EM, 2),
                    settings.logo is not None)
