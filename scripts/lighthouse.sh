#!/usr/bin/env bash
# Lighthouse 12 (mobile emulation) on the home page, a program page, the team
# page and both forms, served as in production (scripts/lighthouse.py). Exits 1 if
# any score is below LIGHTHOUSE_MIN (default 100). Reports: reports/lighthouse/.
# LIGHTHOUSE_PORT (8201) picks the port.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python scripts/lighthouse.py "$@"
