"""Issue 11: one service type per 270, in the payer directory's order; the
answers folded into one; and the inquiry for a carve-out's administrator."""

from dataclasses import replace
from decimal import Decimal

from admissions.eligibility import Status, payers
from admissions.eligibility.backends import FakeBackend
from admissions.eligibility.inquiries import carve_out_request, check_each_service_type, inquiries
from admissions.eligibility.prefill import electronic_figures
from admissions.eligibility.x12_271 import parse_271
from admissions.eligibility.x12_text import split_segments

from .conftest import fixture_text, make_request


def service_types_sent(request_sent: str) -> list[list[str]]:
    """The EQ service types of each 270 in a check's stored request_sent."""
    sent = []
    for interchange in request_sent.split("\n"):
        _, segments = split_segments(interchange)
        sent.append([s[1] for s in segments if s[0] == "EQ"])
    return sent


def test_each_service_type_goes_in_its_own_270_in_order():
    result = check_each_service_type(make_request(), ("MH", "AI", "CJ"), backend=FakeBackend())
    assert service_types_sent(result.request_sent) == [["MH"], ["AI"], ["CJ"]]
    assert result.service_types == ["MH", "AI", "CJ"] and result.status == Status.ACTIVE
    assert result.trace_number == "TRACE0001"
    # The same plan three times: its lines are not repeated.
    assert len(result.copays) == len(set(result.copays)) and len(result.benefits) == len(set(result.benefits))


def test_trace_numbers_tell_the_inquiries_of_one_check_apart():
    traces = [r.trace_number for r in inquiries(make_request(), ("MH", "AI", "MH", ""))]
    assert traces == ["TRACE0001", "TRACE0001-AI"]
    assert [r.service_type for r in inquiries(make_request(), ())] == ["MH"]


def test_nothing_more_is_asked_once_the_first_answer_is_not_active_coverage():
    result = check_each_service_type(
        make_request(member_id="NOTFOUND-3"), ("MH", "AI", "CJ"), backend=FakeBackend()
    )
    assert result.status == Status.REJECTED
    assert service_types_sent(result.request_sent) == [["MH"]]


def test_a_later_service_type_the_payer_does_not_answer_is_named():
    answers = iter(["W1", "NOTFOUND-9"])

    def ask(inquiry):
        return FakeBackend().check(replace(inquiry, member_id=next(answers)))

    result = check_each_service_type(make_request(), ("MH", "AI"), ask=ask)
    assert result.status == Status.ACTIVE and result.unanswered_service_types == ["AI"]


def test_the_directory_asks_mh_first_and_substance_use_codes_only_where_listed():
    assert all(payer.service_types[0] == "MH" for payer in payers.PAYERS)
    assert payers.get("aetna").service_types == ("MH",)
    assert payers.get("magellan").service_types == ("MH", "AI", "CJ")


def test_a_carve_out_to_a_known_administrator_gives_its_inquiry():
    request = make_request(member_id="W1-CARVEOUT")
    result = check_each_service_type(request, ("MH",), backend=FakeBackend())
    assert result.status == Status.CARVED_OUT
    found = carve_out_request(request, result, clearinghouse="stedi", trace_number="T-CO")
    assert found is not None
    inquiry, payer = found
    assert (inquiry.payer_id, inquiry.payer_name, inquiry.trace_number) == (
        "01260",
        "Magellan Healthcare",
        "T-CO",
    )
    assert inquiry.member_id == request.member_id and payer.key == "magellan"


def test_no_carve_out_inquiry_for_an_unknown_administrator_its_own_payer_or_an_active_plan():
    result = parse_271(fixture_text("carve_out_behavioural.271"), trace_number="TRACE-CARVE")
    assert result.status == Status.CARVED_OUT
    unknown = replace(
        result, carve_out=replace(result.carve_out, administrator_name="ACME BH", administrator_id="X9")
    )
    assert carve_out_request(make_request(), unknown, clearinghouse="stedi", trace_number="T") is None
    # UnitedHealthcare naming Optum under its own payer ID: asking again would say the same.
    optum = replace(
        result, carve_out=replace(result.carve_out, administrator_name="OPTUM", administrator_id="87726")
    )
    assert (
        carve_out_request(make_request(payer_id="87726"), optum, clearinghouse="stedi", trace_number="T")
        is None
    )
    active = check_each_service_type(make_request(), ("MH",), backend=FakeBackend())
    assert carve_out_request(make_request(), active, clearinghouse="stedi", trace_number="T") is None


def test_the_administrators_answer_gives_the_benefits_figures():
    request = make_request(member_id="W1-CARVEOUT")
    plan = check_each_service_type(request, ("MH",), backend=FakeBackend())
    inquiry, payer = carve_out_request(request, plan, clearinghouse="stedi", trace_number="T-CO")
    administrator = check_each_service_type(inquiry, payer.service_types, backend=FakeBackend())
    assert administrator.status == Status.ACTIVE
    figures = electronic_figures(plan, administrator)
    assert figures["deductible_individual"] == Decimal("1500")
    assert figures["deductible_individual_met"] == Decimal("600")
    assert figures["iop_coinsurance"] == Decimal("20") and figures["out_of_network_coinsurance"] == Decimal(
        "50"
    )
    assert figures["op_copay"] == Decimal("25") and figures["iop_authorization"] == "required"
    assert (figures["review_by"], figures["review_phone"]) == ("MAGELLAN HEALTHCARE", "8005550199")
    # Without the administrator's answer, the plan's own (medical) figures.
    assert electronic_figures(plan)["deductible_individual_met"] == Decimal("400")
    assert electronic_figures(None) == {}
