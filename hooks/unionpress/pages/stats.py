"""The honors statistics (/models/stats/): per honor and year, how many public profiles hold it, and
the yearly `target` of honors.yml where one is set. Not in the channel bar, the search index or the
sitemap, and marked noindex; but it is a public address, which anyone may open.

Decision (issue 22): shortfalls ("差 40", the red bars of a year short of its target) are not shown
here. How far a year falls short is a working judgement for the publicity department, so it lives in
the editors' report at /stats/ (pages/editors.py, issue 20), which uses `HonorRow.short`. This page
and models/stats/honors.csv keep the public numbers (counts and targets); the CSV has no shortfall
column.

The chart is HTML and CSS drawn here at build time, not a chart library nor an SVG scaled by its
viewBox: its words are the page's text, so they are as large as the page's and grow with 字号. All
rows share one scale (the largest count of the chart), so bars compare across honors, and every
calendar year of the range has its column and its label on the axis: a year nobody was honored is a
0, not a missing column.
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


CHART_SPAN = 30  # calendar years the chart may span at most (a column each): the newest are kept


def chart_years(years: list[int]) -> list[int]:
    """The chart's years, oldest first: every calendar year from the oldest of the table's award years
    (the latest CHART_YEARS) to the newest, so the chart and the table cover the same span."""
    if not years:
        return []
    oldest = min(years[:CHART_YEARS])
    return list(range(max(oldest, years[0] - CHART_SPAN + 1), years[0] + 1))


def chart(rows: list[HonorRow], years: list[int]) -> Markup:
    """A row of yearly bars per honor on one scale; the numbers under the bars and the table below say
    the same. A scrolling region of its own when a phone or a large 字号 leaves too little room."""
    shown = chart_years(years)
    if not shown:
        return Markup("")
    peak = max([row.counts.get(year, 0) for row in rows for year in shown] + [1])
    title = f"各项荣誉 {shown[0]}–{shown[-1]} 年每年的人数，各行同一刻度（最高 {peak} 人），数据同下表"
    parts = [f'<div class="up-chart-box" role="region" tabindex="0" aria-label="荣誉人数图（可左右滚动）">',
             f'<div class="up-chart" role="img" aria-label="{escape(title)}" style="--up-years: {len(shown)}">']
    for row in rows:
        parts.append(f'<span class="up-chart__name">{escape(row.honor.name)}</span>')
        for year in shown:
            count = row.counts.get(year, 0)
            parts.append(f'<span class="up-chart__cell"><span class="up-chart__track"><span class="up-chart__bar" '
                         f'style="height: {100 * count / peak:.1f}%"></span></span>'
                         f'<span class="up-chart__n">{count}</span></span>')
    parts.append('<span class="up-chart__axis">年份</span>')
    parts += [f'<span class="up-chart__year">{year}</span>' for year in shown]
    parts.append("</div></div>")
    return Markup("\n".join(parts))


def pages(site, out) -> None:
    # Public profiles only, in a preview build too: the report and its CSV say what readers see.
    rows, years = honor_rows(getattr(site, "public", site))
    shown = chart_years(years)
    out.add(URL, "stats.html", title="荣誉统计", description="各项荣誉每年的公开劳模人数与年度目标",
            rows=rows, years=years[:CHART_YEARS], all_years=years, chart=chart(rows, years), csv=CSV,
            chart_years=shown, peak=max([row.counts.get(y, 0) for row in rows for y in shown] + [1]), noindex=True)
