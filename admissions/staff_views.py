"""Staff pages that live under the admin (wired in LeadAdmin.get_urls, so the
admin's login, staff check, CSRF and never-cache wrapping apply to all):

- the lead page (LeadAdmin.change_view): the person's answers, read-only, the
  timeline, and forms to record a call, change status, add a note, assign
  and set a follow-up;
- insurance card images, streamed decrypted to holders of view_card_image;
- the CSV export of the filtered inbox (export_lead);
- the dashboard (view_lead_dashboard);
- the search form's POST target, which puts the term into the inbox URL only
  encrypted (a phone number or name never sits in a URL, a log or history).

Views stay thin: writes go through admissions.services.pipeline, reads
through admissions.selectors; every page view of a lead, file download and
export is written to the audit trail (without patient data).
"""

import csv
import datetime
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone

from . import crypto, dashboard, selectors
from .audit import AuditAction, audit_record
from .models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    ConsultationRequest,
    InsuranceVerification,
    Lead,
    LeadEvent,
    LeadStatus,
    RequestKind,
)
from .services import pipeline

SEARCH_TOKEN_VAR = "s"  # noqa: S105  (a query parameter name, not a secret)
SEARCH_CONTEXT = "admissions.lead.search"
CARD_SIDES = ("front", "back")

# The pipeline in order; the status form suggests the next step.
PIPELINE = [
    LeadStatus.NEW,
    LeadStatus.CONTACT_ATTEMPTED,
    LeadStatus.CONTACTED,
    LeadStatus.INSURANCE_VERIFICATION,
    LeadStatus.VERIFIED,
    LeadStatus.ASSESSMENT_SCHEDULED,
    LeadStatus.ADMITTED,
]


def waiting_threshold() -> datetime.timedelta:
    """A new lead nobody has touched for longer than the call-back time we
    promise on the thank-you page is waiting too long."""
    return datetime.timedelta(minutes=getattr(settings, "ADMISSIONS_CALLBACK_MINUTES", 30))


# Search terms in URLs, encrypted ---------------------------------------------------


def search_token(term: str) -> str:
    return crypto.encrypt_text(term, context=SEARCH_CONTEXT)


def search_term(token: str) -> str:
    """The term behind a token; DecryptionError if it was altered or the key is gone."""
    return crypto.decrypt_text(token, context=SEARCH_CONTEXT)[: selectors.SEARCH_MAX_LENGTH]


def inbox_url(params) -> str:
    url = reverse("admin:admissions_lead_changelist")
    return f"{url}?{urlencode(params, doseq=True)}" if params else url


def without_plain_search(query_dict) -> list[tuple[str, list[str]]]:
    """The query string's parameters with `q` replaced by its encrypted token."""
    params = [
        (key, values) for key, values in query_dict.lists() if key not in ("q", SEARCH_TOKEN_VAR, "p", "e")
    ]
    term = " ".join((query_dict.get("q") or "").split())[: selectors.SEARCH_MAX_LENGTH]
    if term:
        params.append((SEARCH_TOKEN_VAR, [search_token(term)]))
    return params


def lead_search(model_admin, request):
    """The inbox search form posts here; the term goes back only encrypted."""
    if not model_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    post = request.POST.copy()
    post.pop("csrfmiddlewaretoken", None)
    return HttpResponseRedirect(inbox_url(without_plain_search(post)))


# The lead page -----------------------------------------------------------------


class CallForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What happened", choices=LeadEvent.CallOutcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=pipeline.NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(label="New status", choices=LeadStatus.choices)
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=pipeline.NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required for every closed status: why the lead is closed. Optional otherwise.",
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label="Note", max_length=pipeline.NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4})
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label="Coordinator",
        queryset=selectors.coordinators(),
        required=False,
        empty_label="Nobody (unassigned)",
    )


class FollowUpForm(forms.Form):
    follow_up_at = forms.DateTimeField(
        label="Next follow-up",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%m/%d/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Local time (Pacific). Leave empty and press “Clear follow-up” to remove it.",
    )
    note = forms.CharField(
        label="What to do then (optional)",
        required=False,
        max_length=pipeline.NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        # The "Clear follow-up" button (name="clear") empties it on purpose.
        if "clear" not in self.data and not data.get("follow_up_at") and "follow_up_at" not in self.errors:
            self.add_error("follow_up_at", "Choose a date and time, or press “Clear follow-up”.")
        return data


def _do_call(lead, user, data):
    return pipeline.lead_call_attempt_record(
        lead=lead, actor=user, outcome=data["outcome"], note=data["note"]
    )


def _do_status(lead, user, data):
    return pipeline.lead_status_change(
        lead=lead, to_status=data["to_status"], actor=user, reason=data["reason"]
    )


def _do_note(lead, user, data):
    return pipeline.lead_note_add(lead=lead, actor=user, note=data["note"])


def _do_assign(lead, user, data):
    return pipeline.lead_assign(lead=lead, actor=user, assignee=data["assignee"])


def _do_follow_up(lead, user, data):
    when = None if data.get("clear") else data["follow_up_at"]
    return pipeline.lead_follow_up_set(lead=lead, actor=user, follow_up_at=when, note=data["note"])


# name -> (form, service call, message on success, heading on the page)
ACTIONS = {
    "call": (CallForm, _do_call, "Call recorded.", "Record a call"),
    "status": (StatusForm, _do_status, "Status changed.", "Change status"),
    "note": (NoteForm, _do_note, "Note added.", "Add a note"),
    "assign": (AssignForm, _do_assign, "Assignment changed.", "Coordinator"),
    "follow_up": (FollowUpForm, _do_follow_up, "Follow-up updated.", "Follow-up"),
}


def _next_status(lead: Lead) -> str:
    if lead.status in PIPELINE[:-1]:
        return PIPELINE[PIPELINE.index(lead.status) + 1]
    return LeadStatus.CONTACT_ATTEMPTED if lead.status in CLOSED_STATUSES else lead.status


def _blank_forms(lead: Lead) -> dict:
    return {
        "call": CallForm(prefix="call"),
        "status": StatusForm(prefix="status", initial={"to_status": _next_status(lead)}),
        "note": NoteForm(prefix="note"),
        "assign": AssignForm(prefix="assign", initial={"assignee": lead.assigned_to_id}),
        "follow_up": FollowUpForm(
            prefix="follow_up",
            initial={"follow_up_at": timezone.localtime(lead.follow_up_at) if lead.follow_up_at else None},
        ),
    }


def _apply_service_errors(form, error: ValidationError):
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def lead_work(model_admin, request, object_id):
    """The lead's change page: GET shows it, POST runs one action and redirects."""
    lead = model_admin.get_object(request, unquote(object_id))
    if lead is None:
        return model_admin._get_obj_does_not_exist_redirect(request, model_admin.opts, object_id)
    if not model_admin.has_view_or_change_permission(request, lead):
        raise PermissionDenied
    can_change = model_admin.has_change_permission(request, lead)
    page_forms = _blank_forms(lead)
    status = 200
    error_action = ""
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            return HttpResponseBadRequest("Unknown action.")
        form_class, run, done, _ = ACTIONS[action]
        form = form_class(request.POST, prefix=action)
        status = 400
        if form.is_valid():
            cleaned = {**form.cleaned_data, "clear": "clear" in request.POST}
            try:
                run(lead, request.user, cleaned)
            except ValidationError as error:
                _apply_service_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error) or "You may not do that.")
                status = 403
            else:
                audit_record(action=AuditAction.CHANGE, request=request, obj=lead, detail=action)
                model_admin.log_change(request, lead, [{"changed": {"fields": [action]}}])
                messages.success(request, done)
                return HttpResponseRedirect(request.get_full_path())
        page_forms[action] = form
        error_action = action
    else:
        audit_record(action=AuditAction.VIEW, request=request, obj=lead)

    user = request.user
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": f"{lead.first_name} {lead.last_name}",
        "subtitle": None,
        "lead": lead,
        "lead_flags": lead_flags(lead),
        "summary": lead_summary(lead),
        "error_action": error_action,
        "error_title": ACTIONS[error_action][3] if error_action else "",
        "forms_have_errors": bool(error_action),
        "coordinator_name": person_name(lead.assigned_to),
        "forms": page_forms,
        "can_change": can_change,
        "can_reassign": user.has_perm("admissions.reassign_lead"),
        "is_mine": lead.assigned_to_id == user.pk,
        "submissions": [submission_panel(s, user) for s in selectors.lead_submissions(lead)],
        "timeline": [timeline_entry(e) for e in selectors.lead_timeline(lead)],
        "other_leads": list(selectors.lead_other_leads(lead)),
        "has_view_permission": True,
        "preserved_filters": model_admin.get_preserved_filters(request),
        "media": model_admin.media,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/admissions/lead/work.html", context, status=status)


def format_when(value, *, short=False) -> str:
    """Local time; short ("Nov. 24, 4:47 p.m.") in list columns, the year only when it is not this year."""
    if not value:
        return ""
    local = timezone.localtime(value)
    if short:
        pattern = "N j, P" if local.year == timezone.localdate().year else "N j, Y, P"
        return formats.date_format(local, pattern)
    return formats.date_format(local, "DATETIME_FORMAT")


def person_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def lead_flags(lead: Lead, now=None) -> list[tuple[str, str]]:
    """(css modifier, words) for what needs attention; words, not colour alone."""
    now = now or timezone.now()
    flags = []
    # Waiting means nobody has reached the person yet, whatever the status: a
    # lead the automatic insurance check moved to Verified still needs a call.
    if (
        lead.status in OPEN_STATUSES
        and lead.first_contact_at is None
        and now - lead.received_at > waiting_threshold()
    ):
        flags.append(("waiting", f"Waiting {dashboard.format_duration(now - lead.received_at)}"))
    if lead.status in OPEN_STATUSES and lead.follow_up_at and lead.follow_up_at < now:
        flags.append(("overdue", "Follow-up overdue"))
    return flags


def lead_summary(lead: Lead) -> list[tuple[str, str]]:
    contact = (
        dashboard.format_duration(lead.first_contact_at - lead.received_at)
        if lead.first_contact_at
        else "Not yet"
    )
    rows = [
        ("Status", lead.get_status_display()),
        ("Request", lead.get_kind_display()),
        ("Level of care", lead.level_of_care.name if lead.level_of_care else "Not sure"),
        ("Source", lead.source or "unknown"),
        ("Received", format_when(lead.received_at)),
        ("Coordinator", person_name(lead.assigned_to) or "Unassigned"),
        ("Time to first contact", contact),
        ("Follow-up", format_when(lead.follow_up_at) or "None set"),
    ]
    if lead.close_reason:
        rows.append(("Close reason", lead.close_reason))
    return rows


def mask_tail(value: str, keep: int = 4) -> str:
    """'W123456789' -> '****6789'; short values are hidden entirely."""
    value = value or ""
    if not value:
        return ""
    return "****" + value[-keep:] if len(value) > keep + 2 else "****"


def mask_date_of_birth(value) -> str:
    """Only the year, which HIPAA's safe harbour allows (MM/DD hidden)."""
    return f"**/**/{value.year}" if value else ""


def _consent_text(consent) -> str:
    return f"Yes: {consent} (“{consent.text}”)" if consent else "No"


def submission_panel(submission, user) -> dict:
    """A read-only view of one form as sent. Decrypted answers only for staff
    who may view that kind of submission; masked otherwise."""
    is_insurance = isinstance(submission, InsuranceVerification)
    codename = "view_insuranceverification" if is_insurance else "view_consultationrequest"
    full = user.has_perm(f"admissions.{codename}")
    rows = [
        ("Sent", format_when(submission.submitted_at)),
        ("Name", f"{submission.first_name} {submission.last_name}"),
        ("Phone", submission.phone if full else mask_tail(submission.phone)),
        ("Email", submission.email if full else mask_tail(submission.email, keep=0)),
    ]
    cards = []
    if isinstance(submission, ConsultationRequest):
        rows += [
            ("Best time to call", submission.get_best_time_to_call_display()),
            ("Who needs help", submission.get_who_needs_help_display()),
            ("Caller's relation", submission.caller_relation),
            ("Level of care", submission.level_of_care.name if submission.level_of_care else "Not sure"),
            ("Message", submission.message if full else "(hidden)"),
            ("Heard about us", submission.get_heard_about_display()),
            ("Consent to be contacted", _consent_text(submission.contact_consent)),
            ("Consent to automated calls and texts", _consent_text(submission.automated_contact_consent)),
        ]
    else:
        holder = submission.policy_holder != "patient"
        rows += [
            (
                "Date of birth",
                formats.date_format(submission.date_of_birth)
                if full
                else mask_date_of_birth(submission.date_of_birth),
            ),
            ("State", submission.state),
            (
                "Insurance carrier",
                str(submission.carrier) if submission.carrier else f"Other: {submission.carrier_other}",
            ),
            ("Member ID", submission.member_id if full else mask_tail(submission.member_id)),
            ("Group number", submission.group_number if full else mask_tail(submission.group_number)),
            ("Policy holder", submission.get_policy_holder_display()),
        ]
        if holder:
            rows += [
                (
                    "Holder's name",
                    f"{submission.holder_first_name} {submission.holder_last_name}" if full else "(hidden)",
                ),
                (
                    "Holder's date of birth",
                    (
                        formats.date_format(submission.holder_date_of_birth)
                        if full
                        else mask_date_of_birth(submission.holder_date_of_birth)
                    )
                    if submission.holder_date_of_birth
                    else "",
                ),
                ("Holder's relationship", submission.holder_relationship if full else "(hidden)"),
            ]
        rows.append(("Authorization to verify benefits", _consent_text(submission.benefits_authorization)))
        if user.has_perm("admissions.view_card_image"):
            for side in CARD_SIDES:
                if getattr(submission, f"card_{side}"):
                    url = reverse("admin:admissions_lead_card", args=[submission.pk, side])
                    cards.append({"side": side, "label": f"Card {side}", "url": url})
    rows += [
        ("Page", submission.page_url),
        ("Landing page", submission.landing_page),
        ("Referrer", submission.referrer),
        (
            "Campaign",
            " / ".join(
                v for v in (submission.utm_source, submission.utm_medium, submission.utm_campaign) if v
            ),
        ),
        ("Sent from address", submission.client_ip or ""),
    ]
    return {
        "anchor": f"{'insurance' if is_insurance else 'consultation'}-{submission.pk}",
        "heading": ("Insurance verification" if is_insurance else "Consultation request")
        + f" of {format_when(submission.submitted_at)}",
        "rows": [(label, value) for label, value in rows if value not in ("", None)],
        "cards": cards,
        "masked": not full,
    }


def timeline_entry(event: LeadEvent) -> dict:
    if event.kind == LeadEvent.Kind.STATUS:
        what = f"{event.get_from_status_display()} → {event.get_to_status_display()}"
    elif event.kind == LeadEvent.Kind.CALL:
        what = event.get_call_outcome_display()
    else:
        what = ""
    return {
        "at": event.at,
        "when": format_when(event.at),
        "kind": event.get_kind_display(),
        "kind_slug": event.kind,
        "what": what,
        "note": event.note,
        "actor": person_name(event.actor)
        or ("The website" if event.kind == LeadEvent.Kind.SUBMITTED else "Unknown"),
    }


# Card images ----------------------------------------------------------------------


def card_image(model_admin, request, submission_id: int, side: str):
    """A card photo, decrypted, inline, never cached. The intake re-encoded
    every upload to JPEG, so the type is fixed and the browser must not guess."""
    if not request.user.has_perm("admissions.view_card_image"):
        raise PermissionDenied
    if side not in CARD_SIDES:
        raise Http404("No such side.")
    submission = InsuranceVerification.objects.filter(pk=submission_id).first()
    stored = getattr(submission, f"card_{side}", None) if submission else None
    if not stored:
        raise Http404("No card image.")
    with stored.storage.open(stored.name, "rb") as handle:
        data = handle.read()
    audit_record(action=AuditAction.DOWNLOAD, request=request, obj=submission, detail=f"card_{side}")
    response = HttpResponse(data, content_type="image/jpeg")
    response["Content-Disposition"] = f'inline; filename="card-{side}.jpg"'
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Length"] = str(len(data))
    return response


# CSV export -----------------------------------------------------------------------

# What a manager needs to report on the pipeline (volume, sources, outcomes,
# speed to lead, workload) and nothing that identifies or describes the
# person: no name, phone, email, date of birth, member ID, message, notes or
# close reason (free text that may hold clinical detail). The lead number
# opens the record in the admin when someone must look closer.
EXPORT_COLUMNS = [
    "lead",
    "received",
    "status",
    "request",
    "level_of_care",
    "source",
    "coordinator",
    "first_contact",
    "minutes_to_first_contact",
    "follow_up",
    "last_activity",
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """A spreadsheet must never run a cell as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


EXPORT_FIELDS = [
    "pk",
    "received_at",
    "status",
    "kind",
    "level_of_care__name",
    "source",
    "assigned_to__username",
    "first_contact_at",
    "follow_up_at",
    "last_activity_at",
]
STATUS_LABELS = dict(LeadStatus.choices)
KIND_LABELS = dict(RequestKind.choices)


def export_rows(queryset):
    """CSV rows from plain tuples: at 100,000 leads, building a model instance
    per row would cost more than the query."""
    zone = timezone.get_current_timezone()

    def iso(value):
        return value.astimezone(zone).isoformat(timespec="minutes") if value else ""

    fields = queryset.values_list(*EXPORT_FIELDS)
    for pk, received, status, kind, level, source, username, contact, follow_up, activity in fields.iterator(
        chunk_size=2000
    ):
        minutes = round((contact - received).total_seconds() / 60) if contact else ""
        yield [
            csv_safe(value)
            for value in (
                pk,
                iso(received),
                STATUS_LABELS.get(status, status),
                KIND_LABELS.get(kind, kind),
                level or "Not sure",
                source,
                username or "",
                iso(contact),
                minutes,
                iso(follow_up),
                iso(activity),
            )
        ]


class _Echo:
    def write(self, value):
        return value


def lead_export(model_admin, request):
    """The inbox as filtered and searched now, as CSV (export_lead only)."""
    if not request.user.has_perm("admissions.export_lead"):
        raise PermissionDenied
    try:
        changelist = model_admin.get_changelist_instance(request)
    except IncorrectLookupParameters:
        return HttpResponseBadRequest("These filters do not work together; clear them and try again.")
    queryset = changelist.queryset
    rows = changelist.result_count
    audit_record(
        action=AuditAction.EXPORT, request=request, object_type="admissions.lead", detail=f"rows={rows}"
    )
    writer = csv.writer(_Echo())

    def lines():
        # A few hundred rows per chunk: the response encodes each chunk, not each line.
        chunk = [writer.writerow(EXPORT_COLUMNS)]
        for row in export_rows(queryset):
            chunk.append(writer.writerow(row))
            if len(chunk) >= 500:
                yield "".join(chunk)
                chunk = []
        yield "".join(chunk)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="leads-{stamp}.csv"'
    response["Cache-Control"] = "no-store, private"
    return response


# Dashboard --------------------------------------------------------------------------


class DashboardForm(forms.Form):
    weeks = forms.TypedChoiceField(
        label="Weeks shown",
        choices=[(w, f"Last {w} weeks") for w in dashboard.WEEK_CHOICES],
        coerce=int,
        required=False,
    )


def lead_dashboard(model_admin, request):
    if not request.user.has_perm("admissions.view_lead_dashboard"):
        raise PermissionDenied
    form = DashboardForm(request.GET or None)
    weeks = dashboard.DEFAULT_WEEKS
    if form.is_bound and form.is_valid() and form.cleaned_data["weeks"]:
        weeks = form.cleaned_data["weeks"]
    elif not form.is_bound:
        form = DashboardForm(initial={"weeks": weeks})
    context = {
        **model_admin.admin_site.each_context(request),
        **dashboard.build(weeks),
        "opts": model_admin.opts,
        "title": "Admissions dashboard",
        "subtitle": None,
        "form": form,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/admissions/lead/dashboard.html", context)
