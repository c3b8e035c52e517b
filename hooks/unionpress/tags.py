"""Tags: the name a story gives, the key two spellings share, and a URL that never moves.

A tag's URL is a pure function of the tag: it must not change when another tag appears (工匠 and the
homophone 公匠 both read gong-jiang) or when an embargoed story goes live. So a tag that is already a
plain ASCII slug (AI, 5g) is its own URL, and any other tag is its pinyin plus a short hash of its key,
which keeps homophones apart without looking at the rest of the site.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache


from . import pinyin
from .chars import fold

SLUG_PART = 48  # characters of pinyin kept in a URL; the hash keeps long tags apart
_PLAIN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def tag_key(name: str) -> str:
    """What makes two spellings one tag: the engine's one identity (chars.fold): full-width ５Ｇ, case
    (5G, 5g), spacing, and invisible format characters (劳模 and 劳模 with a zero-width joiner)."""
    return fold(name)


def tag_slug(name: str) -> str:
    """The tag's pinyin as an ASCII URL segment (劳模精神 → lao-mo-jing-shen), at most SLUG_PART long."""
    words = pinyin.syllables(tag_key(name), pinyin.KEPT)
    slug = re.sub(r"[^a-z0-9]+", "-", "-".join(words).lower()).strip("-")
    return slug[:SLUG_PART].rstrip("-")


@lru_cache(maxsize=65536)
def name_slug(name: str) -> str:
    """An ASCII URL segment for any name (a tag, a region, an industry) that never moves: the name
    itself when it is already a plain slug, else its pinyin and a short hash of its key."""
    key = tag_key(name)
    if _PLAIN.fullmatch(key) and len(key) <= SLUG_PART:
        return key
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:6]
    slug = tag_slug(name)
    return f"{slug}-{digest}" if slug else digest


def tag_url(name: str) -> str:
    return f"tags/{name_slug(name)}/"
