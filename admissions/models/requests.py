"""What people send: the two public forms (a submission each), the consent
wording they agreed to, the carriers in the insurance form's list, and the
count of spam that was turned away.

Everything a person typed is protected health information (HIPAA; 42 CFR
Part 2). Fields that identify a person's health or coverage are encrypted at
rest (admissions.phi.fields).
"""

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from admissions.phi.fields import EncryptedCharField, EncryptedDateField, EncryptedTextField

from .card_photos import card_photo_storage
from .leads import Channel, Lead, RequestKind


class Language(models.TextChoices):
    """The language of a public page (its URL: /es/ is Spanish) and of the
    wording shown on it. Staff-facing labels: the admin is English."""

    ENGLISH = "en", "English"
    SPANISH = "es", "Spanish"


def language_of(code: str | None) -> str:
    """A Language for an active-language code ("es", "es-mx", None...); English unless Spanish."""
    return Language.SPANISH if (code or "").lower().startswith("es") else Language.ENGLISH


class ConsentText(models.Model):
    """The exact wording of a consent as shown on a form, versioned per
    language: a Spanish page shows the Spanish wording, which says the same
    legal thing as the English one.

    A submission points at the version the person saw (and so at its
    language); wording is never edited in place, a new version is added instead.
    """

    class Kind(models.TextChoices):
        CONTACT = "contact", "Consent to be contacted"
        AUTOMATED = "automated", "Consent to automated calls and texts (TCPA)"
        BENEFITS = "benefits", "Authorization to verify insurance benefits"
        VERBAL = "verbal", "Verbal consent to be contacted (script read by staff)"

    kind = models.CharField(max_length=20, choices=Kind)
    language = models.CharField(max_length=8, choices=Language, default=Language.ENGLISH)
    version = models.PositiveSmallIntegerField()
    text = models.TextField(help_text="Shown word for word next to the checkbox.")
    effective_from = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "language", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "language", "version"], name="consent_text_language_version"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} v{self.version} ({self.get_language_display()})"


class InsuranceCarrier(models.Model):
    """A carrier in the insurance form's list, kept as data."""

    name = models.CharField(max_length=100, unique=True, help_text="As people know it, e.g. “Aetna”.")
    order = models.PositiveSmallIntegerField(default=100, help_text="Lower numbers come first in the list.")
    active = models.BooleanField(default=True, help_text="Untick to hide it from the form.")

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class PreferredLanguage(models.TextChoices):
    # Labels through the catalogue: each language is named so its speakers
    # recognise it (es: "Inglés (English)", "Español"); the admin is English.
    ENGLISH = "en", pgettext_lazy("preferred language", "English")
    SPANISH = "es", pgettext_lazy("preferred language", "Español (Spanish)")


class Submission(models.Model):
    """What one form post said, plus the proof of consent and where it came from.

    The lead page lists every field that is an answer (not in RECORD_FIELDS),
    each by its verbose_name, to staff who may read the request; to anyone else the
    fields named in `staff_masks` show masked: "tail" keeps the last four
    characters, "year" keeps the year of a date, "hidden" shows nothing.
    """

    staff_masks: ClassVar[dict[str, str]] = {}
    # Who sent it and how it arrived: shown apart from the answers, or not at all.
    RECORD_FIELDS: ClassVar[tuple[str, ...]] = (
        "id",
        "lead",
        "form_token",
        "submitted_at",
        "first_name",
        "last_name",
        "phone",
        "email",
        "client_ip",
        "page_url",
        "landing_page",
        "referrer",
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "utm_term",
        "utm_content",
        "staff_alert_sent_at",
        "auto_reply_sent_at",
        "channel",
        "recorded_by",
    )

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE)
    # A web form, or a call, walk-in, referral or email a coordinator typed in.
    channel = models.CharField(max_length=20, choices=Channel, default=Channel.WEB)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    # One-time token issued with the form: a resubmission or double click
    # carries the same token and hits the unique constraint.
    form_token = models.UUIDField(editable=False)
    submitted_at = models.DateTimeField(default=timezone.now)
    first_name = EncryptedCharField(max_length=100)
    last_name = EncryptedCharField(max_length=100)
    phone = EncryptedCharField(max_length=32, blank=True)
    email = EncryptedCharField(max_length=254, blank=True)

    preferred_language = models.CharField(
        "preferred language",
        max_length=8,
        choices=PreferredLanguage,
        default=PreferredLanguage.ENGLISH,
        help_text="The language the person asked us to use when we call or write.",
    )
    # The language of the form page the person used (its URL), set at submit
    # time; the auto-reply and the thank-you page speak it. Staff-created
    # leads keep English here; what they asked for is preferred_language.
    language = models.CharField(
        "form language",
        max_length=8,
        choices=Language,
        default=Language.ENGLISH,
        help_text="The language of the web form the person filled in.",
    )

    # Consent evidence: the wording version shown, when, from where.
    client_ip = EncryptedCharField(max_length=45, null=True, blank=True)
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

    @property
    def speaks_spanish(self) -> bool:
        """Came through the Spanish form, or asks us to use Spanish (SPEAKS_SPANISH)."""
        return Language.SPANISH in (self.language, self.preferred_language)


# The same rule for a query: the inbox's badge and filter where the database
# keeps no Lead.spanish (SQLite), and the tests of the trigger that keeps it
# (admissions/models/spanish.py writes it in SQL).
SPEAKS_SPANISH = Q(language=Language.SPANISH) | Q(preferred_language=Language.SPANISH)


class BestTimeToCall(models.TextChoices):
    ANY = "any", _("Any time")
    MORNING = "morning", _("Morning (8am–12pm)")
    AFTERNOON = "afternoon", _("Afternoon (12pm–5pm)")
    EVENING = "evening", _("Evening (5pm–9pm)")


class WhoNeedsHelp(models.TextChoices):
    SELF = "self", _("Me")
    LOVED_ONE = "loved_one", _("A loved one")


class HeardAboutUs(models.TextChoices):
    SEARCH = "search", _("Search engine")
    REFERRAL_PROFESSIONAL = "professional", _("Doctor, therapist or other professional")
    FAMILY_FRIEND = "family_friend", _("Family or friend")
    INSURANCE = "insurance", _("My insurance company")
    SOCIAL = "social", _("Social media")
    ALUMNI = "alumni", _("I was a patient before")
    OTHER = "other", _("Other")


class ConsultationRequest(Submission):
    staff_masks = {"message": "hidden"}

    best_time_to_call = models.CharField(max_length=20, choices=BestTimeToCall, default=BestTimeToCall.ANY)
    who_needs_help = models.CharField(max_length=20, choices=WhoNeedsHelp)
    caller_relation = EncryptedCharField(
        "caller's relation",
        max_length=60,
        blank=True,
        help_text="How the caller is related to the person who needs help.",
    )
    patient_first_name = EncryptedCharField("patient's first name", max_length=100, blank=True)
    patient_last_name = EncryptedCharField("patient's last name", max_length=100, blank=True)
    # The English original, whatever language the form was in (one program, one row in reports).
    level_of_care = models.ForeignKey(
        "programs.LevelOfCare",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"language": "en"},
    )
    message = EncryptedTextField(blank=True)
    heard_about = models.CharField("heard about us", max_length=20, choices=HeardAboutUs, blank=True)
    contact_consent = models.ForeignKey(
        ConsentText, on_delete=models.PROTECT, related_name="+", verbose_name="consent to be contacted"
    )
    automated_contact_consent = models.ForeignKey(
        ConsentText,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="consent to automated calls and texts",
    )

    class Meta(Submission.Meta):
        constraints = [models.UniqueConstraint(fields=["form_token"], name="consultation_one_per_token")]

    def __str__(self):
        return f"Consultation request {self.pk}"


class PolicyHolder(models.TextChoices):
    PATIENT = "patient", _("The patient")
    SOMEONE_ELSE = "someone_else", _("Someone else")


def card_image_name(instance, filename):
    # Random names: nothing about the person or the original file survives.
    return f"cards/{uuid.uuid4().hex}.jpg"


class InsuranceVerification(Submission):
    """The patient is first_name/last_name; phone and email reach the person who filled the form."""

    staff_masks = {
        "date_of_birth": "year",
        "member_id": "tail",
        "group_number": "tail",
        "holder_first_name": "hidden",
        "holder_last_name": "hidden",
        "holder_date_of_birth": "year",
        "holder_relationship": "hidden",
    }

    date_of_birth = EncryptedDateField()
    state = models.CharField(max_length=2)
    carrier = models.ForeignKey(
        InsuranceCarrier, on_delete=models.PROTECT, null=True, blank=True, verbose_name="insurance carrier"
    )
    carrier_other = EncryptedCharField("other insurance carrier", max_length=100, blank=True)
    member_id = EncryptedCharField("member ID", max_length=40)
    group_number = EncryptedCharField(max_length=40, blank=True)
    policy_holder = models.CharField(max_length=20, choices=PolicyHolder, default=PolicyHolder.PATIENT)
    holder_first_name = EncryptedCharField("holder's first name", max_length=100, blank=True)
    holder_last_name = EncryptedCharField("holder's last name", max_length=100, blank=True)
    holder_date_of_birth = EncryptedDateField("holder's date of birth", null=True, blank=True)
    holder_relationship = EncryptedCharField("holder's relationship", max_length=40, blank=True)
    # Sealed rows in the database (admissions.models.card_photos), written in the request's transaction.
    card_front = models.FileField(storage=card_photo_storage, upload_to=card_image_name, blank=True)
    card_back = models.FileField(storage=card_photo_storage, upload_to=card_image_name, blank=True)
    benefits_authorization = models.ForeignKey(
        ConsentText,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="authorization to verify benefits",
    )

    class Meta(Submission.Meta):
        constraints = [
            models.UniqueConstraint(fields=["form_token"], name="insurance_one_per_token"),
            models.CheckConstraint(
                condition=Q(carrier__isnull=False) | ~Q(carrier_other=""), name="insurance_has_carrier"
            ),
        ]

    def __str__(self):
        return f"Insurance verification {self.pk}"


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


class RateCount(models.Model):
    """Requests stored per address, form and time window: counted and checked
    in one locked step (admissions.intake.spam.rate_limit_take), so twenty
    concurrent posts cannot all read "under the limit"."""

    key = models.CharField(max_length=64, unique=True)  # keyed hash of the address, form and window
    window_start = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.count} in window {self.window_start:%Y-%m-%d %H:%M}"


# The submission model of each kind of request.
SUBMISSION_MODELS = {
    RequestKind.CONSULTATION: ConsultationRequest,
    RequestKind.INSURANCE: InsuranceVerification,
}
