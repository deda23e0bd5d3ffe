"""A fake clearinghouse on 127.0.0.1 for tests, the benchmark and demos of the x12 and rest backends.

    POST /oauth2/token       client credentials -> bearer token (expires_in configurable)
    POST /eligibility        JSON request -> 200 {"x12": 271} | 202 pending (member ID "PENDING...")
    GET  /eligibility/<id>   202 until `pending_polls` polls have been made, then 200
    POST /x12                raw 270 -> raw 271

Answers come from fake_271 (scenario by member ID); a "TIMEOUT" member ID makes
the server sit for `slow_seconds` before answering. Tests steer it further with
`fail_next` (HTTP statuses to answer with first) and `revoke_tokens()`, and read
`inquiries`: the (payer ID, service type) of every 270 or JSON request answered.

Demo: python -m admissions.eligibility.fake_clearinghouse 8501
then ELIGIBILITY_BACKEND=rest ELIGIBILITY_REST_URL=http://127.0.0.1:8501/eligibility
ELIGIBILITY_REST_TOKEN_URL=http://127.0.0.1:8501/oauth2/token ELIGIBILITY_REST_CLIENT_ID=demo
ELIGIBILITY_REST_CLIENT_SECRET=demo-secret.
"""

import itertools
import json
import secrets
import sys
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from . import fake_271
from .records import Dependent, EligibilityRequest
from .x12_text import split_segments


def request_from_270(text: str) -> EligibilityRequest:
    """Just enough of a 270 reader to answer it: who, which payer, which trace number."""
    delimiters, segments = split_segments(text)
    found: dict[str, str] = {}
    dependent: dict[str, str] = {}
    service_types: list[str] = []
    level = ""
    for seg in segments:
        values = seg + [""] * 10
        sid = seg[0]
        if sid == "HL":
            level = values[3]
        elif sid == "NM1" and values[1] == "PR":
            found.update(payer_name=values[3], payer_id=values[9])
        elif sid == "NM1" and values[1] == "1P":
            found.update(provider_name=values[3], provider_npi=values[9])
        elif sid == "NM1" and values[1] == "IL":
            found.update(last=values[3], first=values[4], member_id=values[9])
        elif sid == "NM1" and values[1] == "03":
            dependent.update(last=values[3], first=values[4])
        elif sid == "INS":
            dependent["relationship"] = values[2]
        elif sid == "REF" and values[1] == "6P":
            found["group"] = values[2]
        elif sid == "TRN":
            found["trace"] = values[2]
        elif sid == "DMG":
            (dependent if level == "23" else found)["dob"] = values[2]
        elif sid == "DTP" and values[1] == "291":
            found["dos"] = values[3]
        elif sid == "EQ":
            service_types += values[1].split(delimiters.repetition or "^")

    def day(value):
        return datetime.strptime(value, "%Y%m%d").date() if value else None

    return EligibilityRequest(
        payer_id=found.get("payer_id", ""),
        payer_name=found.get("payer_name", ""),
        subscriber_first_name=found.get("first", ""),
        subscriber_last_name=found.get("last", ""),
        subscriber_date_of_birth=day(found.get("dob")),
        member_id=found.get("member_id", ""),
        group_number=found.get("group", ""),
        dependent=Dependent(
            dependent.get("first", ""),
            dependent.get("last", ""),
            day(dependent["dob"]),
            dependent.get("relationship", "19"),
        )
        if dependent.get("dob")
        else None,
        # A 270 asks one service type (x12_270); a second EQ would be a bug the tests should see.
        service_type="^".join(service_types),
        trace_number=found.get("trace", ""),
        date_of_service=day(found.get("dos")),
        provider_npi=found.get("provider_npi", ""),
        provider_name=found.get("provider_name", ""),
    )


def request_from_json(data: dict) -> EligibilityRequest:
    subscriber = data.get("subscriber") or {}
    dependents = data.get("dependents") or []

    def day(value):
        return datetime.strptime(value, "%Y%m%d").date() if value else None

    dependent = None
    if dependents:
        first = dependents[0]
        dependent = Dependent(
            first.get("firstName", ""),
            first.get("lastName", ""),
            day(first.get("dateOfBirth")),
            first.get("individualRelationshipCode", "19"),
        )
    provider = data.get("provider") or {}
    encounter = data.get("encounter") or {}
    return EligibilityRequest(
        payer_id=data.get("tradingPartnerServiceId", ""),
        payer_name="FAKE PAYER " + data.get("tradingPartnerServiceId", ""),
        subscriber_first_name=subscriber.get("firstName", ""),
        subscriber_last_name=subscriber.get("lastName", ""),
        subscriber_date_of_birth=day(subscriber.get("dateOfBirth")),
        member_id=subscriber.get("memberId", ""),
        group_number=subscriber.get("groupNumber", ""),
        dependent=dependent,
        service_type="^".join(encounter.get("serviceTypeCodes") or ()),
        trace_number=data.get("submitterTransactionIdentifier", ""),
        date_of_service=day(encounter.get("dateOfService")),
        provider_npi=provider.get("npi", ""),
        provider_name=provider.get("organizationName", ""),
    )


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that gave up (timeout tests) leaves a broken pipe behind: expected, not worth a traceback.
        pass


class FakeClearinghouse:
    def __init__(
        self,
        *,
        port: int = 0,
        client_id: str = "demo",
        client_secret: str = "demo-secret",  # noqa: S107 - the fake server's own demo credential
        token_lifetime: int = 3600,
        slow_seconds: float = 2.0,
        pending_polls: int = 2,
    ):
        self.port = port
        self.client_id, self.client_secret = client_id, client_secret
        self.token_lifetime = token_lifetime
        self.slow_seconds = slow_seconds
        self.pending_polls = pending_polls
        # Answers to give before the normal ones: a status, or (status, body bytes, headers).
        self.fail_next: list[int | tuple[int, bytes, dict]] = []
        self.fail_token_next: list[int] = []
        # Retry-After on pending answers; None sends none (the client's own backoff applies).
        self.retry_after: str | None = "0"
        self.last_json: dict | None = None
        self.tokens_issued = 0
        self.calls: list[tuple[str, str, int]] = []  # (method, path, status answered)
        # Every inquiry answered, in order: (payer ID, service type), e.g. ("01260", "MH") for a carve-out re-check.
        self.inquiries: list[tuple[str, str]] = []
        self._valid_tokens: set[str] = set()
        self._pending: dict[str, tuple[EligibilityRequest, int]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ----------------------------------------------------------

    def start(self) -> "FakeClearinghouse":
        self._server = _QuietServer(("127.0.0.1", self.port), self._handler_class())
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-clearinghouse",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rest_options(self, **overrides) -> dict:
        return {
            "PROVIDER_NPI": "1234567893",
            "PROVIDER_NAME": "Sheer Recovery",
            "REST_URL": f"{self.base_url}/eligibility",
            "REST_TOKEN_URL": f"{self.base_url}/oauth2/token",
            "REST_CLIENT_ID": self.client_id,
            "REST_CLIENT_SECRET": self.client_secret,
            "REST_POLL_DELAY": 0.01,
            "REST_POLL_MAX_DELAY": 0.05,
            "TIMEOUT": 5.0,
            **overrides,
        }

    def x12_options(self, **overrides) -> dict:
        return {
            "PROVIDER_NPI": "1234567893",
            "PROVIDER_NAME": "Sheer Recovery",
            "X12_URL": f"{self.base_url}/x12",
            "TIMEOUT": 5.0,
            **overrides,
        }

    def revoke_tokens(self) -> None:
        with self._lock:
            self._valid_tokens.clear()

    # --- behaviour ----------------------------------------------------------

    def _answer(self, request: EligibilityRequest) -> tuple[int, dict]:
        with self._lock:
            self.inquiries.append((request.payer_id, request.service_type))
        scenario = fake_271.scenario_for_request(request)
        if scenario == fake_271.TIMEOUT:
            time.sleep(self.slow_seconds)
        x12 = fake_271.synthesize_271(request, scenario)
        return 200, {"status": "complete", "x12": x12}

    def _handler_class(self):
        house = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # request lines would carry nothing, but keep test output clean
                pass

            def _send(self, status: int, body: bytes, content_type="application/json", headers=None):
                with house._lock:
                    house.calls.append((self.command, self.path, status))
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def _json(self, status: int, data: dict, headers=None):
                self._send(status, json.dumps(data).encode(), headers=headers)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _authorized(self) -> bool:
                token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
                with house._lock:
                    return token in house._valid_tokens

            def _scripted_failure(self) -> bool:
                with house._lock:
                    scripted = house.fail_next.pop(0) if house.fail_next else None
                if scripted is None:
                    return False
                if isinstance(scripted, int):
                    self._json(scripted, {"error": "scripted"})
                else:
                    status, body, headers = scripted
                    self._send(status, body, headers=headers)
                return True

            def _pending_headers(self, extra=None) -> dict:
                headers = dict(extra or {})
                if house.retry_after is not None:
                    headers["Retry-After"] = house.retry_after
                return headers

            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self._body()
                if self.path == "/oauth2/token":
                    with house._lock:
                        failure = house.fail_token_next.pop(0) if house.fail_token_next else None
                    if failure:
                        return self._json(failure, {"error": "scripted"})
                    form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
                    if (
                        form.get("grant_type") != "client_credentials"
                        or form.get("client_id") != house.client_id
                        or form.get("client_secret") != house.client_secret
                    ):
                        return self._json(401, {"error": "invalid_client"})
                    token = secrets.token_urlsafe(16)
                    with house._lock:
                        house._valid_tokens.add(token)
                        house.tokens_issued += 1
                    return self._json(
                        200,
                        {"access_token": token, "token_type": "bearer", "expires_in": house.token_lifetime},
                    )
                if self.path == "/x12":
                    if self._scripted_failure():
                        return None
                    request = request_from_270(body.decode())
                    status, data = house._answer(request)
                    return self._send(status, data["x12"].encode(), content_type="application/edi-x12")
                if self.path == "/eligibility":
                    if not self._authorized():
                        return self._json(401, {"error": "invalid_token"})
                    if self._scripted_failure():
                        return None
                    house.last_json = json.loads(body)
                    request = request_from_json(house.last_json)
                    if fake_271.scenario_for(request.member_id) == fake_271.PENDING:
                        ident = str(next(house._ids))
                        with house._lock:
                            house._pending[ident] = (request, 0)
                        return self._json(
                            202,
                            {"status": "pending", "id": ident},
                            headers=self._pending_headers({"Location": f"/eligibility/{ident}"}),
                        )
                    return self._json(*house._answer(request))
                return self._json(404, {"error": "not found"})

            def do_GET(self):  # noqa: N802
                if not self.path.startswith("/eligibility/"):
                    return self._json(404, {"error": "not found"})
                if not self._authorized():
                    return self._json(401, {"error": "invalid_token"})
                if self._scripted_failure():
                    return None
                ident = self.path.rsplit("/", 1)[1]
                with house._lock:
                    entry = house._pending.get(ident)
                    if entry:
                        house._pending[ident] = (entry[0], entry[1] + 1)
                if entry is None:
                    return self._json(404, {"error": "unknown id"})
                request, polls = entry
                if polls + 1 < house.pending_polls:
                    return self._json(
                        202, {"status": "pending", "id": ident}, headers=self._pending_headers()
                    )
                # The active answer, as if the payer had now replied.
                scenario = fake_271.ACTIVE
                return self._json(
                    200, {"status": "complete", "x12": fake_271.synthesize_271(request, scenario)}
                )

        return Handler


if __name__ == "__main__":  # pragma: no cover - demo entry point
    server = FakeClearinghouse(port=int(sys.argv[1]) if len(sys.argv) > 1 else 8501).start()
    print(f"fake clearinghouse on {server.base_url} (client demo / demo-secret); Ctrl-C stops it")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()
