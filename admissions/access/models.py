"""Second factors whose secrets the database never holds in the clear, and
one-time staff invitations (issue 15 #2, #9).

- AuthenticatorApp: TOTP (django-otp's algorithm and throttling) with its key
  sealed by admissions.phi.crypto (AES-256-GCM, bound to this column, the
  patient-data key ring; `reencrypt_phi` re-seals it with the newest key).
- BackupCodes: single-use codes stored as keyed hashes (HMAC-SHA256 under
  PHI_LOOKUP_KEY, bound to the device): shown once, never readable again.
- StaffInvitation: an enrolment or lost-device link; only the SHA-256 of its
  random token is stored, it expires within hours and works once.

django-otp's own TOTP and static devices (plaintext keys and codes) are no
longer used: migration 0002 moved existing rows here and deleted them, and
admin.py takes their admin pages away.
"""

import hashlib
import secrets
import time
from base64 import b32encode
from binascii import unhexlify
from datetime import timedelta
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_otp.models import Device, DeviceManager, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP
from django_otp.util import random_hex

from admissions.phi import crypto
from admissions.phi.fields import EncryptedCharField


def new_totp_key() -> str:
    return random_hex(20)


class AuthenticatorAppManager(DeviceManager):
    def get_queryset(self):
        # The sealed key is opened only where a code is checked or shown, not
        # on every request whose session names the device (OTPMiddleware).
        return super().get_queryset().defer("key")


class AuthenticatorApp(TimestampMixin, ThrottlingMixin, Device):
    """An authenticator app (TOTP, RFC 6238), as django-otp's TOTPDevice but
    with the key sealed at rest."""

    objects = AuthenticatorAppManager()

    key = EncryptedCharField(
        max_length=80, default=new_totp_key, help_text="Sealed; never shown after enrolment."
    )
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = "authenticator app"

    @property
    def bin_key(self) -> bytes:
        return unhexlify(self.key.encode())

    def verify_token(self, token) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        try:
            token = int(token)
        except (TypeError, ValueError):
            verified = False
        else:
            totp = TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)
            totp.time = time.time()
            verified = totp.verify(token, self.tolerance, self.last_t + 1)
            if verified:
                self.last_t = totp.t()
                self.drift = totp.drift
                self.throttle_reset(commit=False)
                self.set_last_used_timestamp(commit=False)
                self.save()
        if not verified:
            self.throttle_increment(commit=True)
        return verified

    def get_throttle_factor(self):
        return getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1)

    @property
    def config_url(self) -> str:
        issuer = settings.OTP_TOTP_ISSUER.replace(":", "")
        label = f"{issuer}:{self.user.get_username()}"
        params = urlencode(
            {
                "secret": b32encode(self.bin_key),
                "algorithm": "SHA1",
                "digits": self.digits,
                "period": self.step,
            }
        )
        return f"otpauth://totp/{quote(label)}?{params}&issuer={quote(issuer)}"


def backup_code_digest(device_id, code: str) -> str:
    return crypto.lookup_hash("staff-backup-code", f"{device_id}:{code}")


class BackupCodes(ThrottlingMixin, Device):
    """Single-use backup codes; the codes themselves are only hashes here."""

    class Meta(Device.Meta):
        verbose_name = "backup codes"
        verbose_name_plural = "backup codes"

    def replace_codes(self, count: int) -> list[str]:
        """New codes (the old ones stop working); returns them, once."""
        codes = [random_code() for _ in range(count)]
        self.codes.all().delete()
        BackupCode.objects.bulk_create(
            [BackupCode(device=self, digest=backup_code_digest(self.pk, code)) for code in codes]
        )
        return codes

    def verify_token(self, token) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        digest = backup_code_digest(self.pk, str(token))
        deleted, _ = self.codes.filter(digest=digest).delete()
        if deleted:
            self.throttle_reset()
            return True
        self.throttle_increment()
        return False

    def get_throttle_factor(self):
        return getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1)


def random_code() -> str:
    """8 characters from a-z and 2-9 (no 0/o, 1/l): about 40 bits, as django-otp's."""
    alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


class BackupCode(models.Model):
    device = models.ForeignKey(BackupCodes, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64, db_index=True)

    def __str__(self):
        return f"backup code {self.pk}"


class StaffInvitation(models.Model):
    """A one-time link to enrol a second factor: for a new staff account, or
    after a lost device. Only the SHA-256 of the token is stored."""

    class Purpose(models.TextChoices):
        ENROL = "enrol", "Enrolment of a new account"
        RESET = "reset", "New second factor after a lost device"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # Wrong codes or passwords on its page; at MAX_FAILURES the link stops working.
    failures = models.PositiveSmallIntegerField(default=0)

    MAX_FAILURES = 5

    class Meta:
        ordering = ["-created_at"]
        permissions = [("invite_staff", "Can invite staff and reset their second factor")]

    def __str__(self):
        return f"{self.get_purpose_display()} for user {self.user_id}"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user, purpose, created_by) -> tuple["StaffInvitation", str]:
        """A new invitation and its token (the only time the token exists);
        any earlier unused invitation for the user stops working."""
        token = secrets.token_urlsafe(32)
        now = timezone.now()
        cls.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
        invitation = cls.objects.create(
            user=user,
            purpose=purpose,
            token_hash=cls.hash_token(token),
            created_by=created_by,
            created_at=now,
            expires_at=now + timedelta(hours=settings.STAFF_INVITATION_HOURS),
        )
        return invitation, token

    @classmethod
    def usable(cls, token: str):
        """The unused, unexpired invitation with this token, or None."""
        if not token or len(token) > 100:
            return None
        return (
            cls.objects.select_related("user")
            .filter(token_hash=cls.hash_token(token), used_at__isnull=True, expires_at__gt=timezone.now())
            .first()
        )
