"""Build an HIPAA 005010X279A1 270 eligibility inquiry.

Delimiters are the usual ones (element *, component :, repetition ^, segment ~),
with no line breaks. Layout:

    ISA GS ST BHT
    HL 20  NM1*PR   information source: the payer, with its payer ID (PI)
    HL 21  NM1*1P   information receiver: Sheer Recovery, with its NPI (XX)
    HL 22  [TRN] NM1*IL (MI member ID) [REF*6P group] [DMG] [DTP*291] [EQ, one service type]
    [HL 23 TRN NM1*03 INS DMG DTP*291 EQ]      when the patient is a dependent
    SE GE IEA

The trace number (TRN) and the 2110 EQ loop sit at the patient's level: the
subscriber's when they are the patient, the dependent's otherwise.
"""

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from .records import EligibilityRequest, InvalidEligibilityRequest
from .x12_text import clean, interchange, segment

IMPLEMENTATION = "005010X279A1"


@dataclass(frozen=True)
class Envelope:
    """Interchange and group identities agreed with the clearinghouse (ISA06/08, GS02/03)."""

    sender_id: str = "SHEERRECOVERY"
    receiver_id: str = "CLEARINGHOUSE"
    sender_qualifier: str = "ZZ"
    receiver_qualifier: str = "ZZ"
    # ISA15: P production, T test.
    usage: str = "P"
    # TRN03, ten characters: "1" + EIN or "9" + an identifier of our choosing. Empty: "9" + the NPI's first nine digits.
    originator_id: str = ""


def new_control_number() -> int:
    return secrets.randbelow(999_999_998) + 1


def _d8(day: date) -> str:
    return day.strftime("%Y%m%d")


def _member_id(value: str) -> str:
    # Cards print IDs with spaces for legibility; payers store them without.
    return clean(value, 80).replace(" ", "")


_SERVICE_TYPE = re.compile(r"[0-9A-Z]{1,2}")


def _check_x12_characters(request: EligibilityRequest) -> None:
    """Names written only in characters X12 cannot carry (e.g. only CJK) would leave required elements empty."""
    fields = [
        ("payer name", request.payer_name),
        ("subscriber last name", request.subscriber_last_name),
        ("member ID", request.member_id),
    ]
    if request.dependent:
        fields.append(("patient last name", request.dependent.last_name))
    problems = [f"{label} has no characters X12 can carry" for label, value in fields if not clean(value, 80)]
    if not _SERVICE_TYPE.fullmatch(request.service_type):
        problems.append("service type code not 1-2 letters or digits")
    if problems:
        raise InvalidEligibilityRequest(problems)


def build_270(
    request: EligibilityRequest,
    *,
    control_number: int | None = None,
    now: datetime | None = None,
    envelope: Envelope = Envelope(),
) -> str:
    """The 270 as one string. Raises InvalidEligibilityRequest if the request cannot be sent."""
    request.validate()
    _check_x12_characters(request)
    control_number = control_number or new_control_number()
    # Envelope times are local wall-clock time; a naive `now` is taken as already local.
    now = now or timezone.now()
    now = timezone.localtime(now) if timezone.is_aware(now) else now
    service_date = request.date_of_service or now.date()
    originator = envelope.originator_id or ("9" + request.provider_npi[:9])

    body: list[str] = []

    def add(*elements: str) -> None:
        body.append(segment(*elements))

    add("ST", "270", "0001", IMPLEMENTATION)
    add("BHT", "0022", "13", clean(request.trace_number, 50), _d8(now), now.strftime("%H%M"))
    add("HL", "1", "", "20", "1")
    add("NM1", "PR", "2", clean(request.payer_name, 60), "", "", "", "", "PI", clean(request.payer_id, 80))
    add("HL", "2", "1", "21", "1")
    add("NM1", "1P", "2", clean(request.provider_name, 60), "", "", "", "", "XX", request.provider_npi)
    dependent = request.dependent
    add("HL", "3", "2", "22", "1" if dependent else "0")
    trace = ("TRN", "1", clean(request.trace_number, 50), clean(originator, 10))
    if not dependent:
        add(*trace)
    add(
        "NM1",
        "IL",
        "1",
        clean(request.subscriber_last_name, 60),
        clean(request.subscriber_first_name, 35),
        "",
        "",
        "",
        "MI",
        _member_id(request.member_id),
    )
    if request.group_number.strip():
        add("REF", "6P", clean(request.group_number, 50).replace(" ", ""))
    if request.subscriber_date_of_birth:
        add("DMG", "D8", _d8(request.subscriber_date_of_birth))
    # One EQ loop: one service type per 270 (records.EligibilityRequest.service_type).
    inquiry = ("EQ", request.service_type)
    if not dependent:
        add("DTP", "291", "D8", _d8(service_date))
        add(*inquiry)
    else:
        add("HL", "4", "3", "23", "0")
        add(*trace)
        add("NM1", "03", "1", clean(dependent.last_name, 60), clean(dependent.first_name, 35))
        add("INS", "N", dependent.relationship_code)
        add("DMG", "D8", _d8(dependent.date_of_birth))
        add("DTP", "291", "D8", _d8(service_date))
        add(*inquiry)
    body.append(segment("SE", str(len(body) + 1), "0001"))
    return interchange(
        body,
        functional_id="HS",
        version=IMPLEMENTATION,
        sender=(envelope.sender_qualifier, envelope.sender_id),
        receiver=(envelope.receiver_qualifier, envelope.receiver_id),
        control_number=control_number,
        now=now,
        usage=envelope.usage,
    )
