"""Where a request's server CPU goes: cProfile of a program page, the
consultation form (GET), its post and the thank-you page, in one process with
production settings (run by scripts/bench_intake.py --profile, which prepares
the database and the environment; not a timed test).

For each request: CPU ms per request (time.process_time, no profiler), the
queries it makes, then the functions with the most cumulative time under the
profiler (ms per request; the profiler roughly doubles every figure, so read
them as shares).

    .venv/bin/python scripts/bench_intake.py --profile /tmp/profile.txt
"""

from __future__ import annotations

import cProfile
import io
import itertools
import os
import pstats
import re
import sys
import time
from pathlib import Path

PROGRAM_PAGE = "/programs/intensive-outpatient-program/"
CONSULTATION = "/admissions/consultation/"
THANKS = "/admissions/thank-you/consultation/"
TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def main(out_path: str, runs: int = 60, top: int = 40) -> None:
    import django

    django.setup()
    from django.db import connection, reset_queries
    from django.test import Client

    counter = itertools.count()
    browser = Client(
        enforce_csrf_checks=True,
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_HOST="127.0.0.1",
        REMOTE_ADDR="127.0.0.1",
    )
    state = {}

    def program_page():
        response = browser.get(PROGRAM_PAGE)
        assert response.status_code == 200, response.status_code

    def form_get():
        response = browser.get(CONSULTATION)
        assert response.status_code == 200, response.status_code
        html = response.content.decode()
        state["token"] = TOKEN.search(html).group(1)
        state["csrf"] = CSRF.search(html).group(1)

    def form_post():
        n = next(counter)
        response = browser.post(
            CONSULTATION,
            {
                "csrfmiddlewaretoken": state["csrf"],
                "form_token": state["token"],
                "first_name": "Profile",
                "last_name": f"Person{'abcdefghij'[n % 10]}{'abcdefghij'[n // 10 % 10]}",
                "phone": f"(949) 555-{n % 10000:04d}",
                "email": f"profile{n}-{time.time_ns()}@example.com",
                "best_time_to_call": "any",
                "who_needs_help": "loved_one",
                "caller_relation": "Parent",
                "level_of_care": "",
                "message": "Profile submission " + "words " * 40,
                "heard_about": "search",
                "contact_consent": "on",
                "website": "",
            },
            HTTP_ORIGIN="https://127.0.0.1",
            HTTP_REFERER="https://127.0.0.1" + CONSULTATION,
        )
        assert response.status_code == 303, (response.status_code, response.content[:2000])

    def thank_you():
        response = browser.get(THANKS)
        assert response.status_code == 200, response.status_code

    steps = [
        ("program page GET " + PROGRAM_PAGE, program_page, None),
        ("consultation form GET", form_get, None),
        ("consultation POST (after its own GET, not counted)", form_post, form_get),
        ("thank-you GET", thank_you, None),
    ]
    out = io.StringIO()
    out.write(
        f"settings {os.environ.get('DJANGO_SETTINGS_MODULE')}, {runs} requests each, python {sys.version.split()[0]}\n"
    )
    out.write(f"load average {Path('/proc/loadavg').read_text().strip()}\n\n")
    for _ in range(10):  # warm-up: imports, templates, connections, memos
        program_page(), form_get(), form_post(), thank_you()
    summary = []
    for label, step, before in steps:
        cpu = 0.0
        for _ in range(runs):
            if before:
                before()
            started = time.process_time()
            step()
            cpu += time.process_time() - started
        if before:
            before()
        queries = []

        def record(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        # (request_started resets connection.queries: a wrapper sees them all.)
        with connection.execute_wrapper(record):
            step()
        profiler = cProfile.Profile()
        for _ in range(runs):
            if before:
                before()
            profiler.enable()
            step()
            profiler.disable()
        out_tottime = io.StringIO()
        by_self = pstats.Stats(profiler).sort_stats("tottime")
        for func in by_self.fcn_list[:15]:
            _, ncalls, tottime, _, _ = by_self.stats[func]
            filename, line, name = func
            where = (
                f"{filename.replace(os.getcwd() + '/', '').replace(sys.prefix + '/lib/', '')}:{line}({name})"
            )
            out_tottime.write(
                f"    {tottime * 1000 / runs:8.2f} ms  {ncalls / runs:8.1f} calls  {where[-110:]}\n"
            )
        cpu_ms = cpu * 1000 / runs
        summary.append((label, cpu_ms, len(queries)))
        out.write(f"=== {label}: {cpu_ms:.2f} ms CPU per request (no profiler), {len(queries)} queries\n")
        for sql in queries:
            out.write(f"    SQL {sql[:150]}\n")
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        whole = max(cumtime for _, _, _, cumtime, _ in stats.stats.values())
        shown = 0
        out.write("  by cumulative time (the middleware chain, >= 85 % of the request, left out):\n")
        for func in stats.fcn_list:
            _, ncalls, _, cumtime, _ = stats.stats[func]
            if cumtime >= 0.85 * whole:
                continue
            shown += 1
            if shown > top:
                break
            filename, line, name = func
            where = (
                f"{filename.replace(os.getcwd() + '/', '').replace(sys.prefix + '/lib/', '')}:{line}({name})"
            )
            # Cumulative seconds over `runs` requests -> ms per request.
            out.write(f"    {cumtime * 1000 / runs:8.2f} ms  {ncalls / runs:8.1f} calls  {where[-110:]}\n")
        out.write("  by own time:\n" + out_tottime.getvalue() + "\n")
        reset_queries()
    total = summary[1][1] + summary[2][1] + summary[3][1]
    out.write("Summary (CPU ms per request, no profiler):\n")
    for label, cpu_ms, nqueries in summary:
        out.write(f"  {cpu_ms:7.2f} ms  {nqueries:3d} queries  {label}\n")
    page = summary[0][1]
    out.write(f"  form GET / program page: {summary[1][1] / page:.2f} (target <= 1.5)\n")
    out.write(f"  GET + POST + thank-you / program page: {total / page:.2f} (target <= 4)\n")
    text = out.getvalue()
    with open(out_path, "w") as f:
        f.write(text)
    print(text[-900:])


if __name__ == "__main__":
    main(sys.argv[1], *(int(a) for a in sys.argv[2:]))
