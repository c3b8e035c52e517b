"""The honors report for editors (/models/stats/): per honor and year, how many public profiles hold
it, against the yearly `target` in honors.yml. Not in the channel bar, the search index or the
sitemap, and marked noindex: it is a working page for the publicity department.

The chart is an SVG drawn here at build time, not a chart library fetched by the browser: it
costs nothing on a phone, prints, and shows the same numbers as the table beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from ..kinds import model as model_kind

URL = "models/stats/"
CSV = "models/stats/honors.csv"
CHART_YEARS = 10  # the chart and the table show the latest ten award years; the CSV has every year


@dataclass(frozen=True)
class HonorRow:
    honor: object  # kinds.honor.Honor
    counts: dict  # year → public profiles holding the honor that year

    def short(self, year: int) -> int:
        """How many the year is short of the target (0 when met or when no target is set)."""
        target = self.honor.target
        return max(target - self.counts.get(year, 0), 0) if target else 0


def honor_rows(site) -> tuple[list[HonorRow], list[int]]:
    """Every honor of honors.yml in rank order with its counts, and every award year, newest first."""
    counts: dict[str, dict[int, set]] = {}
    for model in site.all("model"):
        for award, honor in model_kind.awards(site, model):
            counts.setdefault(honor.key, {}).setdefault(award.year, set()).add(id(model))  # one person once a year
    honors = sorted(site.lists["honor"].values(), key=lambda h: (h.rank, h.key))
    rows = [HonorRow(h, {year: len(people) for year, people in counts.get(h.key, {}).items()}) for h in honors]
    years = sorted({year for row in rows for year in row.counts}, reverse=True)
    return rows, years


def chart(rows: list[HonorRow], years: list[int]) -> Markup:
    """Small multiples: one row of yearly bars per honor, oldest year at the left, the target dashed.
    Each row has its own scale (its highest count or its target): a quota of 40 would otherwise
    flatten a national honor's single bar to nothing; the numbers under the bars say the size."""
    shown = sorted(years[:CHART_YEARS])
    if not shown:
        return Markup("")
    label_w, col_w, row_h, bar_h, top = 190, 44, 56, 38, 30
    width = label_w + col_w * len(shown) + 10
    height = top + row_h * len(rows) + 10
    parts = [f'<svg class="up-stats-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" role="img" aria-labelledby="up-stats-chart-title">',
             f'<title id="up-stats-chart-title">各项荣誉 {shown[0]}–{shown[-1]} 年的人数（虚线为年度目标），数据同下表</title>']
    for i, year in enumerate(shown):
        parts.append(f'<text x="{label_w + col_w * i + col_w / 2}" y="18" text-anchor="middle" font-size="12" '
                     f'fill="#1a1a1a">{year}</text>')
    for r, row in enumerate(rows):
        y0 = top + row_h * r
        base = y0 + bar_h
        peak = max([row.counts.get(y, 0) for y in shown] + [row.honor.target or 0, 1])
        parts.append(f'<text x="{label_w - 8}" y="{y0 + bar_h / 2 + 5}" text-anchor="end" font-size="13" '
                     f'fill="#1a1a1a">{escape(row.honor.name)}</text>')
        parts.append(f'<line x1="{label_w}" x2="{width - 10}" y1="{base}" y2="{base}" stroke="#767676"/>')
        for i, year in enumerate(shown):
            count = row.counts.get(year, 0)
            h = bar_h * count / peak
            x = label_w + col_w * i + 8
            short = row.short(year)
            parts.append(f'<rect x="{x}" y="{base - h:.1f}" width="{col_w - 16}" height="{h:.1f}" '
                         f'fill="{"#b71c1c" if short else "#1b5e20"}"/>')
            parts.append(f'<text x="{x + (col_w - 16) / 2}" y="{base + 14}" text-anchor="middle" font-size="11" '
                         f'fill="#1a1a1a">{count}</text>')
        if row.honor.target:
            t = base - bar_h * row.honor.target / peak
            parts.append(f'<line x1="{label_w}" x2="{width - 10}" y1="{t:.1f}" y2="{t:.1f}" stroke="#1a1a1a" '
                         f'stroke-dasharray="4 3"/>')
    parts.append("</svg>")
    return Markup("\n".join(parts))


def pages(site, out) -> None:
    # Public profiles only, in a preview build too: the report and its CSV say what readers see.
    rows, years = honor_rows(getattr(site, "public", site))
    out.add(URL, "stats.html", title="荣誉统计", description="各项荣誉每年的公开劳模人数与年度目标（编辑用）",
            rows=rows, years=years[:CHART_YEARS], all_years=years, chart=chart(rows, years), csv=CSV,
            noindex=True)
