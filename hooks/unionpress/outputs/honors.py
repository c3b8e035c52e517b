"""models/stats/honors.csv: the honors statistics' public numbers (counts and targets) for every award
year, for spreadsheets. No shortfall column: that is the editors' report's (/stats/), not a public
file's (pages/stats.py). UTF-8 with a byte-order mark, which Excel and WPS need to show Chinese."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..pages.stats import CSV, honor_rows

HEADER = ["荣誉键 key", "荣誉 name", "级别 level", "年份 year", "人数 count", "年度目标 target"]


def _cell(text: str) -> str:
    """A name a spreadsheet would run as a formula (=, +, -, @ first) is kept as text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def write(public, pages, site_dir: Path, settings, body_of) -> list[str]:
    rows, years = honor_rows(public)
    data = io.StringIO()
    table = csv.writer(data, lineterminator="\r\n")  # RFC 4180 line ends
    table.writerow(HEADER)
    for row in rows:
        for year in sorted(set(years) | set(row.counts)):
            table.writerow([row.honor.key, _cell(row.honor.name), row.honor.level, year, row.counts.get(year, 0),
                            row.honor.target if row.honor.target else ""])
    target = site_dir / CSV
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"\xef\xbb\xbf" + data.getvalue().encode("utf-8"))
    return [CSV]
