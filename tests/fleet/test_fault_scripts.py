"""The fault scripts, short versions, against real servers on 127.0.0.1:
their own PostgreSQL cluster (restart), gunicorn with production settings, the
task worker, an SMTP server. Each prints its counts and exits non-zero on any
loss; here they must pass, and their counts must show the fault really hit.

The long versions are documented in docs/deploy.md ("Proving it").
"""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_script(name: str, *args: str, timeout: int) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / name), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "RESULT: PASS" in output
    return output


def count(output: str, label: str) -> int:
    match = re.search(rf"^\s+{re.escape(label)}\s+(\d+)", output, re.MULTILINE)
    assert match, f"{label!r} not in output:\n{output}"
    return int(match.group(1))


def test_database_restart_loses_nothing():
    output = run_script("fault_db_restart.py", "--duration", "15", "--clients", "4", timeout=240)
    assert count(output, "LOST (thank-you, no row)") == 0
    assert count(output, "DUPLICATES (rows per person>1)") == 0
    assert count(output, "BARE ERRORS (no answers kept)") == 0
    assert count(output, "reached thank-you page") > 50
    # The restart really cut requests off, and those people got their answers back.
    assert count(output, "answers-kept pages shown") + count(output, "form page unavailable (GET)") > 0


def test_mail_outage_sends_each_alert_once_when_back():
    output = run_script("fault_mail_outage.py", "--fast", "--down", "4", "--during", "5", timeout=240)
    assert count(output, "staff alerts exactly once") == 8
    assert count(output, "auto-replies exactly once") == 8
    assert count(output, "sends retried after a failure") >= 5


def test_killed_worker_job_runs_again_once():
    output = run_script("fault_worker_kill.py", "--requests", "2", timeout=240)
    assert "orphan left RUNNING meanwhile  yes" in output
    assert count(output, "tasks run more than once") >= 1
    assert count(output, "staff alerts exactly once") == 2
    assert count(output, "auto-replies exactly once") == 2


def test_cut_off_posts_store_nothing():
    output = run_script("fault_client_abort.py", "--photo-kb", "300", timeout=240)
    assert count(output, "rows from cut-off posts") == 0
    assert count(output, "photos from cut-off posts") == 0
    assert count(output, "photos after the complete post") == 2
    assert count(output, "rows from the complete post") == 1
