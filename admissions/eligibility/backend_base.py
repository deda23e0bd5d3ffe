"""What every eligibility backend is: the `Backend` protocol, the options it
reads (ELIGIBILITY, over these defaults) and the shared `BaseBackend`
(provider filled in from settings, failures as ERROR results). The concrete
backends (backends.py, rest.py) build on it; nothing here knows them.
"""

from typing import Protocol

from .records import EligibilityRequest, EligibilityResult, Status

DEFAULTS = {
    "PROVIDER_NPI": "",
    "PROVIDER_NAME": "Sheer Recovery",
    "CLEARINGHOUSE": "stedi",
    "TIMEOUT": 30.0,
    "X12_URL": "",
    "X12_AUTH_TOKEN": "",
    "X12_TRANSPORT": "",
    "X12_SENDER_ID": "SHEERRECOVERY",
    "X12_RECEIVER_ID": "CLEARINGHOUSE",
    "X12_USAGE": "P",
    "REST_URL": "",
    "REST_TOKEN_URL": "",
    "REST_CLIENT_ID": "",
    "REST_CLIENT_SECRET": "",
    "REST_RAW_271_FIELD": "x12",
    "REST_POLL_ATTEMPTS": 5,
    "REST_POLL_DELAY": 1.0,
    "REST_POLL_MAX_DELAY": 8.0,
}


class Backend(Protocol):
    name: str

    def check(self, request: EligibilityRequest) -> EligibilityResult: ...


class BaseBackend:
    name = ""

    def __init__(self, options: dict | None = None):
        self.options = {**DEFAULTS, **(options or {})}

    def prepare(self, request: EligibilityRequest) -> EligibilityRequest:
        """Fill the provider from settings and refuse a request that cannot be sent."""
        request = request.with_provider(npi=self.options["PROVIDER_NPI"], name=self.options["PROVIDER_NAME"])
        request.validate()
        return request

    def failed(self, request: EligibilityRequest, reason: str, *, retryable: bool) -> EligibilityResult:
        return EligibilityResult(
            status=Status.ERROR,
            trace_number=request.trace_number,
            backend=self.name,
            error_reason=reason,
            retryable=retryable,
        )
