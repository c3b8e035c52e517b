"""Two shares of pure Python work at once: one in a forked child, one here.

A build's rendering is Python from end to end and holds the GIL: threads cannot share it, and a
process started afresh would have to rebuild the model first. A forked child inherits the model as
it is (copy-on-write; the one-model commands froze it out of the collector's walks, engine.
keep_until_the_end), does its share and hands back what the parent needs, pickled through a
temporary file. Used where each piece of work depends on the model alone, never on the pieces made
before it, so two processes make the same bytes as one.
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import sys
import tempfile
import threading
import time
import warnings
from typing import Callable, TypeVar

from . import sitefiles

Mine = TypeVar("Mine")
Theirs = TypeVar("Theirs")

FAILED = object()  # the child's share did not come back: the caller does it itself


def possible(threads_idle: bool = False) -> bool:
    """Whether a child may be forked now: a second core, and no other thread in this process (a lock
    another thread held at the fork would stay held in the child), unless the caller vouches with
    `threads_idle` that no other thread holds a lock the child's share takes (`unionpress serve`:
    its server's threads answer requests and render nothing; its watcher's (watchdog's) only wake the
    watcher; its outputs thread waits for the preview's lock)."""
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
                if threads_idle:
                    _quiet()
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
        status = _wait(child)
        if status is None or os.waitstatus_to_exitcode(status) != 0:
            return done, FAILED
        answer.seek(0)
        try:
            return done, pickle.load(answer)
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError):
            return done, FAILED


def _quiet() -> None:
    """A child forked beside other threads writes nothing to the terminal: a thread may have held the
    lock of stderr's buffer at the fork, and that lock stays held in the child (logging's own locks
    are made anew at a fork, the streams' are not). Its caller hands back what it has to say."""
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    sys.stdout = sys.stderr = open(os.devnull, "w", encoding="utf-8")


STUCK = 30.0  # seconds a child may go without using the processor before it is taken for stuck


def _wait(child: int) -> int | None:
    """The child's wait status; None when it was stopped for using no processor time for STUCK
    seconds (a lock it can never take): its share is then the caller's, as for a failed child."""
    ticks = None
    still = time.monotonic()
    while True:
        pid, status = os.waitpid(child, os.WNOHANG)
        if pid == child:
            return status
        used = _cpu(child)
        if used is None or used != ticks:
            ticks, still = used, time.monotonic()
        elif time.monotonic() - still > STUCK:
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
            return None
        time.sleep(0.005 if time.monotonic() - still < 1 else 0.1)


def _cpu(child: int) -> int | None:
    """The child's processor time so far in clock ticks (Linux's /proc), None where it cannot be told."""
    try:
        with open(f"/proc/{child}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime, stime
    except (OSError, IndexError, ValueError):
        return None
