"""Automatic logoff (15 minutes idle, 12 hours at most), deactivated users cut
off at their next request, and the password rules."""

import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from admissions.access.middleware import SESSION_LAST_SEEN_AT, SESSION_STARTED_AT
from admissions.models import AuditAction, AuditEvent

from .otp import login_with_second_factor

pytestmark = pytest.mark.django_db


def age_session(client, **seconds_ago):
    session = client.session
    for key, ago in seconds_ago.items():
        session[key] = time.time() - ago
    session.save()


def is_signed_out(client) -> bool:
    response = client.get(reverse("admin:index"))
    return response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_fourteen_idle_minutes_keep_the_session(client, coordinator):
    login_with_second_factor(client, coordinator)
    age_session(client, **{SESSION_LAST_SEEN_AT: 14 * 60})
    assert client.get(reverse("admin:index")).status_code == 200
    # The request counted as activity: the clock starts again.
    assert time.time() - client.session[SESSION_LAST_SEEN_AT] < 5


def test_sixteen_idle_minutes_end_the_session(client, coordinator):
    login_with_second_factor(client, coordinator)
    age_session(client, **{SESSION_LAST_SEEN_AT: 16 * 60})
    assert is_signed_out(client)
    event = AuditEvent.objects.get(action=AuditAction.LOGOUT)
    assert (event.user, event.detail) == (coordinator, "idle timeout")
    # Signing in again is needed: the old session stays dead.
    assert is_signed_out(client)


def test_twelve_hours_end_even_an_active_session(client, coordinator):
    login_with_second_factor(client, coordinator)
    age_session(client, **{SESSION_STARTED_AT: 12 * 3600 + 1, SESSION_LAST_SEEN_AT: 10})
    assert is_signed_out(client)
    assert AuditEvent.objects.get(action=AuditAction.LOGOUT).detail == "session limit reached"


def test_eleven_hours_of_steady_work_are_fine(client, coordinator):
    login_with_second_factor(client, coordinator)
    age_session(client, **{SESSION_STARTED_AT: 11 * 3600, SESSION_LAST_SEEN_AT: 60})
    assert client.get(reverse("admin:index")).status_code == 200


def test_public_pages_do_not_count_as_staff_activity(client, coordinator, demo_content):
    login_with_second_factor(client, coordinator)
    age_session(client, **{SESSION_LAST_SEEN_AT: 10 * 60})
    before = client.session[SESSION_LAST_SEEN_AT]
    assert client.get("/").status_code == 200
    assert client.session[SESSION_LAST_SEEN_AT] == before


def test_the_session_cookie_expires_with_the_idle_time(client, coordinator, settings):
    assert settings.SESSION_COOKIE_AGE == 15 * 60
    login_with_second_factor(client, coordinator)
    assert client.session.get_expiry_age() == 15 * 60


def test_a_deactivated_user_is_cut_off_at_the_next_request(client, coordinator):
    login_with_second_factor(client, coordinator)
    assert client.get(reverse("admin:index")).status_code == 200
    coordinator.is_active = False
    coordinator.save(update_fields=["is_active"])
    assert is_signed_out(client)


def test_logout_is_one_audit_event(client, coordinator):
    login_with_second_factor(client, coordinator)
    client.post(reverse("admin:logout"))
    event = AuditEvent.objects.get(action=AuditAction.LOGOUT)
    assert (event.user, event.detail) == (coordinator, "signed out")


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("fourteen-chars", False),  # 14 characters
        ("fifteen-chars-x", True),  # 15, no digits, capitals or symbols needed
        ("correcthorsebatterystaple", True),
        ("aaaaaaaaaaaaaaa", True),  # composition is not judged, only length and commonness
        ("1q2w3e4r5t6y7u8i9o0p", False),  # in Django's common-password list
        ("123456789987654321", False),
        ("1Q2W3E4R5T6Y7U8I9O0P", False),  # the check ignores case
    ],
)
def test_passwords_need_15_characters_and_must_not_be_common(password, ok, coordinator):
    try:
        validate_password(password, user=coordinator)
    except ValidationError:
        assert not ok, password
    else:
        assert ok, password
