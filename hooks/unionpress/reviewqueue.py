"""The 三审 review queue as numbers: how many items wait at each level and for how long.

Made from everything read (drafts and items in review too) but it holds only counts and days, never
an item: it is what the public site may carry of the unpublished (the editors' report at /stats/).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# The step an item in `status: review` waits for: the first level not yet signed; with all three
# signed it waits only for an editor to set `status: published`.
STEPS = ("待初审", "待复审", "待终审", "三审已完成，待发布")


@dataclass(frozen=True)
class Waiting:
    step: str
    count: int
    oldest_days: int | None  # days since the oldest one's last signature (or its own date); None when none waits


@dataclass(frozen=True)
class Queue:
    steps: tuple[Waiting, ...]

    @property
    def total(self) -> int:
        return sum(step.count for step in self.steps)


def review_queue(items, today: dt.date) -> Queue:
    """Items with `status: review`, by the step they wait at. An item waits since its latest
    signature, or, with none, since its own date (`unionpress new` writes the day it was started)."""
    waiting: dict[str, list[int]] = {step: [] for step in STEPS}
    for item in items:
        if item.status != "review":
            continue
        signed = dict(item.review.signed())
        step = next((STEPS[at] for at, (_key, name) in enumerate(item.review.LEVELS) if name not in signed), STEPS[-1])
        dates = [signature.date for signature in signed.values()]
        since = max(dates) if dates else (item.date.date() if item.date is not None else None)
        waiting[step].append(max((today - since).days, 0) if since is not None else 0)
    return Queue(tuple(Waiting(step, len(days), max(days) if days else None) for step, days in waiting.items()))
