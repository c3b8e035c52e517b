"""ISBN-13 as a reader sees it on the copyright page: 978-7-5008-3712-1, not 9787500837121.

Where the hyphens go depends on who was given the number: the International ISBN Agency splits each
registration group (7 = China) into ranges of publisher prefixes of different lengths, and publishes
those ranges (RangeMessage.xml). No library on PyPI that carries the ranges fits this project: isbnlib,
python-stdnum, isbnid and isbn-hyphenate are all LGPL (isbnlib's ranges also date from 2023). Importing
an unmodified LGPL library from MIT code is allowed, but the project promises permissive dependencies
only (README, 许可), and a union's reading room holds mainland books almost only. So the ranges of the
group a union needs are written here, from the agency's data; a number from another group is shown as
its 13 digits, ungrouped, which is never wrong, where a guessed hyphen would be.
"""

from __future__ import annotations

# (EAN prefix, registration group) → publisher-prefix ranges, as (lowest, highest) of equal length.
# From the International ISBN Agency's RangeMessage.xml (4 January 2026), group 978-7 (China, People's
# Republic): the five digits after the group fall in exactly one range, whose length is the prefix's.
RANGES: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    ("978", "7"): (("00", "09"), ("100", "499"), ("5000", "7999"), ("80000", "89999"), ("900000", "999999")),
}


def compact(value: str) -> str:
    """An ISBN as written, without the hyphens and spaces editors separate its parts with."""
    return value.replace("-", "").replace(" ", "")


def digits(value: str) -> str:
    """The 13 digits of an ISBN written with or without hyphens or spaces ('' when it is not 13 digits).
    Full-width digits (typed with a Chinese input method) pass the engine's check, so they count here
    too, as the ASCII digits they are."""
    found = compact(value)
    return "".join(str(int(c)) for c in found) if len(found) == 13 and all(c.isdecimal() for c in found) else ""


def hyphenated(value: str) -> str:
    """978-7-5008-3712-1: prefix, group, publisher, title and check digit, for a number of a group in
    RANGES; any other number as its 13 digits (the editor's own hyphens are not trusted: they are
    often copied wrong, and the ranges decide). The value as written when it is not 13 digits."""
    number = digits(value)
    if not number:
        return value
    for (prefix, group), ranges in RANGES.items():
        if not number.startswith(prefix + group):
            continue
        rest = number[len(prefix) + len(group):12]  # publisher and title, without the check digit
        for low, high in ranges:
            publisher = rest[: len(low)]
            if low <= publisher <= high:
                return f"{prefix}-{group}-{publisher}-{rest[len(low):]}-{number[12]}"
    return number
