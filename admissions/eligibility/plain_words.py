"""`describe(result)`: an EligibilityResult as a coordinator reads it on the lead.

Contains plan and benefit details (patient data): show it to staff, never log it.
"""

from decimal import Decimal

from . import codes
from .records import Accumulator, EligibilityResult, NetworkSplit, Status

CAVEAT = "This is what the payer's system returned; confirm benefits with the payer before quoting them."


def money(amount: Decimal | None) -> str:
    return "unknown" if amount is None else f"${amount:,.2f}"


def _day(value) -> str:
    return value.strftime("%b %-d, %Y")


def _accumulator(label: str, acc: Accumulator) -> str | None:
    if not acc.known:
        return None
    parts = []
    if acc.total is not None:
        parts.append(money(acc.total))
    if acc.met is not None:
        parts.append(f"{money(acc.met)} met")
    if acc.remaining is not None:
        parts.append(f"{money(acc.remaining)} left")
    return f"{label} {', '.join(parts)}"


def _split_lines(name: str, split: NetworkSplit) -> list[str]:
    lines = []
    for network_label, tier in (
        ("In network", split.in_network),
        ("Out of network", split.out_of_network),
        ("Network not stated", split.network_not_stated),
    ):
        parts = [
            p
            for p in (
                _accumulator("individual", tier.individual),
                _accumulator("family", tier.family),
            )
            if p
        ]
        if parts:
            lines.append(f"{network_label} {name}: {'; '.join(parts)}.")
    return lines


def describe(result: EligibilityResult) -> str:
    status = result.status
    lines: list[str] = []
    payer = result.payer_name or "the payer"
    if status == Status.MANUAL:
        return "No automatic insurance check is set up. Verify benefits by calling the payer."
    if status == Status.PENDING:
        return f"The clearinghouse is still waiting for an answer from {payer}. The check will run again."
    if status == Status.ERROR:
        lines.append(f"The automatic check did not complete: {result.error_reason or 'unknown error'}.")
        lines.append(
            "It will be retried automatically."
            if result.retryable
            else "Verify benefits by calling the payer."
        )
        lines += _rejection_lines(result)
        return "\n".join(lines)
    if status == Status.REJECTED:
        lines.append(f"{payer} could not answer for this member.")
        lines += _rejection_lines(result)
        return "\n".join(lines)

    who = " (patient is a dependent on the policy)" if result.patient_is_dependent else ""
    state = "ACTIVE" if result.coverage_active else "NOT ACTIVE"
    lines.append(f"Coverage is {state} with {payer}{who}.")
    plan = []
    if result.plan_name or result.insurance_type:
        kind = (
            f" ({result.insurance_type})"
            if result.insurance_type and result.plan_name
            else result.insurance_type
        )
        plan.append(f"{result.plan_name}{kind}" if result.plan_name else f"type {kind}")
    if result.group_number:
        plan.append(f"group {result.group_number}" + (f" ({result.group_name})" if result.group_name else ""))
    if plan:
        lines.append(f"Plan: {', '.join(plan)}.")
    if result.coverage_begin or result.coverage_end:
        begin = _day(result.coverage_begin) if result.coverage_begin else "unknown"
        end = _day(result.coverage_end) if result.coverage_end else "no end date given"
        lines.append(f"Coverage dates: {begin} to {end}.")
    if result.carve_out:
        carve = result.carve_out
        services = "; ".join(codes.service_type_name(s) for s in carve.service_types)
        phone = f", phone {_phone(carve.phone)}" if carve.phone else ""
        lines.append(
            f"CARVED OUT: behavioural health ({services or 'not itemised'}) is managed by "
            f"{carve.administrator_name}{phone}. "
            "Verify behavioural-health benefits with them."
        )
    if result.coverage_active:
        lines += _split_lines("deductible", result.deductible)
        lines += _split_lines("out-of-pocket maximum", result.out_of_pocket)
        coins = result.coinsurance
        shares = [
            f"{label} {value}%"
            for label, value in (
                ("in network", coins.in_network),
                ("out of network", coins.out_of_network),
                ("network not stated", coins.network_not_stated),
            )
            if value is not None
        ]
        if shares:
            lines.append(f"Coinsurance (patient's share): {', '.join(shares)}.")
        if result.copays:
            copays = [
                f"{codes.service_type_name(c.service_type)} {money(c.amount)}"
                + (f" ({c.network} network)" if c.network else "")
                for c in result.copays
            ]
            lines.append(f"Copays: {'; '.join(copays)}.")
        required = [s for s, needed in result.prior_authorization.items() if needed]
        if required:
            lines.append(
                "Prior authorization REQUIRED for: "
                + ", ".join(f"{codes.service_type_name(s)} ({s})" for s in required)
                + "."
            )
    if result.service_types:
        asked = ", ".join(f"{codes.service_type_name(s)} ({s})" for s in result.service_types)
        lines.append(f"Asked about: {asked} (one inquiry each).")
    if result.unanswered_service_types:
        lines.append(
            "Not answered for: "
            + ", ".join(f"{codes.service_type_name(s)} ({s})" for s in result.unanswered_service_types)
            + ". Ask the payer by phone."
        )
    if result.rejections:
        # Service-level AAA on an otherwise answered inquiry.
        lines.append("Some benefits could not be checked:")
        lines += _rejection_lines(result)
    if result.messages:
        lines.append("Payer messages: " + " / ".join(result.messages))
    lines.append(CAVEAT)
    return "\n".join(lines)


def _rejection_lines(result: EligibilityResult) -> list[str]:
    lines = []
    for rejection in result.rejections:
        follow_up = codes.FOLLOW_UP_ACTIONS.get(rejection.follow_up)
        lines.append(
            f"Reason (AAA {rejection.code}): {rejection.reason} What to fix: {rejection.what_to_fix}"
            + (f" (payer says: {follow_up})" if follow_up else "")
        )
    return lines


def _phone(number: str) -> str:
    digits = "".join(c for c in number if c.isdigit())
    if len(digits) == 10:
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return number
