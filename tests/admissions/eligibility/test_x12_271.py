"""The 271 parser on hand-made fixtures, and on broken input that must end as an ERROR result."""

import logging
from datetime import date
from decimal import Decimal

import pytest

from admissions.eligibility import EligibilityResult, Status
from admissions.eligibility.plain_words import describe
from admissions.eligibility.x12_271 import parse_271

from .conftest import fixture_text


def parse(name: str, trace: str = "") -> EligibilityResult:
    return parse_271(fixture_text(name), trace_number=trace)


def test_active_plan_with_network_split_deductibles_and_out_of_pocket():
    result = parse("active_ppo_in_out_network.271", "TRACE-ACTIVE-1")
    assert result.status == Status.ACTIVE and result.coverage_active
    assert (result.payer_name, result.plan_name, result.insurance_type) == (
        "CIGNA",
        "OPEN ACCESS PLUS",
        "PPO",
    )
    assert (result.group_number, result.group_name) == ("3340012", "ACME WIDGETS INC")
    assert (result.coverage_begin, result.coverage_end) == (date(2025, 1, 1), date(2025, 12, 31))

    ded = result.deductible
    assert (ded.in_network.individual.total, ded.in_network.individual.remaining) == (
        Decimal(2000),
        Decimal("1250.5"),
    )
    assert ded.in_network.individual.met == Decimal("749.5")
    # Family sent as total and year-to-date met (EB06 24): what is left is worked out.
    assert (ded.in_network.family.total, ded.in_network.family.met) == (Decimal(4000), Decimal(900))
    assert ded.in_network.family.remaining == Decimal(3100)
    assert (ded.out_of_network.individual.total, ded.out_of_network.individual.remaining) == (5000, 5000)
    assert not ded.network_not_stated.known

    oop = result.out_of_pocket
    assert (oop.in_network.individual.total, oop.in_network.individual.remaining) == (7000, 6100)
    assert oop.in_network.family.total == 14000 and oop.in_network.family.remaining is None
    assert oop.out_of_network.individual.total == 15000

    assert (result.coinsurance.in_network, result.coinsurance.out_of_network) == (Decimal(10), Decimal(50))
    assert [(c.service_type, c.amount, c.network) for c in result.copays] == [
        ("98", Decimal(25), "in"),
        ("CF", Decimal(40), "in"),
    ]
    assert result.prior_authorization == {"MH": True, "AI": True, "CI": True, "CJ": True}
    assert result.messages == [
        "PRIOR AUTHORIZATION REQUIRED FOR INPATIENT AND RESIDENTIAL",
        "CALL 800-555-0142 FOR AUTHORIZATION",
    ]
    assert result.carve_out is None and result.rejections == [] and not result.retryable
    assert len(result.benefits) == 17
    assert result.raw_271 == fixture_text("active_ppo_in_out_network.271")


def test_inactive_coverage_with_an_eligibility_date_range():
    result = parse("inactive.271", "TRACE-INACTIVE-1")
    assert result.status == Status.INACTIVE and not result.coverage_active
    assert (result.coverage_begin, result.coverage_end) == (date(2023, 1, 1), date(2024, 12, 31))
    assert result.messages == ["COVERAGE TERMINATED - CONTACT MEMBER FOR NEW INSURANCE"]
    assert not result.deductible.in_network.known
    assert "NOT ACTIVE" in describe(result)


@pytest.mark.parametrize(
    ("name", "codes", "loop", "fix"),
    [
        ("reject_72_invalid_member_id.271", ["72"], "2100C", "front of the insurance card"),
        (
            "reject_75_subscriber_not_found.271",
            ["75", "73"],
            "2100C",
            "policy holder's details as the subscriber",
        ),
        ("reject_43_provider.271", ["43"], "2100B", "ELIGIBILITY_PROVIDER_NPI"),
        ("reject_79_payer_id.271", ["79"], "2100A", "payer directory"),
        ("dependent_not_found_77.271", ["77"], "2100D", "their own member ID"),
    ],
)
def test_rejections_at_each_loop_say_what_to_fix(name, codes, loop, fix):
    result = parse(name)
    assert result.status == Status.REJECTED
    assert [r.code for r in result.rejections] == codes
    assert {r.loop for r in result.rejections} == {loop}
    assert not result.retryable and result.final
    words = describe(result)
    assert fix in words
    assert f"AAA {codes[0]}" in words


def test_payer_unable_to_respond_is_a_retryable_error_not_a_rejection():
    result = parse("payer_unavailable_42.271")
    assert result.status == Status.ERROR and result.retryable and not result.final
    assert [(r.code, r.loop, r.follow_up) for r in result.rejections] == [("42", "2100A", "R")]
    assert "retried automatically" in describe(result)


def test_behavioural_health_carved_out_to_a_named_administrator():
    result = parse("carve_out_behavioural.271", "TRACE-CARVE")
    assert result.status == Status.CARVED_OUT and result.coverage_active
    carve = result.carve_out
    assert (carve.administrator_name, carve.phone, carve.administrator_id) == (
        "CARELON BEHAVIORAL HEALTH",
        "8005550123",
        "43324",
    )
    assert carve.service_types == ("MH", "A8", "AI", "CJ")
    # The primary care physician's 2120 loop is not an administrator.
    assert "NGUYEN" not in carve.administrator_name
    assert (result.coverage_begin, result.coverage_end) == (date(2025, 1, 1), date(2025, 12, 31))
    assert result.deductible.network_not_stated.individual.total == 500  # EB12 W: network not stated
    assert "(800) 555-0123" in describe(result)


def test_carve_out_named_on_an_active_behavioural_line():
    result = parse("carve_out_vendor_on_active_line.271", "TRACE-VENDOR")
    assert result.status == Status.CARVED_OUT
    assert (result.carve_out.administrator_name, result.carve_out.phone) == (
        "OPTUM BEHAVIORAL HEALTH",
        "8665550111",
    )
    assert result.carve_out.service_types == ("MH",)


def test_delimiters_come_from_the_isa_not_from_assumptions():
    # Element |, repetition {, component >, segment terminator a bare line feed;
    # the data holds *, ~ and ^, which are ordinary characters here.
    result = parse("unusual_delimiters.271", "TRACE-PIPES")
    assert result.status == Status.ACTIVE
    assert (result.plan_name, result.insurance_type, result.group_number) == ("TRIO PPO", "POS", "W0051")
    assert result.deductible.in_network.individual.total == 750
    assert result.deductible.in_network.individual.remaining == 0
    assert [(c.service_type, c.amount) for c in result.copays] == [("MH", 20), ("AI", 20)]
    assert result.messages == ["COPAY ~$20 * PER VISIT ^ ASK ABOUT IOP"]
    assert result.benefits[0].service_types == ("30", "MH", "AI")
    assert result.coverage_begin == date(2025, 2, 1)


def test_repeated_components_crlf_and_service_level_rejections():
    result = parse("repeated_components.271", "TRACE-REPEAT")
    assert result.status == Status.ACTIVE
    assert result.benefits[0].service_types == ("30", "MH", "AI", "CJ", "A8", "CF")
    # REF*18 names the plan when no EB05 does.
    assert result.plan_name == "CIGNA LOCALPLUS"
    assert (result.coinsurance.in_network, result.coinsurance.out_of_network) == (Decimal(20), Decimal(35))
    assert result.deductible.network_not_stated.individual.met == 600
    # "N" on one line and "Y" on another for CJ: required wins; "U" for A8 records nothing.
    assert result.prior_authorization == {"AI": False, "CJ": True, "CI": True}
    # An AAA inside a 2110C loop is about that service type, not the coverage.
    assert [(r.code, r.loop) for r in result.rejections] == [("53", "2110C")]
    assert result.messages == ["RESIDENTIAL TREATMENT: CALL FOR BENEFITS"]


def test_dependent_patient_is_read_from_2100d_and_2110d():
    result = parse("dependent_active.271", "TRACE-DEP")
    assert result.status == Status.ACTIVE and result.patient_is_dependent
    assert result.plan_name == "AETNA CHOICE POS II"
    # The dependent's own date wins over the subscriber's; the group comes from the subscriber.
    assert result.coverage_begin == date(2025, 1, 1)
    assert (result.group_number, result.group_name) == ("551122", "COUNTY OF ORANGE")
    assert result.out_of_pocket.in_network.family.remaining == Decimal("8800.25")
    assert result.out_of_pocket.in_network.family.met == Decimal("199.75")
    assert result.prior_authorization == {"AI": True, "MH": True}
    assert "dependent" in describe(result)


def test_the_member_answered_is_the_one_with_our_trace_number():
    assert parse("two_subscribers_trace.271", "TRACE-SECOND").status == Status.ACTIVE
    assert parse("two_subscribers_trace.271", "TRACE-FIRST").status == Status.INACTIVE
    other = parse("two_subscribers_trace.271", "TRACE-SOMEONE-ELSE")
    assert other.status == Status.ERROR and "trace number" in other.error_reason


def test_trace_check_can_be_turned_off_for_apis_that_set_their_own():
    result = parse_271(fixture_text("two_subscribers_trace.271"), trace_number="OURS", match_trace=False)
    assert result.status == Status.INACTIVE and result.trace_number == "OURS"


@pytest.mark.parametrize(
    ("name", "reason", "retryable"),
    [
        ("ack_999_rejected.x12", "rejected the 270 as invalid (999)", False),
        ("ta1_rejected.x12", "rejected the interchange envelope (TA1 note 006)", False),
    ],
)
def test_acknowledgments_instead_of_a_271(name, reason, retryable):
    result = parse(name)
    assert result.status == Status.ERROR and reason in result.error_reason
    assert result.retryable is retryable


GOOD = fixture_text("active_ppo_in_out_network.271")

MALFORMED = {
    "empty": "",
    "not x12": "hello, this is not an interchange at all" * 5,
    "json": '{"x12": null, "status": "complete"}' + " " * 120,
    "binary": "\x00\xff\x10" * 60,
    "truncated after the EB loops": GOOD[: GOOD.index("SE*")],
    "truncated mid-envelope": GOOD[:300],
    "isa too short": "ISA*00*",
    "alphanumeric element separator": "ISAX00X" + "X" * 120,
    "wrong segment count": GOOD.replace("SE*36*0001", "SE*35*0001"),
    "a 270 instead of a 271": GOOD.replace("ST*271*", "ST*270*"),
    "non-numeric amount": GOOD.replace("*23*2000*", "*23*2,000.00*"),
    "infinite amount": GOOD.replace("*23*2000*", "*23*Infinity*"),
    "bad date": GOOD.replace("DTP*346*D8*20250101", "DTP*346*D8*20250230"),
    "unknown date format": GOOD.replace("DTP*346*D8*", "DTP*346*XX*"),
    "unknown HL level": GOOD.replace("HL*3*2*22*0", "HL*3*2*99*0"),
    "EB before any member": GOOD.replace("HL*3*2*22*0~", "EB*1**30~HL*3*2*22*0~"),
    "dependent without subscriber": GOOD.replace("HL*3*2*22*0", "HL*3*2*23*0").replace("NM1*IL", "NM1*IL"),
    "no benefits and no rejection": GOOD[: GOOD.index("EB*")] + "SE*17*0001~GE*1*101~IEA*1*000000101~",
    "duplicate delimiters": GOOD.replace("*P*:~", "*P***", 1),
    "segment after the transaction": GOOD.replace("GE*1*101~", "EB*1**30~GE*1*101~"),
    "LS without EB": GOOD.replace("DTP*346*D8*20250101~", "LS*2120~"),
    "too large": "ISA" + "*" * (3 * 1024 * 1024),
}


# What each case must be recognised as (so a case cannot pass by failing somewhere unintended).
EXPECTED_REASON = {
    "empty": "does not start with an ISA",
    "not x12": "does not start with an ISA",
    "json": "does not start with an ISA",
    "binary": "does not start with an ISA",
    "truncated after the EB loops": "truncated",
    "truncated mid-envelope": "truncated",
    "isa too short": "does not start with an ISA",
    "alphanumeric element separator": "element separator",
    "wrong segment count": "SE segment count does not match the 36 segments",
    "a 270 instead of a 271": "not a 271",
    "non-numeric amount": "EB07 is not a number",
    "infinite amount": "EB07 is not a number",
    "bad date": "DTP*346 is not a CCYYMMDD date",
    "unknown date format": "unknown date format",
    "unknown HL level": "unknown HL level",
    "EB before any member": "EB outside a subscriber",
    "dependent without subscriber": "dependent HL without a subscriber",
    "no benefits and no rejection": "neither benefits nor a rejection",
    "duplicate delimiters": "not distinct",
    "segment after the transaction": "outside a transaction",
    "LS without EB": "LS outside an EB loop",
    "too large": "too large",
}


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_input_is_an_error_result_never_an_exception(case, caplog):
    caplog.set_level(logging.DEBUG, logger="admissions.eligibility")
    result = parse_271(MALFORMED[case], trace_number="TRACE-ACTIVE-1")
    assert result.status == Status.ERROR
    assert result.error_reason.startswith("malformed 271: ")
    assert EXPECTED_REASON[case] in result.error_reason
    # A truncated or garbled answer may come right on a second try.
    assert result.retryable
    assert result.trace_number == "TRACE-ACTIVE-1"
    # Neither the reason nor the log repeats the patient's details.
    for value in ("RIVERA", "ANA", "U99887766", "19880214"):
        assert value not in result.error_reason
        assert value not in caplog.text


def test_a_parser_bug_is_contained(monkeypatch, caplog):
    def explode(*args):
        raise KeyError("RIVERA U99887766")  # as if an internal error quoted a value

    monkeypatch.setattr("admissions.eligibility.x12_271._interpret", explode)
    result = parse_271(GOOD, trace_number="TRACE-ACTIVE-1")
    assert result.status == Status.ERROR and result.error_reason == "could not read the 271 (KeyError)"
    assert "RIVERA" not in caplog.text and "U99887766" not in caplog.text


def test_results_round_trip_through_their_stored_form():
    for name in (
        "active_ppo_in_out_network.271",
        "carve_out_behavioural.271",
        "reject_75_subscriber_not_found.271",
    ):
        result = parse(name)
        again = EligibilityResult.from_dict(result.to_dict())
        assert again == result
        assert describe(again) == describe(result)


def test_result_repr_shows_status_and_trace_only():
    text = repr(parse("active_ppo_in_out_network.271", "TRACE-ACTIVE-1"))
    assert "TRACE-ACTIVE-1" in text and "active" in text
    for value in ("RIVERA", "U99887766", "OPEN ACCESS PLUS", "3340012", "ACME"):
        assert value not in text
