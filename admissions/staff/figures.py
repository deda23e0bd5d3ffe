"""The dashboard's figures, aggregated in SQL: leads per week by a column,
the median time to first contact, totals by status.

On PostgreSQL the counts come from LeadWeek (admissions.models.weekly: per
week and status, channel, level of care and source, kept in step by a
trigger), a few hundred rows instead of every lead received in the period;
the medians walk the index lead_contact_delay_week (migration 0015: per local
week, leads in order of their delay to first contact) to the middle of each
week, and for the whole period merge the weeks' ranges in delay order and
stop at its middle. Neither reads more than half the period's contacted leads,
nor sorts them. Elsewhere (SQLite for `make run`, and the `*_live` functions
the tests compare with) the leads are counted directly.
"""

import datetime
import statistics
from collections import defaultdict

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from admissions.models import Lead, LeadWeek
from admissions.models.weekly import week_sql


class Median(Aggregate):
    """PostgreSQL's percentile_cont(0.5): the median of an ordered set."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False


def week_start(moment: datetime.datetime) -> datetime.date:
    """The local Monday a moment falls in (what TruncWeek groups by)."""
    local = timezone.localtime(moment).date()
    return local - datetime.timedelta(days=local.weekday())


def _week_key(value) -> datetime.date:
    return timezone.localtime(value).date() if isinstance(value, datetime.datetime) else value


def _aggregated(since: datetime.datetime) -> bool:
    """Whether LeadWeek can answer: on PostgreSQL, for a period starting at a
    local Monday midnight (as dashboard.weeks_since gives)."""
    local = timezone.localtime(since)
    return connection.vendor == "postgresql" and local.time() == datetime.time.min and local.weekday() == 0


def _first_week(since: datetime.datetime) -> datetime.date:
    return timezone.localtime(since).date()


def weekly_counts(*, since: datetime.datetime, dimension: str) -> dict[datetime.date, dict]:
    """{week: {value of `dimension`: number of leads received}} for leads since `since`."""
    if not _aggregated(since):
        return weekly_counts_live(since=since, dimension=dimension)
    column = "level_of_care_id" if dimension == "level_of_care" else dimension
    rows = (
        LeadWeek.objects.filter(week__gte=_first_week(since))
        .values_list("week", column)
        .annotate(n=Sum("leads"))
        .filter(n__gt=0)  # over the slots: one slot alone may be negative
        .order_by()
    )
    result: dict[datetime.date, dict] = defaultdict(lambda: defaultdict(int))
    for week, value, n in rows:
        result[week][value] += n
    return result


def weekly_counts_live(*, since: datetime.datetime, dimension: str) -> dict[datetime.date, dict]:
    """weekly_counts from the leads themselves."""
    rows = (
        Lead.objects.filter(received_at__gte=since)
        .annotate(week=TruncWeek("received_at"))
        .values("week", dimension)
        .annotate(n=Count("id"))
        .order_by()
    )
    result: dict[datetime.date, dict] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        result[_week_key(row["week"])][row[dimension]] += row["n"]
    return result


def _time_to_first_contact():
    return ExpressionWrapper(F("first_contact_at") - F("received_at"), output_field=DurationField())


def weekly_median_first_contact(
    *, since: datetime.datetime, in_python: bool | None = None
) -> dict[datetime.date, datetime.timedelta]:
    """Median time from request to first contact, per week the request came in.

    In SQL on PostgreSQL; other databases (SQLite for `make run`) have no
    ordered-set aggregates, so there the durations are fetched and the median
    taken in Python (fine for a development database).
    """
    if in_python is None and _aggregated(since):
        return {week: median for week, median in _indexed_medians(since).items() if week is not None}
    contacted = Lead.objects.filter(received_at__gte=since, first_contact_at__isnull=False)
    if in_python is None:
        in_python = connection.vendor != "postgresql"
    if not in_python:
        rows = (
            contacted.annotate(week=TruncWeek("received_at"))
            .values("week")
            .annotate(median=Median(_time_to_first_contact(), output_field=DurationField()))
            .order_by()
        )
        return {_week_key(row["week"]): row["median"] for row in rows}
    by_week = defaultdict(list)
    for received_at, first_contact_at in contacted.values_list("received_at", "first_contact_at"):
        by_week[week_start(received_at)].append((first_contact_at - received_at).total_seconds())
    return {week: datetime.timedelta(seconds=statistics.median(values)) for week, values in by_week.items()}


def median_first_contact(
    *, since: datetime.datetime, in_python: bool | None = None
) -> datetime.timedelta | None:
    if in_python is None and _aggregated(since):
        return _indexed_medians(since).get(None)
    contacted = Lead.objects.filter(received_at__gte=since, first_contact_at__isnull=False)
    if in_python is None:
        in_python = connection.vendor != "postgresql"
    if not in_python:
        return contacted.aggregate(median=Median(_time_to_first_contact(), output_field=DurationField()))[
            "median"
        ]
    seconds = [(b - a).total_seconds() for a, b in contacted.values_list("received_at", "first_contact_at")]
    return datetime.timedelta(seconds=statistics.median(seconds)) if seconds else None


def first_contact_medians(
    *, since: datetime.datetime, in_python: bool | None = None
) -> tuple[dict[datetime.date, datetime.timedelta], datetime.timedelta | None]:
    """The median time to first contact per week and over the whole period:
    one query on PostgreSQL (the dashboard shows both)."""
    if in_python is None and _aggregated(since):
        medians = _indexed_medians(since)
        overall = medians.pop(None, None)
        return medians, overall
    return (
        weekly_median_first_contact(since=since, in_python=in_python),
        median_first_contact(since=since, in_python=in_python),
    )


def status_totals(*, since: datetime.datetime) -> dict[str, int]:
    if not _aggregated(since):
        return status_totals_live(since=since)
    rows = (
        LeadWeek.objects.filter(week__gte=_first_week(since))
        .values_list("status")
        .annotate(n=Sum("leads"))
        .filter(n__gt=0)
        .order_by()
    )
    return dict(rows)


def status_totals_live(*, since: datetime.datetime) -> dict[str, int]:
    rows = Lead.objects.filter(received_at__gte=since).values("status").annotate(n=Count("id")).order_by()
    return {row["status"]: row["n"] for row in rows}


_DELAY = "first_contact_at - received_at"


def _middle(n: int) -> tuple[int, int]:
    """OFFSET and LIMIT of the middle value(s) of n sorted values (their mean is percentile_cont(0.5))."""
    return (n - 1) // 2, 2 - n % 2


def _indexed_medians(since: datetime.datetime) -> dict:
    """{week: median delay, None: the median of the whole period} in two queries
    on lead_contact_delay_week; the contacted counts come from LeadWeek."""
    counts = dict(
        LeadWeek.objects.filter(week__gte=_first_week(since))
        .values_list("week")
        .annotate(n=Sum("contacted"))
        .filter(n__gt=0)
        .order_by()
    )
    if not counts:
        return {}
    weeks = sorted(counts)
    in_week = f"first_contact_at IS NOT NULL AND {week_sql('received_at')} = %s::timestamp"
    per_week = " UNION ALL ".join(
        f"(SELECT %s::date AS week, {_DELAY} AS delay FROM admissions_lead WHERE {in_week} "  # noqa: S608
        f"ORDER BY {week_sql('received_at')}, {_DELAY} OFFSET %s LIMIT %s)"
        for _ in weeks
    )
    merged = " UNION ALL ".join(
        f"(SELECT {_DELAY} AS delay FROM admissions_lead WHERE {in_week} ORDER BY {_DELAY})"  # noqa: S608
        for _ in weeks
    )
    offset, limit = _middle(sum(counts.values()))
    per_week_params = [p for week in weeks for p in (week, week, *_middle(counts[week]))]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT week, avg(delay) FROM ({per_week}) AS middle GROUP BY week "  # noqa: S608 - no input in the SQL
            f"UNION ALL SELECT NULL, avg(delay) FROM "
            f"(SELECT delay FROM ({merged}) AS period ORDER BY delay OFFSET %s LIMIT %s) AS middle",
            [*per_week_params, *weeks, offset, limit],
        )
        return dict(cursor.fetchall())
