"""Admissions staff in the Django admin.

The lead inbox (open leads first, needs-attention flags in words, search by
name or by whole phone/email through the keyed hashes), the lead page with
its timeline and actions (admissions.staff_views), card images, the CSV
export and the dashboard. Submissions are read-only everywhere; their lists
mask member ID and date of birth. Nobody but a superuser deletes a lead.
"""

import datetime
from functools import update_wrapper

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters, ShowFacets
from django.contrib.admin.views.main import SEARCH_VAR, ChangeList, ChangeListSearchForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import DurationField, ExpressionWrapper, F
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from . import dashboard, selectors, staff_views
from .audit import AuditAction, audit_record
from .crypto import DecryptionError
from .eligibility import staff as eligibility_staff
from .models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    BlockedSubmission,
    ConsentText,
    ConsultationRequest,
    InsuranceCarrier,
    InsuranceVerification,
    Lead,
    LeadStatus,
)
from .staff_views import SEARCH_TOKEN_VAR, mask_date_of_birth, mask_tail, person_name

# Filters ------------------------------------------------------------------------


class LeadStatusFilter(admin.SimpleListFilter):
    """Open leads unless asked otherwise: the inbox is the work still to do."""

    title = "status"
    parameter_name = "status"
    DEFAULT = "open"

    def lookups(self, request, model_admin):
        return [
            ("open", "Open (default)"),
            ("closed", "Closed, any reason"),
            ("all", "All"),
            *LeadStatus.choices,
        ]

    def current(self) -> str:
        return self.value() or self.DEFAULT

    def queryset(self, request, queryset):
        value = self.current()
        if value == "all":
            return queryset
        if value == "open":
            return queryset.filter(status__in=OPEN_STATUSES)
        if value == "closed":
            return queryset.filter(status__in=CLOSED_STATUSES)
        if value in LeadStatus.values:
            return queryset.filter(status=value)
        raise IncorrectLookupParameters(f"unknown status filter {value!r}")

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.current() == lookup,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: lookup} if lookup != self.DEFAULT else {},
                    remove=[self.parameter_name] if lookup == self.DEFAULT else None,
                ),
                "display": title,
            }


class CoordinatorFilter(admin.SimpleListFilter):
    title = "coordinator"
    parameter_name = "coordinator"

    def lookups(self, request, model_admin):
        people = [(str(user.pk), person_name(user)) for user in selectors.coordinators()]
        return [("me", "My leads"), ("none", "Unassigned"), *people]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value == "me":
            return queryset.filter(assigned_to=request.user)
        if value == "none":
            return queryset.filter(assigned_to__isnull=True)
        if value.isdigit():
            return queryset.filter(assigned_to_id=int(value))
        raise IncorrectLookupParameters(f"unknown coordinator filter {value!r}")


class AttentionFilter(admin.SimpleListFilter):
    title = "needs attention"
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        minutes = int(staff_views.waiting_threshold().total_seconds() // 60)
        return [
            ("overdue", "Follow-up overdue"),
            ("today", "Follow-up due today"),
            ("waiting", f"Not yet reached, waiting over {minutes} min"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        now = timezone.now()
        if value is None:
            return queryset
        if value == "overdue":
            return queryset.filter(status__in=OPEN_STATUSES, follow_up_at__lt=now)
        if value == "today":
            today = timezone.localdate()
            start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
            return queryset.filter(
                status__in=OPEN_STATUSES,
                follow_up_at__gte=start,
                follow_up_at__lt=start + datetime.timedelta(days=1),
            )
        if value == "waiting":
            return queryset.filter(
                status__in=OPEN_STATUSES,
                first_contact_at__isnull=True,
                received_at__lt=now - staff_views.waiting_threshold(),
            )
        raise IncorrectLookupParameters(f"unknown attention filter {value!r}")


class SourceFilter(admin.SimpleListFilter):
    """The most common sources only: utm_source is whatever a link says, so a
    spammer could otherwise fill this list with thousands of entries."""

    title = "source"
    parameter_name = "source"

    def lookups(self, request, model_admin):
        sources = selectors.lead_sources()
        value = request.GET.get(self.parameter_name)
        if value and value not in sources:
            sources.append(value)
        return [(source, source) for source in sources]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset if value is None else queryset.filter(source=value)


# Search with the term encrypted in the URL ----------------------------------------


class EncryptedSearchForm(ChangeListSearchForm):
    """Reads the search term from the encrypted `s` parameter."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[SEARCH_TOKEN_VAR] = forms.CharField(required=False)

    def clean(self):
        data = super().clean()
        token = data.get(SEARCH_TOKEN_VAR)
        if token and not data.get(SEARCH_VAR):
            try:
                data[SEARCH_VAR] = staff_views.search_term(token)
            except DecryptionError:
                raise ValidationError("That search link no longer works. Please search again.") from None
        return data


class LeadChangeList(ChangeList):
    search_form_class = EncryptedSearchForm

    def get_filters_params(self, params=None):
        lookup_params = super().get_filters_params(params)
        lookup_params.pop(SEARCH_TOKEN_VAR, None)
        return lookup_params

    def get_queryset(self, request, exclude_parameters=None):
        # Neither the inbox nor the CSV export shows phone or email: leave the
        # ciphertext unread instead of decrypting two values per row.
        return super().get_queryset(request, exclude_parameters).defer("phone", "email")


# Leads ------------------------------------------------------------------------------


def _flags(flags) -> str:
    return format_html_join(
        "", ' <span class="lead-flag lead-flag--{}">{}</span>', ((slug, words) for slug, words in flags)
    )


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    # Most urgent first: on a phone the table scrolls sideways after these.
    list_display = [
        "person",
        "status_column",
        "received",
        "follow_up",
        "coordinator",
        "first_contact",
        "kind",
        "level",
    ]
    list_display_links = ["person"]
    list_filter = [
        LeadStatusFilter,
        CoordinatorFilter,
        AttentionFilter,
        "kind",
        "level_of_care",
        SourceFilter,
        ("received_at", admin.DateFieldListFilter),
    ]
    # Replaced by get_search_results (names, and phone/email through the hash);
    # declared so the admin shows the search box.
    search_fields = ["first_name", "last_name"]
    search_help_text = "A name (or part of one), a whole phone number in any format, a whole email address, or a lead number."
    list_select_related = ["assigned_to", "level_of_care"]
    list_per_page = 50
    # Counting every lead on each page view is wasted work at 100,000 rows.
    show_full_result_count = False
    show_facets = ShowFacets.NEVER
    actions_on_top = False
    actions_on_bottom = True

    class Media:
        css = {"all": ["admin-extra/leads.css"]}

    # Permissions: leads come only from the public forms and stay.

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    # Inbox

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("assigned_to", "level_of_care")

    def get_changelist(self, request, **kwargs):
        return LeadChangeList

    def get_search_results(self, request, queryset, search_term):
        match = selectors.lead_search_q(search_term)
        return (queryset if match is None else queryset.filter(match)), False

    def changelist_view(self, request, extra_context=None):
        if (request.GET.get(SEARCH_VAR) or "").strip():
            # A plain search term in the URL (a bookmark, a typed address):
            # move it into the encrypted parameter before anything else sees it.
            return HttpResponseRedirect(staff_views.inbox_url(staff_views.without_plain_search(request.GET)))
        query = request.GET.urlencode()
        extra_context = {
            "export_url": reverse("admin:admissions_lead_export") + (f"?{query}" if query else ""),
            "can_export": request.user.has_perm("admissions.export_lead"),
            "can_see_dashboard": request.user.has_perm("admissions.view_lead_dashboard"),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    @admin.display(description="person", ordering="last_name")
    def person(self, lead):
        return f"{lead.first_name} {lead.last_name}"

    @admin.display(description="status", ordering="status")
    def status_column(self, lead):
        return format_html("{}{}", lead.get_status_display(), _flags(staff_views.lead_flags(lead)))

    @admin.display(description="received", ordering="received_at")
    def received(self, lead):
        return staff_views.format_when(lead.received_at, short=True)

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
            return dashboard.format_duration(lead.first_contact_at - lead.received_at)
        return "Not yet" if lead.is_open else "–"

    @admin.display(description="follow-up", ordering="follow_up_at")
    def follow_up(self, lead):
        if not lead.follow_up_at:
            return "–"
        overdue = [flag for flag in staff_views.lead_flags(lead) if flag[0] == "overdue"]
        return format_html("{}{}", staff_views.format_when(lead.follow_up_at, short=True), _flags(overdue))

    # The lead page and the staff views

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = staff_views.lead_work(self, request, object_id)
        return eligibility_staff.with_check_panels(self, request, response)

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
            path("dashboard/", wrap(staff_views.lead_dashboard), name="admissions_lead_dashboard"),
            path("export/", wrap(staff_views.lead_export), name="admissions_lead_export"),
            path("search/", wrap(staff_views.lead_search), name="admissions_lead_search"),
            path(
                "cards/<int:submission_id>/<str:side>/",
                wrap(staff_views.card_image),
                name="admissions_lead_card",
            ),
            path(
                "<int:lead_id>/eligibility/<int:verification_id>/rerun/",
                wrap(eligibility_staff.rerun),
                name="admissions_lead_eligibility_rerun",
            ),
            path(
                "<int:lead_id>/eligibility/check/<int:check_id>/raw/",
                wrap(eligibility_staff.raw),
                name="admissions_lead_eligibility_raw",
            ),
            *super().get_urls(),
        ]


# Submissions: read-only lists; the lead page shows each in full ---------------------


class SubmissionAdmin(admin.ModelAdmin):
    list_per_page = 50
    show_full_result_count = False
    date_hierarchy = None

    class Media:
        css = {"all": ["admin-extra/leads.css"]}

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Only as part of deleting their lead, which only a superuser may do.
        return request.user.is_active and request.user.is_superuser

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
class ConsentTextAdmin(admin.ModelAdmin):
    """Consent wording is evidence: a new version is added, never edited."""

    list_display = ["kind", "version", "effective_from"]
    list_filter = ["kind"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BlockedSubmission)
class BlockedSubmissionAdmin(admin.ModelAdmin):
    list_display = ["day", "kind", "reason", "count"]
    list_filter = ["kind", "reason", ("day", admin.DateFieldListFilter)]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
