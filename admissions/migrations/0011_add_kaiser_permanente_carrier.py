"""Kaiser Permanente in the insurance form's carrier list (it is in the payer
directory, admissions/eligibility/payers.py, and people look for it by name)."""

from django.db import migrations

NAME = "Kaiser Permanente"


def add(apps, schema_editor):
    InsuranceCarrier = apps.get_model("admissions", "InsuranceCarrier")
    # After Health Net (order 70) in the list seeded by 0002.
    InsuranceCarrier.objects.get_or_create(name=NAME, defaults={"order": 75})


class Migration(migrations.Migration):
    dependencies = [
        ("admissions", "0010_encrypt_existing_names"),
    ]

    # Not removed on the way back: requests may name it by then.
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
