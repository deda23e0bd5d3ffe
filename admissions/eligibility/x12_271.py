"""Read an HIPAA 005010X279A1 271 eligibility response into an `EligibilityResult`.

Our own parser, not a library. Measured with `scripts/bench_eligibility.py
--x12sdk-python ...` on this project's 14 hand-made 271 fixtures (2 shared cores,
Python 3.12, x12sdk in a separate venv):

    ours (split + loops + interpretation)     11,400-15,500 parses/s, 7-10 MB/s on all 14 (two runs)
    ours on the 6 x12sdk accepts              16,500-17,000 parses/s, ~10 MB/s
    x12sdk 2.2.0 X12ModelReader, same 6       2,400-2,600 parses/s, ~1.5 MB/s (models only, no interpretation)
    pyx12 4.0.0                               not usable: its maps for 270/271 are 4010 only

x12sdk rejected 8 of the 14 (pydantic ValidationError, one UnboundLocalError):
EB03 service types CI/CJ (substance-use facility, the very codes we ask about)
fail its enum; AAA 72/75/77 at 2100C/2100D fail because those loops reuse the
2100B reject-code list; a payer-level AAA 42/79 answer that stops at HL 20
(HL04 = 0) fails; a CRLF-separated file crashed it. A coordinator needs exactly
those answers, and a strict model turns one deviation into no answer at all. It
would also add pydantic, pydantic-settings and python-dotenv to the runtime. Our
parser is ~300 lines, reads everything below, and turns anything it cannot read
into an ERROR result. Revisit x12sdk if we ever need 835/277 parsing.

What is read:
- delimiters from the ISA segment itself (element at position 3, repetition ISA11,
  component ISA16, the segment terminator after it), line breaks between segments;
- the HL hierarchy: 20 information source (2100A), 21 receiver (2100B), 22
  subscriber (2100C/2110C), 23 dependent (2100D/2110D); TRN trace numbers to pick
  the member the inquiry was about;
- AAA at 2000A/2100A/2100B/2100C/2100D/2110C/2110D, MSG, REF 6P/18, DTP
  346/347/356/357/291/307 (D8 and RD8), INS relationship;
- EB loops with repeated EB03 service types, EB11 authorization, EB12 network,
  and LS/LE-wrapped 2120 entities (NM1 + PER) that name a carve-out administrator;
- a 999 or TA1 in place of a 271 (the clearinghouse rejected our 270).

Anything unreadable becomes an ERROR result with a reason that carries no
patient data; no exception leaves `parse_271`.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from . import codes
from .records import BenefitLine, CarveOut, Copay, EligibilityResult, NetworkSplit, Rejection, Status, Tier
from .x12_text import Delimiters, X12SyntaxError, clean, repeats, split_segments

log = logging.getLogger("admissions.eligibility")


@dataclass
class _Entity:
    code: str
    name: str = ""
    identifier: str = ""
    phone: str = ""


@dataclass
class _Benefit:
    elements: list[str]
    service_types: tuple[str, ...]
    amount: Decimal | None
    percent: Decimal | None
    dates: list[tuple[str, date, date | None]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    refs: dict[str, tuple[str, str]] = field(default_factory=dict)
    entities: list[_Entity] = field(default_factory=list)

    def element(self, position: int) -> str:
        return self.elements[position] if len(self.elements) > position else ""

    @property
    def info(self) -> str:
        return self.element(1)

    @property
    def plan_level(self) -> bool:
        return not self.service_types or codes.PLAN_LEVEL in self.service_types


@dataclass
class _Member:
    level: str  # "C" subscriber, "D" dependent
    traces: list[str] = field(default_factory=list)
    member_id: str = ""
    refs: dict[str, tuple[str, str]] = field(default_factory=dict)
    dates: list[tuple[str, date, date | None]] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    benefit_rejections: list[Rejection] = field(default_factory=list)
    benefits: list[_Benefit] = field(default_factory=list)
    dependents: list["_Member"] = field(default_factory=list)


@dataclass
class _Response:
    payer_name: str = ""
    rejections: list[Rejection] = field(default_factory=list)
    subscribers: list[_Member] = field(default_factory=list)


class _Acknowledgment(Exception):
    """A 999 or TA1 came back instead of a 271."""

    def __init__(self, reason: str, *, retryable: bool = False):
        super().__init__(reason)
        self.retryable = retryable


def _decimal(value: str, what: str) -> Decimal | None:
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise X12SyntaxError(f"{what} is not a number") from None
    if not number.is_finite():
        raise X12SyntaxError(f"{what} is not a number")
    return number


def _date(value: str, what: str) -> date:
    try:
        return datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        raise X12SyntaxError(f"{what} is not a CCYYMMDD date") from None


def _dtp(seg: list[str]) -> tuple[str, date, date | None]:
    if len(seg) < 4:
        raise X12SyntaxError("DTP segment has fewer than 3 elements")
    qualifier, fmt, value = seg[1], seg[2], seg[3]
    if fmt == "D8":
        return qualifier, _date(value, f"DTP*{qualifier}"), None
    if fmt == "RD8":
        start, _, end = value.partition("-")
        return qualifier, _date(start, f"DTP*{qualifier}"), _date(end, f"DTP*{qualifier}")
    raise X12SyntaxError(f"DTP*{qualifier} has an unknown date format")


def _el(seg: list[str], position: int) -> str:
    return seg[position] if len(seg) > position else ""


def _read(segments: list[list[str]], delimiters: Delimiters) -> list[_Response]:
    """Walk the segments into one `_Response` per ST/SE transaction."""
    ids = [s[0] for s in segments]
    if ids[-1] != "IEA":
        raise X12SyntaxError("no IEA segment: the interchange is truncated")
    if "TA1" in ids and "ST" not in ids:
        ta1 = segments[ids.index("TA1")]
        note = _el(ta1, 5) if _el(ta1, 5).isdigit() else "?"
        raise _Acknowledgment(f"the clearinghouse rejected the interchange envelope (TA1 note {note[:3]})")

    responses = []
    response: _Response | None = None
    in_transaction = False
    count = 0
    level = ""
    loop = ""
    subscriber: _Member | None = None
    member: _Member | None = None
    benefit: _Benefit | None = None
    in_2120 = False

    for position, seg in enumerate(segments, start=1):
        sid = seg[0]
        if in_transaction:
            count += 1
        if sid == "ST":
            if in_transaction:
                raise X12SyntaxError(f"segment {position}: ST inside a transaction")
            kind = _el(seg, 1)
            if kind == "999":
                rejected = any(s[0] in ("IK5", "AK9") and _el(s, 1) in ("R", "M", "W", "X") for s in segments)
                if rejected:
                    raise _Acknowledgment("the clearinghouse rejected the 270 as invalid (999)")
                raise _Acknowledgment(
                    "the clearinghouse acknowledged the 270 (999) but sent no 271", retryable=True
                )
            if kind != "271":
                raise X12SyntaxError(f"segment {position}: transaction set is not a 271")
            in_transaction, count = True, 1
            response = _Response()
            level = loop = ""
            subscriber = member = benefit = None
            in_2120 = False
            continue
        if sid == "SE":
            if not in_transaction:
                raise X12SyntaxError(f"segment {position}: SE outside a transaction")
            if _el(seg, 1) != str(count):
                raise X12SyntaxError(
                    f"SE segment count does not match the {count} segments of the transaction"
                )
            responses.append(response)
            in_transaction = False
            continue
        if not in_transaction:
            if sid not in ("ISA", "GS", "GE", "IEA", "TA1"):
                raise X12SyntaxError(f"segment {position} is outside a transaction")
            continue

        if sid == "HL":
            level = _el(seg, 3)
            benefit, in_2120 = None, False
            if level == "20":
                loop = "2000A"
            elif level == "21":
                loop = "2000B"
            elif level == "22":
                loop = "2000C"
                subscriber = member = _Member("C")
                response.subscribers.append(subscriber)
            elif level == "23":
                if subscriber is None:
                    raise X12SyntaxError(f"segment {position}: dependent HL without a subscriber")
                loop = "2000D"
                member = _Member("D")
                subscriber.dependents.append(member)
            else:
                raise X12SyntaxError(f"segment {position}: unknown HL level")
        elif sid == "LS":
            if benefit is None:
                raise X12SyntaxError(f"segment {position}: LS outside an EB loop")
            in_2120 = True
        elif sid == "LE":
            in_2120 = False
        elif in_2120:
            if sid == "NM1":
                benefit.entities.append(_Entity(_el(seg, 1), _el(seg, 3), _el(seg, 9)))
            elif sid == "PER" and benefit.entities:
                entity = benefit.entities[-1]
                for i in (3, 5, 7):
                    if _el(seg, i) == "TE" and not entity.phone:
                        entity.phone = _el(seg, i + 1)
        elif sid == "NM1":
            if level == "20":
                response.payer_name, loop = _el(seg, 3), "2100A"
            elif level == "21":
                loop = "2100B"
            elif level in ("22", "23"):
                member.member_id = _el(seg, 9) or member.member_id
                loop = "2100" + member.level
            else:
                raise X12SyntaxError(f"segment {position}: NM1 before any HL")
        elif sid == "AAA":
            rejection = Rejection(code=_el(seg, 3)[:3], loop=loop, follow_up=_el(seg, 4)[:1])
            if benefit is not None:
                # About one service type only; the coverage answer may still stand.
                member.benefit_rejections.append(rejection)
            elif level in ("22", "23"):
                member.rejections.append(rejection)
            elif level in ("20", "21"):
                response.rejections.append(rejection)
            else:
                raise X12SyntaxError(f"segment {position}: AAA before any HL")
        elif sid == "TRN":
            if member is None:
                raise X12SyntaxError(f"segment {position}: TRN outside a subscriber or dependent")
            member.traces.append(_el(seg, 2).upper())
        elif sid == "EB":
            if member is None:
                raise X12SyntaxError(f"segment {position}: EB outside a subscriber or dependent")
            loop = "2110" + member.level
            benefit = _Benefit(
                elements=seg,
                service_types=tuple(repeats(_el(seg, 3), delimiters)),
                amount=_decimal(_el(seg, 7), "EB07"),
                percent=_decimal(_el(seg, 8), "EB08"),
            )
            member.benefits.append(benefit)
        elif sid in ("REF", "DTP", "MSG") and member is None:
            pass  # 2100A/2100B references: nothing the answer needs
        elif sid == "REF":
            target = benefit.refs if benefit else member.refs
            target[_el(seg, 1)] = (_el(seg, 2), _el(seg, 3))
        elif sid == "DTP":
            (benefit.dates if benefit else member.dates).append(_dtp(seg))
        elif sid == "MSG" and benefit is not None:
            benefit.messages.append(_el(seg, 1))
        # BHT, N3, N4, PER (outside 2120), PRV, DMG, INS, HI, MPI, HSD, III: not needed for the answer.

    if in_transaction:
        raise X12SyntaxError("no SE segment: the transaction is truncated")
    if not responses:
        raise X12SyntaxError("no 271 transaction in the interchange")
    return responses


def _pick_patient(responses: list[_Response], trace: str) -> tuple[_Response, _Member, _Member]:
    """(response, subscriber, patient) for the inquiry with this trace number."""
    candidates = [
        (response, subscriber, patient)
        for response in responses
        for subscriber in response.subscribers
        for patient in (subscriber, *subscriber.dependents)
    ]
    if not candidates:
        return responses[0], None, None
    if trace and any(p.traces for _, _, p in candidates):
        # The 270 carried the trace number through the same clean-up.
        trace = clean(trace, 50)
        for candidate in candidates:
            if trace in candidate[2].traces:
                return candidate
        raise X12SyntaxError("no trace number in the 271 matches the request")
    # No TRN at all: the patient is the dependent when there is one.
    response, subscriber, _ = candidates[0]
    return response, subscriber, (subscriber.dependents[0] if subscriber.dependents else subscriber)


def _percent(fraction: Decimal) -> Decimal:
    """EB08 0.2 -> 20; 0.125 -> 12.5 (no exponent notation on the way to the page)."""
    value = fraction * 100
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def _network(flag: str) -> str:
    return {"Y": "in_network", "N": "out_of_network"}.get(flag, "network_not_stated")


def _fill_accumulator(split: NetworkSplit, benefit: _Benefit) -> None:
    tier: Tier = getattr(split, _network(benefit.element(12)))
    level = benefit.element(2)
    accumulator = tier.family if level in codes.FAMILY_LEVELS else tier.individual
    period = benefit.element(6)
    if period in codes.REMAINING_PERIODS:
        slot = "remaining"
    elif period in codes.MET_PERIODS:
        slot = "met"
    elif period in codes.TOTAL_PERIODS or not period:
        slot = "total"
    else:
        return
    # The first value seen wins: plan-level lines are read first.
    if benefit.amount is not None and getattr(accumulator, slot) is None:
        setattr(accumulator, slot, benefit.amount)


def _settle(split: NetworkSplit) -> None:
    for tier in (split.in_network, split.out_of_network, split.network_not_stated):
        tier.individual.settle()
        tier.family.settle()


def _coverage_dates(patient: _Member, lines: list[_Benefit]) -> tuple[date | None, date | None]:
    begin = end = None
    for qualifier, start, finish in [*patient.dates, *(d for b in lines for d in b.dates)]:
        if qualifier in (codes.PLAN_BEGIN, codes.ELIGIBILITY_BEGIN):
            begin = begin or start
        elif qualifier in (codes.PLAN_END, codes.ELIGIBILITY_END):
            end = end or start
        elif qualifier in (codes.PLAN, codes.ELIGIBILITY):
            begin = begin or start
            end = end or finish
    return begin, end


def _carve_out(benefits: list[_Benefit]) -> CarveOut | None:
    for benefit in benefits:
        behavioural = [s for s in benefit.service_types if s in codes.BEHAVIOURAL_HEALTH]
        if not behavioural:
            continue
        administrators = [e for e in benefit.entities if e.code in codes.ADMINISTRATOR_ENTITIES and e.name]
        if administrators:
            entity = administrators[0]
            types = tuple(
                dict.fromkeys(
                    s
                    for b in benefits
                    if any(e.name == entity.name for e in b.entities)
                    for s in b.service_types
                    if s in codes.BEHAVIOURAL_HEALTH
                )
            )
            return CarveOut(entity.name, entity.phone, entity.identifier, types)
        if benefit.info in (codes.CONTACT_ENTITY, codes.OTHER_PAYER):
            # Carved out, but the payer did not say to whom.
            return CarveOut(
                "another administrator (not named by the payer)", service_types=tuple(behavioural)
            )
    return None


def _interpret(response: _Response, subscriber: _Member | None, patient: _Member | None) -> EligibilityResult:
    result = EligibilityResult(status=Status.ERROR, payer_name=response.payer_name)
    rejections = list(response.rejections)
    if subscriber is not None:
        rejections += subscriber.rejections
        if patient is not subscriber:
            rejections += patient.rejections
    result.rejections = rejections
    if patient is None:
        if not rejections:
            raise X12SyntaxError("271 has no subscriber and no rejection")
    else:
        result.patient_is_dependent = patient.level == "D"

    if rejections:
        if all(r.retryable for r in rejections):
            result.status, result.retryable = Status.ERROR, True
            result.error_reason = (
                "payer unable to respond (AAA " + ", ".join(r.code for r in rejections) + ")"
            )
        else:
            result.status = Status.REJECTED
        return result

    # Plan-level lines (service type 30 or none) first: they fill the summary before service-specific ones.
    benefits = sorted(patient.benefits, key=lambda b: not b.plan_level)
    result.rejections += patient.benefit_rejections
    if not benefits:
        if patient.benefit_rejections:
            result.status = Status.REJECTED
            return result
        raise X12SyntaxError("271 has neither benefits nor a rejection for the patient")
    active = [b for b in benefits if b.info in codes.ACTIVE_CODES]
    inactive = [b for b in benefits if b.info in codes.INACTIVE_CODES]
    plan_active = [b for b in active if b.plan_level]
    plan_inactive = [b for b in inactive if b.plan_level]
    if plan_active or (active and not plan_inactive):
        result.status = Status.ACTIVE
    elif inactive:
        result.status = Status.INACTIVE
    elif any(b.info == "V" for b in benefits):
        result.status, result.error_reason = Status.ERROR, "payer could not process the inquiry (EB V)"
        return result
    else:
        raise X12SyntaxError("271 does not say whether coverage is active")

    coverage_lines = active if result.status == Status.ACTIVE else inactive
    for line in coverage_lines:
        result.plan_name = result.plan_name or line.element(5)
        result.insurance_type = result.insurance_type or codes.INSURANCE_TYPES.get(
            line.element(4), line.element(4)
        )
    refs = {**{k: v for b in benefits for k, v in b.refs.items()}, **patient.refs}
    if subscriber is not patient:
        refs = {**subscriber.refs, **refs}
    group = refs.get("6P")
    if group:
        result.group_number, result.group_name = group
    if not result.plan_name and refs.get("18"):
        result.plan_name = refs["18"][1] or refs["18"][0]
    result.coverage_begin, result.coverage_end = _coverage_dates(
        patient if patient.dates or subscriber is patient else subscriber, coverage_lines
    )

    for line in benefits:
        network = _network(line.element(12))
        if line.info == codes.DEDUCTIBLE:
            _fill_accumulator(result.deductible, line)
        elif line.info == codes.OUT_OF_POCKET:
            _fill_accumulator(result.out_of_pocket, line)
        elif line.info == codes.COINSURANCE and line.percent is not None:
            if getattr(result.coinsurance, network) is None:
                setattr(result.coinsurance, network, _percent(line.percent))
        elif line.info == codes.COPAY and line.amount is not None:
            short = {"in_network": "in", "out_of_network": "out"}.get(network, "")
            for service_type in line.service_types or (codes.PLAN_LEVEL,):
                result.copays.append(Copay(service_type, line.amount, short))
        authorization = line.element(11)
        if authorization in ("Y", "N"):
            for service_type in line.service_types or (codes.PLAN_LEVEL,):
                # Any "required" wins over a "not required" on another line.
                result.prior_authorization[service_type] = (
                    result.prior_authorization.get(service_type, False) or authorization == "Y"
                )
        result.messages.extend(m for m in line.messages if m)
        result.benefits.append(
            BenefitLine(
                info=line.info,
                coverage_level=line.element(2),
                service_types=line.service_types,
                insurance_type=line.element(4),
                plan_description=line.element(5),
                time_period=line.element(6),
                amount=line.amount,
                percent=line.percent,
                authorization_required=authorization,
                in_network=line.element(12),
                messages=tuple(line.messages),
                entity_names=tuple(e.name for e in line.entities if e.name),
            )
        )
    _settle(result.deductible)
    _settle(result.out_of_pocket)
    if result.status == Status.ACTIVE:
        result.carve_out = _carve_out(benefits)
        if result.carve_out:
            result.status = Status.CARVED_OUT
    result.retryable = False
    return result


def parse_271(
    text: str, *, trace_number: str = "", backend: str = "x12", match_trace: bool = True
) -> EligibilityResult:
    """The answer in a 271 (or the 999/TA1 that came instead). Never raises for bad input.

    With `match_trace`, the member answered must carry our trace number when the 271
    has any TRN; without it (a JSON API that sets its own TRN) the first member is read.
    """
    try:
        delimiters, segments = split_segments(text)
        responses = _read(segments, delimiters)
        result = _interpret(*_pick_patient(responses, trace_number if match_trace else ""))
    except _Acknowledgment as exc:
        result = EligibilityResult(status=Status.ERROR, error_reason=str(exc), retryable=exc.retryable)
    except X12SyntaxError as exc:
        result = EligibilityResult(status=Status.ERROR, error_reason=f"malformed 271: {exc}", retryable=True)
    except Exception as exc:  # noqa: BLE001 - a parser bug must not break the caller or leak values
        # The exception's message could quote an element value: log its type only.
        log.error("eligibility 271 parser failed trace=%s error=%s", trace_number, type(exc).__name__)
        result = EligibilityResult(
            status=Status.ERROR,
            error_reason=f"could not read the 271 ({type(exc).__name__})",
            retryable=False,
        )
    result.trace_number = trace_number
    result.backend = backend
    result.raw_271 = text if isinstance(text, str) else ""
    if result.status == Status.ERROR:
        log.warning("eligibility 271 trace=%s status=error reason=%s", trace_number, result.error_reason)
    return result
