"""The dashboard's figures, aggregated in SQL: leads per week by a column,
the median time to first contact, totals by status."""

import datetime
import statistics
from collections import defaultdict

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F
from django.db.models.functions import TruncWeek
from django.utils import timezone

from admissions.models import Lead


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


def weekly_counts(*, since: datetime.datetime, dimension: str) -> dict[datetime.date, dict]:
    """{week: {value of `dimension`: number of leads received}} for leads since `since`."""
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
    contacted = Lead.objects.filter(received_at__gte=since, first_contact_at__isnull=False)
    if in_python is None:
        in_python = connection.vendor != "postgresql"
    if not in_python:
        return contacted.aggregate(median=Median(_time_to_first_contact(), output_field=DurationField()))[
            "median"
        ]
    seconds = [(b - a).total_seconds() for a, b in contacted.values_list("received_at", "first_contact_at")]
    return datetime.timedelta(seconds=statistics.median(seconds)) if seconds else None


def status_totals(*, since: datetime.datetime) -> dict[str, int]:
    rows = Lead.objects.filter(received_at__gte=since).values("status").annotate(n=Count("id")).order_by()
    return {row["status"]: row["n"] for row in rows}
