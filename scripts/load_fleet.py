#!/usr/bin/env python
"""Load through nginx to two gunicorn instances, beside the same run to one.

For each shape (2 instances, then 1), on 127.0.0.1: gunicorn instances with
production settings (8811, 8812; --workers x --threads each) on one database
(sheer_h8_load), the deploy/nginx site in front (https 8843), and wrk with
scripts/load_fleet.lua: --clients connections for --duration seconds, six in
ten requests a public page (from the sitemap, served from nginx's cache as in
production), two in ten the consultation form, two in ten a post of a form
fetched earlier. The per-address rate limit and the fill-time check are off
(ADMISSIONS_RATE_LIMIT=0, ADMISSIONS_MIN_FILL_SECONDS=0): every post comes
from 127.0.0.1 within milliseconds.

Counts, per shape: requests, 5xx (nginx's access log), posts answered with the
thank-you redirect and rows in the database with the run's marker (each
thank-you must be one row), p50 and p99 from wrk and per request kind from
nginx's $request_time.

    bash scripts/load_fleet.sh                       # 60 s at 64 clients, both shapes
    bash scripts/load_fleet.sh --duration 10         # a quick look

Exit status 1 on any 5xx, any thank-you without its row, or any failed post.
"""

import argparse
import re
import statistics
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from harness import ROOT, client, database, nginx, site
from harness.process import Group, log

DB = "sheer_h8_load"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    parser.add_argument("--shapes", default="2,1", help="instances per run, in order (default 2,1)")
    options = parser.parse_args(argv)

    url = database.fresh(database.SHARED_SERVER, DB)
    try:
        env = site.fleet_env(url)
        site.prepare(env)
        results = [run_shape(int(n), options, env) for n in options.shapes.split(",")]
    finally:
        database.drop(database.SHARED_SERVER, DB)
    return report(results, options)


def run_shape(instances: int, options, env: dict) -> dict:
    ports = [8811 + i for i in range(instances)]
    with Group(f"load{instances}") as group:
        for port in ports:
            site.gunicorn(group, env, port, workers=options.workers, threads=options.threads)
        proxy = nginx.deploy_site(group, env, ports, https_port=8843, http_port=8880)
        sitemap = client.https_get(8843, "/sitemap.xml")[2].decode()
        pages = [re.sub(r"^https?://[^/]+", "", loc) for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap)]
        pages = [p for p in pages if p.startswith("/")] or ["/"]
        for page in pages:
            client.https_get(8843, page)
        run_id = client.run_id()
        log(f"{instances} instance(s) x {options.workers} workers x {options.threads} threads; "
               f"wrk {options.clients} clients {options.duration}s over {len(pages)} pages + the form")  # fmt: skip
        # nginx passes Host without the port ($host), as on 443 in production,
        # so the Origin a browser would send there is the one Django expects.
        wrk = subprocess.run(
            ["wrk", "-t2", f"-c{options.clients}", f"-d{options.duration}s", "--timeout", "30s", "--latency",
             "-s", str(ROOT / "scripts/load_fleet.lua"), "https://127.0.0.1:8843"],
            env={**env, "LOAD_PAGES": " ".join(pages), "LOAD_RUN": run_id, "LOAD_ORIGIN": "https://127.0.0.1"},
            capture_output=True, text=True, timeout=options.duration + 120,
        )  # fmt: skip
        output = wrk.stdout + wrk.stderr
        if wrk.returncode != 0 or "LOAD posts_sent" not in output:
            raise SystemExit(f"wrk failed:\n{output}")
        totals = {
            k: float(v)
            for k, v in re.findall(r"(\w+)=([\d.]+)", " ".join(re.findall(r"^LOAD (.*)$", output, re.M)))
        }
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
        requests = access_log(proxy.dir / "access.log")
        if not requests["kinds"]:
            # A log that recorded nothing would pass every 5xx check unseen.
            raise SystemExit(f"nginx's access log {proxy.dir / 'access.log'} recorded no request")
        rows = database.count_by_marker(env["DATABASE_URL"], "admissions_consultationrequest", run_id)
        return {
            "instances": instances,
            "rps": rps,
            "totals": totals,
            "log": requests,
            "rows": sum(rows.values()),
            "duplicates": sum(1 for c in rows.values() if c > 1),
        }


def access_log(path: Path) -> dict:
    """Per kind of request: count, p50 and p99 of nginx's $request_time; and 5xx."""
    times = defaultdict(list)
    statuses = defaultdict(int)
    for line in path.read_text().splitlines():
        status, method, uri, seconds, cache = (line.split(" ") + [""] * 5)[:5]
        if uri.startswith("/admissions/consultation/"):
            kind = "post" if method == "POST" else "form"
        elif uri.startswith("/static/"):
            kind = "static"
        else:
            kind = "page"
        times[kind].append(float(seconds) * 1000)
        # 499: nginx's "client closed the request": wrk stopping at the end of
        # the run with requests in flight (those posts may well be stored).
        statuses["499" if status == "499" else status[0] + "xx"] += 1
        if kind == "page" and cache == "HIT":
            statuses["page cache hits"] += 1
    kinds = {}
    for kind, values in times.items():
        values.sort()
        kinds[kind] = {
            "n": len(values),
            "p50": statistics.median(values),
            "p99": values[min(len(values) - 1, int(len(values) * 0.99))],
        }
    return {"kinds": kinds, "statuses": dict(statuses)}


def report(results, options) -> int:
    print()
    print(f"load: wrk {options.clients} clients x {options.duration}s through nginx (TLS) "
          f"to N gunicorn instances ({options.workers} workers x {options.threads} threads each)")  # fmt: skip
    failed = False
    for r in results:
        t = r["totals"]
        s = r["log"]["statuses"]
        lost = int(t["posts_thanked"]) - r["rows"]
        print(f"  {r['instances']} instance(s)")
        print(f"    requests {int(t['requests'])}  ({r['rps']:.0f}/s)   wrk p50 {t['latency_p50_ms']:.1f} ms  "
              f"p99 {t['latency_p99_ms']:.1f} ms")  # fmt: skip
        for kind in ("page", "form", "post"):
            k = r["log"]["kinds"].get(kind)
            if k:
                print(f"      {kind:<5} {k['n']:>7}  p50 {k['p50']:7.1f} ms  p99 {k['p99']:7.1f} ms")
        print(f"    statuses {s}")
        print(f"    posts sent {int(t['posts_sent'])}, thank-you {int(t['posts_thanked'])}, rows {r['rows']}, "
              f"lost {max(lost, 0)}, duplicates {r['duplicates']}, other answers {int(t['not_200_or_thanks'])}")  # fmt: skip
        errors = {k: int(v) for k, v in t.items() if k.startswith("errors_") and v}
        if errors:
            print(f"    wrk socket errors {errors}")
        if s.get("5xx") or lost > 0 or r["duplicates"] or t["not_200_or_thanks"] or t["posts_thanked"] == 0:
            failed = True
    print("RESULT: FAIL" if failed else "RESULT: PASS")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
