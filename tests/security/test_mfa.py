"""A password alone reaches nothing under the admin; enrolment, verification
and backup codes work; wrong codes count toward the lockout."""

import pytest
from django.urls import get_resolver, reverse

from admissions.access.models import AuthenticatorApp, BackupCode
from admissions.models import AuditAction, AuditEvent

from .conftest import PASSWORD
from .otp import add_authenticator, add_backup_codes, login_with_second_factor, totp_code

pytestmark = pytest.mark.django_db

MFA_PATHS = {"mfa:verify", "mfa:setup"}
OPEN_ADMIN_NAMES = {"admin:login", "admin:logout"}


def admin_urls():
    """Every admin URL that can be reversed with a sample id (lead list,
    change, history, card image, export, dashboard included once they exist)."""
    resolver = get_resolver()
    admin_resolver = next(p for p in resolver.url_patterns if getattr(p, "namespace", None) == "admin")
    urls = {}
    for name in admin_resolver.reverse_dict:
        if not isinstance(name, str) or f"admin:{name}" in OPEN_ADMIN_NAMES:
            continue
        for args in ([], [1], ["admissions"], [1, "card_front"], ["1", "x"]):
            try:
                urls[f"admin:{name}"] = reverse(f"admin:{name}", args=args)
                break
            except Exception:  # noqa: S112 - try the next sample arguments
                continue
    return urls


def password_login(client, user, **extra):
    return client.post(reverse("admin:login"), {"username": user.username, "password": PASSWORD}, **extra)


def test_a_password_only_session_reaches_no_admin_page(client, coordinator):
    response = password_login(client, coordinator)
    assert response.status_code == 302
    urls = admin_urls()
    # The pages that hold patient data are among them (admin helper's URLs when registered).
    assert "admin:index" in urls
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 302, (name, url, response.status_code)
        assert response["Location"].startswith(reverse("mfa:setup")), (name, response["Location"])
        post = client.post(url, {})
        assert post.status_code == 302, (name, url, post.status_code)


def test_lead_pages_are_refused_without_a_second_factor(client, coordinator):
    add_authenticator(coordinator)
    password_login(client, coordinator)
    names = [n for n in admin_urls() if "lead" in n or "card" in n or "export" in n or "dashboard" in n]
    for name in ["admin:index", *names]:
        response = client.get(admin_urls()[name])
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa:verify") + "?next=")


def test_a_superuser_needs_the_second_factor_too(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("admin:auth_user_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa:setup"))


def test_a_password_alone_shows_no_secret_and_starts_no_enrolment(client, coordinator):
    """Issue 15 #2: enrolment was at /mfa/setup/ for whoever had the password
    first (and reused the first unconfirmed device). Now the page shows no
    secret and makes no device; enrolment is by invitation
    (tests/security/test_enrolment.py)."""
    password_login(client, coordinator)
    for _ in range(2):
        page = client.get(reverse("mfa:setup") + "?next=/admin/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "otpauth" not in html and "mfa-qr" not in html and "enrolment link" in html
        assert "no-store" in page["Cache-Control"]
    assert not AuthenticatorApp.objects.filter(user=coordinator).exists()
    assert client.post(reverse("mfa:setup"), {"token": "123456"}).status_code == 405
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("mfa:setup"))


def test_a_password_alone_cannot_enrol_a_second_authenticator(client, coordinator):
    add_authenticator(coordinator)
    password_login(client, coordinator)
    response = client.get(reverse("mfa:setup"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa:verify"))
    assert AuthenticatorApp.objects.filter(user=coordinator).count() == 1


def test_verify_with_an_authenticator_code_then_the_admin_opens(client, coordinator):
    device = add_authenticator(coordinator)
    password_login(client, coordinator)
    response = client.post(reverse("mfa:verify"), {"token": totp_code(device), "next": "/admin/auth/"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/auth/"
    assert client.get(reverse("admin:index")).status_code == 200
    logins = AuditEvent.objects.filter(action=AuditAction.LOGIN, user=coordinator)
    assert sorted(logins.values_list("detail", flat=True)) == ["password", "second factor: authenticator app"]


def test_verify_refuses_an_offsite_next(client, coordinator):
    device = add_authenticator(coordinator)
    password_login(client, coordinator)
    response = client.post(
        reverse("mfa:verify"), {"token": totp_code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("admin:index")


def test_a_code_cannot_be_used_twice(client, coordinator):
    device = add_authenticator(coordinator)
    code = totp_code(device)
    password_login(client, coordinator)
    assert client.post(reverse("mfa:verify"), {"token": code}).status_code == 302
    client.post(reverse("admin:logout"))
    password_login(client, coordinator)
    # Throttling after a failure would also refuse it; either way the replay fails.
    assert client.post(reverse("mfa:verify"), {"token": code}).status_code == 400


def test_backup_codes_work_once_each(client, coordinator):
    add_authenticator(coordinator)
    add_backup_codes(coordinator, codes=["alpha1234", "bravo5678"])
    password_login(client, coordinator)
    assert client.post(reverse("mfa:verify"), {"token": "alpha 1234"}).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    client.post(reverse("admin:logout"))
    password_login(client, coordinator)
    assert client.post(reverse("mfa:verify"), {"token": "alpha1234"}).status_code == 400
    assert BackupCode.objects.filter(device__user=coordinator).count() == 1


def test_a_wrong_code_is_audited_as_a_failed_login(client, coordinator):
    add_authenticator(coordinator)
    password_login(client, coordinator)
    response = client.post(reverse("mfa:verify"), {"token": "12345"})
    assert response.status_code == 400
    assert "wrong or has expired" in response.content.decode()
    failures = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert failures.count() == 1
    assert failures.get().user == coordinator
    assert failures.get().detail == "second factor; username=casey"


def test_wrong_codes_lock_the_user_out_and_end_the_session(client, coordinator, settings):
    settings.AXES_FAILURE_LIMIT = 3
    add_authenticator(coordinator)
    password_login(client, coordinator)
    for _ in range(2):
        assert client.post(reverse("mfa:verify"), {"token": "99999"}).status_code == 400
    locked = client.post(reverse("mfa:verify"), {"token": "99999"})
    assert locked.status_code == 429
    assert AuditEvent.objects.filter(action=AuditAction.LOCKOUT, user=coordinator).count() == 1
    # Signed out, and the password is refused while the lockout lasts.
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("admin:login"))
    assert password_login(client, coordinator).status_code == 429


def test_the_verified_session_keeps_its_factor(client, coordinator):
    login_with_second_factor(client, coordinator)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("mfa:verify"))["Location"] == reverse("admin:index")


def test_the_session_key_changes_when_the_second_factor_succeeds(client, coordinator):
    """Issue 15 #11: the key the password step got is useless after the code."""
    from django.conf import settings as django_settings
    from django.contrib.sessions.models import Session

    device = add_authenticator(coordinator)
    password_login(client, coordinator)
    before = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert client.post(reverse("mfa:verify"), {"token": totp_code(device)}).status_code == 302
    after = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.get(reverse("admin:index")).status_code == 200
