"""Admissions: a person who asks for help (a lead), each form they send (a
submission), and everything staff do with them (events).

Everything here is protected health information (HIPAA; 42 CFR Part 2 from the
moment someone applies). Fields that identify a person's health or coverage
are encrypted at rest (admissions.fields); phone and email are encrypted too and
found through keyed hashes.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .audit import AuditAction
from .eligibility.records import Status as EligibilityStatus
from .fields import EncryptedCharField, EncryptedDateField, EncryptedTextField
from .storage import phi_file_storage


class LeadStatus(models.TextChoices):
    NEW = "new", "New"
    CONTACT_ATTEMPTED = "contact_attempted", "Contact attempted"
    CONTACTED = "contacted", "Contacted"
    INSURANCE_VERIFICATION = "insurance_verification", "Insurance verification"
    VERIFIED = "verified", "Verified"
    ASSESSMENT_SCHEDULED = "assessment_scheduled", "Assessment scheduled"
    ADMITTED = "admitted", "Admitted"
    NOT_A_FIT = "not_a_fit", "Closed: not a fit"
    REFERRED_OUT = "referred_out", "Closed: referred out"
    UNREACHABLE = "unreachable", "Closed: unreachable"
    DECLINED = "declined", "Closed: declined"
    DUPLICATE = "duplicate", "Closed: duplicate"
    SPAM = "spam", "Closed: spam"


OPEN_STATUSES = (
    LeadStatus.NEW,
    LeadStatus.CONTACT_ATTEMPTED,
    LeadStatus.CONTACTED,
    LeadStatus.INSURANCE_VERIFICATION,
    LeadStatus.VERIFIED,
    LeadStatus.ASSESSMENT_SCHEDULED,
)
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


class RequestKind(models.TextChoices):
    CONSULTATION = "consultation", "Free consultation"
    INSURANCE = "insurance", "Insurance verification"


class LeadQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def assigned_to(self, user):
        return self.filter(assigned_to=user)

    def overdue(self, now=None):
        now = now or timezone.now()
        return self.open().filter(follow_up_at__lt=now)


class Lead(models.Model):
    """One person asking for help; several submissions may belong to them."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    phone = EncryptedCharField(max_length=20, blank=True, help_text="E.164 form, e.g. +17145551234.")
    email = EncryptedCharField(max_length=254, blank=True)
    # Keyed hashes (HMAC) of the normalized phone and email for de-duplication
    # and staff search; never the plaintext.
    phone_lookup = models.CharField(max_length=64, blank=True, editable=False)
    email_lookup = models.CharField(max_length=64, blank=True, editable=False)

    status = models.CharField(max_length=32, choices=LeadStatus, default=LeadStatus.NEW)
    close_reason = models.TextField(
        blank=True, help_text="Why the lead was closed. Required for every closed status."
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
        ]
        indexes = [
            models.Index(fields=["status", "-received_at"], name="lead_status_received"),
            models.Index(fields=["assigned_to", "status"], name="lead_assignee_status"),
            models.Index(fields=["phone_lookup"], name="lead_phone_lookup", condition=~Q(phone_lookup="")),
            models.Index(fields=["email_lookup"], name="lead_email_lookup", condition=~Q(email_lookup="")),
            models.Index(fields=["follow_up_at"], name="lead_follow_up"),
            models.Index(fields=["kind", "-received_at"], name="lead_kind_received"),
            models.Index(fields=["source"], name="lead_source"),
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
        return f"{self.first_name} {self.last_name[:1]}. (lead {self.pk})"

    def get_admin_url(self):
        return reverse("admin:admissions_lead_change", args=[self.pk])

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES


class ConsentText(models.Model):
    """The exact wording of a consent as shown on a form, versioned.

    A submission points at the version the person saw; wording is never edited
    in place, a new version is added instead.
    """

    class Kind(models.TextChoices):
        CONTACT = "contact", "Consent to be contacted"
        AUTOMATED = "automated", "Consent to automated calls and texts (TCPA)"
        BENEFITS = "benefits", "Authorization to verify insurance benefits"

    kind = models.CharField(max_length=20, choices=Kind)
    version = models.PositiveSmallIntegerField()
    text = models.TextField(help_text="Shown word for word next to the checkbox.")
    effective_from = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [models.UniqueConstraint(fields=["kind", "version"], name="consent_text_version")]

    def __str__(self):
        return f"{self.get_kind_display()} v{self.version}"


class InsuranceCarrier(models.Model):
    """A carrier in the insurance form's list, kept as data."""

    name = models.CharField(max_length=100, unique=True, help_text="As people know it, e.g. “Aetna”.")
    order = models.PositiveSmallIntegerField(default=100, help_text="Lower numbers come first in the list.")
    active = models.BooleanField(default=True, help_text="Untick to hide it from the form.")

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Submission(models.Model):
    """What one form post said, plus the proof of consent and where it came from."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE)
    # One-time token issued with the form: a resubmission or double click
    # carries the same token and hits the unique constraint.
    form_token = models.UUIDField(editable=False)
    submitted_at = models.DateTimeField(default=timezone.now)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    phone = EncryptedCharField(max_length=20, blank=True)
    email = EncryptedCharField(max_length=254, blank=True)

    # Consent evidence: the wording version shown, when, from where.
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    page_url = models.CharField(max_length=500, blank=True)

    # First-party attribution (no third-party scripts).
    landing_page = models.CharField(max_length=500, blank=True)
    referrer = models.CharField(max_length=500, blank=True)
    utm_source = models.CharField(max_length=100, blank=True)
    utm_medium = models.CharField(max_length=100, blank=True)
    utm_campaign = models.CharField(max_length=100, blank=True)
    utm_term = models.CharField(max_length=100, blank=True)
    utm_content = models.CharField(max_length=100, blank=True)

    # Set once the staff alert went out, so a retried task never sends twice.
    staff_alert_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    auto_reply_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True
        ordering = ["-submitted_at"]


class BestTimeToCall(models.TextChoices):
    ANY = "any", "Any time"
    MORNING = "morning", "Morning (8am–12pm)"
    AFTERNOON = "afternoon", "Afternoon (12pm–5pm)"
    EVENING = "evening", "Evening (5pm–9pm)"


class WhoNeedsHelp(models.TextChoices):
    SELF = "self", "Me"
    LOVED_ONE = "loved_one", "A loved one"


class HeardAboutUs(models.TextChoices):
    SEARCH = "search", "Search engine"
    REFERRAL_PROFESSIONAL = "professional", "Doctor, therapist or other professional"
    FAMILY_FRIEND = "family_friend", "Family or friend"
    INSURANCE = "insurance", "My insurance company"
    SOCIAL = "social", "Social media"
    ALUMNI = "alumni", "I was a patient before"
    OTHER = "other", "Other"


class ConsultationRequest(Submission):
    best_time_to_call = models.CharField(max_length=20, choices=BestTimeToCall, default=BestTimeToCall.ANY)
    who_needs_help = models.CharField(max_length=20, choices=WhoNeedsHelp)
    caller_relation = models.CharField(
        max_length=60, blank=True, help_text="How the caller is related to the person who needs help."
    )
    level_of_care = models.ForeignKey(
        "programs.LevelOfCare", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    message = EncryptedTextField(blank=True)
    heard_about = models.CharField(max_length=20, choices=HeardAboutUs, blank=True)
    contact_consent = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="+")
    automated_contact_consent = models.ForeignKey(
        ConsentText, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta(Submission.Meta):
        constraints = [models.UniqueConstraint(fields=["form_token"], name="consultation_one_per_token")]

    def __str__(self):
        return f"Consultation request {self.pk}"


class PolicyHolder(models.TextChoices):
    PATIENT = "patient", "The patient"
    SOMEONE_ELSE = "someone_else", "Someone else"


def card_image_name(instance, filename):
    # Random names: nothing about the person or the original file survives.
    return f"cards/{uuid.uuid4().hex}.jpg"


class InsuranceVerification(Submission):
    """The patient is first_name/last_name; phone and email reach the person who filled the form."""

    date_of_birth = EncryptedDateField()
    state = models.CharField(max_length=2)
    carrier = models.ForeignKey(InsuranceCarrier, on_delete=models.PROTECT, null=True, blank=True)
    carrier_other = models.CharField(max_length=100, blank=True)
    member_id = EncryptedCharField(max_length=40)
    group_number = EncryptedCharField(max_length=40, blank=True)
    policy_holder = models.CharField(max_length=20, choices=PolicyHolder, default=PolicyHolder.PATIENT)
    holder_first_name = EncryptedCharField(max_length=100, blank=True)
    holder_last_name = EncryptedCharField(max_length=100, blank=True)
    holder_date_of_birth = EncryptedDateField(null=True, blank=True)
    holder_relationship = EncryptedCharField(max_length=40, blank=True)
    card_front = models.FileField(storage=phi_file_storage, upload_to=card_image_name, blank=True)
    card_back = models.FileField(storage=phi_file_storage, upload_to=card_image_name, blank=True)
    benefits_authorization = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="+")

    class Meta(Submission.Meta):
        constraints = [
            models.UniqueConstraint(fields=["form_token"], name="insurance_one_per_token"),
            models.CheckConstraint(
                condition=Q(carrier__isnull=False) | ~Q(carrier_other=""), name="insurance_has_carrier"
            ),
        ]

    def __str__(self):
        return f"Insurance verification {self.pk}"


class LeadEvent(models.Model):
    """The timeline of a lead: every status change, call attempt and note."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "Request received"
        STATUS = "status", "Status changed"
        CALL = "call", "Call attempt"
        NOTE = "note", "Note"
        ASSIGNED = "assigned", "Assigned"
        FOLLOW_UP = "follow_up", "Follow-up set"

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


class BlockedSubmission(models.Model):
    """Spam counted per day, form and reason; spam itself is never stored."""

    class Reason(models.TextChoices):
        HONEYPOT = "honeypot", "Hidden field filled in"
        TOO_FAST = "too_fast", "Sent faster than a person can type"
        RATE_LIMIT = "rate_limit", "Too many requests from one address"

    day = models.DateField()
    kind = models.CharField(max_length=20, choices=RequestKind)
    reason = models.CharField(max_length=20, choices=Reason)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "kind", "reason"], name="blocked_submission_per_day")
        ]

    def __str__(self):
        return f"{self.day} {self.kind} {self.reason}: {self.count}"


class AuditEvent(models.Model):
    """One row per audited action; written only through admissions.audit.audit_record.

    Rows are never updated or deleted by the application (the admin is
    read-only; in production the app's database role lacks UPDATE and DELETE
    on this table, see docs/security.md).
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=20, choices=AuditAction)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    detail = models.CharField(max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"], name="audit_object")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.object_type} {self.object_id}"


class EligibilityCheck(models.Model):
    """One automatic insurance eligibility check (X12 270/271) of one verification
    request. The check run when the request arrives is attempt 1; each automatic
    retry and each re-run a coordinator asks for is the next attempt, so the
    history of what the payer said stays whole.

    A row exists from the moment an attempt starts (or is queued by a re-run);
    `checked_at` is set once it has an answer. Plan, benefits, the raw 271 and
    the request sent are patient data: encrypted like the rest.
    """

    verification = models.ForeignKey(
        InsuranceVerification,
        on_delete=models.CASCADE,
        related_name="eligibility_checks",
        help_text="The insurance verification request this check is about.",
    )
    attempt = models.PositiveSmallIntegerField(
        help_text="1 for the check run when the request arrived; each retry or re-run adds one."
    )
    status = models.CharField(
        max_length=20,
        choices=[(status.value, status.label) for status in EligibilityStatus],
        default=EligibilityStatus.PENDING.value,
        help_text="What the payer answered; “Waiting for the payer” while the check runs.",
    )
    backend = models.CharField(
        max_length=20, blank=True, help_text="The connection that ran the check (ELIGIBILITY_BACKEND)."
    )
    trace_number = models.CharField(
        max_length=50,
        blank=True,
        help_text="Sent to the clearinghouse (TRN); made from ids, no patient data.",
    )
    requested_at = models.DateTimeField(
        default=timezone.now, help_text="When the attempt was queued or began."
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The coordinator who pressed “Re-run”; empty for automatic checks and retries.",
    )
    checked_at = models.DateTimeField(
        null=True, blank=True, help_text="When the answer was stored; empty while the check runs."
    )
    retryable = models.BooleanField(
        default=False, help_text="The failure was temporary (timeout, payer down, clearinghouse error)."
    )
    retry_at = models.DateTimeField(
        null=True, blank=True, help_text="When the next automatic attempt runs; empty when none is planned."
    )
    error_reason = models.CharField(
        max_length=500, blank=True, help_text="Why the check failed, in words without patient data."
    )
    result = EncryptedTextField(
        blank=True, help_text="The parsed answer (EligibilityResult as JSON), without the raw X12."
    )
    response_raw = EncryptedTextField(blank=True, help_text="The raw 271 as the payer sent it.")
    request_sent = EncryptedTextField(
        blank=True, help_text="What went to the clearinghouse: the 270, or the JSON body of a REST call."
    )

    class Meta:
        ordering = ["verification", "-attempt"]
        permissions = [
            ("view_eligibility_raw", "Can view the raw X12 270/271 of insurance eligibility checks"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["verification", "attempt"], name="eligibility_check_one_per_attempt"
            ),
            models.CheckConstraint(condition=Q(attempt__gte=1), name="eligibility_check_attempt_positive"),
        ]

    def __str__(self):
        return f"Eligibility check {self.attempt} of insurance verification {self.verification_id}"

    @property
    def finished(self) -> bool:
        return self.checked_at is not None
