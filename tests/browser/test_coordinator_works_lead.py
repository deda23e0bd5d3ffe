"""A coordinator on a phone: signs in (password, then authenticator code when
the second factor is on), finds a new lead by phone number, opens it, records
a call, meets the close-without-reason error, and moves the lead along.
axe-core checks the inbox, the lead page and the dashboard; what it finds in
the admin's own markup is reported (printed, run with -s), what it finds in
ours fails the test."""

import time

import pytest
from django.apps import apps
from django.urls import reverse
from playwright.sync_api import expect

from admissions.models import Lead, LeadEvent, LeadStatus
from tests.admissions.factories import PASSWORD, coordinator, make_consultation, otp_verify

pytestmark = pytest.mark.usefixtures("site_content")

PHONE = "+17143000177"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
# Our own markup on these pages; violations inside it fail the test.
OURS = [
    "#changelist-search",
    "#searchbar",
    ".lead-flag",
    ".lead-page",
    "#admissions-work",
    ".lead-dashboard-page",
]


def authenticator_code(device) -> str:
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def sign_in(page, username, device):
    page.goto(reverse("admin:login") + "?next=" + reverse("admin:index"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    code = page.get_by_role("textbox", name="Code")
    if device is not None and code.count():
        # The second-factor page (admissions.access.mfa).
        code.fill(authenticator_code(device))
        page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"**{reverse('admin:index')}")


def axe_violations(axe, page) -> list[dict]:
    result = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    return result.response["violations"]


def in_our_markup(violations, marks=OURS) -> list[str]:
    """'rule: target' for each violation inside our own markup (any of
    `marks`, a class or id, in the node's target or HTML); the admin's own
    markup is left to report()."""
    found = []
    for violation in violations:
        for node in violation["nodes"]:
            target = " ".join(node["target"]) if isinstance(node["target"], list) else str(node["target"])
            html = node.get("html", "")
            if any(mark.strip("#.") in target or mark.strip("#.") in html for mark in marks):
                found.append(f"{violation['id']}: {target}")
    return found


def report(where, violations):
    for violation in violations:
        targets = ", ".join(str(node["target"]) for node in violation["nodes"])
        print(f"axe {where}: {violation['id']} ({violation['impact']}) {violation['help']}: {targets}")


def test_coordinator_finds_a_lead_and_moves_it_along(phone, axe):
    coord = coordinator("casey")
    device = otp_verify(coord)[0] if apps.is_installed("django_otp") else None
    lead = make_consultation(
        phone=PHONE, first_name="Lucía", last_name="Fernández", message="Mi hijo necesita ayuda"
    )[1]
    make_consultation(first_name="Other", last_name="Person")

    sign_in(phone, "casey", device)
    phone.get_by_role("link", name="Open leads (inbox)").click()
    phone.wait_for_url("**/admissions/lead/")
    inbox_violations = axe_violations(axe, phone)
    report("inbox", inbox_violations)

    # Search by phone number as the person wrote it on the form.
    phone.get_by_role("searchbox").fill("(714) 300-0177")
    phone.get_by_role("button", name="Search").click()
    phone.wait_for_url("**/admissions/lead/?*s=phi1.*")
    assert "3000177" not in phone.url and "714" not in phone.url
    expect(phone.locator("#result_list tbody tr")).to_have_count(1)
    phone.get_by_role("link", name="Lucía Fernández").click()
    phone.wait_for_url(f"**/admissions/lead/{lead.pk}/change/**")
    # Issue 10: the message is at the top, in the call card, and in the form below.
    expect(phone.locator(".lead-call").get_by_text("Mi hijo necesita ayuda")).to_be_visible()
    lead_violations = axe_violations(axe, phone)
    report("lead page", lead_violations)

    # Record a call that reached her.
    call = phone.locator("#action-call")
    call.get_by_label("Reached the person").check()
    call.get_by_label("Note (optional)").fill("Spoke with her; wants IOP in the evenings.")
    call.get_by_role("button", name="Record call").click()
    expect(phone.get_by_text("Call recorded.")).to_be_visible()
    expect(phone.locator(".lead-facts").first.get_by_text("Contacted", exact=True)).to_be_visible()

    # Closing without a reason is refused beside the field; the choice is kept.
    status = phone.locator("#action-status")
    status.get_by_label("New status").select_option(label="Closed: not a fit")
    status.get_by_role("button", name="Change status").click()
    status = phone.locator("#action-status")
    expect(status.get_by_text("Say why the lead is closed.")).to_be_visible()
    expect(status.get_by_label("New status")).to_have_value(LeadStatus.NOT_A_FIT)
    expect(phone.locator("#error-summary a[href='#action-status']")).to_be_visible()

    # Move it along instead.
    status.get_by_label("New status").select_option(label="Insurance verification")
    status.get_by_role("button", name="Change status").click()
    expect(phone.get_by_text("Status changed.")).to_be_visible()

    lead.refresh_from_db()
    assert lead.status == LeadStatus.INSURANCE_VERIFICATION
    assert lead.first_contact_at is not None
    events = list(lead.events.exclude(kind=LeadEvent.Kind.SUBMITTED).order_by("at", "id"))
    assert [(e.kind, e.to_status or e.call_outcome) for e in events] == [
        ("call", "reached"),
        ("status", "contacted"),
        ("status", "insurance_verification"),
    ]
    assert {e.actor_id for e in events} == {coord.pk}
    timeline = phone.locator(".lead-timeline")
    expect(timeline.get_by_text("Spoke with her; wants IOP in the evenings.")).to_be_visible()
    assert Lead.objects.get(pk=lead.pk).assigned_to is None

    phone.goto(reverse("admin:admissions_lead_dashboard"))
    expect(phone.get_by_role("img", name="Leads per week by current status")).to_be_visible()
    dashboard_violations = axe_violations(axe, phone)
    report("dashboard", dashboard_violations)

    ours = (
        in_our_markup(inbox_violations) + in_our_markup(lead_violations) + in_our_markup(dashboard_violations)
    )
    assert not ours, f"axe violations in the lead pages' own markup: {ours}"
