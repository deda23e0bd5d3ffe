"""Issue 15 #10: looks at the lead inbox and the submission lists are in the
audit trail, and so are idle logoffs of sessions that expired unseen."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from admissions.models import AuditAction, AuditEvent

from .otp import login_with_second_factor

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url_name", "object_type"),
    [
        ("admin:admissions_lead_changelist", "admissions.lead"),
        ("admin:admissions_insuranceverification_changelist", "admissions.insuranceverification"),
        ("admin:admissions_consultationrequest_changelist", "admissions.consultationrequest"),
    ],
)
def test_a_look_at_a_list_of_people_is_audited(client, manager, url_name, object_type):
    login_with_second_factor(client, manager)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_type=object_type)
    assert event.user == manager
    assert event.detail.startswith("list; rows=")


def test_the_inbox_search_terms_never_reach_the_trail(client, manager):
    login_with_second_factor(client, manager)
    client.get(reverse("admin:admissions_lead_changelist") + "?status=new&o=1")
    assert not AuditEvent.objects.filter(detail__contains="status").exists()


def test_an_idle_session_that_expired_unseen_gets_its_logoff_recorded(client, coordinator, manager):
    login_with_second_factor(client, coordinator)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    expired_at = timezone.now() - timedelta(minutes=1)
    Session.objects.filter(pk=key).update(expire_date=expired_at)
    fresh = login_with_second_factor(client.__class__(), manager)  # still active: left alone
    fresh_key = fresh.cookies[settings.SESSION_COOKIE_NAME].value
    anonymous = Session.objects.create(session_key="x" * 32, session_data="", expire_date=expired_at)

    call_command("record_expired_sessions", stdout=open("/dev/null", "w"))  # noqa: SIM115

    event = AuditEvent.objects.get(action=AuditAction.LOGOUT)
    assert event.user == coordinator
    assert event.detail.startswith("idle timeout; session expired unseen, last activity ")
    assert not Session.objects.filter(pk__in=[key, anonymous.pk]).exists()
    assert Session.objects.filter(pk=fresh_key).exists()
    call_command("record_expired_sessions", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT).count() == 1
