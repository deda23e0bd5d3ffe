"""Eligibility backends behind one interface, `check(request) -> EligibilityResult`.

ELIGIBILITY_BACKEND picks one (`get_backend()`); ELIGIBILITY holds the options
(see sheer_site/settings/base.py and .env.example):

- manual (default): no automatic check; the result says "verify by phone".
- fake: answers by member ID (table in fake_271.py) through the real 270 builder and 271 parser
  (a carved-out member asked of the administrator's payer ID gets the administrator's answer).
- x12: builds a 270, hands it to a transport (HTTP POST of the raw X12 by default), parses the 271.
- rest: a JSON clearinghouse API with OAuth2 client credentials (rest.py).

A backend's `check()` returns a result for every answer, including failures it
understands (5xx, timeouts on the wire, malformed 271s). The module-level
`check()` adds the guarantee the intake relies on: it never raises, so no check
can break a submission, and it logs one line per check with the trace number,
backend, status and time only.
"""

import logging
import time

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from . import fake_271
from .backend_base import Backend, BaseBackend
from .http import EligibilityError, EligibilityTimeout, send
from .records import EligibilityRequest, EligibilityResult, InvalidEligibilityRequest, Status
from .rest import RestBackend
from .x12_270 import Envelope, build_270, new_control_number
from .x12_271 import parse_271

log = logging.getLogger("admissions.eligibility")

# The NPI CMS uses in its own examples: valid check digit, belongs to no one. Fake backend only.
EXAMPLE_NPI = "1234567893"


class ManualBackend(BaseBackend):
    name = "manual"

    def check(self, request: EligibilityRequest) -> EligibilityResult:
        return EligibilityResult(status=Status.MANUAL, trace_number=request.trace_number, backend=self.name)


class HttpX12Transport:
    """POST the raw 270 to a URL and read the raw 271 from the body.

    Real-time clearinghouse connections (CAQH CORE) wrap the X12 in a SOAP or MIME
    envelope; give X12_TRANSPORT a callable of your own for those.
    """

    def __init__(self, url: str, *, timeout: float, token: str = ""):
        self.url, self.timeout, self.token = url, timeout, token

    def __call__(self, x12: str, *, trace_number: str) -> str:
        headers = {"Content-Type": "application/edi-x12", "Accept": "application/edi-x12, text/plain"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        reply = send("POST", self.url, body=x12.encode("utf-8"), headers=headers, timeout=self.timeout)
        if reply.status >= 500 or reply.status == 429:
            raise EligibilityError(f"clearinghouse answered HTTP {reply.status}", retryable=True)
        if reply.status != 200:
            raise EligibilityError(f"clearinghouse refused the 270 (HTTP {reply.status})", retryable=False)
        try:
            return reply.body.decode("utf-8")
        except UnicodeDecodeError:
            return reply.body.decode("latin-1")


class X12Backend(BaseBackend):
    name = "x12"

    def __init__(self, options: dict | None = None, *, transport=None):
        super().__init__(options)
        o = self.options
        self.envelope = Envelope(
            sender_id=o["X12_SENDER_ID"], receiver_id=o["X12_RECEIVER_ID"], usage=o["X12_USAGE"]
        )
        self.transport = transport or self.configured_transport()

    def configured_transport(self):
        o = self.options
        if o["X12_TRANSPORT"]:
            return import_string(o["X12_TRANSPORT"])
        if not o["X12_URL"]:
            raise ImproperlyConfigured("ELIGIBILITY_BACKEND=x12 needs ELIGIBILITY_X12_URL or X12_TRANSPORT")
        return HttpX12Transport(o["X12_URL"], timeout=float(o["TIMEOUT"]), token=o["X12_AUTH_TOKEN"])

    def exchange(self, request: EligibilityRequest, x12: str) -> str:
        return self.transport(x12, trace_number=request.trace_number)

    def check(self, request: EligibilityRequest) -> EligibilityResult:
        request = self.prepare(request)
        x12 = build_270(request, control_number=new_control_number(), envelope=self.envelope)
        try:
            reply = self.exchange(request, x12)
        except EligibilityError as exc:
            result = self.failed(request, exc.reason, retryable=exc.retryable)
        else:
            result = parse_271(reply, trace_number=request.trace_number, backend=self.name)
        result.request_sent = x12
        return result


class FakeBackend(X12Backend):
    """The x12 backend with a payer inside: the 271 depends on the member ID (fake_271.py)."""

    name = "fake"

    def __init__(self, options: dict | None = None):
        options = {**(options or {})}
        options["PROVIDER_NPI"] = options.get("PROVIDER_NPI") or EXAMPLE_NPI
        super().__init__(options)

    def configured_transport(self):
        return None  # exchange() answers itself

    def check(self, request: EligibilityRequest) -> EligibilityResult:
        if fake_271.scenario_for(request.member_id) == fake_271.TIMEOUT:
            # Raised, not returned: callers must survive a backend that raises.
            raise EligibilityTimeout("the fake payer did not answer in time")
        return super().check(request)

    def exchange(self, request: EligibilityRequest, x12: str) -> str:
        return fake_271.synthesize_271(request, fake_271.scenario_for_request(request))


BACKENDS = {
    "manual": ManualBackend,
    "fake": FakeBackend,
    "x12": X12Backend,
    "rest": RestBackend,
}


def get_backend(name: str | None = None, options: dict | None = None) -> Backend:
    # An eligibility engine used outside this project may have no setting at
    # all: then nothing is checked automatically.
    name = name or getattr(settings, "ELIGIBILITY_BACKEND", "") or "manual"
    if options is None:
        options = settings.ELIGIBILITY
    try:
        factory = BACKENDS[name]
    except KeyError:
        raise ImproperlyConfigured(
            f"ELIGIBILITY_BACKEND must be one of {', '.join(BACKENDS)}, not {name!r}"
        ) from None
    return factory(options)


def check(request: EligibilityRequest, backend: Backend | None = None) -> EligibilityResult:
    """Run one eligibility check. Never raises: every failure is an ERROR result with a reason."""
    started = time.monotonic()
    try:
        backend = backend or get_backend()
        result = backend.check(request)
    except InvalidEligibilityRequest as exc:
        result = EligibilityResult(status=Status.ERROR, error_reason=str(exc), retryable=False)
    except EligibilityError as exc:
        result = EligibilityResult(status=Status.ERROR, error_reason=exc.reason, retryable=exc.retryable)
    except ImproperlyConfigured as exc:
        result = EligibilityResult(
            status=Status.ERROR, error_reason=f"not configured: {exc}", retryable=False
        )
    except Exception as exc:  # noqa: BLE001 - a bug in a backend must not break the intake
        # The message could quote patient data: record the type only.
        log.error("eligibility check trace=%s failed error=%s", request.trace_number, type(exc).__name__)
        result = EligibilityResult(
            status=Status.ERROR, error_reason=f"internal error ({type(exc).__name__})", retryable=True
        )
    result.trace_number = result.trace_number or request.trace_number
    result.backend = result.backend or getattr(backend, "name", "")
    log.info(
        "eligibility check trace=%s backend=%s status=%s retryable=%s ms=%d",
        result.trace_number,
        result.backend,
        result.status,
        result.retryable,
        (time.monotonic() - started) * 1000,
    )
    return result
