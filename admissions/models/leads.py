"""A lead (one person asking for help), its place on the admissions pipeline,
and its timeline.

The pipeline is defined once, here: the order a lead walks, which statuses
are open or closed, how the dashboard groups them, and where the automatic
insurance check may move a lead. "Waiting" and "overdue" are QuerySet methods
and Lead properties; the inbox filters, the flags and the dashboard use them.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from admissions.phi.fields import EncryptedCharField, EncryptedTextField


class LeadStatus(models.TextChoices):
    NEW = "new", "New"
    CONTACT_ATTEMPTED = "contact_attempted", "Contact attempted"
    CONTACTED = "contacted", "Contacted"
    INSURANCE_VERIFICATION = "insurance_verification", "Insurance verification"
    VERIFIED = "verified", "Verified"
    SCREENING = "screening", "Screening"
    ASSESSMENT_SCHEDULED = "assessment_scheduled", "Assessment scheduled"
    WAITLISTED = "waitlisted", "Waitlisted for a seat"
    ADMITTED = "admitted", "Admitted"
    NOT_A_FIT = "not_a_fit", "Closed: not a fit"
    REFERRED_OUT = "referred_out", "Closed: referred out"
    UNREACHABLE = "unreachable", "Closed: unreachable"
    DECLINED = "declined", "Closed: declined"
    DUPLICATE = "duplicate", "Closed: duplicate"
    SPAM = "spam", "Closed: spam"


# The path a lead walks, in order; the status form suggests the next step, and
# the site moves a lead forward along it on its own (never back): a pre-admission
# screen started -> Screening, an assessment booked -> Assessment scheduled, a
# full track -> Waitlisted, a seat taken -> Admitted (admissions.services.scheduling).
PIPELINE = (
    LeadStatus.NEW,
    LeadStatus.CONTACT_ATTEMPTED,
    LeadStatus.CONTACTED,
    LeadStatus.INSURANCE_VERIFICATION,
    LeadStatus.VERIFIED,
    LeadStatus.SCREENING,
    LeadStatus.ASSESSMENT_SCHEDULED,
    LeadStatus.WAITLISTED,
    LeadStatus.ADMITTED,
)
# Only a full track puts a lead there: the status form suggests past it.
NOT_SUGGESTED = (LeadStatus.WAITLISTED,)
OPEN_STATUSES = PIPELINE[:-1]
CLOSED_STATUSES = (
    LeadStatus.NOT_A_FIT,
    LeadStatus.REFERRED_OUT,
    LeadStatus.UNREACHABLE,
    LeadStatus.DECLINED,
    LeadStatus.DUPLICATE,
    LeadStatus.SPAM,
)
# Admitted is a good ending, not a close: it needs no reason.
FINAL_STATUSES = (*CLOSED_STATUSES, LeadStatus.ADMITTED)
# How the dashboard counts leads: (slug, label, statuses).
STATUS_GROUPS = (
    ("new", "New", (LeadStatus.NEW,)),
    ("working", "Being worked", OPEN_STATUSES[1:]),
    ("admitted", "Admitted", (LeadStatus.ADMITTED,)),
    ("closed", "Closed", CLOSED_STATUSES),
)
# Where a lead may be when the automatic insurance check verifies coverage:
# later stages and closed leads are a coordinator's decision.
CHECK_MAY_VERIFY_FROM = PIPELINE[: PIPELINE.index(LeadStatus.VERIFIED)]


def next_status(status: str) -> str:
    """The step the status form suggests: the next one on the path (never
    Waitlisted); a closed lead is suggested back to Contact attempted;
    Admitted stays."""
    if status in PIPELINE[:-1]:
        following = [s for s in PIPELINE[PIPELINE.index(status) + 1 :] if s not in NOT_SUGGESTED]
        return following[0]
    return LeadStatus.CONTACT_ATTEMPTED if status in CLOSED_STATUSES else status


def is_forward_move(from_status: str, to_status: str) -> bool:
    """Whether the site may move a lead from `from_status` to `to_status` on
    its own: only an open lead, only further along the path."""
    return (
        from_status in OPEN_STATUSES
        and to_status in PIPELINE
        and PIPELINE.index(to_status) > PIPELINE.index(from_status)
    )


def waiting_threshold() -> datetime.timedelta:
    """A lead nobody has reached for longer than the call-back time promised on
    the thank-you page is waiting too long."""
    return datetime.timedelta(minutes=settings.ADMISSIONS_CALLBACK_MINUTES)


class RequestKind(models.TextChoices):
    CONSULTATION = "consultation", "Free consultation"
    INSURANCE = "insurance", "Insurance verification"


class LeadQuerySet(models.QuerySet):
    def count_with(self, counter):
        """This QuerySet (not its clones) counts with `counter()` when that
        returns a number: the inbox counts a one-word search from the search
        index alone (admissions.staff.inbox) instead of joining the leads."""
        clone = self._chain()
        clone._counter = counter
        return clone

    def count(self):
        counter = getattr(self, "_counter", None)
        if counter is not None and self._result_cache is None:
            counted = counter()
            if counted is not None:
                return counted
        return super().count()

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def closed(self):
        return self.filter(status__in=CLOSED_STATUSES)

    def assigned_to(self, user):
        return self.filter(assigned_to=user)

    def waiting(self, now=None):
        """Open, nobody has reached the person yet, and received longer ago than
        the call-back time. Whatever the status: a lead the automatic insurance
        check moved to Verified still needs a call."""
        now = now or timezone.now()
        return self.open().filter(first_contact_at__isnull=True, received_at__lt=now - waiting_threshold())

    def overdue(self, now=None):
        now = now or timezone.now()
        return self.open().filter(follow_up_at__lt=now)

    def follow_up_due_on(self, day: datetime.date):
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        return self.open().filter(
            follow_up_at__gte=start, follow_up_at__lt=start + datetime.timedelta(days=1)
        )


class Channel(models.TextChoices):
    """How a request reached us."""

    WEB = "web", "Web form"
    PHONE = "phone", "Phone call"
    WALK_IN = "walk_in", "Walk-in"
    REFERRAL = "referral", "Referral"
    EMAIL = "email", "Email"


class ContactStop(models.TextChoices):
    """How a person told us to stop contacting them."""

    LINK = "link", "Link in our email"
    PHONE = "phone", "On the phone"
    EMAIL = "email", "By email"
    IN_PERSON = "in_person", "In person"
    LETTER = "letter", "In writing"


class Lead(models.Model):
    """One person asking for help; several submissions may belong to them.

    Names and staff free text are encrypted (42 CFR Part 2: a name alone says
    the person sought treatment); search goes through LeadSearchToken.
    `__str__` is the lead number only, so admin log entries carry no name.
    """

    first_name = EncryptedCharField(max_length=100)
    last_name = EncryptedCharField(max_length=100)
    phone = EncryptedCharField(
        max_length=32, blank=True, help_text="E.164 form, e.g. +17145551234 (;ext=2 for an extension)."
    )
    email = EncryptedCharField(max_length=254, blank=True)
    # Keyed hashes (HMAC) of the normalized phone and email for de-duplication
    # and staff search; never the plaintext.
    phone_lookup = models.CharField(max_length=64, blank=True, editable=False)
    email_lookup = models.CharField(max_length=64, blank=True, editable=False)

    status = models.CharField(max_length=32, choices=LeadStatus, default=LeadStatus.NEW)
    close_reason = EncryptedTextField(
        blank=True, help_text="Why the lead was closed. Required for every closed status."
    )
    channel = models.CharField(max_length=20, choices=Channel, default=Channel.WEB)
    # Stored but held for a person to look at: sent faster than the minimum
    # fill time or over the per-address limit (issue: nothing silently dropped).
    possible_spam = models.CharField(
        "possible spam",
        max_length=20,
        blank=True,
        help_text="Why the site held it for a look: too_fast or rate_limit. Empty when clear.",
    )
    spanish = models.BooleanField(
        default=False,
        db_default=False,
        editable=False,
        help_text=(
            "One of the lead's requests came through the Spanish form or asked for Spanish. "
            "Kept by the database on PostgreSQL (admissions/models/spanish.py); the inbox's badge and filter."
        ),
    )
    contact_stopped_at = models.DateTimeField(
        "asked us to stop contacting them", null=True, blank=True, editable=False
    )
    contact_stopped_via = models.CharField(max_length=20, choices=ContactStop, blank=True, editable=False)
    referred_by = models.ForeignKey(
        "admissions.ReferralPartner",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referred_leads",
        help_text="The partner who sent this person to us.",
    )
    referred_to = models.ForeignKey(
        "admissions.ReferralPartner",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="received_leads",
        help_text="Where we referred the person (closed as Referred out).",
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_leads",
        verbose_name="coordinator",
        help_text="The admissions coordinator responsible for calling back.",
    )
    follow_up_at = models.DateTimeField(
        "follow-up", null=True, blank=True, help_text="When the next call or message is due."
    )

    # Latest request, copied here so the inbox filters on indexed columns of one table.
    kind = models.CharField(max_length=20, choices=RequestKind)
    level_of_care = models.ForeignKey(
        "programs.LevelOfCare",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads",
        # The English original: a Spanish form's choice is stored as the program it translates.
        limit_choices_to={"language": "en"},
        help_text="Level of care the person asked about; empty means not sure.",
    )
    source = models.CharField(
        max_length=100, blank=True, help_text="utm_source, else the referring site, else “direct”."
    )

    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    first_contact_at = models.DateTimeField(
        null=True, blank=True, help_text="When staff first reached the person (speed to lead)."
    )
    last_activity_at = models.DateTimeField(default=timezone.now)

    objects = LeadQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        permissions = [
            ("export_lead", "Can export leads as CSV"),
            ("reassign_lead", "Can reassign leads to another coordinator"),
            ("view_lead_dashboard", "Can view the admissions dashboard"),
            ("view_card_image", "Can view insurance card images"),
            ("export_fhir_bundle", "Can hand an admitted lead to the clinical record (FHIR file)"),
        ]
        indexes = [
            models.Index(fields=["status", "-received_at"], name="lead_status_received"),
            models.Index(fields=["assigned_to", "status"], name="lead_assignee_status"),
            models.Index(fields=["phone_lookup"], name="lead_phone_lookup", condition=~Q(phone_lookup="")),
            models.Index(fields=["email_lookup"], name="lead_email_lookup", condition=~Q(email_lookup="")),
            models.Index(fields=["follow_up_at"], name="lead_follow_up"),
            models.Index(fields=["kind", "-received_at"], name="lead_kind_received"),
            models.Index(fields=["source"], name="lead_source"),
            models.Index(fields=["channel", "-received_at"], name="lead_channel_received"),
            # The inbox's Spanish filter (with or without a status) and its count.
            models.Index(fields=["status", "-received_at"], name="lead_spanish", condition=Q(spanish=True)),
            # The Today view and the "waiting" filter: open leads nobody reached yet.
            models.Index(
                fields=["received_at"],
                name="lead_not_reached",
                condition=Q(first_contact_at__isnull=True, status__in=OPEN_STATUSES),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=CLOSED_STATUSES) | ~Q(close_reason=""),
                name="lead_closed_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(phone_lookup="", email_lookup=""), name="lead_has_phone_or_email"
            ),
        ]

    def __str__(self):
        return f"Lead {self.pk}"

    def save(self, *args, **kwargs):
        # `spanish` belongs to the database (admissions/models/spanish.py): a
        # save of a loaded lead never writes back the value it read, which a
        # merge or a split has just changed underneath it.
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [
                field.attname
                for field in self._meta.concrete_fields
                if not field.primary_key and field.attname != "spanish"
            ]
        super().save(*args, **kwargs)

    def get_admin_url(self):
        return reverse("admin:admissions_lead_change", args=[self.pk])

    @property
    def contact_blocked(self) -> bool:
        """The person revoked consent to be contacted (TCPA revocation, 2025)."""
        return self.contact_stopped_at is not None

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    def is_waiting(self, now=None) -> bool:
        """The row-level twin of LeadQuerySet.waiting."""
        now = now or timezone.now()
        return self.is_open and self.first_contact_at is None and now - self.received_at > waiting_threshold()

    def is_overdue(self, now=None) -> bool:
        """The row-level twin of LeadQuerySet.overdue."""
        now = now or timezone.now()
        return self.is_open and self.follow_up_at is not None and self.follow_up_at < now


class LeadEvent(models.Model):
    """The timeline of a lead: every status change, call attempt and note."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "Request received"
        STATUS = "status", "Status changed"
        CALL = "call", "Call attempt"
        NOTE = "note", "Note"
        ASSIGNED = "assigned", "Assigned"
        FOLLOW_UP = "follow_up", "Follow-up set"
        MERGED = "merged", "Merged"
        SPLIT = "split", "Request moved"
        CONTACT_STOPPED = "contact_stopped", "Asked us to stop contacting them"
        SPAM_CLEARED = "spam_cleared", "Not spam"
        SCREENING = "screening", "Pre-admission screening"
        BENEFITS = "benefits", "Benefits verification"
        APPOINTMENT = "appointment", "Appointment"
        SEAT = "seat", "Seat or waitlist"

    class CallOutcome(models.TextChoices):
        REACHED = "reached", "Reached the person"
        VOICEMAIL = "voicemail", "Left a voicemail"
        NO_ANSWER = "no_answer", "No answer"
        WRONG_NUMBER = "wrong_number", "Wrong number"

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind)
    from_status = models.CharField(max_length=32, choices=LeadStatus, blank=True)
    to_status = models.CharField(max_length=32, choices=LeadStatus, blank=True)
    call_outcome = models.CharField(max_length=20, choices=CallOutcome, blank=True)
    # Staff notes can hold clinical detail: encrypted like the rest.
    note = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["lead", "-at"], name="lead_event_timeline")]

    def __str__(self):
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"
