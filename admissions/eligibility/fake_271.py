"""Deterministic payer answers for demos and tests, chosen by the member ID.

The member ID starting or ending with one of these words (any case) picks the
scenario; anything else is an active PPO.

    member ID contains   scenario        what comes back
    -----------------    -------------   ------------------------------------------------------------
    INACTIVE             inactive        271 with EB*6 (coverage ended last 31 December)
    NOTFOUND             not_found       271 with AAA*N**75*C at 2100C (subscriber not found)
    BADID                bad_member_id   271 with AAA*N**72*C at 2100C (invalid member ID)
    BADDOB               dob_mismatch    271 with AAA*N**71*C at 2100C (date of birth does not match)
    CARVEOUT             carved_out      active medical; MH/AI/CJ managed by MAGELLAN HEALTHCARE (2120 loop);
                                         asked of Magellan's own payer ID (01260, the re-check), an active
                                         behavioural-health plan: $1,500 deductible ($600 met), 20%, auth
    PAYERDOWN            payer_down      271 with AAA*Y**42*R at 2100A (payer unable to respond; retryable)
    TIMEOUT              timeout         no 271: the fake backend raises EligibilityTimeout (retryable)
    PENDING              pending         REST fake clearinghouse only: 202 twice, then the active answer
    anything else        active          active PPO: in/out-of-network deductible and out-of-pocket,
                                         coinsurance, copays, prior authorization for AI and CJ, a MSG

e.g. "W123456789" is active, "NOTFOUND-1" is not found, "W1234-CARVEOUT" is carved out.
Each 270 asks one service type; the fake answers every one with the same plan.
The fake backend builds the real 270, answers with one of these 271s and parses
it with the real parser, so a demo exercises the whole X12 path.
"""

from datetime import date, datetime

from .records import EligibilityRequest
from .x12_text import clean, interchange, segment

ACTIVE = "active"
INACTIVE = "inactive"
NOT_FOUND = "not_found"
BAD_MEMBER_ID = "bad_member_id"
DOB_MISMATCH = "dob_mismatch"
CARVED_OUT = "carved_out"
PAYER_DOWN = "payer_down"
TIMEOUT = "timeout"
PENDING = "pending"
# The carve-out administrator's own answer (CARVEOUT member asked of CARVE_OUT_ADMINISTRATOR_ID).
BEHAVIOURAL = "behavioural"

# Order matters: INACTIVE before anything that could match inside it.
KEYWORDS = (
    ("INACTIVE", INACTIVE),
    ("NOTFOUND", NOT_FOUND),
    ("BADID", BAD_MEMBER_ID),
    ("BADDOB", DOB_MISMATCH),
    ("CARVEOUT", CARVED_OUT),
    ("PAYERDOWN", PAYER_DOWN),
    ("TIMEOUT", TIMEOUT),
    ("PENDING", PENDING),
)

CARVE_OUT_ADMINISTRATOR = "MAGELLAN HEALTHCARE"
CARVE_OUT_PHONE = "8005550199"
# Magellan's ID in the payer directory (payers.py), sent in the 2120 NM109 of the carve-out.
CARVE_OUT_ADMINISTRATOR_ID = "01260"
BEHAVIOURAL_PLAN_NAME = "MAGELLAN BEHAVIORAL PPO"
PLAN_NAME = "GOLD PPO 1500"
ORIGINATOR = "9FAKEPAYER"


def scenario_for(member_id: str) -> str:
    value = (member_id or "").strip().upper()
    for keyword, scenario in KEYWORDS:
        if value.startswith(keyword) or value.endswith(keyword):
            return scenario
    return ACTIVE


def scenario_for_request(request: EligibilityRequest) -> str:
    """The scenario of this inquiry: by member ID, except that the carve-out administrator
    answers a carved-out member with the behavioural-health plan it administers."""
    scenario = scenario_for(request.member_id)
    if scenario == CARVED_OUT and request.payer_id.strip() == CARVE_OUT_ADMINISTRATOR_ID:
        return BEHAVIOURAL
    return scenario


def _eb(
    info,
    level="",
    types="",
    insurance="",
    description="",
    period="",
    amount="",
    percent="",
    auth="",
    network="",
):
    return segment(
        "EB", info, level, types, insurance, description, period, amount, percent, "", "", auth, network
    )


def _behavioural_benefits() -> list[str]:
    """What the carve-out administrator says about the behavioural-health plan it runs."""
    return [
        _eb("1", "IND", "MH^AI^CJ", "PR", BEHAVIOURAL_PLAN_NAME, auth="Y", network="Y"),
        _eb("C", "IND", "MH^AI^CJ", period="23", amount="1500", network="Y"),
        _eb("C", "IND", "MH^AI^CJ", period="29", amount="900", network="Y"),
        _eb("C", "FAM", "MH^AI^CJ", period="23", amount="3000", network="Y"),
        _eb("C", "FAM", "MH^AI^CJ", period="29", amount="2100", network="Y"),
        _eb("G", "IND", "MH^AI^CJ", period="23", amount="5000", network="Y"),
        _eb("G", "IND", "MH^AI^CJ", period="29", amount="4200", network="Y"),
        _eb("C", "IND", "MH^AI^CJ", period="23", amount="4000", network="N"),
        _eb("C", "IND", "MH^AI^CJ", period="29", amount="4000", network="N"),
        _eb("A", "IND", "MH^AI^CJ", percent=".2", network="Y"),
        _eb("A", "IND", "MH^AI^CJ", percent=".5", network="N"),
        _eb("B", "IND", "CF", period="27", amount="25", network="Y"),
        segment("MSG", "PRIOR AUTHORIZATION AND CONCURRENT REVIEW BY MAGELLAN UM 8005550199"),
    ]


def _active_benefits(carved_out: bool) -> list[str]:
    lines = [
        _eb("1", "FAM", "30", "PR", PLAN_NAME),
        _eb("C", "IND", "30", period="23", amount="1500", network="Y"),
        _eb("C", "IND", "30", period="29", amount="1100", network="Y"),
        _eb("C", "FAM", "30", period="23", amount="3000", network="Y"),
        _eb("C", "FAM", "30", period="29", amount="2600", network="Y"),
        _eb("C", "IND", "30", period="23", amount="3000", network="N"),
        _eb("C", "IND", "30", period="29", amount="3000", network="N"),
        _eb("G", "IND", "30", period="23", amount="6000", network="Y"),
        _eb("G", "IND", "30", period="29", amount="5200", network="Y"),
        _eb("G", "IND", "30", period="23", amount="12000", network="N"),
        _eb("G", "IND", "30", period="29", amount="12000", network="N"),
        _eb("A", "IND", "30", percent=".2", network="Y"),
        _eb("A", "IND", "30", percent=".4", network="N"),
        _eb("B", "IND", "98", period="27", amount="30", network="Y"),
    ]
    if carved_out:
        lines += [
            _eb("U", "", "MH^AI^CJ"),
            segment("MSG", "BEHAVIORAL HEALTH BENEFITS ADMINISTERED BY MAGELLAN"),
            segment("LS", "2120"),
            segment("NM1", "PR", "2", CARVE_OUT_ADMINISTRATOR, "", "", "", "", "PI", "01260"),
            segment("PER", "IC", "", "TE", CARVE_OUT_PHONE),
            segment("LE", "2120"),
        ]
    else:
        lines += [
            _eb("1", "IND", "AI^CJ^MH", auth="Y", network="Y"),
            _eb("B", "IND", "CJ", period="27", amount="0", network="Y"),
            segment("MSG", "PRIOR AUTHORIZATION REQUIRED FOR SUBSTANCE USE TREATMENT"),
        ]
    return lines


def synthesize_271(
    request: EligibilityRequest, scenario: str, *, control_number: int = 1, now: datetime | None = None
) -> str:
    """The 271 a payer would send for this request in this scenario."""
    now = now or datetime.now()
    service_date = request.date_of_service or now.date()
    year_start, last_year_end = date(service_date.year, 1, 1), date(service_date.year - 1, 12, 31)
    trace = segment("TRN", "2", clean(request.trace_number, 50), ORIGINATOR)
    body = [
        segment("ST", "271", "0001", "005010X279A1"),
        segment(
            "BHT", "0022", "11", clean(request.trace_number, 50), now.strftime("%Y%m%d"), now.strftime("%H%M")
        ),
    ]
    dependent = request.dependent
    if scenario == PAYER_DOWN:
        body += [
            segment("HL", "1", "", "20", "0"),
            segment(
                "NM1",
                "PR",
                "2",
                clean(request.payer_name, 60),
                "",
                "",
                "",
                "",
                "PI",
                clean(request.payer_id, 80),
            ),
            segment("AAA", "Y", "", "42", "R"),
        ]
    else:
        body += [
            segment("HL", "1", "", "20", "1"),
            segment(
                "NM1",
                "PR",
                "2",
                clean(request.payer_name, 60),
                "",
                "",
                "",
                "",
                "PI",
                clean(request.payer_id, 80),
            ),
            segment("HL", "2", "1", "21", "1"),
            segment(
                "NM1", "1P", "2", clean(request.provider_name, 60), "", "", "", "", "XX", request.provider_npi
            ),
            segment("HL", "3", "2", "22", "1" if dependent else "0"),
        ]
        if not dependent:
            body.append(trace)
        body.append(
            segment(
                "NM1",
                "IL",
                "1",
                clean(request.subscriber_last_name, 60),
                clean(request.subscriber_first_name, 35),
                "",
                "",
                "",
                "MI",
                clean(request.member_id, 80).replace(" ", ""),
            )
        )
        rejection = {NOT_FOUND: "75", BAD_MEMBER_ID: "72", DOB_MISMATCH: "71"}.get(scenario)
        if rejection:
            body.append(segment("AAA", "N", "", rejection, "C"))
        else:
            body.append(
                segment("REF", "6P", clean(request.group_number, 50) or "100200", "SHEER DEMO EMPLOYER")
            )
            if request.subscriber_date_of_birth:
                body.append(segment("DMG", "D8", request.subscriber_date_of_birth.strftime("%Y%m%d")))
            if scenario == INACTIVE:
                body.append(segment("DTP", "347", "D8", last_year_end.strftime("%Y%m%d")))
            else:
                body.append(segment("DTP", "346", "D8", year_start.strftime("%Y%m%d")))
            if dependent:
                body += [
                    segment("HL", "4", "3", "23", "0"),
                    trace,
                    segment(
                        "NM1", "03", "1", clean(dependent.last_name, 60), clean(dependent.first_name, 35)
                    ),
                    segment("INS", "N", dependent.relationship_code),
                    segment("DMG", "D8", dependent.date_of_birth.strftime("%Y%m%d")),
                    segment("DTP", "346", "D8", year_start.strftime("%Y%m%d")),
                ]
            if scenario == INACTIVE:
                body.append(_eb("6", "", "30"))
            elif scenario == BEHAVIOURAL:
                body += _behavioural_benefits()
            else:
                body += _active_benefits(carved_out=scenario == CARVED_OUT)
    body.append(segment("SE", str(len(body) + 1), "0001"))
    return interchange(
        body,
        functional_id="HB",
        version="005010X279A1",
        sender=("ZZ", "FAKEPAYER"),
        receiver=("ZZ", "SHEERRECOVERY"),
        control_number=control_number,
        now=now,
    )
