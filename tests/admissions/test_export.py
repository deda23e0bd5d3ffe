"""CSV export of the filtered inbox: managers only, same rows as the list,
audited, nothing that identifies the person, and no formula a spreadsheet
would run."""

import csv
import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse

from admissions.models import AuditEvent, LeadStatus
from admissions.services.pipeline import lead_call_attempt_record, lead_status_change
from admissions.staff.export import EXPORT_COLUMNS, csv_safe

from .factories import content_editor, coordinator, login, make_consultation, make_insurance, manager

pytestmark = pytest.mark.django_db

EXPORT = "/admin/admissions/lead/export/"


@pytest.fixture
def boss():
    return manager("morgan")


@pytest.fixture
def boss_client(boss):
    return login(Client(), boss)


def read_csv(response) -> list[dict]:
    assert response.status_code == 200, response.status_code
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_export_has_the_documented_columns_and_the_lists_rows(boss_client, boss):
    first = make_consultation(attribution={"utm_source": "google"})[1]
    second = make_insurance()[1]
    lead_call_attempt_record(lead=first, actor=boss, outcome="reached")
    rows = read_csv(boss_client.get(EXPORT))
    assert list(rows[0]) == EXPORT_COLUMNS
    by_id = {row["lead"]: row for row in rows}
    assert set(by_id) == {str(first.pk), str(second.pk)}
    row = by_id[str(first.pk)]
    assert (row["status"], row["request"], row["source"], row["level_of_care"]) == (
        "Contacted",
        "Free consultation",
        "google",
        "Not sure",
    )
    assert row["minutes_to_first_contact"] == "0" and row["first_contact"]
    assert by_id[str(second.pk)]["first_contact"] == ""


def test_export_follows_the_current_filters_and_search(boss_client, boss):
    consult = make_consultation(first_name="Quinn")[1]
    check = make_insurance(first_name="Quinn")[1]
    other_check = make_insurance(first_name="Rae")[1]
    closed_check = make_insurance(first_name="Quinn")[1]
    lead_status_change(lead=closed_check, to_status=LeadStatus.DUPLICATE, actor=boss, reason="Same as before")
    assert consult and other_check

    inbox = boss_client.get("/admin/admissions/lead/", {"kind__exact": "insurance"})
    assert 'href="/admin/admissions/lead/export/?kind__exact=insurance"' in inbox.content.decode()
    assert {r["lead"] for r in read_csv(boss_client.get(EXPORT, {"kind__exact": "insurance"}))} == {
        str(check.pk),
        str(other_check.pk),
    }
    location = boss_client.post(
        reverse("admin:admissions_lead_search"), {"q": "quinn", "kind__exact": "insurance", "status": "all"}
    )["Location"]
    query = location.split("?", 1)[1]
    rows = read_csv(boss_client.get(f"{EXPORT}?{query}"))
    assert {r["lead"] for r in rows} == {str(check.pk), str(closed_check.pk)}


def test_export_carries_no_identifying_or_clinical_data(boss_client, boss):
    lead = make_insurance(
        first_name="Canaryfirst",
        last_name="Canarylast",
        phone="+17143000199",
        email="canary.mail@example.com",
        member_id="CANARYMEMBER1",
        group_number="CANARYGROUP",
        date_of_birth=datetime.date(1971, 3, 9),
    )[1]
    make_consultation(phone="+17143000199", message="CANARY clinical message")
    lead_status_change(
        lead=lead, to_status=LeadStatus.NOT_A_FIT, actor=boss, reason="CANARY reason: needs detox"
    )
    body = b"".join(boss_client.get(EXPORT, {"status": "all"}).streaming_content).decode()
    assert str(lead.pk) in body
    for secret in (
        "Canary",
        "CANARY",
        "3000199",
        "canary.mail",
        "1971",
        "03/09",
        "Lopez",
        "Maria",
    ):
        assert secret not in body, secret


@pytest.mark.parametrize(
    "source",
    ['=HYPERLINK("http://evil.example","x")', "+SUM(1,2)", "-2+3", "@cmd", "\t=1", "\r=1"],
)
def test_cells_that_would_run_as_formulas_are_defused(boss_client, source):
    make_consultation(attribution={"utm_source": source})
    [row] = read_csv(boss_client.get(EXPORT))
    assert row["source"] == "'" + source[:100]


def test_csv_safe_leaves_ordinary_values_alone():
    assert csv_safe("google") == "google"
    assert csv_safe(12) == "12"
    assert csv_safe(None) == ""
    assert csv_safe("a=b") == "a=b"
    assert csv_safe("-") == "'-"


def test_export_is_audited_with_the_row_count_only(boss_client, boss):
    for _ in range(3):
        make_consultation()
    response = boss_client.get(EXPORT, {"status": "all"})
    read_csv(response)
    event = AuditEvent.objects.get(action="export")
    assert (event.user, event.object_type, event.detail) == (boss, "admissions.lead", "rows=3")
    assert response["Content-Disposition"].startswith('attachment; filename="leads-')
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_the_search_term_never_reaches_the_audit_trail(boss_client):
    make_consultation(phone="+17143000155")
    location = boss_client.post(reverse("admin:admissions_lead_search"), {"q": "(714) 300-0155"})["Location"]
    read_csv(boss_client.get(EXPORT + "?" + location.split("?", 1)[1]))
    assert all("3000155" not in e.detail for e in AuditEvent.objects.all())


def test_only_the_export_permission_exports():
    make_consultation()
    for user in (coordinator(), content_editor()):
        client = login(Client(), user)
        assert client.get(EXPORT).status_code == 403
        assert "Export these leads" not in client.get("/admin/admissions/lead/").content.decode()
    assert not AuditEvent.objects.filter(action="export").exists()
    anonymous = Client().get(EXPORT)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_nonsense_filters_are_a_400_not_a_500(boss_client):
    assert boss_client.get(EXPORT, {"status": "bogus"}).status_code == 400
    assert boss_client.get(EXPORT, {"received_at__gte": "not a date"}).status_code == 400
