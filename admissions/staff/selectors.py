"""Reads for the staff side: the inbox rows, a lead's submissions, timeline
and other leads, the people who work leads, and the inbox's source choices.
(Search: admissions.staff.search; the dashboard's figures: admissions.staff.figures.)
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, F, Min, OuterRef, Q
from django.utils import timezone

from admissions.contact import reached_by
from admissions.models import (
    OPEN_BENEFITS_STATUSES,
    OPEN_STATUSES,
    SPEAKS_SPANISH,
    SUBMISSION_MODELS,
    BenefitsVerification,
    Channel,
    ConsultationRequest,
    EligibilityCheck,
    InsuranceVerification,
    Lead,
    LeadEvent,
    LeadStatus,
    PreAdmissionScreening,
    ReferralPartner,
)


def lead_inbox_queryset():
    """Everything one inbox row shows, in one query."""
    return Lead.objects.select_related("assigned_to", "level_of_care")


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


# Alerts that never went out --------------------------------------------------------


def _owed_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.ADMISSIONS_ALERT_OWED_AFTER_SECONDS)


def requests_with_late_alert(*, now=None) -> list[tuple[str, int]]:
    """(kind, id) of stored requests whose staff alert is not sent more than
    ADMISSIONS_ALERT_OWED_AFTER_SECONDS after they arrived (the sweep,
    `manage.py send_owed_alerts`, keeps trying): for the inbox's "alert not sent"."""
    now = now or timezone.now()
    late = []
    for kind, model in SUBMISSION_MODELS.items():
        rows = model.objects.filter(staff_alert_sent_at=None, submitted_at__lt=now - _owed_after())
        late.extend((str(kind), pk) for pk in rows.order_by("submitted_at").values_list("pk", flat=True))
    return late


def alert_not_sent(*, now=None):
    """An expression for a lead: one of its requests still owes the staff alert."""
    now = now or timezone.now()
    before = now - _owed_after()
    return Exists(
        ConsultationRequest.objects.filter(
            lead=OuterRef("pk"), staff_alert_sent_at=None, submitted_at__lt=before
        )
    ) | Exists(
        InsuranceVerification.objects.filter(
            lead=OuterRef("pk"), staff_alert_sent_at=None, submitted_at__lt=before
        )
    )


def in_spanish():
    """An expression for a lead: one of its requests came through the Spanish
    form or asks us to use Spanish (the inbox's badge and language filter).
    PostgreSQL keeps it on the lead (Lead.spanish, admissions/models/spanish.py),
    so the filter reads an index at a million leads; other databases (SQLite
    for `make run`) ask the requests."""
    if connection.vendor == "postgresql":
        return F("spanish")
    return Exists(ConsultationRequest.objects.filter(SPEAKS_SPANISH, lead=OuterRef("pk"))) | Exists(
        InsuranceVerification.objects.filter(SPEAKS_SPANISH, lead=OuterRef("pk"))
    )


# The coordinator's day -------------------------------------------------------------

TODAY_LIMIT = 100


def today_leads(user, *, now=None) -> list[Lead]:
    """The "Today" view: open leads waiting for a first call, and follow-ups
    due today or overdue; the user's own first, then the longest waiting.
    Two index-backed queries (waiting: status + received_at; follow-ups:
    follow_up_at), each bounded, merged in Python."""
    now = now or timezone.now()
    local_end = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(now) + datetime.timedelta(days=1), datetime.time.min)
    )
    base = Lead.objects.select_related("assigned_to").defer("email", "close_reason")
    waiting = list(
        base.waiting(now).exclude(contact_stopped_at__isnull=False).order_by("received_at")[:TODAY_LIMIT]
    )
    due = list(
        base.open()
        .filter(follow_up_at__lt=local_end, contact_stopped_at__isnull=True)
        .order_by("follow_up_at")[:TODAY_LIMIT]
    )
    seen, rows = set(), []
    for lead in waiting + due:
        if lead.pk not in seen:
            seen.add(lead.pk)
            rows.append(lead)

    def key(lead):
        mine = lead.assigned_to_id == user.pk
        due_at = lead.follow_up_at if lead.follow_up_at and lead.follow_up_at < local_end else None
        return (not mine, due_at or lead.received_at)

    return sorted(rows, key=key)[:TODAY_LIMIT]


def lead_matches(*, phone: str = "", email: str = "") -> list[Lead]:
    """Open leads with this phone or email (keyed hashes): the leads a
    coordinator recording a call is offered to attach it to."""
    match = reached_by(phone=phone, email=email)
    if match is None:
        return []
    return list(Lead.objects.open().filter(match).order_by("-received_at")[:5])


def channel_counts(*, since) -> list[tuple[str, int]]:
    """Leads received since a moment, per channel (the dashboard's split)."""
    rows = (
        Lead.objects.filter(received_at__gte=since)
        .values("channel")
        .annotate(n=Count("id"))
        .order_by("-n", "channel")
    )
    labels = dict(Channel.choices)
    return [(labels.get(row["channel"], row["channel"]), row["n"]) for row in rows]


# Referral partners -----------------------------------------------------------------


def referral_report() -> list[dict]:
    """Per partner: inquiries (leads it referred), admissions, conversion and
    the median days from inquiry to admission."""
    partners = ReferralPartner.objects.annotate(
        inquiries=Count("referred_leads"),
        admitted=Count("referred_leads", filter=Q(referred_leads__status=LeadStatus.ADMITTED)),
    ).order_by("-inquiries", "name")
    admit_at = dict(
        LeadEvent.objects.filter(to_status=LeadStatus.ADMITTED, lead__referred_by__isnull=False)
        .values_list("lead_id")
        .annotate(first=Min("at"))
    )
    waits: dict[int, list[float]] = {}
    for lead_id, partner_id, received in Lead.objects.filter(pk__in=list(admit_at)).values_list(
        "pk", "referred_by_id", "received_at"
    ):
        waits.setdefault(partner_id, []).append((admit_at[lead_id] - received).total_seconds() / 86400)
    report = []
    for partner in partners:
        days = sorted(waits.get(partner.pk, []))
        median = days[len(days) // 2] if days else None
        report.append(
            {
                "partner": partner,
                "inquiries": partner.inquiries,
                "admitted": partner.admitted,
                "conversion": (partner.admitted / partner.inquiries * 100) if partner.inquiries else None,
                "median_days": median,
            }
        )
    return report


# Benefits verification (admissions.staff.benefits) -------------------------------


def benefits_queue():
    """Insurance requests of open leads whose benefits nobody has finished: no record
    yet, not started, or in progress; the oldest request first, with who holds each."""
    return (
        InsuranceVerification.objects.filter(lead__status__in=OPEN_STATUSES)
        .filter(Q(benefits__isnull=True) | Q(benefits__status__in=OPEN_BENEFITS_STATUSES))
        .select_related("lead", "carrier", "benefits", "benefits__held_by")
        .order_by("submitted_at", "pk")
    )


def benefits_of_lead(lead: Lead) -> dict:
    """Insurance request id -> its benefits record, for the lead page."""
    records = BenefitsVerification.objects.filter(verification__lead=lead).select_related("held_by")
    return {record.verification_id: record for record in records}


def benefits_checks(verification) -> tuple:
    """The newest answered plan check of a request and its carve-out re-check (either may be None)."""
    plan = (
        EligibilityCheck.objects.filter(
            verification=verification, carve_out_of=None, checked_at__isnull=False
        )
        .order_by("-attempt")
        .first()
    )
    recheck = EligibilityCheck.objects.filter(carve_out_of=plan).first() if plan else None
    return plan, recheck


def lead_screenings(lead: Lead):
    """A lead's pre-admission screens, newest first, with their people and substances."""
    return (
        PreAdmissionScreening.objects.filter(lead=lead)
        .select_related("started_by", "updated_by", "signed_off_by", "referred_to")
        .prefetch_related("substances")
        .order_by("-started_at", "-pk")
    )


def lead_screening(lead: Lead, screening_id: int) -> PreAdmissionScreening | None:
    return lead_screenings(lead).filter(pk=screening_id).first()


def referral_destinations():
    """Partners a clinician may refer a screened person to: active ones."""
    return ReferralPartner.objects.filter(active=True).order_by("name")
