"""Privacy (DESIGN §6): resident ID numbers, mainland mobile numbers and bank-card numbers in
published text. Each candidate must pass the check its issuer defines (the ID's ISO 7064 check
digit and a real birth date, the mobile network prefix, the card's Luhn digit), so dates, counts,
ISBNs and order numbers in an article do not raise false alarms.

Written here rather than taken from a library: the rules are three short public standards
(GB 11643, the MIIT numbering plan, ISO/IEC 7812), and no maintained package checks running
Chinese text for all three with positions.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

RULES = ("privacy-id", "privacy-mobile", "privacy-bank")

FIX = "若确需公开，请在头信息写 allow: [{{rule: {rule}, why: 理由}}]"

# Full-width digits and X (typed with a Chinese input method) count as their ASCII forms; one
# character for one, so columns stay right.
_WIDE = str.maketrans("０１２３４５６７８９Ｘｘ－\u3000", "0123456789Xx- ")
_EDGE_BEFORE = r"(?<![0-9A-Za-z])"
_EDGE_AFTER = r"(?![0-9A-Za-z])"
# A phone-like or card-like number followed by a unit is a count or an amount (产值 13800000000 元).
# Not for ID numbers, whose check digit already tells them apart; and no unit that is also a common
# surname (张, 万, 米 …), so 「13812345678张师傅」 is still a phone number.
_COUNT_AFTER = r"(?!\s?[元角分人次件个吨台户名块条份本册篇位辆亩斤千亿%％])"
_ID = re.compile(_EDGE_BEFORE + r"[1-8]\d{5}(?:19|20)\d{2}\d{2}\d{2}\d{3}[0-9Xx]" + _EDGE_AFTER)
# 1[3-9]x: every mainland mobile prefix; written whole, or 3-4-4 with spaces or hyphens; +86/86 ahead.
_MOBILE = re.compile(_EDGE_BEFORE + r"(?:\+?86[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})" + _EDGE_AFTER + _COUNT_AFTER)
# 16 to 19 digits, whole or in groups of four (the last group may be shorter), starting as the
# cards issued in China do (3 JCB, 4 Visa, 5 Mastercard, 6 UnionPay, 9 older domestic debit cards).
_CARD = re.compile(_EDGE_BEFORE + r"(?:[34569]\d{15,18}|[34569]\d{3}(?:[ -]\d{4}){3}(?:[ -]\d{1,3})?)" + _EDGE_AFTER + _COUNT_AFTER)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


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


def scan(text: str, today: dt.date) -> Iterator[tuple[int, int, str, dict]]:
    """(line, column, code, message fields) of every ID, mobile or card number in `text`."""
    for number, line in enumerate(text.translate(_WIDE).split("\n"), start=1):
        taken: list[range] = []
        for found in _ID.finditer(line):
            if id_number_valid(found.group(), today):
                taken.append(range(*found.span()))
                yield number, found.start() + 1, "privacy-id", {"masked": _masked(found.group()),
                                                                 "fix": FIX.format(rule="privacy-id")}
        for found in _CARD.finditer(line):
            digits = re.sub(r"\D", "", found.group())
            if any(found.start() in span for span in taken) or not luhn_valid(digits):
                continue
            taken.append(range(*found.span()))
            yield number, found.start() + 1, "privacy-bank", {"masked": _masked(digits),
                                                               "fix": FIX.format(rule="privacy-bank")}
        for found in _MOBILE.finditer(line):
            if any(found.start() in span for span in taken):
                continue
            digits = found.group(1) + found.group(2) + found.group(3)
            yield number, found.start() + 1, "privacy-mobile", {"masked": _masked(digits),
                                                                 "fix": FIX.format(rule="privacy-mobile")}
