"""A stored request owes its staff alert and auto-reply until they are sent:
when the enqueue after the commit is lost (database restart) or every attempt
failed, `manage.py send_owed_alerts` queues them again, once."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from admissions.intake import notifications
from admissions.models import ConsultationRequest
from admissions.staff import selectors

from .intake_support import cache_table_fixture, consultation_data  # noqa: F401
from .test_tasks import DB_TASKS, run_queue_once, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cache_table", "demo_content")]


@pytest.fixture
def db_queue(settings):
    settings.TASKS = DB_TASKS
    settings.ADMISSIONS_ALERT_EMAIL = "admissions@example.test"
    return settings


def a_minute_passes(request):
    ConsultationRequest.objects.filter(pk=request.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(minutes=2)
    )


def refuse_enqueue(monkeypatch):
    """The database restarting right after the commit: the enqueue cannot write."""

    def create(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(DBTaskResult.objects, "create", create)


def test_with_the_database_queue_the_tasks_commit_with_the_request_in_one_insert(
    client, db_queue, django_capture_on_commit_callbacks
):
    """Issue 14: both task rows are written in the request's own transaction,
    one INSERT for the two; nothing is left to queue after the commit."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks() as callbacks:
        assert submit(client).status_code == 303
    request = ConsultationRequest.objects.get()
    inserts = [q["sql"] for q in queries.captured_queries if "django_tasks_database_dbtaskresult" in q["sql"]]
    assert len(inserts) == 1 and inserts[0].startswith("INSERT")
    rows = DBTaskResult.objects.order_by("task_path")
    assert [(row.task_path.rsplit(".", 1)[1], row.args_kwargs["args"]) for row in rows] == [
        ("auto_reply_send", ["consultation", request.pk]),
        ("staff_alert_send", ["consultation", request.pk]),
    ]
    assert callbacks == []  # nothing queued after the commit
    run_queue_once()
    assert sorted(m.to[0] for m in mail.outbox) == ["admissions@example.test", "maria@example.com"]


def test_when_the_task_rows_cannot_be_written_nothing_is_stored(client, db_queue, monkeypatch):
    """The rows commit with the request or not at all: the person gets the
    answers-kept page, never a thank-you for a request that owes nothing."""

    def bulk_create(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(DBTaskResult.objects, "bulk_create", bulk_create)
    client.raise_request_exception = False
    response = submit(client)
    assert response.status_code != 303
    assert not ConsultationRequest.objects.exists() and not DBTaskResult.objects.exists()


def test_enqueue_lost_after_commit_still_gets_one_alert_and_one_reply(
    client, db_queue, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    """A queue that is not the requests' database (e.g. another backend) is
    written after the commit, and that enqueue can be lost."""
    with monkeypatch.context() as patched:
        patched.setattr(notifications, "tasks_share_the_database", lambda: False)
        refuse_enqueue(patched)
        response = submit(client, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 303
    request = ConsultationRequest.objects.get()
    assert f"could not queue staff_alert_send for consultation {request.pk}" in caplog.text
    assert not DBTaskResult.objects.exists()

    # Too young: the enqueue may still be on its way.
    assert notifications.owed_notifications_enqueue() == []
    a_minute_passes(request)
    call_command("send_owed_alerts", verbosity=0)
    call_command("send_owed_alerts", verbosity=0)  # the next minute's run, or a second host
    assert DBTaskResult.objects.count() == 2
    run_queue_once()
    call_command("send_owed_alerts", verbosity=0)
    run_queue_once()

    assert sorted(m.to[0] for m in mail.outbox) == ["admissions@example.test", "maria@example.com"]
    request.refresh_from_db()
    assert request.staff_alert_sent_at is not None and request.auto_reply_sent_at is not None
    assert selectors.requests_with_late_alert() == []


def test_queued_or_waiting_tasks_are_not_queued_again(client, db_queue, django_capture_on_commit_callbacks):
    submit(client, capture=django_capture_on_commit_callbacks)
    request = ConsultationRequest.objects.get()
    a_minute_passes(request)
    assert DBTaskResult.objects.count() == 2
    assert notifications.owed_notifications_enqueue() == []
    assert selectors.requests_with_late_alert() == [("consultation", request.pk)]


def test_alert_that_failed_every_attempt_gets_a_fresh_series_an_hour_later(client, db_queue):
    submit(client)  # on-commit enqueue not run: queued by hand below
    request = ConsultationRequest.objects.get()
    a_minute_passes(request)
    for this_task in (notifications.staff_alert_send, notifications.auto_reply_send):
        this_task.enqueue("consultation", request.pk, notifications.MAX_ATTEMPTS)
    failed_at = timezone.now() - datetime.timedelta(minutes=30)
    DBTaskResult.objects.update(status="FAILED", finished_at=failed_at)
    assert notifications.owed_notifications_enqueue() == []  # mail may still be down

    DBTaskResult.objects.update(finished_at=failed_at - datetime.timedelta(hours=1))
    queued = notifications.owed_notifications_enqueue()
    assert sorted(queued) == [
        ("auto_reply_send", "consultation", request.pk),
        ("staff_alert_send", "consultation", request.pk),
    ]
    assert notifications.owed_notifications_enqueue() == []
    run_queue_once()
    assert len(mail.outbox) == 2


def test_nothing_owed_without_an_address(client, db_queue, django_capture_on_commit_callbacks):
    submit(client, data=consultation_data(email=""), capture=django_capture_on_commit_callbacks)
    run_queue_once()
    request = ConsultationRequest.objects.get()
    a_minute_passes(request)
    assert request.auto_reply_sent_at is None
    assert notifications.owed_notifications_enqueue() == []  # its task ran: nothing to send


def test_requests_older_than_two_days_are_not_chased(client, db_queue):
    submit(client)
    request = ConsultationRequest.objects.get()
    ConsultationRequest.objects.filter(pk=request.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=3)
    )
    assert notifications.owed_notifications_enqueue() == []
    assert selectors.requests_with_late_alert() == [("consultation", request.pk)]
