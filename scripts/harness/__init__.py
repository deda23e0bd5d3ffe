"""One harness for the scripts that run the real site on 127.0.0.1 (the fault
scripts, load_fleet.py, growth_bench.py, the bench_*.py benchmarks,
lighthouse.py) and for the fleet tests (tests/fleet/).

    process   children in their own process groups, a Group that stops them all
              (from `finally` and on SIGTERM/SIGHUP), waiting for ports, CPU from /proc
    database  PostgreSQL: scratch databases (sheer_h8_* on the shared server),
              a cluster of our own, psql, rows counted
    site      the site as production runs it: environment, migrate + demo content +
              collectstatic, gunicorn, the task worker
    nginx     deploy/nginx/sheer-recovery.conf on local ports, or any nginx.conf
    client    HTTP as a person's browser: fetch a form, read its tokens, post it
    mail      the SMTP sink (`python -m harness.mail`) and what arrived in it

Scripts import it as `harness` (scripts/ is on sys.path when one runs
`.venv/bin/python scripts/NAME.py` from the repo root). Ports 8801-8899 belong
to the fault, load and growth scripts.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
MANAGE = str(ROOT / "manage.py")
