#!/usr/bin/env bash
# The MDN HTTP Observatory's tests against this site served the way production
# serves it: gunicorn, production settings, collectstatic + whitenoise.
#
# Two runs: plain HTTP with the HTTPS redirect off (every test that does not
# need TLS must pass), then, where openssl is available, the same site over TLS
# with a throwaway self-signed certificate the scanner is told to trust and the
# redirect on (every test must pass). Scores are printed.
#
# The scanner (npm @mdn/mdn-http-observatory, pinned in scripts/observatory/)
# is installed with --ignore-scripts into .cache/: its install step would
# download Chromium's HSTS preload list and IANA's TLD list, so empty ones are
# written instead (neither matters for a local host).
#
# Env: OBSERVATORY_PORT (default 8701; TLS uses the next port), DATABASE_URL (default: ensure-postgres.sh,
# database sheer_observatory), OBSERVATORY_PATHS (default "/ /admissions/consultation/ /admin/login/").
set -euo pipefail
cd "$(dirname "$0")/.."

port=${OBSERVATORY_PORT:-8701}
tools=.cache/observatory
pkg=$tools/node_modules/@mdn/mdn-http-observatory
if ! cmp -s scripts/observatory/package-lock.json "$tools/package-lock.json" || [[ ! -d $pkg ]]; then
  mkdir -p "$tools"
  cp scripts/observatory/package.json scripts/observatory/package-lock.json "$tools/"
  (cd "$tools" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
echo '{}' > "$pkg/conf/hsts-preload.json"
echo '[]' > "$pkg/conf/tld-list.json"

state=$(mktemp); static=$(mktemp -d); pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  rm -rf "$static"
  if [[ -s "$state" ]]; then  # a throwaway cluster ensure-postgres.sh started
    dir=$(cat "$state"); bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
    run=(); [[ $(id -u) == 0 ]] && run=(runuser -u postgres --)
    "${run[@]}" "$bindir/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$dir"
  fi
  rm -f "$state"
}
trap cleanup EXIT

if [[ -z "${DATABASE_URL:-}" ]]; then
  DATABASE_URL=$(SHEER_PG_STATE="$state" bash scripts/ensure-postgres.sh)
  DATABASE_URL="${DATABASE_URL%/*}/sheer_observatory"
fi
.venv/bin/python - "$DATABASE_URL" <<'PY'
import sys
from urllib.parse import urlsplit

import psycopg

url = urlsplit(sys.argv[1])
name = url.path.lstrip("/")
with psycopg.connect(sys.argv[1].replace(f"/{name}", "/postgres"), autocommit=True) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
        conn.execute(f'CREATE DATABASE "{name}"')  # noqa: S608 - our own constant name
PY

export DATABASE_URL
export DJANGO_SETTINGS_MODULE=sheer_site.settings.production
export DJANGO_SECRET_KEY="observatory-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(64))')"
export DJANGO_ALLOWED_HOSTS=localhost,127.0.0.1
export SITE_URL="http://localhost:$port"
export DJANGO_SECURE_SSL_REDIRECT=False
export DJANGO_STATIC_ROOT=$static
export DJANGO_LOG_LEVEL=ERROR
export ADMISSIONS_ALERT_EMAIL=admissions@example.test
export PHI_ENCRYPTION_KEYS="obs1:$(.venv/bin/python -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')"
export PHI_LOOKUP_KEY="$(.venv/bin/python -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')"
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py createcachetable
.venv/bin/python manage.py load_demo_content >/dev/null
.venv/bin/python manage.py collectstatic --noinput -v0

serve() {  # port, extra gunicorn arguments...
  local bind=$1; shift
  GUNICORN_BIND=127.0.0.1:$bind GUNICORN_WORKERS=1 GUNICORN_THREADS=2 .venv/bin/gunicorn -c gunicorn.conf.py "$@" &
  pids+=($!)
}
wait_for() {
  for _ in $(seq 60); do curl -ksS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.5; done
  echo "observatory: $1 did not answer" >&2; return 1
}

scan_pages() {  # label, https port (1 = none)
  local fail=0
  for page in ${OBSERVATORY_PATHS:-/ /admissions/consultation/ /admin/login/}; do
    out=$(node scripts/observatory/scan.mjs "$PWD/$pkg" localhost "$port" "$2" "$page")
    .venv/bin/python - "$1" "$page" "$out" <<'PY' || fail=1
import json
import sys

label, page, result = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
# Without TLS these cannot pass: the redirect to https, and HSTS (sent over https only).
needs_tls = ("redirection-", "hsts-") if label == "http" else ()
scan = result["scan"]
print(f"observatory {label} {page}: grade {scan['grade']}, score {scan['score']}, "
      f"{scan['passed']}/{scan['quantity']} tests passed (HTTP {scan['status']})")
failed = []
for name, test in sorted(result["tests"].items()):
    tls = bool(test["result"]) and test["result"].startswith(needs_tls)
    mark = "pass" if test["pass"] else ("needs TLS" if tls else "FAIL")
    print(f"  {mark:9} {name:32} {test['result']} ({test['modifier']:+d})")
    if not test["pass"] and not tls:
        failed.append(name)
if failed:
    print(f"observatory {label} {page}: FAILED {', '.join(failed)}")
    sys.exit(1)
PY
  done
  return $fail
}

fail=0
DJANGO_SECURE_SSL_REDIRECT=False serve "$port"
wait_for "http://127.0.0.1:$port/healthz"
scan_pages http 1 || fail=1
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true; pids=()

if command -v openssl >/dev/null; then
  tls_port=$((port + 1))
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost" -keyout "$static/key.pem" -out "$static/cert.pem" 2>/dev/null
  # Plain HTTP redirects to the TLS port (SECURE_SSL_HOST), which serves the site.
  DJANGO_SECURE_SSL_REDIRECT=True DJANGO_SECURE_SSL_HOST="localhost:$tls_port" serve "$port"
  DJANGO_SECURE_SSL_REDIRECT=True serve "$tls_port" --certfile "$static/cert.pem" --keyfile "$static/key.pem"
  wait_for "https://127.0.0.1:$tls_port/healthz"
  NODE_EXTRA_CA_CERTS="$static/cert.pem" scan_pages https "$tls_port" || fail=1
else
  echo "observatory: openssl missing, TLS run skipped"
fi
exit $fail
