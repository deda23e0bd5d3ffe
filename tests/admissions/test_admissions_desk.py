"""Issue 10 (the admissions desk) and the issue 15 findings that live in the
same code: #1 names encrypted and found through keyed tokens, #4 a match on
one identifier never changes the other, #5 names constrained, #12 atomic
rate limit and no fill-time bypass."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from admissions.contact import (
    format_phone,
    name_problem,
    name_words,
    normalize_phone_with_extension,
    search_token,
    tel_href,
)
from admissions.intake import spam
from admissions.intake.notifications import auto_reply_message
from admissions.intake.stop_contact import stop_contact_token
from admissions.models import (
    ConsultationRequest,
    Lead,
    LeadEvent,
    LeadSearchToken,
    LeadStatus,
    ReferralPartner,
    lead_search_tokens_rebuild,
)
from admissions.models.search import tokens_for_lead
from admissions.services import pipeline
from admissions.staff import selectors

from .factories import coordinator, login, make_consultation, make_insurance, manager
from .intake_support import CONSULTATION_URL, cache_table_fixture, consultation_data  # noqa: F401
from .test_admin_leads import ids_in, search

pytestmark = pytest.mark.django_db


@pytest.fixture
def coord():
    return coordinator("casey", first_name="Casey", last_name="Cole")


@pytest.fixture
def coord_client(coord):
    return login(Client(), coord)


def raw(table, column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE id = %s', [pk])  # noqa: S608
        return cursor.fetchone()[0]


# 15 #1: names encrypted; search by keyed tokens -----------------------------------------


def test_names_relation_and_close_reason_are_encrypted_at_rest(coord):
    request, lead = make_consultation(first_name="José", last_name="Núñez", caller_relation="Tía")
    pipeline.lead_status_change(lead=lead, to_status=LeadStatus.DECLINED, actor=coord, reason="Chose another")
    for table, column, pk in [
        ("admissions_lead", "first_name", lead.pk),
        ("admissions_lead", "last_name", lead.pk),
        ("admissions_lead", "close_reason", lead.pk),
        ("admissions_consultationrequest", "first_name", request.pk),
        ("admissions_consultationrequest", "caller_relation", request.pk),
        ("admissions_consultationrequest", "client_ip", request.pk),
    ]:
        assert raw(table, column, pk).startswith("phi1."), (table, column)
    assert str(Lead.objects.get(pk=lead.pk)) == f"Lead {lead.pk}"
    tokens = set(LeadSearchToken.objects.filter(lead=lead).values_list("token", flat=True))
    assert tokens and not any("jose" in t or "nunez" in t for t in tokens)


def test_name_words_are_unaccented_and_case_folded():
    assert name_words("José Núñez-O’Brien") == ["jose", "nunez", "obrien"]
    assert name_words("MARÍA") == name_words("maria")


@pytest.mark.parametrize("term", ["Nunez", "nunez", "JOSE", "josé núñez", "555-0123", "5550123", "0123"])
def test_every_spelling_and_the_phone_end_find_jose(coord_client, term):
    lead = make_consultation(first_name="José", last_name="Núñez", phone="+17145550123")[1]
    make_consultation(first_name="Joseph", last_name="Nunes")
    response, location = search(coord_client, term)
    assert ids_in(response) == {lead.pk}
    assert term.lower() not in location.lower() and "nunez" not in location.lower()


def test_the_patient_the_policy_holder_and_a_merged_requester_are_searchable(coord_client, coord):
    _, mother = make_insurance(
        first_name="Daniel",
        last_name="Kim",
        phone="+17145550190",
        policy_holder="someone_else",
        holder_first_name="Grace",
        holder_last_name="Haneul",
    )
    other, _ = make_consultation(first_name="Walter", last_name="Brandt", phone="+17145550191")
    pipeline.lead_merge(into=mother, other=other.lead, actor=coord)
    for term in ("daniel", "haneul", "brandt", "0191"):
        # (the merged-away lead, closed as a duplicate, is listed too)
        assert mother.pk in ids_in(search(coord_client, term)[0]), term


def test_search_looks_at_every_status_and_shows_it(coord_client, coord):
    lead = make_consultation(email="closed@example.com")[1]
    pipeline.lead_status_change(lead=lead, to_status=LeadStatus.DECLINED, actor=coord, reason="No")
    response, _ = search(coord_client, "closed@example.com")
    assert ids_in(response) == {lead.pk}
    assert "Closed: declined" in response.content.decode()


def lead_tokens(lead):
    return set(LeadSearchToken.objects.filter(lead=lead).values_list("kind", "token"))


def test_intake_adds_exactly_the_tokens_a_full_rebuild_would():
    """The forms add a request's tokens without reading the lead's other
    requests (issue 14): after a new lead, a second request from the same
    phone naming a patient, an insurance request naming a policy holder and a
    request from the same email, the lead's tokens are what a rebuild makes."""
    first, lead = make_consultation(
        first_name="Ana", last_name="Ruiz", phone="+17145550170", email="ana@example.com"
    )
    assert lead_tokens(lead) == tokens_for_lead(lead)
    second, same = make_consultation(
        first_name="Ana", last_name="Ruiz", phone="+17145550170", who_needs_help="loved_one",
        patient_first_name="Tomás", patient_last_name="Ruiz Vega",
    )  # fmt: skip
    third, also = make_insurance(
        first_name="Ana", last_name="Ruiz", phone="+17145550170", policy_holder="someone_else",
        holder_first_name="Luis", holder_last_name="Vega",
    )  # fmt: skip
    fourth, again = make_consultation(
        first_name="Anita", last_name="Ruiz", phone="+17145550999", email="ANA@example.com"
    )
    assert (same.pk, also.pk, again.pk) == (lead.pk,) * 3
    added = lead_tokens(lead)
    assert {("name", search_token("name", w)) for w in ("tomas", "vega", "luis", "anita")} <= added
    lead_search_tokens_rebuild(lead)
    assert added == lead_tokens(lead) == tokens_for_lead(lead)


# 15 #4: a match on one identifier never adds or changes the other -------------------


def test_a_strangers_phone_never_lands_on_the_victims_lead(coord_client):
    victim = make_consultation(phone="", email="victim@example.com")[1]
    request, lead = make_consultation(phone="+17145550166", email="victim@example.com", first_name="Eve")
    assert lead.pk == victim.pk  # the same email: one lead
    lead.refresh_from_db()
    assert lead.phone == "" and lead.phone_lookup == ""
    page = coord_client.get(reverse("admin:admissions_lead_change", args=[lead.pk])).content.decode()
    assert "(714) 555-0166 (not on the lead: confirm with the person before using it)" in page


# 15 #5 and "right greeting" -----------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Bob\nBcc: x@evil.example",
        "http://evil.example",
        "www.evil.com",
        "Bob\u202eevil",
        "Bo\u200bb",
        "R2D2",
        "",
    ],
)
def test_names_refuse_newlines_links_bidi_and_zero_width(name):
    assert name_problem(name) or name == ""
    if name == "":
        assert not name_problem(name)


@pytest.mark.parametrize("name", ["José", "O’Brien", "Mary-Jane", "J. R.", "Zoë de la Cruz", "李"])
def test_real_names_are_accepted(name):
    assert not name_problem(name)


@pytest.mark.usefixtures("cache_table", "demo_content")
def test_a_name_with_a_link_is_refused_by_the_form(client):
    response = client.post(CONSULTATION_URL, consultation_data(first_name="Bob http://evil.example"))
    assert response.status_code == 400
    assert not ConsultationRequest.objects.exists()


@pytest.mark.usefixtures("demo_content")
def test_the_auto_reply_greets_the_sender_and_carries_a_stop_link_without_patient_data():
    consultation, _ = make_consultation(first_name="Ana", email="ana@example.com")
    message = auto_reply_message(consultation)
    assert message.body.startswith("Hi Ana,")
    insurance, _ = make_insurance(first_name="Daniel", email="mom@example.com")
    message = auto_reply_message(insurance)
    assert message.body.startswith("Hello,") and "Daniel" not in message.body
    link = [line for line in message.body.splitlines() if "/admissions/stop/" in line][0]
    assert "Daniel" not in link and "mom" not in link


# Stop contacting me -------------------------------------------------------------------


@pytest.mark.usefixtures("demo_content")
def test_the_stop_link_blocks_calls_and_emails(client, coord, coord_client):
    request, lead = make_consultation(email="stop@example.com")
    url = reverse(
        "admissions:stop_contact", args=[stop_contact_token(kind="consultation", submission_id=request.pk)]
    )
    assert client.get(url).status_code == 200
    assert Lead.objects.get(pk=lead.pk).contact_stopped_at is None  # a GET (mail scanner) changes nothing
    client.post(url)
    lead.refresh_from_db()
    assert lead.contact_stopped_at is not None and lead.contact_stopped_via == "link"
    assert auto_reply_message(ConsultationRequest.objects.get(pk=request.pk)) is None
    with pytest.raises(Exception, match="stop contacting"):
        pipeline.lead_call_attempt_record(lead=lead, actor=coord, outcome="no_answer")
    page = coord_client.get(reverse("admin:admissions_lead_change", args=[lead.pk])).content.decode()
    assert "Do not call or email" in page and 'href="tel:' not in page.split("lead-timeline")[0]
    assert client.get(url.replace(url.split("/")[-2], "forged")).status_code == 404


def test_a_coordinator_records_a_revocation_by_phone(coord_client):
    lead = make_consultation()[1]
    response = coord_client.post(
        reverse("admin:admissions_lead_change", args=[lead.pk]), {"action": "stop", "stop-via": "phone"}
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.contact_stopped_via == "phone"
    assert lead.events.filter(kind=LeadEvent.Kind.CONTACT_STOPPED).exists()


# 15 #12: atomic rate limit; no fill-time bypass; nothing silently dropped -------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_cannot_all_pass_the_limit(settings):
    settings.ADMISSIONS_RATE_LIMIT = 5
    results, barrier = [], threading.Barrier(10)

    def post():
        barrier.wait()
        results.append(spam.rate_limit_take(kind="consultation", client_ip="198.51.100.99"))
        connection.close()

    threads = [threading.Thread(target=post) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(False) == 5 and results.count(True) == 5


@pytest.mark.usefixtures("cache_table", "demo_content")
def test_a_post_without_a_token_does_not_skip_the_fill_time_check(client):
    response = client.post(CONSULTATION_URL, consultation_data(form_token=""), REMOTE_ADDR="198.51.100.3")
    assert response.status_code == 400
    reissued = response.context["form_token"]
    response = client.post(
        CONSULTATION_URL, consultation_data(form_token=reissued), REMOTE_ADDR="198.51.100.3"
    )
    assert response.status_code == 303
    assert Lead.objects.get().possible_spam == "too_fast"


def test_staff_clear_or_delete_possible_spam(coord_client):
    keep = make_consultation()[1]
    drop = make_consultation()[1]
    Lead.objects.filter(pk__in=[keep.pk, drop.pk]).update(possible_spam="too_fast")
    url = reverse("admin:admissions_lead_change", args=[keep.pk])
    assert "Possible spam" in coord_client.get(url).content.decode()
    coord_client.post(url, {"action": "spam_clear", "spam_clear-confirm": "on"})
    assert Lead.objects.get(pk=keep.pk).possible_spam == ""
    coord_client.post(
        reverse("admin:admissions_lead_change", args=[drop.pk]),
        {"action": "spam_delete", "spam_delete-confirm": "on"},
    )
    assert not Lead.objects.filter(pk=drop.pk).exists()


# Phone leads, merge, split ------------------------------------------------------------


def phone_lead(client, **overrides):
    data = {
        "channel": "phone",
        "first_name": "Lucía",
        "last_name": "Fernández",
        "phone": "(714) 555-0123 ext 2",
        "email": "",
        "relation": "Mother",
        "patient_first_name": "Mateo",
        "patient_last_name": "Fernández",
        "message": "Son drinking daily",
        "best_time_to_call": "evening",
        "consent": "on",
        **overrides,
    }
    return client.post(reverse("admin:admissions_lead_new"), data)


def test_a_coordinator_records_a_phone_lead_with_extension_and_verbal_consent(coord_client, coord):
    assert coord_client.get(reverse("admin:admissions_lead_new")).status_code == 200
    response = phone_lead(coord_client)
    assert response.status_code == 302
    lead = Lead.objects.get()
    assert lead.channel == "phone" and lead.phone == "+17145550123;ext=2"
    assert lead.first_contact_at is not None and lead.status == LeadStatus.CONTACTED
    assert lead.assigned_to == coord
    request = ConsultationRequest.objects.get()
    assert request.contact_consent.kind == "verbal" and request.recorded_by == coord
    page = coord_client.get(response["Location"]).content.decode()
    assert "(714) 555-0123 ext 2" in page and 'href="tel:+17145550123,2"' in page
    assert "Mateo Fernández" in page and "Son drinking daily" in page
    assert ids_in(search(coord_client, "fernandez")[0]) == {lead.pk}
    assert ids_in(search(coord_client, "mateo")[0]) == {lead.pk}


def test_the_phone_lead_form_needs_the_consent_and_is_never_rate_limited(coord_client, settings):
    settings.ADMISSIONS_RATE_LIMIT = 1
    assert phone_lead(coord_client, consent="").status_code == 400
    for n in range(3):
        assert phone_lead(coord_client, phone=f"(714) 555-02{n:02d}").status_code == 302
    assert Lead.objects.filter(possible_spam="").count() == 3


def test_a_matching_open_lead_is_offered_and_the_call_attached(coord_client):
    web = make_consultation(phone="+17145550123")[1]
    response = phone_lead(coord_client, phone="714-555-0123")
    assert response.status_code == 200 and f'value="{web.pk}"' in response.content.decode()
    response = phone_lead(coord_client, phone="714-555-0123", attach_to=str(web.pk))
    assert response.status_code == 302
    assert Lead.objects.count() == 1 and ConsultationRequest.objects.filter(lead=web).count() == 2


def test_a_phoned_in_lead_merged_with_a_later_web_form(coord_client, coord):
    phone_lead(coord_client, phone="(714) 555-0177", email="")
    phoned = Lead.objects.get()
    web_request, web = make_consultation(phone="", email="lucia@example.com", first_name="Lucia")
    assert web.pk != phoned.pk
    pipeline.lead_merge(into=phoned, other=web, actor=coord)
    phoned.refresh_from_db()
    web.refresh_from_db()
    assert web.status == LeadStatus.DUPLICATE and f"lead {phoned.pk}" in web.close_reason
    assert ConsultationRequest.objects.filter(lead=phoned).count() == 2
    assert phoned.events.filter(kind=LeadEvent.Kind.MERGED).exists()
    assert phoned.email == "lucia@example.com"  # the coordinator confirmed it is the same person
    assert ids_in(search(coord_client, "lucia@example.com")[0]) >= {phoned.pk}


def test_a_wrongly_attached_request_moves_to_a_new_lead(coord_client, coord):
    first, lead = make_consultation(phone="+17145550140", first_name="Ana")
    second, same = make_consultation(phone="+17145550140", first_name="Bea")
    assert same.pk == lead.pk
    response = coord_client.post(
        reverse("admin:admissions_lead_change", args=[lead.pk]),
        {"action": "split", "split-request": f"consultation-{second.pk}"},
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.lead_id != lead.pk
    assert ids_in(search(coord_client, "bea")[0]) == {second.lead_id}


# Phone format, referrals, inbox, today, alerts --------------------------------------


def test_phone_extension_is_kept_and_shown():
    stored = normalize_phone_with_extension("(714) 555-0123 ext 2")
    assert stored == "+17145550123;ext=2"
    assert format_phone(stored) == "(714) 555-0123 ext 2"
    assert tel_href(stored) == "tel:+17145550123,2"


def test_referred_out_needs_the_destination_and_the_report_counts(coord):
    partner = ReferralPartner.objects.create(name="Harbor Detox", kind="detox")
    lead = make_consultation()[1]
    Lead.objects.filter(pk=lead.pk).update(referred_by=partner)
    with pytest.raises(Exception, match="referred"):
        pipeline.lead_status_change(lead=lead, to_status=LeadStatus.REFERRED_OUT, actor=coord, reason="Detox")
    pipeline.lead_status_change(lead=lead, to_status=LeadStatus.ADMITTED, actor=coord)
    (row,) = selectors.referral_report()
    assert (row["inquiries"], row["admitted"], row["conversion"]) == (1, 1, 100.0)
    field_names = {f.name for f in ReferralPartner._meta.get_fields()}
    assert not {n for n in field_names if any(w in n for w in ("fee", "commission", "credit", "bounty"))}


def test_referral_report_page(coord):
    boss = login(Client(), manager("morgan"))
    ReferralPartner.objects.create(name="Harbor Detox", kind="detox")
    page = boss.get(reverse("admin:admissions_lead_referrals")).content.decode()
    assert "Harbor Detox" in page and "11831.6" in page


def test_today_lists_waiting_and_due_leads_mine_first(coord_client, coord):
    theirs = make_consultation()[1]
    mine = make_consultation()[1]
    old = timezone.now() - datetime.timedelta(hours=2)
    Lead.objects.filter(pk__in=[theirs.pk, mine.pk]).update(received_at=old)
    Lead.objects.filter(pk=mine.pk).update(assigned_to=coord, received_at=old + datetime.timedelta(minutes=5))
    later = make_consultation()[1]  # not waiting yet
    response = coord_client.get(reverse("admin:admissions_lead_today"))
    rows = [row["lead"].pk for row in response.context["rows"]]
    assert rows == [mine.pk, theirs.pk] and later.pk not in rows


def test_inbox_shows_number_phone_and_alert_not_sent(coord_client, settings):
    settings.ADMISSIONS_ALERT_EMAIL = "admissions@example.test"
    request, lead = make_consultation(phone="+17145550123")
    ConsultationRequest.objects.filter(pk=request.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(hours=6), staff_alert_sent_at=None
    )
    page = coord_client.get("/admin/admissions/lead/").content.decode()
    assert "Alert not sent" in page and "(714) 555-0123" in page
    assert "<h1>Leads</h1>" in page or ">Leads</h1>" in page
    assert selectors.requests_with_late_alert() == [("consultation", request.pk)]


def test_timeline_prints_one_period_after_a_m(coord):
    lead = make_consultation()[1]
    when = timezone.localtime(timezone.now() + datetime.timedelta(days=1)).replace(hour=10, minute=0)
    pipeline.lead_follow_up_set(lead=lead, actor=coord, follow_up_at=when)
    note = lead.events.get(kind="follow_up").note
    assert not note.endswith("..")


def test_phone_leads_send_no_alert_or_auto_reply(coord_client):
    phone_lead(coord_client, email="x@example.com")
    assert mail.outbox == []


def test_first_contact_chart_names_one_unit_and_has_a_legend(coord):
    from admissions.staff import dashboard

    lead = make_consultation()[1]
    Lead.objects.filter(pk=lead.pk).update(first_contact_at=lead.received_at + datetime.timedelta(minutes=95))
    charts = dashboard.build()
    chart = next(c for c in charts["charts"] if c.slug == "chart-first-contact")
    assert chart.title.endswith("in minutes")
    svg = str(chart.svg())
    assert " h<" not in svg and " min<" in svg
