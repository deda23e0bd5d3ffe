"""Second factor for staff (django-otp): enrol an authenticator app, verify a
code after the password, and single-use backup codes.

A session that gave only a password is sent here by
admissions.security.MFARequiredMiddleware before it reaches any admin page.
Wrong codes count as failed logins for django-axes (same username + address
lockout as the password) and land in the audit trail.
"""

import base64
import xml.etree.ElementTree as ET  # noqa: S405  (builds our own SVG; parses nothing external)

import django_otp
import qrcode
import qrcode.image.svg
from axes.utils import reset as axes_reset
from django import forms
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from admissions.models import AuditAction

from .audit import audit_record, client_ip

BACKUP_CODE_COUNT = 10
SVG_NS = "http://www.w3.org/2000/svg"


def has_confirmed_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


class CodeForm(forms.Form):
    token = forms.CharField(
        label="Code",
        max_length=16,
        help_text="The 6-digit code from your authenticator app, or one of your backup codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 10}
        ),
    )

    def clean_token(self):
        return "".join(self.cleaned_data["token"].split()).lower()


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, {request.get_host()}, require_https=request.is_secure()):
        return candidate
    return reverse("admin:index")


def _login_redirect(request):
    return HttpResponseRedirect(f"{reverse('admin:login')}?{urlencode({'next': request.get_full_path()})}")


def _staff_only(request):
    """None when the request may use these pages, else where to send it."""
    if not (request.user.is_authenticated and request.user.is_staff):
        return _login_redirect(request)
    return None


def _count_failure(request, factor: str) -> bool:
    """Record a wrong code like a wrong password; True if that locked the user out."""
    user_login_failed.send(
        sender=__name__,
        credentials={"username": request.user.get_username(), "factor": factor},
        request=request,
    )
    if getattr(request, "axes_locked_out", False):
        request.security_logout_reason = "locked out at the second factor"
        logout(request)
        return True
    return False


def _complete_login(request, device, how: str):
    django_otp.login(request, device)
    # Only a full login (password and second factor) clears the failure count.
    axes_reset(ip=client_ip(request), username=request.user.get_username())
    audit_record(action=AuditAction.LOGIN, request=request, user=request.user, detail=f"second factor: {how}")


@sensitive_post_parameters("token")
@require_http_methods(["GET", "POST"])
def verify(request):
    if (redirect := _staff_only(request)) is not None:
        return redirect
    if request.user.is_verified():
        return HttpResponseRedirect(_next_url(request))
    if not has_confirmed_device(request.user):
        return HttpResponseRedirect(f"{reverse('mfa:setup')}?{urlencode({'next': _next_url(request)})}")

    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        # Six digits is an authenticator code; anything else can only be a backup code.
        model, how = (TOTPDevice, "authenticator app") if token.isdigit() else (StaticDevice, "backup code")
        for device in model.objects.filter(user=request.user, confirmed=True):
            if django_otp.verify_token(request.user, device.persistent_id, token):
                _complete_login(request, device, how)
                return HttpResponseRedirect(_next_url(request))
        if _count_failure(request, "second factor"):
            return HttpResponseRedirect(reverse("admin:login"))
        form.add_error("token", "That code is wrong or has expired. Wait for a new code and try again.")
    return render(
        request,
        "security/mfa_verify.html",
        {"form": form, "next": _next_url(request), "title": "Enter your sign-in code"},
        status=400 if form.errors else 200,
    )


def qr_code_svg(data: str, *, label: str) -> str:
    """The QR code as inline SVG, drawn here: the secret never leaves the server."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10, border=4)
    ET.register_namespace("", SVG_NS)
    root = image.get_image()
    root.set("width", "240")
    root.set("height", "240")
    root.set("role", "img")
    root.set("aria-label", label)
    return ET.tostring(root, encoding="unicode")


def _groups_of_four(text: str) -> str:
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _new_backup_codes(user) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="Backup codes", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@sensitive_post_parameters("token")
@require_http_methods(["GET", "POST"])
def setup(request):
    """Enrolment for a staff user with no authenticator yet (first login, or
    after an administrator removed a lost one)."""
    if (redirect := _staff_only(request)) is not None:
        return redirect
    if has_confirmed_device(request.user):
        # A password alone must never be enough to add an authenticator.
        return HttpResponseRedirect(f"{reverse('mfa:verify')}?{urlencode({'next': _next_url(request)})}")

    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="Authenticator app", confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                codes = _new_backup_codes(request.user)
            audit_record(
                action=AuditAction.CHANGE,
                request=request,
                obj=device,
                detail="enrolled an authenticator app and backup codes",
            )
            _complete_login(request, device, "authenticator app (enrolment)")
            return render(
                request,
                "security/mfa_backup_codes.html",
                {"codes": codes, "next": _next_url(request), "title": "Your backup codes"},
            )
        if _count_failure(request, "second factor enrolment"):
            return HttpResponseRedirect(reverse("admin:login"))
        form.add_error("token", "That code does not match. Check the time on your phone and try a new code.")

    context = {
        "form": form,
        "next": _next_url(request),
        "title": "Set up your authenticator app",
        "otpauth_uri": device.config_url,
        # Shown in groups of four for typing into an app by hand.
        "secret_groups": _groups_of_four(base64.b32encode(device.bin_key).decode().rstrip("=")),
        # Our own markup from qrcode: nothing a person typed goes into it.
        "qr_svg": mark_safe(qr_code_svg(device.config_url, label="QR code for your authenticator app")),  # noqa: S308
        "issuer": settings.OTP_TOTP_ISSUER,
    }
    return render(request, "security/mfa_setup.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def backup_codes(request):
    """New backup codes (the old ones stop working); needs a verified session."""
    if (redirect := _staff_only(request)) is not None:
        return redirect
    if request.method == "POST":
        codes = _new_backup_codes(request.user)
        audit_record(action=AuditAction.CHANGE, request=request, detail="replaced backup codes")
        return render(
            request,
            "security/mfa_backup_codes.html",
            {"codes": codes, "next": reverse("admin:index"), "title": "Your backup codes"},
        )
    remaining = StaticToken.objects.filter(device__user=request.user).count()
    return render(
        request,
        "security/mfa_backup_codes_manage.html",
        {"remaining": remaining, "title": "Backup codes"},
    )


app_name = "mfa"
urlpatterns = [
    path("", verify, name="verify"),
    path("setup/", setup, name="setup"),
    path("backup-codes/", backup_codes, name="backup_codes"),
]
