"""Issue 11, scheduling and capacity at 390×844: a coordinator opens the
lead's schedule from the lead page, books the assessment with the native
date and time pickers, admits the person to the last seat of a track, then
reads the team's day and the census; a manager sees the census on the
dashboard. axe-core checks each page (violations in our markup fail, the
admin's own are printed) and no page scrolls sideways."""

import datetime

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from admissions.models import LeadStatus, ProgramTrack, TrackLevel, TrackSeat
from tests.admissions.factories import coordinator, make_consultation, manager, otp_verify

from .test_coordinator_works_lead import axe_violations, in_our_markup, report, sign_in

pytestmark = pytest.mark.usefixtures("site_content")

OURS = ["schedule", "census", "lead-panel", "lead-facts"]


def checked(axe, page, where):
    found = axe_violations(axe, page)
    report(where, found)
    assert in_our_markup(found, OURS) == [], where
    scrolls = page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth + 1")
    assert not scrolls, f"{where} scrolls sideways"


def signed_in(open_context, user):
    page = open_context().new_page()
    device = otp_verify(user)[0] if apps.is_installed("django_otp") else None
    sign_in(page, user.username, device)
    return page


def test_book_admit_and_read_the_day_on_a_phone(open_context, axe):
    user = coordinator("casey", first_name="Casey", last_name="Nguyen")
    lead = make_consultation(first_name="Lucía", last_name="Fernández")[1]
    track = ProgramTrack.objects.create(
        name="IOP evening", level=TrackLevel.IOP, seats=1, meets="Mon, Wed, Thu 6–9 p.m."
    )
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    page = signed_in(open_context, user)
    page.goto(reverse("admin:admissions_lead_change", args=[lead.pk]))
    page.get_by_role("link", name="Book or admit").click()
    page.wait_for_url("**/schedule/")
    checked(axe, page, "lead schedule")

    book = page.locator("#book-form")
    book.get_by_label("Assessment").check()
    book.get_by_label("Date").fill(tomorrow.isoformat())
    book.get_by_label("Time (Pacific)").fill("14:30")
    book.locator('[name="book-with_whom"]').select_option(label="Casey Nguyen")
    book.get_by_label("Telehealth (video)").check()
    book.get_by_role("button", name="Book").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Appointment booked.")).to_be_visible()
    lead.refresh_from_db()
    assert lead.status == LeadStatus.ASSESSMENT_SCHEDULED

    admit = page.locator("#admit-form")
    admit.get_by_label("Track").select_option(label="IOP evening: 1 of 1 free")
    admit.get_by_label("First day").fill(tomorrow.isoformat())
    admit.get_by_role("button", name="Admit").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Admitted to IOP evening")).to_be_visible()
    assert TrackSeat.objects.filter(lead=lead, track=track).exists()
    checked(axe, page, "lead schedule after admission")

    page.goto(reverse("admin:admissions_lead_schedule_day") + f"?day={tomorrow.isoformat()}")
    expect(page.get_by_text("Yours (1)")).to_be_visible()
    checked(axe, page, "day view")
    page.goto(reverse("admin:admissions_lead_capacity"))
    expect(page.get_by_text("IOP evening: full (1 seats), 0 waiting")).to_be_visible()
    checked(axe, page, "census and open seats")

    boss = signed_in(open_context, manager("morgan"))
    boss.goto(reverse("admin:admissions_lead_dashboard"))
    expect(boss.get_by_role("heading", name="Census and open seats")).to_be_visible()
    checked(axe, boss, "dashboard census")
