"""Lead.spanish, kept by a trigger on both request tables
(admissions/models/spanish.py), filled from the requests already stored, and
the partial index the inbox's Spanish filter reads."""

from django.db import migrations, models


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite (make run): the inbox asks the requests
    from admissions.models.spanish import REFILL_SQL, TRIGGER_SQL

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "LOCK TABLE admissions_consultationrequest, admissions_insuranceverification IN SHARE ROW EXCLUSIVE MODE"
        )
        cursor.execute(TRIGGER_SQL)
        cursor.execute(REFILL_SQL)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from admissions.models.spanish import DROP_SQL

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [("admissions", "0022_lead_week_slots")]

    operations = [
        migrations.AddField(
            model_name="lead",
            name="spanish",
            field=models.BooleanField(
                db_default=False,
                default=False,
                editable=False,
                help_text=(
                    "One of the lead's requests came through the Spanish form or asked for Spanish. "
                    "Kept by the database on PostgreSQL (admissions/models/spanish.py); the inbox's badge and filter."
                ),
            ),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                condition=models.Q(("spanish", True)), fields=["status", "-received_at"], name="lead_spanish"
            ),
        ),
    ]
