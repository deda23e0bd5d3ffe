"""The pre-admission screen a coordinator fills in during the call: what the
person uses and how, withdrawal, the ASQ suicide-risk questions, the six ASAM
dimensions scored 0–4, mental health, medications, legal and housing; then a
clinician's decision (accept for PHP, IOP or OP, or refer out to a partner).

A lead may be screened more than once (a second call weeks later): each
screen is kept. A signed-off screen is final; a new one is started instead.

Every answer is patient data under 42 CFR Part 2, encrypted at rest like the
rest of the lead; it goes with the lead when the lead is purged (CASCADE).
The decision, who signed it and when are plain columns, like the lead's own
status and referral. The rules (detox flag, suggested level of care) live in
admissions.services.screening_rules; writes in admissions.services.screening.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from admissions.phi.fields import EncryptedCharField, EncryptedDateField, EncryptedTextField

from .leads import Lead
from .referrals import ReferralPartner

NOTE_MAX_LENGTH = 2000
SHORT_NOTE_MAX_LENGTH = 500


class ScreeningAnswer(models.TextChoices):
    """A yes/no question asked on the call; empty means not asked yet."""

    YES = "yes", "Yes"
    NO = "no", "No"
    DECLINED = "declined", "Declined to answer"


class AsamScore(models.TextChoices):
    """Severity in one ASAM dimension (stored as text: the column is encrypted)."""

    NONE = "0", "0: none"
    MILD = "1", "1: mild"
    MODERATE = "2", "2: moderate"
    SIGNIFICANT = "3", "3: significant"
    SEVERE = "4", "4: severe"


class LevelOfCareSuggestion(models.TextChoices):
    """Where the scores point (admissions.services.screening_rules)."""

    WITHDRAWAL_MANAGEMENT = "detox", "Refer out: withdrawal management (detox) first"
    RESIDENTIAL = "residential", "Refer out: 24-hour care (residential or hospital)"
    PHP = "php", "Partial hospitalization (PHP)"
    IOP = "iop", "Intensive outpatient (IOP)"
    OP = "op", "Outpatient (OP)"


class ScreeningDecision(models.TextChoices):
    """The clinician's decision on the screen."""

    ACCEPT_PHP = "accept_php", "Accept for partial hospitalization (PHP)"
    ACCEPT_IOP = "accept_iop", "Accept for intensive outpatient (IOP)"
    ACCEPT_OP = "accept_op", "Accept for outpatient (OP)"
    REFER_OUT = "refer_out", "Refer out"


# The suggestion each decision agrees with (a refer-out agrees with either referral).
DECISION_MATCHES = {
    ScreeningDecision.ACCEPT_PHP: {LevelOfCareSuggestion.PHP},
    ScreeningDecision.ACCEPT_IOP: {LevelOfCareSuggestion.IOP},
    ScreeningDecision.ACCEPT_OP: {LevelOfCareSuggestion.OP},
    ScreeningDecision.REFER_OUT: {
        LevelOfCareSuggestion.WITHDRAWAL_MANAGEMENT,
        LevelOfCareSuggestion.RESIDENTIAL,
    },
}

# The ASQ (NIMH Ask Suicide-Screening Questions): four questions, and the
# acuity question when any of them is answered yes.
ASQ_QUESTIONS = (
    "asq_wished_dead",
    "asq_better_off_dead",
    "asq_thoughts_of_killing_self",
    "asq_ever_tried",
)
ASQ_ACUITY_QUESTION = "asq_thoughts_right_now"

# (number, field prefix, title) of the six ASAM dimensions.
ASAM_DIMENSIONS = (
    (1, "intoxication_withdrawal", "Acute intoxication and/or withdrawal potential"),
    (2, "biomedical", "Biomedical conditions and complications"),
    (3, "emotional_behavioral", "Emotional, behavioral or cognitive conditions"),
    (4, "readiness", "Readiness to change"),
    (5, "relapse_potential", "Relapse, continued use or continued problem potential"),
    (6, "recovery_environment", "Recovery/living environment"),
)


def _answer_field(question: str, help_text: str = "") -> EncryptedCharField:
    return EncryptedCharField(
        question, max_length=10, choices=ScreeningAnswer, blank=True, help_text=help_text
    )


def _score_field(number: int, title: str) -> EncryptedCharField:
    return EncryptedCharField(
        f"dimension {number} score",
        max_length=1,
        choices=AsamScore,
        blank=True,
        help_text=f"ASAM dimension {number}, {title.lower()}: 0 none to 4 severe. Empty until scored.",
    )


def _dimension_note(number: int) -> EncryptedTextField:
    return EncryptedTextField(
        f"dimension {number} note",
        max_length=SHORT_NOTE_MAX_LENGTH,
        blank=True,
        help_text="Why this score, in a sentence or two.",
    )


class PreAdmissionScreening(models.Model):
    """One structured pre-admission screen of a lead, and its sign-off."""

    lead = models.ForeignKey(
        Lead,
        on_delete=models.CASCADE,
        related_name="screenings",
        help_text="The person screened; the screen is erased with the lead.",
    )
    started_at = models.DateTimeField(default=timezone.now, help_text="When the screen was first saved.")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The coordinator (or clinician) who started it.",
    )
    updated_at = models.DateTimeField(default=timezone.now, help_text="When the answers were last saved.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who saved the answers last.",
    )

    # Withdrawal
    withdrawal_history = EncryptedTextField(
        "past withdrawal",
        max_length=NOTE_MAX_LENGTH,
        blank=True,
        help_text="Earlier withdrawals and detox stays: when, from what, what happened.",
    )
    withdrawal_symptoms_now = _answer_field(
        "withdrawal symptoms now",
        "Shaking, sweating, nausea, racing heart, anxiety, seeing or hearing things, cravings, aches.",
    )
    withdrawal_symptoms_detail = EncryptedTextField(
        "which symptoms now",
        max_length=SHORT_NOTE_MAX_LENGTH,
        blank=True,
        help_text="The symptoms they describe and since when.",
    )
    withdrawal_seizures_or_dts = _answer_field(
        "ever had a withdrawal seizure or the DTs",
        "A seizure or delirium tremens (DTs) while stopping or cutting down, ever.",
    )

    # Suicide risk (ASQ)
    asq_wished_dead = _answer_field("1. In the past few weeks, have you wished you were dead?")
    asq_better_off_dead = _answer_field(
        "2. In the past few weeks, have you felt that you or your family would be better off if you were dead?"
    )
    asq_thoughts_of_killing_self = _answer_field(
        "3. In the past week, have you been having thoughts about killing yourself?"
    )
    asq_ever_tried = _answer_field("4. Have you ever tried to kill yourself?")
    asq_tried_how_when = EncryptedTextField(
        "if yes to 4: how, and when?",
        max_length=SHORT_NOTE_MAX_LENGTH,
        blank=True,
        help_text="In their words.",
    )
    asq_thoughts_right_now = _answer_field(
        "5. Are you having thoughts of killing yourself right now?",
        "Ask only when any answer above is yes (or they declined to answer).",
    )

    # ASAM dimensions
    intoxication_withdrawal_score = _score_field(1, ASAM_DIMENSIONS[0][2])
    intoxication_withdrawal_note = _dimension_note(1)
    biomedical_score = _score_field(2, ASAM_DIMENSIONS[1][2])
    biomedical_note = _dimension_note(2)
    emotional_behavioral_score = _score_field(3, ASAM_DIMENSIONS[2][2])
    emotional_behavioral_note = _dimension_note(3)
    readiness_score = _score_field(4, ASAM_DIMENSIONS[3][2])
    readiness_note = _dimension_note(4)
    relapse_potential_score = _score_field(5, ASAM_DIMENSIONS[4][2])
    relapse_potential_note = _dimension_note(5)
    recovery_environment_score = _score_field(6, ASAM_DIMENSIONS[5][2])
    recovery_environment_note = _dimension_note(6)

    # The rest of the picture
    mental_health = EncryptedTextField(
        "co-occurring mental health",
        max_length=NOTE_MAX_LENGTH,
        blank=True,
        help_text="Diagnoses, current treatment, psychiatric hospital stays.",
    )
    medications = EncryptedTextField(
        max_length=NOTE_MAX_LENGTH,
        blank=True,
        help_text="What they take now, including medication for addiction (buprenorphine, methadone, naltrexone).",
    )
    legal_situation = EncryptedTextField(
        "legal situation",
        max_length=NOTE_MAX_LENGTH,
        blank=True,
        help_text="Pending charges, probation or parole, court-ordered treatment, DUI.",
    )
    housing_situation = EncryptedTextField(
        "housing situation",
        max_length=NOTE_MAX_LENGTH,
        blank=True,
        help_text="Where they live and with whom; whether it is safe and substance-free; sober living wanted.",
    )

    # The clinician's sign-off
    decision = models.CharField(
        max_length=20,
        choices=ScreeningDecision,
        blank=True,
        help_text="The clinician's decision; empty until signed off.",
    )
    referred_to = models.ForeignKey(
        ReferralPartner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Where the person is referred (only with “Refer out”).",
    )
    decision_note = EncryptedTextField(
        "clinician's note",
        max_length=NOTE_MAX_LENGTH,
        blank=True,
        help_text="Why; required when the decision differs from the suggested level of care.",
    )
    suggested_at_sign_off = EncryptedCharField(
        "suggested level of care at sign-off",
        max_length=20,
        choices=LevelOfCareSuggestion,
        blank=True,
        help_text="What the scores suggested when the clinician signed off, kept as it was.",
    )
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The clinician who signed the decision.",
    )
    signed_off_at = models.DateTimeField(null=True, blank=True, help_text="When the decision was signed.")

    # The on-call clinical supervisor's alert (a positive suicide-risk answer).
    # The time only: no answer, and names stay encrypted on the lead.
    crisis_alert_sent_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the on-call clinical supervisor was emailed about this screen (once per screen).",
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = "pre-admission screening"
        permissions = [("sign_off_screening", "Can sign off a pre-admission screening (clinician)")]
        indexes = [models.Index(fields=["lead", "-started_at"], name="screening_lead_started")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(decision="", signed_off_by__isnull=True, signed_off_at__isnull=True)
                    | (~Q(decision="") & Q(signed_off_by__isnull=False, signed_off_at__isnull=False))
                ),
                name="screening_decision_is_signed",
            ),
            models.CheckConstraint(
                condition=Q(decision=ScreeningDecision.REFER_OUT, referred_to__isnull=False)
                | (~Q(decision=ScreeningDecision.REFER_OUT) & Q(referred_to__isnull=True)),
                name="screening_referral_has_partner",
            ),
        ]

    # What a coordinator fills in (everything else is kept by the service).
    ANSWER_FIELDS = (
        "withdrawal_history",
        "withdrawal_symptoms_now",
        "withdrawal_symptoms_detail",
        "withdrawal_seizures_or_dts",
        *ASQ_QUESTIONS,
        "asq_tried_how_when",
        ASQ_ACUITY_QUESTION,
        *(f"{prefix}_{part}" for _, prefix, _ in ASAM_DIMENSIONS for part in ("score", "note")),
        "mental_health",
        "medications",
        "legal_situation",
        "housing_situation",
    )

    def __str__(self):
        # No patient data: admin log entries and the audit trail use this.
        return f"Screening {self.pk} of lead {self.lead_id}"

    @property
    def is_signed_off(self) -> bool:
        return bool(self.decision)

    def dimension_scores(self) -> dict[int, int | None]:
        """{dimension number: score 0–4, or None when not scored yet}."""
        scores = {}
        for number, prefix, _ in ASAM_DIMENSIONS:
            value = getattr(self, f"{prefix}_score")
            scores[number] = int(value) if value not in ("", None) else None
        return scores

    def asq_answers(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in (*ASQ_QUESTIONS, ASQ_ACUITY_QUESTION)}


class Substance(models.TextChoices):
    ALCOHOL = "alcohol", "Alcohol"
    BENZODIAZEPINES = "benzodiazepines", "Benzodiazepines (Xanax, Klonopin, Valium, Ativan)"
    OTHER_SEDATIVES = "sedatives", "Other sedatives (barbiturates, GHB, sleeping pills)"
    OPIOIDS = "opioids", "Opioids (fentanyl, heroin, pain pills, methadone, kratom)"
    STIMULANTS = "stimulants", "Stimulants (methamphetamine, cocaine, Adderall)"
    CANNABIS = "cannabis", "Cannabis"
    HALLUCINOGENS = "hallucinogens", "Hallucinogens or dissociatives (LSD, mushrooms, ketamine, PCP)"
    INHALANTS = "inhalants", "Inhalants"
    OTHER = "other", "Other"


class SubstanceRoute(models.TextChoices):
    ORAL = "oral", "Swallowed or drunk"
    SMOKED = "smoked", "Smoked or vaped"
    SNORTED = "snorted", "Snorted"
    INJECTED = "injected", "Injected"
    OTHER = "other", "Other"


class UseFrequency(models.TextChoices):
    DAILY = "daily", "Every day"
    MOST_DAYS = "most_days", "Most days (4–6 a week)"
    WEEKLY = "weekly", "1–3 days a week"
    LESS = "less", "Less than weekly"


class ScreeningSubstance(models.Model):
    """One substance the person uses, as told on the call."""

    screening = models.ForeignKey(
        PreAdmissionScreening,
        on_delete=models.CASCADE,
        related_name="substances",
        help_text="The screen this answer belongs to.",
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Order on the screen, from 0.")
    substance = EncryptedCharField(
        max_length=20,
        choices=Substance,
        help_text="The kind of substance; the exact name goes in “which one”.",
    )
    which_one = EncryptedCharField(
        "which one",
        max_length=100,
        blank=True,
        help_text="In their words, e.g. “pressed blue pills (fentanyl)”, “vodka”.",
    )
    route = EncryptedCharField(
        max_length=10, choices=SubstanceRoute, blank=True, help_text="How they take it."
    )
    amount = EncryptedCharField(
        max_length=100, blank=True, help_text="How much on a usual day, e.g. “a fifth”, “2 g”, “6 pills”."
    )
    frequency = EncryptedCharField(
        "how often", max_length=10, choices=UseFrequency, blank=True, help_text="How often they use it now."
    )
    last_used_on = EncryptedDateField(
        "last use", null=True, blank=True, help_text="The day they last used it."
    )

    ANSWER_FIELDS = ("substance", "which_one", "route", "amount", "frequency", "last_used_on")

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "substance on a screening"

    def __str__(self):
        return f"Substance {self.position + 1} of screening {self.screening_id}"

    def clean(self):
        if self.last_used_on and self.last_used_on > timezone.localdate():
            raise ValidationError({"last_used_on": "The last use cannot be in the future."})
