"""Pre-admission screening (issue 11): the screen and its substances, the
timeline's "Pre-admission screening" event, and the roles: a new Clinician
group (reads leads, fills in and signs off screens), and coordinators and
managers fill in screens (no sign-off).

Re-chaining note: the AlterField on LeadEvent.kind lists every kind the model
had when this was written (the benefits kind included); the last migration
to alter it must list them all.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

import admissions.phi.fields

CLINICIAN = "Clinician"
COORDINATOR = "Admissions coordinator"
MANAGER = "Admissions manager"

SCREENING_WORK = [
    ("admissions", "view_preadmissionscreening"),
    ("admissions", "add_preadmissionscreening"),
    ("admissions", "change_preadmissionscreening"),
]
CLINICIAN_PERMISSIONS = [
    ("admissions", "view_lead"),
    ("admissions", "view_leadevent"),
    *SCREENING_WORK,
    ("admissions", "sign_off_screening"),
]
ROLE_PERMISSIONS = {
    CLINICIAN: CLINICIAN_PERMISSIONS,
    COORDINATOR: SCREENING_WORK,
    MANAGER: SCREENING_WORK,
}


def seed_clinician_role(apps, schema_editor):
    """The Clinician group, and screening work for coordinators and managers.
    Only adds what is missing (tests/conftest.py runs it again after a flush)."""
    # Permissions are normally created after all migrations; the grants need them now.
    app_config = apps.get_app_config("admissions")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in permissions:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove_clinician_role(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name=CLINICIAN).delete()
    codenames = [codename for _, codename in SCREENING_WORK]
    for group in Group.objects.filter(name__in=[COORDINATOR, MANAGER]):
        group.permissions.remove(*group.permissions.filter(codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("admissions", "0012_benefits_verification"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="leadevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("submitted", "Request received"),
                    ("status", "Status changed"),
                    ("call", "Call attempt"),
                    ("note", "Note"),
                    ("assigned", "Assigned"),
                    ("follow_up", "Follow-up set"),
                    ("merged", "Merged"),
                    ("split", "Request moved"),
                    ("contact_stopped", "Asked us to stop contacting them"),
                    ("spam_cleared", "Not spam"),
                    ("screening", "Pre-admission screening"),
                    ("benefits", "Benefits verification"),
                ],
                max_length=20,
            ),
        ),
        migrations.CreateModel(
            name="PreAdmissionScreening",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "started_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, help_text="When the screen was first saved."
                    ),
                ),
                (
                    "updated_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, help_text="When the answers were last saved."
                    ),
                ),
                (
                    "withdrawal_history",
                    admissions.phi.fields.EncryptedTextField(
                        blank=True,
                        help_text="Earlier withdrawals and detox stays: when, from what, what happened.",
                        max_length=2000,
                        verbose_name="past withdrawal",
                    ),
                ),
                (
                    "withdrawal_symptoms_now",
                    admissions.phi.fields.EncryptedCharField(
                        blank=True,
                        choices=[("yes", "Yes"), ("no", "No"), ("declined", "Declined to answer")],
                        help_text="Shaking, sweating, nausea, racing heart, anxiety, seeing or hearing things, cravings, aches.",
                        max_length=10,
                        verbose_name="withdrawal symptoms now",
                    ),
                ),
                (
                    "withdrawal_symptoms_detail",
                    admissions.phi.fields.EncryptedTextField(
                        blank=True,
                        help_text="The symptoms they describe and since when.",
                        max_length=500,
                        verbose_name="which symptoms now",
                    ),
                ),
                (
                    "withdrawal_seizures_or_dts",
                    admissions.phi.fields.EncryptedCharField(
                        blank=True,
                        choices=[("yes", "Yes"), ("no", "No"), ("declined", "Declined to answer")],
                        help_text="A seizure or delirium tremens (DTs) while stopping or cutting down, ever.",
                        max_length=10,
                        verbose_name="ever had a withdrawal seizure or the DTs",
                    ),
                ),
                (
                    "asq_wished_dead",
                    admissions.phi.fields.EncryptedCharField(
                        blank=True,
                        choices=[("yes", "Yes"), ("no", "No"), ("declined", "Declined to answer")],
                        max_length=10,
                        verbose_name="1. In the past few weeks, have you wished you were dead?",
                    ),
                ),
                (
                    "asq_better_off_dead",
                    admissions.phi.fields.EncryptedCharField(
                        blank=True,
                        choices=[("yes", "Yes"), ("no", "No"), ("declined", "Declined to answer")],
                        max_length=10,
                        verbose_name="2. In the past few weeks, have you felt that you or your family would be better off if you were dead?",
                    ),
                ),
                (
                    "asq_thoughts_of_killing_self",
                    admissions.phi.fields.EncryptedCharField(
                        blank=True,
                        choices=[("yes", "Yes"), ("no", "No"), ("declined", "Declined to answer")],
                        max_length=10,
                        verbose_name="3. In the past week, have you been having thoughts about killing yourself?",
                    ),
                ),
                (
                    "asq_ever_tried",
                    admissions.phi.fields.EncryptedCharField(
                        blank=True,
                        choices=[("yes", "Yes"), ("no", "No"), ("declined", "Declined to answer")],
                        max_length=10,
                        verbose_name="4. Have you ever tried to kill yourself?",
                    ),
                ),
                (
                    "asq_tried_how_when",
                    admissions.phi.fields.EncryptedTextField(
                        blank=True,
                        help_text="In their words.",
                        max_length=500,
                        verbose_name="if yes to 4: how, and when?",
                    ),
                ),
                (
                    "asq_thoughts_right_now",
                    admissions.phi.fields.EncryptedCharField(
                        blank=True,
                        choices=[("yes", "Yes"), ("no", "No"), ("declined", "Declined to answer")],
                        help_text="Ask only when any answer above is yes (or they declined to answer).",
                        max_length=10,
                        verbose_name="5. Are you having thoughts of killing yourself right now?",
                    ),
                ),
                (
                    "intoxication_withdrawal_score",
                    admissions.phi.fields.EncryptedCharField(
                        blank=True,
                        choices=[
                            ("0", "0: none"),
                            ("1", "1: mild"),
                            ("2", "2: moderate"),
                            ("3", "3: significant"),
                            ("4", "4: severe"),
                        ],
                        help_text="ASAM dimension 1, acute intoxication and/or withdrawal potential: 0 none to 4 severe. Empty until scored.",
                        max_length=1,
                        verbose_name="dimension 1 score",
                    ),
                ),
                (
                    "intoxication_withdrawal_note",
                    admissions.phi.fields.EncryptedTextField(
                        blank=True,
                        help_text="Why this score, in a sentence or two.",
                        max_length=500,
                        verbose_name="dimension 1 note",
                    ),
                ),
                (
                    "biomedical_score",
                    admissions.phi.fields.EncryptedCharField(
                        blank=True,
                        choices=[
                            ("0", "0: none"),
                            ("1", "1: mild"),
                            ("2", "2: moderate"),
                            ("3", "3: significant"),
                            ("4", "4: severe"),
                        ],
                        help_text="ASAM dimension 2, biomedical conditions and complications: 0 none to 4 severe. Empty until scored.",
                        max_length=1,
                        verbose_name="dimension 2 score",
                    ),
                ),
                (
                    "biomedical_note",
                    admissions.phi.fields.EncryptedTextField(
                        blank=True,
                        help_text="Why this score, in a sentence or two.",
                        max_length=500,
                        verbose_name="dimension 2 note",
                    ),
                ),
                (
                    "emotional_behavioral_score",
                    admissions.phi.fields.EncryptedCharField(
                        blank=True,
                        choices=[
                            ("0", "0: none"),
                            ("1", "1: mild"),
                            ("2", "2: moderate"),
                            ("3", "3: significant"),
                            ("4", "4: severe"),
                        ],
                        help_text="ASAM dimension 3, emotional, behavioral or cognitive conditions: 0 none to 4 severe. Empty until scored.",
                        max_length=1,
                        verbose_name="dimension 3 score",
                    ),
                ),
                (
                    "emotional_behavioral_note",
                    admissions.phi.fields.EncryptedTextField(
                        blank=True,
                        help_text="Why this score, in a sentence or two.",
                        max_length=500,
                        verbose_name="dimension 3 note",
                    ),
                ),
                (
                    "readiness_score",
                    admissions.phi.fields.EncryptedCharField(
                        blank=True,
                        choices=[
                            ("0", "0: none"),
                            ("1", "1: mild"),
                            ("2", "2: moderate"),
                            ("3", "3: significant"),
                            ("4", "4: severe"),
                        ],
                        help_text="ASAM dimension 4, readiness to change: 0 none to 4 severe. Empty until scored.",
                        max_length=1,
                        verbose_name="dimension 4 score",
                    ),
                ),
                (
                    "readiness_note",
                    admissions.phi.fields.EncryptedTextField(
                        blank=True,
                        help_text="Why this score, in a sentence or two.",
                        max_length=500,
                        verbose_name="dimension 4 note",
                    ),
                ),
                (
                    "relapse_potential_score",
                    admissions.phi.fields.EncryptedCharField(
                        blank=True,
                        choices=[
                            ("0", "0: none"),
                            ("1", "1: mild"),
                            ("2", "2: moderate"),
                            ("3", "3: significant"),
                            ("4", "4: severe"),
                        ],
                        help_text="ASAM dimension 5, relapse, continued use or continued problem potential: 0 none to 4 severe. Empty until scored.",
                        max_length=1,
                        verbose_name="dimension 5 score",
                    ),
                ),
                (
                    "relapse_potential_note",
                    admissions.phi.fields.EncryptedTextField(
                        blank=True,
                        help_text="Why this score, in a sentence or two.",
                        max_length=500,
                        verbose_name="dimension 5 note",
                    ),
                ),
                (
                    "recovery_environment_score",
                    admissions.phi.fields.EncryptedCharField(
                        blank=True,
                        choices=[
                            ("0", "0: none"),
                            ("1", "1: mild"),
                            ("2", "2: moderate"),
                            ("3", "3: significant"),
                            ("4", "4: severe"),
                        ],
                        help_text="ASAM dimension 6, recovery/living environment: 0 none to 4 severe. Empty until scored.",
                        max_length=1,
                        verbose_name="dimension 6 score",
                    ),
                ),
                (
                    "recovery_environment_note",
                    admissions.phi.fields.EncryptedTextField(
                        blank=True,
                        help_text="Why this score, in a sentence or two.",
                        max_length=500,
                        verbose_name="dimension 6 note",
                    ),
                ),
                (
                    "mental_health",
                    admissions.phi.fields.EncryptedTextField(
                        blank=True,
                        help_text="Diagnoses, current treatment, psychiatric hospital stays.",
                        max_length=2000,
                        verbose_name="co-occurring mental health",
                    ),
                ),
                (
                    "medications",
                    admissions.phi.fields.EncryptedTextField(
                        blank=True,
                        help_text="What they take now, including medication for addiction (buprenorphine, methadone, naltrexone).",
                        max_length=2000,
                    ),
                ),
                (
                    "legal_situation",
                    admissions.phi.fields.EncryptedTextField(
                        blank=True,
                        help_text="Pending charges, probation or parole, court-ordered treatment, DUI.",
                        max_length=2000,
                        verbose_name="legal situation",
                    ),
                ),
                (
                    "housing_situation",
                    admissions.phi.fields.EncryptedTextField(
                        blank=True,
                        help_text="Where they live and with whom; whether it is safe and substance-free; sober living wanted.",
                        max_length=2000,
                        verbose_name="housing situation",
                    ),
                ),
                (
                    "decision",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("accept_php", "Accept for partial hospitalization (PHP)"),
                            ("accept_iop", "Accept for intensive outpatient (IOP)"),
                            ("accept_op", "Accept for outpatient (OP)"),
                            ("refer_out", "Refer out"),
                        ],
                        help_text="The clinician's decision; empty until signed off.",
                        max_length=20,
                    ),
                ),
                (
                    "decision_note",
                    admissions.phi.fields.EncryptedTextField(
                        blank=True,
                        help_text="Why; required when the decision differs from the suggested level of care.",
                        max_length=2000,
                        verbose_name="clinician's note",
                    ),
                ),
                (
                    "suggested_at_sign_off",
                    admissions.phi.fields.EncryptedCharField(
                        blank=True,
                        choices=[
                            ("detox", "Refer out: withdrawal management (detox) first"),
                            ("residential", "Refer out: 24-hour care (residential or hospital)"),
                            ("php", "Partial hospitalization (PHP)"),
                            ("iop", "Intensive outpatient (IOP)"),
                            ("op", "Outpatient (OP)"),
                        ],
                        help_text="What the scores suggested when the clinician signed off, kept as it was.",
                        max_length=20,
                        verbose_name="suggested level of care at sign-off",
                    ),
                ),
                (
                    "signed_off_at",
                    models.DateTimeField(blank=True, help_text="When the decision was signed.", null=True),
                ),
                (
                    "crisis_alert_sent_at",
                    models.DateTimeField(
                        blank=True,
                        editable=False,
                        help_text="When the on-call clinical supervisor was emailed about this screen (once per screen).",
                        null=True,
                    ),
                ),
                (
                    "lead",
                    models.ForeignKey(
                        help_text="The person screened; the screen is erased with the lead.",
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="screenings",
                        to="admissions.lead",
                    ),
                ),
                (
                    "referred_to",
                    models.ForeignKey(
                        blank=True,
                        help_text="Where the person is referred (only with “Refer out”).",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="admissions.referralpartner",
                    ),
                ),
                (
                    "signed_off_by",
                    models.ForeignKey(
                        blank=True,
                        help_text="The clinician who signed the decision.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "started_by",
                    models.ForeignKey(
                        help_text="The coordinator (or clinician) who started it.",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        help_text="Who saved the answers last.",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "pre-admission screening",
                "ordering": ["-started_at", "-id"],
                "permissions": [("sign_off_screening", "Can sign off a pre-admission screening (clinician)")],
            },
        ),
        migrations.CreateModel(
            name="ScreeningSubstance",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "position",
                    models.PositiveSmallIntegerField(default=0, help_text="Order on the screen, from 0."),
                ),
                (
                    "substance",
                    admissions.phi.fields.EncryptedCharField(
                        choices=[
                            ("alcohol", "Alcohol"),
                            ("benzodiazepines", "Benzodiazepines (Xanax, Klonopin, Valium, Ativan)"),
                            ("sedatives", "Other sedatives (barbiturates, GHB, sleeping pills)"),
                            ("opioids", "Opioids (fentanyl, heroin, pain pills, methadone, kratom)"),
                            ("stimulants", "Stimulants (methamphetamine, cocaine, Adderall)"),
                            ("cannabis", "Cannabis"),
                            (
                                "hallucinogens",
                                "Hallucinogens or dissociatives (LSD, mushrooms, ketamine, PCP)",
                            ),
                            ("inhalants", "Inhalants"),
                            ("other", "Other"),
                        ],
                        help_text="The kind of substance; the exact name goes in “which one”.",
                        max_length=20,
                    ),
                ),
                (
                    "which_one",
                    admissions.phi.fields.EncryptedCharField(
                        blank=True,
                        help_text="In their words, e.g. “pressed blue pills (fentanyl)”, “vodka”.",
                        max_length=100,
                        verbose_name="which one",
                    ),
                ),
                (
                    "route",
                    admissions.phi.fields.EncryptedCharField(
                        blank=True,
                        choices=[
                            ("oral", "Swallowed or drunk"),
                            ("smoked", "Smoked or vaped"),
                            ("snorted", "Snorted"),
                            ("injected", "Injected"),
                            ("other", "Other"),
                        ],
                        help_text="How they take it.",
                        max_length=10,
                    ),
                ),
                (
                    "amount",
                    admissions.phi.fields.EncryptedCharField(
                        blank=True,
                        help_text="How much on a usual day, e.g. “a fifth”, “2 g”, “6 pills”.",
                        max_length=100,
                    ),
                ),
                (
                    "frequency",
                    admissions.phi.fields.EncryptedCharField(
                        blank=True,
                        choices=[
                            ("daily", "Every day"),
                            ("most_days", "Most days (4–6 a week)"),
                            ("weekly", "1–3 days a week"),
                            ("less", "Less than weekly"),
                        ],
                        help_text="How often they use it now.",
                        max_length=10,
                        verbose_name="how often",
                    ),
                ),
                (
                    "last_used_on",
                    admissions.phi.fields.EncryptedDateField(
                        blank=True, help_text="The day they last used it.", null=True, verbose_name="last use"
                    ),
                ),
                (
                    "screening",
                    models.ForeignKey(
                        help_text="The screen this answer belongs to.",
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="substances",
                        to="admissions.preadmissionscreening",
                    ),
                ),
            ],
            options={
                "verbose_name": "substance on a screening",
                "ordering": ["position", "id"],
            },
        ),
        migrations.AddIndex(
            model_name="preadmissionscreening",
            index=models.Index(fields=["lead", "-started_at"], name="screening_lead_started"),
        ),
        migrations.AddConstraint(
            model_name="preadmissionscreening",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("decision", ""), ("signed_off_at__isnull", True), ("signed_off_by__isnull", True)
                    ),
                    models.Q(
                        models.Q(("decision", ""), _negated=True),
                        ("signed_off_at__isnull", False),
                        ("signed_off_by__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="screening_decision_is_signed",
            ),
        ),
        migrations.AddConstraint(
            model_name="preadmissionscreening",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("decision", "refer_out"), ("referred_to__isnull", False)),
                    models.Q(
                        models.Q(("decision", "refer_out"), _negated=True), ("referred_to__isnull", True)
                    ),
                    _connector="OR",
                ),
                name="screening_referral_has_partner",
            ),
        ),
        migrations.RunPython(seed_clinician_role, remove_clinician_role),
    ]
