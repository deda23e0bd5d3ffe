#!/usr/bin/env python
"""Benchmark of the consultation form under gunicorn (not a timed test).

Creates its own PostgreSQL database (sheer_bench_intake on 127.0.0.1:5432,
dropped at the end), migrates it, collects static files, and runs gunicorn
with production settings on 127.0.0.1:8401 (rate limit and minimum fill time
off, so it measures the server; tasks go to the database queue as in
production, mail to a dummy backend). Then:

1. Sequential, one client, in turns: 10N requests of a program page (gunicorn
   itself, no HTTP cache), 10N of the form page, and N whole submissions (GET the
   form, POST it, follow the 303 to the thank-you page). Server CPU per request
   = utime+stime of the gunicorn workers and of the PostgreSQL backends serving
   them (/proc), over N. Prints the form page and the whole submission as
   ratios to the program page against issue 14's targets (<= 1.5, <= 4) and
   exits 1 on a miss.
2. Load: 32 submitters for 60 s doing the same; counts submissions, errors
   (anything but 200/303/200 or a socket error) and latency; then checks the
   database holds exactly one request per thank-you page seen.

    .venv/bin/python scripts/bench_intake.py                   # the issue's run
    .venv/bin/python scripts/bench_intake.py --duration 10 --sequential 50
    .venv/bin/python scripts/bench_intake.py --profile /tmp/profile.txt  # cProfile only
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from harness import PYTHON, ROOT, client, database, site
from harness.client import CONSULTATION, CONSULTATION_THANKS, FormUnavailable
from harness.process import Group, children, cpu_ms

PROGRAM_PAGE = "/programs/intensive-outpatient-program/"
# Issue 14: server CPU (gunicorn + PostgreSQL) as a multiple of a program page's.
FORM_TARGET = 1.5
SUBMISSION_TARGET = 4.0


class Submitter:
    """One person's browser on a keep-alive connection, sending a new person each time."""

    def __init__(self, port: int, seed: int):
        self.browser = client.Browser(port, timeout=30, keepalive=True)
        self.random = random.Random(seed)

    def submit(self, n: int) -> tuple[bool, float]:
        """GET form, POST, GET thank-you. (ok, seconds)."""
        started = time.perf_counter()
        try:
            hidden = self.browser.form(CONSULTATION)
        except FormUnavailable:
            return False, time.perf_counter() - started
        answers = client.consultation_answers(
            "Bench",
            last_name=client.name_for(f"Person{n}"),  # letters only: digits become A-J
            # A new person each time: (949) plus a random valid local number.
            phone=f"(949) {self.random.randint(200, 999)}-{self.random.randint(0, 9999):04d}",
            email=f"bench{n}-{self.random.randint(0, 10**9)}@example.com",
            who_needs_help="loved_one",
            caller_relation="Parent",
            message="Benchmark submission " + "words " * 40,
        )
        status, headers, _ = self.browser.post(CONSULTATION, hidden + answers)
        if status != 303 or headers.get("location") != CONSULTATION_THANKS:
            return False, time.perf_counter() - started
        status, _, _ = self.browser.request("GET", CONSULTATION_THANKS)
        return status == 200, time.perf_counter() - started


def server_cpu_ms(pids) -> float:
    return sum(cpu_ms(pids).values())


def cpu_per_request(master, url, n, request) -> tuple[float, int]:
    """Server CPU (gunicorn workers + PostgreSQL backends) per call of request(i), and the failures."""
    pids = children(master)
    db_pids = database.backend_pids(url)
    cpu_before = server_cpu_ms(pids) + server_cpu_ms(db_pids)
    errors = sum(not request(i) for i in range(n))
    db_pids = set(db_pids) | set(database.backend_pids(url))
    return (server_cpu_ms(children(master)) + server_cpu_ms(db_pids) - cpu_before) / n, errors


def sequential(args, master, url):
    """One client, one request at a time: the program page (no HTTP cache: gunicorn
    itself), the form page alone, and whole submissions, each measured in turn,
    twice over (the figures are the sums of both passes), so slow drifts in the
    machine's load fall on all three alike."""
    submitter = Submitter(args.port, seed=1)
    for n in range(5):  # warm-up: imports, templates, connections
        submitter.submit(-1 - n)
        submitter.browser.request("GET", PROGRAM_PAGE)
    times, errors = [], 0

    def page(_):
        return submitter.browser.request("GET", PROGRAM_PAGE)[0] == 200

    def form(_):
        return submitter.browser.request("GET", CONSULTATION)[0] == 200

    def submission(n):
        ok, seconds = submitter.submit(n)
        times.append(seconds)
        return ok

    cpu = {"page": 0.0, "form": 0.0, "submission": 0.0}
    # /proc counts CPU in 10 ms ticks: 100 program pages of ~0.5 ms are 5 ticks,
    # so each page kind is requested page_factor times as often as a submission
    # (+-1 tick is then about 1 %, not 20 %).
    halves = {
        "page": max(1, args.sequential * args.page_factor // 2),
        "form": max(1, args.sequential * args.page_factor // 2),
        "submission": max(1, args.sequential // 2),
    }
    half = halves["submission"]
    for round_ in range(2):
        for name, request in (("page", page), ("form", form), ("submission", submission)):
            spent, failed = cpu_per_request(
                master, url, halves[name], (lambda i, r=request, start=round_ * halves[name]: r(start + i))
            )
            cpu[name] += spent / 2
            errors += failed
    return {"n": 2 * half, "errors": errors, "cpu_ms": cpu["submission"], "cpu": cpu, "times": times}


def load(args, master, url):
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

    pids = children(master)
    db_before_pids = database.backend_pids(url)
    cpu_before = server_cpu_ms(pids) + server_cpu_ms(db_before_pids)
    threads = [threading.Thread(target=person, args=(seed,)) for seed in range(args.submitters)]
    started = time.time()
    for thread in threads:
        thread.start()
    time.sleep(min(5, args.duration / 2))
    db_pids = set(db_before_pids) | set(database.backend_pids(url))
    for thread in threads:
        thread.join()
    elapsed = time.time() - started
    db_pids |= set(database.backend_pids(url))
    spent = server_cpu_ms(children(master)) + server_cpu_ms(db_pids) - cpu_before
    results["elapsed"] = elapsed
    results["cpu_ms"] = spent / max(results["ok"], 1)
    return results


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))] * 1000 if values else 0.0


def profile(env, out_path) -> int:
    command = [PYTHON, str(ROOT / "scripts" / "harness" / "profile_pages.py"), out_path]
    return subprocess.run(command, env={**env, "PYTHONPATH": str(ROOT)}, cwd=ROOT).returncode


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", 8401)))
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--submitters", type=int, default=32)
    parser.add_argument("--sequential", type=int, default=200, help="whole submissions, sequentially")
    parser.add_argument(
        "--page-factor", type=int, default=10, help="program and form pages per submission, sequentially"
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() * 2 + 1)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--database", default="sheer_bench_intake")
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="only profile (cProfile, in one process, production settings) the program page, the form,"
        " its post and the thank-you page, into FILE (scripts/harness/profile_pages.py)",
    )
    args = parser.parse_args(argv)

    with Group("intake") as group:
        url = database.scratch(group, args.database, database.LOCAL_SERVER)
        env = site.direct_env(url, args.port, group.work)
        site.prepare(env)
        if args.profile:
            return profile(env, args.profile)
        # Workers are not recycled mid-run (max_requests), or their CPU time would be lost.
        server = site.gunicorn(
            group, env, args.port, workers=args.workers, threads=args.threads, args=["--max-requests", "0"]
        )

        seq = sequential(args, server.pid, url)
        rows_before = database.count(url, "admissions_consultationrequest")
        result = load(args, server.pid, url)
        rows_after = database.count(url, "admissions_consultationrequest")
        queued = database.count(url, "django_tasks_database_dbtaskresult")

        print(f"gunicorn: {args.workers} workers x {args.threads} threads, production settings, PostgreSQL")
        print(f"machine: {os.cpu_count()} cores (the load generator runs on the same cores)")
        print()
        cpu = seq["cpu"]
        form_ratio, submission_ratio = cpu["form"] / cpu["page"], cpu["submission"] / cpu["page"]
        print(
            f"Sequential, {seq['n']} submissions and {seq['n'] * args.page_factor} of each page, one client"
            " (server CPU: gunicorn workers + PostgreSQL backends):"
        )
        print(f"  program page {PROGRAM_PAGE} (no HTTP cache): {cpu['page']:.2f} ms per request")
        print(f"  consultation form page: {cpu['form']:.2f} ms per request")
        print(f"  whole submission (GET form + POST + GET thank-you): {cpu['submission']:.2f} ms")
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
        print()
        print(f"load average: {Path('/proc/loadavg').read_text().strip()}")
        misses = []
        for label, ratio, target in (
            ("form page / program page", form_ratio, FORM_TARGET),
            ("whole submission / program page", submission_ratio, SUBMISSION_TARGET),
        ):
            verdict = "ok" if ratio <= target else "MISS"
            print(f"RATIO {label}: {ratio:.2f} (target <= {target}) {verdict}")
            if ratio > target:
                misses.append(label)
        failed = result["errors"] or stored != result["ok"] or seq["errors"]
        return 1 if failed or misses else 0


if __name__ == "__main__":
    sys.exit(main())
