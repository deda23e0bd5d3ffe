"""The lead inbox and the lead page as coordinators and managers use them."""

import datetime
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from admissions.contact import search_token as index_token
from admissions.models import AuditEvent, CardPhoto, Lead, LeadEvent, LeadStatus
from admissions.services.pipeline import lead_assign, lead_follow_up_set, lead_note_add, lead_status_change
from programs.models import LevelOfCare

from .factories import (
    card_storage_fixture,  # noqa: F401  (the card_storage fixture)
    coordinator,
    login,
    make_consultation,
    make_insurance,
    make_user,
    manager,
    received,
)

pytestmark = pytest.mark.django_db

INBOX = "/admin/admissions/lead/"


def lead_url(lead):
    return reverse("admin:admissions_lead_change", args=[lead.pk])


@pytest.fixture
def coord():
    return coordinator("casey", first_name="Casey", last_name="Cole")


@pytest.fixture
def coord_client(client, coord):
    return login(client, coord)


def names_in(response) -> list[str]:
    return [str(lead) for lead in response.context["cl"].result_list]


def ids_in(response) -> set[int]:
    return {lead.pk for lead in response.context["cl"].result_list}


def search(client, term, **params):
    """Search the way the page does: POST the term, follow the redirect."""
    response = client.post(reverse("admin:admissions_lead_search"), {"q": term, **params})
    assert response.status_code == 302
    return client.get(response["Location"]), response["Location"]


# Inbox: what it shows ---------------------------------------------------------------


def test_inbox_shows_open_leads_by_default_and_all_on_request(coord_client, coord):
    open_lead = make_consultation(first_name="Olivia")[1]
    closed = make_consultation(first_name="Clara")[1]
    lead_status_change(lead=closed, to_status=LeadStatus.NOT_A_FIT, actor=coord, reason="Needs detox first")
    admitted = make_consultation(first_name="Ada")[1]
    lead_status_change(lead=admitted, to_status=LeadStatus.ADMITTED, actor=coord)

    assert ids_in(coord_client.get(INBOX)) == {open_lead.pk}
    assert ids_in(coord_client.get(INBOX, {"status": "all"})) == {open_lead.pk, closed.pk, admitted.pk}
    assert ids_in(coord_client.get(INBOX, {"status": "closed"})) == {closed.pk}
    assert ids_in(coord_client.get(INBOX, {"status": "admitted"})) == {admitted.pk}
    page = coord_client.get(INBOX).content.decode()
    assert re.search(r'<li class="selected">\s*<a href="\?"[^>]*>Open \(default\)</a>', page)


@pytest.mark.parametrize(
    "params",
    [
        {"status": "bogus"},
        {"coordinator": "someone"},
        {"attention": "x"},
        {"level_of_care__id__exact": "not-a-number"},
        {"received_at__gte": "yesterday"},
        {"no_such_field": "1"},
    ],
)
def test_nonsense_filters_give_the_error_page_not_a_500(coord_client, params):
    make_consultation()
    response = coord_client.get(INBOX, params)
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert "e=1" in response["Location"]


def test_inbox_columns(coord_client, coord):
    level = LevelOfCare.objects.create(
        name="Intensive Outpatient Program",
        slug="iop",
        short_name="IOP",
        summary="s",
        days_per_week_min=3,
        days_per_week_max=5,
        hours_per_day_min=3,
        hours_per_day_max=3,
    )
    lead = make_consultation(first_name="Rosa", last_name="Diaz", level_of_care=level)[1]
    received(lead, ago=datetime.timedelta(hours=3))
    lead_assign(lead=lead, actor=coord, assignee=coord)
    Lead.objects.filter(pk=lead.pk).update(first_contact_at=lead.received_at + datetime.timedelta(minutes=95))
    page = coord_client.get(INBOX).content.decode()
    row = page[page.index("Rosa Diaz") :]
    row = row[: row.index("</tr>")]
    # Issue 10 "inbox that fits": number, person, formatted phone, status and
    # flags, received, follow-up, coordinator; kind, level and time to first
    # contact moved to the lead page so every column fits at 1280 px.
    full_row = page[page.rindex("<tr", 0, page.index("Rosa Diaz")) :]
    full_row = full_row[: full_row.index("</tr>")]
    for text in ("New", "Casey Cole", f">{lead.pk}<", "(714)"):
        assert text in full_row, text


def test_overdue_follow_ups_and_waiting_new_leads_are_flagged_in_words(coord_client, coord):
    overdue = make_consultation(first_name="Otto")[1]
    lead_status_change(lead=overdue, to_status=LeadStatus.CONTACTED, actor=coord)
    lead_follow_up_set(lead=overdue, actor=coord, follow_up_at=timezone.now() + datetime.timedelta(minutes=5))
    Lead.objects.filter(pk=overdue.pk).update(follow_up_at=timezone.now() - datetime.timedelta(hours=1))
    waiting = received(make_consultation(first_name="Wanda")[1], ago=datetime.timedelta(hours=2))
    fresh = make_consultation(first_name="Fiona")[1]

    page = coord_client.get(INBOX).content.decode()

    def row(name):
        start = page.index(name)
        return page[start : page.index("</tr>", start)]

    assert '<span class="lead-flag lead-flag--overdue">Follow-up overdue</span>' in row("Otto")
    assert '<span class="lead-flag lead-flag--waiting">Waiting 2 h 00 min</span>' in row("Wanda")
    assert "lead-flag" not in row("Fiona")
    assert ids_in(coord_client.get(INBOX, {"attention": "overdue"})) == {overdue.pk}
    assert ids_in(coord_client.get(INBOX, {"attention": "waiting"})) == {waiting.pk}
    assert fresh.pk not in ids_in(coord_client.get(INBOX, {"attention": "waiting"}))


def test_a_lead_moved_along_without_a_call_still_waits_for_one(coord_client, coord):
    """The automatic insurance check can move a lead to Verified before anyone
    has called: it must still show as waiting until someone reaches the person."""
    lead = received(make_consultation(first_name="Vera")[1], ago=datetime.timedelta(hours=2))
    Lead.objects.filter(pk=lead.pk).update(status=LeadStatus.VERIFIED)
    assert ids_in(coord_client.get(INBOX, {"attention": "waiting"})) == {lead.pk}
    Lead.objects.filter(pk=lead.pk).update(first_contact_at=timezone.now())
    assert ids_in(coord_client.get(INBOX, {"attention": "waiting"})) == set()


def test_a_closed_lead_is_never_overdue(coord_client, coord):
    lead = make_consultation(first_name="Carl")[1]
    Lead.objects.filter(pk=lead.pk).update(
        status=LeadStatus.DECLINED,
        close_reason="Chose another program",
        follow_up_at=timezone.now() - datetime.timedelta(days=1),
    )
    page = coord_client.get(INBOX, {"status": "all"}).content.decode()
    assert "Carl" in page and "lead-flag--overdue" not in page
    assert ids_in(coord_client.get(INBOX, {"attention": "overdue", "status": "all"})) == set()


def test_filters_by_kind_source_date_and_coordinator(coord_client, coord):
    consult = make_consultation(attribution={"utm_source": "newsletter"})[1]
    check = make_insurance(attribution=None)[1]
    old = received(make_consultation()[1], ago=datetime.timedelta(days=40))
    lead_assign(lead=consult, actor=coord, assignee=coord)
    other = coordinator("robin")
    lead_assign(lead=check, actor=other, assignee=other)

    assert ids_in(coord_client.get(INBOX, {"kind__exact": "insurance"})) == {check.pk}
    assert ids_in(coord_client.get(INBOX, {"source": "newsletter"})) == {consult.pk}
    # The date filter's own "Past 7 days" link, as a person would click it.
    page = coord_client.get(INBOX).content.decode()
    past_week = re.search(r'<a href="(\?received_at__gte=[^"]+)"[^>]*>Past 7 days</a>', page).group(1)
    recent = coord_client.get(INBOX + past_week.replace("&amp;", "&"))
    assert old.pk not in ids_in(recent) and consult.pk in ids_in(recent)
    assert ids_in(coord_client.get(INBOX, {"coordinator": "me"})) == {consult.pk}
    assert ids_in(coord_client.get(INBOX, {"coordinator": "none"})) == {old.pk}
    assert ids_in(coord_client.get(INBOX, {"coordinator": str(other.pk)})) == {check.pk}


def test_my_leads_is_one_click_from_the_admin_home(coord_client):
    page = coord_client.get("/admin/").content.decode()
    assert f'href="{INBOX}?coordinator=me">My leads</a>' in page
    assert 'href="/admin/admissions/lead/dashboard/">Dashboard</a>' in page


# Inbox: search -----------------------------------------------------------------------


@pytest.mark.parametrize("term", ["(714) 300-0101", "714.300.0101", "+1 714 300 0101", "7143000101"])
def test_search_by_phone_in_any_format_goes_through_the_hash(coord_client, term):
    wanted = make_consultation(phone="+17143000101", first_name="Pia")[1]
    make_consultation(phone="+17143000102", first_name="Paul")
    with CaptureQueriesContext(connection) as queries:
        response, location = search(coord_client, term)
    assert ids_in(response) == {wanted.pk}
    # Through the keyed-token index (issue 10: one index probe also covers the
    # phones of requests attached to the lead), never the plaintext.
    token = index_token("phone", "+17143000101")
    assert token in " ".join(q["sql"] for q in queries.captured_queries)
    assert not any("3000101" in q["sql"] for q in queries.captured_queries)
    assert "3000101" not in location and "714" not in location


def test_search_by_email_ignores_case_and_spaces(coord_client):
    wanted = make_consultation(email="Maria.Lopez@Example.com")[1]
    make_consultation(email="someone@example.com")
    response, location = search(coord_client, "  maria.lopez@EXAMPLE.com ")
    assert ids_in(response) == {wanted.pk}
    assert "example" not in location.lower()


def test_the_end_of_a_phone_finds_the_lead_but_a_partial_email_does_not(coord_client):
    # Issue 10: the last 4 or 7 digits find a lead (keyed suffix tokens).
    lead = make_consultation(phone="+17143000101", email="pia@example.com")[1]
    assert ids_in(search(coord_client, "3000101")[0]) == {lead.pk}
    assert ids_in(search(coord_client, "300-0101")[0]) == {lead.pk}
    assert ids_in(search(coord_client, "0101")[0]) == {lead.pk}
    assert ids_in(search(coord_client, "pia@example")[0]) == set()


def test_search_by_name_parts_any_case(coord_client):
    maria = make_consultation(first_name="María", last_name="López-Núñez")[1]
    mario = make_consultation(first_name="Mario", last_name="Rossi")[1]
    assert ids_in(search(coord_client, "lópez")[0]) == {maria.pk}
    assert ids_in(search(coord_client, "MARÍA núñez")[0]) == {maria.pk}
    # Names are encrypted (issue 15 #1): whole words through keyed tokens,
    # accents and case ignored; a fragment of a name no longer matches.
    assert ids_in(search(coord_client, "maria nunez")[0]) == {maria.pk}
    assert ids_in(search(coord_client, "mar")[0]) == set()
    assert ids_in(search(coord_client, "mario ROSSI")[0]) == {mario.pk}
    assert ids_in(search(coord_client, str(mario.pk))[0]) == {mario.pk}


def test_search_keeps_the_filters_and_puts_no_plain_term_in_the_url(coord_client, coord):
    closed = make_consultation(first_name="Zelda")[1]
    lead_status_change(lead=closed, to_status=LeadStatus.SPAM, actor=coord, reason="Bot")
    response, location = search(coord_client, "Zelda", status="all")
    assert ids_in(response) == {closed.pk}
    params = parse_qs(urlsplit(location).query)
    assert params["status"] == ["all"] and params["s"][0].startswith("phi1.")
    assert "zelda" not in location.lower()
    # The page shows the term in the box and keeps it in every filter link, encrypted.
    page = response.content.decode()
    assert 'value="Zelda"' in page
    assert "q=Zelda" not in page


def test_a_plain_search_in_the_address_is_moved_into_the_encrypted_parameter(coord_client):
    make_consultation(first_name="Yara")
    response = coord_client.get(INBOX, {"q": "Yara", "status": "all"})
    assert response.status_code == 302
    assert "Yara" not in response["Location"] and "s=phi1." in response["Location"]
    assert len(coord_client.get(response["Location"]).context["cl"].result_list) == 1


def test_an_altered_search_token_is_a_message_not_a_500(coord_client):
    make_consultation()
    response = coord_client.get(INBOX, {"s": "phi1.test1.AAAAtampered"})
    assert response.status_code == 200
    assert "That search link no longer works" in response.content.decode()


def test_the_search_endpoint_takes_only_posts_from_lead_staff(coord_client):
    assert coord_client.get(reverse("admin:admissions_lead_search"), {"q": "x"}).status_code == 405
    editor = login(Client(), make_user("editor_only"))
    assert editor.post(reverse("admin:admissions_lead_search"), {"q": "x"}).status_code == 403


def test_a_10000_character_search_is_harmless(coord_client):
    response, location = search(coord_client, "ж" * 10_000)
    assert response.status_code == 200
    assert len(location) < 1000


# Inbox: query count ------------------------------------------------------------------


def test_inbox_query_count_does_not_grow_with_the_page(coord_client, coord, django_assert_max_num_queries):
    def fill(count):
        for i in range(count):
            lead = (
                make_insurance(first_name=f"P{i}")[1] if i % 2 else make_consultation(first_name=f"P{i}")[1]
            )
            lead_assign(lead=lead, actor=coord, assignee=coord)
            lead_follow_up_set(
                lead=lead, actor=coord, follow_up_at=timezone.now() + datetime.timedelta(days=1)
            )

    fill(5)
    coord_client.get(INBOX)  # warm the session and content types
    with CaptureQueriesContext(connection) as five:
        assert len(coord_client.get(INBOX).context["cl"].result_list) == 5
    # Read now: the next request resets the connection's query log.
    five = len(five)
    assert five <= 12
    fill(45)
    with django_assert_max_num_queries(five):
        assert len(coord_client.get(INBOX).context["cl"].result_list) == 50
    location = coord_client.post(reverse("admin:admissions_lead_search"), {"q": "P1"})["Location"]
    with django_assert_max_num_queries(five):
        assert coord_client.get(location).status_code == 200


def test_the_inbox_decrypts_only_names_and_phone(coord_client, monkeypatch):
    from admissions.phi import crypto

    for i in range(3):
        make_consultation(email=f"someone{i}@example.com")
    opened = []
    real = crypto.decrypt_text
    monkeypatch.setattr(
        crypto,
        "decrypt_text",
        lambda token, *, context: opened.append(context) or real(token, context=context),
    )
    assert len(coord_client.get(INBOX).context["cl"].result_list) == 3
    # Issue 10 puts the phone in the inbox and issue 15 #1 encrypts names:
    # exactly those are opened, never the email, message or close reason.
    opened = [context for context in opened if context.startswith("admissions.")]
    assert sorted(set(opened)) == [
        "admissions.lead.first_name",
        "admissions.lead.last_name",
        "admissions.lead.phone",
    ]


# Lead page ---------------------------------------------------------------------------


def test_lead_page_shows_every_submission_decrypted_and_the_timeline(coord_client, coord, card_storage):
    consult, lead = make_consultation(phone="+17143000111", message="CANARY-MSG Son drinks daily")
    check, same = make_insurance(phone="+17143000111", cards=True, member_id="XK99887766")
    assert same.pk == lead.pk
    lead_note_add(lead=lead, actor=coord, note="Mother prefers Spanish")

    response = coord_client.get(lead_url(lead))
    assert response.status_code == 200
    page = response.content.decode()
    assert "CANARY-MSG Son drinks daily" in page
    assert "XK99887766" in page and "April 27, 1985" in page
    assert f'id="consultation-{consult.pk}"' in page and f'id="insurance-{check.pk}"' in page
    assert page.index(f'id="insurance-{check.pk}"') < page.index(f'id="consultation-{consult.pk}"')
    assert "Mother prefers Spanish" in page and "by Casey Cole" in page
    timeline = page[page.index('id="lead-timeline-heading"') :]
    assert timeline.count("Request received") == 2
    assert reverse("admin:admissions_lead_card", args=[check.pk, "front"]) in page
    assert 'href="tel:+17143000111"' in page


def test_each_view_of_a_lead_page_is_audited_without_patient_data(coord_client, coord):
    lead = make_consultation(first_name="Audra", phone="+17143000122")[1]
    coord_client.get(lead_url(lead))
    coord_client.get(lead_url(lead))
    events = AuditEvent.objects.filter(action="view", object_type="admissions.lead", object_id=str(lead.pk))
    assert events.count() == 2
    assert all(e.user == coord and "Audra" not in e.detail and "3000122" not in e.detail for e in events)


def test_history_page_opens_and_is_audited(coord_client, coord):
    lead = make_consultation()[1]
    coord_client.post(lead_url(lead), {"action": "note", "note-note": "Called the clinic"})
    response = coord_client.get(reverse("admin:admissions_lead_history", args=[lead.pk]))
    assert response.status_code == 200
    assert LogEntry.objects.filter(object_id=str(lead.pk)).count() == 1
    assert AuditEvent.objects.filter(action="view", object_id=str(lead.pk), detail="history").exists()


def test_record_a_call_from_the_page(coord_client, coord):
    lead = make_consultation()[1]
    response = coord_client.post(
        lead_url(lead), {"action": "call", "call-outcome": "reached", "call-note": "Booked assessment call"}
    )
    assert response.status_code == 302 and response["Location"] == lead_url(lead)
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONTACTED and lead.first_contact_at is not None
    call = lead.events.get(kind=LeadEvent.Kind.CALL)
    assert (call.actor, call.call_outcome, call.note) == (coord, "reached", "Booked assessment call")
    assert AuditEvent.objects.filter(action="change", object_id=str(lead.pk), detail="call").count() == 1
    page = coord_client.get(lead_url(lead)).content.decode()
    assert "Call recorded." in page and "Reached the person" in page


def test_closing_without_a_reason_shows_the_error_beside_the_field_and_keeps_the_choice(coord_client):
    lead = make_consultation()[1]
    response = coord_client.post(lead_url(lead), {"action": "status", "status-to_status": "unreachable"})
    assert response.status_code == 400
    form = response.context["forms"]["status"]
    assert form.errors == {"reason": ["Say why the lead is closed."]}
    page = response.content.decode()
    assert '<option value="unreachable" selected>' in page
    assert 'href="#action-status"' in page  # the error summary links to the form
    assert 'aria-invalid="true"' in page
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW and not lead.events.exclude(kind="submitted").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"action": "call"}, "outcome"),
        ({"action": "call", "call-outcome": "teleported"}, "outcome"),
        ({"action": "status", "status-to_status": "new"}, "to_status"),
        ({"action": "status", "status-to_status": "gone"}, "to_status"),
        ({"action": "note", "note-note": "   "}, "note"),
        ({"action": "note", "note-note": "x" * 10_000}, "note"),
        ({"action": "follow_up", "follow_up-follow_up_at": "2001-01-01T09:00"}, "follow_up_at"),
        ({"action": "follow_up", "follow_up-follow_up_at": "02/30/2030 10:00"}, "follow_up_at"),
        ({"action": "follow_up", "follow_up-follow_up_at": ""}, "follow_up_at"),
        ({"action": "assign", "assign-assignee": "999999"}, "assignee"),
    ],
)
def test_bad_input_is_a_400_with_the_field_error_and_stores_nothing(coord_client, data, field):
    lead = make_consultation()[1]
    response = coord_client.post(lead_url(lead), data)
    assert response.status_code == 400
    assert field in response.context["forms"][data["action"]].errors
    assert not lead.events.exclude(kind="submitted").exists()
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.NEW


def test_unknown_action_is_a_400(coord_client):
    lead = make_consultation()[1]
    assert coord_client.post(lead_url(lead), {"action": "delete"}).status_code == 400


def test_a_post_without_csrf_token_is_refused(coord):
    lead = make_consultation()[1]
    client = login(Client(enforce_csrf_checks=True), coord)
    response = client.post(lead_url(lead), {"action": "note", "note-note": "hello"})
    assert response.status_code == 403
    assert not lead.events.exclude(kind="submitted").exists()


def test_follow_up_set_and_cleared_from_the_page(coord_client):
    lead = make_consultation()[1]
    when = timezone.localtime() + datetime.timedelta(days=2)
    response = coord_client.post(
        lead_url(lead),
        {
            "action": "follow_up",
            "follow_up-follow_up_at": when.strftime("%Y-%m-%dT%H:%M"),
            "follow_up-note": "Ask about insurance",
        },
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert timezone.localtime(lead.follow_up_at).strftime("%Y-%m-%d %H:%M") == when.strftime("%Y-%m-%d %H:%M")
    assert coord_client.post(lead_url(lead), {"action": "follow_up", "clear": "1"}).status_code == 302
    lead.refresh_from_db()
    assert lead.follow_up_at is None


def test_a_coordinator_takes_a_lead_but_cannot_take_one_from_a_colleague(coord_client, coord):
    lead = make_consultation()[1]
    page = coord_client.get(lead_url(lead)).content.decode()
    assert "Take this lead" in page and f'name="assign-assignee" value="{coord.pk}"' in page
    assert (
        coord_client.post(lead_url(lead), {"action": "assign", "assign-assignee": coord.pk}).status_code
        == 302
    )
    assert Lead.objects.get(pk=lead.pk).assigned_to == coord

    robin = coordinator("robin")
    robin_client = login(Client(), robin)
    page = robin_client.get(lead_url(lead)).content.decode()
    assert "Casey Cole has this lead. Only a manager can move it" in page
    assert "Take this lead" not in page
    response = robin_client.post(lead_url(lead), {"action": "assign", "assign-assignee": robin.pk})
    assert response.status_code == 403
    assert "Only a manager" in response.content.decode()
    assert Lead.objects.get(pk=lead.pk).assigned_to == coord


def test_a_manager_reassigns_with_a_list_of_coordinators(coord):
    lead = make_consultation()[1]
    lead_assign(lead=lead, actor=coord, assignee=coord)
    robin = coordinator("robin")
    boss_client = login(Client(), manager("morgan"))
    page = boss_client.get(lead_url(lead)).content.decode()
    assert f'<option value="{robin.pk}">robin</option>' in page
    response = boss_client.post(lead_url(lead), {"action": "assign", "assign-assignee": robin.pk})
    assert response.status_code == 302
    assert Lead.objects.get(pk=lead.pk).assigned_to == robin


def test_nobody_adds_leads_and_only_a_superuser_deletes(coord_client):
    lead = make_consultation()[1]
    boss_client = login(Client(), manager("morgan"))
    root_client = login(Client(), make_user("root", superuser=True))
    delete_url = reverse("admin:admissions_lead_delete", args=[lead.pk])
    # Issue 10: coordinators and managers record phone leads; "Add" goes there.
    for client in (coord_client, boss_client, root_client):
        response = client.get(reverse("admin:admissions_lead_add"))
        assert response.status_code == 302 and response["Location"] == reverse("admin:admissions_lead_new")
    for client in (coord_client, boss_client):
        assert client.get(delete_url).status_code == 403
        assert client.post(delete_url, {"post": "yes"}).status_code == 403
        assert "deletelink" not in client.get(lead_url(lead)).content.decode()
    assert Lead.objects.filter(pk=lead.pk).exists()
    assert root_client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not Lead.objects.filter(pk=lead.pk).exists()


@pytest.mark.parametrize("object_id", ["999999", "abc", "1%20OR%201=1"])
def test_a_missing_lead_redirects_with_a_message(coord_client, object_id):
    response = coord_client.get(f"{INBOX}{object_id}/change/")
    assert response.status_code == 302


# Escaping ----------------------------------------------------------------------------

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_script_payloads_are_shown_escaped_everywhere_staff_look(coord_client, coord):
    consult, lead = make_consultation(
        first_name=PAYLOAD[:100],
        last_name="<b>Bold</b>",
        message=PAYLOAD,
        caller_relation="<i>aunt</i>",
        attribution={"utm_source": "<svg onload=alert(1)>", "referrer": "javascript:alert(1)"},
    )
    lead_note_add(lead=lead, actor=coord, note=PAYLOAD)
    lead_status_change(lead=lead, to_status=LeadStatus.DECLINED, actor=coord, reason=PAYLOAD)
    pages = [
        coord_client.get(INBOX, {"status": "all"}),
        coord_client.get(lead_url(lead)),
        coord_client.get(reverse("admin:admissions_lead_history", args=[lead.pk])),
        coord_client.get(reverse("admin:admissions_consultationrequest_changelist")),
    ]
    for response in pages:
        assert response.status_code == 200
        html = response.content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "<svg onload" not in html and "<b>Bold</b>" not in html and "<i>aunt</i>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in pages[1].content.decode()


# Card images -------------------------------------------------------------------------


def test_card_image_is_streamed_decrypted_with_safe_headers_and_audited(coord_client, coord, card_storage):
    check, lead = make_insurance(cards=True)
    url = reverse("admin:admissions_lead_card", args=[check.pk, "front"])
    response = coord_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'inline; filename="card-front.jpg"'
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    body = response.content
    assert body.startswith(b"\xff\xd8")
    raw = bytes(CardPhoto.objects.get(name=check.card_front.name).sealed)
    assert raw.startswith(b"phi1.") and b"\xff\xd8" not in raw  # at rest it is ciphertext
    event = AuditEvent.objects.get(action="download")
    assert (event.user, event.object_type, event.object_id, event.detail) == (
        coord,
        "admissions.insuranceverification",
        str(check.pk),
        "card_front",
    )


def test_card_image_errors_are_404_or_403(coord_client, card_storage):
    without, _ = make_insurance()
    with_cards, _ = make_insurance(cards=True)
    card = "admin:admissions_lead_card"
    assert coord_client.get(reverse(card, args=[without.pk, "front"])).status_code == 404
    assert coord_client.get(reverse(card, args=[with_cards.pk, "side"])).status_code == 404
    assert coord_client.get(reverse(card, args=[999999, "back"])).status_code == 404
    outsider = login(Client(), make_user("no_role"))
    assert outsider.get(reverse(card, args=[with_cards.pk, "back"])).status_code == 403
    assert not AuditEvent.objects.filter(action="download").exists()
    # A name whose photo is gone (missing on disk when 0017 moved them in): 404, no audit.
    CardPhoto.objects.filter(name=with_cards.card_front.name).delete()
    assert coord_client.get(reverse(card, args=[with_cards.pk, "front"])).status_code == 404
    assert not AuditEvent.objects.filter(action="download").exists()


# Submission lists --------------------------------------------------------------------


def test_submission_lists_mask_member_id_and_date_of_birth(coord_client):
    check, lead = make_insurance(member_id="W123456789", date_of_birth=datetime.date(1985, 4, 27))
    page = coord_client.get(reverse("admin:admissions_insuranceverification_changelist")).content.decode()
    assert "****6789" in page and "**/**/1985" in page
    assert (
        "W123456789" not in page
        and "04/27" not in page
        and "April 27" not in page
        and "1985-04-27" not in page
    )
    # The inbox itself shows neither.
    inbox = coord_client.get(INBOX).content.decode()
    assert "6789" not in inbox and "1985" not in inbox


def test_a_submission_opens_on_its_lead_page(coord_client):
    check, lead = make_insurance()
    response = coord_client.get(reverse("admin:admissions_insuranceverification_change", args=[check.pk]))
    assert response.status_code == 302
    assert response["Location"] == f"{lead_url(lead)}#insurance-{check.pk}"
