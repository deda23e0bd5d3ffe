"""Staff alert and auto-reply: sent after commit through the tasks framework,
at most once per request, retried with backoff when mail fails, and a mail
failure never costs the stored request."""

import datetime
import logging
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from admissions.intake import notifications as tasks
from admissions.models import ConsultationRequest, InsuranceVerification, Lead
from programs.models import LevelOfCare

from .intake_support import (
    CONSULTATION_URL,
    INSURANCE_URL,
    cache_table_fixture,  # noqa: F401
    consultation_data,
    insurance_data,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cache_table", "demo_content")]

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class RefusingMailBackend(BaseEmailBackend):
    """An SMTP server that refuses every recipient, quoting the address back
    (as real servers do), so tests can prove the address is never logged."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused({m.to[0]: (550, b"mailbox unavailable") for m in email_messages})


REFUSING = {"default": {"BACKEND": "tests.admissions.test_tasks.RefusingMailBackend"}}


@pytest.fixture
def alert_inbox(settings):
    settings.ADMISSIONS_ALERT_EMAIL = "admissions@example.test, manager@example.test"
    return settings


def submit(client, url=CONSULTATION_URL, data=None, capture=None):
    data = data or consultation_data()
    if capture is None:
        return client.post(url, data, REMOTE_ADDR="198.51.100.20")
    with capture(execute=True):
        return client.post(url, data, REMOTE_ADDR="198.51.100.20")


def test_staff_alert_has_kind_level_time_and_admin_link_and_no_patient_data(
    client, alert_inbox, django_capture_on_commit_callbacks
):
    level = LevelOfCare.objects.published().first()
    submit(
        client,
        data=consultation_data(level_of_care=str(level.pk), message="private words"),
        capture=django_capture_on_commit_callbacks,
    )
    request = ConsultationRequest.objects.get()
    (alert,) = [m for m in mail.outbox if "admissions@example.test" in m.to]
    assert alert.to == ["admissions@example.test", "manager@example.test"]
    assert alert.subject == f"New free consultation request (lead {request.lead_id})"
    assert "Request: Free consultation" in alert.body
    assert f"Level of care: {level.name}" in alert.body
    received = timezone.localtime(request.submitted_at)
    assert f"Received: {received:%a, %b} {received.day}, {received.year}" in alert.body
    assert f"https://www.example.test/admin/admissions/lead/{request.lead_id}/change/" in alert.body
    for private in ("Maria", "Lopez", "555", "0123", "maria@example.com", "private words", "Mother"):
        assert private not in alert.subject + alert.body
    request.refresh_from_db()
    assert request.staff_alert_sent_at is not None and request.auto_reply_sent_at is not None


def test_insurance_alert_and_returning_person(client, alert_inbox, django_capture_on_commit_callbacks):
    submit(client, capture=django_capture_on_commit_callbacks)
    mail.outbox.clear()
    submit(
        client,
        INSURANCE_URL,
        insurance_data(phone="7145550123", email="maria@example.com"),
        capture=django_capture_on_commit_callbacks,
    )
    (alert,) = [m for m in mail.outbox if "admissions@example.test" in m.to]
    assert "Request: Insurance verification" in alert.body
    assert "Level of care: Not sure / not asked" in alert.body
    assert "has written in before" in alert.body
    for private in ("Daniel", "Kim", "W123456789", "GRP-001", "1985"):
        assert private not in alert.body


def test_auto_reply_carries_only_the_first_name(client, alert_inbox, django_capture_on_commit_callbacks):
    data = consultation_data(caller_relation="Stepmother", message="Oxycodone since March")
    submit(client, data=data, capture=django_capture_on_commit_callbacks)
    (reply,) = [m for m in mail.outbox if m.to == ["maria@example.com"]]
    assert reply.subject == "We received your request"
    assert reply.body.startswith("Hi Maria,")
    assert "(949) 555-0142" in reply.body and "988" in reply.body and "911" in reply.body
    for private in ("Lopez", "0123", "Oxycodone", "Stepmother", "maria@example.com"):
        assert private not in reply.body


def test_no_email_means_no_auto_reply(client, alert_inbox, django_capture_on_commit_callbacks):
    submit(client, data=consultation_data(email=""), capture=django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["admissions@example.test", "manager@example.test"]]
    assert ConsultationRequest.objects.get().auto_reply_sent_at is None


def test_no_alert_address_configured_sends_no_alert_and_says_so(
    client, settings, django_capture_on_commit_callbacks, caplog
):
    settings.ADMISSIONS_ALERT_EMAIL = ""
    submit(client, capture=django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["maria@example.com"]]
    assert "ADMISSIONS_ALERT_EMAIL is empty" in caplog.text


def test_nothing_is_sent_before_the_transaction_commits(
    client, alert_inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit(client)
    assert mail.outbox == [] and len(callbacks) == 1


def test_each_message_goes_out_once_however_often_the_task_runs(client, alert_inbox):
    submit(client)  # on_commit callbacks are not run here
    request = ConsultationRequest.objects.get()
    assert tasks.staff_alert_send.call("consultation", request.pk) == "sent"
    assert tasks.staff_alert_send.call("consultation", request.pk) == "already sent"
    assert tasks.auto_reply_send.call("consultation", request.pk) == "sent"
    assert tasks.auto_reply_send.call("consultation", request.pk) == "already sent"
    assert len(mail.outbox) == 2


def test_a_purged_request_is_skipped(alert_inbox):
    assert tasks.staff_alert_send.call("insurance", 987654) == "gone"


def test_task_arguments_are_kind_and_id_only(
    client, alert_inbox, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DB_TASKS
    submit(client, capture=django_capture_on_commit_callbacks)
    request = ConsultationRequest.objects.get()
    queued = DBTaskResult.objects.order_by("task_path")
    assert [(row.task_path, row.args_kwargs) for row in queued] == [
        (
            "admissions.intake.notifications.auto_reply_send",
            {"args": ["consultation", request.pk], "kwargs": {}},
        ),
        (
            "admissions.intake.notifications.staff_alert_send",
            {"args": ["consultation", request.pk], "kwargs": {}},
        ),
    ]
    assert mail.outbox == []  # waits for the worker


def test_mail_failure_schedules_a_retry_with_backoff_and_logs_no_address(
    client, alert_inbox, settings, caplog
):
    settings.TASKS = DB_TASKS
    settings.MAILERS = REFUSING
    submit(client)
    request = ConsultationRequest.objects.get()
    # The request's own task rows (written with it): this test runs the task by hand.
    DBTaskResult.objects.all().delete()
    caplog.set_level(logging.DEBUG)
    before = timezone.now()
    assert tasks.auto_reply_send.call("consultation", request.pk) == "retry scheduled"
    retry = DBTaskResult.objects.get(task_path="admissions.intake.notifications.auto_reply_send")
    assert retry.args_kwargs == {"args": ["consultation", request.pk, 2], "kwargs": {}}
    assert before + datetime.timedelta(seconds=59) < retry.run_after < before + datetime.timedelta(seconds=70)
    assert "SMTPRecipientsRefused" in caplog.text
    assert "maria@example.com" not in caplog.text
    request.refresh_from_db()
    assert request.auto_reply_sent_at is None

    # Later attempts wait longer; the last one gives up loudly, naming only kind and id.
    assert tasks.auto_reply_send.call("consultation", request.pk, 2) == "retry scheduled"
    third = DBTaskResult.objects.filter(args_kwargs__args__2=3).get()
    assert third.run_after > timezone.now() + datetime.timedelta(seconds=290)
    with pytest.raises(tasks.MailNotSent) as caught:
        tasks.auto_reply_send.call("consultation", request.pk, tasks.MAX_ATTEMPTS)
    assert str(caught.value) == (
        f"auto-reply for consultation {request.pk} not sent after {tasks.MAX_ATTEMPTS} attempt(s) "
        "(SMTPRecipientsRefused)"
    )
    assert caught.value.__suppress_context__ or caught.value.__context__ is None


def run_queue_once():
    """What `manage.py db_worker --batch` does, minus closing the test's
    database connection between tasks."""
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


def test_worker_retries_until_mail_is_back(client, alert_inbox, settings):
    settings.TASKS = DB_TASKS
    settings.MAILERS = REFUSING
    submit(client)
    request = ConsultationRequest.objects.get()
    # Follow the staff alert alone: the request's own two rows make way for one queued by hand.
    DBTaskResult.objects.all().delete()
    tasks.staff_alert_send.enqueue("consultation", request.pk)
    run_queue_once()
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.args_kwargs["args"] == ["consultation", request.pk, 2]

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())  # time passes
    run_queue_once()
    assert len(mail.outbox) == 1
    request.refresh_from_db()
    assert request.staff_alert_sent_at is not None
    assert not DBTaskResult.objects.filter(status="FAILED").exists()


def test_mail_failure_with_the_immediate_backend_does_not_break_the_submission(
    client, alert_inbox, settings, django_capture_on_commit_callbacks
):
    settings.MAILERS = REFUSING
    response = submit(client, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 303
    request = ConsultationRequest.objects.get()
    assert request.staff_alert_sent_at is None and Lead.objects.count() == 1


def test_a_broken_queue_does_not_lose_the_request(client, alert_inbox, monkeypatch, caplog):
    class BrokenQueue:
        name = "staff_alert_send"

        def enqueue(self, *args):
            raise RuntimeError("queue table missing")

    monkeypatch.setattr(tasks, "staff_alert_send", BrokenQueue())
    tasks.intake_notifications_enqueue(kind="insurance", submission_id=1)
    assert "could not queue staff_alert_send for insurance 1" in caplog.text


def test_insurance_request_alert_through_the_view(client, alert_inbox, django_capture_on_commit_callbacks):
    submit(
        client,
        INSURANCE_URL,
        insurance_data(email="d.kim@example.com"),
        capture=django_capture_on_commit_callbacks,
    )
    assert InsuranceVerification.objects.get().staff_alert_sent_at is not None
    (reply,) = [m for m in mail.outbox if m.to == ["d.kim@example.com"]]
    # Issue 10 "right greeting": the insurance form's names are the patient's
    # and the email the sender's (often a parent): greet nobody by name.
    assert reply.body.startswith("Hello,") and "Daniel" not in reply.body and "benefits" in reply.body
