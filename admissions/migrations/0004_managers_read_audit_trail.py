"""Admissions managers read the audit trail (view only: the admin allows no
add, change or delete on it for anyone)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MANAGER = "Admissions manager"


def forwards(apps, schema_editor):
    # Permissions are normally created after all migrations; the grant needs it now.
    app_config = apps.get_app_config("admissions")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=MANAGER)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="admissions", codename="view_auditevent")
    )


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name=MANAGER):
        group.permissions.remove(*group.permissions.filter(codename="view_auditevent"))


class Migration(migrations.Migration):
    dependencies = [("admissions", "0003_audit_event")]

    operations = [migrations.RunPython(forwards, backwards)]
