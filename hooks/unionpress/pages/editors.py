"""The editors' report (/stats/): stories per column per month against each column's `cadence`,
the periods a column fell behind, stories per topic during its `featured` window, the 三审 review
queue as numbers, and the honors that fall short of their yearly target. `unionpress stats` prints
the same tables; `unionpress check` reminds (on stderr, not as a finding) of a column behind its
cadence in the current period.

Numbers only about what is not public: the queue is counts and days (reviewqueue.py), never a title.
The page is not in the channel bar, the search index or the sitemap, and is marked noindex. Its charts
are SVG drawn here at build time, as the honors report's (pages/stats.py): no chart library.

Counting: the page and `unionpress stats` count the public stories (published, reviewed, dated up to
now), as readers see them. The reminder also counts the stories scheduled later in the period: a
column whose two stories of the month are written and scheduled is not behind.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from markupsafe import Markup, escape

from ..reviewqueue import Queue, review_queue
from . import stats as honors_report

URL = "stats/"
MONTHS = 12  # the chart and the month table show the latest twelve months
PERIOD_NAMES = {"week": "周", "month": "月", "quarter": "季度", "year": "年"}


# ---- periods -------------------------------------------------------------------------------------

def period_start(day: dt.date, per: str) -> dt.date:
    if per == "week":
        return day - dt.timedelta(days=day.weekday())
    if per == "month":
        return day.replace(day=1)
    if per == "quarter":
        return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return dt.date(day.year, 1, 1)


def next_start(start: dt.date, per: str) -> dt.date:
    if per == "week":
        return start + dt.timedelta(days=7)
    if per == "year":
        return dt.date(start.year + 1, 1, 1)
    months = 1 if per == "month" else 3
    month = start.month - 1 + months
    return dt.date(start.year + month // 12, month % 12 + 1, 1)


def period_label(start: dt.date, per: str) -> str:
    if per == "week":
        year, week, _ = start.isocalendar()
        return f"{year} 年第 {week} 周"
    if per == "month":
        return f"{start:%Y-%m}"
    if per == "quarter":
        return f"{start.year} 年第 {(start.month - 1) // 3 + 1} 季度"
    return f"{start.year} 年"


# ---- the numbers ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    label: str
    done: int
    complete: bool  # over (the current one is not)


@dataclass(frozen=True)
class ColumnPace:
    """A column's stories per period of its cadence, from its first story's period to today's."""

    name: str
    key: str
    per: str
    count: int
    periods: tuple[Period, ...]
    due_now: int  # how many the current period should hold by today, pro rata

    @property
    def behind(self) -> tuple[Period, ...]:
        """The periods that are over and fell short of the promise."""
        return tuple(p for p in self.periods if p.complete and p.done < self.count)

    @property
    def current(self) -> Period | None:
        return self.periods[-1] if self.periods and not self.periods[-1].complete else None

    @property
    def behind_now(self) -> bool:
        return self.current is not None and self.current.done < self.due_now


def column_pace(column, dates: list[dt.date], today: dt.date) -> ColumnPace | None:
    """`dates`: the days of the column's stories that count. None for a column without a cadence."""
    if not column.cadence:
        return None
    per, count = column.cadence["per"], column.cadence["count"]
    first = min([d for d in dates if d <= today] + [today])
    starts = []
    start = period_start(first, per)
    current = period_start(today, per)
    while start <= current:
        starts.append(start)
        start = next_start(start, per)
    held = _per_period(dates, per)
    periods = tuple(Period(period_label(s, per), held.get(s, 0), s != current) for s in starts)
    length = (next_start(current, per) - current).days
    due = math.floor(count * ((today - current).days + 1) / length)
    return ColumnPace(column.name, column.key, per, count, periods, due)


def _per_period(dates: list[dt.date], per: str) -> dict[dt.date, int]:
    """How many of `dates` fall in each period, by its first day: periods are whole and follow one
    another, so a day counts in its own period's start (one pass, not one per period and column)."""
    held: dict[dt.date, int] = {}
    for day in dates:
        start = period_start(day, per)
        held[start] = held.get(start, 0) + 1
    return held


def _story_days(stories) -> dict[str, list[dt.date]]:
    days: dict[str, list[dt.date]] = {}
    for story in stories:
        if story.date is not None:
            days.setdefault(story.column_key, []).append(story.date.date())
    return days


def paces(site, today: dt.date) -> list[ColumnPace]:
    """The columns with a page (a public story): a column still empty is named nowhere (pages.plan)."""
    days = _story_days(site.all("story"))
    return [pace for column in site.occupied("column")
            if (pace := column_pace(column, days.get(column.key, []), today)) is not None]


def month_table(site, today: dt.date) -> tuple[list[str], list[tuple[str, list[int], int | None]]]:
    """The latest twelve months (oldest first) and, per column, its stories in each; with the monthly
    promise when the cadence is per month (else None)."""
    months, start = [], period_start(today, "month")
    for _ in range(MONTHS):
        months.append(start)
        start = period_start(start - dt.timedelta(days=1), "month")
    months.reverse()
    days = _story_days(site.all("story"))
    rows = []
    for column in site.occupied("column"):
        held = _per_period(days.get(column.key, []), "month")
        counts = [held.get(m, 0) for m in months]
        promise = column.cadence["count"] if column.cadence and column.cadence["per"] == "month" else None
        rows.append((column.name, counts, promise))
    return [f"{m:%Y-%m}" for m in months], rows


@dataclass(frozen=True)
class TopicWindow:
    name: str
    start: dt.date
    end: dt.date
    during: int  # public stories of the topic dated inside its featured window
    total: int


def topic_windows(site) -> list[TopicWindow]:
    found = []
    for topic in site.occupied("topic"):
        if topic.featured_from and topic.featured_to:
            stories = site.backrefs(topic, "story", "topics")
            during = sum(1 for s in stories if s.date and topic.featured_from <= s.date.date() <= topic.featured_to)
            found.append(TopicWindow(topic.name, topic.featured_from, topic.featured_to, during, len(stories)))
    return found


@dataclass(frozen=True)
class Shortfall:
    honor: str
    year: int
    count: int
    target: int

    @property
    def short(self) -> int:
        return self.target - self.count


def honor_shortfalls(site) -> list[Shortfall]:
    """Each honor and award year (the latest ten) whose public profiles fall short of its target:
    the editors' to-do, kept off the public honors page."""
    rows, years = honors_report.honor_rows(site)
    return [Shortfall(row.honor.name, year, row.counts.get(year, 0), row.honor.target)
            for row in rows for year in years[:honors_report.CHART_YEARS] if row.short(year)]


@dataclass(frozen=True)
class Report:
    today: dt.date
    paces: list[ColumnPace]
    months: list[str]
    month_rows: list
    topics: list[TopicWindow]
    queue: Queue
    shortfalls: list[Shortfall]


def report(site, today: dt.date) -> Report:
    months, rows = month_table(site, today)
    queue = getattr(site, "queue", None) or review_queue((), today)
    return Report(today, paces(site, today), months, rows, topic_windows(site), queue, honor_shortfalls(site))


def cadence_reminders(build) -> list[str]:
    """`unionpress check`'s reminders: each column behind the pace of its cadence in the current
    period, counting its public stories and those scheduled later in the period."""
    settings = build.settings
    today = settings.now.date()
    scheduled = [item for item in build.catalog.items if item.kind == "story" and item.status == "published"
                 and item.date is not None and item.date > settings.now and not item.review.missing()]
    stories = [*build.public.all("story"), *scheduled]
    days = _story_days(stories)
    lines = []
    for column in build.public.lists["column"].values():  # an empty column too: the reminder is not published
        pace = column_pace(column, days.get(column.key, []), today)
        if pace is not None and pace.behind_now:
            lines.append(f"提醒：栏目「{column.name}」（columns.yml：{column.key}）承诺每{PERIOD_NAMES[pace.per]} {pace.count} 篇，"
                         f"{pace.current.label}：按进度到今天应有 {pace.due_now} 篇，已发布和排定的只有 {pace.current.done} 篇")
    return lines


# ---- the terminal --------------------------------------------------------------------------------

def text_tables(data: Report) -> str:
    """The page's tables as plain text (`unionpress stats`)."""
    out = [f"编辑报表（截至 {data.today:%Y-%m-%d}）", "", "一、各栏目每月稿件数（最近 12 个月）"]
    out.append("栏目\t" + "\t".join(data.months) + "\t每月承诺")
    for name, counts, promise in data.month_rows:
        out.append(f"{name}\t" + "\t".join(map(str, counts)) + f"\t{promise if promise is not None else '—'}")
    out += ["", "二、栏目更新频率"]
    if not data.paces:
        out.append("（没有栏目写 cadence）")
    for pace in data.paces:
        behind = "、".join(f"{p.label}（{p.done}/{pace.count}）" for p in pace.behind) or "无"
        current = pace.current
        now = f"；{current.label}（进行中）：已有 {current.done} 篇，按进度应有 {pace.due_now} 篇" if current else ""
        out.append(f"{pace.name}：每{PERIOD_NAMES[pace.per]} {pace.count} 篇；未达标的{PERIOD_NAMES[pace.per]}份：{behind}{now}")
    out += ["", "三、专题推荐期内的稿件数"]
    if not data.topics:
        out.append("（没有专题写 featured）")
    for topic in data.topics:
        out.append(f"{topic.name}（{topic.start:%Y-%m-%d} 至 {topic.end:%Y-%m-%d}）：推荐期内 {topic.during} 篇，共 {topic.total} 篇")
    out += ["", "四、三审队列（只计数）"]
    for step in data.queue.steps:
        oldest = f"，最久已等 {step.oldest_days} 天" if step.oldest_days is not None else ""
        out.append(f"{step.step}：{step.count} 篇{oldest}")
    out += ["", "五、荣誉人数未达年度目标"]
    if not data.shortfalls:
        out.append("（全部达标，或没有设目标）")
    for s in data.shortfalls:
        out.append(f"{s.honor} {s.year} 年：{s.count} 人，目标 {s.target} 人，差 {s.short} 人")
    return "\n".join(out)


# ---- the page ------------------------------------------------------------------------------------

def month_chart(months: list[str], rows: list) -> Markup:
    """One row of monthly bars per column (oldest month at the left); the monthly promise dashed; a
    month under it red. Each row has its own scale; the numbers under the bars say the size. Its width
    is in rem (a px at the normal 字号), so its words grow with 字号; the page puts it in a region of its
    own that scrolls sideways when a phone is narrower (editors.html)."""
    if not rows:
        return Markup("")
    label_w, col_w, row_h, bar_h, top = 120, 40, 56, 38, 30
    width = label_w + col_w * len(months) + 10
    height = top + row_h * len(rows) + 10
    parts = [f'<svg class="up-stats-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" style="width: {width / 20:g}rem" role="img" '
             'aria-labelledby="up-editors-chart-title">',
             f'<title id="up-editors-chart-title">各栏目 {months[0]} 至 {months[-1]} 每月稿件数（虚线为每月承诺），数据同下表</title>']
    for i, month in enumerate(months):
        parts.append(f'<text x="{label_w + col_w * i + col_w / 2}" y="18" text-anchor="middle" font-size="11" '
                     f'fill="#1a1a1a">{month[2:]}</text>')
    for r, (name, counts, promise) in enumerate(rows):
        y0 = top + row_h * r
        base = y0 + bar_h
        peak = max(counts + [promise or 0, 1])
        parts.append(f'<text x="{label_w - 8}" y="{y0 + bar_h / 2 + 5}" text-anchor="end" font-size="13" '
                     f'fill="#1a1a1a">{escape(name)}</text>')
        parts.append(f'<line x1="{label_w}" x2="{width - 10}" y1="{base}" y2="{base}" stroke="#767676"/>')
        for i, count in enumerate(counts):
            h = bar_h * count / peak
            x = label_w + col_w * i + 7
            short = promise is not None and count < promise and i < len(counts) - 1
            parts.append(f'<rect x="{x}" y="{base - h:.1f}" width="{col_w - 14}" height="{h:.1f}" '
                         f'fill="{"#b71c1c" if short else "#1b5e20"}"/>')
            parts.append(f'<text x="{x + (col_w - 14) / 2}" y="{base + 14}" text-anchor="middle" font-size="11" '
                         f'fill="#1a1a1a">{count}</text>')
        if promise:
            t = base - bar_h * promise / peak
            parts.append(f'<line x1="{label_w}" x2="{width - 10}" y1="{t:.1f}" y2="{t:.1f}" stroke="#1a1a1a" '
                         f'stroke-dasharray="4 3"/>')
    parts.append("</svg>")
    return Markup("\n".join(parts))


def queue_chart(queue: Queue) -> Markup:
    """Horizontal bars: items waiting at each step."""
    label_w, bar_w, row_h = 150, 300, 30
    peak = max([step.count for step in queue.steps] + [1])
    height = row_h * len(queue.steps) + 10
    width = label_w + bar_w + 60
    parts = [f'<svg class="up-stats-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" style="width: {width / 20:g}rem" role="img" '
             'aria-labelledby="up-queue-chart-title">',
             '<title id="up-queue-chart-title">三审各环节等待的稿件数，数据同下表</title>']
    for r, step in enumerate(queue.steps):
        y = 5 + row_h * r
        w = bar_w * step.count / peak
        parts.append(f'<text x="{label_w - 8}" y="{y + 18}" text-anchor="end" font-size="13" fill="#1a1a1a">{escape(step.step)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 10}" fill="#1565c0"/>')
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 18}" font-size="12" fill="#1a1a1a">{step.count}</text>')
    parts.append("</svg>")
    return Markup("\n".join(parts))


def pages(site, out) -> None:
    # The public view in a preview build too: the report says what readers see, plus the queue's numbers.
    public = getattr(site, "public", site)
    data = report(public, out.settings.now.date())
    out.add(URL, "editors.html", title="编辑报表",
            description="栏目更新频率、专题推荐期稿件数、三审队列与荣誉目标（编辑用）", report=data,
            month_chart=month_chart(data.months, data.month_rows), queue_chart=queue_chart(data.queue),
            period_names=PERIOD_NAMES, noindex=True)
