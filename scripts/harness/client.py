"""HTTP as a person's browser: cookies, a form's hidden tokens, a post, the
thank-you redirect or the page that keeps the answers."""

from __future__ import annotations

import html
import http.client
import re
import ssl
import time
import uuid
from urllib.parse import urlencode

CONSULTATION = "/admissions/consultation/"
CONSULTATION_THANKS = "/admissions/thank-you/consultation/"
INSURANCE = "/admissions/verify-insurance/"
INSURANCE_THANKS = "/admissions/thank-you/insurance/"
# What nginx adds to every request it passes on (deploy/nginx/sheer-proxy.conf).
AS_NGINX = {"X-Forwarded-Proto": "https"}


def get(port: int, path: str, *, headers=None, tls: bool = False, timeout: float = 30):
    """(status, headers with lower-case names, body). With tls, through the local
    nginx (its throwaway certificate is not checked)."""
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=timeout)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def http_status(port: int, path: str) -> int:
    """The status gunicorn gives a request that came through nginx."""
    return get(port, path, headers=AS_NGINX, timeout=5)[0]


def https_get(port: int, path: str, headers=None):
    return get(port, path, headers=headers, tls=True)


HIDDEN_INPUT = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def hidden_inputs(page: str) -> list[tuple[str, str]]:
    return [(html.unescape(n), html.unescape(v)) for n, v in HIDDEN_INPUT.findall(page)]


class FormUnavailable(Exception):
    pass


class Browser:
    """One person: cookies, the CSRF token, a form and its one-time token.

    Talks to gunicorn directly as nginx would (X-Forwarded-Proto: https from a
    trusted address), so production settings (secure cookies) apply. With
    keepalive, one connection serves every request (reopened after an error).
    """

    def __init__(self, port: int, timeout: float = 35.0, *, keepalive: bool = False):
        self.port = port
        self.timeout = timeout
        self.keepalive = keepalive
        self.cookies: dict[str, str] = {}
        self._conn = None

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        conn = self._conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        all_headers = {
            **AS_NGINX,
            "Host": "127.0.0.1",
            "Origin": "https://127.0.0.1",
            "Referer": f"https://127.0.0.1{path}",
        }
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        all_headers.update(headers or {})
        try:
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            data = response.read()
        except BaseException:
            conn.close()
            self._conn = None
            raise
        if self.keepalive:
            self._conn = conn
        else:
            conn.close()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data

    def form(self, path: str) -> list[tuple[str, str]]:
        """The form's hidden inputs (its one-time token), without the CSRF one."""
        status, _, body = self.request("GET", path)
        if status != 200:
            raise FormUnavailable(status)
        return [(k, v) for k, v in hidden_inputs(body.decode()) if k != "csrfmiddlewaretoken"]

    def csrf(self) -> str:
        return self.cookies.get("__Host-csrftoken") or self.cookies.get("csrftoken", "")

    def post(self, path: str, fields: list[tuple[str, str]]):
        fields = [(k, v) for k, v in fields if k != "csrfmiddlewaretoken"] + [
            ("csrfmiddlewaretoken", self.csrf())
        ]
        return self.request(
            "POST",
            path,
            urlencode(fields).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )


def run_id() -> str:
    """A marker for one run's requests (every marker of the run starts with it)."""
    return "F" + uuid.uuid4().hex[:6]


# Digits in a marker become capitals A-J in the name: a name is letters only.
_DIGITS_AS_LETTERS = str.maketrans("0123456789", "ABCDEFGHIJ")


def name_for(marker: str) -> str:
    """The first name a marker's request is sent with (letters only)."""
    return marker.translate(_DIGITS_AS_LETTERS)


def consultation_answers(marker: str, **changes: str) -> list[tuple[str, str]]:
    """A person's answers. The marker travels as the campaign (utm_campaign, a
    plaintext column: names are encrypted at rest) and finds the row later."""
    answers = {
        "utm_campaign": marker,
        "first_name": name_for(marker),
        "last_name": "Fleet",
        "phone": "",
        "email": f"{marker.lower()}@example.com",
        "best_time_to_call": "any",
        "who_needs_help": "self",
        "caller_relation": "",
        "level_of_care": "",
        "message": "Fleet test request.",
        "heard_about": "search",
        "contact_consent": "on",
        "website": "",
    }
    return list({**answers, **changes}.items())


def is_answers_kept_page(status: int, body: bytes, marker: str) -> bool:
    """503 with the person's answers (their marker in a hidden input), a
    send-again button and a phone number to call."""
    text = body.decode(errors="replace")
    return (
        status == 503
        and f'name="first_name" value="{name_for(marker)}"' in text
        and "Send again" in text
        and 'href="tel:' in text
    )


def submit_consultation(browser: Browser, marker: str, *, resend_tries: int = 0, log_kept=None) -> dict:
    """GET the form, POST the answers; on the answers-kept page press "Send
    again" up to resend_tries times, a second apart, as a person would.

    Returns {"outcome": stored|kept|form_unavailable|bad_error, "resends": n}.
    """
    try:
        hidden = browser.form(CONSULTATION)
    except (FormUnavailable, OSError, http.client.HTTPException) as exc:
        return {"outcome": "form_unavailable", "detail": repr(exc), "resends": 0}
    fields = hidden + consultation_answers(marker)
    resends = 0
    while True:
        try:
            status, headers, body = browser.post(CONSULTATION, fields)
        except (OSError, http.client.HTTPException) as exc:
            return {"outcome": "bad_error", "detail": repr(exc), "resends": resends}
        if status == 303 and headers.get("location") == CONSULTATION_THANKS:
            return {"outcome": "stored", "resends": resends}
        if not is_answers_kept_page(status, body, marker):
            return {"outcome": "bad_error", "detail": f"HTTP {status}", "resends": resends}
        if log_kept:
            log_kept(marker)
        if resends >= resend_tries:
            return {"outcome": "kept", "resends": resends}
        resends += 1
        time.sleep(1.0)
        fields = hidden_inputs(body.decode())  # the page's own "Send again" form
