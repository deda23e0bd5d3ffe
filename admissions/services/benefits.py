"""Every write to a benefits verification (admissions.models.benefits): take it
from the work queue, hand it back, save what the payer said on the phone, and
the pre-fill from an automatic eligibility check.

Like the pipeline: keyword-only arguments, the record's row locked for the
transaction (two coordinators on one record cannot overwrite each other), and
one timeline event on the lead per write, without figures in it (the event
says what was done, the record holds the numbers). Bad input raises
ValidationError keyed by field; acting beyond one's role raises PermissionDenied.

The rule that matters: a figure a coordinator confirmed on the phone is
*phone-verified*, with who and when, and a later 271 never overwrites it.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from admissions.models import (
    CALL_FIELDS,
    FIGURES,
    BenefitsStatus,
    BenefitsVerification,
    EligibilityCheck,
    FigureOrigin,
    FigureSource,
    InsuranceVerification,
    Lead,
    LeadEvent,
)

WORK_PERMISSION = "admissions.change_benefitsverification"
# Taking a record another coordinator holds is a manager's move, as for leads.
TAKE_OVER_PERMISSION = "admissions.reassign_lead"
PERCENT_FIGURES = frozenset(name for name in FIGURES if name.endswith("coinsurance"))
# Dollars and percentages (empty is None); the rest are words or choices (empty is "").
AMOUNT_FIGURES = frozenset(
    name for name in FIGURES if isinstance(BenefitsVerification._meta.get_field(name), models.DecimalField)
)


def user_can_work_benefits(user) -> bool:
    return bool(user is not None and user.is_active and user.is_staff and user.has_perm(WORK_PERMISSION))


def _require_worker(actor) -> None:
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("Every change to benefits is made by a named user.")
    if not user_can_work_benefits(actor):
        raise PermissionDenied("Your role does not include verifying benefits.")


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


def _locked(verification: InsuranceVerification) -> BenefitsVerification:
    """The request's record, made when missing (the one-to-one settles a race), locked."""
    record, _ = BenefitsVerification.objects.get_or_create(verification=verification)
    return BenefitsVerification.objects.select_for_update().select_related("verification").get(pk=record.pk)


def _event(record: BenefitsVerification, *, actor, now, note: str) -> LeadEvent:
    lead_id = record.verification.lead_id
    Lead.objects.filter(pk=lead_id).update(last_activity_at=now)
    return LeadEvent.objects.create(
        lead_id=lead_id, actor=actor, at=now, kind=LeadEvent.Kind.BENEFITS, note=note
    )


def _refuse_if_held_by_another(record: BenefitsVerification, actor) -> None:
    if record.held_by_id not in (None, actor.pk) and not actor.has_perm(TAKE_OVER_PERMISSION):
        raise PermissionDenied(
            f"{_person(record.held_by)} is working on this one. Only a manager can take it over."
        )


@transaction.atomic
def benefits_claim(*, verification: InsuranceVerification, actor) -> BenefitsVerification:
    """Take the record from the work queue: the actor holds it, and it is in progress."""
    _require_worker(actor)
    record = _locked(verification)
    if record.held_by_id == actor.pk:
        raise ValidationError({"hold": "You already have this one."})
    _refuse_if_held_by_another(record, actor)
    now = timezone.now()
    previous = record.held_by
    record.held_by, record.held_since, record.updated_at = actor, now, now
    if record.status == BenefitsStatus.NOT_STARTED:
        record.status = BenefitsStatus.IN_PROGRESS
    record.save(update_fields=["held_by", "held_since", "status", "updated_at"])
    taken = f" (from {_person(previous)})" if previous else ""
    _event(record, actor=actor, now=now, note=f"Benefits verification taken by {_person(actor)}{taken}.")
    return record


@transaction.atomic
def benefits_release(*, verification: InsuranceVerification, actor) -> BenefitsVerification:
    """Hand the record back to the queue (the holder, or a manager)."""
    _require_worker(actor)
    record = _locked(verification)
    if record.held_by_id is None:
        raise ValidationError({"hold": "Nobody holds this one."})
    _refuse_if_held_by_another(record, actor)
    now = timezone.now()
    was = record.held_by
    record.held_by, record.held_since, record.updated_at = None, None, now
    record.save(update_fields=["held_by", "held_since", "updated_at"])
    _event(record, actor=actor, now=now, note=f"Benefits verification handed back (was {_person(was)}).")
    return record


def _empty(value) -> bool:
    return value is None or value == ""


def _check_figures(figures: dict) -> None:
    errors = {}
    for name, value in figures.items():
        if name not in FIGURES:
            raise ValueError(f"not a benefits figure: {name}")
        if isinstance(value, Decimal):
            if value < 0:
                errors[name] = "Cannot be negative."
            elif name in PERCENT_FIGURES and value > 100:
                errors[name] = "A percentage from 0 to 100."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def benefits_save(
    *,
    verification: InsuranceVerification,
    actor,
    figures: dict,
    call: dict,
    confirmed=(),
    complete: bool = False,
) -> BenefitsVerification:
    """What the payer said on the phone. A figure whose value changes, or that is in
    `confirmed` (read back unchanged), becomes phone-verified by the actor, now; a
    figure emptied loses its label. `complete` closes the record (needs the payer's
    reference number); otherwise the actor holds it, in progress."""
    _require_worker(actor)
    _check_figures(figures)
    unknown = set(call) - set(CALL_FIELDS)
    if unknown:
        raise ValueError(f"not a call field: {sorted(unknown)}")
    record = _locked(verification)
    _refuse_if_held_by_another(record, actor)
    now = timezone.now()
    sources = dict(record.sources or {})
    verified = 0
    for name in FIGURES:
        if name not in figures:
            continue
        new, old = figures[name], getattr(record, name)
        if _empty(new):
            new = None if name in AMOUNT_FIGURES else ""
        changed = (_empty(new) != _empty(old)) or (not _empty(new) and new != old)
        if changed:
            setattr(record, name, new)
        if _empty(new):
            sources.pop(name, None)
        elif changed or name in confirmed:
            sources[name] = FigureOrigin(FigureSource.PHONE, now, by_id=actor.pk).to_dict()
            verified += 1
    for name, value in call.items():
        setattr(record, name, value or "")
    if complete and not (record.payer_reference or "").strip():
        raise ValidationError(
            {"payer_reference": "Write down the payer's reference number for the call first."}
        )
    record.sources = sources
    record.updated_at = now
    if complete:
        record.status = BenefitsStatus.COMPLETE
        record.completed_at, record.completed_by = now, actor
        record.held_by, record.held_since = None, None
    else:
        record.status = BenefitsStatus.IN_PROGRESS
        record.completed_at = record.completed_by = None
        if record.held_by_id is None:
            record.held_by, record.held_since = actor, now
    record.full_clean(exclude=["verification"])
    record.save()
    words = f"{verified} figure{'s' if verified != 1 else ''} phone-verified"
    note = (
        f"Benefits verification complete: {words}, payer reference recorded."
        if complete
        else f"Benefits verification saved: {words}."
    )
    _event(record, actor=actor, now=now, note=note)
    return record


@transaction.atomic
def benefits_prefill(
    *, verification: InsuranceVerification, check: EligibilityCheck, figures: dict
) -> BenefitsVerification:
    """The site fills the electronic figures from an automatic check's answer (an event by
    nobody, like the check's own status move). Phone-verified figures stay as they are."""
    _check_figures({k: v for k, v in figures.items() if not _empty(v)})
    record = _locked(verification)
    now = timezone.now()
    sources = dict(record.sources or {})
    filled = kept = 0
    for name, value in figures.items():
        if _empty(value):
            continue
        origin = record.source_of(name)
        if origin is not None and origin.phone_verified:
            kept += 1
            continue
        setattr(record, name, value)
        sources[name] = FigureOrigin(
            FigureSource.ELECTRONIC, check.checked_at or now, check_id=check.pk
        ).to_dict()
        filled += 1
    record.sources = sources
    record.prefilled_from = check
    record.updated_at = now
    record.save()
    if filled:
        kept_words = f"; {kept} phone-verified figure{'s' if kept != 1 else ''} kept" if kept else ""
        _event(
            record,
            actor=None,
            now=now,
            note=(
                f"Benefits pre-filled from the automatic insurance check (attempt {check.attempt}): "
                f"{filled} figure{'s' if filled != 1 else ''}{kept_words}. Confirm them with the payer."
            ),
        )
    return record
