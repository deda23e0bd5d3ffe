"""Writes of scheduling and capacity (admissions.models.scheduling): booking,
changing and closing a lead's appointments; admitting a lead to a track
(taking a seat, or a place on the waitlist when the track is full); freeing a
seat and leaving the waitlist, each handing a freed seat to the head of the
list; the coordinator's reminder before an appointment; and what the purge
does to a lead's appointments, seat and waitlist place.

As in admissions.services.pipeline: keyword-only arguments, row locks for
the whole transaction, one timeline event per write (kind Appointment or
Seat or waitlist), and the lead's status moved forward along the path by
pipeline.lead_status_advance with its own Status changed event (Assessment
scheduled, Waitlisted, Admitted). Bad input raises ValidationError keyed by
the form field it concerns and stores nothing; acting beyond one's role
raises PermissionDenied.

Seats are counted with the track row locked (SELECT ... FOR UPDATE), and the
track is always locked before the lead, so two coordinators admitting two
people to the last seat at once are served one after the other: the first
takes it, the second is wait-listed. A track's free seats are its seats less
the seats held and the seats kept for a waitlisted lead who was offered one;
whenever a seat frees (or seats are added), the longest-waiting lead not yet
offered one is offered it (first come, first served).

The reminder mail names the lead by number only, with the time, the kind of
appointment and a staff link: never a name, a phone number or the notes.
"""

import datetime
import logging
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone

from admissions.models import (
    CLOSED_STATUSES,
    Appointment,
    AppointmentKind,
    AppointmentMode,
    AppointmentStatus,
    Lead,
    LeadEvent,
    LeadStatus,
    ProgramTrack,
    SeatEnd,
    TrackSeat,
    WaitlistEntry,
    WaitlistOutcome,
)
from admissions.models.scheduling import NOTES_MAX_LENGTH

from . import pipeline

logger = logging.getLogger(__name__)

VIEW = "admissions.view_appointment"
BOOK = "admissions.add_appointment"
CHANGE = "admissions.change_appointment"
ADMIT = "admissions.admit_to_track"

# How long before an appointment its reminder goes out, by default.
REMINDER_MINUTES = 60
# How far back a coordinator may book (recording an assessment that just began).
BOOK_GRACE = datetime.timedelta(hours=1)
BOOK_HORIZON = datetime.timedelta(days=366)


def _require(actor, permission: str, words: str) -> None:
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("Every change to a schedule is made by a named user.")
    if not actor.has_perm(permission):
        raise PermissionDenied(words)


def _locked_lead(lead: Lead) -> Lead:
    return Lead.objects.select_for_update().get(pk=lead.pk)


def _locked_track(track: ProgramTrack) -> ProgramTrack:
    return ProgramTrack.objects.select_for_update().get(pk=track.pk)


def _event(lead_id: int, *, actor, now, kind, note: str) -> LeadEvent:
    return LeadEvent.objects.create(lead_id=lead_id, actor=actor, at=now, kind=kind, note=note)


def _touch(lead: Lead, now) -> None:
    lead.last_activity_at = now
    lead.save(update_fields=["last_activity_at"])


def when_words(value: datetime.datetime) -> str:
    """An appointment's time as staff read it, in the center's time zone
    ("Tue Jul 14, 2:30 p.m. PDT")."""
    local = timezone.localtime(value)
    return f"{formats.date_format(local, 'D M j')}, {formats.time_format(local, 'P T')}"


def day_words(value: datetime.date) -> str:
    return formats.date_format(value, "D M j, Y")


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else "nobody"


def schedulable_staff_ids() -> set[int]:
    """Who an appointment may be with: active staff who work leads or see
    appointments (coordinators, managers, clinicians)."""

    def holds(codename):
        return Q(
            groups__permissions__codename=codename, groups__permissions__content_type__app_label="admissions"
        ) | Q(user_permissions__codename=codename, user_permissions__content_type__app_label="admissions")

    return set(
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(holds("change_lead") | holds("view_appointment") | Q(is_superuser=True))
        .values_list("pk", flat=True)
    )


# Appointments --------------------------------------------------------------------------


def _clean_appointment(*, kind, starts_at, with_whom, mode, minutes, notes, now) -> dict:
    errors = {}
    if kind not in AppointmentKind.values:
        errors["kind"] = "Choose assessment or admission."
    if mode not in AppointmentMode.values:
        errors["mode"] = "Choose in person or telehealth."
    if starts_at is None or timezone.is_naive(starts_at):
        errors["starts_at"] = "Give a date and a time."
    elif starts_at < now - BOOK_GRACE:
        errors["starts_at"] = "That time is past: pick a time from now on."
    elif starts_at > now + BOOK_HORIZON:
        errors["starts_at"] = "Pick a time within the next year."
    if with_whom is None or with_whom.pk not in schedulable_staff_ids():
        errors["with_whom"] = "Choose a staff member who sees people (coordinator, manager or clinician)."
    if not isinstance(minutes, int) or not 10 <= minutes <= 480:
        errors["minutes"] = "Between 10 and 480 minutes."
    notes = (notes or "").strip()
    if len(notes) > NOTES_MAX_LENGTH:
        errors["notes"] = f"Keep it under {NOTES_MAX_LENGTH} characters (it has {len(notes)})."
    if errors:
        raise ValidationError(errors)
    return {
        "kind": kind,
        "starts_at": starts_at,
        "with_whom": with_whom,
        "mode": mode,
        "minutes": minutes,
        "notes": notes,
    }


def _booking_words(appointment: Appointment) -> str:
    return (
        f"{appointment.get_kind_display()} {when_words(appointment.starts_at)}, "
        f"{appointment.get_mode_display().lower()}, with {_person(appointment.with_whom)}"
    )


@transaction.atomic
def appointment_book(
    *,
    lead: Lead,
    actor,
    kind: str,
    starts_at: datetime.datetime,
    with_whom,
    mode: str = AppointmentMode.IN_PERSON,
    minutes: int = 60,
    notes: str = "",
) -> Appointment:
    """Book an assessment or admission appointment. Booking an assessment
    moves the lead to Assessment scheduled (when it is not further on)."""
    _require(actor, BOOK, "Your role does not include scheduling.")
    now = timezone.now()
    fields = _clean_appointment(
        kind=kind, starts_at=starts_at, with_whom=with_whom, mode=mode, minutes=minutes, notes=notes, now=now
    )
    lead = _locked_lead(lead)
    if lead.status in CLOSED_STATUSES:
        raise ValidationError({"starts_at": "The lead is closed; reopen it before booking."})
    appointment = Appointment.objects.create(
        lead=lead, created_by=actor, created_at=now, updated_at=now, **fields
    )
    _event(
        lead.pk,
        actor=actor,
        now=now,
        kind=LeadEvent.Kind.APPOINTMENT,
        note=f"Booked: {_booking_words(appointment)}.",
    )
    if kind == AppointmentKind.ASSESSMENT:
        pipeline.lead_status_advance(lead=lead, to_status=LeadStatus.ASSESSMENT_SCHEDULED, actor=actor)
    _touch(lead, now)
    return appointment


def _locked_appointment(appointment: Appointment) -> tuple[Lead, Appointment]:
    lead = _locked_lead(Lead(pk=appointment.lead_id))
    return lead, Appointment.objects.select_for_update().get(pk=appointment.pk)


@transaction.atomic
def appointment_change(
    *,
    appointment: Appointment,
    actor,
    starts_at: datetime.datetime,
    with_whom,
    mode: str,
    minutes: int,
    notes: str = "",
) -> Appointment:
    """Move a scheduled appointment (another time, person or mode); a new
    time is reminded again."""
    _require(actor, CHANGE, "Your role does not include scheduling.")
    now = timezone.now()
    lead, appointment = _locked_appointment(appointment)
    if appointment.status != AppointmentStatus.SCHEDULED:
        raise ValidationError({"starts_at": "Only a scheduled appointment can be moved; book a new one."})
    fields = _clean_appointment(
        kind=appointment.kind,
        starts_at=starts_at,
        with_whom=with_whom,
        mode=mode,
        minutes=minutes,
        notes=notes,
        now=now,
    )
    before = _booking_words(appointment)
    if appointment.starts_at != fields["starts_at"]:
        appointment.reminder_sent_at = None
    for name, value in fields.items():
        setattr(appointment, name, value)
    appointment.updated_at = now
    appointment.save()
    _event(
        lead.pk,
        actor=actor,
        now=now,
        kind=LeadEvent.Kind.APPOINTMENT,
        note=f"Changed: {_booking_words(appointment)} (was {before}).",
    )
    _touch(lead, now)
    return appointment


@transaction.atomic
def appointment_close(*, appointment: Appointment, actor, status: str) -> Appointment:
    """Record that a scheduled appointment was kept, missed or cancelled."""
    _require(actor, CHANGE, "Your role does not include scheduling.")
    if status not in AppointmentStatus.values or status == AppointmentStatus.SCHEDULED:
        raise ValidationError({"status": "Choose kept, did not come or cancelled."})
    now = timezone.now()
    lead, appointment = _locked_appointment(appointment)
    if appointment.status != AppointmentStatus.SCHEDULED:
        raise ValidationError({"status": f"Already recorded as “{appointment.get_status_display()}”."})
    appointment.status, appointment.updated_at = status, now
    appointment.save(update_fields=["status", "updated_at"])
    _event(
        lead.pk,
        actor=actor,
        now=now,
        kind=LeadEvent.Kind.APPOINTMENT,
        note=f"{appointment.get_kind_display()} of {when_words(appointment.starts_at)}: "
        f"{appointment.get_status_display().lower()}.",
    )
    _touch(lead, now)
    return appointment


# Seats and the waitlist -----------------------------------------------------------------


@dataclass(frozen=True)
class TrackCount:
    seats: int
    held: int
    kept: int  # offered to a waitlisted lead, not taken yet
    waiting: int  # on the list, not offered a seat yet

    @property
    def free(self) -> int:
        return max(self.seats - self.held - self.kept, 0)


def track_count(track: ProgramTrack) -> TrackCount:
    held = TrackSeat.objects.filter(track=track, freed_at__isnull=True).count()
    entries = WaitlistEntry.objects.filter(track=track, closed_at__isnull=True)
    return TrackCount(
        seats=track.seats,
        held=held,
        kept=entries.filter(offered_at__isnull=False).count(),
        waiting=entries.filter(offered_at__isnull=True).count(),
    )


def waitlist_place(entry: WaitlistEntry) -> int:
    """1 for the head of the list; counts everyone still waiting ahead."""
    return (
        WaitlistEntry.objects.filter(track_id=entry.track_id, closed_at__isnull=True)
        .filter(added_at__lte=entry.added_at)
        .exclude(added_at=entry.added_at, pk__gt=entry.pk)
        .count()
    )


def _offer_free_seats(track: ProgramTrack, *, actor, now) -> list[WaitlistEntry]:
    """With the track locked: each free seat goes to the longest-waiting lead
    not yet offered one, and is kept for them. One event on each of their timelines."""
    free = track_count(track).free
    if free <= 0:
        return []
    heads = list(
        WaitlistEntry.objects.select_for_update()
        .filter(track=track, closed_at__isnull=True, offered_at__isnull=True)
        .order_by("added_at", "id")[:free]
    )
    for entry in heads:
        entry.offered_at = now
        entry.save(update_fields=["offered_at"])
        _event(
            entry.lead_id,
            actor=actor,
            now=now,
            kind=LeadEvent.Kind.SEAT,
            note=f"A seat on {track.name} is free and kept for this person: call them to take it or decline.",
        )
    return heads


@dataclass(frozen=True)
class Admission:
    """What lead_admit did: a seat taken, or a place on the waitlist."""

    seat: TrackSeat | None = None
    entry: WaitlistEntry | None = None
    place: int = 0

    @property
    def admitted(self) -> bool:
        return self.seat is not None


@transaction.atomic
def lead_admit(*, lead: Lead, track: ProgramTrack, actor, starts_on: datetime.date) -> Admission:
    """Admit a lead to a track: a free seat (or the one kept for them after
    an offer) is taken and the lead moves to Admitted; a full track puts the
    lead at the end of its waitlist (Waitlisted). A lead already waiting on
    this track keeps its place: only a seat offered to them, or a free seat
    nobody before them waits for, admits them."""
    _require(actor, ADMIT, "Your role does not include admitting to a track.")
    if not isinstance(starts_on, datetime.date):
        raise ValidationError({"starts_on": "Give the first day."})
    today = timezone.localdate()
    if starts_on < today - datetime.timedelta(days=14):
        raise ValidationError({"starts_on": "That first day is more than two weeks ago."})
    if starts_on > today + BOOK_HORIZON:
        raise ValidationError({"starts_on": "Pick a first day within the next year."})
    # The track first, then the lead: the order every writer here keeps.
    track = _locked_track(track)
    lead = _locked_lead(lead)
    now = timezone.now()
    if lead.status in CLOSED_STATUSES:
        raise ValidationError({"track": "The lead is closed; reopen it before admitting."})
    if not track.active:
        raise ValidationError({"track": f"{track.name} is not taking admissions."})
    held = TrackSeat.objects.filter(lead=lead, freed_at__isnull=True).select_related("track").first()
    if held is not None:
        raise ValidationError(
            {"track": f"The lead already holds a seat on {held.track.name}: free it first."}
        )
    entry = (
        WaitlistEntry.objects.select_for_update()
        .filter(lead=lead, closed_at__isnull=True)
        .select_related("track")
        .first()
    )
    if entry is not None and entry.track_id != track.pk:
        raise ValidationError(
            {"track": f"The lead is on the waitlist for {entry.track.name}: take them off it first."}
        )
    # Seats added since, or freed without an offer: the list goes first.
    offered = _offer_free_seats(track, actor=actor, now=now)
    if entry is not None and any(e.pk == entry.pk for e in offered):
        entry.offered_at = now
    count = track_count(track)
    takes_seat = (entry is not None and entry.offered_at is not None) or (
        entry is None and count.free > 0 and count.waiting == 0
    )
    if takes_seat:
        seat = TrackSeat.objects.create(
            lead=lead, track=track, starts_on=starts_on, taken_by=actor, taken_at=now
        )
        if entry is not None:
            entry.closed_at, entry.outcome = now, WaitlistOutcome.ADMITTED
            entry.save(update_fields=["closed_at", "outcome"])
        _event(
            lead.pk,
            actor=actor,
            now=now,
            kind=LeadEvent.Kind.SEAT,
            note=f"Seat taken on {track.name}, first day {day_words(starts_on)}.",
        )
        pipeline.lead_status_advance(lead=lead, to_status=LeadStatus.ADMITTED, actor=actor)
        _touch(lead, now)
        return Admission(seat=seat)
    if entry is not None:
        # Already waiting, and nobody offered them a seat yet: the place stands.
        return Admission(entry=entry, place=waitlist_place(entry))
    entry = WaitlistEntry.objects.create(
        lead=lead, track=track, added_at=now, added_by=actor, wanted_start_on=starts_on
    )
    place = waitlist_place(entry)
    _event(
        lead.pk,
        actor=actor,
        now=now,
        kind=LeadEvent.Kind.SEAT,
        note=f"{track.name} is full: wait-listed, place {place}.",
    )
    pipeline.lead_status_advance(lead=lead, to_status=LeadStatus.WAITLISTED, actor=actor)
    _touch(lead, now)
    return Admission(entry=entry, place=place)


def _seat_end(seat: TrackSeat, *, actor, end: str, why: str = "") -> TrackSeat | None:
    """Free a held seat (track, then seat, locked) and offer it to the head of
    the waitlist; None when it was free already."""
    track = _locked_track(seat.track)
    seat = TrackSeat.objects.select_for_update().get(pk=seat.pk)
    if seat.freed_at is not None:
        return None
    now = timezone.now()
    seat.freed_at, seat.freed_by, seat.end = now, actor, end
    seat.save(update_fields=["freed_at", "freed_by", "end"])
    why = why or seat.get_end_display().lower()
    _event(
        seat.lead_id,
        actor=actor,
        now=now,
        kind=LeadEvent.Kind.SEAT,
        note=f"Seat on {track.name} freed: {why}.",
    )
    _offer_free_seats(track, actor=actor, now=now)
    return seat


def _waitlist_close(entry: WaitlistEntry, *, actor, outcome: str, why: str = "") -> WaitlistEntry | None:
    """Take a lead off a waitlist (track, then entry, locked); a seat kept for
    it goes to the next on the list. None when it had left already."""
    track = _locked_track(entry.track)
    entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.closed_at is not None:
        return None
    now = timezone.now()
    entry.closed_at, entry.outcome = now, outcome
    entry.save(update_fields=["closed_at", "outcome"])
    why = why or entry.get_outcome_display().lower()
    _event(
        entry.lead_id,
        actor=actor,
        now=now,
        kind=LeadEvent.Kind.SEAT,
        note=f"Off the waitlist for {track.name}: {why}.",
    )
    _offer_free_seats(track, actor=actor, now=now)
    return entry


@transaction.atomic
def seat_free(*, seat: TrackSeat, actor, end: str) -> TrackSeat:
    """The person left the group or house (completed, left, stepped to
    another level, never started): the seat frees and is offered to the head
    of the waitlist."""
    _require(actor, ADMIT, "Your role does not include freeing seats.")
    if end not in SeatEnd.values:
        raise ValidationError({"end": "Say why the seat is freed."})
    freed = _seat_end(seat, actor=actor, end=end)
    if freed is None:
        raise ValidationError({"end": "This seat is already free."})
    return freed


@transaction.atomic
def waitlist_leave(*, entry: WaitlistEntry, actor, outcome: str = WaitlistOutcome.DECLINED) -> WaitlistEntry:
    """The lead leaves the waitlist (declined, no longer needs it, or taken
    off by staff); a seat kept for them goes to the next on the list."""
    _require(actor, ADMIT, "Your role does not include the waitlist.")
    if outcome not in (WaitlistOutcome.DECLINED, WaitlistOutcome.REMOVED):
        raise ValidationError({"outcome": "Choose declined or taken off."})
    closed = _waitlist_close(entry, actor=actor, outcome=outcome)
    if closed is None:
        raise ValidationError({"outcome": "The lead is no longer on this waitlist."})
    return closed


@transaction.atomic
def lead_places_release(*, lead: Lead, actor) -> int:
    """A lead being closed gives back what it holds: its seat frees (ended
    "never started" before its first day, "left" after) and is offered to the
    head of the waitlist, and it leaves every waitlist. Part of closing the
    lead, which the caller authorised."""
    today = timezone.localdate()
    released = 0
    for seat in TrackSeat.objects.filter(lead=lead, freed_at__isnull=True).select_related("track"):
        end = SeatEnd.NEVER_CAME if seat.starts_on > today else SeatEnd.LEFT
        released += _seat_end(seat, actor=actor, end=end, why="lead closed") is not None
    for entry in WaitlistEntry.objects.filter(lead=lead, closed_at__isnull=True).select_related("track"):
        released += (
            _waitlist_close(entry, actor=actor, outcome=WaitlistOutcome.REMOVED, why="lead closed")
            is not None
        )
    return released


@transaction.atomic
def track_capacity_changed(*, track: ProgramTrack, actor) -> list[WaitlistEntry]:
    """After a manager adds seats (the admin's save): offer them to the waitlist."""
    track = _locked_track(track)
    return _offer_free_seats(track, actor=actor, now=timezone.now())


# The purge -------------------------------------------------------------------------------


def lead_scheduling_erase(*, lead: Lead) -> dict[str, int]:
    """Inside the purge's transaction, before the lead is deleted: erase its
    appointments, seats and waitlist places, and offer each seat it held (or
    had been offered) to the next lead waiting. The offers are made by nobody
    (the site), like the purge itself. Returns counts, no patient data."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lead_scheduling_erase runs inside the purge's transaction")
    track_ids = set(
        TrackSeat.objects.filter(lead=lead, freed_at__isnull=True).values_list("track_id", flat=True)
    ) | set(
        WaitlistEntry.objects.filter(lead=lead, closed_at__isnull=True, offered_at__isnull=False).values_list(
            "track_id", flat=True
        )
    )
    tracks = list(ProgramTrack.objects.select_for_update().filter(pk__in=track_ids).order_by("pk"))
    counts = {
        "appointments": Appointment.objects.filter(lead=lead).delete()[0],
        "seats": TrackSeat.objects.filter(lead=lead).delete()[0],
        "waitlist": WaitlistEntry.objects.filter(lead=lead).delete()[0],
    }
    now = timezone.now()
    counts["offered"] = sum(len(_offer_free_seats(track, actor=None, now=now)) for track in tracks)
    return counts


# Reminders ---------------------------------------------------------------------------------


def reminder_minutes() -> int:
    return int(getattr(settings, "ADMISSIONS_APPOINTMENT_REMINDER_MINUTES", REMINDER_MINUTES))


def lead_url(lead_id: int) -> str:
    try:
        path = reverse("admin:admissions_lead_schedule", args=[lead_id])
    except NoReverseMatch:  # admin not registered (a stripped-down deployment)
        path = f"/{settings.ADMIN_PATH}admissions/lead/{lead_id}/schedule/"
    return urljoin(settings.SITE_URL + "/", path.lstrip("/"))


def reminder_recipients(appointment: Appointment) -> list[str]:
    """The lead's coordinator and the staff member the appointment is with;
    ADMISSIONS_ALERT_EMAIL when neither has an address."""
    people = [appointment.lead.assigned_to, appointment.with_whom]
    found = []
    for person in people:
        address = (getattr(person, "email", "") or "").strip()
        if address and person.is_active and address not in found:
            found.append(address)
    if not found:
        found = [a.strip() for a in settings.ADMISSIONS_ALERT_EMAIL.split(",") if a.strip()]
    return found


def reminder_message(appointment: Appointment) -> EmailMessage | None:
    """Lead number, kind, time, in person or video, with whom, a staff link:
    nothing about the person."""
    recipients = reminder_recipients(appointment)
    if not recipients:
        return None
    local = timezone.localtime(appointment.starts_at)
    context = {
        "lead_id": appointment.lead_id,
        "kind": appointment.get_kind_display(),
        "when": when_words(appointment.starts_at),
        "mode": appointment.get_mode_display(),
        "with_whom": _person(appointment.with_whom),
        "url": lead_url(appointment.lead_id),
    }
    message = EmailMessage(
        subject=f"Reminder: {context['kind'].lower()} at {formats.time_format(local, 'P')} (lead {appointment.lead_id})",
        body=render_to_string("admissions/email/appointment_reminder.txt", context),
        to=recipients,
    )
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    stamp = int(appointment.starts_at.timestamp())
    message.extra_headers["Message-ID"] = f"<appointment-reminder.{appointment.pk}.{stamp}@{domain}>"
    return message


def appointment_reminders_send(*, now=None) -> dict[str, int]:
    """Email the coordinator about each scheduled appointment starting within
    the reminder time that has had no reminder yet (run every minute:
    manage.py send_appointment_reminders). Each in its own transaction with
    its row locked (SKIP LOCKED: several copies at once send once); a mail
    failure leaves it for the next run."""
    now = now or timezone.now()
    window = datetime.timedelta(minutes=reminder_minutes())
    due = Appointment.objects.filter(
        status=AppointmentStatus.SCHEDULED,
        reminder_sent_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + window,
    )
    counts = {"sent": 0, "failed": 0, "no_address": 0}
    for pk in list(due.order_by("starts_at").values_list("pk", flat=True)[:500]):
        with transaction.atomic():
            appointment = (
                due.select_for_update(skip_locked=True, of=("self",))
                .select_related("lead__assigned_to", "with_whom")
                .filter(pk=pk)
                .first()
            )
            if appointment is None:
                continue
            message = reminder_message(appointment)
            if message is None:
                logger.error("no address for the reminder of appointment %s", pk)
                counts["no_address"] += 1
            else:
                try:
                    message.send(using=settings.ADMISSIONS_MAILER)
                except Exception as exc:  # any transport failure: the next run tries again
                    logger.warning("reminder of appointment %s not sent (%s)", pk, type(exc).__name__)
                    counts["failed"] += 1
                    continue
                counts["sent"] += 1
            appointment.reminder_sent_at = timezone.now()
            appointment.save(update_fields=["reminder_sent_at"])
    return counts
