"""Existing second factors into the sealed models, and the plaintext rows out.

django-otp's TOTP devices (hex key in the clear) become AuthenticatorApp rows
(key sealed by admissions.phi.crypto); its static tokens become keyed hashes.
The plaintext rows are then deleted, so neither the database nor a later
backup holds them. Enrolment in progress (unconfirmed devices) is dropped:
enrolment is by invitation now. Managers get the permission to invite staff.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from admissions.access.models import backup_code_digest

    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    StaticDevice = apps.get_model("otp_static", "StaticDevice")
    AuthenticatorApp = apps.get_model("staff_access", "AuthenticatorApp")
    BackupCodes = apps.get_model("staff_access", "BackupCodes")
    BackupCode = apps.get_model("staff_access", "BackupCode")

    for old in TOTPDevice.objects.filter(confirmed=True).iterator():
        AuthenticatorApp.objects.create(
            user_id=old.user_id,
            name=old.name,
            confirmed=True,
            key=old.key,  # sealed by the field on the way in
            step=old.step,
            t0=old.t0,
            digits=old.digits,
            tolerance=old.tolerance,
            drift=old.drift,
            last_t=old.last_t,
            created_at=old.created_at,
            last_used_at=old.last_used_at,
        )
    TOTPDevice.objects.all().delete()

    for old in StaticDevice.objects.filter(confirmed=True).iterator():
        device = BackupCodes.objects.create(user_id=old.user_id, name=old.name, confirmed=True)
        BackupCode.objects.bulk_create(
            BackupCode(device=device, digest=backup_code_digest(device.pk, token.token))
            for token in old.token_set.all()
        )
    StaticDevice.objects.all().delete()  # their tokens go with them


def grant_invitations_to_managers(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label="staff_access", model="staffinvitation")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="invite_staff",
        defaults={"name": "Can invite staff and reset their second factor"},
    )
    for group in Group.objects.filter(name="Admissions manager"):
        group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("staff_access", "0001_sealed_second_factors_and_invitations"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
        ("admissions", "0004_managers_read_audit_trail"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(grant_invitations_to_managers, migrations.RunPython.noop),
    ]
