"""The two public forms end to end through the test client, on PostgreSQL:
what is stored, what is refused (4xx, never 500, nothing half-stored), spam,
double submits, attribution and the thank-you pages."""

import re

import pytest
from django.core import mail
from django.test import Client

from admissions.intake.forms import ConsultationForm
from admissions.models import (
    BlockedSubmission,
    ConsentText,
    ConsultationRequest,
    InsuranceVerification,
    Lead,
    LeadEvent,
)
from programs.models import LevelOfCare

from .intake_support import (
    CONSULTATION_THANKS,
    CONSULTATION_URL,
    INSURANCE_THANKS,
    INSURANCE_URL,
    cache_table_fixture,  # noqa: F401
    consultation_data,
    insurance_data,
    token_for,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cache_table", "demo_content")]


def stored_counts():
    return (
        Lead.objects.count(),
        ConsultationRequest.objects.count(),
        InsuranceVerification.objects.count(),
        LeadEvent.objects.count(),
    )


def post(client, url, data, **extra):
    return client.post(url, data, REMOTE_ADDR=extra.pop("ip", "198.51.100.7"), **extra)


# --- The form pages -----------------------------------------------------------


@pytest.mark.parametrize("url", [CONSULTATION_URL, INSURANCE_URL])
def test_form_page_is_never_cached_and_carries_token_and_honeypot(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert re.search(r'name="form_token" value="[^"]{40,}"', html)
    honeypot = re.search(r'<div class="visually-hidden" aria-hidden="true">.*?</div>', html, re.S).group(0)
    assert 'tabindex="-1"' in honeypot and 'autocomplete="off"' in honeypot and 'name="website"' in honeypot
    assert "novalidate" in html


def test_consultation_page_has_phone_first_fields_and_the_current_consent_wording(client):
    html = client.get(CONSULTATION_URL).content.decode()
    assert re.search(r'<input type="tel" name="phone" autocomplete="tel" inputmode="tel"', html)
    assert re.search(r'<input type="email" name="email" autocomplete="email" inputmode="email"', html)
    assert 'name="first_name" autocomplete="given-name"' in html
    assert re.search(r'<label\s+for="id_first_name"', html)
    contact = ConsentText.objects.get(kind="contact", language="en", version=1)
    assert contact.text in html
    # The TCPA consent is a separate box, not ticked by default.
    tcpa = re.search(r'<input type="checkbox" name="automated_contact_consent"[^>]*>', html).group(0)
    assert "checked" not in tcpa
    # Levels of care come from the programs data (the page's language's rows), with "not sure".
    for level in LevelOfCare.objects.published().in_language("en"):
        assert f">{level.name}</option>" in html
    assert ">Not sure yet</option>" in html


def test_insurance_page_fields(client):
    html = client.get(INSURANCE_URL).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert re.search(r'name="date_of_birth"[^>]*autocomplete="bday" inputmode="numeric"', html)
    assert ">Other (not in this list)</option>" in html and ">Aetna</option>" in html
    assert 'accept="image/jpeg,image/png,image/heic' in html
    # Policy holder section is always in the page (works without JavaScript), with a hint.
    assert 'id="policy-holder-details"' in html and "only if you chose" in html
    assert ConsentText.objects.get(kind="benefits", language="en").text in html


def test_public_pages_set_no_cookie_and_stay_cacheable(client):
    response = client.get("/")
    assert response.status_code == 200
    assert not response.cookies
    assert "public" in response["Cache-Control"]
    assert "/static/js/attribution.js" in response.content.decode()


# --- Storing -------------------------------------------------------------------


def test_consultation_is_stored_with_consent_evidence_and_attribution(client, settings):
    settings.ADMISSIONS_ALERT_EMAIL = "admissions@example.test"
    level = LevelOfCare.objects.published().first()
    data = consultation_data(
        level_of_care=str(level.pk),
        automated_contact_consent="on",
        landing_page="https://www.example.test/programs/iop/?utm_source=google",
        referrer="https://www.google.com/",
        utm_source="google",
        utm_medium="cpc",
        utm_campaign="oc-iop",
    )
    response = post(client, CONSULTATION_URL, data)
    assert response.status_code == 303
    assert response["Location"] == CONSULTATION_THANKS

    request = ConsultationRequest.objects.get()
    lead = request.lead
    assert (lead.first_name, lead.phone, lead.email) == ("Maria", "+17145550123", "maria@example.com")
    assert lead.level_of_care == level and lead.kind == "consultation" and lead.source == "google"
    assert request.contact_consent == ConsentText.objects.get(kind="contact", language="en", version=1)
    assert request.automated_contact_consent == ConsentText.objects.get(
        kind="automated", language="en", version=1
    )
    assert request.client_ip == "198.51.100.7"
    assert request.page_url == "http://testserver/admissions/consultation/"
    assert request.landing_page.startswith("https://www.example.test/programs/iop/")
    assert (request.referrer, request.utm_medium, request.utm_campaign) == (
        "https://www.google.com/",
        "cpc",
        "oc-iop",
    )
    assert request.caller_relation == "Mother" and request.best_time_to_call == "morning"
    assert LeadEvent.objects.filter(lead=lead, kind="submitted").count() == 1


def test_tcpa_consent_left_unticked_stores_none(client):
    post(client, CONSULTATION_URL, consultation_data())
    request = ConsultationRequest.objects.get()
    assert request.automated_contact_consent is None
    assert request.contact_consent.kind == "contact"


def test_consent_version_stored_is_the_one_the_form_showed(client):
    token = token_for(ConsultationForm)  # issued while v1 is current
    ConsentText.objects.create(kind="contact", language="en", version=2, text="New wording v2.")
    post(client, CONSULTATION_URL, consultation_data(form_token=token))
    assert ConsultationRequest.objects.get().contact_consent.version == 1
    # A form served now shows and stores version 2.
    assert "New wording v2." in client.get(CONSULTATION_URL).content.decode()
    post(client, CONSULTATION_URL, consultation_data(email="other@example.com", phone=""))
    assert ConsultationRequest.objects.order_by("-id").first().contact_consent.version == 2


def test_attribution_without_javascript_comes_from_the_form_request(client):
    page = client.get(CONSULTATION_URL + "?utm_source=newsletter", HTTP_REFERER="https://news.example.org/a")
    html = page.content.decode()
    assert 'name="utm_source" value="newsletter"' in html
    assert 'name="referrer" value="https://news.example.org/a"' in html
    # Same-site referrers are not "sources".
    own = client.get(CONSULTATION_URL, HTTP_REFERER="http://testserver/programs/").content.decode()
    assert 'name="referrer" value=""' in own
    # The post keeps the query string (the form has no action), so it also counts.
    post(client, CONSULTATION_URL + "?utm_source=newsletter&utm_campaign=fall", consultation_data())
    request = ConsultationRequest.objects.get()
    assert (request.utm_source, request.utm_campaign) == ("newsletter", "fall")
    assert request.lead.source == "newsletter"


def test_attribution_in_the_kept_blank_page_is_escaped(client):
    """The blank page is drawn once with a hole per attribution value; what a
    link puts in the query string is escaped into it, never pasted raw."""
    client.get(CONSULTATION_URL)  # draws and keeps the page
    html = client.get(
        CONSULTATION_URL + '?utm_campaign="><script>x()</script>&utm_term=a%26b'
    ).content.decode()
    assert "<script>x()" not in html
    assert 'name="utm_campaign" value="&quot;&gt;&lt;script&gt;x()&lt;/script&gt;"' in html
    assert 'name="utm_term" value="a&amp;b"' in html


def test_overlong_attribution_is_cut_not_refused(client):
    post(client, CONSULTATION_URL, consultation_data(utm_source="x" * 5000, landing_page="y" * 5000))
    request = ConsultationRequest.objects.get()
    assert len(request.utm_source) == 100 and len(request.landing_page) == 500


def test_insurance_is_stored_with_policy_holder(client):
    data = insurance_data(
        policy_holder="someone_else",
        holder_first_name="Grace",
        holder_last_name="Kim",
        holder_date_of_birth="1960-02-29",
        holder_relationship="Mother",
        email="Daniel@Example.com",
    )
    response = post(client, INSURANCE_URL, data)
    assert response.status_code == 303 and response["Location"] == INSURANCE_THANKS
    request = InsuranceVerification.objects.get()
    assert request.date_of_birth.isoformat() == "1985-04-27"
    assert request.holder_date_of_birth.isoformat() == "1960-02-29"
    assert (request.member_id, request.group_number, request.holder_first_name) == (
        "W123456789",
        "GRP-001",
        "Grace",
    )
    assert request.email == "daniel@example.com"
    assert request.carrier.name == "Aetna" and request.carrier_other == ""
    assert request.benefits_authorization.kind == "benefits"


def test_insurance_other_carrier_needs_a_name(client):
    response = post(client, INSURANCE_URL, insurance_data(carrier="other"))
    assert response.status_code == 400
    assert "Enter the name of the insurance company." in response.content.decode()
    post(client, INSURANCE_URL, insurance_data(carrier="other", carrier_other="Kaiser Permanente"))
    request = InsuranceVerification.objects.get()
    assert request.carrier is None and request.carrier_other == "Kaiser Permanente"


def test_holder_details_are_dropped_when_the_patient_holds_the_policy(client):
    post(
        client,
        INSURANCE_URL,
        insurance_data(
            policy_holder="patient", holder_first_name="Typed before", holder_date_of_birth="13/45/1"
        ),
    )
    request = InsuranceVerification.objects.get()
    assert request.holder_first_name == "" and request.holder_date_of_birth is None


# --- Bad input: 4xx, specific messages, answers kept, nothing stored ------------


def assert_refused(response, *messages, kept=()):
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and 'id="error-summary"' in html
    for message in messages:
        assert message in html.replace("&#x27;", "'"), message
    for value in kept:
        assert f'value="{value}"' in html, value
    assert stored_counts() == (0, 0, 0, 0)
    return html


def test_empty_consultation_lists_every_missing_answer(client):
    response = post(client, CONSULTATION_URL, {"form_token": token_for(ConsultationForm)})
    html = assert_refused(
        response,
        "Enter your first name.",
        "Enter your last name.",
        "Give a phone number or an email address (or both) so we can reach you.",
        "Tell us who needs help: you or a loved one.",
        "Tick the box to let us contact you about your request.",
    )
    # The summary links to each field by id; the radio group links to its first option.
    for anchor in ("id_first_name", "id_last_name", "id_phone", "id_who_needs_help_0", "id_contact_consent"):
        assert f'href="#{anchor}"' in html and f'id="{anchor}"' in html


def test_empty_insurance_lists_every_missing_answer(client):
    response = post(client, INSURANCE_URL, {"form_token": token_for(ConsultationForm), "state": ""})
    assert_refused(
        response,
        "Enter the patient's first name.",
        "Enter the patient's date of birth",
        "Choose the state the patient lives in.",
        "Choose the insurance company",
        "Enter the member ID from the insurance card.",
        "Tick the box to let us check the benefits",
    )


@pytest.mark.parametrize(
    ("phone", "email", "message"),
    [
        ("555-12", "", "Enter a US phone number with the area code"),
        ("(000) 000-0000", "", "Enter a US phone number with the area code"),
        ("not a phone", "", "Enter a US phone number with the area code"),
        ("", "maria@", "Enter an email address like name@example.com."),
        ("", "maria example.com", "Enter an email address like name@example.com."),
    ],
)
def test_bad_phone_or_email(client, phone, email, message):
    response = post(client, CONSULTATION_URL, consultation_data(phone=phone, email=email, first_name="Zoë"))
    assert_refused(response, message, kept=["Zoë", "Lopez"])


def test_either_phone_or_email_is_enough(client):
    post(client, CONSULTATION_URL, consultation_data(phone="", email="only@example.com"))
    post(client, CONSULTATION_URL, consultation_data(phone="+1 949 555 0111", email=""))
    assert ConsultationRequest.objects.count() == 2


def test_loved_one_needs_the_callers_relation(client):
    response = post(client, CONSULTATION_URL, consultation_data(caller_relation=""))
    assert_refused(response, "Tell us how you're related to the person who needs help")
    post(client, CONSULTATION_URL, consultation_data(who_needs_help="self", caller_relation="ignored"))
    assert ConsultationRequest.objects.get().caller_relation == ""


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("02/30/1990", "February 30 does not exist. Check the day and the month."),
        ("1990-02-30", "February 30 does not exist."),
        ("02/29/2023", "February 29 does not exist."),
        ("13/01/1990", "There is no month 13."),
        ("01/01/2999", "A date of birth can't be in the future."),
        ("01/01/1890", "over 120 years old"),
        ("04/27/85", "Enter the year with four digits"),
        ("yesterday", "Enter the date as month/day/year, e.g. 04/27/1985."),
    ],
)
def test_bad_date_of_birth(client, typed, message):
    response = post(client, INSURANCE_URL, insurance_data(date_of_birth=typed))
    assert_refused(response, message, kept=[typed, "W123456789"])


@pytest.mark.parametrize("typed", ["04/27/1985", "4/27/1985", "04-27-1985", "04271985", "1985-04-27"])
def test_date_of_birth_typed_or_from_a_date_picker(client, typed):
    assert post(client, INSURANCE_URL, insurance_data(date_of_birth=typed)).status_code == 303
    assert InsuranceVerification.objects.get().date_of_birth.isoformat() == "1985-04-27"


def test_someone_else_as_policy_holder_requires_their_details(client):
    response = post(client, INSURANCE_URL, insurance_data(policy_holder="someone_else"))
    assert_refused(
        response,
        "Enter the policy holder's first name.",
        "Enter the policy holder's last name.",
        "Enter the policy holder's date of birth",
        "Enter the policy holder's relationship to the patient",
    )
    response = post(
        client,
        INSURANCE_URL,
        insurance_data(
            policy_holder="someone_else",
            holder_first_name="G",
            holder_last_name="K",
            holder_date_of_birth="02/30/1960",
            holder_relationship="Mother",
        ),
    )
    assert_refused(response, "February 30 does not exist.")


@pytest.mark.parametrize(
    ("url", "data_factory", "field"),
    [
        (CONSULTATION_URL, consultation_data, "first_name"),
        (CONSULTATION_URL, consultation_data, "last_name"),
        (CONSULTATION_URL, consultation_data, "message"),
        (CONSULTATION_URL, consultation_data, "caller_relation"),
        (CONSULTATION_URL, consultation_data, "email"),
        (CONSULTATION_URL, consultation_data, "phone"),
        (INSURANCE_URL, insurance_data, "member_id"),
        (INSURANCE_URL, insurance_data, "group_number"),
        (INSURANCE_URL, insurance_data, "date_of_birth"),
        (INSURANCE_URL, insurance_data, "carrier_other"),
    ],
)
def test_ten_thousand_characters_are_refused_with_a_message(client, url, data_factory, field):
    response = post(client, url, data_factory(**{field: "ж" * 10_000}))
    assert response.status_code == 400
    assert stored_counts() == (0, 0, 0, 0)
    assert f'id="id_{field}_error"' in response.content.decode()


def test_choices_outside_the_lists_are_refused(client):
    response = post(
        client,
        CONSULTATION_URL,
        consultation_data(
            best_time_to_call="midnight", level_of_care="99999", heard_about="x", who_needs_help="dog"
        ),
    )
    assert_refused(response, "Choose a time from the list.", "Choose a program from the list")
    response = post(client, INSURANCE_URL, insurance_data(state="ZZ", carrier="123456"))
    assert_refused(response, "Choose a state from the list.", "Choose an insurance company from the list.")


def test_null_characters_are_refused_not_a_500(client):
    response = post(client, CONSULTATION_URL, consultation_data(first_name="Ma\x00ria"))
    assert response.status_code == 400
    assert stored_counts() == (0, 0, 0, 0)


def test_non_latin_names_and_text_are_stored_as_typed(client):
    post(
        client,
        CONSULTATION_URL,
        consultation_data(first_name="محمد", last_name="王小明", message="我需要帮助 — مساعدة 🙏"),
    )
    request = ConsultationRequest.objects.get()
    assert (request.first_name, request.last_name, request.message) == (
        "محمد",
        "王小明",
        "我需要帮助 — مساعدة 🙏",
    )


def test_script_payloads_are_stored_as_text_and_never_echoed_raw(client):
    payload = '<script>alert("x")</script>'
    # On an error page the answer comes back escaped inside the value attribute.
    response = post(client, CONSULTATION_URL, consultation_data(first_name=payload, phone="", email=""))
    html = response.content.decode()
    assert response.status_code == 400 and payload not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    # Issue 15 #5: a name is letters, spaces, apostrophes, hyphens and periods,
    # so markup in a name is refused; in free text it is stored as typed.
    assert "Use letters, spaces, apostrophes, hyphens and periods only." in html
    response = post(client, CONSULTATION_URL, consultation_data(message=payload))
    assert ConsultationRequest.objects.get().message == payload
    thanks = client.get(response["Location"]).content.decode()
    assert "alert(" not in thanks and "Maria" not in thanks and "Lopez" not in thanks


def test_missing_csrf_token_is_refused_with_403():
    client = Client(enforce_csrf_checks=True)
    response = client.post(CONSULTATION_URL, consultation_data(), REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 403
    assert stored_counts() == (0, 0, 0, 0)
    # With the cookie and the token from the page it goes through.
    page = client.get(CONSULTATION_URL)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    response = client.post(CONSULTATION_URL, consultation_data(csrfmiddlewaretoken=csrf))
    assert response.status_code == 303


def test_get_only_thank_you_and_no_other_methods(client):
    assert client.put(CONSULTATION_URL).status_code == 405
    assert client.post(CONSULTATION_THANKS).status_code == 405


@pytest.mark.parametrize("url", [CONSULTATION_THANKS, INSURANCE_THANKS])
def test_thank_you_pages(client, settings, url):
    response = client.get(url)
    # Issue 14: the same page for everyone, so a shared cache may keep it (it
    # used to be no-store): public with the pages' max-age, no cookie, no Vary
    # on one, nothing from the person (the escaping test above and the canary
    # test post real answers and look for them on it).
    assert response.status_code == 200
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert cache_control == {"public", f"max-age={settings.PUBLIC_PAGE_MAX_AGE}"}
    assert not response.cookies and "Cookie" not in response.get("Vary", "")
    html = response.content.decode()
    assert 'href="tel:988"' in html and 'href="tel:911"' in html
    assert "(949) 555-0142" in html  # the 24/7 line from site facts
    assert "usually within 30 minutes" in html
    if url == INSURANCE_THANKS:
        assert "checks the benefits with the insurance company" in html
        assert "covered" not in html.lower()


# --- One record per form, spam ---------------------------------------------------


def test_double_submit_stores_one_record_and_lands_on_the_same_page(client):
    data = consultation_data()
    first = post(client, CONSULTATION_URL, data)
    second = post(client, CONSULTATION_URL, data)
    assert first.status_code == second.status_code == 303
    assert first["Location"] == second["Location"] == CONSULTATION_THANKS
    assert stored_counts() == (1, 1, 0, 1)


def test_same_person_writing_again_is_one_lead_with_two_requests(client):
    post(client, CONSULTATION_URL, consultation_data())
    post(client, INSURANCE_URL, insurance_data(phone="714.555.0123"))
    assert Lead.objects.count() == 1
    lead = Lead.objects.get()
    assert lead.kind == "insurance"
    assert ConsultationRequest.objects.get().lead == InsuranceVerification.objects.get().lead == lead


def blocked(kind, reason):
    row = BlockedSubmission.objects.filter(kind=kind, reason=reason).first()
    return row.count if row else 0


def test_honeypot_gets_the_thank_you_page_and_is_counted(client):
    for _ in range(2):
        response = post(client, CONSULTATION_URL, consultation_data(website="http://spam.example"))
        assert response.status_code == 303 and response["Location"] == CONSULTATION_THANKS
    assert stored_counts() == (0, 0, 0, 0)
    assert blocked("consultation", "honeypot") == 2


def test_a_form_sent_faster_than_a_person_can_type_is_stored_and_flagged(client):
    # Issue 10 "nothing silently dropped": phone autofill is fast too; a valid
    # request is stored, flagged "Possible spam" for a person, and counted.
    response = post(client, INSURANCE_URL, insurance_data(form_token=token_for(ConsultationForm, age=0.5)))
    assert response["Location"] == INSURANCE_THANKS
    assert stored_counts() == (1, 0, 1, 1)
    assert Lead.objects.get().possible_spam == "too_fast"
    assert blocked("insurance", "too_fast") == 1


def test_rate_limit_per_address_and_form(client, settings):
    settings.ADMISSIONS_RATE_LIMIT = 3
    for n in range(3):
        post(client, CONSULTATION_URL, consultation_data(email=f"p{n}@example.com", phone=""))
    assert ConsultationRequest.objects.count() == 3
    response = post(client, CONSULTATION_URL, consultation_data(email="p4@example.com", phone=""))
    assert response.status_code == 303 and response["Location"] == CONSULTATION_THANKS
    # Issue 10: over the limit is stored and flagged, never silently dropped.
    assert ConsultationRequest.objects.count() == 4
    assert list(Lead.objects.exclude(possible_spam="").values_list("possible_spam", flat=True)) == [
        "rate_limit"
    ]
    assert blocked("consultation", "rate_limit") == 1
    # Another address, and the other form, have their own allowance.
    post(client, CONSULTATION_URL, consultation_data(email="p5@example.com", phone=""), ip="198.51.100.8")
    post(client, INSURANCE_URL, insurance_data())
    assert ConsultationRequest.objects.count() == 5 and InsuranceVerification.objects.count() == 1
    assert Lead.objects.exclude(possible_spam="").count() == 1


def test_rate_limit_counts_only_complete_posts(client, settings):
    settings.ADMISSIONS_RATE_LIMIT = 2
    for _ in range(5):  # a person struggling with the form is not a flood
        post(client, CONSULTATION_URL, consultation_data(phone="bad"))
    post(client, CONSULTATION_URL, consultation_data())
    assert ConsultationRequest.objects.count() == 1


def test_a_post_that_was_not_stored_does_not_use_the_allowance(client, settings, monkeypatch):
    """Sending again after a failed save (e.g. a database outage) must never
    turn a person into 'spam' whose request is silently dropped."""
    settings.ADMISSIONS_RATE_LIMIT = 1
    import admissions.intake.submit as submit

    def failing_create(**kwargs):
        raise RuntimeError("save failed")

    real_store = submit.request_store
    monkeypatch.setattr(submit, "request_store", failing_create)
    client.raise_request_exception = False
    for _ in range(3):
        assert post(client, CONSULTATION_URL, consultation_data()).status_code == 500
    monkeypatch.setattr(submit, "request_store", real_store)
    response = post(client, CONSULTATION_URL, consultation_data())
    assert response["Location"] == CONSULTATION_THANKS
    assert ConsultationRequest.objects.count() == 1
    assert blocked("consultation", "rate_limit") == 0


def test_rate_limit_can_be_turned_off(client, settings):
    settings.ADMISSIONS_RATE_LIMIT = 0
    for n in range(7):
        post(client, CONSULTATION_URL, consultation_data(email=f"q{n}@example.com", phone=""))
    assert ConsultationRequest.objects.count() == 7


@pytest.mark.parametrize("token", ["", "garbage", "eyJpZCI6IjEifQ:forged:signature"])
def test_missing_or_forged_token_keeps_answers_and_asks_to_send_again(client, token):
    response = post(client, CONSULTATION_URL, consultation_data(form_token=token))
    html = assert_refused(response, "Please check your answers and press", kept=["Maria", "Lopez"])
    new_token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    # Sent again at once with the new token: stored (no fill-time penalty).
    response = post(client, CONSULTATION_URL, consultation_data(form_token=new_token))
    assert response.status_code == 303 and ConsultationRequest.objects.count() == 1


def test_an_error_keeps_the_same_token_so_the_fix_is_not_a_new_record(client):
    data = consultation_data(phone="", email="")
    html = post(client, CONSULTATION_URL, data).content.decode()
    assert f'value="{data["form_token"]}"' in html
    post(client, CONSULTATION_URL, {**data, "phone": "7145550123"})
    post(client, CONSULTATION_URL, {**data, "phone": "7145550123"})
    assert ConsultationRequest.objects.count() == 1


def test_staff_alert_and_auto_reply_go_out_after_commit(client, settings, django_capture_on_commit_callbacks):
    settings.ADMISSIONS_ALERT_EMAIL = "admissions@example.test"
    with django_capture_on_commit_callbacks(execute=True):
        post(client, CONSULTATION_URL, consultation_data())
    assert sorted(m.to[0] for m in mail.outbox) == ["admissions@example.test", "maria@example.com"]
