#!/usr/bin/env python
"""The task worker killed (SIGKILL) in the middle of a job: the job runs
again and its effects happen once.

Starts, on 127.0.0.1: gunicorn (production settings, 8803) on a scratch
database sheer_h8_worker, a slow SMTP server (each recipient held --smtp-delay
seconds, so a send takes a while), and a task worker with a fixed id, as
deploy/systemd/sheer-worker@.service runs it. Requests come in; as soon as the
worker is in the middle of sending, it is killed with SIGKILL (no clean-up, as
the OOM killer would). django_tasks_db leaves that task RUNNING for ever; a
second live worker shows it stays stuck. The killed worker is then started
again with its id (the unit's Restart=always), which first returns its
orphaned task to the queue (`manage.py requeue_stale_tasks --worker-id`).

    .venv/bin/python scripts/fault_worker_kill.py            # ~30 s
    .venv/bin/python scripts/fault_worker_kill.py --kills 3  # kill it three times

Exit status 1 unless every staff alert and auto-reply arrived exactly once
and no task is left running or failed.
"""

import argparse
import sys
import time

from harness import client, database, mail, site
from harness.process import Group, log, wait_for

RUNNING_TASK = (
    "SELECT id, worker_ids->>-1 FROM django_tasks_database_dbtaskresult "
    "WHERE status = 'RUNNING' ORDER BY started_at LIMIT 1"
)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=3, help="requests sent (default 3)")
    parser.add_argument("--kills", type=int, default=1, help="times the worker is killed mid-job (default 1)")
    parser.add_argument(
        "--smtp-delay", type=float, default=2.0, help="seconds the mail server waits per recipient"
    )
    parser.add_argument("--port", type=int, default=8803)
    parser.add_argument("--smtp-port", type=int, default=8826)
    options = parser.parse_args(argv)
    return run(options)


def run(options) -> int:
    with Group("worker") as group:
        url = database.scratch(group, "sheer_h8_worker")
        env, _ = site.serve_fleet(
            group, url, options.port, workers=1, threads=2, EMAIL_PORT=options.smtp_port
        )
        mbox = group.work / "mail.mbox"
        mail.start_sink(group, options.smtp_port, mbox, delay=options.smtp_delay)
        run_id = client.run_id()
        stored = 0
        for n in range(options.requests):
            result = client.submit_consultation(client.Browser(options.port), f"{run_id}x{n}")
            stored += result["outcome"] == "stored"
        log(f"{stored} requests stored; {2 * stored} mails queued")

        killed_tasks = []
        stuck_seconds = 0.0
        worker = site.worker(group, env, "kill-1")
        for kill in range(options.kills):
            task_id, claimed_by = wait_for(
                lambda: (
                    database.psql(url, RUNNING_TASK).split("|") if database.psql(url, RUNNING_TASK) else None
                ),
                timeout=60,
                what="a task in the middle of sending",
                interval=0.05,
            )
            time.sleep(options.smtp_delay / 3)  # well inside the SMTP conversation
            worker.kill()
            log(f"kill {kill + 1}: SIGKILL to worker {claimed_by} while it ran task {task_id[:8]}")
            killed_tasks.append(task_id)
            if kill == 0:
                # Another worker is alive, and the orphan still stays RUNNING:
                # django_tasks_db never takes back a claimed task by itself.
                other = site.worker(group, env, "other-1")
                time.sleep(options.smtp_delay * 2 + 1)
                status = task_status(url, task_id)
                stuck_seconds = options.smtp_delay * 2 + 1 if status == "RUNNING" else 0.0
                log(f"with another worker live, the killed task is {status}")
                other.stop()
            # systemd's Restart=always: same id, orphans requeued first.
            worker = site.worker(group, env, "kill-1")

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and mail.problems(mail.tally(url, run_id, mbox)):
            time.sleep(0.5)
        tally = mail.tally(url, run_id, mbox)
        problems = mail.problems(tally)
        reruns = database.psql(
            url,
            "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE jsonb_array_length(worker_ids) > 1",
        )

        print()
        print(f"fault: task worker killed mid-job ({options.kills} time(s))")
        print(f"  requests stored                {stored} of {options.requests}")
        print(f"  tasks killed while sending     {len(killed_tasks)}")
        print(f"  orphan left RUNNING meanwhile  {'yes' if stuck_seconds else 'no'} (another worker live)")
        print(f"  tasks run more than once       {reruns} (claimed by a second worker id or run)")
        print(f"  messages accepted              {tally['messages']} (expected {2 * stored})")
        print(f"  staff alerts exactly once      {sum(r['alerts'] == 1 for r in tally['requests'])}")
        print(f"  auto-replies exactly once      {sum(r['replies'] == 1 for r in tally['requests'])}")
        print(f"  queue                          {tally['tasks']}")
        failed = bool(problems or stored != options.requests or int(reruns) < 1)
        for problem in problems[:10]:
            print(f"  PROBLEM: {problem}")
        return group.result(failed, tail=15)


def task_status(url: str, task_id: str) -> str:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT status FROM django_tasks_database_dbtaskresult WHERE id = %s", [task_id]
        ).fetchone()
    return row[0] if row else ""


if __name__ == "__main__":
    sys.exit(main())
