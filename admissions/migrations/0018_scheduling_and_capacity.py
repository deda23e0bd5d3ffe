"""Issue 11, scheduling and capacity: appointments (assessment, admission)
on a lead, program tracks with their seats or beds, the seat an admitted lead
holds and the waitlist of a full track; the statuses Screening and
Waitlisted for a seat on the path (PIPELINE), and the timeline kinds
Appointment and Seat or waitlist. Existing leads keep their status: no value
goes away. The "not reached yet" index lists the open statuses, so it is
rebuilt with the two new ones.

Roles: coordinators and managers schedule, admit to tracks and free seats;
managers also set tracks up; clinicians see the day's appointments and the
census. A PostgreSQL index on admission events serves the dashboard's
median time from first contact to admission.

Re-chaining note: numbered after the migrations in the tree when it was
written (0012-0017); the brief's "0012 after 0011" would have made a second leaf. The AlterField on LeadEvent.kind lists every
kind the model has now (benefits, screening, appointment, seat).
"""

import admissions.phi.fields
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

COORDINATOR = "Admissions coordinator"
MANAGER = "Admissions manager"
CLINICIAN = "Clinician"

SCHEDULING = [
    "view_appointment",
    "add_appointment",
    "change_appointment",
    "view_programtrack",
    "admit_to_track",
    "view_trackseat",
    "view_waitlistentry",
]
ROLE_PERMISSIONS = {
    COORDINATOR: SCHEDULING,
    MANAGER: [*SCHEDULING, "add_programtrack", "change_programtrack"],
    CLINICIAN: ["view_appointment", "view_programtrack"],
}
ADMITTED_INDEX = (
    "CREATE INDEX IF NOT EXISTS lead_event_admitted ON admissions_leadevent (at) "
    "WHERE to_status = 'admitted'"
)


def grant(apps, schema_editor):
    """Only adds what is missing (tests/conftest.py runs it again after a flush)."""
    # Permissions are normally created after all migrations; the grants need them now.
    app_config = apps.get_app_config("admissions")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="admissions", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, codenames in ROLE_PERMISSIONS.items():
        for group in Group.objects.filter(name=name):
            group.permissions.remove(*group.permissions.filter(codename__in=codenames))


def admitted_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADMITTED_INDEX)


def drop_admitted_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS lead_event_admitted")


class Migration(migrations.Migration):

    dependencies = [
        ('admissions', '0017_move_card_photo_files'),
        ('programs', '0005_pictures_team_reviews_seals'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Appointment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('assessment', 'Assessment'), ('admission', 'Admission')], help_text='Assessment (the clinical intake interview) or admission (the first day).', max_length=20)),
                ('starts_at', models.DateTimeField(help_text="When it starts (shown in the center's time zone, Pacific).", verbose_name='date and time')),
                ('minutes', models.PositiveSmallIntegerField(default=60, help_text='How long it is planned to take.', verbose_name='length in minutes')),
                ('mode', models.CharField(choices=[('in_person', 'In person'), ('telehealth', 'Telehealth (video)')], default='in_person', help_text='At the center, or by video.', max_length=20, verbose_name='in person or telehealth')),
                ('status', models.CharField(choices=[('scheduled', 'Scheduled'), ('kept', 'Kept'), ('no_show', 'Did not come'), ('cancelled', 'Cancelled')], default='scheduled', help_text='Scheduled until it is kept, missed or cancelled.', max_length=20)),
                ('notes', admissions.phi.fields.EncryptedTextField(blank=True, help_text='What to prepare or bring. May hold patient data: encrypted, never in a reminder.', max_length=2000)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, help_text='When it was booked.')),
                ('updated_at', models.DateTimeField(default=django.utils.timezone.now, help_text='Last change (the purge counts from it).')),
                ('reminder_sent_at', models.DateTimeField(blank=True, editable=False, help_text='When the reminder went to the coordinator; empty until then (send_appointment_reminders).', null=True)),
            ],
            options={
                'ordering': ['starts_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='ProgramTrack',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text="What staff call it, e.g. “IOP evening” or “Women's house”.", max_length=60, unique=True)),
                ('level', models.CharField(choices=[('php', 'Partial hospitalization (PHP)'), ('iop', 'Intensive outpatient (IOP)'), ('sober_living', 'Sober living')], help_text='PHP, IOP or sober living.', max_length=20, verbose_name='level of care')),
                ('seats', models.PositiveSmallIntegerField(help_text='Group seats (PHP, IOP) or beds (sober living) it holds at once.', verbose_name='seats or beds')),
                ('meets', models.CharField(blank=True, help_text='Days and hours, e.g. “Mon, Wed, Thu 6–9 p.m.” (empty for a house).', max_length=120, verbose_name='when it meets')),
                ('next_start_on', models.DateField(blank=True, help_text='The next day new people may start; the admission form suggests it. Empty: any day.', null=True, verbose_name='next start date')),
                ('active', models.BooleanField(default=True, help_text="Taking admissions. An inactive track keeps its seats' history.")),
            ],
            options={
                'ordering': ['level', 'name'],
                'permissions': [('admit_to_track', 'Can admit leads to a track, wait-list them and free seats')],
            },
        ),
        migrations.CreateModel(
            name='TrackSeat',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('starts_on', models.DateField(help_text="The person's first day in the group or house.", verbose_name='start date')),
                ('taken_at', models.DateTimeField(default=django.utils.timezone.now, help_text='When the lead was admitted to it.')),
                ('freed_at', models.DateTimeField(blank=True, help_text='When the seat was freed; empty while the person holds it.', null=True)),
                ('end', models.CharField(blank=True, choices=[('completed', 'Completed the program'), ('left', 'Left before completing'), ('stepped', 'Moved to another level or track'), ('never_came', 'Never started')], help_text='Empty while held.', max_length=20, verbose_name='why it ended')),
            ],
            options={
                'ordering': ['taken_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='WaitlistEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('added_at', models.DateTimeField(default=django.utils.timezone.now, help_text='When the lead joined the list (its order).')),
                ('wanted_start_on', models.DateField(blank=True, help_text='The first day asked for when wait-listed.', null=True, verbose_name='wanted start date')),
                ('offered_at', models.DateTimeField(blank=True, help_text='When a freed seat was offered to this lead; the seat is kept for them.', null=True)),
                ('closed_at', models.DateTimeField(blank=True, help_text='When the lead left the list; empty while waiting.', null=True)),
                ('outcome', models.CharField(blank=True, choices=[('admitted', 'Took the seat'), ('declined', 'Declined or no longer needed'), ('removed', 'Taken off by staff')], help_text='How the wait ended. Empty while waiting.', max_length=20)),
            ],
            options={
                'verbose_name_plural': 'waitlist entries',
                'ordering': ['added_at', 'id'],
            },
        ),
        migrations.RemoveIndex(
            model_name='lead',
            name='lead_not_reached',
        ),
        migrations.AlterField(
            model_name='lead',
            name='status',
            field=models.CharField(choices=[('new', 'New'), ('contact_attempted', 'Contact attempted'), ('contacted', 'Contacted'), ('insurance_verification', 'Insurance verification'), ('verified', 'Verified'), ('screening', 'Screening'), ('assessment_scheduled', 'Assessment scheduled'), ('waitlisted', 'Waitlisted for a seat'), ('admitted', 'Admitted'), ('not_a_fit', 'Closed: not a fit'), ('referred_out', 'Closed: referred out'), ('unreachable', 'Closed: unreachable'), ('declined', 'Closed: declined'), ('duplicate', 'Closed: duplicate'), ('spam', 'Closed: spam')], default='new', max_length=32),
        ),
        migrations.AlterField(
            model_name='leadevent',
            name='from_status',
            field=models.CharField(blank=True, choices=[('new', 'New'), ('contact_attempted', 'Contact attempted'), ('contacted', 'Contacted'), ('insurance_verification', 'Insurance verification'), ('verified', 'Verified'), ('screening', 'Screening'), ('assessment_scheduled', 'Assessment scheduled'), ('waitlisted', 'Waitlisted for a seat'), ('admitted', 'Admitted'), ('not_a_fit', 'Closed: not a fit'), ('referred_out', 'Closed: referred out'), ('unreachable', 'Closed: unreachable'), ('declined', 'Closed: declined'), ('duplicate', 'Closed: duplicate'), ('spam', 'Closed: spam')], max_length=32),
        ),
        migrations.AlterField(
            model_name='leadevent',
            name='kind',
            field=models.CharField(choices=[('submitted', 'Request received'), ('status', 'Status changed'), ('call', 'Call attempt'), ('note', 'Note'), ('assigned', 'Assigned'), ('follow_up', 'Follow-up set'), ('merged', 'Merged'), ('split', 'Request moved'), ('contact_stopped', 'Asked us to stop contacting them'), ('spam_cleared', 'Not spam'), ('screening', 'Pre-admission screening'), ('benefits', 'Benefits verification'), ('appointment', 'Appointment'), ('seat', 'Seat or waitlist')], max_length=20),
        ),
        migrations.AlterField(
            model_name='leadevent',
            name='to_status',
            field=models.CharField(blank=True, choices=[('new', 'New'), ('contact_attempted', 'Contact attempted'), ('contacted', 'Contacted'), ('insurance_verification', 'Insurance verification'), ('verified', 'Verified'), ('screening', 'Screening'), ('assessment_scheduled', 'Assessment scheduled'), ('waitlisted', 'Waitlisted for a seat'), ('admitted', 'Admitted'), ('not_a_fit', 'Closed: not a fit'), ('referred_out', 'Closed: referred out'), ('unreachable', 'Closed: unreachable'), ('declined', 'Closed: declined'), ('duplicate', 'Closed: duplicate'), ('spam', 'Closed: spam')], max_length=32),
        ),
        migrations.AddIndex(
            model_name='lead',
            index=models.Index(condition=models.Q(('first_contact_at__isnull', True), ('status__in', ('new', 'contact_attempted', 'contacted', 'insurance_verification', 'verified', 'screening', 'assessment_scheduled', 'waitlisted'))), fields=['received_at'], name='lead_not_reached'),
        ),
        migrations.AddField(
            model_name='appointment',
            name='created_by',
            field=models.ForeignKey(help_text='Who booked it.', on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='appointment',
            name='lead',
            field=models.ForeignKey(help_text='The person coming in; the appointment is erased with the lead.', on_delete=django.db.models.deletion.CASCADE, related_name='appointments', to='admissions.lead'),
        ),
        migrations.AddField(
            model_name='appointment',
            name='with_whom',
            field=models.ForeignKey(help_text='The staff member who sees the person (a clinician or a coordinator).', on_delete=django.db.models.deletion.PROTECT, related_name='appointments', to=settings.AUTH_USER_MODEL, verbose_name='with'),
        ),
        migrations.AddField(
            model_name='trackseat',
            name='freed_by',
            field=models.ForeignKey(blank=True, help_text='Who freed it.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='trackseat',
            name='lead',
            field=models.ForeignKey(help_text='The person admitted; the seat goes with the lead when it is purged.', on_delete=django.db.models.deletion.CASCADE, related_name='seats', to='admissions.lead'),
        ),
        migrations.AddField(
            model_name='trackseat',
            name='taken_by',
            field=models.ForeignKey(help_text='Who admitted the lead.', on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='trackseat',
            name='track',
            field=models.ForeignKey(help_text='Where the seat is.', on_delete=django.db.models.deletion.PROTECT, related_name='track_seats', to='admissions.programtrack'),
        ),
        migrations.AddField(
            model_name='waitlistentry',
            name='added_by',
            field=models.ForeignKey(help_text='Who wait-listed the lead.', on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='waitlistentry',
            name='lead',
            field=models.ForeignKey(help_text='The person waiting; the place goes with the lead when it is purged.', on_delete=django.db.models.deletion.CASCADE, related_name='waitlist_entries', to='admissions.lead'),
        ),
        migrations.AddField(
            model_name='waitlistentry',
            name='track',
            field=models.ForeignKey(help_text='The track waited for.', on_delete=django.db.models.deletion.PROTECT, related_name='waitlist', to='admissions.programtrack'),
        ),
        migrations.AddIndex(
            model_name='appointment',
            index=models.Index(fields=['starts_at'], name='appointment_day'),
        ),
        migrations.AddIndex(
            model_name='appointment',
            index=models.Index(fields=['lead', 'starts_at'], name='appointment_lead'),
        ),
        migrations.AddIndex(
            model_name='appointment',
            index=models.Index(condition=models.Q(('reminder_sent_at__isnull', True), ('status', 'scheduled')), fields=['starts_at'], name='appointment_reminder_owed'),
        ),
        migrations.AddIndex(
            model_name='trackseat',
            index=models.Index(condition=models.Q(('freed_at__isnull', True)), fields=['track'], name='seat_held_by_track'),
        ),
        migrations.AddConstraint(
            model_name='trackseat',
            constraint=models.UniqueConstraint(condition=models.Q(('freed_at__isnull', True)), fields=('lead',), name='seat_one_held_per_lead'),
        ),
        migrations.AddIndex(
            model_name='waitlistentry',
            index=models.Index(condition=models.Q(('closed_at__isnull', True)), fields=['track', 'added_at', 'id'], name='waitlist_order'),
        ),
        migrations.AddConstraint(
            model_name='waitlistentry',
            constraint=models.UniqueConstraint(condition=models.Q(('closed_at__isnull', True)), fields=('lead',), name='waitlist_one_place_per_lead'),
        ),
        migrations.RunPython(grant, revoke),
        migrations.RunPython(admitted_index, drop_admitted_index),
    ]
