"""Deploy checks (`manage.py check --deploy`): nothing may hold state in one
process, because any number of app servers answer the same visitor."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

PROCESS_LOCAL_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
    "django.core.cache.backends.filebased.FileBasedCache",
}
PROCESS_LOCAL_SESSIONS = {
    "django.contrib.sessions.backends.file",
}
INLINE_TASK_BACKENDS = {
    "django.tasks.backends.immediate.ImmediateBackend",
    "django.tasks.backends.dummy.DummyBackend",
}


@register(Tags.caches, Tags.security, deploy=True)
def shared_state_check(app_configs, **kwargs):
    problems = []
    cache_backend = settings.CACHES["default"]["BACKEND"]
    if cache_backend in PROCESS_LOCAL_CACHES:
        problems.append(
            Warning(
                f"The default cache ({cache_backend}) is not shared between app servers.",
                hint="Rate limits would count per process. Use dbcache:// or redis:// in CACHE_URL.",
                id="sheer_site.W001",
            )
        )
    session_engine = settings.SESSION_ENGINE
    if session_engine in PROCESS_LOCAL_SESSIONS or (
        session_engine == "django.contrib.sessions.backends.cache" and cache_backend in PROCESS_LOCAL_CACHES
    ):
        problems.append(
            Warning(
                f"Sessions ({session_engine}) live on one server only.",
                hint="Use the database session engine (Django's default).",
                id="sheer_site.W002",
            )
        )
    task_backend = settings.TASKS["default"]["BACKEND"]
    if task_backend in INLINE_TASK_BACKENDS:
        problems.append(
            Warning(
                f"Tasks run inside the web process ({task_backend}).",
                hint="Staff alerts need the database queue (django_tasks_db.DatabaseBackend) and "
                "`manage.py db_worker`, so a mail outage or a restart loses none.",
                id="sheer_site.W003",
            )
        )
    return problems
