"""The `rest` backend: a JSON clearinghouse API of the kind Stedi and Optum expose.

    POST {REST_TOKEN_URL}  grant_type=client_credentials, client_id, client_secret
         -> {"access_token": "...", "expires_in": 3600}          cached until shortly before expiry
    POST {REST_URL}        eligibility request JSON (below), Authorization: Bearer <token>
         -> 200 {"x12": "<raw 271>", ...}                         parsed with our 271 parser
         -> 202 {"id": "...", "pollUrl"?: "..."} + Location?       polled with backoff, a bounded number of times
         -> 401                                                    token refreshed once, request repeated once
         -> 429 / 5xx / timeout                                    ERROR result, retryable
         -> other 4xx                                              ERROR result, not retryable

The request body follows the shape both APIs share (controlNumber,
tradingPartnerServiceId, provider, subscriber, dependents, encounter); the key
holding the raw 271 is REST_RAW_271_FIELD. Poll URLs must stay on the API's own
origin, so a redirect can never carry our token elsewhere.
"""

import json
import threading
import time
from urllib.parse import urlencode, urljoin, urlsplit

from django.core.exceptions import ImproperlyConfigured

from .backend_base import BaseBackend
from .http import EligibilityError, Response, send
from .records import EligibilityRequest, EligibilityResult, Status
from .x12_270 import new_control_number
from .x12_271 import parse_271

# Tokens are shared by every check in the process: (token URL, client id) -> (token, expires at).
_tokens: dict[tuple[str, str], tuple[str, float]] = {}
_tokens_lock = threading.Lock()
# Renew this many seconds before the clearinghouse's expiry.
TOKEN_SKEW = 60


def clear_token_cache() -> None:
    with _tokens_lock:
        _tokens.clear()


def _d8(day) -> str:
    return day.strftime("%Y%m%d")


def eligibility_payload(request: EligibilityRequest, *, control_number: int, date_of_service) -> dict:
    subscriber = {
        "memberId": request.member_id.strip(),
        "firstName": request.subscriber_first_name.strip(),
        "lastName": request.subscriber_last_name.strip(),
    }
    if request.subscriber_date_of_birth:
        subscriber["dateOfBirth"] = _d8(request.subscriber_date_of_birth)
    if request.group_number.strip():
        subscriber["groupNumber"] = request.group_number.strip()
    payload = {
        "controlNumber": f"{control_number:09d}",
        "submitterTransactionIdentifier": request.trace_number,
        "tradingPartnerServiceId": request.payer_id,
        "provider": {"organizationName": request.provider_name, "npi": request.provider_npi},
        "subscriber": subscriber,
        "encounter": {
            "dateOfService": _d8(date_of_service),
            # One service type per inquiry, as in the 270.
            "serviceTypeCodes": [request.service_type],
        },
    }
    if request.dependent:
        payload["dependents"] = [
            {
                "firstName": request.dependent.first_name.strip(),
                "lastName": request.dependent.last_name.strip(),
                "dateOfBirth": _d8(request.dependent.date_of_birth),
                "individualRelationshipCode": request.dependent.relationship_code,
            }
        ]
    return payload


class RestBackend(BaseBackend):
    name = "rest"

    def __init__(self, options: dict | None = None, *, sleep=time.sleep, clock=time.monotonic):
        super().__init__(options)
        missing = [
            k
            for k in ("REST_URL", "REST_TOKEN_URL", "REST_CLIENT_ID", "REST_CLIENT_SECRET")
            if not self.options[k]
        ]
        if missing:
            raise ImproperlyConfigured(
                "ELIGIBILITY_BACKEND=rest needs " + ", ".join(f"ELIGIBILITY_{k}" for k in missing)
            )
        self.sleep, self.clock = sleep, clock
        self.timeout = float(self.options["TIMEOUT"])
        self.origin = urlsplit(self.options["REST_URL"])[:2]

    # --- tokens -------------------------------------------------------------

    def _token_key(self) -> tuple[str, str]:
        return (self.options["REST_TOKEN_URL"], self.options["REST_CLIENT_ID"])

    def token(self, *, renew: bool = False) -> str:
        key = self._token_key()
        with _tokens_lock:
            cached = _tokens.get(key)
            if cached and not renew and cached[1] > self.clock():
                return cached[0]
            reply = send(
                "POST",
                self.options["REST_TOKEN_URL"],
                body=urlencode(
                    {
                        "grant_type": "client_credentials",
                        "client_id": self.options["REST_CLIENT_ID"],
                        "client_secret": self.options["REST_CLIENT_SECRET"],
                    }
                ).encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
                timeout=self.timeout,
            )
            if reply.status >= 500 or reply.status == 429:
                raise EligibilityError(
                    f"clearinghouse token endpoint answered HTTP {reply.status}", retryable=True
                )
            if reply.status != 200:
                raise EligibilityError(f"clearinghouse refused our client credentials (HTTP {reply.status})")
            try:
                data = json.loads(reply.body)
                token = data["access_token"]
                lifetime = float(data.get("expires_in", 3600))
            except (ValueError, KeyError, TypeError):
                raise EligibilityError("clearinghouse token answer unreadable", retryable=True) from None
            if not isinstance(token, str) or not token:
                raise EligibilityError("clearinghouse token answer unreadable", retryable=True)
            _tokens[key] = (token, self.clock() + max(lifetime - TOKEN_SKEW, 0))
            return token

    def _call(self, method: str, url: str, body: bytes | None = None) -> Response:
        """One API call with our token; on 401 renew the token and try exactly once more."""
        for attempt in (1, 2):
            headers = {
                "Authorization": f"Bearer {self.token(renew=attempt == 2)}",
                "Accept": "application/json",
            }
            if body is not None:
                headers["Content-Type"] = "application/json"
            reply = send(method, url, body=body, headers=headers, timeout=self.timeout)
            if reply.status != 401:
                return reply
        return reply

    # --- polling ------------------------------------------------------------

    def _poll_url(self, reply: Response) -> str:
        try:
            data = json.loads(reply.body or b"{}")
        except ValueError:
            data = {}
        data = data if isinstance(data, dict) else {}
        target = reply.header("location") or data.get("pollUrl") or ""
        if not target and data.get("id"):
            target = self.options["REST_URL"].rstrip("/") + "/" + str(data["id"])
        if not target or not isinstance(target, str):
            raise EligibilityError("clearinghouse said pending but gave no way to poll", retryable=True)
        url = urljoin(self.options["REST_URL"], target)
        if urlsplit(url)[:2] != self.origin:
            raise EligibilityError("clearinghouse poll URL is on another origin; refused")
        return url

    def _wait(self, reply: Response, delay: float) -> float:
        retry_after = reply.header("retry-after")
        wait = float(retry_after) if retry_after.isdigit() else delay
        return min(wait, float(self.options["REST_POLL_MAX_DELAY"]))

    # --- the check ----------------------------------------------------------

    def check(self, request: EligibilityRequest) -> EligibilityResult:
        from django.utils import timezone

        request = self.prepare(request)
        payload = eligibility_payload(
            request,
            control_number=new_control_number(),
            date_of_service=request.date_of_service or timezone.localdate(),
        )
        body = json.dumps(payload)
        result = self._exchange(request, body)
        result.request_sent = body
        return result

    def _exchange(self, request: EligibilityRequest, body: str) -> EligibilityResult:
        try:
            reply = self._call("POST", self.options["REST_URL"], body.encode())
            delay = float(self.options["REST_POLL_DELAY"])
            polls = 0
            while reply.status == 202:
                if polls >= int(self.options["REST_POLL_ATTEMPTS"]):
                    return EligibilityResult(
                        status=Status.PENDING,
                        trace_number=request.trace_number,
                        backend=self.name,
                        error_reason=f"payer had not answered after {polls} polls",
                        retryable=True,
                    )
                url = self._poll_url(reply)
                self.sleep(self._wait(reply, delay))
                delay *= 2
                polls += 1
                reply = self._call("GET", url)
            return self._read(request, reply)
        except EligibilityError as exc:
            return self.failed(request, exc.reason, retryable=exc.retryable)

    def _read(self, request: EligibilityRequest, reply: Response) -> EligibilityResult:
        if reply.status >= 500 or reply.status == 429:
            return self.failed(request, f"clearinghouse answered HTTP {reply.status}", retryable=True)
        if reply.status == 401:
            return self.failed(request, "clearinghouse refused our token twice (HTTP 401)", retryable=False)
        if reply.status != 200:
            return self.failed(
                request, f"clearinghouse rejected the request (HTTP {reply.status})", retryable=False
            )
        try:
            data = json.loads(reply.body)
        except ValueError:
            return self.failed(request, "clearinghouse answer is not JSON", retryable=True)
        raw = data.get(self.options["REST_RAW_271_FIELD"]) if isinstance(data, dict) else None
        if not isinstance(raw, str) or not raw:
            return self.failed(request, "clearinghouse answer carries no 271", retryable=False)
        # The HTTP exchange already ties this 271 to the request; the clearinghouse sets its own TRN.
        return parse_271(raw, trace_number=request.trace_number, backend=self.name, match_trace=False)
