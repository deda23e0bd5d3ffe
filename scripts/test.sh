#!/usr/bin/env bash
# `make test`: find or start PostgreSQL, make sure chromium is there, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."

state=$(mktemp)
cleanup() {
  if [[ -s "$state" ]]; then
    dir=$(cat "$state"); bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
    run=(); [[ $(id -u) == 0 ]] && run=(runuser -u postgres --)
    "${run[@]}" "$bindir/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$dir"
  fi
  rm -f "$state"
}
trap cleanup EXIT

DATABASE_URL=$(SHEER_PG_STATE="$state" bash scripts/ensure-postgres.sh)
export DATABASE_URL
bash scripts/ensure-chromium.sh
bash scripts/fleet_tools.sh
bash scripts/compile_messages.sh

.venv/bin/python -m pytest "$@"
