"""A content editor on a phone, keyboard only for the edit: drafts a change to a
live program (Enter saves the draft, never publishes), checks that visitors
still see the live text, previews the draft, publishes it and reads the diff
in the history. axe-core checks the edit form, the history and the diff; what
it finds in our markup fails the test (the admin's own is printed, -s)."""

import pytest
from django.apps import apps
from playwright.sync_api import expect

from programs.models import LevelOfCare
from tests.admissions.factories import content_editor, otp_verify

from .test_coordinator_works_lead import axe_violations, in_our_markup, report, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("site_content")]

OURS = [".draft-notice", ".draft-actions", ".history-table", ".history-draft", ".diff-field", ".diff-legend"]


def test_editor_drafts_previews_and_publishes_on_a_phone(phone, axe):
    editor = content_editor("robin")
    device = otp_verify(editor)[0] if apps.is_installed("django_otp") else None
    level = LevelOfCare.objects.get(slug="intensive-outpatient-program")
    live_summary = level.summary

    sign_in(phone, "robin", device)
    phone.goto(f"/admin/programs/levelofcare/{level.pk}/change/")
    summary = phone.get_by_label("Summary:", exact=True)
    summary.focus()
    summary.press("Control+a")
    summary.type("Evening groups four days a week, for 30 to 60 days.")
    summary.press("Enter")  # the form's first button: Save draft
    expect(phone.get_by_text("Saved the draft; changed Summary.")).to_be_visible()
    edit_violations = axe_violations(axe, phone)
    report("edit form", edit_violations)

    level.refresh_from_db()
    assert level.summary == live_summary and level.draft is not None
    public = phone.context.new_page()
    public.goto(level.get_absolute_url())
    expect(public.get_by_text(live_summary)).to_be_visible()
    public.goto(f"/preview/programs/{level.pk}/")
    expect(public.get_by_text("Evening groups four days a week, for 30 to 60 days.")).to_be_visible()
    expect(public.get_by_role("status")).to_contain_text("unpublished draft")
    public.close()

    phone.get_by_role("link", name="History").click()
    history_violations = axe_violations(axe, phone)
    report("history", history_violations)
    expect(phone.locator(".history-draft")).to_contain_text("Changed from the live version: Summary.")
    phone.locator(".history-draft").get_by_role(
        "link", name="Compare the draft with the live version"
    ).click()
    expect(phone.get_by_role("heading", name="Summary")).to_be_visible()
    expect(phone.locator(".diff-inline ins").first).to_contain_text("Evening")
    diff_violations = axe_violations(axe, phone)
    report("diff", diff_violations)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "scrolls sideways"

    phone.goto(f"/admin/programs/levelofcare/{level.pk}/change/")
    publish = phone.get_by_role("button", name="Publish", exact=True)
    publish.focus()
    publish.press("Enter")
    expect(phone.get_by_text("Published; changed Summary.")).to_be_visible()
    level.refresh_from_db()
    assert level.summary == "Evening groups four days a week, for 30 to 60 days." and level.draft is None

    assert not in_our_markup(edit_violations + history_violations + diff_violations, OURS)
