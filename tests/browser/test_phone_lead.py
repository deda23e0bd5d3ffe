"""Issue 10: a coordinator on a 390×844 phone records a lead that came by
phone (with an extension and the verbal consent script), then finds it again
by the name typed without its accents. axe-core checks the new-lead page, the
lead page built for the call and the Today list; violations in our markup
fail the test, the admin's own are printed (-s)."""

import pytest
from django.apps import apps
from django.urls import reverse
from playwright.sync_api import expect

from admissions.models import Lead
from tests.admissions.factories import coordinator, otp_verify

from .test_coordinator_works_lead import axe_violations, in_our_markup, report, sign_in

pytestmark = pytest.mark.usefixtures("site_content")

OURS = ["lead-new", "lead-script", "lead-call", "lead-today", "lead-banner", "lead-recent", "lead-matches"]


def test_a_coordinator_enters_a_phone_lead_and_finds_it_by_an_unaccented_name(phone, axe):
    coord = coordinator("casey", first_name="Casey", last_name="Cole")
    device = otp_verify(coord)[0] if apps.is_installed("django_otp") else None
    sign_in(phone, "casey", device)

    phone.goto(reverse("admin:admissions_lead_changelist"))
    phone.get_by_role("link", name="New lead by phone, walk-in, referral or email").click()
    phone.wait_for_url("**/admissions/lead/new/")
    found = axe_violations(axe, phone)
    report("new lead", found)
    assert in_our_markup(found, OURS) == []

    phone.get_by_label("Phone call").check()
    phone.get_by_label("Caller's first name").fill("Lucía")
    phone.get_by_label("Caller's last name").fill("Fernández")
    phone.locator("#id_phone").fill("(714) 555-0123 ext 2")
    phone.get_by_label("Relation to the patient").fill("Mother")
    phone.get_by_label("Patient's first name, if someone else").fill("Mateo")
    phone.get_by_label("What they said").fill("Son drinking daily, wants help this week")
    phone.get_by_label("Best time to call back").select_option(label="Evening (5pm–9pm)")
    expect(phone.locator(".lead-script-text")).to_be_visible()
    phone.get_by_label("They agreed to be contacted (script read out above)").check()
    phone.get_by_role("button", name="Record lead").click()
    phone.wait_for_url("**/admissions/lead/*/change/")

    lead = Lead.objects.get()
    assert lead.channel == "phone" and lead.phone == "+17145550123;ext=2"
    call = phone.locator(".lead-call")
    expect(call.get_by_role("link", name="(714) 555-0123 ext 2")).to_be_visible()
    expect(call.get_by_text("Son drinking daily, wants help this week")).to_be_visible()
    found = axe_violations(axe, phone)
    report("lead page", found)
    assert in_our_markup(found, OURS) == []

    # Find it again by the name typed without accents, across every status.
    phone.goto(reverse("admin:admissions_lead_changelist"))
    phone.get_by_role("searchbox").fill("fernandez")
    phone.get_by_role("button", name="Search").click()
    phone.wait_for_url("**/admissions/lead/?*s=phi1.*")
    assert "fernandez" not in phone.url.lower()
    expect(phone.locator("#result_list tbody tr")).to_have_count(1)
    expect(phone.get_by_role("link", name="Lucía Fernández")).to_be_visible()

    phone.goto(reverse("admin:admissions_lead_today"))
    found = axe_violations(axe, phone)
    report("today", found)
    assert in_our_markup(found, OURS) == []
