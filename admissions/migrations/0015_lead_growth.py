"""Issue 14, 1,000,000 leads: the dashboard's weekly counts kept in step by a
trigger (admissions.models.weekly), filled here from the leads; the index the
dashboard's medians walk; and the indexes that let the inbox's "alert not
sent" flag skip the request tables' rows whose alert went out.

Numbered after the migrations in the tree when it was written (0012-0014);
the brief's "0012 after 0011" would have made a second leaf.
"""

from django.conf import settings
from django.db import migrations, models

# The inbox's "alert not sent" flag asks every listed lead whether a request
# still owes its staff alert: without these PostgreSQL read every request.
ALERT_INDEXES = [
    "CREATE INDEX consultation_alert_owed ON admissions_consultationrequest (lead_id, submitted_at) "
    "WHERE staff_alert_sent_at IS NULL",
    "CREATE INDEX insurance_alert_owed ON admissions_insuranceverification (lead_id, submitted_at) "
    "WHERE staff_alert_sent_at IS NULL",
]
DROP_INDEXES = [
    "DROP INDEX IF EXISTS lead_contact_delay_week",
    "DROP INDEX IF EXISTS consultation_alert_owed",
    "DROP INDEX IF EXISTS insurance_alert_owed",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite (make run): the dashboard counts leads directly
    from admissions.models.weekly import delay_index_sql, refill_sql, trigger_sql

    with schema_editor.connection.cursor() as cursor:
        cursor.execute("LOCK TABLE admissions_lead IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(trigger_sql(settings.TIME_ZONE, slots=1))  # the slot column came in 0022
        cursor.execute(refill_sql(settings.TIME_ZONE))
        # The median time to first contact per week walks this index to the middle.
        cursor.execute(delay_index_sql(settings.TIME_ZONE))
        for sql in ALERT_INDEXES:
            cursor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from admissions.models.weekly import DROP_TRIGGER_SQL

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(DROP_TRIGGER_SQL)
        for sql in DROP_INDEXES:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("admissions", "0014_handoff_permission")]

    operations = [
        migrations.CreateModel(
            name="LeadWeek",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("week", models.DateField(help_text="Local Monday of the week the leads were received in.")),
                ("status", models.CharField(max_length=32)),
                ("channel", models.CharField(max_length=20)),
                ("level_of_care_id", models.BigIntegerField(null=True)),
                ("source", models.CharField(max_length=100)),
                ("leads", models.IntegerField(default=0)),
                (
                    "contacted",
                    models.IntegerField(
                        default=0, help_text="Of them, reached by staff (first contact set)."
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("week", "status", "channel", "level_of_care_id", "source"),
                        name="lead_week_once",
                        nulls_distinct=False,
                    )
                ],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
