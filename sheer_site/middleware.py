"""Fleet middleware: the client's address behind our own proxies, and form
answers kept through a database outage.

TrustedProxyMiddleware:

nginx (deploy/nginx) connects to gunicorn, so REMOTE_ADDR is nginx's address;
the client's is in X-Forwarded-For. That header is only believed when the
connection comes from an address in DJANGO_TRUSTED_PROXIES: anyone else could
write any address there and dodge the per-address rate limit. Everything that
needs the client's address (rate limit, consent evidence, audit trail) reads
REMOTE_ADDR and so gets the right one.
"""

import ipaddress
import logging

from django import forms
from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation

logger = logging.getLogger(__name__)


def _networks(values):
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values if value.strip())


def _address(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


class TrustedProxyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.trusted = _networks(settings.TRUSTED_PROXIES)
        if not self.trusted:
            raise MiddlewareNotUsed  # no proxy in front (development, tests)

    def is_trusted(self, address) -> bool:
        return address is not None and any(address in network for network in self.trusted)

    def __call__(self, request):
        client = self.client_address(request.META)
        if client is not None:
            request.META["REMOTE_ADDR"] = client
        return self.get_response(request)

    def client_address(self, meta) -> str | None:
        """The right-most address in X-Forwarded-For that is not one of our
        proxies: addresses to its left were written by the client and prove
        nothing. None when the peer is not a trusted proxy or the header is
        missing or malformed (REMOTE_ADDR is then left as it is)."""
        if not self.is_trusted(_address(meta.get("REMOTE_ADDR", ""))):
            return None
        hops = [hop for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        for hop in reversed(hops):
            address = _address(hop)
            if address is None:
                return None
            if not self.is_trusted(address):
                return str(address)
        return None


# Connection-level failures: the database is restarting, unreachable, or the
# pool had no connection to give in time. Not IntegrityError and friends,
# which are bugs or handled by the views.
DATABASE_DOWN = (OperationalError, InterfaceError)
# Never echoed back: Django issues a fresh CSRF token on the page.
NOT_ECHOED = {"csrfmiddlewaretoken"}


class LanguageFromPathMiddleware:
    """The language is the URL's: /es/... is Spanish, everything else English.

    Django's LocaleMiddleware also reads a cookie and Accept-Language and then
    adds Vary: Accept-Language, which would split a shared cache's copy of every
    English page by browser. Here the URL is the only input, so no Vary is
    needed and a public page stays one cached object per URL.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class DatabaseOutageMiddleware:
    """A public form post that met a database outage gets its answers back.

    Instead of the bare 500 page, the person sees what they typed, a button to
    send it again and the admissions phone number (status 503, Retry-After).
    The one-time form token goes back too, so a post that did get stored
    before the connection broke is recognised on resend and stored once.
    A GET of a form page (which needs the database for its one-time token and
    consent wording) gets the outage page with the phone number instead (503).
    Only for the URL namespaces in DATABASE_OUTAGE_FORM_NAMESPACES (the public
    intake forms); the pages read nothing from the database.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.namespaces = set(settings.DATABASE_OUTAGE_FORM_NAMESPACES)

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_DOWN):
            return None
        match = request.resolver_match
        if match is None or not self.namespaces.intersection(match.namespaces):
            return None
        if request.method in ("GET", "HEAD"):
            logger.warning(
                "database unavailable for %s (%s); outage page with the phone number",
                match.view_name,
                type(exception).__name__,
            )
            return form_unavailable_response(request)
        if request.method != "POST":
            return None
        logger.warning(
            "database unavailable during %s post (%s); answers returned to the sender",
            match.view_name,
            type(exception).__name__,
        )
        return answers_kept_response(request, getattr(match.func, "form_class", None))


def _facts_without_database():
    from programs.context_processors import fallback_facts
    from programs.selectors import site_facts_for_error_page

    return site_facts_for_error_page() or fallback_facts()


def form_unavailable_response(request):
    from django.template.loader import render_to_string

    page = render_to_string("sheer_site/form_unavailable.html", {"facts": _facts_without_database()}, request)
    response = HttpResponse(page, status=503)
    response["Retry-After"] = "60"
    response["Cache-Control"] = "no-store"
    return response


def answers_kept_response(request, form_class=None):

    fields = form_class.base_fields if form_class is not None else {}
    shown, kept = [], []
    for name, values in request.POST.lists():
        if name in NOT_ECHOED:
            continue
        kept.extend((name, value) for value in values)
        field = fields.get(name)
        if field is not None and not field.widget.is_hidden:
            answer = _answer_text(field, values)
            if answer:
                shown.append((str(field.label or name), answer))
    files = [(name, str(fields[name].label) if name in fields else name) for name in request.FILES]
    response = render(
        request,
        "sheer_site/answers_kept.html",
        {
            "facts": _facts_without_database(),
            "shown": shown,
            "kept": kept,
            "files": files,
            "action": request.get_full_path(),
        },
        status=503,
    )
    response["Retry-After"] = "10"
    response["Cache-Control"] = "no-store"
    return response


def _answer_text(field, values) -> str:
    """What the person chose or typed, in the form's words; never a database id."""
    if isinstance(field, forms.ModelChoiceField):
        return "(your choice is kept)" if any(values) else ""
    if isinstance(field, forms.BooleanField):
        return "Yes" if values and values[0] not in ("", "off", "false") else ""
    choices = dict(getattr(field, "choices", None) or ())
    return ", ".join(str(choices.get(value, value)) for value in values if value)


class CompleteBodyMiddleware:
    """WSGI wrapper: a request body that ends before its Content-Length is an
    error, never a shorter body.

    gunicorn hands the application whatever arrived before the client hung up,
    and Django's multipart parser takes the end of the stream for the end of
    the form: a post cut off inside a card photo was stored with half a photo
    and the rest of the answers missing (scripts/fault_client_abort.py). Here
    an early end raises OSError, which Django turns into UnreadablePostError;
    the CSRF check then rejects the post (403) before any view runs, so nothing
    of it is stored. nginx (deploy/nginx) reads whole bodies first, so behind
    it this is the second line of defence.
    """

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > 0:
            environ["wsgi.input"] = _CompleteInput(environ["wsgi.input"], length)
        return self.app(environ, start_response)


class _CompleteInput:
    def __init__(self, stream, length: int):
        self.stream = stream
        self.remaining = length

    def _check(self, data: bytes, wanted: int) -> bytes:
        if wanted > 0 and not data:
            raise OSError(f"request body ended {self.remaining} bytes before its Content-Length")
        self.remaining -= len(data)
        return data

    def read(self, size=-1):
        wanted = self.remaining if size is None or size < 0 else min(size, self.remaining)
        return self._check(self.stream.read(wanted) if wanted else b"", wanted)

    def readline(self, size=-1):
        wanted = self.remaining if size is None or size < 0 else min(size, self.remaining)
        return self._check(self.stream.readline(wanted) if wanted else b"", wanted)

    def __iter__(self):
        while line := self.readline():
            yield line


class RejectUnreadableBodyMiddleware:
    """A form post Django cannot parse gets the 400 page before anything reads it.

    ``application/x-www-form-urlencoded`` is UTF-8 by definition; with another
    charset (latin-1, utf-16) Django raises BadRequest at every read of
    ``request.POST``: in the CSRF check, in the login view, and in the error
    views' own CSRF check (a 500). Sits after the header middleware (the 400
    page gets every security header) and before the CSRF check runs (its
    process_view comes after every middleware's __call__).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .errors import bad_request, forget_unreadable_body

        if forget_unreadable_body(request):
            return bad_request(request)
        return self.get_response(request)


class FormPostBudgetMiddleware:
    """Every post to a public form counts against its address, valid or not
    (issue 15 #6): the per-address limit in admissions/intake counts stored
    requests only, so invalid posts, each of which may carry two photos to
    check, were free. Past ADMISSIONS_POST_LIMIT posts per address in
    ADMISSIONS_RATE_WINDOW_SECONDS the form answers 429 with the phone number
    until the window ends. A light counter in the shared cache (one key per
    address); with the database down it counts nothing and lets the post
    through to DatabaseOutageMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.namespaces = set(settings.DATABASE_OUTAGE_FORM_NAMESPACES)

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        limit = settings.ADMISSIONS_POST_LIMIT
        match = request.resolver_match
        if request.method != "POST" or not limit or match is None:
            return None
        if not self.namespaces.intersection(match.namespaces):
            return None
        try:
            count = self.count(request.META.get("REMOTE_ADDR") or "unknown")
        except DATABASE_DOWN:
            return None
        if count > limit:
            logger.warning("form post limit reached for an address (%s posts)", count)
            return too_many_posts_response(request)
        return None

    @staticmethod
    def count(address: str) -> int:
        from django.core.cache import cache

        from admissions.phi.crypto import lookup_hash

        # A keyed hash: the address is personal data and stays out of the cache table.
        key = f"form-posts:{lookup_hash('form-posts', address)}"
        window = settings.ADMISSIONS_RATE_WINDOW_SECONDS
        if cache.add(key, 1, window):
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.set(key, 1, window)
            return 1


def too_many_posts_response(request):
    from django.template.loader import render_to_string

    page = render_to_string("sheer_site/too_many_posts.html", {"facts": _facts_without_database()}, request)
    response = HttpResponse(page, status=429)
    response["Retry-After"] = str(settings.ADMISSIONS_RATE_WINDOW_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
