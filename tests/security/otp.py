"""Second-factor helpers for tests: a confirmed authenticator for a user, the
code it shows now, and a test client signed in with password and code.

Other test packages use `login_with_second_factor` wherever they open admin
pages (tests/conftest.py does for pytest-django's `admin_client`).
"""

import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP

from admissions.access.models import AuthenticatorApp, BackupCode, BackupCodes, backup_code_digest


def add_authenticator(user) -> AuthenticatorApp:
    return AuthenticatorApp.objects.create(user=user, name="Phone", confirmed=True)


def totp_code(device: AuthenticatorApp, *, steps_ahead: int = 0) -> str:
    """The code the app shows now (or `steps_ahead` periods later; the device
    accepts one step of drift and never the same step twice)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def add_backup_codes(user, codes=("backupcode1", "backupcode2")) -> BackupCodes:
    device = BackupCodes.objects.create(user=user, name="Backup codes", confirmed=True)
    for code in codes:
        BackupCode.objects.create(device=device, digest=backup_code_digest(device.pk, code))
    return device


def login_with_second_factor(client, user):
    """Sign `client` in as `user` as if they had typed password and code."""
    device = AuthenticatorApp.objects.filter(user=user, confirmed=True).first() or add_authenticator(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
