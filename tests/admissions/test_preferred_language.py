"""The "preferred language" question, end to end: asked on both forms, stored
with the request, shown to the coordinator on the lead page. It was added in
the model, the form and a migration only (docs/architecture.md)."""

import pytest
from django.urls import reverse

from admissions.models import ConsultationRequest, InsuranceVerification, PreferredLanguage
from tests.security.otp import login_with_second_factor

from .factories import coordinator, make_consultation
from .intake_support import (
    CONSULTATION_THANKS,
    CONSULTATION_URL,
    INSURANCE_THANKS,
    INSURANCE_URL,
    consultation_data,
    insurance_data,
    private_media_fixture,  # noqa: F401
)
from .test_views_intake import post

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", [CONSULTATION_URL, INSURANCE_URL])
def test_both_forms_ask_it_with_english_chosen(client, url):
    html = client.get(url).content.decode()
    assert "Which language should we use when we contact you?" in html
    assert 'name="preferred_language" value="en"' in html
    assert 'name="preferred_language" value="es"' in html
    checked = html.split('name="preferred_language" value="en"')[1].split(">")[0]
    assert "checked" in checked


def test_a_consultation_in_spanish_is_stored_so(client):
    response = post(client, CONSULTATION_URL, consultation_data(preferred_language="es"))
    assert response["Location"] == CONSULTATION_THANKS
    assert ConsultationRequest.objects.get().preferred_language == PreferredLanguage.SPANISH


def test_an_insurance_request_in_spanish_is_stored_so(client, private_media):
    response = post(client, INSURANCE_URL, insurance_data(preferred_language="es"))
    assert response["Location"] == INSURANCE_THANKS
    assert InsuranceVerification.objects.get().preferred_language == PreferredLanguage.SPANISH


def test_a_form_sent_without_the_answer_means_english(client):
    """A page loaded before the question existed still sends; nobody is refused for it."""
    post(client, CONSULTATION_URL, consultation_data())
    assert ConsultationRequest.objects.get().preferred_language == PreferredLanguage.ENGLISH


def test_a_made_up_language_is_an_error_beside_the_field_and_the_answers_stay(client):
    response = post(client, CONSULTATION_URL, consultation_data(preferred_language="klingon"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose English or Spanish." in html
    assert 'value="Maria"' in html
    assert ConsultationRequest.objects.count() == 0


def test_the_coordinator_sees_it_on_the_lead_page(client):
    _, lead = make_consultation(preferred_language="es")
    staff = login_with_second_factor(client, coordinator())
    html = staff.get(reverse("admin:admissions_lead_change", args=[lead.pk])).content.decode()
    assert "Preferred language" in html
    assert "Español (Spanish)" in html
