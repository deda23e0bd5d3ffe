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
import os
import random
import statistics
import sys
import threading
import time

from harness import client, database, site
from harness.client import CONSULTATION, CONSULTATION_THANKS, FormUnavailable
from harness.process import Group, children, cpu_ms


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
            last_name=f"Person{n}",
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


def sequential(args, master, url):
    submitter = Submitter(args.port, seed=1)
    for n in range(5):  # warm-up: imports, templates, connections
        submitter.submit(-1 - n)
    pids = children(master)
    db_pids = database.backend_pids(url)
    cpu_before = server_cpu_ms(pids) + server_cpu_ms(db_pids)
    times, errors = [], 0
    for n in range(args.sequential):
        ok, seconds = submitter.submit(n)
        errors += not ok
        times.append(seconds)
    db_pids = set(db_pids) | set(database.backend_pids(url))
    spent = server_cpu_ms(children(master)) + server_cpu_ms(db_pids) - cpu_before
    return {"n": args.sequential, "errors": errors, "cpu_ms": spent / args.sequential, "times": times}


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

    with Group("intake") as group:
        url = database.scratch(group, args.database, database.LOCAL_SERVER)
        env = site.direct_env(url, args.port, group.work)
        site.prepare(env)
        server = site.gunicorn(group, env, args.port, workers=args.workers, threads=args.threads)

        seq = sequential(args, server.pid, url)
        rows_before = database.count(url, "admissions_consultationrequest")
        result = load(args, server.pid, url)
        rows_after = database.count(url, "admissions_consultationrequest")
        queued = database.count(url, "django_tasks_database_dbtaskresult")

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


if __name__ == "__main__":
    sys.exit(main())
