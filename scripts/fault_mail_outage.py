#!/usr/bin/env python
"""The mail server down for a while: staff alerts (and auto-replies) go out
once it is back, each exactly once.

Starts, on 127.0.0.1: gunicorn (production settings, 8802) on a scratch
database sheer_h8_mail, a task worker (`manage.py db_worker`), and a real SMTP
server (aiosmtpd, 8825) that writes what it accepts to an mbox. Requests sent
while the mail server is up are mailed at once; then the mail server is
stopped, more requests come in (every send fails, the task schedules a retry
with backoff), the mail server comes back, and the script waits until the queue
is empty. It then counts the messages per request in the mbox.

    .venv/bin/python scripts/fault_mail_outage.py               # real backoff: ~2 min
    .venv/bin/python scripts/fault_mail_outage.py --fast        # make test: see below

The first retry waits 60 s (admissions.intake.notifications.RETRY_DELAYS). --fast shortens
that wait by moving the retries' run_after to "now" once the mail server is
back (what the clock would do a minute later); every send, failure, retry and
lock is still the real code against the real servers.

Exit status 1 unless every alert and auto-reply arrived exactly once.
"""

import argparse
import sys
import threading
import time

from harness import client, database, mail, site
from harness.process import Group, log, wait_for


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", type=int, default=3, help="requests while mail is up (default 3)")
    parser.add_argument("--during", type=int, default=8, help="requests while mail is down (default 8)")
    parser.add_argument(
        "--down", type=float, default=20.0, help="seconds the mail server is down (default 20)"
    )
    parser.add_argument("--fast", action="store_true", help="skip the backoff wait (see above)")
    parser.add_argument("--port", type=int, default=8802)
    parser.add_argument("--smtp-port", type=int, default=8825)
    parser.add_argument("--deadline", type=float, default=240.0, help="give up after this many seconds")
    options = parser.parse_args(argv)
    return run(options)


def run(options) -> int:
    with Group("mail") as group:
        url = database.scratch(group, "sheer_h8_mail")
        env, _ = site.serve_fleet(
            group, url, options.port, workers=1, threads=4, EMAIL_PORT=options.smtp_port
        )
        mbox = group.work / "mail.mbox"
        sink = mail.start_sink(group, options.smtp_port, mbox)
        site.worker(group, env, "mail-1")
        run_id = client.run_id()
        thanked = []

        def submit(n: int) -> None:
            result = client.submit_consultation(client.Browser(options.port), f"{run_id}x{n}")
            if result["outcome"] == "stored":
                thanked.append(n)
            else:
                log(f"submission {n}: {result}")

        log(f"{options.before} requests with the mail server up")
        for n in range(options.before):
            submit(n)
        wait_for(
            lambda: len(mail.received(mbox)) >= 2 * options.before,
            timeout=30,
            what="mail before the outage",
        )

        log(f"mail server down for {options.down:.0f}s; {options.during} requests meanwhile")
        sink.stop()
        down_at = time.monotonic()
        threads = [
            threading.Thread(target=submit, args=(n,))
            for n in range(options.before, options.before + options.during)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        # Every send during the outage has failed and scheduled its retry.
        wait_for(lambda: retries_waiting(url) >= 2 * options.during, timeout=30, what="retries scheduled")
        time.sleep(max(0.0, options.down - (time.monotonic() - down_at)))
        sink = mail.start_sink(group, options.smtp_port, mbox)
        log("mail server back")
        if options.fast:
            moved = database.psql(
                url,
                "WITH moved AS (UPDATE django_tasks_database_dbtaskresult SET run_after = now() "
                "WHERE status = 'READY' AND run_after > now() AND run_after < '9999-01-01' RETURNING 1) "
                "SELECT count(*) FROM moved",
            )
            log(f"--fast: {moved} retries brought forward to now")

        deadline = time.monotonic() + options.deadline
        while time.monotonic() < deadline:
            tally = mail.tally(url, run_id, mbox)
            if not mail.problems(tally):
                break
            time.sleep(1)
        back_for = time.monotonic() - down_at - options.down
        tally = mail.tally(url, run_id, mbox)
        problems = mail.problems(tally)
        failed_sends = failed_attempts(url)

        print()
        print(f"fault: mail server down {options.down:.0f}s{' (--fast)' if options.fast else ''}")
        print(f"  requests stored (thank-you)    {len(thanked)} of {options.before + options.during}")
        print(f"  rows in the database           {len(tally['requests'])}")
        print(f"  messages accepted by the sink  {tally['messages']}")
        print(f"  staff alerts exactly once      {sum(r['alerts'] == 1 for r in tally['requests'])}")
        print(f"  auto-replies exactly once      {sum(r['replies'] == 1 for r in tally['requests'])}")
        print(f"  sends retried after a failure  {failed_sends}")
        print(f"  queue                          {tally['tasks']}")
        print(f"  all delivered after recovery   {back_for:.1f}s")
        lost_requests = len(thanked) != options.before + options.during or len(tally["requests"]) != len(
            thanked
        )
        failed = bool(problems or lost_requests or failed_sends < options.during)
        if failed:
            for problem in problems[:10]:
                print(f"  PROBLEM: {problem}")
            if failed_sends < options.during:
                print("  PROBLEM: the outage did not make sends fail (was the sink really down?)")
        return group.result(failed, tail=15)


def retries_waiting(url: str) -> int:
    return int(
        database.psql(
            url,
            "SELECT count(*) FROM django_tasks_database_dbtaskresult "
            "WHERE status = 'READY' AND run_after > now() AND run_after < '9999-01-01'",
        )
    )


def failed_attempts(url: str) -> int:
    """Tasks that ran, found the mail server down and scheduled a retry."""
    return int(
        database.psql(
            url,
            "SELECT count(*) FROM django_tasks_database_dbtaskresult "
            "WHERE return_value = '\"retry scheduled\"'::jsonb",
        )
    )


if __name__ == "__main__":
    sys.exit(main())
