"""Mail sent after a request is stored: the staff alert (speed to lead) and the
auto-reply to the person. Both run through Django's tasks framework.

Task arguments are stored in the database by the queue, so they are only the
request's kind and id, never anything a person typed. Each message goes out
at most once per submission (a timestamp set under a row lock); a mail failure
schedules a retry with backoff and never affects the stored request.
"""

import datetime
import logging
from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import dateformat, timezone

from admissions.models import SUBMISSION_MODELS, InsuranceVerification, RequestKind
from programs.models import SiteFacts

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
# Wait before attempt 2, 3, ...: about five hours in all, enough for most
# mail outages, short enough that staff still call back the same day.
RETRY_DELAYS = (60, 300, 900, 3600, 3 * 3600)


class MailNotSent(Exception):
    """Raised after the last attempt so the queue shows the task as failed.
    The message names the request by kind and id only."""


def _admin_lead_url(lead_id: int) -> str:
    try:
        path = reverse("admin:admissions_lead_change", args=[lead_id])
    except NoReverseMatch:  # admin not registered (e.g. a stripped-down deployment)
        path = f"/{settings.ADMIN_PATH}admissions/lead/{lead_id}/change/"
    return urljoin(settings.SITE_URL + "/", path.lstrip("/"))


def staff_alert_message(submission) -> EmailMessage | None:
    recipients = [a.strip() for a in settings.ADMISSIONS_ALERT_EMAIL.split(",") if a.strip()]
    if not recipients:
        logger.warning("ADMISSIONS_ALERT_EMAIL is empty: no staff alert for submission %s", submission.pk)
        return None
    lead = submission.lead
    level = getattr(submission, "level_of_care", None) or lead.level_of_care
    context = {
        "kind": RequestKind(_kind_of(submission)).label,
        "level_of_care": level.name if level else "Not sure / not asked",
        "received": dateformat.format(timezone.localtime(submission.submitted_at), "D, M j, Y, g:i A T"),
        "returning": lead.received_at != submission.submitted_at,
        "lead_id": lead.pk,
        "admin_url": _admin_lead_url(lead.pk),
    }
    return EmailMessage(
        subject=f"New {context['kind'].lower()} request (lead {lead.pk})",
        body=render_to_string("admissions/email/staff_alert.txt", context),
        to=recipients,
    )


def auto_reply_message(submission) -> EmailMessage | None:
    if not submission.email:
        return None
    facts = SiteFacts.load()
    context = {
        "first_name": submission.first_name,
        "facts": facts,
        "callback_minutes": settings.ADMISSIONS_CALLBACK_MINUTES,
        "insurance": isinstance(submission, InsuranceVerification),
    }
    return EmailMessage(
        subject="We received your request",
        body=render_to_string("admissions/email/auto_reply.txt", context),
        to=[submission.email],
    )


def _kind_of(submission) -> str:
    return (
        RequestKind.INSURANCE if isinstance(submission, InsuranceVerification) else RequestKind.CONSULTATION
    )


def _send_once(*, this_task, kind, submission_id, attempt, sent_field, build, label):
    model = SUBMISSION_MODELS[RequestKind(kind)]
    failure = None
    with transaction.atomic():
        # The lock makes a concurrent retry wait, then see the timestamp.
        submission = model.objects.select_for_update().filter(pk=submission_id).first()
        if submission is None:
            return "gone"  # purged before the worker got to it
        if getattr(submission, sent_field) is not None:
            return "already sent"
        message = build(submission)
        if message is None:
            return "nothing to send"
        try:
            message.send(using=settings.ADMISSIONS_MAILER)
        except Exception as exc:  # any transport failure: retry later
            # Only the class name: SMTP errors can quote the recipient address.
            failure = type(exc).__name__
        else:
            setattr(submission, sent_field, timezone.now())
            submission.save(update_fields=[sent_field])
            return "sent"

    backend = this_task.get_backend()
    if attempt < MAX_ATTEMPTS and backend.supports_defer:
        delay = RETRY_DELAYS[min(attempt, len(RETRY_DELAYS)) - 1]
        logger.warning(
            "%s for %s %s not sent (%s), attempt %d of %d; retrying in %ds",
            label,
            kind,
            submission_id,
            failure,
            attempt,
            MAX_ATTEMPTS,
            delay,
        )
        this_task.using(run_after=timezone.now() + datetime.timedelta(seconds=delay)).enqueue(
            kind, submission_id, attempt + 1
        )
        return "retry scheduled"
    raise MailNotSent(f"{label} for {kind} {submission_id} not sent after {attempt} attempt(s) ({failure})")


@task
def staff_alert_send(kind: str, submission_id: int, attempt: int = 1) -> str:
    """Tell the admissions inbox a request came in: kind, level of care, time
    and a link to the lead in admin; no patient data."""
    return _send_once(
        this_task=staff_alert_send,
        kind=kind,
        submission_id=submission_id,
        attempt=attempt,
        sent_field="staff_alert_sent_at",
        build=staff_alert_message,
        label="staff alert",
    )


@task
def auto_reply_send(kind: str, submission_id: int, attempt: int = 1) -> str:
    """Confirm receipt to the email address given: the first name and generic
    next steps, nothing else from the submission."""
    return _send_once(
        this_task=auto_reply_send,
        kind=kind,
        submission_id=submission_id,
        attempt=attempt,
        sent_field="auto_reply_sent_at",
        build=auto_reply_message,
        label="auto-reply",
    )


def intake_notifications_enqueue(*, kind: str, submission_id: int) -> None:
    """Queue the staff alert and auto-reply. Call after the transaction
    commits; a queue failure is logged and never loses the stored request."""
    for this_task in (staff_alert_send, auto_reply_send):
        try:
            this_task.enqueue(kind, submission_id)
        except Exception:
            logger.exception("could not queue %s for %s %s", this_task.name, kind, submission_id)
