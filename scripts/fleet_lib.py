"""Start and stop the real pieces of the fleet on 127.0.0.1, for the fault,
load and growth scripts (scripts/fault_*.py, load_fleet.py, growth_bench.py)
and the fast fault tests (tests/fleet/).

Everything listens on 127.0.0.1, is started in its own process group and is
stopped by `Stack.close()` (the scripts call it from `finally` and on SIGTERM),
so nothing outlives a run. Ports 8801-8899 belong to these scripts.

Also runnable: `python scripts/fleet_lib.py smtp-sink --port P --mbox FILE
[--delay S]` is the mail server the fault scripts start and stop.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
MANAGE = str(ROOT / "manage.py")


def _pg_bin() -> Path:
    """PG_BIN, else the newest /usr/lib/postgresql/*/bin (scripts/ensure-postgres.sh installs one)."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else Path("/usr/lib/postgresql/15/bin")


PG_BIN = _pg_bin()
# The PostgreSQL server for scratch databases (sheer_h8_*): FLEET_PG_SERVER, else
# the server of DATABASE_URL (make test's), else the machine's on 5432.
SHARED_SERVER = os.environ.get("FLEET_PG_SERVER") or (
    os.environ["DATABASE_URL"].split("?")[0].rsplit("/", 1)[0]
    if os.environ.get("DATABASE_URL", "").startswith("postgres")
    else "postgres://postgres@127.0.0.1:5432"
)
STATIC_ROOT = Path(tempfile.gettempdir()) / "sheer_h8_static"

# Test-only keys (the same as sheer_site/settings/test.py): never real data.
TEST_PHI_KEYS = "test1:dGVzdC1vbmx5LWtleS1mb3ItdGhlLXN1aXRlLW9ubHk"
TEST_LOOKUP_KEY = "dGVzdC1vbmx5LWxvb2t1cC1rZXktZm9yLXRlc3RzISE"
ALERT_INBOX = "admissions-alerts@sheer.test"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port_or_fail(port: int) -> int:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            raise SystemExit(f"port {port} is in use: stop what holds it or pick another") from exc
    return port


def wait_for(check, *, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            result = check()
            if result:
                return result
        time.sleep(interval)
    raise TimeoutError(f"{what} not ready after {timeout:.0f}s")


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


# --------------------------------------------------------------------------- processes


class Proc:
    """A child in its own process group, its output in a log file."""

    def __init__(self, name: str, args: list[str], *, env=None, log_dir: Path, user: str | None = None):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        if user is not None and os.geteuid() == 0:
            args = ["runuser", "-u", user, "--", *args]
        self._log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop)
        self.popen = subprocess.Popen(
            args,
            env=env,
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def signal(self, sig) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)

    def stop(self, timeout: float = 10.0) -> None:
        if self.alive():
            self.signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.signal(signal.SIGKILL)
                self.popen.wait(5)
        self._log.close()

    def kill(self) -> None:
        """SIGKILL the whole group: no chance to clean up, as in an OOM kill."""
        self.signal(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(5)

    def tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""


class PostgresCluster:
    """A PostgreSQL server of our own (initdb in a temp dir, its own port):
    the restart test never touches the shared server other work depends on."""

    def __init__(self, port: int):
        self.port = free_port_or_fail(port)
        # Its own temp dir: the server runs as postgres, which cannot enter root's.
        work = Path(tempfile.mkdtemp(prefix="sheer_h8_pg_"))
        self.work = work
        self.dir = work / "pgdata"
        self.logfile = work / "postgres.log"
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(work, "postgres")
        subprocess.run(
            [*self.as_postgres, str(PG_BIN / "initdb"), "-D", str(self.dir), "-U", "postgres", "-A", "trust"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        with open(self.dir / "postgresql.conf", "a") as conf:
            conf.write(
                f"port = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{work}'\n"
                "max_connections = 100\nfsync = on\nshared_buffers = 64MB\n"
            )
        if self.as_postgres:
            subprocess.run(["chown", "postgres", str(self.dir / "postgresql.conf")], check=True)

    @property
    def server_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}"

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.as_postgres, str(PG_BIN / "pg_ctl"), "-D", str(self.dir), "-l", str(self.logfile), *args],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start(self) -> None:
        self._ctl("-w", "-t", "30", "start")

    def stop(self, mode: str = "fast") -> None:
        self._ctl("-w", "-t", "30", "-m", mode, "stop")

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.stop("immediate")
        shutil.rmtree(self.work, ignore_errors=True)


def psql(url: str, sql: str) -> str:
    return subprocess.run(
        ["psql", "-X", "-Atq", url, "-c", sql], check=True, capture_output=True, text=True
    ).stdout.strip()


def django_env(database_url: str, **extra) -> dict:
    """Production settings, as the systemd units run them, on 127.0.0.1."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "GUNICORN_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="sheer_site.settings.production",
        DJANGO_SECRET_KEY="fleet-" + secrets.token_urlsafe(48),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL="https://127.0.0.1",
        DATABASE_URL=database_url,
        PHI_ENCRYPTION_KEYS=TEST_PHI_KEYS,
        PHI_LOOKUP_KEY=TEST_LOOKUP_KEY,
        DJANGO_STATIC_ROOT=str(STATIC_ROOT),
        DJANGO_LOG_LEVEL="WARNING",
        ADMISSIONS_ALERT_EMAIL=ALERT_INBOX,
        # Scripts post from one address as fast as they can: the per-address
        # limit and the fill-time check would count them as spam.
        ADMISSIONS_RATE_LIMIT="0",
        ADMISSIONS_MIN_FILL_SECONDS="0",
        DJANGO_TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT="8825",
        EMAIL_USE_TLS="False",
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def manage(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, MANAGE, *args], env=env, cwd=ROOT, check=check, capture_output=True, text=True
    )


def database_prepare(server_url: str, name: str) -> str:
    """A fresh, migrated database with the demo content; returns its URL."""
    psql(f"{server_url}/postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(f"{server_url}/postgres", f'CREATE DATABASE "{name}"')
    url = f"{server_url}/{name}"
    env = django_env(url)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "createcachetable")
    manage(env, "load_demo_content")
    return url


def database_drop(server_url: str, name: str) -> None:
    with contextlib.suppress(Exception):
        psql(f"{server_url}/postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def static_files_ready(env: dict) -> None:
    """Production serves hashed static names from collectstatic's manifest."""
    manifest = STATIC_ROOT / "staticfiles.json"
    sources = [ROOT / "static", *ROOT.glob("*/static")]
    newest = max((f.stat().st_mtime for d in sources for f in d.rglob("*") if f.is_file()), default=0)
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        manage(env, "collectstatic", "--noinput", "-v0")


class Stack:
    """Everything one run started, stopped in reverse order by close()."""

    def __init__(self, name: str):
        self.work = Path(tempfile.mkdtemp(prefix=f"sheer_h8_{name}_"))
        self.procs: list[Proc] = []
        self.closers: list = []
        self._closed = False
        self._previous_handlers = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGHUP)
        }

    def _on_signal(self, signum, frame):
        self.close()
        raise SystemExit(128 + signum)

    def on_close(self, func) -> None:
        self.closers.append(func)

    def start(self, name: str, args: list[str], **kwargs) -> Proc:
        proc = Proc(name, args, log_dir=self.work, **kwargs)
        self.procs.append(proc)
        return proc

    def gunicorn(self, env: dict, port: int, *, workers: int = 2, threads: int = 4, name=None) -> Proc:
        free_port_or_fail(port)
        env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
        env.setdefault("GUNICORN_WORKERS", str(workers))
        env.setdefault("GUNICORN_THREADS", str(threads))
        proc = self.start(
            name or f"gunicorn-{port}", [str(ROOT / ".venv/bin/gunicorn"), "-c", "gunicorn.conf.py"], env=env
        )
        wait_for(lambda: http_status(port, "/healthz") == 200, timeout=30, what=f"gunicorn on {port}")
        return proc

    def worker(self, env: dict, worker_id: str) -> Proc:
        # What sheer-worker@.service does: requeue this id's orphans, then run.
        manage(env, "requeue_stale_tasks", "--worker-id", worker_id)
        return self.start(
            f"worker-{worker_id}",
            [PYTHON, MANAGE, "db_worker", "--queue-name", "*", "--worker-id", worker_id,
             "--interval", "0.2", "--no-startup-delay", "--no-reload", "-v", "2"],
            env=env,
        )  # fmt: skip

    def smtp_sink(self, port: int, mbox: Path, *, delay: float = 0.0) -> Proc:
        free_port_or_fail(port)
        proc = self.start(
            f"smtp-{port}",
            [PYTHON, __file__, "smtp-sink", "--port", str(port), "--mbox", str(mbox), "--delay", str(delay)],
        )
        wait_for(lambda: port_open(port), timeout=10, what="smtp sink")
        return proc

    def nginx(self, upstream_ports: list[int], *, https_port: int = 8843, http_port: int = 8880) -> Proc:
        """deploy/nginx/sheer-recovery.conf itself, with only its host paths,
        ports and certificate swapped for local ones (each swap must match, so
        the file tested is the file deployed)."""
        for port in (https_port, http_port):
            free_port_or_fail(port)
        nginx_dir = self.work / "nginx"
        for sub in ("cache", "tmp", "outage", "public", "acme"):
            (nginx_dir / sub).mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", str(nginx_dir / "key.pem"),
             "-out", str(nginx_dir / "cert.pem")],
            check=True, capture_output=True,
        )  # fmt: skip
        site = (ROOT / "deploy/nginx/sheer-recovery.conf").read_text()
        upstreams = "".join(
            f"    server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;\n" for p in upstream_ports
        )
        swaps = [
            ("    server 127.0.0.1:8000 max_fails=3 fail_timeout=10s;\n    server 127.0.0.1:8001 max_fails=3 fail_timeout=10s;\n", upstreams),
            ("    listen 443 ssl http2;\n", f"    listen 127.0.0.1:{https_port} ssl http2;\n"),
            ("    listen [::]:443 ssl http2;\n", ""),
            ("    listen 80;\n", f"    listen 127.0.0.1:{http_port};\n"),
            ("    listen [::]:80;\n", ""),
            ("    server_name www.sheerrecovery.com;\n", "    server_name www.sheerrecovery.com 127.0.0.1;\n"),
            ("/etc/letsencrypt/live/www.sheerrecovery.com/fullchain.pem", str(nginx_dir / "cert.pem")),
            ("/etc/letsencrypt/live/www.sheerrecovery.com/privkey.pem", str(nginx_dir / "key.pem")),
            ("    ssl_stapling on;\n    ssl_stapling_verify on;\n", ""),
            ("/var/cache/nginx/sheer", str(nginx_dir / "cache")),
            ("/srv/sheer/staticfiles/", f"{STATIC_ROOT}/"),
            ("/srv/sheer/outage", str(nginx_dir / "outage")),
            ("/srv/sheer/public", str(nginx_dir / "public")),
            ("/var/www/acme", str(nginx_dir / "acme")),
            ("/etc/nginx/snippets/sheer-proxy.conf", str(ROOT / "deploy/nginx/sheer-proxy.conf")),
        ]  # fmt: skip
        for old, new in swaps:
            if old not in site:
                raise RuntimeError(f"deploy/nginx/sheer-recovery.conf changed: {old.strip()!r} not found")
            site = site.replace(old, new)
        (nginx_dir / "site.conf").write_text(site)
        tmp = nginx_dir / "tmp"
        main_conf = f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
pid {nginx_dir}/nginx.pid;
error_log {nginx_dir}/error.log warn;
events {{ worker_connections 2048; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    log_format timed '$status $request_method $uri $request_time $upstream_cache_status';
    access_log {nginx_dir}/access.log timed;
    client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
    sendfile on;
    keepalive_timeout 65;
    gzip on;
    include {nginx_dir}/site.conf;
}}
"""
        (nginx_dir / "nginx.conf").write_text(main_conf)
        check = subprocess.run(
            ["nginx", "-t", "-q", "-p", str(nginx_dir), "-c", str(nginx_dir / "nginx.conf")],
            capture_output=True, text=True,
        )  # fmt: skip
        if check.returncode != 0:
            raise RuntimeError(f"nginx -t failed: {check.stderr}")
        proc = self.start(
            "nginx", ["nginx", "-p", str(nginx_dir), "-c", str(nginx_dir / "nginx.conf"), "-g", "daemon off;"]
        )
        wait_for(lambda: port_open(https_port), timeout=10, what="nginx")
        self.nginx_dir = nginx_dir
        return proc

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for sig, handler in self._previous_handlers.items():
            signal.signal(sig, handler)
        for proc in reversed(self.procs):
            with contextlib.suppress(Exception):
                proc.stop()
        for func in reversed(self.closers):
            with contextlib.suppress(Exception):
                func()
        if not os.environ.get("FLEET_KEEP_WORK"):
            shutil.rmtree(self.work, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# --------------------------------------------------------------------------- HTTP as a person's browser


def http_status(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path, headers={"X-Forwarded-Proto": "https"})
        return conn.getresponse().status
    finally:
        conn.close()


def https_get(port: int, path: str, headers=None):
    """GET through the local nginx (its throwaway certificate is not checked)."""
    import ssl

    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


HIDDEN_INPUT = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def hidden_inputs(page: str) -> list[tuple[str, str]]:
    return [(html.unescape(n), html.unescape(v)) for n, v in HIDDEN_INPUT.findall(page)]


class Browser:
    """One person: cookies, the CSRF token, a form and its one-time token.

    Talks to gunicorn directly as nginx would (X-Forwarded-Proto: https from a
    trusted address), so production settings (secure cookies) apply.
    """

    def __init__(self, port: int, timeout: float = 35.0):
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            all_headers = {
                "X-Forwarded-Proto": "https",
                "Host": "127.0.0.1",
                "Origin": "https://127.0.0.1",
                "Referer": f"https://127.0.0.1{path}",
            }
            if self.cookies:
                all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            all_headers.update(headers or {})
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            data = response.read()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, dict((k.lower(), v) for k, v in response.getheaders()), data
        finally:
            conn.close()

    def form(self, path: str) -> list[tuple[str, str]]:
        status, _, body = self.request("GET", path)
        if status != 200:
            raise FormUnavailable(status)
        return hidden_inputs(body.decode())

    def post(self, path: str, fields: list[tuple[str, str]]):
        csrf = self.cookies.get("__Host-csrftoken") or self.cookies.get("csrftoken", "")
        fields = [(k, v) for k, v in fields if k != "csrfmiddlewaretoken"] + [("csrfmiddlewaretoken", csrf)]
        return self.request(
            "POST",
            path,
            urlencode(fields).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )


class FormUnavailable(Exception):
    pass


CONSULTATION = "/admissions/consultation/"
CONSULTATION_THANKS = "/admissions/thank-you/consultation/"


def consultation_answers(marker: str) -> list[tuple[str, str]]:
    """A person's answers; `marker` (unencrypted first name) finds the row later."""
    return [
        ("first_name", marker),
        ("last_name", "Fleet"),
        ("phone", ""),
        ("email", f"{marker.lower()}@example.com"),
        ("best_time_to_call", "any"),
        ("who_needs_help", "self"),
        ("caller_relation", ""),
        ("level_of_care", ""),
        ("message", "Fleet test request."),
        ("heard_about", "search"),
        ("contact_consent", "on"),
        ("website", ""),
    ]


def is_answers_kept_page(status: int, body: bytes, marker: str) -> bool:
    """503 with the person's answers (their marker in a hidden input), a
    send-again button and a phone number to call."""
    text = body.decode(errors="replace")
    return (
        status == 503
        and f'name="first_name" value="{marker}"' in text
        and "Send again" in text
        and 'href="tel:' in text
    )


def submit_consultation(browser: Browser, marker: str, *, resend_tries: int = 0, log_kept=None) -> dict:
    """GET the form, POST the answers; on the answers-kept page press "Send
    again" up to resend_tries times, a second apart, as a person would.

    Returns {"outcome": stored|kept|form_unavailable|bad_error, "resends": n}.
    """
    try:
        hidden = browser.form(CONSULTATION)
    except (FormUnavailable, OSError, http.client.HTTPException) as exc:
        return {"outcome": "form_unavailable", "detail": repr(exc), "resends": 0}
    fields = [(k, v) for k, v in hidden if k not in {"csrfmiddlewaretoken"}] + consultation_answers(marker)
    resends = 0
    while True:
        try:
            status, headers, body = browser.post(CONSULTATION, fields)
        except (OSError, http.client.HTTPException) as exc:
            return {"outcome": "bad_error", "detail": repr(exc), "resends": resends}
        if status == 303 and headers.get("location") == CONSULTATION_THANKS:
            return {"outcome": "stored", "resends": resends}
        if not is_answers_kept_page(status, body, marker):
            return {"outcome": "bad_error", "detail": f"HTTP {status}", "resends": resends}
        if log_kept:
            log_kept(marker)
        if resends >= resend_tries:
            return {"outcome": "kept", "resends": resends}
        resends += 1
        time.sleep(1.0)
        fields = hidden_inputs(body.decode())  # the page's own "Send again" form


def stored_markers(database_url: str, prefix: str) -> dict[str, int]:
    """Rows per marker (first name) whose marker starts with prefix."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT first_name, count(*) FROM admissions_consultationrequest "
            "WHERE first_name LIKE %s GROUP BY first_name",
            [prefix + "%"],
        ).fetchall()
    return dict(rows)


def stored_insurance(database_url: str, prefix: str) -> dict[str, int]:
    """Insurance-verification rows per marker (patient first name)."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT first_name, count(*) FROM admissions_insuranceverification "
            "WHERE first_name LIKE %s GROUP BY first_name",
            [prefix + "%"],
        ).fetchall()
    return dict(rows)


def run_id() -> str:
    return "F" + uuid.uuid4().hex[:6]


# --------------------------------------------------------------------------- mail sink


def mail_received(mbox: Path) -> list[tuple[str, str]]:
    """(subject, to) of every message the sink accepted."""
    import mailbox

    if not mbox.exists():
        return []
    return [(str(m["subject"]), str(m["to"])) for m in mailbox.mbox(str(mbox))]


def mail_tally(database_url: str, prefix: str, mbox: Path) -> dict:
    """Per stored request: how many staff alerts (subject names the lead) and
    auto-replies (sent to the person's address) arrived; and the queue's state."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        requests = conn.execute(
            "SELECT id, lead_id, first_name, staff_alert_sent_at IS NOT NULL, auto_reply_sent_at IS NOT NULL "
            "FROM admissions_consultationrequest WHERE first_name LIKE %s",
            [prefix + "%"],
        ).fetchall()
        tasks = dict(
            conn.execute("SELECT status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY status")
        )
    received = mail_received(mbox)
    alerts = Counter()
    replies = Counter()
    for subject, to in received:
        if match := re.search(r"\(lead (\d+)\)", subject):
            alerts[int(match.group(1))] += 1
        elif subject == "We received your request":
            replies[to.lower()] += 1
    per_request = [
        {
            "marker": marker,
            "alerts": alerts.get(lead_id, 0),
            "replies": replies.get(f"{marker.lower()}@example.com", 0),
            "alert_marked": alert_marked,
            "reply_marked": reply_marked,
        }
        for _, lead_id, marker, alert_marked, reply_marked in requests
    ]
    return {"requests": per_request, "tasks": tasks, "messages": len(received)}


def mail_problems(tally: dict) -> list[str]:
    """Everything short of: each alert and each auto-reply exactly once,
    recorded as sent, and no task left failed, running or waiting."""
    problems = []
    for row in tally["requests"]:
        for kind, count, marked in (
            ("staff alert", row["alerts"], row["alert_marked"]),
            ("auto-reply", row["replies"], row["reply_marked"]),
        ):
            if count != 1:
                problems.append(f"{row['marker']}: {kind} received {count} times")
            if not marked:
                problems.append(f"{row['marker']}: {kind} not recorded as sent")
    for status in ("FAILED", "RUNNING", "READY"):
        if tally["tasks"].get(status):
            problems.append(f"{tally['tasks'][status]} task(s) {status}")
    return problems


def smtp_sink_main(port: int, mbox: str, delay: float) -> None:
    """A real SMTP server (aiosmtpd) that appends every message to an mbox;
    --delay holds each recipient that long before accepting it (a slow server,
    so a worker can be killed in the middle of sending)."""
    import asyncio
    import mailbox

    from aiosmtpd.controller import Controller

    class Sink:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            # Slow before the message is sent: a client killed now has sent
            # nothing, as with a real server that is slow to answer.
            if delay:
                await asyncio.sleep(delay)
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            box = mailbox.mbox(mbox)
            box.lock()
            try:
                box.add(mailbox.mboxMessage(envelope.original_content))
                box.flush()
            finally:
                box.unlock()
            return "250 Message accepted"

    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    sink = sub.add_parser("smtp-sink")
    sink.add_argument("--port", type=int, required=True)
    sink.add_argument("--mbox", required=True)
    sink.add_argument("--delay", type=float, default=0.0)
    options = parser.parse_args()
    if options.command == "smtp-sink":
        smtp_sink_main(options.port, options.mbox, options.delay)
    sys.exit(0)
