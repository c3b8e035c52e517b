"""A built site on a local port, for the tools that open it in a real browser: scripts/budget,
scripts/lighthouse, scripts/bench and the browser tests.

A plain static server that adds no compression, so the sizes measured through it are the worst case
of a union's web host. Not part of a build: nothing here is used by MkDocs.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"  # Debian's; never a downloaded browser
# Headless and quiet: no sandbox (root in CI), no calls home, no first-run pages.
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # one line per request would bury every report
        pass

    def send_head(self):
        # Each file as it is now, never "304 Not Modified": Last-Modified counts whole seconds, so a
        # site built again (or swapped in) within the second of the copy a browser holds looked
        # unchanged, and a browser test saw the old build (its service worker never updated).
        for name in ("If-Modified-Since", "If-None-Match"):
            del self.headers[name]
        return super().send_head()


class Server(http.server.ThreadingHTTPServer):
    """A local server that says nothing of a browser leaving mid-answer (a page reloaded while its
    files or a poll were on their way): the standard one prints a traceback for each."""

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a browser that closed its page mid-download
            super().handle_error(request, client_address)


@contextmanager
def served(directory: Path | str) -> Iterator[str]:
    """Serve `directory` on a free port; yields the base URL without a trailing slash."""
    server = Server(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
