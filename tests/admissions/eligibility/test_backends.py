"""The backend interface: settings, the manual and fake backends, the x12 backend over HTTP, check()'s guarantees."""

import logging
from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured

from admissions.eligibility import Dependent, EligibilityError, EligibilityTimeout, Status, check, get_backend
from admissions.eligibility.backends import FakeBackend, ManualBackend, X12Backend
from admissions.eligibility.fake_271 import scenario_for
from admissions.eligibility.plain_words import describe
from admissions.eligibility.rest import RestBackend

from .conftest import CANARY_DEP, CANARY_FIRST, CANARY_LAST, canary_request, make_request


def test_manual_is_the_default_and_checks_nothing(settings):
    del settings.ELIGIBILITY_BACKEND
    backend = get_backend()
    assert isinstance(backend, ManualBackend)
    result = check(make_request(member_id=""), backend)  # not even validated: nothing is sent
    assert (result.status, result.trace_number, result.backend) == (Status.MANUAL, "TRACE0001", "manual")
    assert "calling the payer" in describe(result)


def test_setting_chooses_the_backend_and_its_options(settings, clearinghouse):
    settings.ELIGIBILITY_BACKEND = "fake"
    assert isinstance(get_backend(), FakeBackend)
    settings.ELIGIBILITY_BACKEND = "x12"
    settings.ELIGIBILITY = clearinghouse.x12_options()
    assert isinstance(get_backend(), X12Backend)
    settings.ELIGIBILITY_BACKEND = "rest"
    settings.ELIGIBILITY = clearinghouse.rest_options()
    backend = get_backend()
    assert isinstance(backend, RestBackend) and backend.options["REST_URL"].endswith("/eligibility")


def test_base_settings_read_the_environment_names_documented_in_env_example():
    from pathlib import Path

    from django.conf import settings

    documented = (Path(settings.BASE_DIR) / ".env.example").read_text()
    for name in (
        "ELIGIBILITY_BACKEND",
        "ELIGIBILITY_PROVIDER_NPI",
        "ELIGIBILITY_PROVIDER_NAME",
        "ELIGIBILITY_REST_URL",
        "ELIGIBILITY_REST_CLIENT_ID",
        "ELIGIBILITY_REST_CLIENT_SECRET",
        "ELIGIBILITY_TIMEOUT",
    ):
        assert f"\n{name}=" in documented
    assert set(settings.ELIGIBILITY) >= {"PROVIDER_NPI", "PROVIDER_NAME", "REST_URL", "TIMEOUT"}


@pytest.mark.parametrize(
    ("name", "options", "message"),
    [
        ("nonsense", {}, "ELIGIBILITY_BACKEND must be one of"),
        ("x12", {}, "needs ELIGIBILITY_X12_URL"),
        ("rest", {"REST_URL": "http://127.0.0.1:1/e"}, "ELIGIBILITY_REST_TOKEN_URL"),
    ],
)
def test_misconfiguration_is_named(name, options, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        get_backend(name, options)


def test_misconfiguration_is_an_error_result_through_check(settings):
    settings.ELIGIBILITY_BACKEND = "rest"
    settings.ELIGIBILITY = {}
    result = check(make_request())
    assert result.status == Status.ERROR and not result.retryable
    assert result.error_reason.startswith("not configured:")


@pytest.mark.parametrize(
    ("member_id", "scenario"),
    [
        ("W123456789", "active"),
        ("inactive-77", "inactive"),
        ("W77-INACTIVE", "inactive"),
        ("NOTFOUND1", "not_found"),
        ("BADID", "bad_member_id"),
        ("baddob9", "dob_mismatch"),
        ("CARVEOUT", "carved_out"),
        ("X-PAYERDOWN", "payer_down"),
        ("TIMEOUT", "timeout"),
        ("PENDING1", "pending"),
        ("ACTIVE-INACTIVE-NO", "active"),  # the word must start or end the ID
    ],
)
def test_fake_scenario_table(member_id, scenario):
    assert scenario_for(member_id) == scenario


@pytest.mark.parametrize(
    ("member_id", "status", "codes", "retryable"),
    [
        ("W123456789", Status.ACTIVE, [], False),
        ("INACTIVE1", Status.INACTIVE, [], False),
        ("NOTFOUND1", Status.REJECTED, ["75"], False),
        ("BADID1", Status.REJECTED, ["72"], False),
        ("BADDOB1", Status.REJECTED, ["71"], False),
        ("CARVEOUT1", Status.CARVED_OUT, [], False),
        ("PAYERDOWN1", Status.ERROR, ["42"], True),
    ],
)
@pytest.mark.parametrize("with_dependent", [False, True])
def test_fake_backend_runs_the_real_x12_path(member_id, status, codes, retryable, with_dependent):
    request = make_request(
        member_id=member_id,
        dependent=Dependent("Kid", "Doe", date(2010, 2, 3), "19") if with_dependent else None,
    )
    result = check(request, FakeBackend())
    assert result.status == status
    assert [r.code for r in result.rejections] == codes
    assert result.retryable is retryable
    assert result.backend == "fake" and result.trace_number == "TRACE0001"
    # The 271 the fake payer sent and the 270 we sent are both kept, as for a real payer.
    assert result.raw_271.startswith("ISA*") and "ST*271*" in result.raw_271
    assert result.request_sent.startswith("ISA*") and "ST*270*" in result.request_sent
    assert f"MI*{member_id}~" in result.request_sent
    if status in (Status.ACTIVE, Status.CARVED_OUT):
        assert result.patient_is_dependent is with_dependent
        assert result.deductible.in_network.individual.remaining == 1100
        assert result.coverage_begin == date(2025, 1, 1)
    if status == Status.CARVED_OUT:
        assert result.carve_out.administrator_name == "MAGELLAN HEALTHCARE"
    if status == Status.ACTIVE:
        assert result.prior_authorization == {"AI": True, "CJ": True, "MH": True}


def test_fake_timeout_raises_from_the_backend_and_check_turns_it_into_a_retryable_error():
    request = make_request(member_id="TIMEOUT1")
    with pytest.raises(EligibilityTimeout) as caught:
        FakeBackend().check(request)
    assert caught.value.retryable
    result = check(request, FakeBackend())
    assert result.status == Status.ERROR and result.retryable
    assert result.error_reason == "the fake payer did not answer in time"


def test_fake_backend_uses_the_example_npi_only_when_none_is_set():
    assert FakeBackend().options["PROVIDER_NPI"] == "1234567893"
    assert FakeBackend({"PROVIDER_NPI": "1245319599"}).options["PROVIDER_NPI"] == "1245319599"


def test_provider_comes_from_settings_when_the_request_has_none():
    request = make_request(provider_npi="", provider_name="")
    prepared = FakeBackend({"PROVIDER_NPI": "1245319599", "PROVIDER_NAME": "Sheer Recovery LLC"}).prepare(
        request
    )
    assert (prepared.provider_npi, prepared.provider_name) == ("1245319599", "Sheer Recovery LLC")


def test_an_invalid_request_is_a_non_retryable_error_naming_fields(caplog):
    result = check(make_request(member_id="", subscriber_last_name=""), FakeBackend())
    assert result.status == Status.ERROR and not result.retryable
    assert (
        "member ID missing" in result.error_reason and "subscriber last name missing" in result.error_reason
    )


def test_check_never_raises_even_when_a_backend_has_a_bug(caplog):
    class Broken:
        name = "broken"

        def check(self, request):
            raise ValueError(f"invalid literal for int(): {request.member_id!r}")

    result = check(canary_request("CANARY-W1"), Broken())
    assert result.status == Status.ERROR and result.retryable
    assert result.error_reason == "internal error (ValueError)"
    assert "CANARY-W1" not in caplog.text


SCENARIOS = ["W1", "INACTIVE", "NOTFOUND", "BADID", "BADDOB", "CARVEOUT", "PAYERDOWN", "TIMEOUT"]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_no_patient_data_in_logs_or_reasons(scenario, caplog):
    caplog.set_level(logging.DEBUG)
    member_id = f"{scenario}CANARY77" if scenario != "W1" else "CANARY77"
    result = check(canary_request(member_id), FakeBackend())
    shown = caplog.text + result.error_reason + repr(result) + repr(canary_request(member_id))
    for value in (
        CANARY_FIRST.upper(),
        CANARY_FIRST,
        CANARY_LAST.upper(),
        CANARY_LAST,
        CANARY_DEP.upper(),
        "CANARY77",
    ):
        assert value not in shown
    assert "trace=TRACE0001" in caplog.text
    assert f"status={result.status}" in caplog.text


def test_x12_backend_over_http_against_the_local_fake(clearinghouse):
    backend = X12Backend(clearinghouse.x12_options())
    result = check(make_request(member_id="CARVEOUT-22"), backend)
    assert result.status == Status.CARVED_OUT and result.backend == "x12"
    # The fake clearinghouse read our 270 back to answer it: the names made the round trip.
    assert "NM1*IL*1*DOE*JANE****MI*CARVEOUT-22~" in result.raw_271
    assert clearinghouse.calls[-1] == ("POST", "/x12", 200)


@pytest.mark.parametrize(
    ("status", "retryable"), [(500, True), (503, True), (429, True), (400, False), (403, False)]
)
def test_x12_backend_http_failures(clearinghouse, status, retryable):
    clearinghouse.fail_next = [status]
    result = check(make_request(), X12Backend(clearinghouse.x12_options()))
    assert result.status == Status.ERROR and result.retryable is retryable
    assert str(status) in result.error_reason
    assert "ST*270*" in result.request_sent  # kept even when no answer came


def test_x12_backend_timeout_is_a_retryable_error(clearinghouse):
    result = check(make_request(member_id="TIMEOUT5"), X12Backend(clearinghouse.x12_options(TIMEOUT=0.2)))
    assert result.status == Status.ERROR and result.retryable
    assert result.error_reason == "the clearinghouse did not answer in time"


def test_x12_backend_unreachable_clearinghouse_is_a_retryable_error(clearinghouse):
    options = clearinghouse.x12_options()
    clearinghouse.stop()  # nothing listens on the port any more
    result = check(make_request(), X12Backend(options))
    assert result.status == Status.ERROR and result.retryable
    assert "could not reach the clearinghouse" in result.error_reason


def test_x12_transport_is_pluggable():
    seen = {}

    def answering_transport(x12, *, trace_number):
        seen["x12"], seen["trace"] = x12, trace_number
        return (
            "ISA*00*          *00*          *ZZ*X              *ZZ*Y              *250303*0931*^*00501*000000001*0*P*:~"
            "GS*HB*X*Y*20250303*0931*1*X*005010X279A1~ST*271*0001*005010X279A1~HL*1**20*0~"
            "NM1*PR*2*AETNA*****PI*60054~AAA*Y**42*R~SE*5*0001~GE*1*1~IEA*1*000000001~"
        )

    backend = X12Backend({"PROVIDER_NPI": "1234567893"}, transport=answering_transport)
    result = check(make_request(), backend)
    # Issue 11: one service type per 270, MH unless the request says otherwise.
    assert seen["trace"] == "TRACE0001" and seen["x12"].startswith("ISA*") and seen["x12"].count("~EQ*") == 1
    assert "EQ*MH~" in seen["x12"]
    assert result.status == Status.ERROR and result.retryable and result.rejections[0].code == "42"


def test_x12_transport_from_a_dotted_path():
    backend = get_backend(
        "x12",
        {
            "PROVIDER_NPI": "1234567893",
            "X12_TRANSPORT": "tests.admissions.eligibility.test_backends.bad_gateway",
        },
    )
    assert backend.transport is bad_gateway
    result = check(make_request(), backend)
    assert (result.status, result.error_reason, result.retryable) == (
        Status.ERROR,
        "clearinghouse answered HTTP 502",
        True,
    )


def bad_gateway(x12, *, trace_number):
    raise EligibilityError("clearinghouse answered HTTP 502", retryable=True)
