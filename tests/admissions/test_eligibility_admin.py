"""The eligibility check on the lead page: who may re-run it and see the raw
X12, what is audited, and that everything a payer sends is shown escaped."""

import datetime
import html
import json
import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from admissions.eligibility import EligibilityResult, Status, tasks
from admissions.models import AuditEvent, EligibilityCheck

from .factories import coordinator, login, make_insurance, make_user
from .test_eligibility_intake import run_queue_once

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def fake_payer(settings):
    settings.ELIGIBILITY_BACKEND = "fake"
    return settings


@pytest.fixture
def coord():
    return coordinator("casey", first_name="Casey", last_name="Cole")


@pytest.fixture
def coord_client(client, coord):
    return login(client, coord)


@pytest.fixture
def checked():
    """An insurance request whose first check has run (active coverage)."""
    verification, lead = make_insurance()
    assert tasks.eligibility_check_run.call(verification.pk, 1) == "active"
    return verification


def lead_url(verification) -> str:
    return reverse("admin:admissions_lead_change", args=[verification.lead_id])


def rerun_url(verification, lead_id=None) -> str:
    return reverse(
        "admin:admissions_lead_eligibility_rerun", args=[lead_id or verification.lead_id, verification.pk]
    )


def raw_url(check) -> str:
    return reverse("admin:admissions_lead_eligibility_raw", args=[check.verification.lead_id, check.pk])


def words(response) -> str:
    return " ".join(re.sub(r"<[^>]*>", " ", html.unescape(response.content.decode())).split())


def user_with(username, *codenames):
    user = make_user(username)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


# Re-run -------------------------------------------------------------------------------


def test_a_coordinator_re_runs_the_check_and_it_is_audited(
    coord_client, coord, checked, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = coord_client.post(rerun_url(checked))
    assert response.status_code == 302
    assert response["Location"] == f"{lead_url(checked)}#eligibility-{checked.pk}"
    second = EligibilityCheck.objects.get(verification=checked, attempt=2)
    assert second.requested_by == coord and second.status == Status.ACTIVE and second.finished
    assert second.trace_number == f"SHEER-IV-{checked.pk}-2"
    event = AuditEvent.objects.get(detail__startswith="eligibility_rerun")
    assert (event.user, event.action, event.object_type, event.object_id) == (
        coord,
        "change",
        "admissions.lead",
        str(checked.lead_id),
    )
    assert event.detail == f"eligibility_rerun insurance={checked.pk} attempt=2"

    page = words(coord_client.get(response["Location"]))
    assert "Eligibility check queued (attempt 2)" in page
    assert "Attempt 2, re-run by Casey Cole" in page and "Earlier attempts (1)" in page


def test_re_run_takes_only_posts(coord_client, checked):
    assert coord_client.get(rerun_url(checked)).status_code == 405
    assert EligibilityCheck.objects.count() == 1


def test_a_post_without_csrf_token_is_refused(coord, checked):
    client = login(Client(enforce_csrf_checks=True), coord)
    assert client.post(rerun_url(checked)).status_code == 403
    assert EligibilityCheck.objects.count() == 1


def test_a_reader_without_change_lead_sees_the_answer_but_no_button_and_cannot_post(checked):
    reader = user_with("reader", "view_lead", "view_insuranceverification")
    client = login(Client(), reader)
    page = words(client.get(lead_url(checked)))
    assert "Coverage is ACTIVE with AETNA." in page
    assert "Re-run eligibility check" not in page
    assert client.post(rerun_url(checked)).status_code == 403
    assert EligibilityCheck.objects.count() == 1
    assert not AuditEvent.objects.filter(detail__startswith="eligibility_rerun").exists()


def test_a_reader_who_may_not_read_insurance_answers_sees_only_the_status(checked):
    reader = user_with("masked", "view_lead")
    page = words(login(Client(), reader).get(lead_url(checked)))
    assert "Result Coverage active" in page
    assert "The details are hidden" in page
    assert "GOLD PPO" not in page and "GRP-001" not in page


def test_someone_without_lead_access_is_refused(checked):
    outsider = make_user("outsider")
    assert login(Client(), outsider).post(rerun_url(checked)).status_code == 403
    assert EligibilityCheck.objects.count() == 1


def test_a_request_of_another_lead_is_not_found(coord_client, checked):
    _, other_lead = make_insurance(first_name="Other")
    assert coord_client.post(rerun_url(checked, lead_id=other_lead.pk)).status_code == 404
    assert (
        coord_client.post(reverse("admin:admissions_lead_eligibility_rerun", args=[999999, 1])).status_code
        == 404
    )


def test_no_re_run_when_automatic_checks_are_off(coord_client, checked, settings):
    settings.ELIGIBILITY_BACKEND = "manual"
    assert "Re-run eligibility check" not in words(coord_client.get(lead_url(checked)))
    response = coord_client.post(rerun_url(checked), follow=True)
    assert "No automatic insurance check is set up" in words(response)
    assert EligibilityCheck.objects.count() == 1


def test_pressing_re_run_twice_before_the_worker_runs_asks_the_payer_once(
    coord_client, checked, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TASKS = DB_TASKS
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert coord_client.post(rerun_url(checked)).status_code == 302
    assert list(EligibilityCheck.objects.order_by("attempt").values_list("attempt", "checked_at")) == [
        (1, EligibilityCheck.objects.get(attempt=1).checked_at),
        (2, None),
    ]
    assert [row.args_kwargs["args"] for row in DBTaskResult.objects.all()] == [[checked.pk, 2]] * 2
    page = words(coord_client.get(lead_url(checked)))
    assert "Result Not answered yet" in page and "Coverage is ACTIVE" not in page

    asked = []
    real_check = tasks.check
    monkeypatch.setattr(tasks, "check", lambda inquiry: asked.append(1) or real_check(inquiry))
    run_queue_once()
    assert asked == [1]
    assert EligibilityCheck.objects.get(attempt=2).status == Status.ACTIVE
    assert sorted(DBTaskResult.objects.values_list("return_value", flat=True)) == [
        "active",
        "already checked",
    ]


def test_an_attempt_that_has_waited_too_long_says_so(coord_client, checked):
    EligibilityCheck.objects.create(
        verification=checked, attempt=2, requested_at=timezone.now() - datetime.timedelta(minutes=30)
    )
    page = words(coord_client.get(lead_url(checked)))
    assert "Result Not answered yet" in page and "waited longer than expected" in page


# Raw X12 ------------------------------------------------------------------------------


def test_coordinators_do_not_see_the_raw_x12(coord_client, checked):
    check = EligibilityCheck.objects.get()
    assert "Raw 270 and 271" not in words(coord_client.get(lead_url(checked)))
    assert coord_client.get(raw_url(check)).status_code == 403


def test_a_superuser_reads_the_raw_x12_and_it_is_audited(admin_client, admin_user, checked):
    check = EligibilityCheck.objects.get()
    page = admin_client.get(lead_url(checked))
    assert raw_url(check) in page.content.decode()
    response = admin_client.get(raw_url(check))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    text = html.unescape(response.content.decode())
    assert "NM1*IL*1*KIM*DANIEL" in text and "EB*1*FAM*30*PR*GOLD PPO 1500" in text
    event = AuditEvent.objects.get(detail__startswith="eligibility_raw")
    assert (event.user, event.action, event.detail) == (
        admin_user,
        "view",
        f"eligibility_raw check={check.pk}",
    )


def test_the_dedicated_permission_opens_the_raw_x12(checked):
    check = EligibilityCheck.objects.get()
    reader = user_with("auditor", "view_lead", "view_insuranceverification", "view_eligibility_raw")
    assert login(Client(), reader).get(raw_url(check)).status_code == 200


def test_raw_x12_of_another_leads_check_is_not_found(admin_client, checked):
    check = EligibilityCheck.objects.get()
    _, other_lead = make_insurance(first_name="Other")
    url = reverse("admin:admissions_lead_eligibility_raw", args=[other_lead.pk, check.pk])
    assert admin_client.get(url).status_code == 404


# Untrusted payer text ---------------------------------------------------------------------

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_everything_the_payer_sent_is_shown_escaped(admin_client):
    verification, _ = make_insurance()
    answer = EligibilityResult(
        status=Status.ACTIVE,
        payer_name=PAYLOAD,
        plan_name="<b>Plan</b>",
        messages=[PAYLOAD],
        trace_number="T1",
        backend="fake",
    ).to_dict()
    answer.pop("raw_271"), answer.pop("request_sent")
    check = EligibilityCheck.objects.create(
        verification=verification,
        attempt=1,
        status=Status.ACTIVE,
        checked_at=timezone.now(),
        error_reason=PAYLOAD,
        result=json.dumps(answer),
        response_raw=f"ISA*00*~MSG*{PAYLOAD}~",
        request_sent=PAYLOAD,
    )
    EligibilityCheck.objects.create(
        verification=verification,
        attempt=2,
        status=Status.ERROR,
        checked_at=timezone.now(),
        error_reason=PAYLOAD,
    )
    for response in (admin_client.get(lead_url(verification)), admin_client.get(raw_url(check))):
        assert response.status_code == 200
        page = response.content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page and "<b>Plan</b>" not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_the_lead_page_does_not_grow_in_queries_with_the_attempts(coord_client, checked):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert coord_client.get(lead_url(checked)).status_code == 200
        return len(captured)

    one = queries()
    for attempt in range(2, 8):
        assert tasks.eligibility_check_run.call(checked.pk, attempt) == "active"
    assert queries() == one


def test_the_summary_carries_the_newest_requests_answer(coord_client):
    older, lead = make_insurance(member_id="NOTFOUND1")
    assert tasks.eligibility_check_run.call(older.pk, 1) == "rejected"
    page = words(coord_client.get(lead_url(older)))
    assert "Insurance check Rejected: member not found or details wrong (checked" in page

    newer, same_lead = make_insurance(phone=lead.phone, member_id="W987654321")
    assert same_lead == lead
    assert tasks.eligibility_check_run.call(newer.pk, 1) == "active"
    page = words(coord_client.get(lead_url(newer)))
    assert "Insurance check Coverage active (checked" in page
    assert "details under “What they sent”" in page
    assert page.count("Rejected: member not found") == 1  # only in the older request's panel
