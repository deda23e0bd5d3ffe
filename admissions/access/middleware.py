"""Staff security on every request: second factor on the admin, session
lifetime, response headers Django has no setting for, and the audit of
permission denials (logins and logouts: admissions.access.signals).

Everything here keys on the admin's configurable path (settings.ADMIN_PATH)
and on the protected path prefixes in settings; public pages are left alone
so they stay cacheable and never touch the session.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode

from admissions.models import AuditAction

from .audit import audit_record

# Session keys (seconds since the epoch).
SESSION_STARTED_AT = "security_started_at"
SESSION_LAST_SEEN_AT = "security_last_seen_at"
# Idle time is measured to the minute (so the logoff comes 15-16 minutes after the last request).
ACTIVITY_RESOLUTION_SECONDS = 60


def admin_prefix() -> str:
    return f"/{settings.ADMIN_PATH}"


def is_staff_path(path: str) -> bool:
    """The admin, and staff-only pages outside it (settings.STAFF_ONLY_PATH_PREFIXES,
    e.g. the draft previews): all need the second factor."""
    return path.startswith((admin_prefix(), *settings.STAFF_ONLY_PATH_PREFIXES))


def is_no_store_path(path: str) -> bool:
    if is_staff_path(path):
        return True
    # Pages under a no-store prefix that are the same for everyone (the thank-you pages).
    if path.startswith(tuple(settings.CACHEABLE_PATH_PREFIXES)):
        return False
    return any(path.startswith(prefix) for prefix in settings.NO_STORE_PATH_PREFIXES)


def has_session_cookie(request) -> bool:
    # Without a session cookie nobody is logged in: public pages then never
    # load the session (which would add "Vary: Cookie" and cost a query).
    return settings.SESSION_COOKIE_NAME in request.COOKIES


# Headers --------------------------------------------------------------------


class SecurityHeadersMiddleware:
    """Cross-Origin-Resource-Policy and Permissions-Policy on everything
    (Django has no setting for them) and Cache-Control: no-store on forms, the admin and patient files, so
    no browser or shared cache keeps a copy of patient data. Public pages keep
    the public caching their views declare.

    Sits right after SecurityMiddleware, before whitenoise, so static files
    get CORP too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if is_no_store_path(request.path):
            # Replace, not merge: a view's "public, max-age" must not survive.
            del response["Cache-Control"]
            add_never_cache_headers(response)
        return response


# Session lifetime -------------------------------------------------------------


class StaffSessionMiddleware:
    """Ends a logged-in session after STAFF_SESSION_IDLE_SECONDS without staff
    activity or STAFF_SESSION_MAX_SECONDS after login, whichever comes first.

    Activity is a request to the admin; reading public pages neither extends
    nor writes the session. A deactivated user needs nothing here: Django's
    ModelBackend.get_user refuses inactive users on their next request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_session_cookie(request) and request.user.is_authenticated:
            self.check(request)
        return self.get_response(request)

    def check(self, request):
        now = time.time()
        session = request.session
        started = session.get(SESSION_STARTED_AT)
        last_seen = session.get(SESSION_LAST_SEEN_AT, started)
        if started is None or now - started > settings.STAFF_SESSION_MAX_SECONDS:
            reason = "session limit reached"
        elif last_seen is None or now - last_seen > settings.STAFF_SESSION_IDLE_SECONDS:
            reason = "idle timeout"
        else:
            # Written at most once a minute: a session write costs three queries.
            if is_staff_path(request.path) and now - last_seen >= ACTIVITY_RESOLUTION_SECONDS:
                session[SESSION_LAST_SEEN_AT] = now
            return
        request.security_logout_reason = reason
        logout(request)
        # The admin now sends the request to its login page, which shows this.
        messages.info(request, "You were signed out to protect patient data. Please sign in again.")


# Second factor -----------------------------------------------------------------


class MFARequiredMiddleware:
    """A staff user who has given a password but no second factor reaches
    nothing under the admin except the second-factor pages and logout: they
    are sent to verify a code, or to enrol an authenticator if they have none.

    Needs django_otp's OTPMiddleware before it (request.user.is_verified).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            is_staff_path(request.path)
            and has_session_cookie(request)
            and request.user.is_authenticated
            and request.user.is_staff
            and not request.user.is_verified()
            and request.path not in self.open_paths()
        ):
            return self.second_factor_redirect(request)
        return self.get_response(request)

    @staticmethod
    def open_paths():
        return {
            reverse("mfa:verify"),
            reverse("mfa:setup"),
            reverse("mfa:enrol"),
            # The passkey as the second step (the views refuse a session without a password step).
            reverse("otp_webauthn:credential-authentication-begin"),
            reverse("otp_webauthn:credential-authentication-complete"),
            reverse("otp_webauthn:js-i18n-catalog"),
            reverse("admin:login"),
            reverse("admin:logout"),
        }

    @staticmethod
    def second_factor_redirect(request):
        from .mfa import has_confirmed_device

        target = "mfa:verify" if has_confirmed_device(request.user) else "mfa:setup"
        return HttpResponseRedirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


# Permission denials ------------------------------------------------------------


class PermissionDeniedAuditMiddleware:
    """Every 403 answered to a logged-in user is an audit event (the admin's
    PermissionDenied, a missing permission in a staff view, a CSRF failure)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                # Path and method only: ids, never a query string (search terms).
                audit_record(
                    action=AuditAction.PERMISSION_DENIED,
                    request=request,
                    user=user,
                    detail=f"{request.method} {request.path}",
                )
        return response
