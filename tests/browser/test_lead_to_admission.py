"""Issue 11: a lead walked from new to admitted at 390×844. A coordinator
screens the person on the call (one substance, the suicide-risk questions, the
six ASAM dimensions), a clinician signs the decision off, the lead is moved to
Admitted, and a manager hands it to the clinical record. axe-core checks each
page; violations in our markup fail the test, the admin's own are printed."""

import json

import pytest
from django.apps import apps
from django.urls import reverse
from playwright.sync_api import expect

from admissions.models import ASAM_DIMENSIONS, LeadStatus, PreAdmissionScreening
from tests.admissions.factories import coordinator, make_consultation, manager, otp_verify
from tests.admissions.screening_support import clinician

from .test_coordinator_works_lead import axe_violations, in_our_markup, report, sign_in

pytestmark = pytest.mark.usefixtures("site_content")

OURS = ["lead-panel", "lead-page", "screening", "crisis", "lead-work", "lead-handoff"]


def checked(axe, page, where):
    found = axe_violations(axe, page)
    report(where, found)
    assert in_our_markup(found, OURS) == [], where


def signed_in(open_context, user):
    page = open_context().new_page()
    device = otp_verify(user)[0] if apps.is_installed("django_otp") else None
    sign_in(page, user.username, device)
    return page


def change_status(page, label):
    form = page.locator("#action-status")
    form.get_by_label("New status").select_option(label=label)
    form.get_by_role("button", name="Change status").click()
    page.wait_for_load_state()


def test_a_lead_walks_from_new_to_admitted_on_a_phone(open_context, axe, settings, tmp_path):
    settings.ADMISSIONS_HANDOFF_DIR = tmp_path / "handoff"
    lead = make_consultation(first_name="Lucía", last_name="Fernández", patient_first_name="Mateo")[1]
    lead_url = reverse("admin:admissions_lead_change", args=[lead.pk])

    # The coordinator screens Mateo's mother on the call.
    coord = signed_in(open_context, coordinator("casey"))
    coord.goto(lead_url)
    coord.get_by_role("link", name="Start the screening").click()
    coord.wait_for_url("**/screening/new/")
    checked(axe, coord, "new screening")
    coord.locator('[name="substances-0-substance"]').select_option("alcohol")
    coord.locator('[name="substances-0-which_one"]').fill("vodka")
    for question in (
        "asq_wished_dead",
        "asq_better_off_dead",
        "asq_thoughts_of_killing_self",
        "asq_ever_tried",
    ):
        coord.locator(f'[name="{question}"][value="no"]').check()
    for (_, prefix, _), score in zip(ASAM_DIMENSIONS, (1, 1, 2, 1, 2, 1), strict=True):
        coord.locator(f'[name="{prefix}_score"][value="{score}"]').check()
        coord.locator(f'[name="{prefix}_note"]').fill("Told on the call.")
    coord.get_by_role("button", name="Save screening").click()
    coord.wait_for_url("**/screening/*/")
    expect(coord.get_by_text("Intensive outpatient", exact=False).first).to_be_visible()
    checked(axe, coord, "saved screening")
    screening = PreAdmissionScreening.objects.get(lead=lead)
    coord.goto(lead_url)
    change_status(coord, "Assessment scheduled")

    # The clinician signs the decision off.
    doctor = signed_in(open_context, clinician("dr-reyes"))
    doctor.goto(reverse("admin:admissions_lead_screening", args=[lead.pk, screening.pk]))
    doctor.get_by_label("Accept for intensive outpatient (IOP)").check()
    doctor.get_by_role("button", name="Sign off").click()
    doctor.wait_for_load_state()
    screening.refresh_from_db()
    assert screening.decision == "accept_iop" and screening.signed_off_by.username == "dr-reyes"
    checked(axe, doctor, "signed-off screening")

    # Admitted, then handed to the clinical record by a manager.
    coord.goto(lead_url)
    change_status(coord, "Admitted")
    lead.refresh_from_db()
    assert lead.status == LeadStatus.ADMITTED
    boss = signed_in(open_context, manager("morgan"))
    boss.goto(lead_url)
    checked(axe, boss, "admitted lead")
    boss.get_by_role("button", name="Write the hand-off file").click()
    expect(boss.get_by_text("Hand-off file written")).to_be_visible()
    (written,) = settings.ADMISSIONS_HANDOFF_DIR.iterdir()
    bundle = json.loads(written.read_text())
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    assert kinds[0] == "Patient" and "QuestionnaireResponse" in kinds and "RelatedPerson" in kinds
    # Every step is on the lead's timeline.
    kinds = set(lead.events.values_list("kind", flat=True))
    assert {"screening", "status"} <= kinds
