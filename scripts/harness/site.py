"""The site as production runs it, on 127.0.0.1: production settings (DEBUG
off, collectstatic's hashed names served by whitenoise or nginx), gunicorn as
deploy/systemd runs it, and the task worker as sheer-worker@.service runs it.

Two shapes of environment, one preparation:

- fleet_env: behind nginx (deploy/nginx), or a client that talks to gunicorn as
  nginx does (X-Forwarded-Proto: https); the test-only keys, so a kept
  database stays readable; mail to the local SMTP sink (harness.mail).
- direct_env: gunicorn serves plain HTTP itself (benchmarks, Lighthouse): no
  redirect to https, no HSTS, fresh keys, nothing mailed.

prepare(env) migrates, creates the cache table, loads the demo content and
collects static files when they are older than the sources.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import tempfile
from pathlib import Path

from . import MANAGE, PYTHON, ROOT
from .client import http_status
from .process import Group, Proc, free_port_or_fail, wait_for

# Shared by every run: collectstatic only runs again when a source is newer.
STATIC_ROOT = Path(tempfile.gettempdir()) / "sheer_h8_static"

# Test-only keys (the same as sheer_site/settings/test.py): never real data.
TEST_PHI_KEYS = "test1:dGVzdC1vbmx5LWtleS1mb3ItdGhlLXN1aXRlLW9ubHk"
TEST_LOOKUP_KEY = "dGVzdC1vbmx5LWxvb2t1cC1rZXktZm9yLXRlc3RzISE"
ALERT_INBOX = "admissions-alerts@sheer.test"
SINK_PORT = 8825


def _production_env(database_url: str, site_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "GUNICORN_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="sheer_site.settings.production",
        DJANGO_SECRET_KEY="fleet-" + secrets.token_urlsafe(48),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL=site_url,
        DATABASE_URL=database_url,
        DJANGO_STATIC_ROOT=str(STATIC_ROOT),
        DJANGO_LOG_LEVEL="WARNING",
        ADMISSIONS_ALERT_EMAIL=ALERT_INBOX,
        # Scripts post from one address as fast as they can: the per-address
        # limit and the fill-time check would count them as spam.
        ADMISSIONS_RATE_LIMIT="0",
        ADMISSIONS_MIN_FILL_SECONDS="0",
        DJANGO_TASKS_BACKEND="django_tasks_db.DatabaseBackend",
    )
    return env


def fleet_env(database_url: str, **extra) -> dict:
    """As the systemd units run it behind nginx; `extra` overrides (e.g. EMAIL_PORT)."""
    env = _production_env(database_url, "https://127.0.0.1")
    env.update(
        PHI_ENCRYPTION_KEYS=TEST_PHI_KEYS,
        PHI_LOOKUP_KEY=TEST_LOOKUP_KEY,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(SINK_PORT),
        EMAIL_USE_TLS="False",
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def fresh_phi_key() -> str:
    """A new key in the form PHI_ENCRYPTION_KEYS expects, made by the app itself."""
    return subprocess.run(
        [PYTHON, "-c", "from admissions.phi.crypto import generate_key; print(generate_key())"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def direct_env(database_url: str, port: int, work: Path, **extra) -> dict:
    """gunicorn on plain http://127.0.0.1:port; media files under `work`."""
    env = _production_env(database_url, f"http://127.0.0.1:{port}")
    env.update(
        PHI_ENCRYPTION_KEYS=f"bench:{fresh_phi_key()}",
        PHI_LOOKUP_KEY=secrets.token_urlsafe(32),
        DJANGO_MEDIA_ROOT=str(work / "media"),
        DJANGO_PRIVATE_MEDIA_ROOT=str(work / "private"),
        # Plain HTTP on the loopback: no redirect to https, no HSTS.
        DJANGO_SECURE_SSL_REDIRECT="False",
        DJANGO_SECURE_HSTS_SECONDS="0",
        DJANGO_SECURE_HSTS_PRELOAD="False",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([PYTHON, MANAGE, *args], env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        output = (result.stdout + result.stderr)[-3000:]
        raise RuntimeError(f"manage.py {' '.join(args)} exited {result.returncode}:\n{output}")
    return result


def setup_database(env: dict) -> None:
    """Migrated, with the cache table and the demo content (programs, pages, consents)."""
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "createcachetable")
    manage(env, "load_demo_content")


def collect_static(env: dict) -> None:
    """Production serves hashed static names from collectstatic's manifest."""
    static_root = Path(env["DJANGO_STATIC_ROOT"])
    manifest = static_root / "staticfiles.json"
    sources = [ROOT / "static", *ROOT.glob("*/static")]
    newest = max((f.stat().st_mtime for d in sources for f in d.rglob("*") if f.is_file()), default=0)
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        manage(env, "collectstatic", "--noinput", "-v0")


def compile_messages() -> None:
    """The Spanish pages need the catalogue's .mo (built, not committed)."""
    subprocess.run(["bash", str(ROOT / "scripts" / "compile_messages.sh")], check=True)


def prepare(env: dict) -> None:
    compile_messages()
    setup_database(env)
    collect_static(env)


def gunicorn(group: Group, env: dict, port: int, *, workers: int = 2, threads: int = 4, args=()) -> Proc:
    """gunicorn -c gunicorn.conf.py on 127.0.0.1:port (extra `args` after), once /healthz answers."""
    free_port_or_fail(port)
    env = {
        **env,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_THREADS": str(threads),
    }
    # No control socket: its default path is shared by every gunicorn on the machine.
    command = [str(ROOT / ".venv/bin/gunicorn"), "-c", "gunicorn.conf.py", "--no-control-socket", *args]
    proc = group.start(f"gunicorn-{port}", command, env=env)
    wait_for(lambda: http_status(port, "/healthz") == 200, timeout=30, what=f"gunicorn on {port}", proc=proc)
    return proc


def serve_fleet(
    group: Group, url: str, port: int, *, workers: int, threads: int, **extra
) -> tuple[dict, Proc]:
    """The usual start of a fault script: fleet_env(url, **extra) prepared, gunicorn on port."""
    env = fleet_env(url, **extra)
    prepare(env)
    return env, gunicorn(group, env, port, workers=workers, threads=threads)


def worker(group: Group, env: dict, worker_id: str | None = None, *, interval: float = 0.2) -> Proc:
    """manage.py task_worker (db_worker that waits out a database restart) on
    every queue. With an id, as sheer-worker@.service runs it: this id's
    orphaned tasks are requeued first."""
    identity = []
    if worker_id is not None:
        manage(env, "requeue_stale_tasks", "--worker-id", worker_id)
        identity = ["--worker-id", worker_id]
    return group.start(
        f"worker-{worker_id or len(group.procs)}",
        [PYTHON, MANAGE, "task_worker", "--queue-name", "*", *identity, "--interval", str(interval),
         "--no-startup-delay", "--no-reload", "-v", "2"],
        env=env,
    )  # fmt: skip
