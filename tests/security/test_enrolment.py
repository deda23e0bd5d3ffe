"""Issue 15 #2: enrolment by one-time invitation. A password never starts an
enrolment; a manager or superuser makes a link (shown once, only its hash
stored, short-lived, single use); each load of the link's page makes a fresh
secret; a lost device is reset the same way; all of it audited."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from admissions.access.models import AuthenticatorApp, BackupCodes, StaffInvitation
from admissions.models import AuditAction, AuditEvent

from .conftest import PASSWORD
from .otp import add_authenticator, add_backup_codes, login_with_second_factor, totp_code

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-brand-new-passphrase-for-riley"


def invite(client, inviter, username, **fields):
    login_with_second_factor(client, inviter)
    response = client.post(reverse("mfa:invite"), {"username": username, **fields})
    assert response.status_code == 200, response.content.decode()[:2000]
    link = re.search(r'<code id="enrolment-link">([^<]+)</code>', response.content.decode()).group(1)
    client.post(reverse("admin:logout"))
    return link.replace("&amp;", "&")


def open_link(client, link):
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    assert response.status_code == 303 and response["Location"] == reverse("mfa:enrol")
    page = client.get(reverse("mfa:enrol"))
    assert page.status_code == 200
    return page


def shown_device(user):
    return AuthenticatorApp.objects.get(user=user, confirmed=False)


def test_a_manager_invites_a_new_coordinator_who_enrols_once(client, manager, django_user_model):
    link = invite(
        client,
        manager,
        "riley",
        email="riley@example.test",
        role=Group.objects.get(name="Admissions coordinator").pk,
    )
    riley = django_user_model.objects.get(username="riley")
    assert riley.is_staff and not riley.has_usable_password()
    assert list(riley.groups.values_list("name", flat=True)) == ["Admissions coordinator"]

    # Only a hash of the token is stored, anywhere in the database.
    token = link.split("t=", 1)[1]
    invitation = StaffInvitation.objects.get(user=riley)
    assert invitation.token_hash == StaffInvitation.hash_token(token) and token not in invitation.token_hash
    assert timedelta(hours=1) <= invitation.expires_at - timezone.now() <= timedelta(hours=24)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM staff_access_staffinvitation WHERE token_hash LIKE %s", [f"%{token}%"]
        )
        assert cursor.fetchone()[0] == 0

    first = open_link(client, link)
    first_secret = shown_device(riley).key
    assert "otpauth://totp/" in first.content.decode() and "<svg" in first.content.decode()
    # Each load of the page is a fresh secret; the earlier one is gone.
    client.get(reverse("mfa:enrol"))
    device = shown_device(riley)
    assert device.key != first_secret and AuthenticatorApp.objects.filter(user=riley).count() == 1

    done = client.post(
        reverse("mfa:enrol"),
        {"token": totp_code(device), "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 200
    assert len(re.findall(r"<li><code>([a-z0-9]+)</code></li>", done.content.decode())) == 10
    assert AuthenticatorApp.objects.get(pk=device.pk).confirmed
    assert client.get(reverse("admin:index")).status_code == 200  # signed in with both factors
    riley.refresh_from_db()
    assert riley.check_password(NEW_PASSWORD)
    assert StaffInvitation.objects.get(pk=invitation.pk).used_at is not None
    details = list(AuditEvent.objects.filter(action=AuditAction.CHANGE).values_list("detail", flat=True))
    assert f"invitation (enrol) for user {riley.pk}" in details
    assert "enrolled an authenticator app and backup codes (enrol)" in details

    # The link works once.
    again = client.__class__().get("/" + link.split("://", 1)[1].split("/", 1)[1])
    assert again.status_code == 404


def test_the_password_alone_still_reaches_nothing_before_enrolment(client, manager, django_user_model):
    invite(client, manager, "riley")
    riley = django_user_model.objects.get(username="riley")
    riley.set_password(PASSWORD)  # even if an administrator set one
    riley.save()
    client.post(reverse("admin:login"), {"username": "riley", "password": PASSWORD})
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("mfa:setup"))
    assert "otpauth" not in client.get(reverse("mfa:setup")).content.decode()
    # And the enrolment page without the link shows no secret either.
    assert client.get(reverse("mfa:enrol")).status_code == 404
    assert not AuthenticatorApp.objects.filter(user=riley).exists()


def test_an_expired_or_unknown_link_does_nothing(client, manager, django_user_model):
    link = invite(client, manager, "riley")
    StaffInvitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/" + link.split("://", 1)[1].split("/", 1)[1]).status_code == 404
    assert client.get(reverse("mfa:enrol") + "?t=not-a-token").status_code == 404
    assert not AuthenticatorApp.objects.filter(user__username="riley").exists()


def test_a_lost_device_is_reset_by_invitation(client, manager, coordinator):
    old = add_authenticator(coordinator)
    add_backup_codes(coordinator)
    link = invite(client, manager, coordinator.username)
    # The lost phone and the old codes stop working at once.
    assert not AuthenticatorApp.objects.filter(pk=old.pk).exists()
    assert not BackupCodes.objects.filter(user=coordinator).exists()
    assert StaffInvitation.objects.get(user=coordinator).purpose == "reset"

    open_link(client, link)
    device = shown_device(coordinator)
    wrong = client.post(
        reverse("mfa:enrol"), {"token": totp_code(device), "password": "not-my-password-at-all"}
    )
    assert wrong.status_code == 400 and "not your password" in wrong.content.decode()
    assert not AuthenticatorApp.objects.get(pk=device.pk).confirmed
    ok = client.post(reverse("mfa:enrol"), {"token": totp_code(device, steps_ahead=1), "password": PASSWORD})
    assert ok.status_code == 200
    assert AuthenticatorApp.objects.get(pk=device.pk).confirmed
    assert AuditEvent.objects.filter(detail="enrolled an authenticator app and backup codes (reset)").exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.LOGIN_FAILED, user=coordinator, detail__startswith="enrolment"
    ).exists()


def test_repeated_wrong_codes_withdraw_the_link(client, manager, django_user_model, settings):
    settings.AXES_FAILURE_LIMIT = 50
    link = invite(client, manager, "riley")
    open_link(client, link)
    for _attempt in range(StaffInvitation.MAX_FAILURES):
        response = client.post(
            reverse("mfa:enrol"),
            {"token": "000000", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
    assert response.status_code == 404
    assert StaffInvitation.objects.get().used_at is not None
    assert AuditEvent.objects.filter(detail__startswith="invitation withdrawn").exists()


def test_only_managers_and_superusers_invite(client, coordinator, manager, admin_user):
    login_with_second_factor(client, coordinator)
    assert client.get(reverse("mfa:invite")).status_code == 403
    login_with_second_factor(client, manager)
    refused = client.post(reverse("mfa:invite"), {"username": admin_user.username})
    assert refused.status_code == 200 and "Only a superuser" in refused.content.decode()
    assert not StaffInvitation.objects.exists()
    roles = client.get(reverse("mfa:invite")).context["form"].fields["role"].queryset
    assert set(roles.values_list("name", flat=True)) <= {
        "Admissions coordinator",
        "Admissions manager",
        "Content editor",
    }


def test_the_first_superuser_gets_a_link_from_the_command_line(django_user_model, capsys):
    django_user_model.objects.create_superuser("root", "root@example.test", "x" * 20)
    call_command("staff_invite", "root")
    link = capsys.readouterr().out.strip()
    assert "/mfa/enrol/?t=" in link
    assert StaffInvitation.objects.get().created_by is None
    assert AuditEvent.objects.filter(detail__contains="from the command line").exists()
