"""PostgreSQL restarted under a running task worker: the worker waits,
reconnects and carries on; it logs the outage once. On a scratch cluster of
its own (initdb on a free port), never the shared server."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PG_BINS = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))

pytestmark = pytest.mark.skipif(not PG_BINS, reason="PostgreSQL server binaries not installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ScratchCluster:
    def __init__(self):
        self.bin = PG_BINS[-1].parent
        self.port = free_port()
        self.work = Path(tempfile.mkdtemp(prefix="sheer_i16_pg_"))
        self.data = self.work / "pgdata"
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.work, "postgres")
        subprocess.run(
            [
                *self.as_postgres,
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "-A",
                "trust",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        conf = (
            f"port = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.work}'\n"
        )
        subprocess.run(
            [*self.as_postgres, "sh", "-c", f"printf '%s' \"{conf}\" >> {self.data}/postgresql.conf"],
            check=True,
        )

    def ctl(self, *args):
        log = str(self.work / "postgres.log")
        subprocess.run(
            [*self.as_postgres, str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", log, "-w", *args],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def close(self):
        subprocess.run(
            [*self.as_postgres, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(self.work, ignore_errors=True)


@pytest.fixture
def cluster():
    scratch = ScratchCluster()
    try:
        scratch.ctl("start")
        yield scratch
    finally:
        scratch.close()


def manage(env, *args, **kwargs):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        **kwargs,
    )


ENQUEUE = (
    "from admissions.intake.notifications import staff_alert_send; "
    "print(staff_alert_send.enqueue('consultation', {n}).id)"
)
STATUS = "from django_tasks_db.models import DBTaskResult; print(DBTaskResult.objects.get(pk='{id}').status)"


def wait_until_successful(env, task_id, timeout=60.0):
    deadline = time.monotonic() + timeout
    status = ""
    while time.monotonic() < deadline:
        status = manage(env, "shell", "-c", STATUS.format(id=task_id)).stdout.strip().splitlines()[-1]
        if status == "SUCCESSFUL":
            return
        time.sleep(0.5)
    pytest.fail(f"task {task_id} is {status}, not SUCCESSFUL")


def test_worker_carries_on_after_postgresql_restarts(cluster, tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sheer_site.settings.test",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{cluster.port}/postgres",
        "DJANGO_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
    }
    manage(env, "migrate", "--no-input", "-v", "0")
    log = tmp_path / "worker.log"
    with open(log, "w") as out:
        worker = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "task_worker",
                "--queue-name",
                "*",
                "--worker-id",
                "i16-test",
                "--interval",
                "0.2",
                "--no-reload",
                "--no-startup-delay",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        first = manage(env, "shell", "-c", ENQUEUE.format(n=900001)).stdout.strip().splitlines()[-1]
        wait_until_successful(env, first)  # a purged request: the task returns "gone"

        cluster.ctl("-m", "fast", "restart")
        time.sleep(2)  # the worker meets the outage and backs off
        second = manage(env, "shell", "-c", ENQUEUE.format(n=900002)).stdout.strip().splitlines()[-1]
        wait_until_successful(env, second)

        cluster.ctl("-m", "fast", "stop")
        time.sleep(3)
        assert worker.poll() is None, log.read_text()  # still there, waiting
        cluster.ctl("start")
        third = manage(env, "shell", "-c", ENQUEUE.format(n=900003)).stdout.strip().splitlines()[-1]
        wait_until_successful(env, third)
        assert worker.poll() is None, log.read_text()
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    text = log.read_text()
    # Once per outage, not once per retry. A restart between two polls may be
    # absorbed by the connection health check; the three-second stop never is.
    outages = text.count("database unavailable")
    assert outages in (1, 2) and text.count("database back after") == outages, text
    assert "Traceback" not in text, text
