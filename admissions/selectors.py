"""Reads for the staff side: the inbox, a lead's submissions and timeline, the
people who work leads, the CSV export rows and the dashboard's weekly figures.

Phone and email are never compared in plaintext: a search term that is a
phone number or an email address is normalized and matched through the keyed
hash columns (Lead.phone_lookup / email_lookup).
"""

import datetime
import statistics
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from .models import ConsultationRequest, InsuranceVerification, Lead, LeadEvent
from .services.intake import email_lookup, normalize_email, normalize_phone, phone_lookup

# Search terms longer than this are not a name, phone or email anyone types.
SEARCH_MAX_LENGTH = 200


def lead_inbox_queryset():
    """Everything one inbox row shows, in one query."""
    return Lead.objects.select_related("assigned_to", "level_of_care")


def lead_search_q(term: str) -> Q | None:
    """What a staff search means, as a filter; None when it matches nothing.

    - contains "@": an email address, matched whole through its keyed hash;
    - a valid phone number in any common form: matched through its keyed hash;
    - otherwise every word must appear in the first or last name (or be the lead's number).
    """
    term = " ".join(term.split())[:SEARCH_MAX_LENGTH]
    if not term:
        return None
    if "@" in term:
        return Q(email_lookup=email_lookup(normalize_email(term)))
    try:
        phone = normalize_phone(term)
    except ValueError:
        pass
    else:
        return Q(phone_lookup=phone_lookup(phone))
    match = Q()
    for word in term.split(" "):
        match &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    if term.isdigit() and len(term) <= 9:
        match |= Q(pk=int(term))
    return match


def lead_submissions(lead: Lead) -> list:
    """Every form this person sent, newest first, consultations and insurance checks together."""
    consultations = ConsultationRequest.objects.filter(lead=lead).select_related(
        "level_of_care", "contact_consent", "automated_contact_consent"
    )
    checks = InsuranceVerification.objects.filter(lead=lead).select_related(
        "carrier", "benefits_authorization"
    )
    return sorted([*consultations, *checks], key=lambda s: (s.submitted_at, s.pk), reverse=True)


def lead_timeline(lead: Lead):
    return LeadEvent.objects.filter(lead=lead).select_related("actor").order_by("-at", "-id")


def lead_other_leads(lead: Lead):
    """Earlier (or later) leads with the same phone or email: the same person
    writing outside the 90-day de-duplication window."""
    match = Q()
    if lead.phone_lookup:
        match |= Q(phone_lookup=lead.phone_lookup)
    if lead.email_lookup:
        match |= Q(email_lookup=lead.email_lookup)
    if not match:
        return Lead.objects.none()
    return Lead.objects.filter(match).exclude(pk=lead.pk).order_by("-received_at")[:20]


def coordinators():
    """Active staff who may work leads (change_lead through a role or directly)."""
    works_leads = Q(
        groups__permissions__codename="change_lead", groups__permissions__content_type__app_label="admissions"
    ) | Q(user_permissions__codename="change_lead", user_permissions__content_type__app_label="admissions")
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(works_leads | Q(is_superuser=True))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


LEAD_SOURCES_CACHE_SECONDS = 600


def lead_sources(*, limit: int = 12) -> list[str]:
    """The most common sources (a spammer can invent any number of them).

    Counting them scans every lead (250 ms at a million), and the inbox shows
    them on every page: kept in the shared cache for ten minutes.
    """

    def count():
        rows = (
            Lead.objects.exclude(source="")
            .values("source")
            .annotate(n=Count("id"))
            .order_by("-n", "source")[:limit]
        )
        return [row["source"] for row in rows]

    return list(cache.get_or_set(f"admissions:lead-sources:{limit}", count, LEAD_SOURCES_CACHE_SECONDS))


# Dashboard ---------------------------------------------------------------------


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
