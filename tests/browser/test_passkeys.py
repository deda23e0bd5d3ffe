"""Issue 15 #3: a passkey as the second factor, in Chromium with its virtual
authenticator (CDP WebAuthn.enable + WebAuthn.addVirtualAuthenticator): a
coordinator signed in with password and code adds a passkey, signs out, and
signs in again with password and passkey, under the site's CSP."""

import pytest
from django.urls import reverse
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from admissions.models import AuditAction, AuditEvent
from tests.security.conftest import PASSWORD
from tests.security.otp import add_authenticator

from .test_staff_security import DESKTOP, RECORD_VIOLATIONS, CSPWatch, seeded_roles, sign_in  # noqa: F401

pytestmark = pytest.mark.usefixtures("site_content", "seeded_roles")


def virtual_authenticator(context, page):
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def test_a_passkey_is_enrolled_and_signs_in(open_context, django_user_model):
    casey = django_user_model.objects.create_user(username="casey", password=PASSWORD, is_staff=True)
    device = add_authenticator(casey)

    context = open_context(**DESKTOP)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    watch = CSPWatch(page)
    cdp, authenticator = virtual_authenticator(context, page)

    sign_in(page, "casey", device)
    page.goto(reverse("otp_webauthn:manage"))
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.locator("#passkey-register-status-message")).not_to_be_empty(timeout=15000)
    assert WebAuthnCredential.objects.filter(user=casey, confirmed=True).count() == 1
    assert len(cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]) == 1
    assert AuditEvent.objects.filter(action=AuditAction.CHANGE, user=casey, detail="added a passkey").exists()
    watch.check("passkey registration")

    # Sign out, then password and passkey.
    page.goto(reverse("admin:index"))
    page.locator("#logout-form button, #logout-form input[type=submit]").first.click()
    page.goto(reverse("admin:index"))
    page.wait_for_url("**/login/**")
    page.get_by_label("Username").fill("casey")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{reverse('mfa:verify')}**")
    page.get_by_role("button", name="Use your passkey").click()
    page.wait_for_url(f"**{reverse('admin:index')}")
    assert page.get_by_role("heading", name="Admissions and site content").is_visible()
    watch.check("passkey sign-in")
    logins = AuditEvent.objects.filter(action=AuditAction.LOGIN, user=casey).values_list("detail", flat=True)
    assert "second factor: passkey" in list(logins)


def test_a_password_only_session_cannot_add_a_passkey(client, django_user_model, transactional_db):
    """The library would let an account without any device register one: here
    only a session verified with an existing factor may."""
    casey = django_user_model.objects.create_user(username="casey", password=PASSWORD, is_staff=True)
    client.post(reverse("admin:login"), {"username": "casey", "password": PASSWORD})
    response = client.post(
        reverse("otp_webauthn:credential-registration-begin"), content_type="application/json"
    )
    assert response.status_code in (302, 403)
    assert not WebAuthnCredential.objects.filter(user=casey).exists()
