"""Referral partners: the detox units, residential programs, hospitals,
therapists, employee assistance programs, courts and alumni who send people
to us, and to whom we send people we cannot help.

There is deliberately no fee, commission, bounty or per-admission credit
field here, nor anywhere else: California Health and Safety Code §11831.6
forbids a treatment program to give or receive anything of value for a
referral, and the federal Eliminating Kickbacks in Recovery Act (EKRA,
18 U.S.C. §220) makes paying for referrals to recovery homes, clinical
treatment facilities and laboratories a crime. The relationship is tracked
for the patient's sake (where they came from, where they went) and for the
report of inquiries and admissions per partner, never for payment.
"""

from django.conf import settings
from django.db import models


class ReferralPartner(models.Model):
    class Kind(models.TextChoices):
        DETOX = "detox", "Detox"
        RESIDENTIAL = "residential", "Residential program"
        HOSPITAL = "hospital", "Hospital"
        THERAPIST = "therapist", "Therapist or clinician"
        EAP = "eap", "Employee assistance program"
        COURT = "court", "Court or probation"
        ALUMNI = "alumni", "Alumni"
        OTHER = "other", "Other"

    name = models.CharField("organisation", max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind)
    # Professional contacts (names, work phones and emails of staff at the
    # partner), not patient data.
    contacts = models.TextField(blank=True, help_text="Who to talk to there: names, work phones, emails.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="owning coordinator",
    )
    levels_of_care = models.ManyToManyField(
        "programs.LevelOfCare",
        blank=True,
        related_name="+",
        limit_choices_to={"language": "en"},
        help_text="Levels of care they accept.",
    )
    payers = models.ManyToManyField(
        "admissions.InsuranceCarrier", blank=True, related_name="+", help_text="Insurance they accept."
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
