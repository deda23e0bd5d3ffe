"""django-axes: lockout after the configured number of failures for one
username from one address, never for the same user elsewhere; every failure
and lockout in the audit trail."""

import re

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from admissions.models import AuditAction, AuditEvent

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

HOME = "192.0.2.10"
ELSEWHERE = "198.51.100.7"


def login(client, username, password, ip=HOME):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=ip,
    )


@pytest.fixture
def limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    return 3


def test_lockout_after_the_limit_and_not_from_another_address(client, coordinator, limit):
    for attempt in range(limit - 1):
        response = login(client, "casey", "wrong-password-number-x")
        assert response.status_code == 200, attempt  # the login form again, with its error
    locked = login(client, "casey", "wrong-password-number-x")
    assert locked.status_code == 429
    assert "Sign-in paused" in locked.content.decode()

    # Locked: even the right password is refused from this address...
    assert login(client, "casey", PASSWORD).status_code == 429
    # ...but the same coordinator signs in from elsewhere (an attacker cannot lock them out).
    other = client.__class__()
    response = login(other, "casey", PASSWORD, ip=ELSEWHERE)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_another_user_from_the_same_address_is_not_locked_out(client, coordinator, manager, limit):
    for _ in range(limit):
        login(client, "casey", "wrong-password-number-x")
    assert login(client.__class__(), "morgan", PASSWORD).status_code == 302


def test_each_failure_and_the_lockout_is_one_audit_event(client, coordinator, limit):
    for _ in range(limit):
        login(client, "casey", "wrong-password-number-x")
    failures = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert failures.count() == limit
    assert set(failures.values_list("detail", flat=True)) == {"password; username=casey"}
    assert set(failures.values_list("ip_address", flat=True)) == {HOME}
    assert set(failures.values_list("user", flat=True)) == {coordinator.pk}
    lockouts = AuditEvent.objects.filter(action=AuditAction.LOCKOUT)
    assert lockouts.count() == 1
    assert lockouts.get().user == coordinator
    assert lockouts.get().ip_address == HOME
    # The password never reaches the audit trail.
    assert not AuditEvent.objects.filter(detail__contains="wrong-password").exists()


def test_an_unknown_username_is_recorded_without_a_user(client, limit, db):
    login(client, "nobody-here", "wrong-password-number-x")
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.user is None
    # Issue 15 #10: a keyed hash, never the text (it may be a password typed in the wrong box).
    assert re.fullmatch(r"password; unknown username #[0-9a-f]{16}", event.detail)
    assert "nobody-here" not in event.detail
    login(client, "nobody-here", "wrong-password-number-y")
    login(client, "somebody-else", "wrong-password-number-z")
    details = list(
        AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).values_list("detail", flat=True)
    )
    assert details.count(event.detail) == 2 and len(set(details)) == 2  # the same name matches


def test_a_password_typed_as_the_username_never_reaches_the_trail(client, coordinator, limit):
    login(client, "Correct-Horse-Battery-Staple-9", "anything")
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert "Horse" not in event.detail and "Correct" not in event.detail


def test_failures_expire_after_the_cool_off(client, coordinator, limit, settings):
    for _ in range(limit):
        login(client, "casey", "wrong-password-number-x")
    assert login(client, "casey", PASSWORD).status_code == 429
    # As if the cool-off had passed: axes drops attempts older than it.
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time.replace(year=2000))
    assert login(client, "casey", PASSWORD).status_code == 302


def test_a_successful_password_alone_does_not_clear_the_count(client, coordinator, limit):
    """Only password + second factor resets it, so an attacker who knows the
    password cannot keep guessing codes between fresh password logins."""
    for _ in range(limit - 1):
        login(client, "casey", "wrong-password-number-x")
    assert login(client, "casey", PASSWORD).status_code == 302
    assert AccessAttempt.objects.get(username="casey").failures_since_start == limit - 1


def test_a_full_sign_in_clears_the_count(client, coordinator, limit):
    from .otp import add_authenticator, totp_code

    device = add_authenticator(coordinator)
    login(client, "casey", "wrong-password-number-x")
    assert login(client, "casey", PASSWORD).status_code == 302
    assert (
        client.post(reverse("mfa:verify"), {"token": totp_code(device)}, REMOTE_ADDR=HOME).status_code == 302
    )
    assert not AccessAttempt.objects.filter(username="casey").exists()
