#!/usr/bin/env python
"""Benchmark of the consultation form under gunicorn (not a timed test).

Creates its own PostgreSQL database (sheer_bench_intake on 127.0.0.1:5432,
dropped at the end), migrates it, collects static files, and runs gunicorn
with production settings on 127.0.0.1:8401 (rate limit and minimum fill time
off, so it measures the server; tasks go to the database queue as in
production, mail to a dummy backend). Then:

1. Sequential: N submissions, one at a time: GET the form, POST it, follow the
   303 to the thank-you page. Server CPU per submission = utime+stime of the
   gunicorn workers and of the PostgreSQL backends serving them (/proc), over N.
2. Load: 32 submitters for 60 s doing the same; counts submissions, errors
   (anything but 200/303/200 or a socket error) and latency; then checks the
   database holds exactly one request per thank-you page seen.

    .venv/bin/python scripts/bench_intake.py                   # the issue's run
    .venv/bin/python scripts/bench_intake.py --duration 10 --sequential 50
"""

import argparse
import http.client
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")
PG = "postgres://postgres@127.0.0.1:5432"

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOKEN_INPUT = re.compile(r'name="form_token" value="([^"]+)"')


def cpu_ms(pids) -> float:
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) * TICK_MS
    return total


def worker_pids(master: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]


def db_backend_pids(database: str) -> list[int]:
    out = subprocess.run(
        [
            "psql",
            f"{PG}/postgres",
            "-Atc",
            "SELECT pid FROM pg_stat_activity WHERE datname = "  # noqa: S608 - our own database name
            f"'{database}' AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [int(line) for line in out.split()]


class Submitter:
    """One person's browser: a keep-alive connection and the CSRF cookie."""

    def __init__(self, port: int, seed: int):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.random = random.Random(seed)

    def request(self, method, path, body=None):
        headers = {"Host": "127.0.0.1", "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (OSError, http.client.HTTPException):
            self.connection.close()  # reconnect on the next request
            raise
        content = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location"), content.decode("utf-8", "replace")

    def submit(self, n: int) -> tuple[bool, float]:
        """GET form, POST, GET thank-you. (ok, seconds)."""
        started = time.perf_counter()
        status, _, html = self.request("GET", "/admissions/consultation/")
        if status != 200:
            return False, time.perf_counter() - started
        data = {
            "csrfmiddlewaretoken": CSRF_INPUT.search(html).group(1),
            "form_token": TOKEN_INPUT.search(html).group(1),
            "first_name": "Bench",
            "last_name": f"Person{n}",
            # A new person each time: (949) plus a random valid local number.
            "phone": f"(949) {self.random.randint(200, 999)}-{self.random.randint(0, 9999):04d}",
            "email": f"bench{n}-{self.random.randint(0, 10**9)}@example.com",
            "best_time_to_call": "any",
            "who_needs_help": "loved_one",
            "caller_relation": "Parent",
            "message": "Benchmark submission " + "words " * 40,
            "heard_about": "search",
            "contact_consent": "on",
            "website": "",
        }
        status, location, _ = self.request("POST", "/admissions/consultation/", urllib.parse.urlencode(data))
        if status != 303 or location != "/admissions/thank-you/consultation/":
            return False, time.perf_counter() - started
        status, _, _ = self.request("GET", location)
        return status == 200, time.perf_counter() - started


def run_env(args, database, static_root, private_root):
    from base64 import urlsafe_b64encode

    def key():
        return urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sheer_site.settings.production",
        "DJANGO_SECRET_KEY": "bench-" + urlsafe_b64encode(os.urandom(48)).decode(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{args.port}",
        "DATABASE_URL": f"{PG}/{database}",
        "PHI_ENCRYPTION_KEYS": f"bench1:{key()}",
        "PHI_LOOKUP_KEY": key(),
        "DJANGO_SECURE_SSL_REDIRECT": "False",
        "DJANGO_STATIC_ROOT": str(static_root),
        "DJANGO_PRIVATE_MEDIA_ROOT": str(private_root),
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "ADMISSIONS_ALERT_EMAIL": "admissions@example.test",
        "ADMISSIONS_RATE_LIMIT": "0",
        "ADMISSIONS_MIN_FILL_SECONDS": "0",
        "GUNICORN_BIND": f"127.0.0.1:{args.port}",
        "GUNICORN_WORKERS": str(args.workers),
        "GUNICORN_THREADS": str(args.threads),
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    return env


def wait_until_up(port, process):
    deadline = time.time() + 30
    while time.time() < deadline:
        if process.poll() is not None:
            sys.exit("gunicorn exited at start-up")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    sys.exit("gunicorn did not come up")


def sequential(args, master, database):
    submitter = Submitter(args.port, seed=1)
    for n in range(5):  # warm-up: imports, templates, connections
        submitter.submit(-1 - n)
    pids = worker_pids(master)
    db_pids = db_backend_pids(database)
    cpu_before = cpu_ms(pids) + cpu_ms(db_pids)
    times, errors = [], 0
    for n in range(args.sequential):
        ok, seconds = submitter.submit(n)
        errors += not ok
        times.append(seconds)
    db_pids = set(db_pids) | set(db_backend_pids(database))
    spent = cpu_ms(worker_pids(master)) + cpu_ms(db_pids) - cpu_before
    return {"n": args.sequential, "errors": errors, "cpu_ms": spent / args.sequential, "times": times}


def load(args, master, database):
    stop = time.time() + args.duration
    lock = threading.Lock()
    results = {"ok": 0, "errors": 0, "times": [], "kinds": {}}
    counter = iter(range(10**6, 10**9))

    def person(seed):
        submitter = Submitter(args.port, seed)
        while time.time() < stop:
            with lock:
                n = next(counter)
            try:
                ok, seconds = submitter.submit(n)
                kind = None if ok else "bad status"
            except Exception as exc:  # socket error, timeout
                ok, seconds, kind = False, 0.0, type(exc).__name__
            with lock:
                if ok:
                    results["ok"] += 1
                    results["times"].append(seconds)
                else:
                    results["errors"] += 1
                    results["kinds"][kind] = results["kinds"].get(kind, 0) + 1

    pids = worker_pids(master)
    db_before_pids = db_backend_pids(database)
    cpu_before = cpu_ms(pids) + cpu_ms(db_before_pids)
    threads = [threading.Thread(target=person, args=(seed,)) for seed in range(args.submitters)]
    started = time.time()
    for thread in threads:
        thread.start()
    time.sleep(min(5, args.duration / 2))
    db_pids = set(db_before_pids) | set(db_backend_pids(database))
    for thread in threads:
        thread.join()
    elapsed = time.time() - started
    db_pids |= set(db_backend_pids(database))
    spent = cpu_ms(worker_pids(master)) + cpu_ms(db_pids) - cpu_before
    results["elapsed"] = elapsed
    results["cpu_ms"] = spent / max(results["ok"], 1)
    return results


def count_rows(database, table):
    out = subprocess.run(
        ["psql", f"{PG}/{database}", "-Atc", f"SELECT count(*) FROM {table}"],  # noqa: S608 - fixed names
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.strip())


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))] * 1000 if values else 0.0


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, default=8401)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--submitters", type=int, default=32)
    parser.add_argument("--sequential", type=int, default=200)
    parser.add_argument("--workers", type=int, default=os.cpu_count() * 2 + 1)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--database", default="sheer_bench_intake")
    args = parser.parse_args(argv)

    scratch = Path(tempfile.mkdtemp(prefix="bench-intake-"))
    static_root, private_root = scratch / "static", scratch / "private"
    env = run_env(args, args.database, static_root, private_root)
    subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", args.database], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", args.database], check=True)
    server = None
    try:
        manage = [str(PYTHON), str(ROOT / "manage.py")]
        for command in (
            ["migrate", "-v0"],
            ["createcachetable"],
            ["load_demo_content"],
            ["collectstatic", "--noinput", "-v0"],
        ):
            subprocess.run(manage + command, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        server_log = open(scratch / "gunicorn.log", "w")  # noqa: SIM115 - closed with the scratch dir
        server = subprocess.Popen(
            [str(GUNICORN), "-c", "gunicorn.conf.py"],
            env=env,
            cwd=ROOT,
            start_new_session=True,
            stdout=server_log,
            stderr=subprocess.STDOUT,
        )
        wait_until_up(args.port, server)

        seq = sequential(args, server.pid, args.database)
        rows_before = count_rows(args.database, "admissions_consultationrequest")
        result = load(args, server.pid, args.database)
        rows_after = count_rows(args.database, "admissions_consultationrequest")
        queued = count_rows(args.database, "django_tasks_database_dbtaskresult")

        print(f"gunicorn: {args.workers} workers x {args.threads} threads, production settings, PostgreSQL")
        print(f"machine: {os.cpu_count()} cores (the load generator runs on the same cores)")
        print()
        print(f"Sequential, {seq['n']} submissions (GET form + POST + GET thank-you):")
        print(f"  server CPU per submission: {seq['cpu_ms']:.1f} ms (gunicorn workers + PostgreSQL backends)")
        print(
            f"  latency per submission: p50 {pct(seq['times'], 50):.0f} ms, p99 {pct(seq['times'], 99):.0f} ms;"
            f" errors {seq['errors']}"
        )
        print()
        print(f"Load, {args.submitters} concurrent submitters for {result['elapsed']:.0f} s:")
        rate = result["ok"] / result["elapsed"]
        print(
            f"  submissions: {result['ok']} ({rate:.1f}/s), errors: {result['errors']} {result['kinds'] or ''}"
        )
        print(
            f"  latency per submission: p50 {pct(result['times'], 50):.0f} ms, "
            f"p99 {pct(result['times'], 99):.0f} ms, max {pct(result['times'], 100):.0f} ms"
        )
        print(f"  server CPU per submission under load: {result['cpu_ms']:.1f} ms")
        stored = rows_after - rows_before
        print(
            f"  stored: {stored} requests for {result['ok']} thank-you pages; {queued} queued mail tasks in all"
        )
        if result["times"]:
            print(f"  mean {statistics.mean(result['times']) * 1000:.0f} ms")
        return 1 if result["errors"] or stored != result["ok"] or seq["errors"] else 0
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        subprocess.run(
            ["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", args.database], check=False
        )
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
