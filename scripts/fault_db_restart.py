#!/usr/bin/env python
"""PostgreSQL restarted in the middle of a stream of consultation requests.

Starts its own PostgreSQL cluster (initdb in a temp dir, port 8854; the shared
server on 5432 is never touched), migrates a database into it, runs gunicorn
with production settings on 8801, and sends requests from several clients as
people would: load the form, post it, and on the "we couldn't save" page press
"Send again" a second later. Part-way through, PostgreSQL is stopped (fast
shutdown: open connections are cut) and started again.

Two task workers (manage.py task_worker, as deploy/systemd runs them) send the
staff alerts and auto-replies to a local mail server, and the owed-alert sweep
runs every few seconds (as its systemd timer does every minute).

Then it counts, from the database and the mailbox: every post that reached the
thank-you page is stored exactly once; every post that did not got the page
with the answers kept and a phone number (HTTP 503); the site serves again by
itself; and every stored request got exactly one staff alert and one
auto-reply, recorded as sent, with no task left failed, running or waiting.

    .venv/bin/python scripts/fault_db_restart.py                  # 60 s, the issue's run
    .venv/bin/python scripts/fault_db_restart.py --duration 15    # make test's short run
    .venv/bin/python scripts/fault_db_restart.py --pool 4         # with psycopg's pool

Exit status 1 on any loss, duplicate, bare error, no recovery, or a missing or doubled mail.
"""

import argparse
import contextlib
import sys
import threading
import time
from collections import Counter

from harness import client, database, mail, site
from harness.process import Group, log


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of submissions (default 60)")
    parser.add_argument("--clients", type=int, default=6, help="people submitting at once (default 6)")
    parser.add_argument("--outage", type=float, default=3.0, help="seconds PostgreSQL stays down (default 3)")
    parser.add_argument("--stop-mode", default="fast", choices=["fast", "immediate"], help="pg_ctl stop mode")
    parser.add_argument(
        "--pool", type=int, default=0, help="DATABASE_POOL_MAX_SIZE (0: persistent connections)"
    )
    parser.add_argument("--resend-tries", type=int, default=15, help="times a person presses Send again")
    parser.add_argument("--port", type=int, default=8801)
    parser.add_argument("--pg-port", type=int, default=8854)
    parser.add_argument("--smtp-port", type=int, default=8827)
    parser.add_argument(
        "--sweep-every", type=float, default=5.0, help="seconds between owed-alert sweeps (default 5)"
    )
    parser.add_argument(
        "--mail-deadline",
        type=float,
        default=120.0,
        help="seconds without progress before giving up on missing mail (default 120)",
    )
    options = parser.parse_args(argv)
    return run(options)


def run(options) -> int:
    with Group("dbrestart") as group:
        log("initdb and start our own PostgreSQL")
        cluster = database.Cluster(options.pg_port)
        group.on_close(cluster.close)
        cluster.start()
        url = database.fresh(cluster.server_url, "sheer_h8_restart")
        env, _ = site.serve_fleet(
            group,
            url,
            options.port,
            workers=2,
            threads=4,
            DATABASE_POOL_MAX_SIZE=options.pool,
            DATABASE_POOL_MIN_SIZE=1,
            EMAIL_PORT=options.smtp_port,
            # The drill compresses the sweep's minute into seconds.
            ADMISSIONS_ALERT_OWED_AFTER_SECONDS=max(1, int(options.sweep_every)),
        )
        mbox = group.work / "mail.mbox"
        mail.start_sink(group, options.smtp_port, mbox)
        site.worker(group, env, "restart-1")
        site.worker(group, env, "restart-2")
        sweeping = threading.Event()

        def sweep() -> None:  # the systemd timer, compressed
            while not sweeping.wait(options.sweep_every):
                # While the database is down the sweep fails; the next run catches up.
                with contextlib.suppress(RuntimeError):
                    site.manage(env, "send_owed_alerts", "-v", "0")

        threading.Thread(target=sweep, daemon=True).start()
        mode = f"pool max {options.pool}/process" if options.pool else "persistent connections"
        log(f"gunicorn on {options.port} ({mode}); {options.clients} clients for {options.duration:.0f}s")

        run_id = client.run_id()
        results: dict[str, dict] = {}
        kept_seen: set[str] = set()
        lock = threading.Lock()
        stop_at = time.monotonic() + options.duration

        def person(n: int) -> None:
            browser = client.Browser(options.port)
            i = 0
            while time.monotonic() < stop_at:
                marker = f"{run_id}x{n}x{i}"
                i += 1
                result = client.submit_consultation(
                    browser, marker, resend_tries=options.resend_tries, log_kept=kept_seen.add
                )
                result["done_at"] = time.monotonic()
                with lock:
                    results[marker] = result
                if result["outcome"] == "form_unavailable":
                    time.sleep(0.5)  # a person reloads after a moment

        threads = [threading.Thread(target=person, args=(n,), daemon=True) for n in range(options.clients)]
        for thread in threads:
            thread.start()

        time.sleep(options.duration * 0.4)
        log(f"stopping PostgreSQL ({options.stop_mode}) for {options.outage:.0f}s")
        down_at = time.monotonic()
        cluster.stop(options.stop_mode)
        time.sleep(options.outage)
        cluster.start()
        up_at = time.monotonic()
        log("PostgreSQL is back")

        for thread in threads:
            thread.join(options.duration + 120)

        # Recovery: the site serves and stores again by itself (no restart of ours).
        recovered = client.submit_consultation(client.Browser(options.port), f"{run_id}xrecovery")
        first_ok_after = min(
            (
                r["done_at"] - up_at
                for r in results.values()
                if r["outcome"] == "stored" and r["done_at"] > up_at
            ),
            default=None,
        )

        # Every stored request is owed one alert and one auto-reply.
        # The workers drain a backlog at their own pace (a fast run stores
        # thousands), so wait while the count of missing mail keeps falling and
        # give up only after --mail-deadline seconds without progress.
        mail_deadline = time.monotonic() + options.mail_deadline
        missing = len(mail.problems(mail.tally(url, run_id, mbox)))
        while missing and time.monotonic() < mail_deadline:
            time.sleep(2)
            now_missing = len(mail.problems(mail.tally(url, run_id, mbox)))
            if now_missing < missing:
                mail_deadline = time.monotonic() + options.mail_deadline
            missing = now_missing
        sweeping.set()
        tally = mail.tally(url, run_id, mbox)
        mail_problems = mail.problems(tally)

        stored = database.count_by_marker(url, "admissions_consultationrequest", run_id)
        outcomes = Counter(r["outcome"] for r in results.values())
        thanked = [m for m, r in results.items() if r["outcome"] == "stored"]
        lost = [m for m in thanked if stored.get(m, 0) == 0]
        duplicates = [m for m, count in stored.items() if count > 1]
        bad = [(m, r.get("detail")) for m, r in results.items() if r["outcome"] == "bad_error"]
        kept_then_stored = [m for m in thanked if results[m]["resends"] > 0]
        kept_final = [m for m, r in results.items() if r["outcome"] == "kept"]
        stored_but_told_not = [m for m in kept_final if stored.get(m)]

        print()
        print(f"fault: PostgreSQL restart ({options.stop_mode}, {options.outage:.0f}s down, {mode})")
        print(f"  submissions attempted          {len(results)}")
        print(f"  reached thank-you page         {len(thanked)}")
        print(f"    of them after Send again     {len(kept_then_stored)}")
        print(f"  answers-kept pages shown       {len(kept_seen)} (503, answers, phone)")
        print(
            f"  still not sent after retries   {len(kept_final)} (stored anyway: {len(stored_but_told_not)})"
        )
        print(f"  form page unavailable (GET)    {outcomes.get('form_unavailable', 0)}")
        print(f"  rows in the database           {sum(stored.values())}")
        print(f"  LOST (thank-you, no row)       {len(lost)}")
        print(f"  DUPLICATES (rows per person>1) {len(duplicates)}")
        print(f"  BARE ERRORS (no answers kept)  {len(bad)}")
        print(f"  outage window                  {up_at - down_at:.1f}s")
        if first_ok_after is not None:
            print(f"  first thank-you after restart  {first_ok_after:.1f}s")
        print(f"  recovery submission            {recovered['outcome']}")
        print(f"  staff alerts exactly once      {sum(r['alerts'] == 1 for r in tally['requests'])}")
        print(f"  auto-replies exactly once      {sum(r['replies'] == 1 for r in tally['requests'])}")
        print(f"  resent after a crash (same ID) {sum(r['resends'] for r in tally['requests'])}")
        print(f"  MAIL PROBLEMS                  {len(mail_problems)}")
        print(f"  queue                          {tally['tasks']}")
        for problem in mail_problems[:10]:
            print(f"    {problem}")
        for marker, detail in bad[:5]:
            print(f"    bare error: {marker}: {detail}")

        failed = bool(lost or duplicates or bad or mail_problems or recovered["outcome"] != "stored")
        if kept_seen == set() and options.duration >= 10:
            print("  note: no post met the outage (too few clients?)")
        return group.result(failed)


if __name__ == "__main__":
    sys.exit(main())
