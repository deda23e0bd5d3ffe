"""Writes of the pre-admission screen (admissions.models.screening): saving a
coordinator's answers, a clinician's sign-off, and the on-call clinical
supervisor's alert when a suicide-risk answer is positive.

As in admissions.services.pipeline: keyword-only arguments, the lead row
locked (SELECT ... FOR UPDATE) for the whole transaction and then the
screen's, one timeline event per write, last activity touched (the purge
counts from it). Bad input raises ValidationError keyed by the form field it
concerns and stores nothing; acting beyond one's role raises PermissionDenied.

The alert is a task queued after the commit with the screen's id only; the
mail carries the lead number, whether the risk is acute and a staff link,
never a name, a phone number or an answer.
"""

import datetime
import functools
import logging
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from admissions.models import (
    ASQ_ACUITY_QUESTION,
    ASQ_QUESTIONS,
    DECISION_MATCHES,
    Lead,
    LeadEvent,
    LeadStatus,
    PreAdmissionScreening,
    ReferralPartner,
    ScreeningDecision,
    ScreeningSubstance,
)
from sheer_site.task_queue import commits_with_default_database

from . import screening_rules
from .pipeline import NOTE_MAX_LENGTH, lead_status_advance

logger = logging.getLogger(__name__)

ADD = "admissions.add_preadmissionscreening"
CHANGE = "admissions.change_preadmissionscreening"
SIGN_OFF = "admissions.sign_off_screening"
MAX_SUBSTANCES = 12


def _require_actor(actor):
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("Every change to a screening is made by a named user.")


def _locked_lead(lead: Lead) -> Lead:
    return Lead.objects.select_for_update().get(pk=lead.pk)


def _locked_screening(screening: PreAdmissionScreening) -> PreAdmissionScreening:
    return PreAdmissionScreening.objects.select_for_update().get(pk=screening.pk)


def _event(lead: Lead, *, actor, now, note: str) -> LeadEvent:
    """One "Pre-admission screening" entry on the lead's timeline; the note is encrypted."""
    return LeadEvent.objects.create(lead=lead, actor=actor, at=now, kind=LeadEvent.Kind.SCREENING, note=note)


def _clean_note(note: str, *, field: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({field: f"Keep it under {NOTE_MAX_LENGTH} characters (it has {len(note)})."})
    return note


# Reading the rules off a stored screen ------------------------------------------------


@dataclass(frozen=True)
class ScreeningFindings:
    """What the rules say about one screen, for its page, the lead page and the sign-off."""

    detox_flag: bool
    suicide_risk: bool
    suicide_risk_acute: bool
    suggestion: screening_rules.Suggestion | None


def findings_from_answers(
    *, answers: dict, substances: list[str], scores: dict[int, int | None]
) -> ScreeningFindings:
    """The rules applied to answers (stored or just typed): `answers` by
    field name, `substances` the kinds listed, `scores` dimension -> 0–4."""
    detox = screening_rules.withdrawal_risk_is_high(
        substances=substances,
        symptoms_now=answers.get("withdrawal_symptoms_now", ""),
        seizures_or_dts=answers.get("withdrawal_seizures_or_dts", ""),
        intoxication_withdrawal_score=scores.get(1),
    )
    questions = [answers.get(name, "") for name in ASQ_QUESTIONS]
    right_now = answers.get(ASQ_ACUITY_QUESTION, "")
    return ScreeningFindings(
        detox_flag=detox,
        suicide_risk=screening_rules.suicide_risk_positive(questions=questions, right_now=right_now),
        suicide_risk_acute=screening_rules.suicide_risk_acute(right_now=right_now),
        suggestion=screening_rules.suggest_level_of_care(scores, detox_flag=detox),
    )


def screening_findings(screening: PreAdmissionScreening) -> ScreeningFindings:
    return findings_from_answers(
        answers={name: getattr(screening, name) for name in PreAdmissionScreening.ANSWER_FIELDS},
        substances=[row.substance for row in screening.substances.all()],
        scores=screening.dimension_scores(),
    )


# Saving the answers -------------------------------------------------------------------


def _check_lengths(instance, fields) -> dict:
    """max_length of text columns (the database does not hold encrypted text to it)."""
    errors = {}
    for name in fields:
        field = instance._meta.get_field(name)
        value = getattr(instance, name)
        if field.max_length and isinstance(value, str) and len(value) > field.max_length:
            errors[name] = [f"Keep it under {field.max_length} characters (it has {len(value)})."]
    return errors


def _valid_substances(screening, substances: list[dict]) -> list[ScreeningSubstance]:
    if len(substances) > MAX_SUBSTANCES:
        raise ValidationError({"substances": f"List at most {MAX_SUBSTANCES} substances."})
    rows = []
    for position, answers in enumerate(substances):
        unknown = set(answers) - set(ScreeningSubstance.ANSWER_FIELDS)
        if unknown:
            raise ValueError(f"not substance answers: {sorted(unknown)}")
        row = ScreeningSubstance(screening=screening, position=position, **answers)
        try:
            row.full_clean(exclude=["screening"])
        except ValidationError as error:
            raise ValidationError(
                {"substances": [f"Substance {position + 1}: {message}" for message in error.messages]}
            ) from None
        rows.append(row)
    return rows


@transaction.atomic
def screening_save(
    *,
    lead: Lead,
    actor,
    answers: dict,
    substances: list[dict],
    screening: PreAdmissionScreening | None = None,
) -> PreAdmissionScreening:
    """Store a coordinator's answers: a new screen of `lead` (screening=None)
    or the next save of one not yet signed off. `answers` maps answer fields
    (PreAdmissionScreening.ANSWER_FIELDS) to values, missing ones left as they
    are; `substances` replaces the list, one dict per substance, in order.
    A suicide-risk answer that is positive queues the on-call alert once per
    screen; the detox flag and the positive answer are noted on the timeline
    when they first appear."""
    _require_actor(actor)
    if not actor.has_perm(CHANGE if screening is not None else ADD):
        raise PermissionDenied("Your role does not include pre-admission screening.")
    unknown = set(answers) - set(PreAdmissionScreening.ANSWER_FIELDS)
    if unknown:
        raise ValueError(f"not screening answers: {sorted(unknown)}")
    lead = _locked_lead(lead)
    now = timezone.now()
    if screening is None:
        screening = PreAdmissionScreening(lead=lead, started_by=actor, started_at=now)
        before = None
    else:
        screening = _locked_screening(screening)
        if screening.lead_id != lead.pk:
            raise ValueError("the screening belongs to another lead")
        if screening.is_signed_off:
            raise ValidationError(
                {NON_FIELD_ERRORS: "This screening is signed off and can no longer change: start a new one."}
            )
        before = screening_findings(screening)
    for name, value in answers.items():
        setattr(screening, name, "" if value is None else value)
    screening.updated_at, screening.updated_by = now, actor
    errors = _check_lengths(screening, answers)
    try:
        screening.full_clean(exclude=["lead", "started_by", "updated_by", "referred_to", "signed_off_by"])
    except ValidationError as error:
        errors = {**error.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    rows = _valid_substances(screening, substances)

    created = screening.pk is None
    screening.save()
    screening.substances.all().delete()
    for row in rows:
        row.screening = screening
    ScreeningSubstance.objects.bulk_create(rows)

    after = screening_findings(screening)
    lines = [f"Screening {screening.pk} {'started' if created else 'saved'}."]
    if after.suicide_risk and not (before and before.suicide_risk):
        lines.append(
            "Suicide-risk screen positive"
            + (" (acute)" if after.suicide_risk_acute else "")
            + ": crisis protocol shown; on-call clinical supervisor alerted."
        )
    elif after.suicide_risk_acute and not (before and before.suicide_risk_acute):
        lines.append("Suicide-risk screen now acute: crisis protocol shown.")
    if after.detox_flag and not (before and before.detox_flag):
        lines.append("High withdrawal risk: refer to withdrawal management (detox) first.")
    _event(lead, actor=actor, now=now, note="\n".join(lines))
    if created:
        # The path: a screen started moves an earlier lead to Screening (its own status event).
        lead_status_advance(lead=lead, to_status=LeadStatus.SCREENING, actor=actor)
    lead.last_activity_at = now
    lead.save(update_fields=["last_activity_at"])
    if after.suicide_risk and screening.crisis_alert_sent_at is None:
        if commits_with_default_database(screening_crisis_alert_send):
            # The alert's task row commits with the screen: a database restart
            # right after the save cannot lose it (issue 16's rule).
            screening_crisis_alert_send.enqueue(screening.pk)
        else:
            transaction.on_commit(functools.partial(_enqueue_crisis_alert, screening.pk), robust=True)
    return screening


# The clinician's sign-off -------------------------------------------------------------


def user_can_sign_off(user) -> bool:
    return bool(user is not None and user.is_active and user.has_perm(SIGN_OFF))


@transaction.atomic
def screening_sign_off(
    *,
    screening: PreAdmissionScreening,
    actor,
    decision: str,
    referred_to: ReferralPartner | None = None,
    note: str = "",
) -> PreAdmissionScreening:
    """A clinician's decision on a screen: accept for PHP, IOP or OP, or refer
    out to a partner. Needs all six dimensions scored; a decision that differs
    from the suggested level of care needs a note. Final: the screen is then
    read-only. The lead's status is not moved here."""
    _require_actor(actor)
    if not user_can_sign_off(actor):
        raise PermissionDenied("Only a clinician signs off a pre-admission screening.")
    if decision not in ScreeningDecision.values:
        raise ValidationError({"decision": "Choose a decision."})
    note = _clean_note(note, field="note")
    if decision == ScreeningDecision.REFER_OUT:
        if referred_to is None:
            raise ValidationError({"referred_to": "Choose where the person is referred to."})
        if not referred_to.active:
            raise ValidationError({"referred_to": "That partner is no longer active: choose another."})
    else:
        referred_to = None
    lead = _locked_lead(screening.lead)
    screening = _locked_screening(screening)
    if screening.is_signed_off:
        raise ValidationError({"decision": "This screening is already signed off."})
    findings = screening_findings(screening)
    if findings.suggestion is None:
        raise ValidationError({"decision": "Score all six ASAM dimensions before signing off."})
    suggested = findings.suggestion.level
    if suggested not in DECISION_MATCHES[ScreeningDecision(decision)] and not note:
        raise ValidationError(
            {"note": f"The decision differs from the suggestion ({suggested.label}): say why."}
        )
    now = timezone.now()
    screening.decision = decision
    screening.referred_to = referred_to
    screening.decision_note = note
    screening.suggested_at_sign_off = suggested
    screening.signed_off_by, screening.signed_off_at = actor, now
    screening.save(
        update_fields=[
            "decision",
            "referred_to",
            "decision_note",
            "suggested_at_sign_off",
            "signed_off_by",
            "signed_off_at",
        ]
    )
    outcome = ScreeningDecision(decision).label
    if referred_to is not None:
        outcome += f" to {referred_to}"
    text = f"Screening {screening.pk} signed off: {outcome} (suggested: {suggested.label})."
    _event(lead, actor=actor, now=now, note=f"{text}\n{note}" if note else text)
    lead.last_activity_at = now
    lead.save(update_fields=["last_activity_at"])
    return screening


# The on-call clinical supervisor's alert ----------------------------------------------

MAX_ATTEMPTS = 6
# A crisis does not wait for a mail server for long: retries within about 20 minutes.
RETRY_DELAYS = (30, 60, 120, 300, 600)


class CrisisAlertNotSent(Exception):
    """Raised after the last attempt so the queue shows the task as failed."""


def oncall_recipients() -> list[str]:
    return [a.strip() for a in settings.ADMISSIONS_CLINICAL_ONCALL_EMAIL.split(",") if a.strip()]


def screening_url(screening: PreAdmissionScreening) -> str:
    """The screen's staff page, as a full address for the mail."""
    try:
        path = reverse("admin:admissions_lead_screening", args=[screening.lead_id, screening.pk])
    except NoReverseMatch:  # admin not registered (a stripped-down deployment)
        path = f"/{settings.ADMIN_PATH}admissions/lead/{screening.lead_id}/screening/{screening.pk}/"
    return urljoin(settings.SITE_URL + "/", path.lstrip("/"))


def crisis_alert_message(screening: PreAdmissionScreening) -> EmailMessage | None:
    recipients = oncall_recipients()
    if not recipients:
        return None
    findings = screening_findings(screening)
    context = {
        "lead_id": screening.lead_id,
        "acute": findings.suicide_risk_acute,
        "url": screening_url(screening),
    }
    return EmailMessage(
        subject=f"URGENT: on-call clinical review needed now (lead {screening.lead_id})",
        body=render_to_string("admissions/email/screening_crisis_alert.txt", context),
        to=recipients,
    )


def _enqueue_crisis_alert(screening_id: int) -> None:
    try:
        screening_crisis_alert_send.enqueue(screening_id)
    except Exception:
        logger.exception("could not queue the crisis alert for screening %s", screening_id)


@task
def screening_crisis_alert_send(screening_id: int, attempt: int = 1) -> str:
    """Email the on-call clinical supervisor once per screen: lead number,
    acute or not, a staff link. A mail failure retries with a short backoff."""
    failure = None
    with transaction.atomic():
        screening = PreAdmissionScreening.objects.select_for_update().filter(pk=screening_id).first()
        if screening is None:
            return "gone"
        if screening.crisis_alert_sent_at is not None:
            return "already sent"
        message = crisis_alert_message(screening)
        if message is None:
            logger.error(
                "ADMISSIONS_CLINICAL_ONCALL_EMAIL is empty: no crisis alert for screening %s", screening_id
            )
            return "no address"
        message.extra_headers["Message-ID"] = f"<crisis-alert.screening.{screening_id}@{_domain()}>"
        try:
            message.send(using=settings.ADMISSIONS_MAILER)
        except Exception as exc:  # any transport failure: retry soon
            failure = type(exc).__name__
        else:
            screening.crisis_alert_sent_at = timezone.now()
            screening.save(update_fields=["crisis_alert_sent_at"])
            return "sent"
    backend = screening_crisis_alert_send.get_backend()
    if attempt < MAX_ATTEMPTS and backend.supports_defer:
        delay = RETRY_DELAYS[min(attempt, len(RETRY_DELAYS)) - 1]
        logger.warning(
            "crisis alert for screening %s not sent (%s), attempt %d; retrying in %ds",
            screening_id,
            failure,
            attempt,
            delay,
        )
        screening_crisis_alert_send.using(
            run_after=timezone.now() + datetime.timedelta(seconds=delay)
        ).enqueue(screening_id, attempt + 1)
        return "retry scheduled"
    raise CrisisAlertNotSent(f"crisis alert for screening {screening_id} not sent ({failure})")


def _domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"
