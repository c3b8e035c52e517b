"""Where a build's time goes, phase by phase: the benchmark (scripts/bench) prints it beside the
plain Material build, and `mkdocs build -v` logs it, so a slow phase is seen, not guessed."""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from . import memory


class Phases:
    """Seconds spent per named phase, in the order the phases first ran (a phase run twice adds up).
    In a process that builds once, what a phase freed goes back to the system as it ends
    (memory.phase_done): the next phase's high-water mark is not stacked on this one's."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            memory.phase_done()
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start

    def line(self) -> str:
        return "，".join(f"{name} {seconds:.2f} s" for name, seconds in self.seconds.items())

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.seconds, ensure_ascii=False, indent=1), encoding="utf-8")
