"""One automatic insurance eligibility check (X12 270/271) per attempt."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from admissions.eligibility.records import Status as EligibilityStatus
from admissions.phi.fields import EncryptedTextField

from .requests import InsuranceVerification


class EligibilityCheck(models.Model):
    """One automatic insurance eligibility check (X12 270/271) of one verification
    request. The check run when the request arrives is attempt 1; each automatic
    retry and each re-run a coordinator asks for is the next attempt, so the
    history of what the payer said stays whole.

    A row exists from the moment an attempt starts (or is queued by a re-run);
    `checked_at` is set once it has an answer. Plan, benefits, the raw 271 and
    the request sent are patient data: encrypted like the rest.

    Each attempt sends one 270 per service type (their answers stored as one);
    a behavioural-health carve-out re-checked with the administrator it names is
    a second row of the same attempt, pointing at the first (`carve_out_of`).
    """

    verification = models.ForeignKey(
        InsuranceVerification,
        on_delete=models.CASCADE,
        related_name="eligibility_checks",
        help_text="The insurance verification request this check is about.",
    )
    carve_out_of = models.OneToOneField(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="carve_out_recheck",
        help_text=(
            "For a re-check with a behavioural-health administrator: the plan's check that named it. "
            "Empty for the plan's own checks."
        ),
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
                fields=["verification", "attempt"],
                condition=Q(carve_out_of__isnull=True),
                name="eligibility_check_one_per_attempt",
            ),
            models.CheckConstraint(condition=Q(attempt__gte=1), name="eligibility_check_attempt_positive"),
        ]

    def __str__(self):
        kind = "Carve-out re-check" if self.carve_out_of_id else "Eligibility check"
        return f"{kind} {self.attempt} of insurance verification {self.verification_id}"

    @property
    def finished(self) -> bool:
        return self.checked_at is not None
