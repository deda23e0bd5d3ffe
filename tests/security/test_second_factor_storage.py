"""Issue 15 #9: no second-factor secret is readable in the admin or stored in
the clear. TOTP keys are sealed (admissions.phi.crypto, bound to their
column), backup codes are keyed hashes, django-otp's admin pages (key, QR
code, codes) are gone, and a migration moves existing plaintext rows. The
canary part: a real pg_dump of the test database holds none of them."""

import base64
import importlib
import subprocess

import pytest
from django.apps import apps
from django.db import connection
from django.urls import NoReverseMatch, reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from admissions.access.mfa import new_backup_codes
from admissions.access.models import AuthenticatorApp, BackupCodes
from admissions.management.commands.reencrypt_phi import encrypted_columns

from .otp import add_authenticator, login_with_second_factor, totp_code

pytestmark = pytest.mark.django_db


def secret_forms(device) -> list[str]:
    """Every way the key could appear: hex, base32 (the app's setup key), base64."""
    key = device.bin_key
    return [
        key.hex(),
        key.hex().upper(),
        base64.b32encode(key).decode().rstrip("="),
        base64.b64encode(key).decode(),
    ]


@pytest.mark.parametrize(
    "name",
    ["otp_totp_totpdevice_changelist", "otp_static_staticdevice_changelist", "otp_totp_totpdevice_config"],
)
def test_django_otps_admin_pages_are_gone(name):
    with pytest.raises(NoReverseMatch):
        reverse(f"admin:{name}", args=[1] if name.endswith("config") else [])


def test_the_device_admin_shows_no_secret(client, admin_user, coordinator):
    device = add_authenticator(coordinator)
    codes = new_backup_codes(coordinator)
    login_with_second_factor(client, admin_user)
    pages = [
        reverse("admin:staff_access_authenticatorapp_changelist"),
        reverse("admin:staff_access_authenticatorapp_change", args=[device.pk]),
        reverse("admin:staff_access_backupcodes_changelist"),
        reverse("admin:staff_access_backupcodes_change", args=[BackupCodes.objects.get(user=coordinator).pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not any(form in html for form in secret_forms(device)), url
        assert not any(code in html for code in codes), url
        assert "otpauth" not in html and "phi1." not in html, url
    assert client.post(pages[1], {"key": "00" * 20}).status_code == 403  # read-only for superusers too


def test_keys_are_sealed_and_codes_hashed_in_the_table(coordinator):
    device = add_authenticator(coordinator)
    codes = new_backup_codes(coordinator)
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM staff_access_authenticatorapp WHERE id = %s", [device.pk])
        (stored,) = cursor.fetchone()
        cursor.execute("SELECT digest FROM staff_access_backupcode")
        digests = [row[0] for row in cursor.fetchall()]
    assert stored.startswith("phi1.") and device.key not in stored
    assert len(digests) == 10 and not set(codes) & set(digests)
    assert AuthenticatorApp in [model for model, _ in encrypted_columns()]  # reencrypt_phi re-seals it


def test_the_migration_moves_plaintext_devices_and_deletes_them(client, coordinator):
    old = TOTPDevice.objects.create(user=coordinator, name="Old phone", confirmed=True)
    TOTPDevice.objects.create(user=coordinator, name="Half-enrolled", confirmed=False)
    static = StaticDevice.objects.create(user=coordinator, name="Backup codes", confirmed=True)
    StaticToken.objects.create(device=static, token="oldcode12")
    migration = importlib.import_module("admissions.access.migrations.0002_move_plaintext_second_factors")
    migration.forwards(apps, None)

    assert (
        not TOTPDevice.objects.exists()
        and not StaticToken.objects.exists()
        and not StaticDevice.objects.exists()
    )
    moved = AuthenticatorApp.objects.get(user=coordinator)
    assert moved.bin_key == old.bin_key and moved.confirmed and moved.name == "Old phone"
    # Both still sign in.
    client.post(
        reverse("admin:login"),
        {"username": coordinator.username, "password": "a-long-staff-passphrase-for-tests"},
    )
    assert client.post(reverse("mfa:verify"), {"token": totp_code(moved)}).status_code == 302
    assert BackupCodes.objects.get(user=coordinator).verify_token("oldcode12")


@pytest.mark.django_db(transaction=True)
def test_a_pg_dump_holds_no_second_factor_secret(coordinator, manager):
    """The canary part for second factors: TOTP keys (every encoding) and
    backup codes are nowhere in a dump of the (committed) test database."""
    devices = [add_authenticator(coordinator), add_authenticator(manager)]
    codes = new_backup_codes(coordinator) + new_backup_codes(manager)
    db = connection.settings_dict
    dump = subprocess.run(  # noqa: S603 - the PostgreSQL client, fixed arguments
        [
            "pg_dump",
            "--data-only",
            "-h",
            db["HOST"] or "127.0.0.1",
            "-p",
            str(db["PORT"] or 5432),
            "-U",
            db["USER"] or "postgres",
            db["NAME"],
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    assert "staff_access_authenticatorapp" in dump and "phi1." in dump  # the rows are in it, sealed
    for device in devices:
        for form in secret_forms(device):
            assert form not in dump, "a TOTP key in the dump"
    for code in codes:
        assert code not in dump, "a backup code in the dump"
