"""Award tiers (奖项等级): the order in which an exhibition's works and a contest's entries are shown.

A union ranks its awards itself (`extra.unionpress.award_tiers`, by default 特等奖 → 一等奖 → 二等奖 →
三等奖 → 优秀奖). Works and entries are grouped by the award they carry, the groups in the union's
order; an award the list does not name (入围奖, 最佳创意奖 …) still gets its own group after the listed
ones, in pinyin order, never dropped; what carries no award comes last.
"""

from __future__ import annotations

from typing import Callable, Iterable, Sequence, TypeVar


from . import pinyin
from .chars import fold

DEFAULT_AWARD_TIERS: tuple[str, ...] = ("特等奖", "一等奖", "二等奖", "三等奖", "优秀奖")
# An editor may write that a work has no award instead of leaving the field out; both mean the same.
NO_AWARD_WORDS = frozenset(fold(word) for word in ("未获奖", "无奖项", "无", "暂无"))
UNAWARDED = "未获奖"  # the last group's heading when it is shown beside awarded groups

T = TypeVar("T")


def award_of(item) -> str:
    return getattr(item, "award", "") or ""


def is_awarded(award: str) -> bool:
    """Whether an award text names an award (not empty, not 未获奖/无奖项)."""
    key = fold(award)
    return bool(key) and key not in NO_AWARD_WORDS


def tier_rank(award: str, tiers: Sequence[str]) -> tuple:
    """Sort key of an award: the union's tiers first in their order, then other awards by pinyin
    (the text itself breaks ties, so the order is total), then no award. Compared by the engine's one
    identity (chars.fold), so 一等奖 typed with a full-width space or an invisible character is 一等奖."""
    key = fold(award)
    if not is_awarded(award):
        return (2, 0, "", "")
    listed = [fold(tier) for tier in tiers]
    if key in listed:
        return (0, listed.index(key), "", "")
    return (1, 0, " ".join(pinyin.syllables(key)), key)


def award_groups(items: Iterable[T], tiers: Sequence[str], award: Callable[[T], str] = award_of,
                 unawarded: str = UNAWARDED) -> list[tuple[str, list[T]]]:
    """[(award, items)] in tier order; items keep their given order inside a group. A group's heading
    is the union's spelling of a listed tier, else the award as first written; items without an
    award form the last group, headed `unawarded`. No item is left out."""
    groups: dict[tuple, tuple[str, list[T]]] = {}
    for item in items:
        written = award(item)
        rank = tier_rank(written, tiers)
        if rank not in groups:
            if rank[0] == 0:
                heading = tiers[rank[1]]
            elif rank[0] == 1:
                heading = written.strip()
            else:
                heading = unawarded
            groups[rank] = (heading, [])
        groups[rank][1].append(item)
    return [groups[rank] for rank in sorted(groups)]


def any_awarded(items: Iterable, award: Callable = award_of) -> bool:
    return any(is_awarded(award(item)) for item in items)
