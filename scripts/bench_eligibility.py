"""Benchmark the eligibility engine (not a test): 271 parser throughput and backend check latency.

    .venv/bin/python scripts/bench_eligibility.py [--runs 200] [--seconds 3] [--port 8901]
                                                  [--submissions 100]
                                                  [--x12sdk-python /path/to/venv/bin/python]

Prints:
- our 271 parser: parses/s and MB/s over the hand-made fixtures in
  tests/admissions/eligibility/fixtures (parse + interpretation into an EligibilityResult);
- with --x12sdk-python (a separate venv with `pip install x12sdk`, kept out of the
  project's dependencies): which fixtures x12sdk accepts and its throughput on those,
  next to ours on the same subset;
- check latency p50/p99 over --runs for the fake backend (in process) and for the
  x12 and rest backends against the local fake clearinghouse on 127.0.0.1;
- submission to a result on the lead, p50/p99 over --submissions: POST
  /admissions/verify-insurance/ through Django's test client, then wait until the
  request's EligibilityCheck holds an answer. Twice: with the immediate task
  backend (the check runs in the request after commit, as `make run` does; the
  manual backend is the baseline: the same POST with no check), and with the
  database queue worked by one `manage.py db_worker --interval 0.05` beside it,
  as production runs (the worker sends the staff alert and auto-reply first).
  This part uses its own PostgreSQL database (sheer_h9_bench_eligibility on the
  server in BENCH_DATABASE_SERVER, default postgres://postgres@127.0.0.1:5432),
  dropped at the end; --submissions 0 skips it.
"""

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import time
from datetime import date

from harness import ROOT, database, site
from harness.process import Group

FIXTURES = ROOT / "tests" / "admissions" / "eligibility" / "fixtures"
sys.path.insert(0, str(ROOT))
BENCH_DB = "sheer_h9_bench_eligibility"
DB_SERVER = os.environ.get("BENCH_DATABASE_SERVER", database.LOCAL_SERVER)
# Test settings: PostgreSQL, test encryption keys, mail kept in memory.
os.environ["DATABASE_URL"] = f"{DB_SERVER}/{BENCH_DB}"
os.environ["DJANGO_SETTINGS_MODULE"] = "sheer_site.settings.test"

import django  # noqa: E402

django.setup()
for quiet in ("admissions", "django.tasks", "django_tasks_db"):
    logging.getLogger(quiet).setLevel(logging.ERROR)

from admissions.eligibility import Dependent, EligibilityRequest, check  # noqa: E402
from admissions.eligibility.backends import FakeBackend, X12Backend  # noqa: E402
from admissions.eligibility.fake_clearinghouse import FakeClearinghouse  # noqa: E402
from admissions.eligibility.rest import RestBackend, clear_token_cache  # noqa: E402
from admissions.eligibility.x12_271 import parse_271  # noqa: E402

X12SDK_SNIPPET = r"""
import json, sys, time
from x12sdk.io import X12ModelReader
texts = json.load(sys.stdin)
accepted, rejected = {}, {}
for name, text in texts.items():
    try:
        with X12ModelReader(text) as reader:
            list(reader.models())
        accepted[name] = text
    except Exception as exc:
        rejected[name] = type(exc).__name__
seconds = float(sys.argv[1])
count = size = 0
start = time.perf_counter()
while accepted and time.perf_counter() - start < seconds:
    for text in accepted.values():
        with X12ModelReader(text) as reader:
            list(reader.models())
        count += 1
        size += len(text)
elapsed = time.perf_counter() - start
print(json.dumps({"accepted": sorted(accepted), "rejected": rejected, "count": count, "bytes": size, "seconds": elapsed}))
"""


def fixtures() -> dict[str, str]:
    return {p.name: p.read_bytes().decode("ascii") for p in sorted(FIXTURES.glob("*.271"))}


def throughput(texts: dict[str, str], seconds: float) -> tuple[float, float]:
    count = size = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for text in texts.values():
            parse_271(text)
            count += 1
            size += len(text)
    elapsed = time.perf_counter() - start
    return count / elapsed, size / elapsed / 1e6


def report(label: str, timings: list[float], note: str = "") -> None:
    timings = sorted(timings)
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    print(
        f"  {label:<38} p50 {statistics.median(timings):7.2f} ms   p99 {p99:7.2f} ms   "
        f"({len(timings)} runs{note})"
    )


def latency(label: str, runs: int, run_one) -> None:
    timings = []
    for i in range(runs):
        start = time.perf_counter()
        run_one(i)
        timings.append((time.perf_counter() - start) * 1000)
    report(label, timings)


def request(member_id: str, *, dependent: bool = False) -> EligibilityRequest:
    return EligibilityRequest(
        payer_id="60054",
        payer_name="Aetna",
        subscriber_first_name="Bench",
        subscriber_last_name="Mark",
        subscriber_date_of_birth=date(1980, 1, 1),
        member_id=member_id,
        group_number="G1",
        dependent=Dependent("Kid", "Mark", date(2008, 6, 1), "19") if dependent else None,
        provider_npi="1234567893",
        provider_name="Sheer Recovery",
    )


# Submission to a result on the lead ----------------------------------------------------


def _backend_env(backend: str, house) -> dict[str, str]:
    """What a worker process needs in its environment to check through `backend`."""
    env = {"ELIGIBILITY_BACKEND": backend, "ELIGIBILITY_PROVIDER_NPI": "1234567893"}
    if backend == "rest":
        options = house.rest_options()
        env.update(
            {
                f"ELIGIBILITY_{key}": str(options[key])
                for key in ("REST_URL", "REST_TOKEN_URL", "REST_CLIENT_ID", "REST_CLIENT_SECRET", "TIMEOUT")
            }
        )
        env["ELIGIBILITY_REST_POLL_DELAY"] = str(options["REST_POLL_DELAY"])
    return env


def _start_worker(group: Group, backend_env: dict[str, str]):
    """One `manage.py db_worker` on the bench database (test settings, as this process)."""
    env = {
        **os.environ,
        **backend_env,
        "DJANGO_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "DJANGO_LOG_LEVEL": "ERROR",
    }
    return site.worker(group, env, interval=0.05)


def _post_and_wait(client, number: int, *, expect_check: bool, timeout: float = 30.0) -> float | None:
    """ms from the POST to the answer stored on the lead; None if it never came."""
    from admissions.models import EligibilityCheck, InsuranceVerification
    from tests.admissions.factories import next_phone
    from tests.admissions.intake_support import INSURANCE_URL, insurance_data

    data = insurance_data(member_id=f"W{number:09d}", phone=next_phone(), first_name=f"Bench{number}")
    start = time.perf_counter()
    response = client.post(INSURANCE_URL, data, REMOTE_ADDR="127.0.0.1")
    if response.status_code != 303:
        return None
    verification_id = InsuranceVerification.objects.order_by("-pk").values_list("pk", flat=True).first()
    if not expect_check:
        return (time.perf_counter() - start) * 1000
    answered = EligibilityCheck.objects.filter(verification_id=verification_id, checked_at__isnull=False)
    while not answered.exists():
        if time.perf_counter() - start > timeout:
            return None
        time.sleep(0.002)
    return (time.perf_counter() - start) * 1000


def submission_to_result(runs: int, *, port: int = 0) -> None:
    print(f"submission to result on the lead (POST /admissions/verify-insurance/, {runs} per line)")
    database.fresh(DB_SERVER, BENCH_DB)
    try:
        from django.core.management import call_command
        from django.test import Client, override_settings

        from admissions.eligibility.rest import clear_token_cache
        from admissions.models import EligibilityCheck

        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        client = Client()
        number = 0
        base = {
            "ADMISSIONS_RATE_LIMIT": 0,
            "ADMISSIONS_ALERT_EMAIL": "admissions@example.test",
        }
        immediate = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
        queue = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
        with FakeClearinghouse(port=port) as house, Group("eligibility") as group:
            for mode, tasks_setting in (("in the request", immediate), ("database queue", queue)):
                for backend in ("manual", "fake", "rest"):
                    if backend == "manual" and tasks_setting is queue:
                        continue  # the baseline is the POST alone
                    clear_token_cache()
                    options = house.rest_options() if backend == "rest" else {"PROVIDER_NPI": "1234567893"}
                    overrides = override_settings(
                        **base, TASKS=tasks_setting, ELIGIBILITY_BACKEND=backend, ELIGIBILITY=options
                    )
                    timings, lost = [], 0
                    with overrides:
                        worker = (
                            _start_worker(group, _backend_env(backend, house))
                            if tasks_setting is queue
                            else None
                        )
                        try:
                            # One unmeasured post: the worker process starts, caches fill.
                            for run in range(runs + 1):
                                number += 1
                                ms = _post_and_wait(client, number, expect_check=backend != "manual")
                                if run == 0:
                                    continue
                                if ms is None:
                                    lost += 1
                                else:
                                    timings.append(ms)
                        finally:
                            if worker:
                                worker.stop()
                    label = (
                        f"{backend} backend, {mode}"
                        if backend != "manual"
                        else "manual (POST only, baseline)"
                    )
                    note = f", {lost} without an answer in 30 s" if lost else ""
                    if timings:
                        report(label, timings, note)
                    else:
                        print(f"  {label:<38} no answers{note}")
        wrong = EligibilityCheck.objects.exclude(status="active").count()
        print(f"  checks stored: {EligibilityCheck.objects.count()}, not active: {wrong}")
    finally:
        from django.db import connections

        connections.close_all()
        database.drop(DB_SERVER, BENCH_DB)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=3.0, help="time per throughput measurement")
    parser.add_argument(
        "--port", type=int, default=0, help="fake clearinghouse port, and the next one (0: any free ones)"
    )
    parser.add_argument("--x12sdk-python", help="python of a venv with x12sdk installed, to compare")
    parser.add_argument(
        "--submissions", type=int, default=100, help="form posts per backend and mode (0: skip)"
    )
    args = parser.parse_args()

    texts = fixtures()
    total = sum(len(t) for t in texts.values())
    print(f"271 parser, {len(texts)} fixtures, {total} bytes in all")
    rate, mbs = throughput(texts, args.seconds)
    print(f"  ours (parse + interpret), all fixtures  {rate:9.0f} parses/s  {mbs:6.2f} MB/s")

    if args.x12sdk_python:
        out = subprocess.run(
            [args.x12sdk_python, "-c", X12SDK_SNIPPET, str(args.seconds)],
            input=json.dumps(texts),
            capture_output=True,
            text=True,
            check=True,
        )
        sdk = json.loads(out.stdout)
        print(f"  x12sdk accepted {len(sdk['accepted'])} of {len(texts)} fixtures; rejected:")
        for name, error in sorted(sdk["rejected"].items()):
            print(f"    {name}: {error}")
        if sdk["count"]:
            subset = {name: texts[name] for name in sdk["accepted"]}
            ours_rate, ours_mbs = throughput(subset, args.seconds)
            print(
                f"  x12sdk (models only), accepted subset  {sdk['count'] / sdk['seconds']:9.0f} parses/s  "
                f"{sdk['bytes'] / sdk['seconds'] / 1e6:6.2f} MB/s"
            )
            print(f"  ours, same subset                      {ours_rate:9.0f} parses/s  {ours_mbs:6.2f} MB/s")

    print("check latency (build 270, answer, parse 271)")
    fake = FakeBackend()
    latency("fake backend, active", args.runs, lambda i: check(request(f"W{i:08d}"), fake))
    latency(
        "fake backend, dependent carve-out",
        args.runs,
        lambda i: check(request(f"CARVEOUT{i}", dependent=True), fake),
    )
    with FakeClearinghouse(port=args.port, pending_polls=1) as house:
        x12 = X12Backend(house.x12_options())
        latency("x12 backend over HTTP, active", args.runs, lambda i: check(request(f"W{i:08d}"), x12))
        clear_token_cache()
        rest = RestBackend(house.rest_options(REST_POLL_DELAY=0.0))
        latency("rest backend, active (token cached)", args.runs, lambda i: check(request(f"W{i:08d}"), rest))
        latency(
            "rest backend, 202 then 200",
            max(args.runs // 4, 1),
            lambda i: check(request(f"PENDING{i}"), rest),
        )
        print(f"  tokens fetched for {args.runs + max(args.runs // 4, 1)} rest checks: {house.tokens_issued}")
    if args.submissions > 0:
        submission_to_result(args.submissions, port=args.port + 1 if args.port else 0)


if __name__ == "__main__":
    main()
