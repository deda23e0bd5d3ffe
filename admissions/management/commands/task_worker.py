"""`db_worker` that survives a database restart or outage.

django_tasks_db's worker lets "connection refused" escape its loop and exits,
and a task it was running when the connection went stays RUNNING. This one
catches connection-level errors (OperationalError, InterfaceError) around each
poll, closes the connection, waits with bounded exponential backoff (1 s
doubling to 30 s), logs once when the outage starts and once when it ends, and
on reconnecting returns the task it was working on (any task still RUNNING
under its own worker id) to READY. Our tasks are safe to run twice (each mail
is sent at most once). Options are db_worker's.
"""

import contextlib
import logging
import time

from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django_tasks_db.management.commands import db_worker

from sheer_site.management.commands.requeue_stale_tasks import stale_tasks_requeue

logger = logging.getLogger("django_tasks_db")

DATABASE_DOWN = (OperationalError, InterfaceError)
BACKOFF_FIRST = 1.0
BACKOFF_MAX = 30.0


def own_tasks_requeue(worker_id: str) -> int:
    """Tasks RUNNING under this worker id go back to READY: this process is
    the only one with the id, and it is not running any of them now."""
    return stale_tasks_requeue(worker_id=worker_id)


def _close_quietly() -> None:
    with contextlib.suppress(Exception):  # the connection is already gone
        connection.close()


class Worker(db_worker.Worker):
    sleep = staticmethod(time.sleep)  # tests replace it

    def run(self) -> None:
        while self.running:
            try:
                super().run()
                return
            except DATABASE_DOWN as exc:
                self.startup_delay = False
                self.running_task = False
                self.wait_for_database(exc)

    def wait_for_database(self, exc) -> None:
        started = time.monotonic()
        logger.warning(
            "database unavailable (%s); worker %s waits and reconnects", type(exc).__name__, self.worker_id
        )
        delay = BACKOFF_FIRST
        while self.running:
            _close_quietly()
            self.sleep(delay)
            try:
                close_old_connections()
                connection.ensure_connection()
                requeued = own_tasks_requeue(self.worker_id)
            except DATABASE_DOWN:
                delay = min(delay * 2, BACKOFF_MAX)
                continue
            logger.warning(
                "database back after %.0f s; worker %s carries on (%d task(s) it was running requeued)",
                time.monotonic() - started,
                self.worker_id,
                requeued,
            )
            return


class Command(db_worker.Command):
    help = "Run the task worker (db_worker that waits out a database restart or outage)."

    def handle(self, **options):
        original = db_worker.Worker
        db_worker.Worker = Worker  # the parent's handle() builds db_worker.Worker
        try:
            super().handle(**options)
        finally:
            db_worker.Worker = original
