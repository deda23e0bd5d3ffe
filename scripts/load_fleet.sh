#!/usr/bin/env bash
# Load through nginx to two gunicorn instances and to one (scripts/load_fleet.py):
#   bash scripts/load_fleet.sh [--duration 60] [--clients 64]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/fleet_tools.sh
exec .venv/bin/python scripts/load_fleet.py "$@"
