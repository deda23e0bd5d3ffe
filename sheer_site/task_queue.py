"""Whether a task's row commits with the data that owes it."""

from django.db import router


def commits_with_default_database(task) -> bool:
    """True when `task` goes to django-tasks-db on the default database: its
    row, written inside a transaction, is then committed or rolled back with
    that transaction, so the work it owes can never be lost after the commit."""
    from django.tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    backend = task_backends[task.backend]
    return isinstance(backend, DatabaseBackend) and router.db_for_write(DBTaskResult) == "default"
