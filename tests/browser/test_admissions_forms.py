"""A family member on a phone: asks for a consultation and checks insurance
(with a photo of the card), meets errors, fixes them, reaches the thank-you
page. axe-core finds no violations on the forms (also in error state) or the
thank-you pages, and both forms work with JavaScript off."""

import importlib
import re

import pytest

from admissions.models import ConsentText, ConsultationRequest, InsuranceCarrier, InsuranceVerification, Lead
from tests.admissions.intake_support import (
    cache_table_fixture,  # noqa: F401
    files_in,
    jpeg_bytes,
    private_media_fixture,  # noqa: F401
)

from .conftest import assert_no_axe_violations

# crispy's "*" after required labels is in the DOM but hidden (display: none).
INSURANCE_COMPANY = re.compile(r"^\s*Insurance company\*?\s*$")

pytestmark = pytest.mark.usefixtures("site_content", "cache_table", "intake_settings")


@pytest.fixture
def intake_settings(settings, site_content):
    # Live-server tests flush the database after each test, and with it the
    # rows the data migration seeded: put the consent wording and carriers back.
    seeded = importlib.import_module("admissions.migrations.0002_seed_roles_consents_carriers")
    for kind, text in seeded.CONSENTS:
        ConsentText.objects.get_or_create(kind=kind, language="en", version=1, defaults={"text": text})
    for order, name in enumerate(seeded.CARRIERS, start=1):
        InsuranceCarrier.objects.get_or_create(name=name, defaults={"order": order * 10})
    # Robots fill forms in milliseconds too; the fill-time and rate-limit
    # rules have their own tests (tests/admissions/test_views_intake.py).
    settings.ADMISSIONS_MIN_FILL_SECONDS = 0
    settings.ADMISSIONS_RATE_LIMIT = 0
    settings.ADMISSIONS_ALERT_EMAIL = "admissions@example.test"


def submit(page, name):
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def focused_id(page):
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_family_member_requests_a_consultation(phone, axe):
    # Arrives from an ad on a program page, then goes to the form.
    phone.goto("/programs/intensive-outpatient-program/?utm_source=adsq&utm_campaign=iop-fall")
    phone.goto("/admissions/consultation/")
    assert_no_axe_violations(axe, phone)

    phone.get_by_label("First name").fill("Maria")
    submit(phone, "Send my request")

    # Error summary: announced, focused, linking to each field; answers kept.
    summary = phone.get_by_role("alert")
    assert "Please correct these" in summary.inner_text()
    assert focused_id(phone) == "error-summary"
    assert phone.get_by_label("First name").input_value() == "Maria"
    assert_no_axe_violations(axe, phone)
    summary.get_by_role("link", name="Enter your last name.").click()
    assert focused_id(phone) == "id_last_name"

    phone.get_by_label("Last name").fill("Lopez")
    phone.get_by_label("Phone number").fill("714 555 01")  # one digit short
    relation = phone.get_by_label("Your relationship to them")
    phone.get_by_label("A loved one").check()
    assert relation.is_visible()  # shown once "a loved one" is chosen
    relation.fill("Mother")
    phone.get_by_label("Program you're interested in (optional)").select_option(label="Not sure yet")
    phone.get_by_label("I agree that Sheer Recovery may contact me", exact=False).check()
    submit(phone, "Send my request")
    assert "Enter a US phone number with the area code" in phone.get_by_role("alert").inner_text()
    assert phone.get_by_label("Your relationship to them").input_value() == "Mother"

    phone.get_by_label("Phone number").fill("(714) 555-0123")
    submit(phone, "Send my request")
    assert phone.url.endswith("/admissions/thank-you/consultation/")
    assert phone.get_by_role("heading", level=1).inner_text() == "Thank you, we received your request"
    assert phone.locator("main").get_by_role("link", name="988").get_attribute("href") == "tel:988"
    assert_no_axe_violations(axe, phone)

    request = ConsultationRequest.objects.get()
    assert (request.first_name, request.lead.phone, request.caller_relation) == (
        "Maria",
        "+17145550123",
        "Mother",
    )
    # First-party attribution: the first page of the visit and its tags, via sessionStorage.
    assert request.landing_page.endswith(
        "/programs/intensive-outpatient-program/?utm_source=adsq&utm_campaign=iop-fall"
    )
    assert (request.utm_source, request.utm_campaign, request.lead.source) == ("adsq", "iop-fall", "adsq")


def test_family_member_checks_insurance_with_a_card_photo(phone, axe, private_media):
    phone.goto("/admissions/verify-insurance/")
    holder = phone.locator("#policy-holder-details")
    assert holder.is_hidden()  # "the patient" is the default; the section shows on demand
    assert_no_axe_violations(axe, phone)

    phone.get_by_label("Patient's first name").fill("Daniel")
    phone.get_by_label("Patient's last name").fill("Kim")
    phone.get_by_label("Patient's date of birth").fill("02/30/1990")
    phone.get_by_label("Your phone number").fill("714-555-0188")
    phone.get_by_label(INSURANCE_COMPANY).select_option(label="Cigna")
    phone.get_by_label("Member ID").fill("U1234567")
    phone.get_by_label("Someone else").check()
    assert holder.is_visible()
    phone.get_by_label("Policy holder's first name").fill("Grace")
    card = {"name": "IMG_0042.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}
    phone.get_by_label("Photo of the front of the card (optional)").set_input_files(card)
    phone.get_by_label("I authorize Sheer Recovery", exact=False).check()
    submit(phone, "Send for verification")

    summary = phone.get_by_role("alert")
    text = summary.inner_text()
    assert "February 30 does not exist" in text
    assert "Enter the policy holder's last name." in text
    assert focused_id(phone) == "error-summary"
    assert holder.is_visible()  # errors inside keep it open
    assert_no_axe_violations(axe, phone)

    phone.get_by_label("Patient's date of birth").fill("04/27/1985")
    phone.get_by_label("Policy holder's last name").fill("Kim")
    phone.get_by_label("Policy holder's date of birth").fill("06/01/1960")
    phone.get_by_label("Policy holder's relationship to the patient").fill("Mother")
    # Files are never kept on an error page: choose the photo again.
    phone.get_by_label("Photo of the front of the card (optional)").set_input_files(card)
    submit(phone, "Send for verification")
    assert phone.url.endswith("/admissions/thank-you/insurance/")
    assert "checks the benefits with the insurance company" in phone.locator("main").inner_text()
    assert_no_axe_violations(axe, phone)

    request = InsuranceVerification.objects.get()
    assert request.date_of_birth.isoformat() == "1985-04-27" and request.holder_last_name == "Kim"
    assert request.card_front.name.startswith("cards/") and len(files_in(private_media)) == 1


def test_both_forms_work_with_javascript_off(phone_without_js, private_media):
    page = phone_without_js
    page.goto("/admissions/consultation/")
    submit(page, "Send my request")
    assert "Enter your first name." in page.get_by_role("alert").inner_text()
    # Without JavaScript every question is on screen, the relation one with its hint.
    assert page.get_by_label("Your relationship to them").is_visible()
    page.get_by_label("First name").fill("Sam")
    page.get_by_label("Last name").fill("Ortiz")
    page.get_by_label("Email address").fill("sam@example.com")
    page.get_by_label("Me", exact=True).check()
    page.get_by_label("I agree that Sheer Recovery may contact me", exact=False).check()
    submit(page, "Send my request")
    assert page.url.endswith("/admissions/thank-you/consultation/")

    page.goto("/admissions/verify-insurance/")
    assert page.locator("#policy-holder-details").is_visible()
    page.get_by_label("Patient's first name").fill("Sam")
    page.get_by_label("Patient's last name").fill("Ortiz")
    page.get_by_label("Patient's date of birth").fill("1990-07-04")
    page.get_by_label("Your email address").fill("sam@example.com")
    page.get_by_label(INSURANCE_COMPANY).select_option(label="Other (not in this list)")
    page.get_by_label("Insurance company name, if not in the list").fill("Kaiser Permanente")
    page.get_by_label("Member ID").fill("K998877")
    page.get_by_label("Someone else").check()
    page.get_by_label("Policy holder's first name").fill("Ana")
    page.get_by_label("Policy holder's last name").fill("Ortiz")
    page.get_by_label("Policy holder's date of birth").fill("01/15/1962")
    page.get_by_label("Policy holder's relationship to the patient").fill("Mother")
    page.get_by_label("Photo of the back of the card (optional)").set_input_files(
        {"name": "back.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}
    )
    page.get_by_label("I authorize Sheer Recovery", exact=False).check()
    submit(page, "Send for verification")
    assert page.url.endswith("/admissions/thank-you/insurance/")

    assert Lead.objects.count() == 1  # same email: one person, two requests
    insurance = InsuranceVerification.objects.get()
    assert insurance.carrier_other == "Kaiser Permanente" and insurance.holder_first_name == "Ana"
    assert insurance.card_back.name and len(files_in(private_media)) == 1
