"""Storing a request for help: one transaction, one record per form token,
attached to the same person when they wrote in during the last 90 days."""

import datetime
import functools
import uuid
from dataclasses import dataclass, field

import phonenumbers
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from .. import crypto
from ..eligibility.tasks import eligibility_check_enqueue
from ..models import (
    ConsentText,
    ConsultationRequest,
    InsuranceVerification,
    Lead,
    LeadEvent,
    RequestKind,
)
from ..tasks import intake_notifications_enqueue

DEDUPLICATION_WINDOW = datetime.timedelta(days=90)


def normalize_phone(raw: str) -> str:
    """US-first E.164 ('+17145551234'); ValueError when it is not a real number."""
    try:
        number = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException as exc:
        raise ValueError("not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(raw: str) -> str:
    return raw.strip().lower()


def phone_lookup(phone_e164: str) -> str:
    return crypto.lookup_hash("phone", phone_e164) if phone_e164 else ""


def email_lookup(email: str) -> str:
    return crypto.lookup_hash("email", normalize_email(email)) if email else ""


@dataclass(frozen=True, kw_only=True)
class RequestContext:
    """Where and how a request arrived; also the proof of consent."""

    form_token: uuid.UUID
    client_ip: str | None = None
    page_url: str = ""
    attribution: dict = field(default_factory=dict)  # landing_page, referrer, utm_*

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
    from urllib.parse import urlsplit

    return urlsplit(referrer).hostname or "" if referrer else ""


def lead_find_recent(*, phone: str = "", email: str = "", now=None):
    """The most recent lead with this phone or email within the de-duplication window."""
    now = now or timezone.now()
    lookups = [value for value in (phone_lookup(phone), email_lookup(email)) if value]
    if not lookups:
        return None
    from django.db.models import Q

    match = Q()
    if phone:
        match |= Q(phone_lookup=phone_lookup(phone))
    if email:
        match |= Q(email_lookup=email_lookup(email))
    return (
        Lead.objects.filter(match, received_at__gte=now - DEDUPLICATION_WINDOW)
        .order_by("-received_at")
        .select_for_update()
        .first()
    )


def _lead_for_submission(*, first_name, last_name, phone, email, kind, level_of_care, context, now):
    lead = lead_find_recent(phone=phone, email=email, now=now)
    if lead is None:
        lead = Lead.objects.create(
            first_name=first_name,
            last_name=last_name,
            phone=phone,
            email=email,
            phone_lookup=phone_lookup(phone),
            email_lookup=email_lookup(email),
            kind=kind,
            level_of_care=level_of_care,
            source=context.source,
            received_at=now,
            last_activity_at=now,
        )
        return lead, True
    # Same person writing again: keep one lead, fill what was missing, and
    # bring it back to the top of the inbox.
    lead.kind = kind
    if level_of_care is not None:
        lead.level_of_care = level_of_care
    if phone and not lead.phone:
        lead.phone, lead.phone_lookup = phone, phone_lookup(phone)
    if email and not lead.email:
        lead.email, lead.email_lookup = email, email_lookup(email)
    lead.last_activity_at = now
    lead.save()
    return lead, False


def _create_submission(model, *, kind, first_name, last_name, phone, email, level_of_care, context, fields):
    """Create the lead (or attach to one) and the submission in one transaction.

    Returns (submission, created). A second post with the same form token returns
    the first submission and created=False: nothing is stored twice. Files the
    submission wrote are deleted again when the transaction fails, so a failed
    post leaves neither rows nor files behind.
    """
    existing = model.objects.filter(form_token=context.form_token).first()
    if existing is not None:
        return existing, False
    now = timezone.now()
    submission = None
    try:
        with transaction.atomic():
            lead, _ = _lead_for_submission(
                first_name=first_name,
                last_name=last_name,
                phone=phone,
                email=email,
                kind=kind,
                level_of_care=level_of_care,
                context=context,
                now=now,
            )
            submission = model(
                lead=lead,
                submitted_at=now,
                first_name=first_name,
                last_name=last_name,
                phone=phone,
                email=email,
                **context.submission_fields(),
                **fields,
            )
            submission.save(force_insert=True)
            LeadEvent.objects.create(lead=lead, at=now, kind=LeadEvent.Kind.SUBMITTED, note="")
            # Alert and auto-reply only once the request is surely stored;
            # the task gets the kind and id, never the answers.
            transaction.on_commit(
                functools.partial(intake_notifications_enqueue, kind=kind, submission_id=submission.pk),
                robust=True,
            )
    except IntegrityError:
        _delete_written_files(submission)
        # A concurrent post with the same token won the race.
        existing = model.objects.filter(form_token=context.form_token).first()
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


def submission_by_token(model, form_token) -> "ConsultationRequest | InsuranceVerification | None":
    """The submission a form token already stored, if any (double submit)."""
    return model.objects.filter(form_token=form_token).first()


def consultation_request_create(
    *,
    context: RequestContext,
    first_name: str,
    last_name: str,
    phone: str = "",
    email: str = "",
    best_time_to_call: str,
    who_needs_help: str,
    caller_relation: str = "",
    level_of_care=None,
    message: str = "",
    heard_about: str = "",
    contact_consent: ConsentText,
    automated_contact_consent: ConsentText | None = None,
) -> tuple[ConsultationRequest, bool]:
    """phone must already be E.164 (normalize_phone); email as typed."""
    return _create_submission(
        ConsultationRequest,
        kind=RequestKind.CONSULTATION,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        email=email,
        level_of_care=level_of_care,
        context=context,
        fields={
            "best_time_to_call": best_time_to_call,
            "who_needs_help": who_needs_help,
            "caller_relation": caller_relation,
            "level_of_care": level_of_care,
            "message": message,
            "heard_about": heard_about,
            "contact_consent": contact_consent,
            "automated_contact_consent": automated_contact_consent,
        },
    )


def insurance_verification_create(
    *,
    context: RequestContext,
    first_name: str,
    last_name: str,
    phone: str = "",
    email: str = "",
    date_of_birth: datetime.date,
    state: str,
    carrier=None,
    carrier_other: str = "",
    member_id: str,
    group_number: str = "",
    policy_holder: str,
    holder_first_name: str = "",
    holder_last_name: str = "",
    holder_date_of_birth: datetime.date | None = None,
    holder_relationship: str = "",
    card_front=None,
    card_back=None,
    benefits_authorization: ConsentText,
) -> tuple[InsuranceVerification, bool]:
    """card_front/card_back: already re-encoded image files (ContentFile) or None."""
    fields = {
        "date_of_birth": date_of_birth,
        "state": state,
        "carrier": carrier,
        "carrier_other": carrier_other,
        "member_id": member_id,
        "group_number": group_number,
        "policy_holder": policy_holder,
        "holder_first_name": holder_first_name,
        "holder_last_name": holder_last_name,
        "holder_date_of_birth": holder_date_of_birth,
        "holder_relationship": holder_relationship,
        "benefits_authorization": benefits_authorization,
    }
    if card_front is not None:
        fields["card_front"] = card_front
    if card_back is not None:
        fields["card_back"] = card_back
    verification, created = _create_submission(
        InsuranceVerification,
        kind=RequestKind.INSURANCE,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        email=email,
        level_of_care=None,
        context=context,
        fields=fields,
    )
    if created:
        # Queued after the staff alert, once the request is surely stored; the
        # check's own failures never reach the submission (eligibility/tasks.py).
        transaction.on_commit(
            functools.partial(eligibility_check_enqueue, verification_id=verification.pk), robust=True
        )
    return verification, created
