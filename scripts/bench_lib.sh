# Sourced by scripts/lighthouse.sh and scripts/bench_pages.sh: run the site the
# way production does (production settings, DEBUG off, collectstatic, whitenoise,
# gunicorn) in a throwaway directory, on 127.0.0.1 only.
#
#   site_prepare WORKDIR PORT DATABASE_URL   environment, migrate, demo content, collectstatic
#   site_start_gunicorn WORKERS [ARGS...]    starts gunicorn in the background, sets GUNICORN_PID
#   site_stop                                stops what site_start_gunicorn started
#   wait_for_http URL                        until it answers 200 (10 s at most)

PY=.venv/bin/python
GUNICORN_PID=""

site_prepare() {
  local work=$1 port=$2 database_url=$3
  export DJANGO_SETTINGS_MODULE=sheer_site.settings.production
  DJANGO_SECRET_KEY=$($PY -c 'import secrets; print(secrets.token_urlsafe(64))')
  PHI_ENCRYPTION_KEYS="bench:$($PY -c 'from admissions.crypto import generate_key; print(generate_key())')"
  PHI_LOOKUP_KEY=$($PY -c 'import secrets; print(secrets.token_urlsafe(32))')
  export DJANGO_SECRET_KEY PHI_ENCRYPTION_KEYS PHI_LOOKUP_KEY
  export ADMISSIONS_ALERT_EMAIL=${ADMISSIONS_ALERT_EMAIL:-admissions@example.test}
  export DJANGO_ALLOWED_HOSTS=127.0.0.1
  export SITE_URL="http://127.0.0.1:$port"
  export DATABASE_URL=$database_url
  export DJANGO_STATIC_ROOT="$work/static" DJANGO_MEDIA_ROOT="$work/media" DJANGO_PRIVATE_MEDIA_ROOT="$work/private"
  # Plain HTTP on the loopback: no redirect to https, no HSTS.
  export DJANGO_SECURE_SSL_REDIRECT=False DJANGO_SECURE_HSTS_SECONDS=0 DJANGO_SECURE_HSTS_PRELOAD=False
  export DJANGO_LOG_LEVEL=WARNING
  export GUNICORN_BIND="127.0.0.1:$port"
  $PY manage.py migrate --noinput -v0
  $PY manage.py createcachetable
  $PY manage.py load_demo_content >/dev/null
  $PY manage.py collectstatic --noinput -v0
}

site_start_gunicorn() {
  # No control socket: its default path is shared by every gunicorn on the machine.
  GUNICORN_WORKERS=$1 .venv/bin/gunicorn -c gunicorn.conf.py --no-control-socket --log-level warning "${@:2}" &
  GUNICORN_PID=$!
  wait_for_http "$SITE_URL/healthz"
}

site_stop() {
  if [[ -n $GUNICORN_PID ]] && kill -0 "$GUNICORN_PID" 2>/dev/null; then
    kill -TERM "$GUNICORN_PID"
    # gunicorn stops its workers on TERM; give it 10 s.
    for _ in $(seq 100); do kill -0 "$GUNICORN_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$GUNICORN_PID" 2>/dev/null || true
  fi
  GUNICORN_PID=""
}

wait_for_http() {
  for _ in $(seq 100); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$1") == 200 ]] && return 0
    sleep 0.1
  done
  echo "no answer from $1" >&2
  return 1
}
