"""The append-only audit trail: who looked at, changed, exported or
downloaded which lead or file, and every login, failure, lockout and
permission denial. Rows are written only through admissions.access.audit.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    CHANGE = "change", "Changed"
    EXPORT = "export", "Exported"
    DOWNLOAD = "download", "Downloaded a file"
    LOGIN = "login", "Logged in"
    LOGIN_FAILED = "login_failed", "Failed login"
    LOCKOUT = "lockout", "Locked out"
    LOGOUT = "logout", "Logged out"
    PERMISSION_DENIED = "denied", "Permission denied"
    PURGE = "purge", "Purged expired patient data"


class AuditEvent(models.Model):
    """One row per audited action; written only through admissions.access.audit.audit_record.

    Rows are never updated or deleted by the application (the admin is
    read-only; in production the app's database role lacks UPDATE and DELETE
    on this table, see docs/security.md).
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=20, choices=AuditAction)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    detail = models.CharField(max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"], name="audit_object")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.object_type} {self.object_id}"
