"""Second factor for staff (django-otp): verify a code after the password,
enrolment by one-time invitation, and single-use backup codes.

A session that gave only a password is sent here by
admissions.access.middleware.MFARequiredMiddleware before it reaches any
admin page. Wrong codes count as failed logins for django-axes (same username
+ address lockout as the password) and land in the audit trail.

Enrolment (issue 15 #2): a password never starts one. A manager (permission
staff_access.invite_staff) or a superuser makes an invitation on the
invitation page (a new staff account, or a lost-device reset for an existing
one); its link is shown once, works once, for STAFF_INVITATION_HOURS. Only
the SHA-256 of the link's token is stored. Each load of the enrolment page
makes a fresh secret (an unconfirmed device never serves twice), and the
person proves it with a code and their password (a new account chooses one).
"""

import base64
import xml.etree.ElementTree as ET  # noqa: S405  (builds our own SVG; parses nothing external)

import django_otp
import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, login, logout, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from admissions.models import AuditAction

from . import passkeys
from .audit import audit_record
from .models import AuthenticatorApp, BackupCodes, StaffInvitation
from .signin import _count_failure, _staff_only, complete_login

BACKUP_CODE_COUNT = 10
SVG_NS = "http://www.w3.org/2000/svg"
# Session keys of an enrolment in progress (ids only; the secret stays sealed in its row).
ENROL_INVITATION = "staff_enrol_invitation"
ENROL_DEVICE = "staff_enrol_device"
# Roles a manager may give in an invitation; superusers may give any group.
INVITABLE_ROLES = ("Admissions coordinator", "Admissions manager", "Content editor")


def has_confirmed_device(user) -> bool:
    return AuthenticatorApp.objects.filter(user=user, confirmed=True).exists() or _has_passkey(user)


def _has_passkey(user) -> bool:
    return passkeys.has_passkey(user)


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
        model, how = (
            (AuthenticatorApp, "authenticator app") if token.isdigit() else (BackupCodes, "backup code")
        )
        for device in model.objects.filter(user=request.user, confirmed=True):
            if django_otp.verify_token(request.user, device.persistent_id, token):
                complete_login(request, device, how)
                return HttpResponseRedirect(_next_url(request))
        if _count_failure(request, "second factor"):
            return HttpResponseRedirect(reverse("admin:login"))
        form.add_error("token", "That code is wrong or has expired. Wait for a new code and try again.")
    return render(
        request,
        "security/mfa_verify.html",
        {
            "form": form,
            "next": _next_url(request),
            "title": "Enter your sign-in code",
            "passkey": _passkey_context(request, "verify"),
        },
        status=400 if form.errors else 200,
    )


def _passkey_context(request, purpose):
    return passkeys.page_context(request, purpose)


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


def new_backup_codes(user) -> list[str]:
    device, _ = BackupCodes.objects.get_or_create(
        user=user, name="Backup codes", defaults={"confirmed": True}
    )
    return device.replace_codes(BACKUP_CODE_COUNT)


@require_http_methods(["GET"])
def setup(request):
    """A staff account without a second factor: a password alone starts no
    enrolment. Shows no secret; says how to get an enrolment link."""
    if (redirect := _staff_only(request)) is not None:
        return redirect
    if has_confirmed_device(request.user):
        return HttpResponseRedirect(f"{reverse('mfa:verify')}?{urlencode({'next': _next_url(request)})}")
    return render(request, "security/mfa_not_enrolled.html", {"title": "Two-step sign-in is not set up"})


# Invitations -------------------------------------------------------------------


def may_invite(user) -> bool:
    return user.is_active and (user.is_superuser or user.has_perm("staff_access.invite_staff"))


class InvitationForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        help_text="A new account is created; for an existing one this is a lost-device reset: "
        "their authenticator app, passkeys and backup codes stop working now.",
    )
    email = forms.EmailField(required=False, help_text="The staff address (new accounts).")
    role = forms.ModelChoiceField(
        queryset=Group.objects.none(), required=False, help_text="New accounts only."
    )

    def __init__(self, *args, inviter, **kwargs):
        super().__init__(*args, **kwargs)
        groups = Group.objects.order_by("name")
        self.fields["role"].queryset = (
            groups if inviter.is_superuser else groups.filter(name__in=INVITABLE_ROLES)
        )
        self.inviter = inviter

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = get_user_model()._default_manager.filter(username=username).first()
        if user is not None and user.is_superuser and not self.inviter.is_superuser:
            raise forms.ValidationError("Only a superuser can reset a superuser's second factor.")
        if user is not None and not user.is_staff:
            raise forms.ValidationError("That account is not a staff account.")
        self.existing = user
        return username


@require_http_methods(["GET", "POST"])
def invite(request):
    """A manager or superuser creates a staff account (or resets one) and gets
    its one-time enrolment link, shown once on the answer page."""
    if (redirect := _staff_only(request)) is not None:
        return redirect
    if not may_invite(request.user):
        raise PermissionDenied
    form = InvitationForm(request.POST or None, inviter=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.existing
            if user is None:
                user = get_user_model()._default_manager.create_user(
                    username=form.cleaned_data["username"], email=form.cleaned_data["email"], is_staff=True
                )  # no usable password: the person chooses one on the enrolment page
                if form.cleaned_data["role"]:
                    user.groups.add(form.cleaned_data["role"])
                purpose = StaffInvitation.Purpose.ENROL
            else:
                purpose = StaffInvitation.Purpose.RESET
                remove_second_factors(user)
            invitation, token = StaffInvitation.issue(user=user, purpose=purpose, created_by=request.user)
            audit_record(
                action=AuditAction.CHANGE,
                request=request,
                obj=invitation,
                detail=f"invitation ({purpose}) for user {user.pk}",
            )
        return render(
            request,
            "security/invitation_link.html",
            {
                "title": "Enrolment link",
                "invited": user,
                "invitation": invitation,
                "link": enrolment_link(token, base=request.build_absolute_uri("/").rstrip("/")),
            },
        )
    return render(request, "security/invitation_form.html", {"form": form, "title": "Invite staff"})


def enrolment_link(token: str, *, base: str | None = None) -> str:
    # The token goes in the query string: deploy/nginx logs no query strings.
    return f"{base or settings.SITE_URL}{reverse('mfa:enrol')}?{urlencode({'t': token})}"


def remove_second_factors(user):
    """A lost device: every second factor of the user stops working now."""
    AuthenticatorApp.objects.filter(user=user).delete()
    BackupCodes.objects.filter(user=user).delete()
    passkeys.remove_all(user)


class EnrolForm(CodeForm):
    new_password1 = forms.CharField(label="Choose a password", widget=forms.PasswordInput, required=False)
    new_password2 = forms.CharField(
        label="The same password again", widget=forms.PasswordInput, required=False
    )
    password = forms.CharField(label="Your password", widget=forms.PasswordInput, required=False)

    def __init__(self, *args, user, new_account, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.new_account = user, new_account
        self.fields["token"].help_text = "The 6-digit code your authenticator app shows now."
        for name in ("new_password1", "new_password2") if new_account else ("password",):
            self.fields[name].required = True
        for name in ("password",) if new_account else ("new_password1", "new_password2"):
            del self.fields[name]

    def clean(self):
        cleaned = super().clean()
        if self.new_account:
            first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
            if first and second and first != second:
                self.add_error("new_password2", "The two passwords are not the same.")
            elif first:
                try:
                    password_validation.validate_password(first, self.user)
                except forms.ValidationError as error:
                    self.add_error("new_password1", error)
        elif cleaned.get("password") and not self.user.check_password(cleaned["password"]):
            self.add_error("password", "That is not your password.")
        return cleaned


def _invitation_in_session(request):
    invitation_id = request.session.get(ENROL_INVITATION)
    if invitation_id is None:
        return None
    return (
        StaffInvitation.objects.select_related("user")
        .filter(pk=invitation_id, used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )


def _fresh_device(request, user) -> AuthenticatorApp:
    """A new secret for this page load; earlier unconfirmed ones are gone."""
    AuthenticatorApp.objects.filter(user=user, confirmed=False).delete()
    device = AuthenticatorApp.objects.create(user=user, name="Authenticator app", confirmed=False)
    request.session[ENROL_DEVICE] = device.pk
    return device


@sensitive_post_parameters("token", "password", "new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def enrol(request):
    """The invitation link: a fresh secret, then a code and the password."""
    if "t" in request.GET:
        invitation = StaffInvitation.usable(request.GET["t"])
        if invitation is None:
            return render(
                request, "security/invitation_invalid.html", {"title": "This link does not work"}, status=404
            )
        if request.user.is_authenticated:
            logout(request)  # whoever was signed in here, the link is for someone else
        request.session[ENROL_INVITATION] = invitation.pk
        # The token leaves the address bar (and any later Referer) at once.
        response = HttpResponseRedirect(reverse("mfa:enrol"))
        response.status_code = 303
        return response

    invitation = _invitation_in_session(request)
    if invitation is None:
        return render(
            request, "security/invitation_invalid.html", {"title": "This link does not work"}, status=404
        )
    user = invitation.user
    new_account = not user.has_usable_password()
    device = None
    if request.method == "POST":
        device = AuthenticatorApp.objects.filter(
            pk=request.session.get(ENROL_DEVICE), user=user, confirmed=False
        ).first()
    form = EnrolForm(request.POST or None, user=user, new_account=new_account)
    if request.method == "POST" and device is not None and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            return _finish_enrolment(request, invitation, device, form)
        form.add_error("token", "That code does not match. Check the time on your phone and try a new code.")
    if (
        request.method == "POST"
        and (form.errors or device is None)
        and _enrolment_failure(request, invitation)
    ):
        return render(
            request, "security/invitation_invalid.html", {"title": "This link does not work"}, status=404
        )
    if device is None:
        device = _fresh_device(request, user)
    context = {
        "form": form,
        "title": "Set up two-step sign-in",
        "invited": user,
        "new_account": new_account,
        "otpauth_uri": device.config_url,
        # Shown in groups of four for typing into an app by hand.
        "secret_groups": _groups_of_four(base64.b32encode(device.bin_key).decode().rstrip("=")),
        # Our own markup from qrcode: nothing a person typed goes into it.
        "qr_svg": mark_safe(qr_code_svg(device.config_url, label="QR code for your authenticator app")),  # noqa: S308
        "issuer": settings.OTP_TOTP_ISSUER,
    }
    return render(request, "security/mfa_setup.html", context, status=400 if form.errors else 200)


def _enrolment_failure(request, invitation) -> bool:
    """Count a wrong code or password against the link; True when it stops working."""
    StaffInvitation.objects.filter(pk=invitation.pk).update(failures=F("failures") + 1)
    invitation.refresh_from_db(fields=["failures"])
    _count_failure(request, "enrolment", username=invitation.user.get_username())
    if invitation.failures >= StaffInvitation.MAX_FAILURES:
        StaffInvitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(used_at=timezone.now())
        audit_record(
            action=AuditAction.CHANGE,
            request=request,
            user=invitation.user,
            obj=invitation,
            detail="invitation withdrawn after repeated wrong codes or passwords",
        )
        return True
    return False


def _finish_enrolment(request, invitation, device, form):
    user = invitation.user
    with transaction.atomic():
        claimed = StaffInvitation.objects.filter(
            pk=invitation.pk, used_at__isnull=True, expires_at__gt=timezone.now()
        ).update(used_at=timezone.now())
        if not claimed:  # used or withdrawn a moment ago, e.g. in another tab
            return render(
                request, "security/invitation_invalid.html", {"title": "This link does not work"}, status=404
            )
        if form.new_account:
            user.set_password(form.cleaned_data["new_password1"])
            user.save(update_fields=["password"])
        AuthenticatorApp.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = new_backup_codes(user)
    request.session.pop(ENROL_INVITATION, None)
    request.session.pop(ENROL_DEVICE, None)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    audit_record(
        action=AuditAction.CHANGE,
        request=request,
        user=user,
        obj=invitation,
        detail=f"enrolled an authenticator app and backup codes ({invitation.purpose})",
    )
    complete_login(request, device, "authenticator app (enrolment)")
    return render(
        request,
        "security/mfa_backup_codes.html",
        {"codes": codes, "next": reverse("admin:index"), "title": "Your backup codes", "offer_passkey": True},
    )


@require_http_methods(["GET", "POST"])
def backup_codes(request):
    """New backup codes (the old ones stop working); needs a verified session."""
    if (redirect := _staff_only(request)) is not None:
        return redirect
    if request.method == "POST":
        codes = new_backup_codes(request.user)
        audit_record(action=AuditAction.CHANGE, request=request, detail="replaced backup codes")
        return render(
            request,
            "security/mfa_backup_codes.html",
            {"codes": codes, "next": reverse("admin:index"), "title": "Your backup codes"},
        )
    device = BackupCodes.objects.filter(user=request.user).first()
    remaining = device.codes.count() if device else 0
    return render(
        request,
        "security/mfa_backup_codes_manage.html",
        {"remaining": remaining, "title": "Backup codes"},
    )


app_name = "mfa"
urlpatterns = [
    path("", verify, name="verify"),
    path("setup/", setup, name="setup"),
    path("enrol/", enrol, name="enrol"),
    path("invite/", invite, name="invite"),
    path("backup-codes/", backup_codes, name="backup_codes"),
]
