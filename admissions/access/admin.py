"""The audit trail in the admin: managers read it, nobody edits it. And the
staff's second factors: listed without any secret, never edited here.

Imported by the admin's autodiscovery (this app comes after the django-otp
plugins in INSTALLED_APPS) and from AdmissionsConfig.ready(). Every
has_*_permission that could change a row is False (ReadOnlyAdminMixin) for
everyone, superusers included; reading needs the view permission (the
Admissions manager role has view_auditevent).

django-otp's own admin pages show a TOTP key, its QR code and backup codes to
any superuser: they are taken away. Enrolment and lost-device resets go
through one-time invitations (mfa.py), which are audited.
"""

import contextlib

from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from admissions.models import AuditEvent

from .models import AuthenticatorApp, BackupCodes, StaffInvitation
from .readonly import ReadOnlyAdminMixin

for model in (TOTPDevice, StaticDevice):
    with contextlib.suppress(NotRegistered):
        admin.site.unregister(model)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "action", "user", "object_type", "object_id", "ip_address", "detail"]
    list_filter = ["action", ("at", admin.DateFieldListFilter), ("user", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["object_id", "user__username", "ip_address"]
    date_hierarchy = "at"
    list_select_related = ["user"]
    readonly_fields = list_display
    list_per_page = 100
    # A plain count of a big, append-only table is slow; the pager does without it.
    show_full_result_count = False


class _DeviceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who has which second factor, and when it was last used: no key, no QR
    code, no codes (the fields below are all there is to see)."""

    list_display = ["user", "name", "confirmed"]
    fields = list_display
    readonly_fields = list_display
    list_select_related = ["user"]
    search_fields = ["user__username"]

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(AuthenticatorApp)
class AuthenticatorAppAdmin(_DeviceAdmin):
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    fields = list_display
    readonly_fields = list_display


@admin.register(BackupCodes)
class BackupCodesAdmin(_DeviceAdmin):
    list_display = ["user", "name", "remaining"]
    fields = list_display
    readonly_fields = list_display

    @admin.display(description="codes left")
    def remaining(self, device):
        return device.codes.count()


@admin.register(StaffInvitation)
class StaffInvitationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Invitations as evidence (the token exists only in the link); new ones
    are made on the invitation page, not here."""

    list_display = ["user", "purpose", "created_by", "created_at", "expires_at", "used_at"]
    fields = list_display
    readonly_fields = list_display
    list_select_related = ["user", "created_by"]

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and (
            request.user.is_superuser or request.user.has_perm("staff_access.invite_staff")
        )
