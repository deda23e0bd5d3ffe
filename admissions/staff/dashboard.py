"""The admissions dashboard (view_lead_dashboard): leads per week by status,
level of care and source, and the median time to first contact, drawn as SVG
on the server (admissions.staff.charts) from figures read in SQL
(admissions.staff.figures)."""

import datetime

from django import forms
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils import timezone

from admissions.models import STATUS_GROUPS, Channel, LeadStatus
from programs.models import LevelOfCare

from . import figures
from .charts import PALETTE, Series, WeeklyChart, week_label
from .display import format_duration


def hours_only(value) -> str:
    """Every label of an hours axis in hours ("0.5 h", never "30 min" beside "1 h")."""
    return "–" if value is None else f"{value:g} h"


WEEK_CHOICES = (8, 12, 26, 52)
DEFAULT_WEEKS = 12
TOP_SOURCES = 5


def weeks_since(weeks: int, now=None) -> tuple[datetime.datetime, list[datetime.date]]:
    """The local midnight of the Monday `weeks - 1` weeks ago, and every week start since."""
    now = now or timezone.now()
    this_week = figures.week_start(now)
    first = this_week - datetime.timedelta(weeks=weeks - 1)
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    return start, [first + datetime.timedelta(weeks=i) for i in range(weeks)]


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

    by_status = figures.weekly_counts(since=start, dimension="status")
    status_chart = WeeklyChart(
        slug="chart-status",
        title="Leads per week by current status",
        summary=f"Stacked bars, one per week from {period}: leads received that week by where they are now.",
        weeks=week_list,
        series=_series_from(by_status, week_list, [(keys, label) for _, label, keys in STATUS_GROUPS]),
    )

    by_level = figures.weekly_counts(since=start, dimension="level_of_care")
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

    by_source = figures.weekly_counts(since=start, dimension="source")
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

    by_channel = figures.weekly_counts(since=start, dimension="channel")
    channel_chart = WeeklyChart(
        slug="chart-channel",
        title="Leads per week by channel",
        summary=f"Stacked bars, one per week from {period}: leads by how they reached us "
        "(web form, phone call, walk-in, referral or email).",
        weeks=week_list,
        series=_series_from(by_channel, week_list, [([value], label) for value, label in Channel.choices]),
    )

    medians, overall_median = figures.first_contact_medians(since=start, in_python=in_python)
    # One unit for the title, the axis and every tick label: minutes while
    # every week is under two hours, else hours (the axis used to say "12 min"
    # under a title saying hours, its labels mixing both).
    longest = max((m.total_seconds() for m in medians.values()), default=0)
    unit, per = ("minutes", 60) if longest < 2 * 3600 else ("hours", 3600)
    median_chart = WeeklyChart(
        slug="chart-first-contact",
        title=f"Median time to first contact per week, in {unit}",
        summary=f"Bars, one per week from {period}: the median time from a request to the first "
        "time staff reached the person, for requests received that week. Lower is better.",
        weeks=week_list,
        series=[
            Series(
                label="Median time to first contact",
                color=PALETTE[0],
                values=[
                    round(medians[w].total_seconds() / per, 2) if w in medians else None for w in week_list
                ],
            )
        ],
        unit=unit,
        format_value=(lambda v: "–" if v is None else f"{v:g} min") if unit == "minutes" else hours_only,
    )

    totals = figures.status_totals(since=start)
    return {
        "weeks": weeks,
        "period": period,
        "charts": [status_chart, channel_chart, level_chart, source_chart, median_chart],
        "total_leads": sum(totals.values()),
        "status_totals": [(label, totals.get(value, 0)) for value, label in LeadStatus.choices],
        "median_first_contact": format_duration(overall_median),
    }


class DashboardForm(forms.Form):
    weeks = forms.TypedChoiceField(
        label="Weeks shown",
        choices=[(w, f"Last {w} weeks") for w in WEEK_CHOICES],
        coerce=int,
        required=False,
    )


def lead_dashboard(model_admin, request):
    if not request.user.has_perm("admissions.view_lead_dashboard"):
        raise PermissionDenied
    form = DashboardForm(request.GET or None)
    weeks = DEFAULT_WEEKS
    if form.is_bound and form.is_valid() and form.cleaned_data["weeks"]:
        weeks = form.cleaned_data["weeks"]
    elif not form.is_bound:
        form = DashboardForm(initial={"weeks": weeks})
    context = {
        **model_admin.admin_site.each_context(request),
        **build(weeks),
        "opts": model_admin.opts,
        "title": "Admissions dashboard",
        "subtitle": None,
        "form": form,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/admissions/lead/dashboard.html", context)
