"""Admissions in the Django admin: registrations and routes only.

What each page does lives in admissions.staff: the inbox (staff.inbox,
staff.search), the lead page (staff.lead_page, staff.lead_actions,
staff.eligibility), benefits verification and its work queue (staff.benefits),
the pre-admission screening and its clinician sign-off (staff.screening),
card images (staff.cards), the CSV export (staff.export) and the dashboard
(staff.dashboard). Submissions are read-only everywhere;
their lists mask member ID and date of birth. Nobody but a superuser deletes
a lead.
"""

from functools import update_wrapper

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.options import ShowFacets
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import PermissionDenied
from django.db.models import DurationField, ExpressionWrapper, F
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html

from .access.audit import audit_list_view, audit_record
from .access.readonly import ReadOnlyAdminMixin
from .contact import format_phone
from .models import (
    AuditAction,
    BlockedSubmission,
    ConsentText,
    ConsultationRequest,
    InsuranceCarrier,
    InsuranceVerification,
    Lead,
    ProgramTrack,
    ReferralPartner,
)
from .staff import (
    benefits,
    capacity,
    cards,
    dashboard,
    eligibility,
    export,
    handoff,
    lead_page,
    new_lead,
    referrals,
    schedule,
    screening,
    search,
    selectors,
    today,
)
from .staff.display import format_duration, format_when, mask_date_of_birth, mask_tail, person_name
from .staff.inbox import (
    AttentionFilter,
    CoordinatorFilter,
    LanguageFilter,
    LeadChangeList,
    LeadStatusFilter,
    SourceFilter,
    flags_html,
)


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    # Most urgent first: on a phone the table scrolls sideways after these.
    # Fits 1280 px: number, person, phone, status and flags, waiting time,
    # follow-up, coordinator. Kind and level of care are on the lead page.
    list_display = [
        "number",
        "person",
        "phone_column",
        "status_column",
        "received",
        "follow_up",
        "coordinator",
    ]
    list_display_links = ["number", "person"]
    list_filter = [
        LeadStatusFilter,
        CoordinatorFilter,
        AttentionFilter,
        "kind",
        "level_of_care",
        LanguageFilter,
        SourceFilter,
        ("received_at", admin.DateFieldListFilter),
    ]
    # Replaced by get_search_results (keyed tokens: admissions.staff.search);
    # declared so the admin shows the search box.
    search_fields = ["first_name", "last_name"]
    search_help_text = (
        "A first or last name (accents and capitals don't matter), the last 4 or 7 digits or a whole "
        "phone number, a whole email address, or a lead number. Searches every status."
    )
    list_select_related = ["assigned_to", "level_of_care"]
    list_per_page = 50
    # Counting every lead on each page view is wasted work at 100,000 rows.
    show_full_result_count = False
    show_facets = ShowFacets.NEVER
    actions_on_top = False
    actions_on_bottom = True

    class Media:
        css = {"all": ["admin-extra/leads.css"]}

    # Permissions: leads come from the public forms and from coordinators
    # recording a call, walk-in, referral or email (staff.new_lead); they stay.

    def has_add_permission(self, request):
        return request.user.is_active and request.user.has_perm("admissions.add_lead")

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        return HttpResponseRedirect(reverse("admin:admissions_lead_new"))

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    # Inbox

    def get_queryset(self, request):
        queryset = (
            super()
            .get_queryset(request)
            .select_related("assigned_to", "level_of_care")
            .annotate(in_spanish=selectors.in_spanish())
        )
        if settings.ADMISSIONS_ALERT_EMAIL.strip():
            queryset = queryset.annotate(alert_late=selectors.alert_not_sent())
        return queryset

    def get_changelist(self, request, **kwargs):
        return LeadChangeList

    def get_search_results(self, request, queryset, search_term):
        match = search.lead_search_q(search_term)
        return (queryset if match is None else queryset.filter(match)), False

    def changelist_view(self, request, extra_context=None):
        if (request.GET.get(SEARCH_VAR) or "").strip():
            # A plain search term in the URL (a bookmark, a typed address):
            # move it into the encrypted parameter before anything else sees it.
            return HttpResponseRedirect(search.inbox_url(search.without_plain_search(request.GET)))
        query = request.GET.urlencode()
        extra_context = {
            "title": "Leads",
            "can_add_lead": self.has_add_permission(request),
            "export_url": reverse("admin:admissions_lead_export") + (f"?{query}" if query else ""),
            "can_export": request.user.has_perm("admissions.export_lead"),
            "can_see_dashboard": request.user.has_perm("admissions.view_lead_dashboard"),
            **(extra_context or {}),
        }
        # Issue 15 #10: a look at the inbox is in the audit trail.
        return audit_list_view(request, super().changelist_view(request, extra_context))

    @admin.display(description="lead", ordering="pk")
    def number(self, lead):
        return lead.pk

    # Names are encrypted: no ordering by them in the database.
    @admin.display(description="person")
    def person(self, lead):
        return f"{lead.first_name} {lead.last_name}"

    @admin.display(description="phone")
    def phone_column(self, lead):
        phone = format_phone(lead.phone) or "–"
        if getattr(lead, "in_spanish", False):
            # Who should call back: a coordinator who speaks Spanish.
            return format_html('{} <span class="lead-flag lead-flag--spanish">Spanish</span>', phone)
        return phone

    @admin.display(description="status", ordering="status")
    def status_column(self, lead):
        flags = lead_page.lead_flags(lead)
        if getattr(lead, "alert_late", False):
            flags.append(("alert", "Alert not sent"))
        return format_html("{}{}", lead.get_status_display(), flags_html(flags))

    @admin.display(description="received", ordering="received_at")
    def received(self, lead):
        return format_when(lead.received_at, short=True)

    @admin.display(description="level of care", ordering="level_of_care__short_name")
    def level(self, lead):
        return lead.level_of_care.short_name if lead.level_of_care else "Not sure"

    @admin.display(description="coordinator", ordering="assigned_to__username")
    def coordinator(self, lead):
        return person_name(lead.assigned_to) or "Unassigned"

    @admin.display(
        description="time to first contact",
        ordering=ExpressionWrapper(F("first_contact_at") - F("received_at"), output_field=DurationField()),
    )
    def first_contact(self, lead):
        if lead.first_contact_at:
            return format_duration(lead.first_contact_at - lead.received_at)
        return "Not yet" if lead.is_open else "–"

    @admin.display(description="follow-up", ordering="follow_up_at")
    def follow_up(self, lead):
        if not lead.follow_up_at:
            return "–"
        overdue = [("overdue", "Follow-up overdue")] if lead.is_overdue() else []
        return format_html("{}{}", format_when(lead.follow_up_at, short=True), flags_html(overdue))

    # The lead page and the staff views

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return lead_page.lead_work(self, request, object_id)

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        obj = response.context_data.get("object") if hasattr(response, "context_data") else None
        if obj is not None:
            audit_record(action=AuditAction.VIEW, request=request, obj=obj, detail="history")
        return response

    def get_urls(self):
        def wrap(view):
            def bound(request, *args, **kwargs):
                return view(self, request, *args, **kwargs)

            return self.admin_site.admin_view(update_wrapper(bound, view))

        return [
            path("dashboard/", wrap(dashboard.lead_dashboard), name="admissions_lead_dashboard"),
            path("export/", wrap(export.lead_export), name="admissions_lead_export"),
            path("search/", wrap(search.lead_search), name="admissions_lead_search"),
            path("new/", wrap(new_lead.lead_new), name="admissions_lead_new"),
            path("today/", wrap(today.lead_today), name="admissions_lead_today"),
            path("referrals/", wrap(referrals.referral_report_view), name="admissions_lead_referrals"),
            path("benefits/", wrap(benefits.benefits_queue_view), name="admissions_lead_benefits_queue"),
            path("schedule/", wrap(schedule.schedule_day), name="admissions_lead_schedule_day"),
            path("capacity/", wrap(capacity.capacity_page), name="admissions_lead_capacity"),
            path("<int:lead_id>/schedule/", wrap(schedule.lead_schedule), name="admissions_lead_schedule"),
            path(
                "<int:lead_id>/benefits/<int:verification_id>/",
                wrap(benefits.benefits_view),
                name="admissions_lead_benefits",
            ),
            path(
                "cards/<int:submission_id>/<str:side>/",
                wrap(cards.card_image),
                name="admissions_lead_card",
            ),
            path("<int:lead_id>/handoff/", wrap(handoff.lead_handoff), name="admissions_lead_handoff"),
            path(
                "<int:lead_id>/screening/new/",
                wrap(screening.screening_new),
                name="admissions_lead_screening_new",
            ),
            path(
                "<int:lead_id>/screening/<int:screening_id>/",
                wrap(screening.screening_page),
                name="admissions_lead_screening",
            ),
            path(
                "<int:lead_id>/eligibility/<int:verification_id>/rerun/",
                wrap(eligibility.rerun),
                name="admissions_lead_eligibility_rerun",
            ),
            path(
                "<int:lead_id>/eligibility/check/<int:check_id>/raw/",
                wrap(eligibility.raw),
                name="admissions_lead_eligibility_raw",
            ),
            *super().get_urls(),
        ]


# Submissions: read-only lists; the lead page shows each in full ---------------------


class SubmissionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_per_page = 50
    show_full_result_count = False
    date_hierarchy = None

    class Media:
        css = {"all": ["admin-extra/leads.css"]}

    def has_delete_permission(self, request, obj=None):
        # Only as part of deleting their lead, which only a superuser may do.
        return request.user.is_active and request.user.is_superuser

    def changelist_view(self, request, extra_context=None):
        # Issue 15 #10: a look at a submission list is in the audit trail.
        return audit_list_view(request, super().changelist_view(request, extra_context))

    @admin.display(description="person", ordering="last_name")
    def person(self, submission):
        url = reverse("admin:admissions_lead_change", args=[submission.lead_id])
        return format_html('<a href="{}">{} {}</a>', url, submission.first_name, submission.last_name)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """One place to read a person's answers (and one audit trail): the lead page."""
        submission = self.get_object(request, object_id)
        if submission is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_permission(request, submission):
            raise PermissionDenied
        kind = "insurance" if isinstance(submission, InsuranceVerification) else "consultation"
        url = reverse("admin:admissions_lead_change", args=[submission.lead_id])
        return HttpResponseRedirect(f"{url}#{kind}-{submission.pk}")


@admin.register(InsuranceVerification)
class InsuranceVerificationAdmin(SubmissionAdmin):
    list_display = [
        "person",
        "submitted_at",
        "carrier_name",
        "state",
        "member_id_masked",
        "date_of_birth_masked",
        "has_cards",
    ]
    list_display_links = None
    list_filter = ["carrier", "state", ("submitted_at", admin.DateFieldListFilter)]
    list_select_related = ["carrier"]

    @admin.display(description="carrier")
    def carrier_name(self, submission):
        return str(submission.carrier) if submission.carrier else f"Other: {submission.carrier_other}"

    @admin.display(description="member ID")
    def member_id_masked(self, submission):
        return mask_tail(submission.member_id)

    @admin.display(description="date of birth")
    def date_of_birth_masked(self, submission):
        return mask_date_of_birth(submission.date_of_birth)

    @admin.display(description="card photos", boolean=True)
    def has_cards(self, submission):
        return bool(submission.card_front or submission.card_back)


@admin.register(ConsultationRequest)
class ConsultationRequestAdmin(SubmissionAdmin):
    list_display = [
        "person",
        "submitted_at",
        "who_needs_help",
        "level_of_care",
        "best_time_to_call",
        "heard_about",
    ]
    list_display_links = None
    list_filter = [
        "who_needs_help",
        "level_of_care",
        "heard_about",
        ("submitted_at", admin.DateFieldListFilter),
    ]
    list_select_related = ["level_of_care"]


# Reference data -----------------------------------------------------------------------


@admin.register(InsuranceCarrier)
class InsuranceCarrierAdmin(admin.ModelAdmin):
    list_display = ["name", "order", "active"]
    list_editable = ["order", "active"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        # Submissions point at carriers (PROTECT); untick "active" instead.
        return False


@admin.register(ConsentText)
class ConsentTextAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Consent wording is evidence: a new version is added, never edited."""

    list_display = ["kind", "language", "version", "effective_from"]
    list_filter = ["kind", "language"]

    def has_add_permission(self, request, obj=None):
        return admin.ModelAdmin.has_add_permission(self, request)


@admin.register(BlockedSubmission)
class BlockedSubmissionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["day", "kind", "reason", "count"]
    list_filter = ["kind", "reason", ("day", admin.DateFieldListFilter)]


@admin.register(ReferralPartner)
class ReferralPartnerAdmin(admin.ModelAdmin):
    """Who refers people to us and whom we refer them to. No fee, commission
    or per-admission credit anywhere (California H&S §11831.6, EKRA): see
    admissions.models.referrals."""

    list_display = ["name", "kind", "owner", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]
    filter_horizontal = ["levels_of_care", "payers"]

    def has_delete_permission(self, request, obj=None):
        return False  # leads point at partners: untick "active" instead


@admin.register(ProgramTrack)
class ProgramTrackAdmin(admin.ModelAdmin):
    """Groups and houses with their seats or beds (managers). Seats are taken
    and freed on each lead's schedule page; the census is at
    /admin/admissions/lead/capacity/."""

    list_display = ["name", "level", "seats", "meets", "next_start_on", "active"]
    list_filter = ["level", "active"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        return False  # seats and waitlists point at tracks: untick "active" instead

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "seats" in form.changed_data:
            # More seats: the waitlist is offered them, first come, first served.
            capacity.seats_changed(obj, user=request.user)
