"""`check --deploy` warns about anything that would keep state in one process."""

from django.core.checks import run_checks
from django.test import override_settings

from sheer_site.checks import shared_state_check


def ids(**overrides):
    with override_settings(**overrides):
        return sorted(message.id for message in shared_state_check(None))


DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DB_CACHE = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "t"}}
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def test_fleet_shape_passes():
    assert ids(CACHES=DB_CACHE, TASKS=DB_TASKS) == []
    redis = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}}
    assert ids(CACHES=redis, TASKS=DB_TASKS) == []


def test_process_local_cache_warns():
    assert ids(CACHES=LOCMEM, TASKS=DB_TASKS) == ["sheer_site.W001"]


def test_cache_sessions_on_local_cache_warn():
    assert ids(CACHES=LOCMEM, TASKS=DB_TASKS, SESSION_ENGINE="django.contrib.sessions.backends.cache") == [
        "sheer_site.W001",
        "sheer_site.W002",
    ]
    assert ids(CACHES=DB_CACHE, TASKS=DB_TASKS, SESSION_ENGINE="django.contrib.sessions.backends.file") == [
        "sheer_site.W002"
    ]


def test_inline_tasks_warn():
    immediate = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    assert ids(CACHES=DB_CACHE, TASKS=immediate) == ["sheer_site.W003"]


def test_check_is_registered_for_deploy_only():
    with override_settings(CACHES=LOCMEM):
        assert "sheer_site.W001" not in [m.id for m in run_checks(include_deployment_checks=False)]
        assert "sheer_site.W001" in [m.id for m in run_checks(include_deployment_checks=True)]
