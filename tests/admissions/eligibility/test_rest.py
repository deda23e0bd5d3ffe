"""The rest backend against the fake clearinghouse on 127.0.0.1 (random free port, started per test)."""

import json
from datetime import date

import pytest

from admissions.eligibility import Dependent, Status, check
from admissions.eligibility.plain_words import describe
from admissions.eligibility.rest import RestBackend

from .conftest import make_request


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def backend(house, sleeps=None, clock=None, **options):
    return RestBackend(
        house.rest_options(**options),
        sleep=(sleeps.append if sleeps is not None else lambda seconds: None),
        **({"clock": clock} if clock else {}),
    )


def test_success_parses_the_271_inside_the_json(clearinghouse):
    result = check(make_request(member_id="W555"), backend(clearinghouse))
    assert result.status == Status.ACTIVE and result.backend == "rest"
    assert result.trace_number == "TRACE0001"
    assert result.deductible.in_network.individual.remaining == 1100
    assert [c[:3] for c in clearinghouse.calls] == [
        ("POST", "/oauth2/token", 200),
        ("POST", "/eligibility", 200),
    ]


def test_request_json_has_the_shape_clearinghouses_expect(clearinghouse):
    request = make_request(dependent=Dependent("Mateo", "Doe", date(2008, 6, 15), "19"))
    check(request, backend(clearinghouse))
    sent = clearinghouse.last_json
    assert sent["tradingPartnerServiceId"] == "60054"
    assert len(sent["controlNumber"]) == 9 and sent["controlNumber"].isdigit()
    assert sent["provider"] == {"organizationName": "Sheer Recovery", "npi": "1234567893"}
    assert sent["subscriber"] == {
        "memberId": "W123456789",
        "firstName": "Jane",
        "lastName": "Doe",
        "dateOfBirth": "19900517",
        "groupNumber": "G100",
    }
    assert sent["dependents"] == [
        {
            "firstName": "Mateo",
            "lastName": "Doe",
            "dateOfBirth": "20080615",
            "individualRelationshipCode": "19",
        }
    ]
    # Issue 11: one service type per inquiry.
    assert sent["encounter"] == {"dateOfService": "20250303", "serviceTypeCodes": ["MH"]}
    # What was sent is kept on the result (for encrypted storage with the 271).
    result = check(request, backend(clearinghouse))
    assert json.loads(result.request_sent) == clearinghouse.last_json


def test_token_is_cached_until_shortly_before_it_expires(clearinghouse):
    clock = Clock()
    rest = backend(clearinghouse, clock=clock)
    for _ in range(3):
        assert check(make_request(), rest).status == Status.ACTIVE
    assert clearinghouse.tokens_issued == 1
    clock.now += 3600 - 60 - 1  # still inside the lifetime less the 60 s margin
    check(make_request(), rest)
    assert clearinghouse.tokens_issued == 1
    clock.now += 2
    check(make_request(), rest)
    assert clearinghouse.tokens_issued == 2


def test_pending_then_success_polls_with_backoff(clearinghouse):
    clearinghouse.pending_polls = 4
    clearinghouse.retry_after = None
    sleeps = []
    result = check(make_request(member_id="PENDING-1"), backend(clearinghouse, sleeps))
    assert result.status == Status.ACTIVE
    # Doubling from REST_POLL_DELAY (0.01), capped at REST_POLL_MAX_DELAY (0.05).
    assert sleeps == [0.01, 0.02, 0.04, 0.05]
    assert [c[:2] for c in clearinghouse.calls].count(("GET", "/eligibility/1")) == 4
    assert clearinghouse.calls[-1][2] == 200


def test_retry_after_is_honoured_but_capped(clearinghouse):
    clearinghouse.pending_polls = 2
    clearinghouse.retry_after = "3600"
    sleeps = []
    check(make_request(member_id="PENDING-2"), backend(clearinghouse, sleeps))
    assert sleeps == [0.05, 0.05]


def test_polling_is_bounded_and_ends_pending(clearinghouse):
    clearinghouse.pending_polls = 99
    sleeps = []
    result = check(make_request(member_id="PENDING-3"), backend(clearinghouse, sleeps, REST_POLL_ATTEMPTS=3))
    assert result.status == Status.PENDING and result.retryable
    assert len(sleeps) == 3
    assert [c[0] for c in clearinghouse.calls].count("GET") == 3
    assert "still waiting" in describe(result)


def test_401_refreshes_the_token_once_and_succeeds(clearinghouse):
    rest = backend(clearinghouse)
    check(make_request(), rest)
    clearinghouse.revoke_tokens()  # the clearinghouse rotated its keys: our cached token is now refused
    result = check(make_request(), rest)
    assert result.status == Status.ACTIVE
    assert clearinghouse.tokens_issued == 2
    assert [c[:3] for c in clearinghouse.calls[2:]] == [
        ("POST", "/eligibility", 401),
        ("POST", "/oauth2/token", 200),
        ("POST", "/eligibility", 200),
    ]


def test_401_twice_is_a_non_retryable_error(clearinghouse):
    clearinghouse.fail_next = [401, 401, 401]
    result = check(make_request(), backend(clearinghouse))
    assert result.status == Status.ERROR and not result.retryable
    assert "refused our token twice" in result.error_reason
    assert clearinghouse.tokens_issued == 2  # one refresh, not a loop
    assert clearinghouse.fail_next == [401]


def test_wrong_client_credentials(clearinghouse):
    result = check(make_request(), backend(clearinghouse, REST_CLIENT_SECRET="wrong"))
    assert result.status == Status.ERROR and not result.retryable
    assert result.error_reason == "clearinghouse refused our client credentials (HTTP 401)"
    assert "wrong" not in result.error_reason


def test_token_endpoint_down_is_retryable(clearinghouse):
    clearinghouse.fail_token_next = [503]
    result = check(make_request(), backend(clearinghouse))
    assert result.status == Status.ERROR and result.retryable
    assert "token endpoint answered HTTP 503" in result.error_reason


@pytest.mark.parametrize(
    ("status", "retryable"), [(500, True), (502, True), (429, True), (400, False), (422, False)]
)
def test_http_errors(clearinghouse, status, retryable):
    clearinghouse.fail_next = [status]
    result = check(make_request(), backend(clearinghouse))
    assert result.status == Status.ERROR and result.retryable is retryable
    assert f"HTTP {status}" in result.error_reason


def test_500_while_polling_is_retryable(clearinghouse):
    # The POST is answered "pending", the first poll with a 500.
    clearinghouse.fail_next = [(202, json.dumps({"id": "1"}).encode(), {"Location": "/eligibility/1"}), 500]
    result = check(make_request(), backend(clearinghouse))
    assert result.status == Status.ERROR and result.retryable
    assert result.error_reason == "clearinghouse answered HTTP 500"
    assert [c[:3] for c in clearinghouse.calls[-2:]] == [
        ("POST", "/eligibility", 202),
        ("GET", "/eligibility/1", 500),
    ]


def test_timeout_is_a_retryable_error(clearinghouse):
    result = check(make_request(member_id="TIMEOUT-9"), backend(clearinghouse, TIMEOUT=0.2))
    assert result.status == Status.ERROR and result.retryable
    assert result.error_reason == "the clearinghouse did not answer in time"


def test_unreachable_clearinghouse_is_retryable(clearinghouse):
    options = clearinghouse.rest_options()
    clearinghouse.stop()
    result = check(make_request(), RestBackend(options))
    assert result.status == Status.ERROR and result.retryable


@pytest.mark.parametrize(
    ("body", "reason", "retryable"),
    [
        (b"<html>gateway</html>", "clearinghouse answer is not JSON", True),
        (b'{"status": "complete"}', "clearinghouse answer carries no 271", False),
        (b'["x12"]', "clearinghouse answer carries no 271", False),
        (b'{"x12": 42}', "clearinghouse answer carries no 271", False),
    ],
)
def test_unreadable_answers(clearinghouse, body, reason, retryable):
    clearinghouse.fail_next = [(200, body, {})]
    result = check(make_request(), backend(clearinghouse))
    assert (result.status, result.error_reason, result.retryable) == (Status.ERROR, reason, retryable)


def test_malformed_271_inside_the_json_is_an_error_result(clearinghouse):
    clearinghouse.fail_next = [(200, json.dumps({"x12": "ISA*00*garbage~"}).encode(), {})]
    result = check(make_request(), backend(clearinghouse))
    assert result.status == Status.ERROR and result.error_reason.startswith("malformed 271")


def test_poll_url_on_another_origin_is_refused(clearinghouse):
    clearinghouse.fail_next = [(202, b"{}", {"Location": "http://198.51.100.7/steal-the-token"})]
    result = check(make_request(), backend(clearinghouse))
    assert result.status == Status.ERROR and not result.retryable
    assert "another origin" in result.error_reason


def test_pending_without_a_way_to_poll(clearinghouse):
    clearinghouse.fail_next = [(202, b'{"status": "pending"}', {})]
    result = check(make_request(), backend(clearinghouse))
    assert result.status == Status.ERROR and result.retryable
    assert "no way to poll" in result.error_reason
