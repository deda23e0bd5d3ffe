"""The automatic insurance check on the lead page (routes in admissions/admin.py).

- `panels_for_lead`: for each insurance verification of a lead, the latest
  check in plain words, when it ran, its status, earlier attempts, the
  re-check with a behavioural-health administrator a carve-out led to, and
  the links and button the user may use; the lead page asks for them while it
  is built, and `newest_headline` gives its summary line;
- `rerun`: the "Re-run eligibility check" button (POST, CSRF from the admin
  wrapper, change_lead), audited, queues the next attempt;
- `raw`: the raw 270 and 271 of one check, for superusers and holders of
  view_eligibility_raw only, audited.

Everything the payer said is shown through the template's autoescaping:
payer messages and names are untrusted input.
"""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from admissions.access.audit import audit_record
from admissions.eligibility.plain_words import describe
from admissions.eligibility.records import Status
from admissions.eligibility.tasks import (
    automatic_checks_enabled,
    eligibility_check_rerun,
    max_attempts,
    stored_result,
)
from admissions.models import AuditAction, EligibilityCheck, InsuranceVerification, Lead

from .display import format_when, person_name

RAW_PERMISSION = "admissions.view_eligibility_raw"
# An attempt still unanswered after this long has probably lost its worker.
STALE_AFTER = datetime.timedelta(minutes=10)


def anchor_for(verification_id: int) -> str:
    """The lead page's anchor of an insurance submission (lead_page.submission_panel)."""
    return f"insurance-{verification_id}"


def can_see_raw(user) -> bool:
    return bool(user.is_active and (user.is_superuser or user.has_perm(RAW_PERMISSION)))


def _latest_words(row: EligibilityCheck) -> list[str]:
    result = stored_result(row)
    if result is None:
        return []
    return [line for line in describe(result).splitlines() if line.strip()]


def _result_words(row: EligibilityCheck) -> str:
    return Status(row.status).label if row.finished else "Not answered yet"


def _when(row: EligibilityCheck) -> tuple[str, str]:
    """("Checked", when) once answered, ("Queued", when) before."""
    if row.finished:
        return "Checked", format_when(row.checked_at)
    return "Queued", format_when(row.requested_at)


def headline(row: EligibilityCheck) -> str:
    """One line for the lead's summary: the result and when it ran."""
    verb, when = _when(row)
    return f"{_result_words(row)} ({verb.lower()} {when}); details under “What they sent”"


def _facts(row: EligibilityCheck, now) -> list[tuple[str, str]]:
    facts = [("Result", _result_words(row)), _when(row)]
    who = person_name(row.requested_by) if row.requested_by_id else ""
    facts.append(("Attempt", f"{row.attempt}" + (f", re-run by {who}" if who else ", automatic")))
    if row.retry_at and row.finished:
        when = format_when(row.retry_at)
        overdue = " (overdue: press Re-run)" if row.retry_at < now - STALE_AFTER else ""
        facts.append(("Next try", f"{when}, up to {max_attempts()} tries in a row{overdue}"))
    if row.backend:
        facts.append(("Checked through", row.backend))
    if row.trace_number:
        facts.append(("Trace number", row.trace_number))
    return facts


def panel(verification_id: int, rows: list[EligibilityCheck], *, user, lead: Lead, can_change: bool) -> dict:
    """What the lead page shows for one verification request; rows newest first."""
    now = timezone.now()
    latest = rows[0] if rows else None
    may_read = user.has_perm("admissions.view_insuranceverification")
    enabled = automatic_checks_enabled()
    data = {
        "id": f"eligibility-{verification_id}",
        "latest": latest,
        "enabled": enabled,
        "facts": _facts(latest, now) if latest else [],
        "headline": headline(latest) if latest else "",
        "lines": _latest_words(latest) if latest and may_read else [],
        "hidden": bool(latest and latest.finished and not may_read),
        "stale": bool(latest and not latest.finished and latest.requested_at < now - STALE_AFTER),
        "earlier": [
            {
                "attempt": row.attempt,
                "when": format_when(row.checked_at or row.requested_at),
                "status": Status(row.status).label if row.finished else "Not answered",
                "reason": row.error_reason,
            }
            for row in rows[1:]
        ],
        "can_rerun": can_change and enabled,
        "rerun_url": reverse("admin:admissions_lead_eligibility_rerun", args=[lead.pk, verification_id]),
        "raw_url": (
            reverse("admin:admissions_lead_eligibility_raw", args=[lead.pk, latest.pk])
            if latest and latest.finished and can_see_raw(user)
            else ""
        ),
    }
    return data


def panels_for_lead(lead: Lead, *, user, can_change: bool) -> dict[str, dict]:
    """Anchor of each insurance submission -> its check panel. Three queries
    however many attempts; only the newest answer of each request is decrypted."""
    verification_ids = list(InsuranceVerification.objects.filter(lead=lead).values_list("pk", flat=True))
    rows: dict[int, list[EligibilityCheck]] = {pk: [] for pk in verification_ids}
    checks = (
        EligibilityCheck.objects.filter(verification_id__in=verification_ids, carve_out_of=None)
        .select_related("requested_by")
        .defer("result", "response_raw", "request_sent")
        .order_by("verification_id", "-attempt")
    )
    for row in checks:
        rows[row.verification_id].append(row)
    latest_ids = [found[0].pk for found in rows.values() if found]
    answers = {
        row.pk: row.result for row in EligibilityCheck.objects.filter(pk__in=latest_ids).only("pk", "result")
    }
    # The newest answers' re-checks with a behavioural-health administrator (issue 11).
    rechecks = {
        row.carve_out_of_id: row for row in EligibilityCheck.objects.filter(carve_out_of_id__in=latest_ids)
    }
    panels = {}
    for verification_id, found in rows.items():
        if found:
            found[0].result = answers.get(found[0].pk, "")
        data = panel(verification_id, found, user=user, lead=lead, can_change=can_change)
        recheck = rechecks.get(found[0].pk) if found else None
        if recheck is not None:
            data["carve_out"] = {
                "result": _result_words(recheck),
                "lines": _latest_words(recheck)
                if user.has_perm("admissions.view_insuranceverification")
                else [],
                "raw_url": reverse("admin:admissions_lead_eligibility_raw", args=[lead.pk, recheck.pk])
                if recheck.finished and can_see_raw(user)
                else "",
            }
        panels[anchor_for(verification_id)] = data
    return panels


def rerun(model_admin, request, lead_id: int, verification_id: int):
    """POST only: queue the next attempt of this request's check, then back to the lead."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    lead = model_admin.get_object(request, str(lead_id))
    if lead is None:
        raise Http404("No such lead.")
    if not model_admin.has_change_permission(request, lead):
        raise PermissionDenied
    verification = InsuranceVerification.objects.filter(pk=verification_id, lead=lead).first()
    if verification is None:
        raise Http404("No such insurance request on this lead.")
    back = reverse("admin:admissions_lead_change", args=[lead.pk]) + f"#eligibility-{verification.pk}"
    if not automatic_checks_enabled():
        messages.error(request, "No automatic insurance check is set up (ELIGIBILITY_BACKEND is manual).")
        return HttpResponseRedirect(back)
    row = eligibility_check_rerun(verification=verification, user=request.user)
    audit_record(
        action=AuditAction.CHANGE,
        request=request,
        obj=lead,
        detail=f"eligibility_rerun insurance={verification.pk} attempt={row.attempt}",
    )
    messages.success(
        request, f"Eligibility check queued (attempt {row.attempt}); the answer appears here when it is in."
    )
    return HttpResponseRedirect(back)


def raw(model_admin, request, lead_id: int, check_id: int):
    """The 270 sent and the 271 received, escaped, for those allowed to read raw X12."""
    if not can_see_raw(request.user):
        raise PermissionDenied
    lead = model_admin.get_object(request, str(lead_id))
    if lead is None or not model_admin.has_view_or_change_permission(request, lead):
        raise Http404("No such lead.")
    row = (
        EligibilityCheck.objects.select_related("verification")
        .filter(pk=check_id, verification__lead=lead)
        .first()
    )
    if row is None:
        raise Http404("No such eligibility check.")
    audit_record(action=AuditAction.VIEW, request=request, obj=lead, detail=f"eligibility_raw check={row.pk}")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": f"Raw eligibility check {row.attempt} (lead {lead.pk})",
        "subtitle": None,
        "lead": lead,
        "check": row,
        "status": Status(row.status).label,
        "checked": format_when(row.checked_at),
    }
    request.current_app = model_admin.admin_site.name
    # The admin wrapper marks it never-cache (no-store), like every admin page.
    return TemplateResponse(request, "admin/admissions/lead/eligibility_raw.html", context)


def newest_headline(submissions: list[dict]) -> str:
    """The summary line of the newest insurance request that has a check;
    `submissions` are the lead page's panels, newest first, each with its
    "eligibility" panel (or None)."""
    for submission in submissions:
        check = submission.get("eligibility")
        if check and check["latest"]:
            return check["headline"]
    return ""
