"""Two shares of pure Python work at once: one in a forked child, one here.

A build's rendering is Python from end to end and holds the GIL: threads cannot share it, and a
process started afresh would have to rebuild the model first. A forked child inherits the model as
it is (copy-on-write; the one-model commands froze it out of the collector's walks, engine.
keep_until_the_end), does its share and hands back what the parent needs, pickled through a
temporary file. Used where each piece of work depends on the model alone, never on the pieces made
before it, so two processes make the same bytes as one.
"""

from __future__ import annotations

import os
import pickle
import signal
import tempfile
import threading
from typing import Callable, TypeVar

from . import sitefiles

Mine = TypeVar("Mine")
Theirs = TypeVar("Theirs")

FAILED = object()  # the child's share did not come back: the caller does it itself


def possible(threads_idle: bool = False) -> bool:
    """Whether a child may be forked now: a second core, and no other thread in this process (a lock
    another thread held at the fork would stay held in the child), unless the caller vouches with
    `threads_idle` that no other thread holds a lock the child's share takes (`unionpress serve`:
    its server's threads answer requests and render nothing; its outputs thread waits for the
    preview's lock)."""
    return hasattr(os, "fork") and sitefiles.cores() > 1 and (threads_idle or threading.active_count() == 1)


def in_two(mine: Callable[[], Mine], theirs: Callable[[], Theirs],
           threads_idle: bool = False) -> tuple[Mine, Theirs | object] | None:
    """`theirs()` in a forked child while `mine()` runs here; (mine's result, theirs' result or FAILED
    when the child failed or its answer could not be read). None when no child can be had: then
    nothing has run. An error in `mine` stops the child and is raised. `threads_idle`: possible()."""
    if not possible(threads_idle):
        return None
    with tempfile.TemporaryFile() as answer:
        try:
            child = os.fork()
        except OSError:
            return None
        if child == 0:  # the child: its share, its answer, and out without running anything else
            code = 1
            try:
                pickle.dump(theirs(), answer, protocol=pickle.HIGHEST_PROTOCOL)
                answer.flush()
                code = 0
            finally:
                os._exit(code)
        try:
            done = mine()
        except BaseException:
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
            raise
        _pid, status = os.waitpid(child, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            return done, FAILED
        answer.seek(0)
        try:
            return done, pickle.load(answer)
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError):
            return done, FAILED
