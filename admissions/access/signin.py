"""The steps every second factor shares: who may use the second-factor pages,
a failure counted like a wrong password, and the completion of a sign-in
(used by the code pages in mfa.py and the passkey views in passkeys.py)."""

import django_otp
from axes.utils import reset as axes_reset
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from admissions.models import AuditAction

from .audit import audit_record, client_ip


def _login_redirect(request):
    return HttpResponseRedirect(f"{reverse('admin:login')}?{urlencode({'next': request.get_full_path()})}")


def _staff_only(request):
    """None when the request may use these pages, else where to send it."""
    if not (request.user.is_authenticated and request.user.is_staff):
        return _login_redirect(request)
    return None


def _count_failure(request, factor: str, username: str | None = None) -> bool:
    """Record a wrong code like a wrong password; True if that locked the user out."""
    user_login_failed.send(
        sender=__name__,
        credentials={"username": username or request.user.get_username(), "factor": factor},
        request=request,
    )
    if getattr(request, "axes_locked_out", False):
        request.security_logout_reason = "locked out at the second factor"
        logout(request)
        return True
    return False


def complete_login(request, device, how: str):
    django_otp.login(request, device)
    # A new session key for the verified session: a key seen before this step
    # (fixation, a shared machine) opens nothing.
    request.session.cycle_key()
    # Only a full login (password and second factor) clears the failure count.
    axes_reset(ip=client_ip(request), username=request.user.get_username())
    audit_record(action=AuditAction.LOGIN, request=request, user=request.user, detail=f"second factor: {how}")
