#!/usr/bin/env bash
# Lighthouse 12 (mobile emulation, its default) on the home page, a program page
# and the comparison page, served as in production: production settings with
# DEBUG off, collectstatic, whitenoise, gunicorn. Prints the four category
# scores per page and exits 1 if any is below LIGHTHOUSE_MIN (default 100).
# Reports: reports/lighthouse/*.html. Uses 127.0.0.1:${LIGHTHOUSE_PORT:-8201}
# and a throwaway SQLite database; stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench_lib.sh

PORT=${LIGHTHOUSE_PORT:-8201}
MIN=${LIGHTHOUSE_MIN:-100}
PAGES=(/ /programs/intensive-outpatient-program/ /levels-of-care/)
LIGHTHOUSE=tools/node_modules/.bin/lighthouse

# Pinned in tools/package-lock.json; node_modules is not committed.
if [[ ! -x $LIGHTHOUSE ]]; then
  npm ci --prefix tools --no-audit --no-fund --loglevel=error
fi

work=$(mktemp -d)
cleanup() { site_stop; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

site_prepare "$work" "$PORT" "sqlite:///$work/site.sqlite3"
site_start_gunicorn 2

mkdir -p reports/lighthouse
export CHROME_PATH=/usr/bin/chromium
reports=()
for path in "${PAGES[@]}"; do
  name=$(echo "$path" | tr -c 'a-z0-9\n' '-' | sed 's/^-*$/home/; s/^-//; s/-$//')
  "$LIGHTHOUSE" "$SITE_URL$path" --quiet \
    --chrome-flags="--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update" \
    --output=json --output=html --output-path="$work/$name" --max-wait-for-load=30000
  cp "$work/$name.report.html" "reports/lighthouse/$name.html"
  cp "$work/$name.report.json" "reports/lighthouse/$name.json"
  reports+=("reports/lighthouse/$name.json")
done

$PY scripts/lighthouse_scores.py --min "$MIN" "${reports[@]}"
