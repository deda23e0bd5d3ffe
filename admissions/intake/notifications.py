"""Mail sent after a request is stored: the staff alert (speed to lead) and the
auto-reply to the person. Both run through Django's tasks framework.

Task arguments are stored in the database by the queue, so they are only the
request's kind and id, never anything a person typed. Each message goes out
at most once per submission (a timestamp set under a row lock); a mail failure
schedules a retry with backoff and never affects the stored request.
"""

import datetime
import logging
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import dateformat, timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext

from admissions.contact import name_problem
from admissions.models import SUBMISSION_MODELS, InsuranceVerification, Language, RequestKind
from programs.models import SiteFacts
from sheer_site.task_queue import commits_with_default_database

from .stop_contact import stop_contact_url

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
    # The staff's mail is English whatever page the person used (with the
    # immediate queue it is built inside the Spanish request).
    with translation.override(Language.ENGLISH):
        return _staff_alert(submission, recipients)


def _staff_alert(submission, recipients) -> EmailMessage:
    lead = submission.lead
    level = getattr(submission, "level_of_care", None) or lead.level_of_care
    spanish = submission.speaks_spanish
    context = {
        "kind": RequestKind(_kind_of(submission)).label,
        "level_of_care": level.name if level else "Not sure / not asked",
        "received": dateformat.format(timezone.localtime(submission.submitted_at), "D, M j, Y, g:i A T"),
        "returning": lead.received_at != submission.submitted_at,
        "lead_id": lead.pk,
        "admin_url": _admin_lead_url(lead.pk),
        # Which language, never what was said: a Spanish speaker gets a Spanish-speaking coordinator.
        "spanish": spanish,
        "spanish_form": submission.language == Language.SPANISH,
        "spanish_preferred": submission.preferred_language == Language.SPANISH,
    }
    in_spanish = ", Spanish" if spanish else ""
    return EmailMessage(
        subject=f"New {context['kind'].lower()} request (lead {lead.pk}{in_spanish})",
        body=render_to_string("admissions/email/staff_alert.txt", context),
        to=recipients,
    )


def greeting_name(submission) -> str:
    """Whom the auto-reply greets: the person who filled in the form. On the
    consultation form that is the first name given; on the insurance form the
    names are the patient's and the email is the sender's own (often a
    parent's), so it greets nobody by name rather than the wrong person. Only
    a name that passes the name rules is ever put in our mail."""
    if isinstance(submission, InsuranceVerification):
        return ""
    name = " ".join((submission.first_name or "").split())
    return name if name and not name_problem(name) and len(name) <= 40 else ""


def auto_reply_message(submission) -> EmailMessage | None:
    if not submission.email or submission.lead.contact_stopped_at is not None:
        return None
    # In the language of the page the person used: the words, and the stop
    # link's address (/es/admisiones/no-contactar/... from a Spanish form).
    with translation.override(submission.language or Language.ENGLISH):
        facts = SiteFacts.load()
        context = {
            "first_name": greeting_name(submission),
            "stop_url": stop_contact_url(kind=_kind_of(submission), submission_id=submission.pk),
            "facts": facts,
            "callback_minutes": settings.ADMISSIONS_CALLBACK_MINUTES,
            "insurance": isinstance(submission, InsuranceVerification),
        }
        return EmailMessage(
            subject=gettext("We received your request"),
            body=render_to_string("admissions/email/auto_reply.txt", context),
            to=[submission.email],
        )


def _kind_of(submission) -> str:
    return (
        RequestKind.INSURANCE if isinstance(submission, InsuranceVerification) else RequestKind.CONSULTATION
    )


def message_id(label: str, kind: str, submission_id: int) -> str:
    """<staff-alert.consultation.42@www.example.com>: ids only, stable per message."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<{slugify(label)}.{kind}.{submission_id}@{domain}>"


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
        # The same Message-ID on every attempt: should the database fail between
        # the mail server's accept and our commit below, the retry sends the
        # same message again, which mail systems recognise as one. Delivery is
        # at least once: across such a crash exactly once cannot be had, and a
        # missed alert costs a person their call back.
        message.extra_headers["Message-ID"] = message_id(label, kind, submission_id)
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


NOTIFICATIONS = (
    # (task, the timestamp it sets once sent)
    (staff_alert_send, "staff_alert_sent_at"),
    (auto_reply_send, "auto_reply_sent_at"),
)


def owed_after() -> datetime.timedelta:
    """A request younger than this may still have its tasks on the way (queued
    on commit, or the web process' transaction just ending): the sweep leaves
    it. ADMISSIONS_ALERT_OWED_AFTER_SECONDS, a minute by default."""
    return datetime.timedelta(seconds=settings.ADMISSIONS_ALERT_OWED_AFTER_SECONDS)


# Mail that failed every attempt gets a fresh series of attempts this long
# after the last one failed (the mail outage may be over by then).
FAILED_RETRY_AFTER = datetime.timedelta(hours=1)
# Older requests are no longer chased: staff see them as late (the auto-reply
# would arrive days after the person wrote).
OWED_MAX_AGE = datetime.timedelta(days=2)


def tasks_share_the_database() -> bool:
    """True when the task queue is django-tasks-db on the database the
    requests are stored in: a task row written inside the request's
    transaction is then committed (or rolled back) with the request."""
    return commits_with_default_database(staff_alert_send)


def intake_notifications_queue_with_request(*, kind: str, submission_id: int) -> bool:
    """Inside the transaction that stores the request: when the task queue is
    the database the requests live in, write the staff alert's and the
    auto-reply's task rows now, both in one INSERT, so they commit (or roll
    back) with the request itself. Returns False for any other queue: the
    caller then queues them after the commit (intake_notifications_enqueue).
    Either way `send_owed_alerts` still queues whatever a request is owed."""
    if not tasks_share_the_database():
        return False
    from django_tasks_db.compat import normalize_json, task_enqueued
    from django_tasks_db.models import DBTaskResult, get_date_max

    rows = []
    for this_task in (staff_alert_send, auto_reply_send):
        backend = this_task.get_backend()
        backend.validate_task(this_task)
        # As django_tasks_db.backend.DatabaseBackend._task_to_db_task writes one.
        rows.append(
            DBTaskResult(
                id=backend._get_id(),
                args_kwargs=normalize_json({"args": [kind, submission_id], "kwargs": {}}),
                priority=this_task.priority,
                task_path=this_task.module_path,
                queue_name=this_task.queue_name,
                # (its pre_save does this for create(); bulk_create sends no signal)
                run_after=this_task.run_after or get_date_max(),
                backend_name=backend.alias,
            )
        )
    DBTaskResult.objects.bulk_create(rows)
    for row in rows:
        task_enqueued.send(type(backend), task_result=row.task_result)
    return True


def intake_notifications_enqueue(*, kind: str, submission_id: int) -> None:
    """Queue the staff alert and auto-reply. Call after the transaction
    commits; a queue failure is logged and never loses the stored request:
    `manage.py send_owed_alerts` queues what is still owed a minute later."""
    for this_task in (staff_alert_send, auto_reply_send):
        try:
            this_task.enqueue(kind, submission_id)
        except Exception:
            logger.exception("could not queue %s for %s %s", this_task.name, kind, submission_id)


def _task_rows(this_task, kind, submission_id):
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=this_task.module_path,
        args_kwargs__args__0=kind,
        args_kwargs__args__1=submission_id,
    )


def notification_owed(this_task, kind, submission_id, *, now=None) -> bool:
    """A message not sent whose task is neither waiting, running nor done:
    never queued (the enqueue failed), or every attempt failed more than
    FAILED_RETRY_AFTER ago. The caller checked the sent timestamp is empty.
    A task that finished without sending (no address, request purged) is done."""
    now = now or timezone.now()
    from django_tasks_db.compat import TaskResultStatus

    last = (
        _task_rows(this_task, kind, submission_id)
        .order_by("-enqueued_at")
        .only("status", "finished_at")
        .first()
    )
    if last is None:
        return True
    return (
        last.status == TaskResultStatus.FAILED
        and last.finished_at is not None
        and last.finished_at < now - FAILED_RETRY_AFTER
    )


def _candidates(model, now):
    return model.objects.filter(
        Q(staff_alert_sent_at=None) | Q(auto_reply_sent_at=None),
        submitted_at__lt=now - owed_after(),
        submitted_at__gte=now - OWED_MAX_AGE,
    )


def owed_notifications_enqueue(*, now=None) -> list[tuple[str, str, int]]:
    """Queue each staff alert and auto-reply a stored request is still owed.

    Idempotent and safe with several copies running: each request is locked
    (skip_locked: another sweep has it) while its tasks are checked and queued,
    and on the database queue the task rows commit with that lock released.
    The send itself is at most once (_send_once), so a duplicate could only
    cost a task run, never a second mail. Returns (task name, kind, id) queued.
    """
    now = now or timezone.now()
    in_transaction = tasks_share_the_database()
    queued = []
    for kind, model in SUBMISSION_MODELS.items():
        for pk in _candidates(model, now).order_by("pk").values_list("pk", flat=True):
            after_commit = []
            with transaction.atomic():
                submission = (
                    _candidates(model, now)
                    .select_for_update(skip_locked=True, of=("self",))
                    .filter(pk=pk)
                    .only("pk", "staff_alert_sent_at", "auto_reply_sent_at")
                    .first()
                )
                if submission is None:
                    continue  # another sweep holds it, or it was just sent
                for this_task, sent_field in NOTIFICATIONS:
                    if getattr(submission, sent_field) is not None:
                        continue
                    if this_task is staff_alert_send and not settings.ADMISSIONS_ALERT_EMAIL.strip():
                        continue
                    if not notification_owed(this_task, str(kind), pk, now=now):
                        continue
                    if in_transaction:
                        this_task.enqueue(str(kind), pk)
                    else:
                        after_commit.append(this_task)
                    queued.append((this_task.name, str(kind), pk))
            for this_task in after_commit:  # never run a task under our lock
                this_task.enqueue(str(kind), pk)
    for name, kind, pk in queued:
        logger.warning("%s for %s %s was owed and is queued now", name, kind, pk)
    return queued
