"""The audit of logins, failures, lockouts and logouts (signal receivers,
connected when the app is ready), and the start of a staff session's clocks.
"""

import time

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils.crypto import salted_hmac

from admissions.models import AuditAction

from .audit import audit_record
from .middleware import SESSION_LAST_SEEN_AT, SESSION_STARTED_AT


@receiver(user_logged_in, dispatch_uid="security_user_logged_in")
def on_logged_in(sender, request, user, **kwargs):
    if request is None:
        return
    now = time.time()
    request.session[SESSION_STARTED_AT] = now
    request.session[SESSION_LAST_SEEN_AT] = now
    audit_record(action=AuditAction.LOGIN, request=request, user=user, detail="password")


@receiver(user_logged_out, dispatch_uid="security_user_logged_out")
def on_logged_out(sender, request, user, **kwargs):
    reason = getattr(request, "security_logout_reason", "signed out")
    audit_record(action=AuditAction.LOGOUT, request=request, user=user, detail=reason)


def _known_user(username):
    if not username:
        return None
    model = get_user_model()
    return model._default_manager.filter(**{model.USERNAME_FIELD: username}).first()


def typed_username(username, user) -> str:
    """How a typed username goes into the append-only trail: an account's own
    name as it is (the user column names it anyway); anything else, which may
    be a password typed into the wrong box, only as a keyed hash, so repeated
    tries of one name can be matched without the text ever being stored."""
    if user is not None:
        return f"username={user.get_username()}"
    digest = salted_hmac("sheer.audit.typed-username", str(username or ""), algorithm="sha256")
    return f"unknown username #{digest.hexdigest()[:16]}"


@receiver(user_login_failed, dispatch_uid="security_user_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    factor = credentials.get("factor", "password")
    user = _known_user(username)
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        request=request,
        user=user,
        detail=f"{factor}; {typed_username(username, user)}",
    )


@receiver(user_locked_out, dispatch_uid="security_user_locked_out")
def on_locked_out(sender, request, username, ip_address, **kwargs):
    user = _known_user(username)
    audit_record(
        action=AuditAction.LOCKOUT,
        request=request,
        user=user,
        detail=typed_username(str(username or "")[:150], user),
    )
