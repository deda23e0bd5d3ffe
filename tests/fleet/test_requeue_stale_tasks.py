"""A task left RUNNING by a killed worker goes back to the queue; a live
worker's task does not."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from sheer_site.management.commands.requeue_stale_tasks import stale_tasks_requeue
from tests.held_open import held_open

pytestmark = pytest.mark.django_db


def task(status, *, workers=(), started_minutes_ago=None):
    started = (
        timezone.now() - datetime.timedelta(minutes=started_minutes_ago) if started_minutes_ago else None
    )
    return DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="x.y",
        backend_name="default",
        run_after=get_date_max(),
        worker_ids=list(workers),
        started_at=started,
    )


def status(result):
    result.refresh_from_db()
    return result.status


def test_restarting_worker_requeues_only_its_last_claims():
    mine = task(TaskResultStatus.RUNNING, workers=["host-1"], started_minutes_ago=1)
    other = task(TaskResultStatus.RUNNING, workers=["host-2"], started_minutes_ago=1)
    # Claimed by host-1 once, requeued, now run by host-2: not host-1's any more.
    moved = task(TaskResultStatus.RUNNING, workers=["host-1", "host-2"], started_minutes_ago=1)
    done = task(TaskResultStatus.SUCCESSFUL, workers=["host-1"], started_minutes_ago=1)

    assert stale_tasks_requeue(worker_id="host-1") == 1

    assert status(mine) == TaskResultStatus.READY
    assert (status(other), status(moved), status(done)) == (
        TaskResultStatus.RUNNING,
        TaskResultStatus.RUNNING,
        TaskResultStatus.SUCCESSFUL,
    )
    # Requeued work is picked up by the worker's normal query.
    assert list(DBTaskResult.objects.ready()) == [mine]


def test_timeout_requeues_only_old_running_tasks():
    old = task(TaskResultStatus.RUNNING, workers=["gone"], started_minutes_ago=30)
    fresh = task(TaskResultStatus.RUNNING, workers=["busy"], started_minutes_ago=2)
    failed = task(TaskResultStatus.FAILED, workers=["gone"], started_minutes_ago=30)

    call_command("requeue_stale_tasks", older_than=600, verbosity=0)

    assert (status(old), status(fresh), status(failed)) == (
        TaskResultStatus.READY,
        TaskResultStatus.RUNNING,
        TaskResultStatus.FAILED,
    )


def test_command_refuses_to_guess():
    with pytest.raises(CommandError):
        call_command("requeue_stale_tasks")
    with pytest.raises(CommandError, match="60 s"):
        call_command("requeue_stale_tasks", older_than=5)


@pytest.mark.django_db(transaction=True)
def test_two_workers_reconnecting_at_once_each_requeue_their_own_task():
    """Both workers come back from a database restart at the same moment. While
    one holds its requeue transaction open, the other still finds its own task:
    each locks only its own claims. (Each used to lock every RUNNING row and
    skip locked ones, and the drill found a task left RUNNING for ever.)"""
    first = task(TaskResultStatus.RUNNING, workers=["host-1"], started_minutes_ago=1)
    second = task(TaskResultStatus.RUNNING, workers=["host-2"], started_minutes_ago=1)
    with held_open(lambda: stale_tasks_requeue(worker_id="host-1")) as counted:
        assert stale_tasks_requeue(worker_id="host-2") == 1
    assert counted == [1]
    assert (status(first), status(second)) == (TaskResultStatus.READY, TaskResultStatus.READY)
