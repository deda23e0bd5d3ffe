"""The admin in Chromium under the site's Content Security Policy: sign in with
password and an authenticator code, open the lead list, a lead, add pages and
the audit trail, and fail on any CSP violation (console or
securitypolicyviolation event)."""

import importlib
import uuid

import pytest
from django.contrib.auth.models import Group
from django.urls import NoReverseMatch, reverse

from admissions.models import ConsentText, ConsultationRequest, Lead, RequestKind
from admissions.phi.crypto import lookup_hash
from tests.security.conftest import PASSWORD
from tests.security.otp import add_authenticator, totp_code

pytestmark = pytest.mark.usefixtures("site_content", "seeded_roles")


@pytest.fixture
def seeded_roles(transactional_db):
    """Live-server tests empty every table afterwards, the data migrations'
    rows included: run those seeds again (they only add what is missing)."""
    from django.apps import apps

    # The seeds toggle models_module on the app configs they are given; these
    # are the live ones, so put every value back afterwards.
    saved = {config.label: config.models_module for config in apps.get_app_configs()}
    try:
        for name in ("0002_seed_roles_consents_carriers", "0004_managers_read_audit_trail"):
            importlib.import_module(f"admissions.migrations.{name}").forwards(apps, None)
    finally:
        for config in apps.get_app_configs():
            config.models_module = saved[config.label]


DESKTOP = {"viewport": {"width": 1280, "height": 900}, "is_mobile": False, "has_touch": False}

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


class CSPWatch:
    def __init__(self, page):
        self.page = page
        self.console = []
        page.on(
            "console",
            lambda message: (
                self.console.append(message.text)
                if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text
                else None
            ),
        )

    def check(self, where):
        events = self.page.evaluate("window.__cspViolations || []")
        assert not events and not self.console, f"{where}: CSP violations {events} {self.console}"


def a_lead():
    phone = "+17145550123"
    lead = Lead.objects.create(
        first_name="Robin",
        last_name="Browser",
        phone=phone,
        phone_lookup=lookup_hash("phone", phone),
        kind=RequestKind.CONSULTATION,
    )
    ConsultationRequest.objects.create(
        lead=lead,
        form_token=uuid.uuid4(),
        first_name="Robin",
        last_name="Browser",
        phone=phone,
        who_needs_help="self",
        contact_consent=ConsentText.objects.get(kind="contact", language="en", version=1),
        message="Looking for help for myself.",
    )
    return lead


def sign_in(page, username, device):
    """Password on the admin login page, then the code on the second-factor page."""
    page.goto(reverse("admin:index"))
    page.wait_for_url("**/login/**")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{reverse('mfa:verify')}**")
    page.get_by_role("textbox", name="Code").fill(totp_code(device))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"**{reverse('admin:index')}")


def optional(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def test_the_admin_works_under_the_csp(open_context, django_user_model):
    manager = django_user_model.objects.create_user(username="morgan", password=PASSWORD, is_staff=True)
    manager.groups.set(Group.objects.filter(name__in=["Admissions manager", "Content editor"]))
    device = add_authenticator(manager)
    lead = a_lead()

    context = open_context(**DESKTOP)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    watch = CSPWatch(page)

    sign_in(page, "morgan", device)
    watch.check("admin index")

    lead_pages = [
        optional("admin:admissions_lead_changelist"),
        optional("admin:admissions_lead_change", lead.pk),
    ]
    pages = [
        *[url for url in lead_pages if url],
        reverse("admin:programs_levelofcare_changelist"),
        reverse("admin:programs_levelofcare_add"),  # add pages carry the most admin JavaScript
        reverse("admin:programs_page_add"),
        reverse("admin:admissions_insurancecarrier_add"),
        reverse("admin:admissions_auditevent_changelist"),
        reverse("mfa:backup_codes"),
    ]
    for url in pages:
        response = page.goto(url)
        assert response.status == 200, url
        assert "no-store" in response.headers["cache-control"], url
        page.wait_for_load_state("networkidle")
        watch.check(url)
    # The lead pages are among them once the lead admin is registered.
    assert lead_pages[0] is None or len(pages) == 8


def test_enrolment_in_the_browser_shows_a_scannable_qr_code(open_context, django_user_model, live_server):
    """Issue 15 #2: enrolment through a one-time invitation link, in Chromium
    under the CSP: the new person chooses a password and scans the QR code."""
    from admissions.access.models import AuthenticatorApp, StaffInvitation

    newbie = django_user_model.objects.create_user(username="newbie", is_staff=True)  # no usable password
    _, token = StaffInvitation.issue(user=newbie, purpose=StaffInvitation.Purpose.ENROL, created_by=None)
    context = open_context(**DESKTOP)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    watch = CSPWatch(page)
    page.goto(f"{reverse('mfa:enrol')}?t={token}")
    page.wait_for_url(f"**{reverse('mfa:enrol')}")  # the token left the address bar
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    assert qr.bounding_box()["width"] >= 200
    watch.check("enrolment")

    device = AuthenticatorApp.objects.get(user__username="newbie", confirmed=False)
    page.get_by_role("textbox", name="Code").fill(totp_code(device))
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("The same password again").fill(PASSWORD)
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.locator("#mfa-backup-codes").wait_for()
    codes = page.locator("#mfa-backup-codes li")
    assert codes.count() == 10
    page.get_by_role("link", name="Continue").click()
    page.wait_for_url(f"**{reverse('admin:index')}")
    watch.check("after enrolment")
