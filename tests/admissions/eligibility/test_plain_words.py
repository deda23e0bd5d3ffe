"""What a coordinator reads: one summary per status, no codes-only answers, no number formats to puzzle over."""

from decimal import Decimal

from admissions.eligibility import EligibilityResult, Status
from admissions.eligibility.plain_words import describe
from admissions.eligibility.records import Rejection
from admissions.eligibility.x12_271 import parse_271

from .conftest import fixture_text


def test_active_summary_lists_everything_a_coordinator_quotes_from():
    words = describe(parse_271(fixture_text("active_ppo_in_out_network.271"), trace_number="TRACE-ACTIVE-1"))
    assert words.splitlines() == [
        "Coverage is ACTIVE with CIGNA.",
        "Plan: OPEN ACCESS PLUS (PPO), group 3340012 (ACME WIDGETS INC).",
        "Coverage dates: Jan 1, 2025 to Dec 31, 2025.",
        "In network deductible: individual $2,000.00, $749.50 met, $1,250.50 left; "
        "family $4,000.00, $900.00 met, $3,100.00 left.",
        "Out of network deductible: individual $5,000.00, $0.00 met, $5,000.00 left.",
        "In network out-of-pocket maximum: individual $7,000.00, $900.00 met, $6,100.00 left; family $14,000.00.",
        "Out of network out-of-pocket maximum: individual $15,000.00.",
        "Coinsurance (patient's share): in network 10%, out of network 50%.",
        "Copays: Office visit $25.00 (in network); Mental health provider, outpatient $40.00 (in network).",
        "Prior authorization REQUIRED for: Mental health (MH), Substance use treatment (AI), "
        "Substance use facility, inpatient (CI), Substance use facility, outpatient (CJ).",
        "Payer messages: PRIOR AUTHORIZATION REQUIRED FOR INPATIENT AND RESIDENTIAL / CALL 800-555-0142 FOR AUTHORIZATION",
        "This is what the payer's system returned; confirm benefits with the payer before quoting them.",
    ]


def test_carve_out_summary_names_who_to_call():
    words = describe(parse_271(fixture_text("carve_out_behavioural.271"), trace_number="TRACE-CARVE"))
    assert (
        "CARVED OUT: behavioural health (Mental health; Psychiatric, outpatient; Substance use treatment; "
        "Substance use facility, outpatient) is managed by CARELON BEHAVIORAL HEALTH, phone (800) 555-0123."
    ) in words


def test_fractional_coinsurance_is_written_plainly():
    result = EligibilityResult(status=Status.ACTIVE, payer_name="AETNA")
    result.coinsurance.in_network = Decimal("12.5")
    result.coinsurance.out_of_network = Decimal("20")
    assert "in network 12.5%, out of network 20%" in describe(result)
    parsed = parse_271(fixture_text("repeated_components.271"), trace_number="TRACE-REPEAT")
    assert "E+" not in describe(parsed) and "in network 20%, out of network 35%" in describe(parsed)


def test_every_status_has_words_and_a_label():
    for status in Status:
        result = EligibilityResult(status=status, error_reason="payer unable to respond (AAA 42)")
        assert describe(result).strip()
        assert status.label


def test_unknown_reject_code_still_gives_advice():
    result = EligibilityResult(status=Status.REJECTED, rejections=[Rejection(code="ZZ", loop="2100C")])
    words = describe(result)
    assert "AAA ZZ" in words and "Verify benefits by phone" in words


def test_error_words_say_whether_it_will_be_retried():
    retry = EligibilityResult(
        status=Status.ERROR, error_reason="clearinghouse answered HTTP 503", retryable=True
    )
    final = EligibilityResult(
        status=Status.ERROR, error_reason="clearinghouse rejected the request (HTTP 400)"
    )
    assert "retried automatically" in describe(retry)
    assert "calling the payer" in describe(final)
