"""Scheduling and capacity: a lead's assessment and admission appointments,
the program tracks with their seats (IOP and PHP groups) and beds (sober
living), the seat a lead holds once admitted, and the waitlist of a full track.

An appointment's notes may hold patient data (why the person comes, what
they take): encrypted like the rest of the lead. Times, kinds, seats and
waitlist places are plain columns, like the lead's own status. Everything
here that belongs to a lead goes with it when the lead is purged; the purge
first frees its seat and hands it to the head of the waitlist
(admissions.services.scheduling.lead_scheduling_erase). Writes only through
admissions.services.scheduling: the track row is locked while seats are
counted, so two coordinators never take the last seat twice.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from admissions.phi.fields import EncryptedTextField

from .leads import Lead

NOTES_MAX_LENGTH = 2000


class AppointmentKind(models.TextChoices):
    ASSESSMENT = "assessment", "Assessment"
    ADMISSION = "admission", "Admission"


class AppointmentMode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    TELEHEALTH = "telehealth", "Telehealth (video)"


class AppointmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    KEPT = "kept", "Kept"
    NO_SHOW = "no_show", "Did not come"
    CANCELLED = "cancelled", "Cancelled"


class Appointment(models.Model):
    """An assessment or admission appointment of a lead, with a staff member."""

    lead = models.ForeignKey(
        Lead,
        on_delete=models.CASCADE,
        related_name="appointments",
        help_text="The person coming in; the appointment is erased with the lead.",
    )
    kind = models.CharField(
        max_length=20,
        choices=AppointmentKind,
        help_text="Assessment (the clinical intake interview) or admission (the first day).",
    )
    starts_at = models.DateTimeField(
        "date and time", help_text="When it starts (shown in the center's time zone, Pacific)."
    )
    minutes = models.PositiveSmallIntegerField(
        "length in minutes", default=60, help_text="How long it is planned to take."
    )
    with_whom = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name="with",
        help_text="The staff member who sees the person (a clinician or a coordinator).",
    )
    mode = models.CharField(
        "in person or telehealth",
        max_length=20,
        choices=AppointmentMode,
        default=AppointmentMode.IN_PERSON,
        help_text="At the center, or by video.",
    )
    status = models.CharField(
        max_length=20,
        choices=AppointmentStatus,
        default=AppointmentStatus.SCHEDULED,
        help_text="Scheduled until it is kept, missed or cancelled.",
    )
    notes = EncryptedTextField(
        blank=True,
        max_length=NOTES_MAX_LENGTH,
        help_text="What to prepare or bring. May hold patient data: encrypted, never in a reminder.",
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was booked.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who booked it.",
    )
    updated_at = models.DateTimeField(
        default=timezone.now, help_text="Last change (the purge counts from it)."
    )
    reminder_sent_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the reminder went to the coordinator; empty until then (send_appointment_reminders).",
    )

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["starts_at"], name="appointment_day"),
            models.Index(fields=["lead", "starts_at"], name="appointment_lead"),
            # The reminder sweep: scheduled, not reminded yet.
            models.Index(
                fields=["starts_at"],
                name="appointment_reminder_owed",
                condition=Q(reminder_sent_at__isnull=True, status="scheduled"),
            ),
        ]

    def __str__(self):
        # No name: admin log entries and messages carry the lead number only.
        return f"{self.get_kind_display()} of lead {self.lead_id}"

    @property
    def ends_at(self):
        return self.starts_at + datetime.timedelta(minutes=self.minutes)


class TrackLevel(models.TextChoices):
    PHP = "php", "Partial hospitalization (PHP)"
    IOP = "iop", "Intensive outpatient (IOP)"
    SOBER_LIVING = "sober_living", "Sober living"


class ProgramTrack(models.Model):
    """A group a person is admitted to (e.g. "IOP morning") with its seats,
    or a sober-living house with its beds. Managers set them up in the admin."""

    name = models.CharField(
        max_length=60, unique=True, help_text="What staff call it, e.g. “IOP evening” or “Women's house”."
    )
    level = models.CharField(
        "level of care", max_length=20, choices=TrackLevel, help_text="PHP, IOP or sober living."
    )
    seats = models.PositiveSmallIntegerField(
        "seats or beds", help_text="Group seats (PHP, IOP) or beds (sober living) it holds at once."
    )
    meets = models.CharField(
        "when it meets",
        max_length=120,
        blank=True,
        help_text="Days and hours, e.g. “Mon, Wed, Thu 6–9 p.m.” (empty for a house).",
    )
    next_start_on = models.DateField(
        "next start date",
        null=True,
        blank=True,
        help_text="The next day new people may start; the admission form suggests it. Empty: any day.",
    )
    active = models.BooleanField(
        default=True, help_text="Taking admissions. An inactive track keeps its seats' history."
    )

    class Meta:
        ordering = ["level", "name"]
        permissions = [
            ("admit_to_track", "Can admit leads to a track, wait-list them and free seats"),
        ]

    def __str__(self):
        return self.name


class SeatEnd(models.TextChoices):
    COMPLETED = "completed", "Completed the program"
    LEFT = "left", "Left before completing"
    STEPPED = "stepped", "Moved to another level or track"
    NEVER_CAME = "never_came", "Never started"


class TrackSeat(models.Model):
    """The seat (or bed) a lead holds on a track from its admission until it
    is freed. A held seat has no `freed_at`; the census counts those."""

    lead = models.ForeignKey(
        Lead,
        on_delete=models.CASCADE,
        related_name="seats",
        help_text="The person admitted; the seat goes with the lead when it is purged.",
    )
    track = models.ForeignKey(
        ProgramTrack, on_delete=models.PROTECT, related_name="track_seats", help_text="Where the seat is."
    )
    starts_on = models.DateField("start date", help_text="The person's first day in the group or house.")
    taken_at = models.DateTimeField(default=timezone.now, help_text="When the lead was admitted to it.")
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who admitted the lead.",
    )
    freed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the seat was freed; empty while the person holds it."
    )
    freed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who freed it.",
    )
    end = models.CharField(
        "why it ended", max_length=20, choices=SeatEnd, blank=True, help_text="Empty while held."
    )

    class Meta:
        ordering = ["taken_at", "id"]
        constraints = [
            # One seat at a time per person.
            models.UniqueConstraint(
                fields=["lead"], condition=Q(freed_at__isnull=True), name="seat_one_held_per_lead"
            ),
        ]
        indexes = [
            models.Index(fields=["track"], condition=Q(freed_at__isnull=True), name="seat_held_by_track"),
        ]

    def __str__(self):
        return f"Seat on {self.track} (lead {self.lead_id})"

    @property
    def held(self) -> bool:
        return self.freed_at is None


class WaitlistOutcome(models.TextChoices):
    ADMITTED = "admitted", "Took the seat"
    DECLINED = "declined", "Declined or no longer needed"
    REMOVED = "removed", "Taken off by staff"


class WaitlistEntry(models.Model):
    """A lead's place on a full track's waitlist: first come, first served.
    When a seat frees, the head of the list is offered it (`offered_at`): the
    seat is kept for them until they take it or decline."""

    lead = models.ForeignKey(
        Lead,
        on_delete=models.CASCADE,
        related_name="waitlist_entries",
        help_text="The person waiting; the place goes with the lead when it is purged.",
    )
    track = models.ForeignKey(
        ProgramTrack, on_delete=models.PROTECT, related_name="waitlist", help_text="The track waited for."
    )
    added_at = models.DateTimeField(
        default=timezone.now, help_text="When the lead joined the list (its order)."
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who wait-listed the lead.",
    )
    wanted_start_on = models.DateField(
        "wanted start date", null=True, blank=True, help_text="The first day asked for when wait-listed."
    )
    offered_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a freed seat was offered to this lead; the seat is kept for them.",
    )
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the lead left the list; empty while waiting."
    )
    outcome = models.CharField(
        max_length=20,
        choices=WaitlistOutcome,
        blank=True,
        help_text="How the wait ended. Empty while waiting.",
    )

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name_plural = "waitlist entries"
        constraints = [
            # One waitlist at a time: a lead moves lists by leaving one first.
            models.UniqueConstraint(
                fields=["lead"], condition=Q(closed_at__isnull=True), name="waitlist_one_place_per_lead"
            ),
        ]
        indexes = [
            models.Index(
                fields=["track", "added_at", "id"], condition=Q(closed_at__isnull=True), name="waitlist_order"
            ),
        ]

    def __str__(self):
        return f"Waitlist for {self.track} (lead {self.lead_id})"

    @property
    def waiting(self) -> bool:
        return self.closed_at is None
