"""The permission to hand an admitted lead to the clinical record (a FHIR
file), granted to admissions managers."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MANAGER = "Admissions manager"


def grant_to_managers(apps, schema_editor):
    # Permissions are normally created after all migrations; the grant needs it now.
    app_config = apps.get_app_config("admissions")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=MANAGER)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="admissions", codename="export_fhir_bundle")
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name=MANAGER):
        group.permissions.remove(*group.permissions.filter(codename="export_fhir_bundle"))


class Migration(migrations.Migration):
    dependencies = [("admissions", "0013_pre_admission_screening")]

    operations = [
        migrations.AlterModelOptions(
            name="lead",
            options={
                "ordering": ["-received_at"],
                "permissions": [
                    ("export_lead", "Can export leads as CSV"),
                    ("reassign_lead", "Can reassign leads to another coordinator"),
                    ("view_lead_dashboard", "Can view the admissions dashboard"),
                    ("view_card_image", "Can view insurance card images"),
                    ("export_fhir_bundle", "Can hand an admitted lead to the clinical record (FHIR file)"),
                ],
            },
        ),
        migrations.RunPython(grant_to_managers, revoke),
    ]
