"""Passkeys (WebAuthn) as the preferred second factor for staff (issue 15 #3),
with django-otp-webauthn; the authenticator app and backup codes stay as
fallbacks.

Stricter than the library's defaults:
- a passkey is a second factor only, never a way in without the password
  (OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False, and the views below refuse
  a session without a password step);
- only a session verified with an existing second factor may add a passkey
  (the library lets an account without any device register one, which would
  bypass enrolment by invitation);
- a passkey sign-in goes through the same completion as a code: a new session
  key, the failure count cleared, an audit event; a failed one counts toward
  the lockout and is audited like a wrong code;
- the relying party is the host the request came to (validated against
  ALLOWED_HOSTS), and the expected origin is that host or SITE_URL.
"""

from django.conf import settings
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_safe
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import exceptions as webauthn_errors
from django_otp_webauthn import views as webauthn_views
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential

from admissions.models import AuditAction

from .audit import audit_record
from .signin import _count_failure, _staff_only, complete_login


def has_passkey(user) -> bool:
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


def remove_all(user) -> None:
    WebAuthnCredential.objects.filter(user=user).delete()


def page_context(request, purpose):
    """What the second-factor page needs to offer a passkey (None: none to offer)."""
    if purpose == "verify" and request.user.is_authenticated and has_passkey(request.user):
        return {"available": True}
    return None


def rp_id(request) -> str:
    return (
        request.get_host().rsplit(":", 1)[0] if not request.get_host().endswith("]") else request.get_host()
    )


class Helper(WebAuthnHelper):
    def get_allowed_origins(self) -> list[str]:
        own = f"{self.request.scheme}://{self.request.get_host()}"
        return [*settings.OTP_WEBAUTHN_ALLOWED_ORIGINS, own]


class _SecondFactorOnly:
    def check_can_authenticate(self):
        user = self.request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            raise webauthn_errors.PasswordlessLoginDisabled()


class RegisterBegin(webauthn_views.BeginCredentialRegistrationView):
    def user_is_mfa_enrolled(self, user):
        return True  # every account must prove an existing factor first


class RegisterComplete(webauthn_views.CompleteCredentialRegistrationView):
    def user_is_mfa_enrolled(self, user):
        return True

    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        if response.status_code == 200:
            audit_record(action=AuditAction.CHANGE, request=self.request, detail="added a passkey")
        return response


class AuthenticateBegin(_SecondFactorOnly, webauthn_views.BeginCredentialAuthenticationView):
    pass


class AuthenticateComplete(_SecondFactorOnly, webauthn_views.CompleteCredentialAuthenticationView):
    def complete_auth(self, device):
        complete_login(self.request, device, "passkey")

    def get_success_url(self):
        return self.get_redirect_url() or reverse("admin:index")

    def handle_exception(self, exc):
        if isinstance(exc, webauthn_errors.OTPWebAuthnApiError) and self.request.user.is_authenticated:
            _count_failure(self.request, "passkey")
        return super().handle_exception(exc)


@require_safe
def manage(request):
    """The signed-in person's passkeys, and the button to add one (a verified
    staff session: MFARequiredMiddleware sends a password-only one to the code)."""
    if (redirect := _staff_only(request)) is not None:
        return redirect
    passkeys = WebAuthnCredential.objects.filter(user=request.user, confirmed=True).order_by("created_at")
    return render(request, "security/passkeys.html", {"passkeys": passkeys, "title": "Passkeys"})


# The library's template tags reverse these names in the "otp_webauthn" namespace.
app_name = "otp_webauthn"
urlpatterns = [
    path("", manage, name="manage"),
    path("registration/begin/", RegisterBegin.as_view(), name="credential-registration-begin"),
    path("registration/complete/", RegisterComplete.as_view(), name="credential-registration-complete"),
    path("authentication/begin/", AuthenticateBegin.as_view(), name="credential-authentication-begin"),
    path(
        "authentication/complete/", AuthenticateComplete.as_view(), name="credential-authentication-complete"
    ),
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]), name="js-i18n-catalog"),
]
