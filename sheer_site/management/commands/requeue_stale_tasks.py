"""Put tasks whose worker died back in the queue.

django_tasks_db marks a task RUNNING when a worker claims it and commits that
at once; a worker killed with SIGKILL (OOM killer, host loss) leaves it RUNNING
for ever, and no other worker will pick it up. This command returns such tasks
to READY so the next free worker runs them again. Our tasks are written to be
run twice safely (a staff alert records when it was sent and is skipped once
sent).

Two ways to know a worker is dead:
  --worker-id ID   the worker with this id is starting, so the previous process
                   with that id is gone (systemd runs each id once: ExecStartPre
                   in deploy/systemd/sheer-worker@.service);
  --older-than S   a task has been RUNNING longer than any task may take (the
                   timer in deploy/systemd/sheer-tasks-requeue.timer), for a
                   worker that never comes back.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult


def stale_tasks_requeue(*, worker_id: str = "", older_than: datetime.timedelta | None = None) -> int:
    """Return RUNNING tasks last claimed by worker_id, or started before now -
    older_than, to READY. Returns how many were requeued."""
    if not worker_id and older_than is None:
        raise ValueError("say which tasks are stale: worker_id or older_than")
    cutoff = timezone.now() - older_than if older_than is not None else None
    candidates = Q()
    if worker_id:
        candidates |= Q(worker_ids__contains=[worker_id])
    if cutoff is not None:
        candidates |= Q(started_at__lt=cutoff)
    requeued = 0
    with transaction.atomic():
        # Lock only the candidates, in id order, and wait for them rather than
        # skip them: when two workers reconnected at once after a database
        # restart, each used to lock every RUNNING row, so one skipped its own
        # task and left it RUNNING for ever. After the wait PostgreSQL checks
        # the row again, so a task another run requeued meanwhile is not here.
        running = DBTaskResult.objects.running().filter(candidates).select_for_update().order_by("pk")
        for task in running.only("id", "worker_ids", "started_at"):
            claimed_by = task.worker_ids[-1] if task.worker_ids else ""
            stale = (worker_id and claimed_by == worker_id) or (
                cutoff is not None and task.started_at is not None and task.started_at < cutoff
            )
            if stale:
                requeued += DBTaskResult.objects.filter(pk=task.pk, status=TaskResultStatus.RUNNING).update(
                    status=TaskResultStatus.READY
                )
    return requeued


class Command(BaseCommand):
    help = "Return tasks left RUNNING by a dead worker to the queue."

    def add_arguments(self, parser):
        parser.add_argument(
            "--worker-id", default="", help="Requeue tasks claimed by this (restarting) worker."
        )
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            metavar="SECONDS",
            help="Requeue tasks RUNNING for longer than this (longer than any task may take).",
        )

    def handle(self, *, worker_id, older_than, verbosity, **options):
        if not worker_id and older_than is None:
            raise CommandError("Give --worker-id or --older-than.")
        if older_than is not None and older_than < 60:
            raise CommandError("--older-than below 60 s could requeue a task that is still running.")
        count = stale_tasks_requeue(
            worker_id=worker_id,
            older_than=datetime.timedelta(seconds=older_than) if older_than is not None else None,
        )
        if verbosity:
            self.stdout.write(f"requeued {count} task(s)")
