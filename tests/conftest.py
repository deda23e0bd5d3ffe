import pytest

from programs import content_cache
from programs.demo_content import load_demo_content


@pytest.fixture
def demo_content(db):
    """The same content `make run` loads."""
    load_demo_content()


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(
        username="editor", password="correct-horse-battery-staple", is_staff=True
    )


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin client, signed in with password and second factor
    as the admin requires (admissions.access.middleware.MFARequiredMiddleware)."""
    from tests.security.otp import login_with_second_factor

    return login_with_second_factor(client, admin_user)


@pytest.fixture(autouse=True)
def _cold_content_cache():
    """Each test starts as a fresh worker would: nothing kept in memory."""
    content_cache.clear()
    yield
    content_cache.clear()


# (data migration, its seed function): what they add, a flushed database lacks.
REFERENCE_MIGRATIONS = (
    ("admissions.migrations.0002_seed_roles_consents_carriers", "forwards"),
    ("admissions.migrations.0004_managers_read_audit_trail", "forwards"),
    # The verbal consent script and the roles' permission to record phone leads.
    ("admissions.migrations.0010_encrypt_existing_names", "seed_script_and_roles"),
    ("admissions.migrations.0011_add_kaiser_permanente_carrier", "add"),
    # Coordinators and managers verify benefits.
    ("admissions.migrations.0012_benefits_verification", "grant"),
    # The Clinician role; coordinators and managers fill in screenings.
    ("admissions.migrations.0013_pre_admission_screening", "seed_clinician_role"),
    # Managers hand admitted leads to the clinical record.
    ("admissions.migrations.0014_handoff_permission", "grant_to_managers"),
    # Coordinators and managers schedule and admit to tracks; clinicians see the day.
    ("admissions.migrations.0018_scheduling_and_capacity", "grant"),
    # The Spanish consent wording and verbal script (issue 13).
    ("admissions.migrations.0020_spanish_consent_texts", "seed_spanish"),
    # Managers invite staff and reset their second factor.
    ("admissions.access.migrations.0002_move_plaintext_second_factors", "grant_invitations_to_managers"),
)


def seed_reference_data():
    """Roles, consent wording and carriers come from data migrations; a
    transactional test (live server, browser) empties every table when it
    ends. Run the same seeds again: they only add what is missing."""
    import importlib

    from django.apps import apps

    saved = {config.label: config.models_module for config in apps.get_app_configs()}
    try:
        for name, seed in REFERENCE_MIGRATIONS:
            getattr(importlib.import_module(name), seed)(apps, None)
    finally:
        # The seeds toggle models_module on the app configs; put it back.
        for config in apps.get_app_configs():
            config.models_module = saved[config.label]


def _uses_database(request) -> bool:
    database_fixtures = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}
    return bool(request.node.get_closest_marker("django_db")) or bool(
        database_fixtures & set(request.fixturenames)
    )


@pytest.fixture(autouse=True)
def _reference_data(request, django_db_blocker):
    """Whatever ran before (a flushing transactional test included), every
    database test starts with the rows the data migrations create."""
    if _uses_database(request):
        request.getfixturevalue("django_db_setup")  # the test database, never the real one
        from admissions.models import ConsentText, InsuranceCarrier

        with django_db_blocker.unblock():
            if not (ConsentText.objects.exists() and InsuranceCarrier.objects.exists()):
                seed_reference_data()
    yield
