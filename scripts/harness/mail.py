"""The mail server the fault scripts start and stop, and what arrived in it.

    python -m harness.mail --port P --mbox FILE [--delay S]     (from scripts/)

is a real SMTP server (aiosmtpd) that appends every message to an mbox;
--delay holds each recipient that long before accepting it (a slow server, so
a worker can be killed in the middle of sending).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import threading
from collections import Counter, defaultdict
from pathlib import Path

from . import PYTHON, ROOT
from .process import Group, Proc, free_port_or_fail, port_open, wait_for


def start_sink(group: Group, port: int, mbox: Path, *, delay: float = 0.0) -> Proc:
    free_port_or_fail(port)
    proc = group.start(
        f"smtp-{port}",
        [PYTHON, "-m", "harness.mail", "--port", str(port), "--mbox", str(mbox), "--delay", str(delay)],
        env={**os.environ, "PYTHONPATH": str(ROOT / "scripts")},
    )
    wait_for(lambda: port_open(port), timeout=10, what="smtp sink", proc=proc)
    return proc


def received(mbox: Path) -> list[tuple[str, str]]:
    """(subject, to) of every message the sink accepted."""
    return [(subject, to) for subject, to, _ in deliveries(mbox)]


def deliveries(mbox: Path) -> list[tuple[str, str, str]]:
    """(subject, to, Message-ID) of every delivery the sink accepted."""
    import mailbox

    if not mbox.exists():
        return []
    return [(str(m["subject"]), str(m["to"]), str(m["message-id"])) for m in mailbox.mbox(str(mbox))]


def tally(database_url: str, prefix: str, mbox: Path) -> dict:
    """Per stored request: how many staff alerts (subject names the lead) and
    auto-replies (sent to the person's address) arrived; and the queue's state."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        requests = conn.execute(
            "SELECT id, lead_id, utm_campaign, staff_alert_sent_at IS NOT NULL, auto_reply_sent_at IS NOT NULL "
            "FROM admissions_consultationrequest WHERE utm_campaign LIKE %s",
            [prefix + "%"],
        ).fetchall()
        tasks = dict(
            conn.execute("SELECT status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY status")
        )
    messages = deliveries(mbox)
    # A message is its Message-ID: the same one delivered again (a retry after
    # a crash between the mail server's accept and the commit) is one message
    # sent twice, counted apart as a resend.
    alerts, replies = defaultdict(set), defaultdict(set)
    alert_sends, reply_sends = Counter(), Counter()
    for subject, to, message_id in messages:
        if match := re.search(r"\(lead (\d+)\)", subject):
            alerts[int(match.group(1))].add(message_id)
            alert_sends[int(match.group(1))] += 1
        elif subject == "We received your request":
            replies[to.lower()].add(message_id)
            reply_sends[to.lower()] += 1
    per_request = [
        {
            "marker": marker,
            "alerts": len(alerts.get(lead_id, ())),
            "replies": len(replies.get(f"{marker.lower()}@example.com", ())),
            "resends": alert_sends.get(lead_id, 0)
            - len(alerts.get(lead_id, ()))
            + reply_sends.get(f"{marker.lower()}@example.com", 0)
            - len(replies.get(f"{marker.lower()}@example.com", ())),
            "alert_marked": alert_marked,
            "reply_marked": reply_marked,
        }
        for _, lead_id, marker, alert_marked, reply_marked in requests
    ]
    return {"requests": per_request, "tasks": tasks, "messages": len(messages)}


def problems(counts: dict) -> list[str]:
    """Everything short of: each alert and each auto-reply exactly once,
    recorded as sent, and no task left failed, running or waiting."""
    found = []
    for row in counts["requests"]:
        for kind, count, marked in (
            ("staff alert", row["alerts"], row["alert_marked"]),
            ("auto-reply", row["replies"], row["reply_marked"]),
        ):
            if count != 1:
                found.append(f"{row['marker']}: {kind} received {count} times")
            if not marked:
                found.append(f"{row['marker']}: {kind} not recorded as sent")
    for status in ("FAILED", "RUNNING", "READY"):
        if counts["tasks"].get(status):
            found.append(f"{counts['tasks'][status]} task(s) {status}")
    return found


def serve(port: int, mbox: str, delay: float) -> None:
    import asyncio
    import mailbox

    from aiosmtpd.controller import Controller

    class Sink:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            # Slow before the message is sent: a client killed now has sent
            # nothing, as with a real server that is slow to answer.
            if delay:
                await asyncio.sleep(delay)
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            box = mailbox.mbox(mbox)
            box.lock()
            try:
                box.add(mailbox.mboxMessage(envelope.original_content))
                box.flush()
            finally:
                box.unlock()
            return "250 Message accepted"

    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mbox", required=True)
    parser.add_argument("--delay", type=float, default=0.0)
    options = parser.parse_args()
    serve(options.port, options.mbox, options.delay)
