#!/usr/bin/env bash
# Offline static security checks, run by CI:
#  - bandit over the app code: no high-severity finding allowed;
#  - semgrep with the rules kept in .semgrep/ only (no registry rules, no
#    metrics, no version check: nothing leaves the machine). First the rules
#    must catch every planted mistake in tests/security/scanner_fixtures/,
#    then the code must have no finding.
# The scanners live in .cache/scan-venv, pinned by requirements-scan.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.cache/scan-venv
if ! cmp -s requirements-scan.txt "$venv/.installed" 2>/dev/null; then
  python=$(command -v python3.12 || command -v python3)
  "$python" -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r requirements-scan.txt
  cp requirements-scan.txt "$venv/.installed"
fi

code=(admissions programs sheer_site)

echo "== bandit (fails on high severity)"
"$venv/bin/bandit" -q -r "${code[@]}" -x '*/migrations/*' --severity-level high
echo "bandit: no high-severity finding"

semgrep() {
  SEMGREP_ENABLE_VERSION_CHECK=0 SEMGREP_SEND_METRICS=off \
    "$venv/bin/semgrep" scan --metrics=off --disable-version-check --oss-only --config .semgrep/ "$@"
}

echo "== semgrep rules catch the planted mistakes"
planted=$(mktemp -d); trap 'rm -rf "$planted"' EXIT
mkdir -p "$planted/templates"
cp tests/security/scanner_fixtures/bad_views.py.txt "$planted/bad_views.py"
cp tests/security/scanner_fixtures/bad_template.html.txt "$planted/templates/bad.html"
semgrep --json --quiet "$planted" > "$planted/out.json" || true
"$venv/bin/python" - "$planted/out.json" <<'PY'
import collections
import json
import sys

found = collections.Counter(r["check_id"].rsplit(".", 1)[-1] for r in json.load(open(sys.argv[1]))["results"])
# Lines in tests/security/scanner_fixtures that each rule must flag.
expected = {
    "no-csrf-exempt": 1,
    "no-raw-sql-built-from-strings": 4,
    "no-mark-safe-on-variables": 1,
    "no-safe-filter-or-autoescape-off-in-templates": 2,
}
missing = {rule: n for rule, n in expected.items() if found[rule] < n}
print("semgrep planted findings:", dict(found))
if missing:
    sys.exit(f"semgrep rules missed planted mistakes: {missing}")
PY

echo "== semgrep on the code"
semgrep --error --quiet "${code[@]}" templates
echo "semgrep: no finding"
