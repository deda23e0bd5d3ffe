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

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone

from admissions.models import CLOSED_STATUSES, OPEN_STATUSES, Lead, LeadEvent, LeadStatus

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
def lead_status_change(*, lead: Lead, to_status: str, actor, reason: str = "") -> Lead:
    """Move a lead to another status. Closed statuses need a reason (the
    database refuses a closed lead without one, too)."""
    _require_actor(actor)
    if to_status not in LeadStatus.values:
        raise ValidationError({"to_status": "Choose one of the listed statuses."})
    lead = _locked(lead)
    if to_status == lead.status:
        raise ValidationError({"to_status": f"The lead is already “{lead.get_status_display()}”."})
    reason = _clean_note(reason, field="reason")
    if to_status in CLOSED_STATUSES and not reason:
        raise ValidationError({"reason": "Say why the lead is closed."})
    now = timezone.now()
    _set_status(lead, to_status=to_status, actor=actor, now=now, note=reason)
    lead.last_activity_at = now
    lead.save(update_fields=["status", "close_reason", "first_contact_at", "last_activity_at"])
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
    if lead.status not in OPEN_STATUSES and follow_up_at is not None:
        raise ValidationError({"follow_up_at": "The lead is closed; reopen it before planning a follow-up."})
    if follow_up_at is None and lead.follow_up_at is None:
        raise ValidationError({"follow_up_at": "There is no follow-up to clear."})
    if follow_up_at is None:
        text = "Follow-up cleared."
    else:
        local = timezone.localtime(follow_up_at)
        text = f"Follow-up due {formats.date_format(local, 'DATETIME_FORMAT')}."
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
