"""The staff alert and auto-reply tasks moved from admissions.tasks to
admissions.intake.notifications. Tasks queued before the release name the old
path in the database queue; point them at the new one so none is lost.
The schema does not change."""

from django.db import migrations

MOVED = {
    "admissions.tasks.staff_alert_send": "admissions.intake.notifications.staff_alert_send",
    "admissions.tasks.auto_reply_send": "admissions.intake.notifications.auto_reply_send",
}


def forwards(apps, schema_editor):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    for old, new in MOVED.items():
        DBTaskResult.objects.filter(task_path=old).update(task_path=new)


def backwards(apps, schema_editor):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    for old, new in MOVED.items():
        DBTaskResult.objects.filter(task_path=new).update(task_path=old)


class Migration(migrations.Migration):
    dependencies = [
        ("admissions", "0005_eligibility_check"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=True)]
