"""The benefits verification (VOB) of one insurance request: what the plan pays
for partial hospitalization (PHP), intensive outpatient (IOP) and outpatient
(OP), pre-filled from the automatic eligibility check and finished by a
coordinator on the phone with the payer.

Every figure is patient data (encrypted like the rest) and carries where it
came from in `sources`: *electronic* (the 271, with the check and when) or
*phone-verified* (who and when). A later 271 never overwrites a phone-verified
figure (admissions/services/benefits.py). The record goes with its insurance
request, and so with its lead when the lead is purged.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from admissions.phi.fields import EncryptedCharField, EncryptedDecimalField, EncryptedTextField

from .eligibility import EligibilityCheck
from .requests import InsuranceVerification


class BenefitsStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETE = "complete", "Complete"


# What the work queue lists.
OPEN_BENEFITS_STATUSES = (BenefitsStatus.NOT_STARTED, BenefitsStatus.IN_PROGRESS)


class NetworkStatus(models.TextChoices):
    IN_NETWORK = "in", "In network"
    OUT_OF_NETWORK = "out", "Out of network"
    NOT_COVERED = "not_covered", "Not covered"


class AuthorizationRule(models.TextChoices):
    REQUIRED = "required", "Prior authorization required"
    NOT_REQUIRED = "not_required", "No prior authorization"


class FigureSource(models.TextChoices):
    ELECTRONIC = "electronic", "Electronic (271)"
    PHONE = "phone", "Phone-verified"


# The levels of care this center verifies: (field prefix, name).
LEVELS = (
    ("php", "PHP (partial hospitalization)"),
    ("iop", "IOP (intensive outpatient)"),
    ("op", "OP (outpatient)"),
)


def _money(help_text: str, verbose_name: str):
    return EncryptedDecimalField(
        verbose_name, max_digits=9, decimal_places=2, null=True, blank=True, help_text=help_text
    )


def _percent(help_text: str, verbose_name: str):
    return EncryptedDecimalField(
        verbose_name, max_digits=5, decimal_places=2, null=True, blank=True, help_text=help_text
    )


def _words(help_text: str, verbose_name: str, max_length: int = 200):
    return EncryptedCharField(verbose_name, max_length=max_length, blank=True, help_text=help_text)


def _choice(choices, help_text: str, verbose_name: str):
    return EncryptedCharField(verbose_name, max_length=20, choices=choices, blank=True, help_text=help_text)


class BenefitsVerification(models.Model):
    """One per insurance request. Figures are empty until the 271 or the payer gives them."""

    verification = models.OneToOneField(
        InsuranceVerification,
        on_delete=models.CASCADE,
        related_name="benefits",
        help_text="The insurance request these benefits are for.",
    )
    status = models.CharField(
        max_length=20,
        choices=BenefitsStatus,
        default=BenefitsStatus.NOT_STARTED,
        help_text="Not started until a coordinator takes it; complete once the payer has confirmed it.",
    )
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The coordinator working on it now (taken from the work queue); empty when nobody is.",
    )
    held_since = models.DateTimeField(null=True, blank=True, help_text="When the holder took it.")
    created_at = models.DateTimeField(default=timezone.now, help_text="When the record was made.")
    updated_at = models.DateTimeField(default=timezone.now, help_text="The last change to it.")
    completed_at = models.DateTimeField(null=True, blank=True, help_text="When it was marked complete.")
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who marked it complete.",
    )
    prefilled_from = models.ForeignKey(
        EligibilityCheck,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The automatic eligibility check whose answer filled the electronic figures.",
    )
    # Figure name -> {"source": "electronic"|"phone", "by": user id or null, "at": ISO time,
    # "check": check id or null}. Ids and times only: no patient data.
    sources = models.JSONField(
        default=dict,
        blank=True,
        help_text="Where each figure came from: the 271, or the phone (who and when).",
    )

    # Network and cost share per level of care.
    php_network = _choice(
        NetworkStatus, "Whether Sheer Recovery is in network for PHP with this plan.", "PHP network"
    )
    iop_network = _choice(
        NetworkStatus, "Whether Sheer Recovery is in network for IOP with this plan.", "IOP network"
    )
    op_network = _choice(
        NetworkStatus, "Whether Sheer Recovery is in network for OP with this plan.", "OP network"
    )
    php_copay = _money("The patient's copay per PHP day, in dollars.", "PHP copay")
    iop_copay = _money("The patient's copay per IOP day or session, in dollars.", "IOP copay")
    op_copay = _money("The patient's copay per OP visit, in dollars.", "OP copay")
    php_coinsurance = _percent(
        "The patient's share for PHP after the deductible, in percent (20 = 20%).", "PHP coinsurance"
    )
    iop_coinsurance = _percent(
        "The patient's share for IOP after the deductible, in percent (20 = 20%).", "IOP coinsurance"
    )
    op_coinsurance = _percent(
        "The patient's share for OP after the deductible, in percent (20 = 20%).", "OP coinsurance"
    )
    php_authorization = _choice(
        AuthorizationRule, "Whether PHP needs prior authorization.", "PHP authorization"
    )
    iop_authorization = _choice(
        AuthorizationRule, "Whether IOP needs prior authorization.", "IOP authorization"
    )
    op_authorization = _choice(AuthorizationRule, "Whether OP needs prior authorization.", "OP authorization")
    php_visit_limit = _words(
        "The plan's limit on PHP, e.g. “30 days a year”; empty when none.", "PHP visit limit"
    )
    iop_visit_limit = _words(
        "The plan's limit on IOP, e.g. “60 sessions a year”; empty when none.", "IOP visit limit"
    )
    op_visit_limit = _words(
        "The plan's limit on OP, e.g. “20 visits a year”; empty when none.", "OP visit limit"
    )

    # In-network deductible and out-of-pocket maximum.
    deductible_individual = _money(
        "The individual in-network deductible for the year, in dollars.", "deductible (individual)"
    )
    deductible_individual_met = _money(
        "How much of the individual deductible is met so far, in dollars.", "deductible met (individual)"
    )
    deductible_family = _money(
        "The family in-network deductible for the year, in dollars.", "deductible (family)"
    )
    deductible_family_met = _money(
        "How much of the family deductible is met so far, in dollars.", "deductible met (family)"
    )
    out_of_pocket_individual = _money(
        "The individual in-network out-of-pocket maximum, in dollars.", "out-of-pocket maximum (individual)"
    )
    out_of_pocket_individual_met = _money(
        "How much of the individual out-of-pocket maximum is met so far.", "out-of-pocket met (individual)"
    )
    out_of_pocket_family = _money(
        "The family in-network out-of-pocket maximum, in dollars.", "out-of-pocket maximum (family)"
    )
    out_of_pocket_family_met = _money(
        "How much of the family out-of-pocket maximum is met so far.", "out-of-pocket met (family)"
    )

    # Out-of-network benefits.
    out_of_network_deductible = _money(
        "The individual out-of-network deductible, in dollars.", "out-of-network deductible"
    )
    out_of_network_deductible_met = _money(
        "How much of the out-of-network deductible is met so far.", "out-of-network deductible met"
    )
    out_of_network_out_of_pocket = _money(
        "The individual out-of-network out-of-pocket maximum, in dollars.",
        "out-of-network out-of-pocket maximum",
    )
    out_of_network_coinsurance = _percent(
        "The patient's share out of network, in percent (40 = 40%).", "out-of-network coinsurance"
    )
    out_of_network_notes = _words(
        "What else the payer said about out-of-network care, e.g. “pays from the allowed amount; balance billing”.",
        "out-of-network notes",
        max_length=1000,
    )

    # Prior authorization and utilization review.
    review_by = _words(
        "Who authorizes and reviews treatment (the plan or its behavioural-health administrator).",
        "reviewed by",
    )
    review_phone = _words("The utilization-review phone number.", "review phone", max_length=40)
    review_days_or_visits = _words(
        "How many days or visits an authorization covers and how often it is reviewed, e.g. “7 days, then every 7 days”.",
        "days or visits per authorization",
    )

    # The call.
    payer_reference = _words(
        "The reference number the payer gave for the call.", "payer reference number", max_length=100
    )
    payer_representative = _words(
        "The name of the payer's representative on the call.", "payer representative", max_length=100
    )
    notes = EncryptedTextField(blank=True, help_text="Anything else from the call the team should know.")

    class Meta:
        verbose_name = "benefits verification"
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="complete") | Q(completed_at__isnull=False),
                name="benefits_complete_has_time",
            ),
        ]

    def __str__(self):
        # No patient data: admin history and audit lines show this.
        return f"Benefits verification of insurance request {self.verification_id}"

    def source_of(self, name: str) -> "FigureOrigin | None":
        data = (self.sources or {}).get(name)
        return FigureOrigin.from_dict(data) if data else None


# Every figure, in the order of the page and the summary (the call fields are not figures).
FIGURES = tuple(
    [
        f"{level}_{part}"
        for part in ("network", "copay", "coinsurance", "authorization", "visit_limit")
        for level, _ in LEVELS
    ]
    + [
        "deductible_individual",
        "deductible_individual_met",
        "deductible_family",
        "deductible_family_met",
        "out_of_pocket_individual",
        "out_of_pocket_individual_met",
        "out_of_pocket_family",
        "out_of_pocket_family_met",
        "out_of_network_deductible",
        "out_of_network_deductible_met",
        "out_of_network_out_of_pocket",
        "out_of_network_coinsurance",
        "out_of_network_notes",
        "review_by",
        "review_phone",
        "review_days_or_visits",
    ]
)
CALL_FIELDS = ("payer_reference", "payer_representative", "notes")


@dataclass(frozen=True)
class FigureOrigin:
    """Where one figure came from: the 271 (check id, when it was answered) or a phone call (who, when)."""

    source: str
    at: datetime.datetime | None
    by_id: int | None = None
    check_id: int | None = None

    @property
    def phone_verified(self) -> bool:
        return self.source == FigureSource.PHONE

    @property
    def label(self) -> str:
        return FigureSource(self.source).label

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "at": self.at.isoformat() if self.at else None,
            "by": self.by_id,
            "check": self.check_id,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "FigureOrigin":
        at = data.get("at")
        return cls(
            source=data.get("source", ""),
            at=datetime.datetime.fromisoformat(at) if at else None,
            by_id=data.get("by"),
            check_id=data.get("check"),
        )
