from datetime import date
from pathlib import Path

import pytest

from admissions.eligibility import Dependent, EligibilityRequest
from admissions.eligibility.fake_clearinghouse import FakeClearinghouse
from admissions.eligibility.rest import clear_token_cache

FIXTURES = Path(__file__).parent / "fixtures"

# Values no log line, exception or URL may ever contain.
CANARY_FIRST, CANARY_LAST, CANARY_DEP = "Zebulonia", "Canaryfield", "Quillonius"


def fixture_text(name: str) -> str:
    # Bytes, so CRLF and bare-LF terminators reach the parser untouched.
    return (FIXTURES / name).read_bytes().decode("ascii")


def make_request(**overrides) -> EligibilityRequest:
    values = {
        "payer_id": "60054",
        "payer_name": "Aetna",
        "subscriber_first_name": "Jane",
        "subscriber_last_name": "Doe",
        "subscriber_date_of_birth": date(1990, 5, 17),
        "member_id": "W123456789",
        "group_number": "G100",
        "trace_number": "TRACE0001",
        "date_of_service": date(2025, 3, 3),
        "provider_npi": "1234567893",
        "provider_name": "Sheer Recovery",
    }
    values.update(overrides)
    return EligibilityRequest(**values)


def canary_request(member_id: str, **overrides) -> EligibilityRequest:
    return make_request(
        subscriber_first_name=CANARY_FIRST,
        subscriber_last_name=CANARY_LAST,
        member_id=member_id,
        dependent=Dependent(CANARY_DEP, CANARY_LAST, date(2007, 8, 9), "19"),
        **overrides,
    )


@pytest.fixture(autouse=True)
def _fresh_tokens():
    clear_token_cache()
    yield
    clear_token_cache()


@pytest.fixture
def clearinghouse():
    """A fake clearinghouse on 127.0.0.1, on a free port, stopped after the test."""
    with FakeClearinghouse(slow_seconds=1.0) as house:
        yield house
