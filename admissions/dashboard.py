"""The admissions dashboard: weekly figures drawn as SVG on the server.

No script and no other origin: each chart is an inline <svg role="img"> with a
<title> and <desc>, a text legend, and the same numbers as a table for screen
readers and anyone who prefers figures. Colours have at least 3:1 contrast on
white and never carry meaning alone (legend and table name every series).
Aggregation happens in SQL (admissions.selectors); this module only shapes
and draws.
"""

import datetime
import math
import xml.etree.ElementTree as ET  # noqa: S405  (builds our own SVG; parses nothing)
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.safestring import mark_safe

from programs.models import LevelOfCare

from . import selectors
from .models import LeadStatus

WEEK_CHOICES = (8, 12, 26, 52)
DEFAULT_WEEKS = 12
TOP_SOURCES = 5

# Okabe-Ito hues darkened to reach 3:1 against white (WCAG 1.4.11).
PALETTE = ("#0072B2", "#B35900", "#007A5E", "#A3427A", "#4D4D4D", "#6A3D9A", "#8C6D00")

STATUS_GROUPS = (
    ("new", "New", {LeadStatus.NEW}),
    (
        "working",
        "Being worked",
        {
            LeadStatus.CONTACT_ATTEMPTED,
            LeadStatus.CONTACTED,
            LeadStatus.INSURANCE_VERIFICATION,
            LeadStatus.VERIFIED,
            LeadStatus.ASSESSMENT_SCHEDULED,
        },
    ),
    ("admitted", "Admitted", {LeadStatus.ADMITTED}),
    (
        "closed",
        "Closed",
        {
            LeadStatus.NOT_A_FIT,
            LeadStatus.REFERRED_OUT,
            LeadStatus.UNREACHABLE,
            LeadStatus.DECLINED,
            LeadStatus.DUPLICATE,
            LeadStatus.SPAM,
        },
    ),
)


@dataclass
class Series:
    label: str
    color: str
    values: list  # one per week; None = no data


@dataclass
class WeeklyChart:
    slug: str
    title: str
    summary: str
    weeks: list[datetime.date]
    series: list[Series]
    unit: str = "leads"
    format_value: object = field(default=lambda v: str(v))

    @property
    def stacked(self) -> bool:
        return len(self.series) > 1

    def totals(self) -> list:
        return [
            sum(s.values[i] or 0 for s in self.series)
            if any(s.values[i] is not None for s in self.series)
            else None
            for i in range(len(self.weeks))
        ]

    def rows(self):
        """Table rows: week label, each series' value, total."""
        totals = self.totals()
        for i, week in enumerate(self.weeks):
            cells = [self.format_value(s.values[i]) if s.values[i] is not None else "–" for s in self.series]
            total = self.format_value(totals[i]) if totals[i] is not None else "–"
            yield week_label(week, with_year=True), cells, total

    def svg(self):
        return mark_safe(render_svg(self))  # noqa: S308  (ElementTree escapes every text and attribute)


def week_label(week: datetime.date, *, with_year=False) -> str:
    text = f"{week:%b} {week.day}"
    return f"{text}, {week.year}" if with_year else text


TICKS = 4


def axis_step(maximum: float, *, whole: bool) -> float:
    """A round gridline step (1, 2 or 5 x 10^n) giving at most TICKS steps up
    to `maximum`; whole numbers only for counts (no "2.5 leads")."""
    raw = (maximum if maximum > 0 else 1) / TICKS
    exponent = math.floor(math.log10(raw))
    step = next(m * 10**exponent for m in (1, 2, 5, 10) if m * 10**exponent >= raw)
    return max(1, math.ceil(step)) if whole else step


def axis_ticks(maximum: float, *, whole: bool = True) -> list[float]:
    maximum = maximum if maximum > 0 else 1  # an empty chart still gets an axis
    step = axis_step(maximum, whole=whole)
    count = max(1, math.ceil(maximum / step - 1e-9))
    return [round(step * i, 6) for i in range(count + 1)]


WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 14, 44


def render_svg(chart: WeeklyChart) -> str:
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {WIDTH} {HEIGHT}",
            "role": "img",
            "aria-labelledby": f"{chart.slug}-title {chart.slug}-desc",
            "class": "lead-chart-svg",
            "focusable": "false",
        },
    )
    ET.SubElement(svg, "title", {"id": f"{chart.slug}-title"}).text = chart.title
    ET.SubElement(svg, "desc", {"id": f"{chart.slug}-desc"}).text = chart.summary

    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    totals = [t or 0 for t in chart.totals()]
    ticks = axis_ticks(max(totals, default=0), whole=chart.unit == "leads")
    top = ticks[-1]
    axis = ET.SubElement(svg, "g", {"class": "lead-chart-axis", "fill": "currentColor", "font-size": "12"})
    for value in ticks:
        y = TOP + plot_h - plot_h * value / top
        ET.SubElement(
            axis,
            "line",
            {
                "x1": str(LEFT),
                "x2": str(WIDTH - RIGHT),
                "y1": f"{y:.1f}",
                "y2": f"{y:.1f}",
                "stroke": "#999",
                "stroke-width": "0.5",
            },
        )
        label = chart.format_value(value if value % 1 else int(value))
        ET.SubElement(
            axis, "text", {"x": str(LEFT - 6), "y": f"{y + 4:.1f}", "text-anchor": "end"}
        ).text = label

    count = max(len(chart.weeks), 1)
    band = plot_w / count
    bar = band * 0.7
    label_every = 1 if count <= 13 else math.ceil(count / 13)
    bars = ET.SubElement(svg, "g", {"class": "lead-chart-bars"})
    for i, week in enumerate(chart.weeks):
        x = LEFT + band * i + (band - bar) / 2
        base = TOP + plot_h
        for series in chart.series:
            value = series.values[i]
            if not value:
                continue
            height = plot_h * value / top
            base -= height
            rect = ET.SubElement(
                bars,
                "rect",
                {
                    "x": f"{x:.1f}",
                    "y": f"{base:.1f}",
                    "width": f"{bar:.1f}",
                    "height": f"{height:.1f}",
                    "fill": series.color,
                    "stroke": "#fff",
                    "stroke-width": "0.5",
                },
            )
            ET.SubElement(
                rect, "title"
            ).text = f"Week of {week_label(week)}: {series.label} {chart.format_value(value)}"
        if i % label_every == 0:
            ET.SubElement(
                axis,
                "text",
                {
                    "x": f"{LEFT + band * i + band / 2:.1f}",
                    "y": str(HEIGHT - BOTTOM + 18),
                    "text-anchor": "middle",
                },
            ).text = week_label(week)
    ET.SubElement(
        axis, "text", {"x": str(LEFT + plot_w / 2), "y": str(HEIGHT - 6), "text-anchor": "middle"}
    ).text = "Week starting (Monday)"
    return ET.tostring(svg, encoding="unicode", short_empty_elements=True)


def weeks_since(weeks: int, now=None) -> tuple[datetime.datetime, list[datetime.date]]:
    """The local midnight of the Monday `weeks - 1` weeks ago, and every week start since."""
    now = now or timezone.now()
    this_week = selectors.week_start(now)
    first = this_week - datetime.timedelta(weeks=weeks - 1)
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    return start, [first + datetime.timedelta(weeks=i) for i in range(weeks)]


def hours(value) -> str:
    if value is None:
        return "–"
    return f"{value:g} h" if value >= 1 or value == 0 else f"{round(value * 60)} min"


def format_duration(delta: datetime.timedelta | None) -> str:
    if delta is None:
        return "no contacts yet"
    minutes = round(delta.total_seconds() / 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60:02d} min"
    return f"{minutes / 1440:.1f} days"


def _series_from(counts, weeks, keys_labels) -> list[Series]:
    return [
        Series(
            label=label,
            color=PALETTE[i % len(PALETTE)],
            values=[sum(counts.get(w, {}).get(k, 0) for k in keys) for w in weeks],
        )
        for i, (keys, label) in enumerate(keys_labels)
    ]


def build(weeks: int = DEFAULT_WEEKS, *, now=None, in_python: bool | None = None) -> dict:
    """Everything the dashboard page shows for the last `weeks` weeks."""
    start, week_list = weeks_since(weeks, now)
    period = f"{week_label(week_list[0], with_year=True)} to {week_label(week_list[-1], with_year=True)}"

    by_status = selectors.weekly_counts(since=start, dimension="status")
    status_chart = WeeklyChart(
        slug="chart-status",
        title="Leads per week by current status",
        summary=f"Stacked bars, one per week from {period}: leads received that week by where they are now.",
        weeks=week_list,
        series=_series_from(by_status, week_list, [(keys, label) for _, label, keys in STATUS_GROUPS]),
    )

    by_level = selectors.weekly_counts(since=start, dimension="level_of_care")
    level_ids = sorted({k for week in by_level.values() for k in week if k is not None})
    names = dict(LevelOfCare.objects.filter(pk__in=level_ids).values_list("pk", "short_name"))
    level_keys = [([pk], names.get(pk, f"Program {pk}")) for pk in level_ids] + [([None], "Not sure")]
    level_chart = WeeklyChart(
        slug="chart-level",
        title="Leads per week by level of care asked about",
        summary=f"Stacked bars, one per week from {period}: leads by the level of care they asked about.",
        weeks=week_list,
        series=_series_from(by_level, week_list, level_keys),
    )

    by_source = selectors.weekly_counts(since=start, dimension="source")
    source_totals: dict[str, int] = {}
    for week in by_source.values():
        for source, n in week.items():
            source_totals[source or "unknown"] = source_totals.get(source or "unknown", 0) + n
    ranked = sorted(source_totals, key=lambda s: (-source_totals[s], s))
    top = ranked[:TOP_SOURCES]
    rest = ranked[TOP_SOURCES:]
    for week in by_source.values():
        if "" in week:
            week["unknown"] += week.pop("")
    source_keys = [([s], s) for s in top] + ([(rest, "All other sources")] if rest else [])
    source_chart = WeeklyChart(
        slug="chart-source",
        title="Leads per week by source",
        summary=f"Stacked bars, one per week from {period}: leads by where they came from "
        f"(the {TOP_SOURCES} biggest sources, the rest together).",
        weeks=week_list,
        series=_series_from(by_source, week_list, source_keys),
    )

    medians = selectors.weekly_median_first_contact(since=start, in_python=in_python)
    median_chart = WeeklyChart(
        slug="chart-first-contact",
        title="Median time to first contact per week, in hours",
        summary=f"Bars, one per week from {period}: the median time from a request to the first "
        "time staff reached the person, for requests received that week. Lower is better.",
        weeks=week_list,
        series=[
            Series(
                label="Median time to first contact",
                color=PALETTE[0],
                values=[
                    round(medians[w].total_seconds() / 3600, 2) if w in medians else None for w in week_list
                ],
            )
        ],
        unit="hours",
        format_value=hours,
    )

    totals = selectors.status_totals(since=start)
    return {
        "weeks": weeks,
        "period": period,
        "charts": [status_chart, level_chart, source_chart, median_chart],
        "total_leads": sum(totals.values()),
        "status_totals": [(label, totals.get(value, 0)) for value, label in LeadStatus.choices],
        "median_first_contact": format_duration(
            selectors.median_first_contact(since=start, in_python=in_python)
        ),
    }
