"""LeadWeek counts spread over slots, so that concurrent submissions stop
queueing on one row (admissions.models.weekly). The existing rows become slot 0;
the trigger then writes to the writing transaction's slot."""

from django.conf import settings
from django.db import migrations, models


def _lock(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("LOCK TABLE admissions_lead IN SHARE ROW EXCLUSIVE MODE")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite (make run): no trigger, the dashboard counts leads directly
    from admissions.models.weekly import SLOTS, trigger_sql

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(trigger_sql(settings.TIME_ZONE, slots=SLOTS))


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from admissions.models.weekly import refill_sql, trigger_sql

    with schema_editor.connection.cursor() as cursor:
        cursor.execute("LOCK TABLE admissions_lead IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(trigger_sql(settings.TIME_ZONE, slots=1))
        cursor.execute(refill_sql(settings.TIME_ZONE))  # one row per count again, slot 0


class Migration(migrations.Migration):
    dependencies = [("admissions", "0021_levels_of_care_are_english_originals")]

    operations = [
        migrations.RunPython(_lock, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="leadweek", name="lead_week_once"),
        migrations.AddField(
            model_name="leadweek",
            name="slot",
            field=models.SmallIntegerField(db_default=0, default=0),
        ),
        migrations.AddConstraint(
            model_name="leadweek",
            constraint=models.UniqueConstraint(
                fields=("week", "status", "channel", "level_of_care_id", "source", "slot"),
                name="lead_week_once",
                nulls_distinct=False,
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
