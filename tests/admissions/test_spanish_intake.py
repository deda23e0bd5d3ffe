"""The admissions side in Spanish (issue 13), end to end on PostgreSQL: the
forms under /es/admisiones/ in Spanish with the Spanish consent wording, the
request stored with its language and the exact wording shown, the auto-reply
and its stop link in Spanish, the staff alert in English saying "Spanish"
without patient data, Spanish errors that keep the answers (4xx, never 500),
the date of birth still month first, blank forms kept per language, the
inbox's language badge and filter, and the English flow as before."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation

from admissions.intake.forms import ConsultationForm, InsuranceVerificationForm
from admissions.models import ConsentText, ConsultationRequest, InsuranceVerification, Lead
from admissions.services import pipeline
from tests.security.otp import login_with_second_factor

from .factories import coordinator
from .intake_support import (
    CONSULTATION_THANKS,
    CONSULTATION_URL,
    cache_table_fixture,  # noqa: F401
    consultation_data,
    insurance_data,
    token_for,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cache_table", "demo_content")]

ES_CONSULTATION = "/es/admisiones/consulta/"
ES_INSURANCE = "/es/admisiones/verificar-seguro/"
ES_CONSULTATION_THANKS = "/es/admisiones/gracias/consulta/"
ES_INSURANCE_THANKS = "/es/admisiones/gracias/seguro/"


@pytest.fixture(autouse=True)
def _english_between_requests():
    # The middleware activates the URL's language for the thread; each test
    # (and each helper below) says which language it builds tokens in.
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def alert_inbox(settings):
    settings.ADMISSIONS_ALERT_EMAIL = "admissions@example.test"
    return settings


def spanish_token(form_class) -> str:
    """The token the Spanish page issues: it names the Spanish wording."""
    with translation.override("es"):
        return token_for(form_class)


def english_token(form_class) -> str:
    with translation.override("en"):
        return token_for(form_class)


def post(client, url, data, capture=None):
    if capture is None:
        return client.post(url, data, REMOTE_ADDR="198.51.100.31")
    with capture(execute=True):
        return client.post(url, data, REMOTE_ADDR="198.51.100.31")


def es_consultation(**overrides):
    return consultation_data(**{"form_token": spanish_token(ConsultationForm), **overrides})


def es_insurance(**overrides):
    return insurance_data(**{"form_token": spanish_token(InsuranceVerificationForm), **overrides})


def only(outbox, address):
    (message,) = [m for m in outbox if address in m.to]
    return message


# --- The pages ----------------------------------------------------------------------


def test_the_translated_paths_are_the_ones_the_brief_and_nginx_name():
    with translation.override("es"):
        assert reverse("admissions:consultation") == ES_CONSULTATION
        assert reverse("admissions:verify_insurance") == ES_INSURANCE
        assert reverse("admissions:consultation_thanks") == ES_CONSULTATION_THANKS
        assert reverse("admissions:insurance_thanks") == ES_INSURANCE_THANKS
        assert reverse("admissions:stop_contact", args=["abc"]) == "/es/admisiones/no-contactar/abc/"


def test_the_spanish_consultation_form_is_spanish_with_the_spanish_wording(client):
    response = client.get(ES_CONSULTATION)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert '<html lang="es">' in html
    for words in ("Pida una consulta gratuita", "Nombre", "¿Quién necesita ayuda?", "Un ser querido"):
        assert words in html, words
    assert "Enviar mi solicitud" in html and "Send my request" not in html
    assert "First name" not in html and "Who needs help?" not in html
    for kind in ("contact", "automated"):
        assert ConsentText.objects.get(kind=kind, language="es", version=1).text in html
        assert ConsentText.objects.get(kind=kind, language="en", version=1).text not in html
    # Spanish is the first guess for the language we call in.
    checked = html.split('name="preferred_language" value="es"')[1].split(">")[0]
    assert "checked" in checked


def test_the_spanish_insurance_form_keeps_the_date_month_first_and_says_so(client):
    html = client.get(ES_INSURANCE).content.decode()
    assert "Verifique su seguro" in html and "Fecha de nacimiento del paciente" in html
    assert 'placeholder="MM/DD/AAAA"' in html
    assert "Mes, día y año (MM/DD/AAAA)" in html
    assert ConsentText.objects.get(kind="benefits", language="es").text in html
    assert "Nueva York" in html and "Elija una compañía de seguros" in html


def test_blank_forms_are_kept_per_language(client):
    """The blank form is drawn once per worker and kept: per language, so the
    copy kept for one language is never served in the other."""
    for url, words, absent in (
        (CONSULTATION_URL, "First name", "Nombre del"),
        (ES_CONSULTATION, "¿Quién necesita ayuda?", "Who needs help?"),
        (CONSULTATION_URL, "Who needs help?", "¿Quién necesita ayuda?"),
        (ES_CONSULTATION, "Su consentimiento", "Your consent"),
    ):
        html = client.get(url).content.decode()
        assert words in html and absent not in html, url
    en = client.get(CONSULTATION_URL).content.decode()
    assert ConsentText.objects.get(kind="contact", language="en").text in en
    assert "checked" in en.split('name="preferred_language" value="en"')[1].split(">")[0]


def test_the_thank_you_pages_are_spanish_public_and_carry_the_crisis_sentence(client, settings):
    for url in (ES_CONSULTATION_THANKS, ES_INSURANCE_THANKS):
        response = client.get(url)
        assert response.status_code == 200
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert cache_control == {"public", f"max-age={settings.PUBLIC_PAGE_MAX_AGE}"}
        html = response.content.decode()
        assert "Gracias, recibimos su solicitud" in html
        assert "marque 2 para español" in html and "AYUDA" in html
        assert 'href="tel:988"' in html and 'href="tel:911"' in html
    assert "verifica los beneficios" in client.get(ES_INSURANCE_THANKS).content.decode()


# --- A Spanish consultation -------------------------------------------------------


def test_a_spanish_consultation_is_stored_with_the_spanish_wording_and_mailed_in_spanish(
    client, alert_inbox, django_capture_on_commit_callbacks
):
    data = es_consultation(automated_contact_consent="on", message="Mi hijo necesita ayuda urgente.")
    data.pop("preferred_language", None)
    response = post(client, ES_CONSULTATION, data, django_capture_on_commit_callbacks)
    assert response.status_code == 303 and response["Location"] == ES_CONSULTATION_THANKS

    request = ConsultationRequest.objects.get()
    assert request.language == "es"
    assert request.preferred_language == "es"  # not asked: the Spanish form means Spanish
    assert request.contact_consent == ConsentText.objects.get(kind="contact", language="es", version=1)
    assert request.automated_contact_consent.language == "es"

    reply = only(mail.outbox, "maria@example.com")
    assert reply.subject == "Recibimos su solicitud"
    assert reply.body.startswith("Hola, Maria:")
    assert "Gracias por comunicarse con" in reply.body and "marque 2 para español" in reply.body
    stop = re.search(r"https?://\S+/no-contactar/\S+/", reply.body).group(0)
    assert "/es/admisiones/no-contactar/" in stop
    for private in ("Lopez", "0123", "hijo", "Mother"):
        assert private not in reply.body

    alert = only(mail.outbox, "admissions@example.test")
    assert alert.subject == f"New free consultation request (lead {request.lead_id}, Spanish)"
    assert "Language: Spanish (sent from the Spanish form and asks to be contacted in Spanish)" in alert.body
    assert "Request: Free consultation" in alert.body  # the staff's mail stays English
    for private in ("Maria", "Lopez", "555", "0123", "maria@example.com", "hijo", "Mother"):
        assert private not in alert.subject + alert.body


def test_the_stop_link_of_a_spanish_reply_opens_a_spanish_page(
    client, alert_inbox, django_capture_on_commit_callbacks
):
    post(client, ES_CONSULTATION, es_consultation(), django_capture_on_commit_callbacks)
    reply = only(mail.outbox, "maria@example.com")
    path = re.search(r"https?://[^/\s]+(/es/admisiones/no-contactar/\S+/)", reply.body).group(1)
    page = client.get(path)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert "No quiero que me contacten" in page.content.decode()
    done = client.post(path).content.decode()
    assert "No volveremos a comunicarnos con usted" in done
    assert Lead.objects.get().contact_stopped_at is not None
    bad = client.get("/es/admisiones/no-contactar/altered/")
    assert bad.status_code == 404 and "Este enlace no funciona" in bad.content.decode()


def test_english_chosen_on_the_spanish_form_is_kept_and_staff_still_hear_spanish(
    client, alert_inbox, django_capture_on_commit_callbacks
):
    post(
        client, ES_CONSULTATION, es_consultation(preferred_language="en"), django_capture_on_commit_callbacks
    )
    request = ConsultationRequest.objects.get()
    assert (request.language, request.preferred_language) == ("es", "en")
    alert = only(mail.outbox, "admissions@example.test")
    assert "Language: Spanish (sent from the Spanish form)." in alert.body
    # The reply speaks the language of the page the person used.
    assert only(mail.outbox, "maria@example.com").subject == "Recibimos su solicitud"


def test_spanish_asked_for_on_the_english_form(client, alert_inbox, django_capture_on_commit_callbacks):
    data = consultation_data(form_token=english_token(ConsultationForm), preferred_language="es")
    post(client, CONSULTATION_URL, data, django_capture_on_commit_callbacks)
    request = ConsultationRequest.objects.get()
    assert (request.language, request.preferred_language) == ("en", "es")
    assert request.contact_consent.language == "en"
    alert = only(mail.outbox, "admissions@example.test")
    assert "Language: Spanish (asks to be contacted in Spanish)" in alert.body
    assert alert.subject.endswith(", Spanish)")
    assert only(mail.outbox, "maria@example.com").subject == "We received your request"


# --- A Spanish insurance verification ---------------------------------------------


def test_a_spanish_insurance_request_is_stored_and_mailed_so(
    client, alert_inbox, django_capture_on_commit_callbacks
):
    data = es_insurance(email="daniel@example.com", date_of_birth="04/27/1985")
    response = post(client, ES_INSURANCE, data, django_capture_on_commit_callbacks)
    assert response.status_code == 303 and response["Location"] == ES_INSURANCE_THANKS
    request = InsuranceVerification.objects.get()
    assert request.language == "es" and request.preferred_language == "es"
    assert request.date_of_birth == datetime.date(1985, 4, 27)  # month first, as on the English form
    assert request.benefits_authorization == ConsentText.objects.get(kind="benefits", language="es")

    reply = only(mail.outbox, "daniel@example.com")
    assert reply.subject == "Recibimos su solicitud" and reply.body.startswith("Hola:")
    assert "repasará con usted los beneficios" in reply.body
    assert "/es/admisiones/no-contactar/" in reply.body

    alert = only(mail.outbox, "admissions@example.test")
    assert "Request: Insurance verification" in alert.body and "Language: Spanish" in alert.body
    for private in ("Daniel", "Kim", "W123456789", "GRP-001", "1985", "daniel@example.com", "0188"):
        assert private not in alert.subject + alert.body


# --- Errors in Spanish --------------------------------------------------------------


def test_spanish_errors_are_spanish_and_keep_the_other_answers(client):
    data = es_insurance(first_name="", date_of_birth="13/27/1985", member_id="")
    response = post(client, ES_INSURANCE, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Por favor corrija estas 3 respuestas" in html
    assert "Escriba el nombre del paciente." in html
    assert "No existe el mes 13." in html
    assert "Escriba el número de miembro que aparece en la tarjeta del seguro." in html
    assert 'value="Kim"' in html and 'value="GRP-001"' in html
    assert "Enter the patient" not in html
    assert InsuranceVerification.objects.count() == 0 and Lead.objects.count() == 0


@pytest.mark.parametrize(
    "typed, message",
    [
        ("02/30/1985", "El 30 de febrero no existe. Revise el día y el mes."),
        ("04/27/85", "Escriba el año con cuatro dígitos, por ejemplo 1985."),
        ("27 de abril", "Escriba la fecha como mes/día/año (MM/DD/AAAA), por ejemplo 04/27/1985."),
        ("01/01/2999", "La fecha de nacimiento no puede ser en el futuro."),
    ],
)
def test_date_of_birth_messages_in_spanish(client, typed, message):
    response = post(client, ES_INSURANCE, es_insurance(date_of_birth=typed))
    assert response.status_code == 400
    assert message in response.content.decode()


def test_spanish_consultation_errors_keep_the_answers(client):
    data = es_consultation(phone="", email="", caller_relation="", who_needs_help="loved_one", first_name="")
    response = post(client, ES_CONSULTATION, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Escriba su nombre." in html
    assert "Denos un número de teléfono o un correo electrónico (o los dos)" in html
    assert "Díganos qué relación tiene con la persona que necesita ayuda" in html
    assert 'value="Lopez"' in html and "Mi hijo" not in html  # the other answers, as typed
    assert ConsultationRequest.objects.count() == 0


def test_garbage_on_the_spanish_form_is_a_4xx_never_a_500(client):
    for data in (
        {"form_token": "x"},
        es_consultation(best_time_to_call="midnight", heard_about="radio", preferred_language="fr"),
        es_consultation(form_token="altered"),
    ):
        response = post(client, ES_CONSULTATION, data)
        assert 400 <= response.status_code < 500, data
    html = post(client, ES_CONSULTATION, es_consultation(form_token="altered")).content.decode()
    assert "No pudimos enviar su formulario tal como estaba." in html and 'value="Maria"' in html
    html = post(client, ES_CONSULTATION, es_consultation(preferred_language="fr")).content.decode()
    assert "Elija inglés o español." in html
    assert ConsultationRequest.objects.count() == 0


# --- English unchanged -----------------------------------------------------------------


def test_the_english_flow_after_a_spanish_one_is_english(
    client, alert_inbox, django_capture_on_commit_callbacks
):
    post(
        client, ES_CONSULTATION, es_consultation(email="ana@example.com"), django_capture_on_commit_callbacks
    )
    mail.outbox.clear()
    data = consultation_data(form_token=english_token(ConsultationForm), email="maria@example.com")
    data.pop("preferred_language", None)
    response = post(client, CONSULTATION_URL, data, django_capture_on_commit_callbacks)
    assert response["Location"] == CONSULTATION_THANKS
    request = ConsultationRequest.objects.get(language="en")
    assert request.preferred_language == "en"
    assert request.contact_consent == ConsentText.objects.get(kind="contact", language="en", version=1)
    reply = only(mail.outbox, "maria@example.com")
    assert reply.subject == "We received your request" and reply.body.startswith("Hi Maria,")
    assert "/admissions/stop/" in reply.body and "/es/" not in reply.body
    alert = only(mail.outbox, "admissions@example.test")
    assert "Spanish" not in alert.subject + alert.body
    assert alert.subject == f"New free consultation request (lead {request.lead_id})"


# --- Staff ------------------------------------------------------------------------------


def test_the_inbox_badges_and_filters_by_language_and_the_lead_page_shows_it(client):
    post(client, ES_CONSULTATION, es_consultation(phone="(714) 555-0101", email="ana@example.com"))
    data = consultation_data(form_token=english_token(ConsultationForm), phone="(714) 555-0202", email="")
    post(client, CONSULTATION_URL, data)
    spanish = ConsultationRequest.objects.get(language="es").lead
    english = ConsultationRequest.objects.get(language="en").lead
    translation.activate("en")
    staff = login_with_second_factor(client, coordinator())
    inbox = reverse("admin:admissions_lead_changelist")

    html = staff.get(inbox).content.decode()
    row = re.search(r"\(714\) 555-0101[^<]*<span[^>]*>Spanish</span>", html)
    assert row, "the Spanish badge sits beside the phone"
    assert not re.search(r"\(714\) 555-0202[^<]*<span[^>]*>Spanish</span>", html)

    only_spanish = staff.get(inbox, {"language": "es"}).content.decode()
    assert f"/{spanish.pk}/change/" in only_spanish and f"/{english.pk}/change/" not in only_spanish
    only_english = staff.get(inbox, {"language": "en"}).content.decode()
    assert f"/{english.pk}/change/" in only_english and f"/{spanish.pk}/change/" not in only_english
    assert staff.get(inbox, {"language": "fr"}).status_code < 500

    page = staff.get(reverse("admin:admissions_lead_change", args=[spanish.pk])).content.decode()
    assert "Form language" in page and "Spanish" in page


# --- Reference data -------------------------------------------------------------------


def test_every_consent_has_a_spanish_version_and_the_phone_script_stays_english():
    for kind in ConsentText.Kind.values:
        spanish = ConsentText.objects.get(kind=kind, language="es", version=1)
        english = ConsentText.objects.get(kind=kind, language="en", version=1)
        assert spanish.text and spanish.text != english.text
    assert "Sheer Recovery" in ConsentText.objects.get(kind="automated", language="es").text
    assert "STOP" in ConsentText.objects.get(kind="automated", language="es").text
    assert pipeline.verbal_consent_script().language == "en"
    assert pipeline.verbal_consent_script("es").text.startswith("Antes de continuar")


def test_nginx_treats_the_spanish_form_paths_like_the_english_ones():
    conf = (Path(settings.BASE_DIR) / "deploy/nginx/sheer-recovery.conf").read_text()
    with translation.override("es"):
        insurance = reverse("admissions:verify_insurance")
        thanks = reverse("admissions:consultation_thanks").rsplit("/", 2)[0] + "/"
        private = reverse("admissions:consultation").rsplit("/", 2)[0] + "/"
    assert f"location = {insurance} {{\n        client_max_body_size 24m;" in conf
    assert f'"~^{thanks}" 0;' in conf and f'"~^{private}" 1;' in conf
    assert conf.index(f'"~^{thanks}" 0;') < conf.index(f'"~^{private}" 1;')  # first match wins


def test_a_spanish_program_choice_is_stored_as_the_program_it_translates(
    client, alert_inbox, django_capture_on_commit_callbacks
):
    from programs.models import LevelOfCare

    spanish_iop = LevelOfCare.objects.get(slug="programa-intensivo-ambulatorio", language="es")
    english_iop = spanish_iop.translation_of
    page = client.get(ES_CONSULTATION).content.decode()
    assert f'value="{spanish_iop.pk}"' in page and f'value="{english_iop.pk}"' not in page

    response = post(
        client,
        ES_CONSULTATION,
        es_consultation(level_of_care=spanish_iop.pk),
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 303
    request = ConsultationRequest.objects.get()
    assert request.level_of_care == english_iop and request.lead.level_of_care == english_iop
    # The English form does not take a Spanish row either way.
    refused = post(client, CONSULTATION_URL, consultation_data(level_of_care=spanish_iop.pk))
    assert refused.status_code == 400
    assert ConsultationRequest.objects.count() == 1


def test_the_blank_form_page_is_drawn_once_and_each_visitor_gets_their_own_tokens(client):
    first = client.get(ES_CONSULTATION + "?utm_source=radio")
    second = client.__class__().get(ES_CONSULTATION + "?utm_source=tv")
    assert first.status_code == second.status_code == 200
    assert second.templates == [], "the second visitor's page was drawn again"

    def hidden(response, name):
        return re.search(rf'name="{name}" value="([^"]*)"', response.content.decode()).group(1)

    for name in ("csrfmiddlewaretoken", "form_token"):
        assert hidden(first, name) != hidden(second, name), name
    assert hidden(first, "utm_source") == "radio" and hidden(second, "utm_source") == "tv"
    assert "SHEERHOLE" not in first.content.decode() + second.content.decode()
    assert "no-store" in second["Cache-Control"]
    # The English page is its own drawing.
    english = client.get(CONSULTATION_URL)
    assert '<html lang="en"' in english.content.decode()
