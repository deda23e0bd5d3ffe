"""Benchmark the eligibility engine (not a test): 271 parser throughput and backend check latency.

    .venv/bin/python scripts/bench_eligibility.py [--runs 200] [--seconds 3] [--port 8501]
                                                  [--x12sdk-python /path/to/venv/bin/python]

Prints:
- our 271 parser: parses/s and MB/s over the hand-made fixtures in
  tests/admissions/eligibility/fixtures (parse + interpretation into an EligibilityResult);
- with --x12sdk-python (a separate venv with `pip install x12sdk`, kept out of the
  project's dependencies): which fixtures x12sdk accepts and its throughput on those,
  next to ours on the same subset;
- check latency p50/p99 over --runs for the fake backend (in process) and for the
  x12 and rest backends against the local fake clearinghouse on 127.0.0.1.

TODO(intake): "submission to a result on the lead" needs the intake's task that
runs the check after a verification request is saved. When it lands, time
POST /admissions/verify-insurance/ -> the lead's stored EligibilityResult here,
with TASKS on the immediate backend and ELIGIBILITY_BACKEND=fake / rest.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "admissions" / "eligibility" / "fixtures"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sheer_site.settings.local")

import django  # noqa: E402

django.setup()
logging.getLogger("admissions.eligibility").setLevel(logging.ERROR)

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


def latency(label: str, runs: int, run_one) -> None:
    timings = []
    for i in range(runs):
        start = time.perf_counter()
        run_one(i)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    print(f"  {label:<38} p50 {statistics.median(timings):7.2f} ms   p99 {p99:7.2f} ms   ({runs} runs)")


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=3.0, help="time per throughput measurement")
    parser.add_argument("--port", type=int, default=0, help="fake clearinghouse port (0: any free one)")
    parser.add_argument("--x12sdk-python", help="python of a venv with x12sdk installed, to compare")
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
    print(
        "submission to result on the lead: not measured yet (needs the intake task; see TODO in this script)"
    )


if __name__ == "__main__":
    main()
