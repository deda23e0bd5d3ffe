"""Issue 14, card photos shared across app hosts: insurance card photos move
from the app host's disk into PostgreSQL (admissions.models.card_photos).

This one adds the table, points the two FileFields at the database storage
and, on PostgreSQL, stores the sealed bytes out of line without compression
(a token does not compress) and adds the trigger that deletes a request's
photos with it. 0017 moves the files already on disk.

Numbered after the migrations in the tree when it was written (0012-0015);
the brief's "0012 after 0011" would have made a second leaf.
"""

import django.utils.timezone
from django.db import migrations, models

import admissions.models.card_photos
import admissions.models.requests


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite (make run): the purge and the spam delete remove photos themselves
    from admissions.models.card_photos import TRIGGER_SQL

    with schema_editor.connection.cursor() as cursor:
        cursor.execute("ALTER TABLE admissions_cardphoto ALTER COLUMN sealed SET STORAGE EXTERNAL")
        cursor.execute(TRIGGER_SQL)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from admissions.models.card_photos import DROP_TRIGGER_SQL

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(DROP_TRIGGER_SQL)


class Migration(migrations.Migration):
    dependencies = [("admissions", "0015_lead_growth")]

    operations = [
        migrations.CreateModel(
            name="CardPhoto",
            fields=[
                ("name", models.CharField(max_length=100, primary_key=True, serialize=False)),
                (
                    "sealed",
                    models.BinaryField(
                        help_text="AES-256-GCM token of the JPEG (phi1.<key id>.…), bound to the name."
                    ),
                ),
                ("size", models.PositiveIntegerField(help_text="Bytes of the JPEG before sealing.")),
                ("stored_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={"verbose_name": "insurance card photo"},
        ),
        migrations.AlterField(
            model_name="insuranceverification",
            name="card_back",
            field=models.FileField(
                blank=True,
                storage=admissions.models.card_photos.card_photo_storage,
                upload_to=admissions.models.requests.card_image_name,
            ),
        ),
        migrations.AlterField(
            model_name="insuranceverification",
            name="card_front",
            field=models.FileField(
                blank=True,
                storage=admissions.models.card_photos.card_photo_storage,
                upload_to=admissions.models.requests.card_image_name,
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
