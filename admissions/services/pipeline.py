"""What staff do with a lead: change its status, record calls, add notes,
assign a coordinator and set a follow-up. Every write leaves a LeadEvent by
the named user, so the lead's timeline is the whole story.

Each function locks the lead row (SELECT ... FOR UPDATE) for the length of its
transaction, so two coordinators working the same lead at once cannot
overwrite each other's status or assignment, and returns the updated lead.
Bad input raises ValidationError keyed by the form field it concerns; acting
beyond one's role raises PermissionDenied.
"""

import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone

from admissions.contact import email_lookup, phone_lookup
from admissions.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Channel,
    ConsentText,
    ConsultationRequest,
    ContactStop,
    InsuranceVerification,
    Language,
    Lead,
    LeadEvent,
    LeadStatus,
    RequestKind,
    WhoNeedsHelp,
    is_forward_move,
    lead_search_tokens_rebuild,
)

NOTE_MAX_LENGTH = 5000

# A call that reached the person, or a move to Contacted, is the first contact
# (speed to lead is measured up to it).
CallOutcome = LeadEvent.CallOutcome


def _locked(lead: Lead) -> Lead:
    return Lead.objects.select_for_update().get(pk=lead.pk)


def _clean_note(note: str, *, field: str = "note", required: bool = False) -> str:
    note = (note or "").strip()
    if required and not note:
        raise ValidationError({field: "Write something first."})
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({field: f"Keep it under {NOTE_MAX_LENGTH} characters (it has {len(note)})."})
    return note


def _require_actor(actor):
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("Every change to a lead is made by a named user.")


def _event(lead, *, actor, kind, now, **fields) -> LeadEvent:
    return LeadEvent.objects.create(lead=lead, actor=actor, at=now, kind=kind, **fields)


def _set_status(lead, *, to_status, actor, now, note="") -> LeadEvent:
    event = _event(
        lead,
        actor=actor,
        kind=LeadEvent.Kind.STATUS,
        now=now,
        from_status=lead.status,
        to_status=to_status,
        note=note,
    )
    lead.status = to_status
    # A reopened lead carries no stale reason; the close is still on the timeline.
    lead.close_reason = note if to_status in CLOSED_STATUSES else ""
    if to_status == LeadStatus.CONTACTED and lead.first_contact_at is None:
        lead.first_contact_at = now
    return event


@transaction.atomic
def lead_status_change(*, lead: Lead, to_status: str, actor, reason: str = "", referred_to=None) -> Lead:
    """Move a lead to another status. Closed statuses need a reason (the
    database refuses a closed lead without one, too); Referred out needs the
    partner the person was referred to."""
    _require_actor(actor)
    if to_status not in LeadStatus.values:
        raise ValidationError({"to_status": "Choose one of the listed statuses."})
    if to_status == LeadStatus.REFERRED_OUT and referred_to is None:
        raise ValidationError({"referred_to": "Choose where the person was referred to."})
    lead = _locked(lead)
    if to_status == lead.status:
        raise ValidationError({"to_status": f"The lead is already “{lead.get_status_display()}”."})
    reason = _clean_note(reason, field="reason")
    if to_status in CLOSED_STATUSES and not reason:
        raise ValidationError({"reason": "Say why the lead is closed."})
    now = timezone.now()
    _set_status(lead, to_status=to_status, actor=actor, now=now, note=reason)
    if to_status == LeadStatus.REFERRED_OUT:
        lead.referred_to = referred_to
    lead.last_activity_at = now
    lead.save(update_fields=["status", "close_reason", "first_contact_at", "last_activity_at", "referred_to"])
    return lead


@transaction.atomic
def lead_status_system_move(*, lead: Lead, to_status: str, from_statuses, note: str = "") -> bool:
    """A move the site makes on its own (e.g. the automatic insurance check
    found active coverage): an event with no actor. Only from `from_statuses`,
    so a lead a coordinator has already moved on, or closed, is left alone.
    Returns whether the lead moved."""
    if to_status not in LeadStatus.values or to_status in CLOSED_STATUSES:
        raise ValueError(f"the system does not move leads to {to_status!r}")
    lead = _locked(lead)
    if lead.status == to_status or lead.status not in from_statuses:
        return False
    now = timezone.now()
    _set_status(lead, to_status=to_status, actor=None, now=now, note=_clean_note(note))
    lead.last_activity_at = now
    lead.save(update_fields=["status", "close_reason", "first_contact_at", "last_activity_at"])
    return True


@transaction.atomic
def lead_status_advance(*, lead: Lead, to_status: str, actor, note: str = "") -> bool:
    """A move along the path that follows from what staff just did (a screen
    started: Screening; an assessment booked: Assessment scheduled; a full
    track: Waitlisted; a seat taken: Admitted), by the person who did it, with
    its own Status changed event. Only forward and only an open lead: a lead
    already further on, or closed, stays where it is. Called inside the
    caller's transaction; returns whether the lead moved."""
    _require_actor(actor)
    if to_status not in LeadStatus.values or to_status in CLOSED_STATUSES:
        raise ValueError(f"a lead is not advanced to {to_status!r}")
    lead = _locked(lead)
    if not is_forward_move(lead.status, to_status):
        return False
    now = timezone.now()
    _set_status(lead, to_status=to_status, actor=actor, now=now, note=_clean_note(note))
    lead.last_activity_at = now
    lead.save(update_fields=["status", "close_reason", "first_contact_at", "last_activity_at"])
    return True


@transaction.atomic
def lead_call_attempt_record(*, lead: Lead, actor, outcome: str, note: str = "") -> Lead:
    """Record a call. The first call that reaches the person sets first
    contact. A new lead moves to Contact attempted (or Contacted, when the
    call reached them) so nobody has to do that by hand; later statuses are
    left alone."""
    _require_actor(actor)
    if outcome not in CallOutcome.values:
        raise ValidationError({"outcome": "Choose what happened on the call."})
    note = _clean_note(note)
    lead = _locked(lead)
    _refuse_if_contact_stopped(lead, "outcome")
    now = timezone.now()
    _event(lead, actor=actor, kind=LeadEvent.Kind.CALL, now=now, call_outcome=outcome, note=note)
    reached = outcome == CallOutcome.REACHED
    if reached and lead.first_contact_at is None:
        lead.first_contact_at = now
    if lead.status == LeadStatus.NEW:
        next_status = LeadStatus.CONTACTED if reached else LeadStatus.CONTACT_ATTEMPTED
        _set_status(lead, to_status=next_status, actor=actor, now=now)
    elif lead.status == LeadStatus.CONTACT_ATTEMPTED and reached:
        _set_status(lead, to_status=LeadStatus.CONTACTED, actor=actor, now=now)
    lead.last_activity_at = now
    lead.save(update_fields=["status", "close_reason", "first_contact_at", "last_activity_at"])
    return lead


@transaction.atomic
def lead_note_add(*, lead: Lead, actor, note: str) -> Lead:
    _require_actor(actor)
    note = _clean_note(note, required=True)
    lead = _locked(lead)
    now = timezone.now()
    _event(lead, actor=actor, kind=LeadEvent.Kind.NOTE, now=now, note=note)
    lead.last_activity_at = now
    lead.save(update_fields=["last_activity_at"])
    return lead


def user_can_work_leads(user) -> bool:
    return bool(
        user is not None and user.is_active and user.is_staff and user.has_perm("admissions.change_lead")
    )


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


@transaction.atomic
def lead_assign(*, lead: Lead, actor, assignee) -> Lead:
    """Give a lead to a coordinator (assignee=None leaves it unassigned).

    Anyone who works leads may take an unassigned lead for themselves or hand
    back their own; moving a lead to or from someone else needs the
    reassign_lead permission (managers).
    """
    _require_actor(actor)
    lead = _locked(lead)
    current_id = lead.assigned_to_id
    new_id = assignee.pk if assignee is not None else None
    if current_id == new_id:
        raise ValidationError(
            {
                "assignee": "The lead is already unassigned."
                if new_id is None
                else "The lead is already theirs."
            }
        )
    if not actor.has_perm("admissions.reassign_lead"):
        takes_unassigned = current_id is None and new_id == actor.pk
        hands_back_own = current_id == actor.pk and new_id is None
        if not (takes_unassigned or hands_back_own):
            raise PermissionDenied("Only a manager can give a lead to someone else or take one from them.")
    if assignee is not None and not user_can_work_leads(assignee):
        raise ValidationError({"assignee": "That person does not work leads (no admissions role)."})
    now = timezone.now()
    previous = lead.assigned_to
    if assignee is None:
        text = f"Unassigned (was {_person(previous)})."
    elif previous is None:
        text = f"Assigned to {_person(assignee)}."
    else:
        text = f"Moved from {_person(previous)} to {_person(assignee)}."
    _event(lead, actor=actor, kind=LeadEvent.Kind.ASSIGNED, now=now, note=text)
    lead.assigned_to = assignee
    lead.last_activity_at = now
    lead.save(update_fields=["assigned_to", "last_activity_at"])
    return lead


@transaction.atomic
def lead_follow_up_set(
    *, lead: Lead, actor, follow_up_at: datetime.datetime | None, note: str = "", now=None
) -> Lead:
    """Set when the next call is due (None clears it). Only open leads get a
    follow-up, and only in the future."""
    _require_actor(actor)
    note = _clean_note(note)
    now = now or timezone.now()
    if follow_up_at is not None:
        if timezone.is_naive(follow_up_at):
            raise ValidationError({"follow_up_at": "Give a date and time with a time zone."})
        if follow_up_at <= now:
            raise ValidationError({"follow_up_at": "Pick a time in the future."})
        if follow_up_at > now + datetime.timedelta(days=366):
            raise ValidationError({"follow_up_at": "Pick a time within the next year."})
    lead = _locked(lead)
    if follow_up_at is not None:
        _refuse_if_contact_stopped(lead, "follow_up_at")
    if lead.status not in OPEN_STATUSES and follow_up_at is not None:
        raise ValidationError({"follow_up_at": "The lead is closed; reopen it before planning a follow-up."})
    if follow_up_at is None and lead.follow_up_at is None:
        raise ValidationError({"follow_up_at": "There is no follow-up to clear."})
    if follow_up_at is None:
        text = "Follow-up cleared."
    else:
        local = timezone.localtime(follow_up_at)
        # "10 a.m." already ends in a period: no second one ("10 a.m..").
        text = f"Follow-up due {formats.date_format(local, 'DATETIME_FORMAT').rstrip('.')}."
    _event(
        lead,
        actor=actor,
        kind=LeadEvent.Kind.FOLLOW_UP,
        now=now,
        note=f"{text}\n{note}" if note else text,
    )
    lead.follow_up_at = follow_up_at
    lead.last_activity_at = now
    lead.save(update_fields=["follow_up_at", "last_activity_at"])
    return lead


def _refuse_if_contact_stopped(lead: Lead, field: str) -> None:
    if lead.contact_stopped_at is not None:
        raise ValidationError(
            {
                field: "This person asked us to stop contacting them: no calls or emails. "
                "Record anything they tell us as a note."
            }
        )


# Contact revocation, possible spam ---------------------------------------------------


@transaction.atomic
def lead_contact_stop(*, lead: Lead, actor, via: str, note: str = "") -> Lead:
    """The person asked us to stop calling and emailing (on a call, by email, in
    person, in writing): stored with when and how; the lead page then blocks
    calls, emails and follow-ups (TCPA revocation rule, 2025)."""
    _require_actor(actor)
    if via not in ContactStop.values:
        raise ValidationError({"via": "Say how the person told us."})
    note = _clean_note(note)
    lead = _locked(lead)
    if lead.contact_stopped_at is not None:
        raise ValidationError({"via": "Already recorded: this person is not contacted."})
    now = timezone.now()
    how = ContactStop(via).label
    _event(
        lead,
        actor=actor,
        kind=LeadEvent.Kind.CONTACT_STOPPED,
        now=now,
        note=f"{how}.\n{note}" if note else f"{how}.",
    )
    lead.contact_stopped_at, lead.contact_stopped_via = now, via
    lead.follow_up_at = None
    lead.last_activity_at = now
    lead.save(update_fields=["contact_stopped_at", "contact_stopped_via", "follow_up_at", "last_activity_at"])
    return lead


@transaction.atomic
def lead_spam_clear(*, lead: Lead, actor) -> Lead:
    """A person looked at a request the spam checks held and it is real."""
    _require_actor(actor)
    lead = _locked(lead)
    if not lead.possible_spam:
        raise ValidationError({"confirm": "This lead is not marked as possible spam."})
    now = timezone.now()
    _event(lead, actor=actor, kind=LeadEvent.Kind.SPAM_CLEARED, now=now)
    lead.possible_spam = ""
    lead.last_activity_at = now
    lead.save(update_fields=["possible_spam", "last_activity_at"])
    return lead


@transaction.atomic
def lead_spam_delete(*, lead: Lead, actor) -> int:
    """Delete a lead the spam checks held, after a person looked at it.
    Only possible spam: real leads are closed, never deleted by coordinators.
    Returns the deleted lead's number (the caller audits it)."""
    _require_actor(actor)
    lead = _locked(lead)
    if not lead.possible_spam:
        raise ValidationError({"confirm": "Only a lead marked as possible spam can be deleted here."})
    number = lead.pk
    for model in (ConsultationRequest, InsuranceVerification):
        for submission in model.objects.filter(lead=lead):
            for name in ("card_front", "card_back"):
                stored = getattr(submission, name, None)
                if stored:
                    stored.delete(save=False)
    lead.delete()
    return number


# Leads staff record (phone, walk-in, referral, email) --------------------------------


def verbal_consent_script(language: str = Language.ENGLISH) -> ConsentText | None:
    """The current version of the script a coordinator reads to ask for consent, in `language`."""
    return (
        ConsentText.objects.filter(kind=ConsentText.Kind.VERBAL, language=language)
        .order_by("-version")
        .first()
    )


FIRST_CONTACT_CHANNELS = (Channel.PHONE, Channel.WALK_IN)


@transaction.atomic
def lead_record_inquiry(
    *,
    actor,
    channel: str,
    first_name: str,
    last_name: str,
    phone: str = "",
    email: str = "",
    relation: str = "",
    patient_first_name: str = "",
    patient_last_name: str = "",
    level_of_care=None,
    message: str = "",
    best_time_to_call: str = "any",
    referred_by=None,
    consent: ConsentText,
    attach_to: Lead | None = None,
) -> tuple[Lead, ConsultationRequest]:
    """A coordinator records a request that came by phone, walk-in, referral
    or email: a consultation request on the same pipeline as the web forms
    (never rate-limited), with the verbal consent against the versioned script
    read out, a timeline event, the search index, and first contact set to the
    call itself. `attach_to` adds it to a matching lead the coordinator chose."""
    _require_actor(actor)
    if channel not in Channel.values or channel == Channel.WEB:
        raise ValidationError({"channel": "Choose how the request came in."})
    if not phone and not email:
        raise ValidationError({"phone": "Give a phone number or an email address (or both)."})
    if consent is None or consent.kind != ConsentText.Kind.VERBAL:
        raise ValidationError({"consent": "Read the consent script and record the answer."})
    message = _clean_note(message, field="message")
    now = timezone.now()
    reached = channel in FIRST_CONTACT_CHANNELS
    if attach_to is not None:
        lead = _locked(attach_to)
        lead.kind = RequestKind.CONSULTATION
        if level_of_care is not None:
            lead.level_of_care = level_of_care
        if referred_by is not None and lead.referred_by_id is None:
            lead.referred_by = referred_by
    else:
        lead = Lead(
            first_name=first_name,
            last_name=last_name,
            phone=phone,
            email=email,
            phone_lookup=phone_lookup(phone),
            email_lookup=email_lookup(email),
            kind=RequestKind.CONSULTATION,
            level_of_care=level_of_care,
            source=Channel(channel).label.lower(),
            channel=channel,
            referred_by=referred_by,
            received_at=now,
            assigned_to=actor,
        )
    if reached and lead.first_contact_at is None:
        lead.first_contact_at = now
    lead.last_activity_at = now
    lead.save()
    someone_else = bool(patient_first_name or patient_last_name or relation)
    request = ConsultationRequest.objects.create(
        lead=lead,
        form_token=uuid.uuid4(),
        submitted_at=now,
        channel=channel,
        recorded_by=actor,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        email=email,
        caller_relation=relation,
        patient_first_name=patient_first_name,
        patient_last_name=patient_last_name,
        who_needs_help=WhoNeedsHelp.LOVED_ONE if someone_else else WhoNeedsHelp.SELF,
        level_of_care=level_of_care,
        message=message,
        best_time_to_call=best_time_to_call or "any",
        contact_consent=consent,
        # Alerts are for requests nobody has seen; a coordinator typed this one.
        staff_alert_sent_at=now,
        auto_reply_sent_at=now,
    )
    _event(
        lead,
        actor=actor,
        kind=LeadEvent.Kind.SUBMITTED,
        now=now,
        note=f"{Channel(channel).label} recorded by {_person(actor)}; verbal consent (script v{consent.version}).",
    )
    if lead.status == LeadStatus.NEW and reached:
        _set_status(lead, to_status=LeadStatus.CONTACTED, actor=actor, now=now)
        lead.save(update_fields=["status", "close_reason", "first_contact_at"])
    lead_search_tokens_rebuild(lead)
    return lead, request


# Merge and split ----------------------------------------------------------------------


def _submissions_of(lead: Lead) -> list:
    return [*ConsultationRequest.objects.filter(lead=lead), *InsuranceVerification.objects.filter(lead=lead)]


@transaction.atomic
def lead_merge(*, into: Lead, other: Lead, actor) -> Lead:
    """Two leads of the same person become one: every request, timeline entry
    and check of `other` moves to `into` (its timeline is kept), `other` is
    closed as a duplicate pointing at `into`, and both say so on their timeline."""
    _require_actor(actor)
    if into.pk == other.pk:
        raise ValidationError({"other": "That is this lead."})
    first, second = sorted([into.pk, other.pk])
    locked = {lead.pk: lead for lead in Lead.objects.select_for_update().filter(pk__in=[first, second])}
    if len(locked) != 2:
        raise ValidationError({"other": "There is no lead with that number."})
    into, other = locked[into.pk], locked[other.pk]
    now = timezone.now()
    for model in (ConsultationRequest, InsuranceVerification):
        model.objects.filter(lead=other).update(lead=into)
    LeadEvent.objects.filter(lead=other).update(lead=into)
    if not into.phone and other.phone:
        into.phone, into.phone_lookup = other.phone, other.phone_lookup
    if not into.email and other.email:
        into.email, into.email_lookup = other.email, other.email_lookup
    if into.first_contact_at is None or (
        other.first_contact_at and other.first_contact_at < into.first_contact_at
    ):
        into.first_contact_at = other.first_contact_at
    into.received_at = min(into.received_at, other.received_at)
    into.last_activity_at = now
    into.save()
    _event(
        into, actor=actor, kind=LeadEvent.Kind.MERGED, now=now, note=f"Lead {other.pk} merged into this lead."
    )
    if other.status not in CLOSED_STATUSES:
        _set_status(
            other, to_status=LeadStatus.DUPLICATE, actor=actor, now=now, note=f"Merged into lead {into.pk}."
        )
    _event(other, actor=actor, kind=LeadEvent.Kind.MERGED, now=now, note=f"Merged into lead {into.pk}.")
    other.follow_up_at = None
    other.last_activity_at = now
    other.save()
    lead_search_tokens_rebuild(into)
    lead_search_tokens_rebuild(other)
    return into


@transaction.atomic
def lead_split_request(*, submission, actor) -> Lead:
    """A request attached to the wrong lead moves to a new lead of its own
    (the person it names); both timelines say so."""
    _require_actor(actor)
    old = _locked(submission.lead)
    if len(_submissions_of(old)) < 2:
        raise ValidationError({"submission": "This is the lead's only request: there is nothing to split."})
    now = timezone.now()
    kind = (
        RequestKind.INSURANCE if isinstance(submission, InsuranceVerification) else RequestKind.CONSULTATION
    )
    new = Lead.objects.create(
        first_name=submission.first_name,
        last_name=submission.last_name,
        phone=submission.phone,
        email=submission.email,
        phone_lookup=phone_lookup(submission.phone),
        email_lookup=email_lookup(submission.email),
        kind=kind,
        level_of_care=getattr(submission, "level_of_care", None),
        channel=submission.channel,
        source=old.source,
        received_at=submission.submitted_at,
        last_activity_at=now,
    )
    type(submission).objects.filter(pk=submission.pk).update(lead=new)
    _event(
        new, actor=actor, kind=LeadEvent.Kind.SPLIT, now=now, note=f"Request moved here from lead {old.pk}."
    )
    _event(
        old, actor=actor, kind=LeadEvent.Kind.SPLIT, now=now, note=f"A request moved to new lead {new.pk}."
    )
    old.last_activity_at = now
    old.save(update_fields=["last_activity_at"])
    lead_search_tokens_rebuild(old)
    lead_search_tokens_rebuild(new)
    return new
