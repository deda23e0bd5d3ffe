"""Lighthouse 12 (mobile emulation, its default) on the home page, a program
page, the team page and both forms, and on the Spanish home page, a Spanish
program page and the Spanish consultation form, served as in production: production settings with
DEBUG off, collectstatic, whitenoise, gunicorn. Prints the four category scores
per page (scripts/lighthouse_scores.py) and exits 1 if any is below --min
(LIGHTHOUSE_MIN, default 100). Reports: reports/lighthouse/*.html. Uses
127.0.0.1:--port (LIGHTHOUSE_PORT, default 8201) and a throwaway SQLite
database; stops everything it started.

    bash scripts/lighthouse.sh
"""

import argparse
import os
import re
import shutil
import subprocess
import sys

import lighthouse_scores
from harness import ROOT, site
from harness.process import Group

PAGES = [
    "/",
    "/programs/intensive-outpatient-program/",
    "/team/",
    "/admissions/consultation/",
    "/admissions/verify-insurance/",
    "/es/",
    "/es/programas/programa-intensivo-ambulatorio/",
    "/es/admisiones/consulta/",
]
LIGHTHOUSE = ROOT / "tools/node_modules/.bin/lighthouse"
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update"
)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("LIGHTHOUSE_PORT", 8201)))
    parser.add_argument("--min", type=int, default=int(os.environ.get("LIGHTHOUSE_MIN", 100)))
    args = parser.parse_args(argv)

    # Pinned in tools/package-lock.json; node_modules is not committed.
    if not LIGHTHOUSE.exists():
        subprocess.run(
            ["npm", "ci", "--prefix", "tools", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=ROOT,
            check=True,
        )
    out = ROOT / "reports" / "lighthouse"
    out.mkdir(parents=True, exist_ok=True)
    reports = []
    with Group("lighthouse") as group:
        env = site.direct_env(f"sqlite:///{group.work}/site.sqlite3", args.port, group.work)
        site.prepare(env)
        site.gunicorn(group, env, args.port, workers=2, threads=2)
        for path in PAGES:
            name = re.sub(r"[^a-z0-9]", "-", path).strip("-") or "home"
            subprocess.run(
                [LIGHTHOUSE, f"{env['SITE_URL']}{path}", "--quiet", f"--chrome-flags={CHROME_FLAGS}",
                 "--output=json", "--output=html", f"--output-path={group.work / name}",
                 "--max-wait-for-load=30000"],
                env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"}, check=True,
            )  # fmt: skip
            shutil.copy(group.work / f"{name}.report.html", out / f"{name}.html")
            shutil.copy(group.work / f"{name}.report.json", out / f"{name}.json")
            reports.append(str(out / f"{name}.json"))
    return lighthouse_scores.main(["--min", str(args.min), *reports])


if __name__ == "__main__":
    sys.exit(main())
