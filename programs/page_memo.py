"""Whole public pages kept in each worker's memory between content edits.

A program page is the same bytes for every visitor until an editor saves
something, yet rendering it costs several times what Django's request cycle
does (issue 14: <= 1.5x a constant page). So each worker keeps the rendered
body of a public page under the content version (programs.content_cache): a
save anywhere sets a new version and every worker renders afresh on its next
request, on every server, as the memoized reads already do.

Only what is the same for everyone is kept: a 200 with public Cache-Control,
no cookie and no CSP nonce used while rendering (a nonce is per response).
Query strings (?utm_source=...) do not change a public page, so the key is
the path; the language is in the path. The day is in the key too: a licence
disappears from the footer the day after it expires.
"""

import threading
import time
from functools import wraps

from django.conf import settings
from django.core.signals import setting_changed
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.middleware.csp import get_nonce
from django.utils import timezone
from django.views.decorators.cache import cache_control

from . import content_cache
from .content_cache import MEMO_SECONDS, current_version

# Bounded by the number of published pages in each language; this only guards
# against a flood of distinct paths that all answer 200.
MAX_PAGES = 500

_lock = threading.Lock()
_pages: dict = {}  # path -> (version, day, expires_at, content, content_type, cache_control)


def memoized_page(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        try:
            version = current_version()
        except (OperationalError, InterfaceError):
            # The shared cache is in the database: during an outage every page
            # is drawn afresh (the thank-you pages still render without it).
            return view(request, *args, **kwargs)
        day, now = timezone.localdate(), time.monotonic()
        hit = _pages.get(request.path)
        if hit is not None and hit[0] == version and hit[1] == day and now < hit[2]:
            response = HttpResponse(hit[3], content_type=hit[4])
            response["Cache-Control"] = hit[5]
            return response
        response = view(request, *args, **kwargs)
        if _shareable(request, response):
            with _lock:
                if len(_pages) >= MAX_PAGES:
                    _pages.clear()
                _pages[request.path] = (
                    version,
                    day,
                    now + MEMO_SECONDS,
                    response.content,
                    response["Content-Type"],
                    response["Cache-Control"],
                )
        return response

    return wrapped


def public_page(view):
    """A public page: the same bytes for everyone, so a shared cache (nginx)
    may keep it for PUBLIC_PAGE_MAX_AGE, and each worker keeps it until
    content changes. ConditionalGetMiddleware adds the ETag for 304s."""
    return memoized_page(cache_control(public=True, max_age=settings.PUBLIC_PAGE_MAX_AGE)(view))


def _shareable(request, response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "public" in response.get("Cache-Control", "")
        and not get_nonce(request)
        # A CSRF token or a session read while rendering makes the page personal.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not getattr(getattr(request, "session", None), "accessed", False)
        and not _has_other_headers(response)
    )


# Headers a view may set that the memo would drop; none of the public views
# sets any today, and a page that does is simply not kept.
_KEPT = {"content-type", "cache-control", "content-length"}


def _has_other_headers(response) -> bool:
    return any(name.lower() not in _KEPT for name in response.headers)


def clear():
    with _lock:
        _pages.clear()


content_cache._also_forget.append(clear)
# A page holds SITE_URL, the phone fallback and other settings (tests change them).
setting_changed.connect(lambda **kwargs: clear(), dispatch_uid="page-memo-settings", weak=False)
