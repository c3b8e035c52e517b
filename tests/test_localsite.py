"""The local server of the browser tests and tools (unionpress.localsite) answers with each file as it
is now: a site built again within the second of the copy a browser holds is not "not modified"."""

from __future__ import annotations

import urllib.request

from unionpress import localsite


def test_a_file_is_served_as_it_is_now_whatever_the_browser_holds(tmp_path):
    (tmp_path / "sw.js").write_text("const VERSION = 'second';", encoding="utf-8")
    with localsite.served(tmp_path) as base:
        request = urllib.request.Request(f"{base}/sw.js", headers={
            "If-Modified-Since": "Fri, 31 Dec 2100 23:59:59 GMT"})
        with urllib.request.urlopen(request) as answer:
            assert answer.status == 200
            assert answer.read() == b"const VERSION = 'second';"
