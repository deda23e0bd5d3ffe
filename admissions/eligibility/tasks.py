"""The automatic eligibility check of a stored insurance verification request.

Queued after the request commits (admissions.intake.store) with only the
request's id and the attempt number as arguments. Each attempt is one
EligibilityCheck row, locked while the clearinghouse is asked, so a task that
runs twice for the same attempt (a queue redelivery, a double click on
Re-run) asks once and stores one answer. The lock is on the check row alone:
the staff alert, which locks the verification row, never waits for a payer.

A temporary failure (timeout, payer down, clearinghouse 5xx, answer still
pending) queues the next attempt with exponential backoff, up to
ELIGIBILITY_MAX_ATTEMPTS tries in a row; the last one ends in an error status
with the reason. Active coverage moves a lead still at an early stage to
Verified, as an event by nobody (the site did it); every other answer leaves
the lead where it is for a coordinator.

Each attempt asks the payer directory's service types one 270 each
(inquiries.py). A carved-out answer whose administrator the directory knows
sends that administrator a second series of 270s, stored as a second
EligibilityCheck linked to the first (`carve_out_of`), once per attempt and not
retried automatically (a coordinator presses Re-run). Then the insurance
request's benefits record is pre-filled from the answers (services/benefits.py).

Nothing a person typed goes into a log line or a task argument: logs carry
ids, the trace number (made from ids), status and timings only.
"""

import datetime
import functools
import json
import logging

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from admissions.models import CHECK_MAY_VERIFY_FROM, EligibilityCheck, InsuranceVerification, LeadStatus
from admissions.services import benefits, pipeline

from .backends import check
from .inquiries import carve_out_request, check_each_service_type
from .prefill import electronic_figures
from .records import EligibilityResult, Status
from .verification import (
    carve_out_trace_number_for,
    configured_clearinghouse,
    payer_for_verification,
    request_for_verification,
    trace_number_for,
)

logger = logging.getLogger(__name__)

NOT_IN_DIRECTORY = (
    "the carrier is not in the payer directory (or is a network, not a payer): "
    "verify benefits by calling the payer"
)


def max_attempts() -> int:
    return max(1, settings.ELIGIBILITY_MAX_ATTEMPTS)


def retry_delay(try_number: int) -> datetime.timedelta:
    """Wait before try `try_number + 1`: the base delay, doubling each time, at most an hour."""
    base = settings.ELIGIBILITY_RETRY_DELAY_SECONDS
    return datetime.timedelta(seconds=min(base * 2 ** (try_number - 1), 3600))


def automatic_checks_enabled() -> bool:
    return (settings.ELIGIBILITY_BACKEND or "manual") != "manual"


def eligibility_check_enqueue(*, verification_id: int) -> None:
    """Queue the first check of a newly stored request (call after commit).
    Never raises: a broken queue or setting costs the check, never the request."""
    try:
        if automatic_checks_enabled():
            eligibility_check_run.enqueue(verification_id, 1)
    except Exception:
        logger.exception("could not queue the eligibility check for insurance %s", verification_id)


def eligibility_check_rerun(*, verification: InsuranceVerification, user) -> EligibilityCheck:
    """A coordinator asks again: the next attempt, queued after commit.

    While an attempt is still unanswered (queued, running, or its worker died)
    the same attempt is queued again instead of a new one, so pressing the
    button twice asks the payer once.
    """
    with transaction.atomic():
        # Serialises two re-runs of one request; the staff alert is long sent.
        # (NO KEY: a check row being inserted for this request need not wait.)
        InsuranceVerification.objects.select_for_update(no_key=True).only("pk").get(pk=verification.pk)
        latest = verification.eligibility_checks.filter(carve_out_of=None).order_by("-attempt").first()
        if latest is not None and not latest.finished:
            attempt_row = latest
        else:
            attempt = latest.attempt + 1 if latest else 1
            attempt_row = EligibilityCheck.objects.create(
                verification=verification,
                attempt=attempt,
                requested_by=user,
                trace_number=trace_number_for(verification.pk, attempt),
            )
        transaction.on_commit(
            functools.partial(_enqueue_quietly, verification.pk, attempt_row.attempt), robust=True
        )
    return attempt_row


def _enqueue_quietly(verification_id: int, attempt: int) -> None:
    try:
        eligibility_check_run.enqueue(verification_id, attempt)
    except Exception:
        logger.exception("could not queue eligibility check %s of insurance %s", attempt, verification_id)


def _result_for(verification: InsuranceVerification, trace_number: str) -> EligibilityResult:
    inquiry = request_for_verification(verification, trace_number=trace_number)
    if inquiry is None:
        return EligibilityResult(
            status=Status.MANUAL, trace_number=trace_number, error_reason=NOT_IN_DIRECTORY
        )
    # One 270 per service type of this payer, in the directory's order; never raises.
    return check_each_service_type(inquiry, payer_for_verification(verification).service_types, ask=_ask)


def _ask(inquiry):
    """One inquiry to the configured backend (looked up at call time: the tests' seam)."""
    return check(inquiry)


def _store(row: EligibilityCheck, result: EligibilityResult) -> None:
    data = result.to_dict()
    row.response_raw = data.pop("raw_271", "") or ""
    row.request_sent = data.pop("request_sent", "") or ""
    row.result = json.dumps(data, separators=(",", ":"))
    row.status = result.status.value
    row.backend = (result.backend or "")[:20]
    row.trace_number = (result.trace_number or row.trace_number)[:50]
    row.retryable = bool(result.retryable)
    row.error_reason = (result.error_reason or "")[:500]
    row.checked_at = result.checked_at or timezone.now()


def stored_result(row: EligibilityCheck, *, with_raw: bool = False) -> EligibilityResult | None:
    """The answer a row holds, as the engine's dataclass (None while unanswered)."""
    if not row.finished or not row.result:
        return None
    data = json.loads(row.result)
    if with_raw:
        data["raw_271"], data["request_sent"] = row.response_raw, row.request_sent
    return EligibilityResult.from_dict(data)


def _settle_failure(result: EligibilityResult, *, try_number: int, can_defer: bool) -> bool:
    """Decide whether a temporary failure is tried again; if not, end it as an
    error with the reason. Returns True when a retry should be queued."""
    temporary = result.retryable and result.status in (Status.ERROR, Status.PENDING)
    if not temporary:
        return False
    if try_number < max_attempts() and can_defer:
        return True
    why = result.error_reason or "the payer had not answered"
    if not can_defer:
        result.error_reason = f"{why}; not retried automatically (the task queue cannot schedule retries)"
    else:
        result.error_reason = f"{why}; gave up after {try_number} attempts"
    result.status = Status.ERROR
    # The plain words then say "verify by calling the payer", not "will be retried".
    result.retryable = False
    return False


def _move_lead(verification: InsuranceVerification, result: EligibilityResult, attempt: int) -> bool:
    # Carved-out plans stay with the coordinator: the benefits that matter for
    # treatment sit with another administrator and are not verified yet.
    if result.status != Status.ACTIVE:
        return False
    return pipeline.lead_status_system_move(
        lead=verification.lead,
        to_status=LeadStatus.VERIFIED,
        from_statuses=CHECK_MAY_VERIFY_FROM,
        note=(
            f"Automatic insurance check (attempt {attempt}): coverage active with "
            f"{result.payer_name or 'the payer'}. Confirm benefits with the payer before quoting them."
        ),
    )


def carve_out_recheck(
    verification: InsuranceVerification, plan_check: EligibilityCheck
) -> EligibilityCheck | None:
    """Ask the behavioural-health administrator a carved-out answer names, when the payer
    directory knows its payer ID: a second check, linked to the first, once per attempt
    (a second run finds it stored). Returns that check, or None when there is none to ask."""
    result = stored_result(plan_check)
    if result is None or result.status != Status.CARVED_OUT:
        return None
    request = request_for_verification(verification, trace_number=plan_check.trace_number)
    if request is None:
        return None
    found = carve_out_request(
        request,
        result,
        clearinghouse=configured_clearinghouse(),
        trace_number=carve_out_trace_number_for(verification.pk, plan_check.attempt),
    )
    if found is None:
        return None
    inquiry, administrator = found
    row, _ = EligibilityCheck.objects.get_or_create(
        carve_out_of=plan_check,
        defaults={
            "verification": verification,
            "attempt": plan_check.attempt,
            "trace_number": inquiry.trace_number,
        },
    )
    if row.finished:
        return row
    with transaction.atomic():
        row = EligibilityCheck.objects.select_for_update().get(pk=row.pk)
        if row.finished:
            return row
        answer = check_each_service_type(inquiry, administrator.service_types, ask=_ask)
        if answer.retryable and answer.status in (Status.ERROR, Status.PENDING):
            answer.status, answer.retryable = Status.ERROR, False
            answer.error_reason = (
                f"{answer.error_reason or 'the administrator had not answered'}; "
                "carve-out re-checks are not retried automatically (press Re-run)"
            )
        _store(row, answer)
        row.save()
    logger.info(
        "eligibility carve-out re-check insurance=%s attempt=%s status=%s",
        verification.pk,
        plan_check.attempt,
        row.status,
    )
    return row


def _prefill_benefits(verification: InsuranceVerification, plan_check: EligibilityCheck) -> None:
    """The benefits record takes the electronic figures; a failure here costs the pre-fill only."""
    try:
        recheck = EligibilityCheck.objects.filter(carve_out_of=plan_check).first()
        figures = electronic_figures(stored_result(plan_check), stored_result(recheck) if recheck else None)
        benefits.benefits_prefill(verification=verification, check=plan_check, figures=figures)
    except Exception:
        logger.exception("could not pre-fill the benefits record of insurance %s", verification.pk)


@task
def eligibility_check_run(verification_id: int, attempt: int, try_number: int = 1) -> str:
    """Check one verification request's coverage (attempt `attempt`, the
    `try_number`th automatic try in a row) and store the answer."""
    verification = (
        InsuranceVerification.objects.select_related("carrier", "lead").filter(pk=verification_id).first()
    )
    if verification is None:
        return "gone"  # purged before the worker got to it
    row, _ = EligibilityCheck.objects.get_or_create(
        verification=verification,
        attempt=attempt,
        carve_out_of=None,
        defaults={"trace_number": trace_number_for(verification_id, attempt)},
    )
    if row.finished:
        # A run that died after storing the answer may still owe the carve-out re-check.
        carve_out_recheck(verification, row)
        return "already checked"

    this_task = eligibility_check_run
    can_defer = this_task.get_backend().supports_defer
    with transaction.atomic():
        # Held while the clearinghouse answers: a second run of this attempt
        # waits here, then finds the answer stored.
        row = EligibilityCheck.objects.select_for_update().get(pk=row.pk)
        if row.finished:
            carve_out_recheck(verification, row)
            return "already checked"
        result = _result_for(verification, row.trace_number or trace_number_for(verification_id, attempt))
        temporary = result.retryable
        retry = _settle_failure(result, try_number=try_number, can_defer=can_defer)
        if retry:
            retry_at = timezone.now() + retry_delay(try_number)
            try:
                with transaction.atomic():
                    this_task.using(run_after=retry_at).enqueue(verification_id, attempt + 1, try_number + 1)
            except Exception:
                logger.exception(
                    "could not queue eligibility check %s of insurance %s", attempt + 1, verification_id
                )
                result.error_reason = f"{result.error_reason}; the retry could not be queued"
                result.status, result.retryable, retry = Status.ERROR, False, False
            else:
                row.retry_at = retry_at
        _store(row, result)
        row.retryable = temporary
        row.save()
        moved = _move_lead(verification, result, attempt)

    # After the answer is committed: the staff see it while the administrator is asked.
    if row.finished and not retry:
        carve_out_recheck(verification, row)
        _prefill_benefits(verification, row)

    logger.info(
        "eligibility check insurance=%s attempt=%s try=%s status=%s retry=%s lead_verified=%s",
        verification_id,
        attempt,
        try_number,
        result.status,
        retry,
        moved,
    )
    return result.status.value
