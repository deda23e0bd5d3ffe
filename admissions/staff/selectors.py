"""Reads for the staff side: the inbox rows, a lead's submissions, timeline
and other leads, the people who work leads, and the inbox's source choices.
(Search: admissions.staff.search; the dashboard's figures: admissions.staff.figures.)
"""

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count, Q

from admissions.models import ConsultationRequest, InsuranceVerification, Lead, LeadEvent


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
