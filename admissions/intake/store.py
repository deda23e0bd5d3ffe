"""Storing a request for help: one transaction, one record per form token,
attached to the same person when they wrote in during the last 90 days."""

import datetime
import functools
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from admissions.contact import email_lookup, phone_lookup, reached_by
from admissions.eligibility.tasks import eligibility_check_enqueue
from admissions.models import (
    SUBMISSION_MODELS,
    ContactStop,
    Language,
    Lead,
    LeadEvent,
    RequestKind,
    lead_search_tokens_add,
)

from .answers import IntakeAnswers
from .notifications import intake_notifications_enqueue, intake_notifications_queue_with_request

DEDUPLICATION_WINDOW = datetime.timedelta(days=90)


@dataclass(frozen=True, kw_only=True)
class RequestContext:
    """Where and how a request arrived; also the proof of consent."""

    form_token: uuid.UUID
    client_ip: str | None = None
    page_url: str = ""
    attribution: dict = field(default_factory=dict)  # landing_page, referrer, utm_*
    # Why the spam checks held it for a person (too_fast, rate_limit), or "".
    possible_spam: str = ""
    # The language of the form page (admissions.models.Language).
    language: str = Language.ENGLISH

    def submission_fields(self) -> dict:
        allowed = {
            "landing_page",
            "referrer",
            "utm_source",
            "utm_medium",
            "utm_campaign",
            "utm_term",
            "utm_content",
        }
        fields = {
            k: str(v)[: 500 if k in ("landing_page", "referrer") else 100]
            for k, v in self.attribution.items()
            if k in allowed and v
        }
        return {
            "form_token": self.form_token,
            "client_ip": self.client_ip,
            "page_url": self.page_url[:500],
            "language": self.language,
            **fields,
        }

    @property
    def source(self) -> str:
        return (
            self.attribution.get("utm_source")
            or _referrer_host(self.attribution.get("referrer", ""))
            or "direct"
        )[:100]


def _referrer_host(referrer: str) -> str:
    return urlsplit(referrer).hostname or "" if referrer else ""


def lead_find_recent(*, phone: str = "", email: str = "", now=None):
    """The most recent lead with this phone or email within the de-duplication window."""
    now = now or timezone.now()
    match = reached_by(phone=phone, email=email)
    if match is None:
        return None
    return (
        Lead.objects.filter(match, received_at__gte=now - DEDUPLICATION_WINDOW)
        .order_by("-received_at")
        .select_for_update()
        .first()
    )


def _lead_for_submission(*, answers: IntakeAnswers, context: RequestContext, now):
    phone, email, level_of_care = answers.phone, answers.email, answers.level_of_care
    # Possible spam is never attached to someone's lead: a person clears it first.
    lead = None if context.possible_spam else lead_find_recent(phone=phone, email=email, now=now)
    if lead is None:
        lead = Lead.objects.create(
            first_name=answers.first_name,
            last_name=answers.last_name,
            phone=phone,
            email=email,
            phone_lookup=phone_lookup(phone),
            email_lookup=email_lookup(email),
            kind=answers.kind,
            level_of_care=level_of_care,
            source=context.source,
            received_at=now,
            last_activity_at=now,
            possible_spam=context.possible_spam,
        )
        return lead, True
    # Same person writing again: keep one lead and bring it back to the top of
    # the inbox. A match on one identifier never adds or changes the other
    # (a stranger with the victim's email must not put their own phone on
    # the victim's lead): the new request keeps its own phone and email, and
    # the lead page shows them as "to confirm" beside the lead's.
    lead.kind = answers.kind
    if level_of_care is not None:
        lead.level_of_care = level_of_care
    lead.last_activity_at = now
    lead.save()
    return lead, False


def request_store(*, answers: IntakeAnswers, context: RequestContext, token_checked: bool = False):
    """Create the lead (or attach to one) and the submission in one transaction.

    Returns (submission, created). A second post with the same form token returns
    the first submission and created=False: nothing is stored twice
    (token_checked: the caller has just looked the token up and found nothing,
    so it is not asked again; a concurrent post still meets the unique key). Files the
    submission wrote are deleted again when the transaction fails, so a failed
    post leaves neither rows nor files behind. Once the request is surely
    stored, the staff alert and auto-reply are queued (and, for an insurance
    request, the automatic eligibility check).
    """
    model = SUBMISSION_MODELS[answers.kind]
    if not token_checked:
        existing = submission_by_token(model, context.form_token)
        if existing is not None:
            return existing, False
    now = timezone.now()
    submission = None
    try:
        with transaction.atomic():
            lead, _ = _lead_for_submission(answers=answers, context=context, now=now)
            submission = model(
                lead=lead, submitted_at=now, **context.submission_fields(), **answers.submission_fields()
            )
            submission.save(force_insert=True)
            LeadEvent.objects.create(lead=lead, at=now, kind=LeadEvent.Kind.SUBMITTED, note="")
            # Intake never changes who the lead's people are, it only adds a request.
            lead_search_tokens_add(lead=lead, request=submission)
            # The staff alert and auto-reply are owed by the stored request:
            # with the database queue their two task rows are written here, in
            # one INSERT, and commit with it; with any other queue they are
            # queued after the commit (best effort). The task gets the kind and
            # id, never the answers. `manage.py send_owed_alerts` (every minute)
            # queues whatever a request is still owed either way.
            if not intake_notifications_queue_with_request(kind=answers.kind, submission_id=submission.pk):
                transaction.on_commit(
                    functools.partial(
                        intake_notifications_enqueue, kind=answers.kind, submission_id=submission.pk
                    ),
                    robust=True,
                )
            if answers.kind == RequestKind.INSURANCE:
                # Queued after the staff alert; the check's own failures never
                # reach the submission (admissions/eligibility/tasks.py).
                transaction.on_commit(
                    functools.partial(eligibility_check_enqueue, verification_id=submission.pk), robust=True
                )
    except IntegrityError:
        _delete_written_files(submission)
        # A concurrent post with the same token won the race.
        existing = submission_by_token(model, context.form_token)
        if existing is None:
            raise
        return existing, False
    except BaseException:
        _delete_written_files(submission)
        raise
    return submission, True


def _delete_written_files(submission) -> None:
    if submission is None:
        return
    for model_field in submission._meta.get_fields():
        if isinstance(model_field, models.FileField):
            stored = getattr(submission, model_field.name)
            # _committed: the storage wrote it (FileField.pre_save during save()).
            if stored and stored._committed and stored.name:
                stored.storage.delete(stored.name)


def submission_by_token(model, form_token):
    """The submission a form token already stored, if any (double submit)."""
    return model.objects.filter(form_token=form_token).first()


def form_token_used(model, form_token) -> bool:
    """Whether a form token already stored its request (double submit): an
    index probe, nothing decrypted."""
    return model.objects.filter(form_token=form_token).exists()


def consultation_request_create(*, context: RequestContext, **answers):
    """Store a consultation request from keyword answers (phone already E.164)."""
    return request_store(answers=IntakeAnswers.of(RequestKind.CONSULTATION, **answers), context=context)


def insurance_verification_create(*, context: RequestContext, **answers):
    """Store an insurance verification request from keyword answers; card
    photos already re-encoded (ContentFile) or left out."""
    return request_store(answers=IntakeAnswers.of(RequestKind.INSURANCE, **answers), context=context)


@transaction.atomic
def contact_stop_by_link(*, submission) -> bool:
    """The person used the link in our email: no more calls or emails.
    Recorded on the lead (when and how) with a timeline event. Returns whether
    it was new (a second click changes nothing)."""
    lead = Lead.objects.select_for_update().get(pk=submission.lead_id)
    if lead.contact_stopped_at is not None:
        return False
    now = timezone.now()
    lead.contact_stopped_at, lead.contact_stopped_via = now, ContactStop.LINK
    lead.follow_up_at = None
    lead.last_activity_at = now
    lead.save(update_fields=["contact_stopped_at", "contact_stopped_via", "follow_up_at", "last_activity_at"])
    LeadEvent.objects.create(
        lead=lead, at=now, kind=LeadEvent.Kind.CONTACT_STOPPED, note="Used the link in our email."
    )
    return True
