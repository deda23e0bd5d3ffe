"""The admissions dashboard: weekly figures drawn as SVG on the server.

No script and no other origin: each chart is an inline <svg role="img"> with a
<title> and <desc>, a text legend, and the same numbers as a table for screen
readers and anyone who prefers figures. Colours have at least 3:1 contrast on
white and never carry meaning alone (legend and table name every series).
Aggregation happens in SQL (admissions.staff.figures); this module only
draws, and admissions.staff.dashboard decides what.
"""

import datetime
import math
import xml.etree.ElementTree as ET  # noqa: S405  (builds our own SVG; parses nothing)
from dataclasses import dataclass, field

from django.utils.safestring import mark_safe

# Okabe-Ito hues darkened to reach 3:1 against white (WCAG 1.4.11).
PALETTE = ("#0072B2", "#B35900", "#007A5E", "#A3427A", "#4D4D4D", "#6A3D9A", "#8C6D00")


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
    ticks = axis_ticks(max(totals, default=0), whole=chart.unit in ("leads", "minutes"))
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
