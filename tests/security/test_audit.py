"""The audit trail: managers read it in the admin and nobody can change it;
permission denials are recorded; in PostgreSQL the application's role can
insert and read audit rows but not update, delete or truncate them."""

import pytest
from django.db import connection, transaction
from django.db.utils import ProgrammingError
from django.urls import reverse

from admissions.access.audit import audit_record
from admissions.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:admissions_auditevent_changelist"


@pytest.fixture
def some_events(coordinator):
    audit_record(action=AuditAction.VIEW, user=coordinator, object_type="admissions.lead", object_id=7)
    audit_record(action=AuditAction.EXPORT, user=coordinator, detail="rows=3")
    return AuditEvent.objects.all()


def test_a_manager_reads_the_audit_trail_with_filters(verified_client, manager, some_events):
    client = verified_client(manager)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    html = response.content.decode()
    assert "admissions.lead" in html and "rows=3" in html
    filtered = client.get(reverse(CHANGELIST), {"action__exact": "export"})
    assert list(filtered.context["cl"].result_list) == list(AuditEvent.objects.filter(action="export"))
    specs = {spec.title for spec in response.context["cl"].filter_specs}
    assert {"action", "at", "user"} <= specs


def test_a_manager_cannot_add_change_or_delete(verified_client, manager, some_events):
    client = verified_client(manager)
    event = some_events.first()
    assert client.get(reverse("admin:admissions_auditevent_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:admissions_auditevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    # The change page shows the row read-only; a post changes nothing.
    page = client.get(reverse("admin:admissions_auditevent_change", args=[event.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    client.post(reverse("admin:admissions_auditevent_change", args=[event.pk]), {"detail": "tampered"})
    assert not AuditEvent.objects.filter(detail="tampered").exists()


def test_not_even_a_superuser_may_change_or_delete(admin_client, some_events):
    event = some_events.first()
    assert admin_client.get(reverse("admin:admissions_auditevent_add")).status_code == 403
    response = admin_client.post(
        reverse("admin:admissions_auditevent_delete", args=[event.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    bulk = admin_client.post(
        reverse(CHANGELIST), {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}
    )
    assert bulk.status_code in (200, 302)
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert "delete_selected" not in admin_client.get(reverse(CHANGELIST)).content.decode()


def test_coordinators_and_content_editors_cannot_read_it(verified_client, coordinator, some_events):
    client = verified_client(coordinator)
    before = AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count()
    assert client.get(reverse(CHANGELIST)).status_code == 403
    denied = AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED)
    assert denied.count() == before + 1
    event = denied.latest("id")
    assert event.user == coordinator
    assert event.detail == f"GET {reverse(CHANGELIST)}"


def test_a_denial_records_no_query_string(verified_client, content_editor):
    client = verified_client(content_editor)
    client.get(reverse(CHANGELIST), {"q": "Jane Doe 714-555-0101"})
    event = AuditEvent.objects.get(action=AuditAction.PERMISSION_DENIED)
    assert "Jane" not in event.detail and "555" not in event.detail


def test_anonymous_403s_are_not_attributed(client, db):
    # A CSRF failure on a public form by an anonymous visitor is not a staff denial.
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.post(reverse("admin:login"), {"username": "x", "password": "y"})
    assert not AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).exists()


def test_a_csrf_failure_by_signed_in_staff_is_a_denial(coordinator, db):
    from django.test import Client

    from .otp import login_with_second_factor

    client = login_with_second_factor(Client(enforce_csrf_checks=True), coordinator)
    response = client.post(reverse("admin:logout"))
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED, user=coordinator).count() == 1


def test_the_application_role_cannot_update_or_delete_audit_rows(coordinator):
    """docs/security.md: the production role gets INSERT and SELECT only on
    admissions_auditevent. Same grants here, in the test transaction (roles
    created inside it vanish with it)."""
    event = audit_record(
        action=AuditAction.VIEW, user=coordinator, object_type="admissions.lead", object_id=1
    )
    role = f"audit_app_{connection.settings_dict['NAME']}"[:60]
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{role}" NOLOGIN')
        cursor.execute(f'GRANT USAGE ON SCHEMA public TO "{role}"')
        cursor.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"')
        cursor.execute(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
        cursor.execute(f'REVOKE UPDATE, DELETE, TRUNCATE ON admissions_auditevent FROM "{role}"')
        cursor.execute(f'SET ROLE "{role}"')
        try:
            # INSERT works: the app keeps writing its trail, through the ORM too.
            audit_record(action=AuditAction.LOGIN, user=coordinator, detail="as the app role")
            assert AuditEvent.objects.filter(detail="as the app role").exists()
            for statement, params in (
                ("UPDATE admissions_auditevent SET detail = 'tampered'", []),
                ("DELETE FROM admissions_auditevent WHERE id = %s", [event.pk]),
                ("TRUNCATE admissions_auditevent", []),
            ):
                with pytest.raises(ProgrammingError, match="permission denied"), transaction.atomic():
                    cursor.execute(statement, params)
            with pytest.raises(ProgrammingError, match="permission denied"), transaction.atomic():
                AuditEvent.objects.filter(pk=event.pk).delete()
            # Other tables stay writable for the app.
            with transaction.atomic():
                cursor.execute("UPDATE auth_user SET first_name = 'Casey' WHERE id = %s", [coordinator.pk])
        finally:
            cursor.execute("RESET ROLE")
    assert AuditEvent.objects.get(pk=event.pk).detail == ""
