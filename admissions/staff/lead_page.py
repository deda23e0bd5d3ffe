"""The lead's page (LeadAdmin.change_view), built for a coordinator on the
phone: the person's answers, read-only, the timeline, one small form per
action (admissions.staff.lead_actions), and each insurance request's
automatic check and benefits verification, which admissions.staff.eligibility
and admissions.staff.benefits hand over as panels while the page is built.

Views stay thin: writes go through admissions.services.pipeline, reads
through admissions.staff.selectors; every view of a lead is audited (without
patient data).
"""

import datetime

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import capfirst

from admissions.access.audit import audit_record
from admissions.contact import format_phone, split_extension, tel_href
from admissions.models import AuditAction, ConsentText, InsuranceVerification, Lead, LeadEvent, LeadStatus

from . import benefits, eligibility, schedule, screening, selectors
from .cards import CARD_SIDES
from .display import format_duration, format_when, mask_date_of_birth, mask_tail, person_name
from .lead_actions import ACTIONS, apply_service_errors, blank_forms


def lead_work(model_admin, request, object_id):
    """The lead's change page: GET shows it, POST runs one action and redirects."""
    lead = model_admin.get_object(request, unquote(object_id))
    if lead is None:
        return model_admin._get_obj_does_not_exist_redirect(request, model_admin.opts, object_id)
    if not model_admin.has_view_or_change_permission(request, lead):
        raise PermissionDenied
    can_change = model_admin.has_change_permission(request, lead)
    page_forms = blank_forms(lead)
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
                apply_service_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error) or "You may not do that.")
                status = 403
            else:
                audit_record(action=AuditAction.CHANGE, request=request, obj=lead, detail=action)
                model_admin.log_change(request, lead, [{"changed": {"fields": [action]}}])
                messages.success(request, done)
                if action == "spam_delete":
                    return HttpResponseRedirect(reverse("admin:admissions_lead_changelist"))
                return HttpResponseRedirect(request.get_full_path())
        page_forms[action] = form
        error_action = action
    else:
        audit_record(action=AuditAction.VIEW, request=request, obj=lead)

    user = request.user
    sent = selectors.lead_submissions(lead)
    submissions = [submission_panel(s, user, lead=lead, can_split=can_change and len(sent) > 1) for s in sent]
    # Each insurance request's automatic check, keyed by its submission's anchor.
    checks = eligibility.panels_for_lead(lead, user=user, can_change=can_change)
    # Each insurance request's benefits verification (staff.benefits), the same way.
    vob = benefits.panels_for_lead(lead, user=user)
    for submission in submissions:
        submission["eligibility"] = checks.get(submission["anchor"])
        submission["benefits"] = vob.get(submission["anchor"])
    timeline = [timeline_entry(e) for e in selectors.lead_timeline(lead)]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": f"{lead.first_name} {lead.last_name}",
        "subtitle": None,
        "lead": lead,
        "lead_flags": lead_flags(lead),
        "summary": lead_summary(lead, insurance_check=eligibility.newest_headline(submissions)),
        "error_action": error_action,
        "error_title": ACTIONS[error_action][3] if error_action else "",
        "forms_have_errors": bool(error_action),
        "coordinator_name": person_name(lead.assigned_to),
        "forms": page_forms,
        "can_change": can_change,
        "can_reassign": user.has_perm("admissions.reassign_lead"),
        "can_hand_off": lead.status == LeadStatus.ADMITTED and user.has_perm("admissions.export_fhir_bundle"),
        # The latest pre-admission screen and its link (staff.screening); None without the role.
        "screening": screening.panel_for_lead(lead, user=user),
        # Appointments, seat and waitlist place (staff.schedule); None without the role.
        "scheduling": schedule.panel_for_lead(lead, user=user),
        "is_mine": lead.assigned_to_id == user.pk,
        "submissions": submissions,
        "timeline": timeline,
        "call": call_card(
            lead, sent, user=user, timeline=timeline, insurance_check=eligibility.newest_headline(submissions)
        ),
        "other_leads": list(selectors.lead_other_leads(lead)),
        "has_view_permission": True,
        "preserved_filters": model_admin.get_preserved_filters(request),
        "media": model_admin.media,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/admissions/lead/work.html", context, status=status)


def lead_flags(lead: Lead, now=None) -> list[tuple[str, str]]:
    """(css modifier, words) for what needs attention; words, not colour alone."""
    now = now or timezone.now()
    flags = []
    if lead.is_waiting(now):
        flags.append(("waiting", f"Waiting {format_duration(now - lead.received_at)}"))
    if lead.is_overdue(now):
        flags.append(("overdue", "Follow-up overdue"))
    if lead.possible_spam:
        flags.append(("spam", "Possible spam"))
    if lead.contact_stopped_at is not None:
        flags.append(("stopped", "Do not contact"))
    return flags


def lead_summary(lead: Lead, *, insurance_check: str = "") -> list[tuple[str, str]]:
    contact = (
        format_duration(lead.first_contact_at - lead.received_at) if lead.first_contact_at else "Not yet"
    )
    rows = [
        ("Lead", str(lead.pk)),
        ("Status", lead.get_status_display()),
        ("Came in by", lead.get_channel_display()),
        ("Request", lead.get_kind_display()),
        ("Level of care", lead.level_of_care.name if lead.level_of_care else "Not sure"),
        ("Source", lead.source or "unknown"),
        ("Received", format_when(lead.received_at)),
        ("Coordinator", person_name(lead.assigned_to) or "Unassigned"),
        ("Time to first contact", contact),
        ("Follow-up", format_when(lead.follow_up_at) or "None set"),
    ]
    if lead.referred_by_id:
        rows.append(("Referred by", str(lead.referred_by)))
    if lead.referred_to_id:
        rows.append(("Referred to", str(lead.referred_to)))
    if lead.close_reason:
        rows.append(("Close reason", lead.close_reason))
    if insurance_check:
        # Whether coverage is active is the first thing a coordinator needs:
        # nobody should have to scroll past every form to learn it.
        rows.append(("Insurance check", insurance_check))
    return rows


def _consent_text(consent) -> str:
    return f"Yes: {consent} (“{consent.text}”)" if consent else "No"


MASKS = {
    "tail": mask_tail,
    "year": mask_date_of_birth,
    "hidden": lambda value: "(hidden)" if value not in ("", None) else "",
}


def _answer(submission, field, *, full: bool) -> str:
    """One answer as the lead page shows it: choices in words, consent with
    its wording, dates in the local format, masked for readers without the
    view permission of this kind of request."""
    value = getattr(submission, field.name)
    if not full and field.name in submission.staff_masks:
        return MASKS[submission.staff_masks[field.name]](value)
    if value in ("", None):
        return ""
    if field.choices:
        return getattr(submission, f"get_{field.name}_display")()
    if field.is_relation and field.related_model is ConsentText:
        return _consent_text(value)
    if isinstance(value, datetime.date):
        return formats.date_format(value)
    return str(value)


def _answers(submission, *, full: bool) -> list[tuple[str, str]]:
    """Every answer of the form, in the model's field order, each labelled by
    its verbose_name: a new question shows up by itself. Photos show as links."""
    return [
        (capfirst(field.verbose_name), _answer(submission, field, full=full))
        for field in submission._meta.concrete_fields
        if field.name not in submission.RECORD_FIELDS and not isinstance(field, models.FileField)
    ]


def _conflict(value: str, lead_value: str, shown: str) -> str:
    """A contact on a request that differs from the lead's: de-duplication
    never copies it onto the lead, so a coordinator confirms it first."""
    if value and lead_value and value != lead_value:
        return f"{shown} (not the lead's: confirm with the person before using it)"
    if value and not lead_value:
        return f"{shown} (not on the lead: confirm with the person before using it)"
    return shown


def submission_panel(submission, user, *, lead=None, can_split=False) -> dict:
    """A read-only view of one form as sent. Decrypted answers only for staff
    who may view that kind of submission; masked otherwise."""
    is_insurance = isinstance(submission, InsuranceVerification)
    codename = "view_insuranceverification" if is_insurance else "view_consultationrequest"
    full = user.has_perm(f"admissions.{codename}")
    phone = format_phone(submission.phone) if full else mask_tail(split_extension(submission.phone)[0])
    email = submission.email if full else mask_tail(submission.email, keep=0)
    if lead is not None and full:
        phone = _conflict(split_extension(submission.phone)[0], split_extension(lead.phone)[0], phone)
        email = _conflict(submission.email, lead.email, email)
    rows = [
        ("Sent", format_when(submission.submitted_at)),
        ("Came in by", submission.get_channel_display()),
        ("Name", f"{submission.first_name} {submission.last_name}"),
        ("Phone", phone),
        ("Email", email),
        *_answers(submission, full=full),
    ]
    cards = []
    if is_insurance and user.has_perm("admissions.view_card_image"):
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
        "split_value": f"{'insurance' if is_insurance else 'consultation'}-{submission.pk}"
        if can_split
        else "",
    }


def call_card(lead: Lead, sent: list, *, user, timeline: list, insurance_check: str = "") -> dict:
    """What a coordinator needs with the phone at the ear, at the top of the
    page: whom to call and their relation, the number (a tel: link, with the
    extension), the best time, what they wrote, the patient if someone else,
    the insurance check in one line and the last three timeline entries."""
    consultation = next((s for s in sent if not isinstance(s, InsuranceVerification)), None)
    insurance = next((s for s in sent if isinstance(s, InsuranceVerification)), None)
    caller = f"{lead.first_name} {lead.last_name}"
    patient = ""
    if consultation is not None and (consultation.patient_first_name or consultation.patient_last_name):
        patient = f"{consultation.patient_first_name} {consultation.patient_last_name}".strip()
    elif insurance is not None:
        named = f"{insurance.first_name} {insurance.last_name}"
        patient = named if named != caller else ""
    may_read = user.has_perm("admissions.view_consultationrequest")
    return {
        "caller": caller,
        "relation": consultation.caller_relation if consultation is not None else "",
        "phone": format_phone(lead.phone),
        "tel": tel_href(lead.phone) if lead.phone else "",
        "email": lead.email,
        "best_time": consultation.get_best_time_to_call_display() if consultation is not None else "",
        "message": (consultation.message if may_read else "(hidden)")
        if consultation and consultation.message
        else "",
        "patient": patient,
        "insurance_check": insurance_check,
        "recent": timeline[:3],
        "blocked": lead.contact_stopped_at is not None,
        "stopped_when": format_when(lead.contact_stopped_at) if lead.contact_stopped_at else "",
        "stopped_how": lead.get_contact_stopped_via_display(),
    }


def _site_actor(event: LeadEvent) -> str:
    """Who did it when no person did: the site took the request in, and the
    only status move without a person is the automatic insurance check's."""
    if event.kind == LeadEvent.Kind.SUBMITTED:
        return "The website"
    if event.kind in (LeadEvent.Kind.STATUS, LeadEvent.Kind.BENEFITS):
        return "the website (automatic insurance check)"
    if event.kind == LeadEvent.Kind.SEAT:
        return "the website (a seat was freed)"
    return "Unknown"


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
        "actor": person_name(event.actor) or _site_actor(event),
    }
