"""One 270 per service type, and the re-check of a behavioural-health carve-out.

Payers answer one service type per 270 reliably; several EQ loops in one 270
are often answered for the first only, or rejected whole. So a check asks the
payer directory's service types (payers.Payer.service_types: MH first, then the
substance-use codes where the payer answers them) one 270 each, in order, and
`combine()` folds the answers into one `EligibilityResult`: the first answer
decides the status; later ones fill in what it left empty and add their
benefit lines. When the first answer is not active coverage nothing more is
asked: the member was not found, or has no coverage.

`carve_out_request()` turns a carved-out answer into the inquiry for the
administrator it names, when the directory knows that administrator's payer ID.

    result = check_each_service_type(request, payer.service_types)  # never raises
"""

import copy
import dataclasses

from . import codes, payers
from .backend_base import Backend
from .backends import check
from .records import Accumulator, EligibilityRequest, EligibilityResult, NetworkSplit, Status

# Between the interchanges of one check in the stored request_sent / raw 271.
SEPARATOR = "\n"


def trace_for(trace_number: str, service_type: str, position: int) -> str:
    """The first inquiry keeps the check's trace number; the others add their service type."""
    return trace_number if position == 0 else f"{trace_number}-{service_type}"[:50]


def inquiries(request: EligibilityRequest, service_types) -> list[EligibilityRequest]:
    """The request once per service type (unknown or repeated codes dropped; MH when none is left)."""
    ordered = [code for code in dict.fromkeys(service_types or ()) if code] or list(codes.SAFE_SERVICE_TYPES)
    return [
        dataclasses.replace(
            request, service_type=code, trace_number=trace_for(request.trace_number, code, position)
        )
        for position, code in enumerate(ordered)
    ]


def check_each_service_type(
    request: EligibilityRequest, service_types, *, backend: Backend | None = None, ask=None
) -> EligibilityResult:
    """Ask each service type in its own 270, in order; one combined answer. Never raises
    (`ask`, when given, must not raise either: backends.check is the default)."""
    answers: list[tuple[str, EligibilityResult]] = []
    for position, inquiry in enumerate(inquiries(request, service_types)):
        result = ask(inquiry) if ask is not None else check(inquiry, backend)
        answers.append((inquiry.service_type, result))
        if position == 0 and not result.coverage_active:
            break
    combined = combine(answers)
    combined.trace_number = request.trace_number
    return combined


def _fill(into: Accumulator, more: Accumulator) -> None:
    for slot in ("total", "remaining", "met"):
        if getattr(into, slot) is None and getattr(more, slot) is not None:
            setattr(into, slot, getattr(more, slot))


def _fill_split(into: NetworkSplit, more: NetworkSplit) -> None:
    for network in ("in_network", "out_of_network", "network_not_stated"):
        for level in ("individual", "family"):
            _fill(getattr(getattr(into, network), level), getattr(getattr(more, network), level))


def combine(answers: list[tuple[str, EligibilityResult]]) -> EligibilityResult:
    """The answers of one check's inquiries, (service type, result) in the order sent, as one result."""
    (first_type, first), *later = answers
    result = copy.deepcopy(first)
    result.service_types = [first_type]
    sent, received = [first.request_sent], [first.raw_271]
    for service_type, answer in later:
        result.service_types.append(service_type)
        sent.append(answer.request_sent)
        received.append(answer.raw_271)
        if not answer.coverage_active:
            result.unanswered_service_types.append(service_type)
            result.rejections += [r for r in answer.rejections if r not in result.rejections]
            continue
        _fill_split(result.deductible, answer.deductible)
        _fill_split(result.out_of_pocket, answer.out_of_pocket)
        for network in ("in_network", "out_of_network", "network_not_stated"):
            if getattr(result.coinsurance, network) is None:
                setattr(result.coinsurance, network, getattr(answer.coinsurance, network))
        result.copays = list(dict.fromkeys([*result.copays, *answer.copays]))
        for code, required in answer.prior_authorization.items():
            result.prior_authorization[code] = result.prior_authorization.get(code, False) or required
        result.benefits = list(dict.fromkeys([*result.benefits, *answer.benefits]))
        result.messages = list(dict.fromkeys([*result.messages, *answer.messages]))
        result.rejections += [r for r in answer.rejections if r not in result.rejections]
        if result.carve_out is None and answer.carve_out is not None:
            result.carve_out = answer.carve_out
            if result.status == Status.ACTIVE:
                result.status = Status.CARVED_OUT
    result.request_sent = SEPARATOR.join(text for text in sent if text)
    result.raw_271 = SEPARATOR.join(text for text in received if text)
    return result


def carve_out_request(
    request: EligibilityRequest, result: EligibilityResult, *, clearinghouse: str, trace_number: str
) -> tuple[EligibilityRequest, payers.Payer] | None:
    """The inquiry to the behavioural-health administrator a carved-out answer names, and its
    directory entry; None when the answer is not a carve-out, the directory has no payer ID for
    the administrator, or it is the plan's own payer ID (asking again would say the same)."""
    carve = result.carve_out
    if result.status != Status.CARVED_OUT or carve is None:
        return None
    payer = payers.carve_out_payer(carve.administrator_id, carve.administrator_name, clearinghouse)
    if payer is None or payer.payer_id(clearinghouse) == request.payer_id:
        return None
    inquiry = dataclasses.replace(
        request,
        payer_id=payer.payer_id(clearinghouse),
        payer_name=payer.display_name,
        trace_number=trace_number,
    )
    return inquiry, payer
