"""Roles, the first version of each consent's wording, and the carrier list.

Roles are groups: Admissions coordinator works leads (no delete, no export),
Admissions manager also reassigns and exports, Content editor edits the site's
program content and sees no lead data.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

COORDINATOR = "Admissions coordinator"
MANAGER = "Admissions manager"
CONTENT_EDITOR = "Content editor"

COORDINATOR_PERMISSIONS = [
    ("admissions", "view_lead"),
    ("admissions", "change_lead"),
    ("admissions", "view_lead_dashboard"),
    ("admissions", "view_card_image"),
    ("admissions", "view_leadevent"),
    ("admissions", "add_leadevent"),
    ("admissions", "view_consultationrequest"),
    ("admissions", "view_insuranceverification"),
    ("admissions", "view_insurancecarrier"),
]
MANAGER_PERMISSIONS = COORDINATOR_PERMISSIONS + [
    ("admissions", "export_lead"),
    ("admissions", "reassign_lead"),
    ("admissions", "add_insurancecarrier"),
    ("admissions", "change_insurancecarrier"),
    ("admissions", "view_consenttext"),
    ("admissions", "view_blockedsubmission"),
]
CONTENT_MODELS = ["levelofcare", "service", "page", "frequentlyaskedquestion", "license", "accreditation"]
CONTENT_EDITOR_PERMISSIONS = [
    ("programs", f"{action}_{model}") for model in CONTENT_MODELS for action in ("view", "add", "change", "delete")
] + [("programs", "view_sitefacts"), ("programs", "change_sitefacts")]

CONSENTS = [
    (
        "contact",
        "I agree that Sheer Recovery may contact me by phone, text message or email about my request. "
        "I understand that what I share is kept confidential.",
    ),
    (
        "automated",
        "I also agree to receive calls and text messages from Sheer Recovery at the number I gave, "
        "including ones made with automated technology or prerecorded voices. This is optional and is "
        "not a condition of receiving care. Message and data rates may apply; reply STOP to opt out.",
    ),
    (
        "benefits",
        "I authorize Sheer Recovery to share the information on this form with the insurance company "
        "named above to verify benefits for addiction treatment, and to contact me about the results.",
    ),
]

CARRIERS = [
    "Aetna",
    "Anthem Blue Cross",
    "Blue Shield of California",
    "Cigna",
    "UnitedHealthcare",
    "Optum",
    "Health Net",
    "Magellan Health",
    "Carelon Behavioral Health (Beacon)",
    "TRICARE West",
    "MultiPlan",
    "Humana",
]


def _grant(apps, group_name, permissions):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=group_name)
    for app_label, codename in permissions:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def forwards(apps, schema_editor):
    # Permissions are normally created after all migrations; roles need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    _grant(apps, COORDINATOR, COORDINATOR_PERMISSIONS)
    _grant(apps, MANAGER, MANAGER_PERMISSIONS)
    _grant(apps, CONTENT_EDITOR, CONTENT_EDITOR_PERMISSIONS)

    ConsentText = apps.get_model("admissions", "ConsentText")
    # Tests re-run this seed on today's models, where each wording also has a
    # language (0019): these texts are the English ones.
    english = {"language": "en"} if any(f.name == "language" for f in ConsentText._meta.fields) else {}
    for kind, text in CONSENTS:
        ConsentText.objects.get_or_create(kind=kind, version=1, **english, defaults={"text": text})

    InsuranceCarrier = apps.get_model("admissions", "InsuranceCarrier")
    for order, name in enumerate(CARRIERS, start=1):
        InsuranceCarrier.objects.get_or_create(name=name, defaults={"order": order * 10})


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[COORDINATOR, MANAGER, CONTENT_EDITOR]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("admissions", "0001_initial"),
        ("programs", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
