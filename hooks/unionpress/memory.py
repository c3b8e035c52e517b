"""Memory a build has freed, handed back to the system between its phases.

glibc keeps what Python frees in its heap for the next allocation, and gives it back only from the
heap's top: one object left high up holds every free page under it. A build makes and drops large
things phase after phase (each EPUB record read and checked, the pages' HTML, each output's files, the
audit's reads), so its resident size kept each phase's high-water mark on top of the last: 682 MiB at
10,000 stories where 590 were in use. `malloc_trim(0)` returns every whole free page of the heap
(glibc 2.8 and later): 25 calls took 0.02 to 0.04 s in all in a build of 10,000 stories. Where the C
library has no such call (musl, macOS) or Python has no ctypes, nothing is done.
"""

from __future__ import annotations

import sys


def _trim():
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        trim = ctypes.CDLL("libc.so.6").malloc_trim  # by its soname: find_library would start ldconfig
    except (ImportError, OSError, AttributeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


_TRIM = _trim()
# Only in a process that builds once (engine.collect_less): `unionpress serve` makes a model on every
# edit, and pages handed back are pages the next edit must have zeroed again (an edit at 10,000
# stories took 1 s longer, its model 0.6 s of it).
_between_phases = False


def between_phases() -> None:
    """From now on, each phase's end hands back what it freed (timing.Phases)."""
    global _between_phases
    _between_phases = True


def phase_done() -> None:
    if _between_phases:
        give_back()


def give_back() -> bool:
    """Return the heap's free pages to the system; whether it could be asked (glibc)."""
    if _TRIM is None:
        return False
    _TRIM(0)
    return True
