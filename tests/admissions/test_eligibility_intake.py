"""The automatic insurance check, end to end: the public form is posted, the
check runs as a task, its answer is stored (encrypted) on an EligibilityCheck,
the lead moves (or not), and the coordinator reads it on the lead page. And no
check, however it fails, costs the submission or the staff alert."""

import datetime
import html
import io
import logging
import re
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from admissions.eligibility import EligibilityResult, Status, tasks
from admissions.eligibility.backends import FakeBackend
from admissions.eligibility.fake_clearinghouse import FakeClearinghouse
from admissions.eligibility.rest import clear_token_cache
from admissions.models import EligibilityCheck, InsuranceCarrier, InsuranceVerification, LeadEvent, LeadStatus
from admissions.services.pipeline import lead_status_change

from .factories import coordinator, login, make_insurance
from .intake_support import (
    INSURANCE_THANKS,
    INSURANCE_URL,
    cache_table_fixture,  # noqa: F401
    insurance_data,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cache_table", "demo_content")]

ALERT_INBOX = "admissions@example.test"
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def fake_payer(settings):
    settings.ELIGIBILITY_BACKEND = "fake"
    settings.ADMISSIONS_ALERT_EMAIL = ALERT_INBOX
    settings.ELIGIBILITY_MAX_ATTEMPTS = 3
    settings.ELIGIBILITY_RETRY_DELAY_SECONDS = 120
    return settings


def submit(client, capture, **answers) -> InsuranceVerification:
    """POST the real form, run what is queued on commit, return what was stored."""
    with capture(execute=True):
        response = client.post(INSURANCE_URL, insurance_data(**answers), REMOTE_ADDR="198.51.100.30")
    assert response.status_code == 303 and response["Location"] == INSURANCE_THANKS
    return InsuranceVerification.objects.select_related("lead").latest("pk")


def staff_alerts() -> list:
    return [m for m in mail.outbox if ALERT_INBOX in m.to]


def lead_page(client, verification) -> str:
    response = client.get(reverse("admin:admissions_lead_change", args=[verification.lead_id]))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def check_panel(page: str, verification) -> str:
    """The words of one request's check panel on the lead page, tags as spaces."""
    start = page.index(f'id="eligibility-{verification.pk}"')
    panel = page[start : page.index("</section>", start)]
    return " ".join(re.sub(r"<[^>]*>", " ", panel).split())


def run_queue_once():
    """What `manage.py db_worker --batch` does, minus closing the test's connection."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    for row in list(DBTaskResult.objects.ready()):
        row.claim(worker.worker_id)
        worker.run_task(row)


def time_passes():
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


# Every fake scenario, from the form to what the coordinator reads ---------------------

SCENARIOS = [
    (
        "W123456789",
        Status.ACTIVE,
        LeadStatus.VERIFIED,
        [
            "Result Coverage active",
            "Coverage is ACTIVE with AETNA.",
            "Plan: GOLD PPO 1500 (PPO), group GRP-001",
            "In network deductible: individual $1,500.00, $400.00 met, $1,100.00 left",
            "Out of network deductible: individual $3,000.00, $0.00 met, $3,000.00 left",
            "In network out-of-pocket maximum: individual $6,000.00, $800.00 met, $5,200.00 left",
            "Prior authorization REQUIRED for: Substance use treatment (AI)",
            "confirm benefits with the payer before quoting them",
        ],
    ),
    (
        "INACTIVE1",
        Status.INACTIVE,
        LeadStatus.NEW,
        ["Result Coverage inactive", "Coverage is NOT ACTIVE with AETNA.", "to Dec 31, 2025"],
    ),
    (
        "NOTFOUND1",
        Status.REJECTED,
        LeadStatus.NEW,
        [
            "Result Rejected: member not found or details wrong",
            "Reason (AAA 75): The payer found no policy holder with these details.",
            "What to fix: Check the member ID, the policy holder's name and date of birth against the card.",
        ],
    ),
    (
        "BADID1",
        Status.REJECTED,
        LeadStatus.NEW,
        ["Reason (AAA 72): The member ID is invalid or missing.", "character for character"],
    ),
    (
        "BADDOB1",
        Status.REJECTED,
        LeadStatus.NEW,
        ["Reason (AAA 71): The date of birth does not match", "month and day swapped"],
    ),
    (
        "W1234-CARVEOUT",
        Status.CARVED_OUT,
        LeadStatus.NEW,
        [
            "Result Active; behavioural health carved out",
            "CARVED OUT: behavioural health (Mental health; Substance use treatment;",
            "is managed by MAGELLAN HEALTHCARE, phone (800) 555-0199",
        ],
    ),
    (
        "PAYERDOWN1",
        Status.ERROR,
        LeadStatus.NEW,
        [
            "Result Check failed",
            "payer unable to respond (AAA 42); not retried automatically",
            "Verify benefits by calling the payer.",
        ],
    ),
    (
        "TIMEOUT1",
        Status.ERROR,
        LeadStatus.NEW,
        ["Result Check failed", "the fake payer did not answer in time; not retried automatically"],
    ),
]


@pytest.mark.parametrize(("member_id", "status", "lead_status", "words"), SCENARIOS)
def test_each_fake_scenario_from_the_form_to_the_lead_page(
    client, admin_client, django_capture_on_commit_callbacks, member_id, status, lead_status, words
):
    verification = submit(client, django_capture_on_commit_callbacks, member_id=member_id)

    # The plan's own check; a carve-out adds its re-check with the administrator (issue 11).
    (check,) = EligibilityCheck.objects.filter(verification=verification, carve_out_of=None)
    rechecks = EligibilityCheck.objects.filter(verification=verification, carve_out_of=check)
    assert rechecks.count() == (1 if status == Status.CARVED_OUT else 0)
    assert (check.attempt, check.status, check.backend) == (1, status, "fake")
    assert check.checked_at is not None and check.retry_at is None
    assert check.trace_number == f"SHEER-IV-{verification.pk}-1"
    if member_id != "TIMEOUT1":  # the fake payer times out before anything is sent
        assert check.request_sent.startswith("ISA*") and "*270*" in check.request_sent
        assert "*271*" in check.response_raw
    verification.lead.refresh_from_db()
    assert verification.lead.status == lead_status
    assert len(staff_alerts()) == 1  # the alert went out whatever the check said

    panel = check_panel(lead_page(admin_client, verification), verification)
    for phrase in words:
        assert " ".join(phrase.split()) in panel, phrase
    assert "Re-run eligibility check" in panel
    assert f"Trace number SHEER-IV-{verification.pk}-1" in panel


def test_active_coverage_moves_the_lead_to_verified_as_the_site_with_a_timeline_entry(
    client, admin_client, django_capture_on_commit_callbacks
):
    verification = submit(client, django_capture_on_commit_callbacks)
    event = LeadEvent.objects.get(lead=verification.lead, kind=LeadEvent.Kind.STATUS)
    assert (event.from_status, event.to_status, event.actor) == (LeadStatus.NEW, LeadStatus.VERIFIED, None)
    assert "Automatic insurance check (attempt 1): coverage active with AETNA" in event.note
    page = lead_page(admin_client, verification)
    assert "New → Verified" in page
    assert "by the website (automatic insurance check)" in page


@pytest.mark.parametrize(
    ("earlier", "moves"),
    [
        (LeadStatus.CONTACT_ATTEMPTED, True),
        (LeadStatus.CONTACTED, True),
        (LeadStatus.INSURANCE_VERIFICATION, True),
        (LeadStatus.ASSESSMENT_SCHEDULED, False),
        (LeadStatus.ADMITTED, False),
        (LeadStatus.DECLINED, False),
    ],
)
def test_only_a_lead_at_an_early_stage_is_moved_to_verified(earlier, moves):
    verification, lead = make_insurance()  # stored without running the on-commit check
    coord = coordinator()
    lead_status_change(lead=lead, to_status=earlier, actor=coord, reason="Chose another program")
    assert tasks.eligibility_check_run.call(verification.pk, 1) == "active"
    lead.refresh_from_db()
    assert lead.status == (LeadStatus.VERIFIED if moves else earlier)
    assert LeadEvent.objects.filter(lead=lead, actor=None, kind=LeadEvent.Kind.STATUS).exists() == moves


def test_a_carrier_outside_the_payer_directory_is_left_to_a_coordinator(
    client, admin_client, django_capture_on_commit_callbacks
):
    multiplan = InsuranceCarrier.objects.get(name="MultiPlan")  # a network, not a payer
    verification = submit(client, django_capture_on_commit_callbacks, carrier=str(multiplan.pk))
    check = EligibilityCheck.objects.get(verification=verification)
    assert check.status == Status.MANUAL and check.request_sent == "" and check.response_raw == ""
    assert "not in the payer directory" in check.error_reason
    panel = check_panel(lead_page(admin_client, verification), verification)
    assert "Verify by phone" in panel and "Verify benefits by calling the payer" in panel
    verification.lead.refresh_from_db()
    assert verification.lead.status == LeadStatus.NEW


def test_manual_backend_queues_no_check_and_says_so(
    client, admin_client, settings, django_capture_on_commit_callbacks
):
    settings.ELIGIBILITY_BACKEND = "manual"
    verification = submit(client, django_capture_on_commit_callbacks)
    assert not EligibilityCheck.objects.exists()
    panel = check_panel(lead_page(admin_client, verification), verification)
    assert "No automatic insurance check is set up" in panel
    assert "Re-run eligibility check" not in panel
    assert len(staff_alerts()) == 1


def test_only_a_newly_stored_request_is_checked(client, django_capture_on_commit_callbacks):
    data = insurance_data()
    for _ in range(2):  # the second post carries the same form token: nothing new is stored
        with django_capture_on_commit_callbacks(execute=True):
            client.post(INSURANCE_URL, data, REMOTE_ADDR="198.51.100.30")
    assert InsuranceVerification.objects.count() == 1
    assert EligibilityCheck.objects.count() == 1


def test_the_thank_you_page_shows_no_coverage_decision(client, django_capture_on_commit_callbacks):
    for member_id in ("W123456789", "INACTIVE1", "NOTFOUND1"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                INSURANCE_URL, insurance_data(member_id=member_id), REMOTE_ADDR="198.51.100.30", follow=True
            )
        page = html.unescape(response.content.decode())
        assert "the coordinator will confirm what the plan covers" in page
        for decision in ("Coverage is", "ACTIVE", "NOT ACTIVE", "GOLD PPO", "deductible", "AAA", "Rejected"):
            assert decision not in page
    for message in mail.outbox:  # nor does the auto-reply
        assert "GOLD PPO" not in message.body and "ACTIVE" not in message.body


# Failures: retried with backoff, bounded, ending in an error with the reason ----------


def test_a_payer_outage_is_retried_with_backoff_then_ends_in_an_error(
    client, admin_client, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DB_TASKS
    verification = submit(client, django_capture_on_commit_callbacks, member_id="PAYERDOWN1")
    started = timezone.now()
    run_queue_once()  # alert, auto-reply and the first check
    assert len(staff_alerts()) == 1

    first = EligibilityCheck.objects.get(verification=verification, attempt=1)
    assert first.status == Status.ERROR and first.retryable
    assert (
        started + datetime.timedelta(seconds=115) < first.retry_at < started + datetime.timedelta(seconds=130)
    )
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.task_path == "admissions.eligibility.tasks.eligibility_check_run"
    assert retry.args_kwargs == {"args": [verification.pk, 2, 2], "kwargs": {}}  # ids and counts only
    assert retry.run_after == first.retry_at
    panel = check_panel(lead_page(admin_client, verification), verification)
    assert "It will be retried automatically." in panel and "Next try" in panel

    time_passes()
    run_queue_once()
    second = EligibilityCheck.objects.get(verification=verification, attempt=2)
    assert second.retry_at - second.checked_at > datetime.timedelta(seconds=235)  # doubled

    time_passes()
    run_queue_once()
    last = EligibilityCheck.objects.get(verification=verification, attempt=3)
    assert last.status == Status.ERROR and last.retry_at is None
    assert last.error_reason == "payer unable to respond (AAA 42); gave up after 3 attempts"
    assert not DBTaskResult.objects.filter(status="READY").exists()  # bounded
    assert not DBTaskResult.objects.filter(status="FAILED").exists()
    verification.lead.refresh_from_db()
    assert verification.lead.status == LeadStatus.NEW

    panel = check_panel(lead_page(admin_client, verification), verification)
    assert "Attempt 3, automatic" in panel
    assert "gave up after 3 attempts. Verify benefits by calling the payer." in panel
    assert "Earlier attempts (2)" in panel


def test_a_timeout_then_an_answer_verifies_on_the_retry(
    client, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TASKS = DB_TASKS
    real_check = tasks.check
    calls = []

    def flaky(inquiry):
        calls.append(inquiry.trace_number)
        if len(calls) == 1:
            return EligibilityResult(
                status=Status.ERROR, error_reason="the clearinghouse did not answer in time", retryable=True
            )
        return real_check(inquiry)

    monkeypatch.setattr(tasks, "check", flaky)
    verification = submit(client, django_capture_on_commit_callbacks)
    run_queue_once()
    time_passes()
    run_queue_once()
    assert calls == [f"SHEER-IV-{verification.pk}-1", f"SHEER-IV-{verification.pk}-2"]
    statuses = list(
        EligibilityCheck.objects.filter(verification=verification).order_by("attempt").values_list("status")
    )
    assert statuses == [(Status.ERROR,), (Status.ACTIVE,)]
    verification.lead.refresh_from_db()
    assert verification.lead.status == LeadStatus.VERIFIED


def test_a_pending_answer_on_the_last_try_ends_as_an_error(settings, monkeypatch):
    settings.TASKS = DB_TASKS
    verification, _ = make_insurance()
    pending = EligibilityResult(
        status=Status.PENDING, error_reason="payer had not answered after 5 polls", retryable=True
    )
    monkeypatch.setattr(tasks, "check", lambda inquiry: pending)
    assert tasks.eligibility_check_run.call(verification.pk, 3, 3) == "error"
    check = EligibilityCheck.objects.get(verification=verification, attempt=3)
    assert check.error_reason == "payer had not answered after 5 polls; gave up after 3 attempts"
    assert check.retryable and check.retry_at is None  # temporary, but no more tries
    # No further check queued (the request's alert and auto-reply rows, written
    # with it since issue 14, are not checks).
    assert not DBTaskResult.objects.filter(task_path__startswith="admissions.eligibility.").exists()


# No check ever breaks a submission ------------------------------------------------------


def test_a_backend_that_raises_costs_neither_the_request_nor_the_alert(
    client, admin_client, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def explode(self, request):
        raise RuntimeError(f"boom for {request.member_id} {request.subscriber_last_name}")

    monkeypatch.setattr(FakeBackend, "check", explode)
    caplog.set_level(logging.DEBUG)
    verification = submit(client, django_capture_on_commit_callbacks)
    assert len(staff_alerts()) == 1
    check = EligibilityCheck.objects.get(verification=verification)
    assert check.status == Status.ERROR and check.error_reason.startswith("internal error (RuntimeError)")
    assert "RuntimeError" in caplog.text
    assert "W123456789" not in caplog.text and "Kim" not in caplog.text
    assert "internal error (RuntimeError)" in check_panel(lead_page(admin_client, verification), verification)


def test_a_broken_queue_costs_neither_the_request_nor_the_alert(
    client, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    class BrokenQueue:
        def enqueue(self, *args):
            raise RuntimeError("task table missing")

    monkeypatch.setattr(tasks, "eligibility_check_run", BrokenQueue())
    verification = submit(client, django_capture_on_commit_callbacks)
    assert len(staff_alerts()) == 1
    assert not EligibilityCheck.objects.exists()
    assert f"could not queue the eligibility check for insurance {verification.pk}" in caplog.text


def test_a_crashing_task_leaves_the_request_and_a_re_run_finishes_the_attempt(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    def crash(verification, trace_number):
        raise RuntimeError("database went away")

    monkeypatch.setattr(tasks, "_result_for", crash)
    verification = submit(client, django_capture_on_commit_callbacks)
    assert len(staff_alerts()) == 1
    check = EligibilityCheck.objects.get(verification=verification)
    assert not check.finished  # the attempt began, nothing half-stored

    monkeypatch.undo()
    coord = coordinator()
    coord_client = login(client, coord)
    url = reverse("admin:admissions_lead_eligibility_rerun", args=[verification.lead_id, verification.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert coord_client.post(url).status_code == 302
    (check,) = EligibilityCheck.objects.filter(verification=verification)  # the same attempt, answered
    assert check.attempt == 1 and check.status == Status.ACTIVE


def test_a_misconfigured_backend_stores_an_error_not_a_500(
    client, settings, django_capture_on_commit_callbacks
):
    settings.ELIGIBILITY_BACKEND = "clearinghouse-that-does-not-exist"
    verification = submit(client, django_capture_on_commit_callbacks)
    check = EligibilityCheck.objects.get(verification=verification)
    assert check.status == Status.ERROR and check.error_reason.startswith("not configured:")
    assert not check.retryable and len(staff_alerts()) == 1


# Storage: encrypted, one answer per attempt ----------------------------------------------


def test_the_answer_the_raw_271_and_the_270_are_stored_encrypted(client, django_capture_on_commit_callbacks):
    verification = submit(client, django_capture_on_commit_callbacks)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT result, response_raw, request_sent, error_reason FROM admissions_eligibilitycheck"
        )
        (row,) = cursor.fetchall()
    # Every non-empty column is one sealed envelope and nothing else, so no plain text sits beside it.
    # (Searching the ciphertext for short words like "Kim" is a coin toss: base64 spells them now and then.)
    sealed = [value for value in row if value]
    assert len(sealed) >= 3
    for value in sealed:
        assert re.fullmatch(r"phi1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_=-]+", value), value[:40]
    for plain in ("ISA*", "EB*", "GOLD PPO", "NM1*IL"):  # characters base64url never writes
        assert plain not in " ".join(sealed)
    check = EligibilityCheck.objects.get(verification=verification)
    result = tasks.stored_result(check, with_raw=True)
    assert result.plan_name == "GOLD PPO 1500" and "NM1*IL*1*KIM*DANIEL" in result.request_sent
    assert "EB*1*FAM*30*PR*GOLD PPO 1500" in result.raw_271


def test_running_the_same_attempt_twice_stores_one_answer_and_asks_once(monkeypatch):
    verification, _ = make_insurance()
    asked = []
    real_check = tasks.check
    monkeypatch.setattr(tasks, "check", lambda inquiry: asked.append(1) or real_check(inquiry))
    assert tasks.eligibility_check_run.call(verification.pk, 1) == "active"
    assert tasks.eligibility_check_run.call(verification.pk, 1) == "already checked"
    assert EligibilityCheck.objects.filter(verification=verification).count() == 1
    assert asked == [1]
    assert LeadEvent.objects.filter(lead=verification.lead, kind=LeadEvent.Kind.STATUS).count() == 1


def test_a_purged_request_is_skipped():
    assert tasks.eligibility_check_run.call(987654, 1) == "gone"


@pytest.mark.django_db(transaction=True)
def test_two_workers_on_the_same_attempt_at_once_ask_the_payer_once(monkeypatch, settings):
    """The second run waits on the row lock while the first is at the payer,
    then finds the answer stored."""
    settings.ELIGIBILITY_BACKEND = "manual"  # nothing checked on commit
    verification, _ = make_insurance()
    settings.ELIGIBILITY_BACKEND = "fake"
    at_the_payer, let_go = threading.Event(), threading.Event()
    asked = []
    real_check = tasks.check

    def slow_check(inquiry):
        asked.append(1)
        at_the_payer.set()
        assert let_go.wait(10)
        return real_check(inquiry)

    monkeypatch.setattr(tasks, "check", slow_check)
    outcomes = {}

    def run(name):
        try:
            outcomes[name] = tasks.eligibility_check_run.call(verification.pk, 1)
        finally:
            connection.close()

    first = threading.Thread(target=run, args=("first",))
    first.start()
    assert at_the_payer.wait(10)
    second = threading.Thread(target=run, args=("second",))
    second.start()
    second.join(0.5)
    assert second.is_alive()  # waiting for the first run's lock
    let_go.set()
    first.join(10)
    second.join(10)
    assert outcomes == {"first": "active", "second": "already checked"}
    assert asked == [1] and EligibilityCheck.objects.count() == 1


# The REST backend against the local fake clearinghouse, through the form ------------------


@pytest.mark.parametrize(("member_id", "polls"), [("W555000111", 0), ("PENDING7", 2)])
def test_the_rest_backend_from_the_form_to_a_verified_lead(
    client, admin_client, settings, django_capture_on_commit_callbacks, member_id, polls
):
    clear_token_cache()
    with FakeClearinghouse(pending_polls=polls) as house:
        settings.ELIGIBILITY_BACKEND = "rest"
        settings.ELIGIBILITY = house.rest_options()
        verification = submit(client, django_capture_on_commit_callbacks, member_id=member_id)
        asked = [path for _, path, _ in house.calls]
    clear_token_cache()
    check = EligibilityCheck.objects.get(verification=verification)
    assert (check.status, check.backend) == (Status.ACTIVE, "rest")
    assert asked.count("/eligibility") == 1 and len(asked) == 2 + polls  # token, request, polls
    assert '"memberId": "' + member_id + '"' in check.request_sent and "*271*" in check.response_raw
    verification.lead.refresh_from_db()
    assert verification.lead.status == LeadStatus.VERIFIED
    panel = check_panel(lead_page(admin_client, verification), verification)
    assert "Coverage is ACTIVE with" in panel and "Checked through rest" in panel


# Retention ---------------------------------------------------------------------------------


def test_purging_an_expired_lead_erases_its_checks(client, django_capture_on_commit_callbacks):
    verification = submit(client, django_capture_on_commit_callbacks)
    assert EligibilityCheck.objects.filter(verification=verification).exists()
    long_ago = timezone.now() - datetime.timedelta(days=400)
    verification.lead.events.update(at=long_ago)
    InsuranceVerification.objects.filter(pk=verification.pk).update(submitted_at=long_ago)
    type(verification.lead).objects.filter(pk=verification.lead_id).update(
        last_activity_at=long_ago, received_at=long_ago
    )
    call_command("purge_leads", days=90, stdout=io.StringIO())
    assert not EligibilityCheck.objects.exists()
