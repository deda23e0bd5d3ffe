#!/usr/bin/env bash
# Benchmark of a program page, in one run (not a timed test):
#   (a) gunicorn with production settings, no cache: requests/s and CPU per request;
#   (b) the same page through nginx's proxy_cache in front of that gunicorn;
#   (c) nginx serving the same HTML saved as a static file.
# Everything listens on 127.0.0.1:${BENCH_PORT:-8202}..+2, lives in a temporary
# directory and a throwaway PostgreSQL database, and is stopped on exit.
# BENCH_SECONDS (20), BENCH_CONNECTIONS (16), BENCH_WORKERS (2) tune the run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench_lib.sh

PAGE=/programs/intensive-outpatient-program/
PORT=${BENCH_PORT:-8202}
CACHE_PORT=$((PORT + 1))
STATIC_PORT=$((PORT + 2))
DB=${BENCH_DB:-sheer_h2_bench}
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
for tool in wrk nginx curl psql; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install wrk nginx curl postgresql-client)" >&2; exit 1; }
done

work=$(mktemp -d)
chmod 755 "$work"  # nginx workers run as nobody and read the saved page
NGINX_PID=""
cleanup() {
  if [[ -n $NGINX_PID ]] && kill -0 "$NGINX_PID" 2>/dev/null; then
    kill -QUIT "$NGINX_PID"
    for _ in $(seq 50); do kill -0 "$NGINX_PID" 2>/dev/null || break; sleep 0.1; done
  fi
  site_stop
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
psql "$PG/postgres" -qc "CREATE DATABASE $DB" >/dev/null
site_prepare "$work" "$PORT" "$PG/$DB"
# Workers are not recycled mid-run (max_requests), or their CPU time would be lost.
site_start_gunicorn "${BENCH_WORKERS:-2}" --max-requests 0

# (c) the same HTML as a file.
mkdir -p "$work/html$PAGE" "$work/nginx"
curl -sf "$SITE_URL$PAGE" -o "$work/html${PAGE}index.html"
chmod -R a+rX "$work/html"

cat >"$work/nginx/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  # Keeps descriptors of both the saved page and the cache file open.
  open_file_cache max=1000 inactive=60s;
  open_file_cache_valid 60s;
  default_type text/html;
  client_body_temp_path $work/nginx/client_body;
  proxy_temp_path $work/nginx/proxy_temp;
  fastcgi_temp_path $work/nginx/fastcgi_temp;
  uwsgi_temp_path $work/nginx/uwsgi_temp;
  scgi_temp_path $work/nginx/scgi_temp;
  proxy_cache_path $work/nginx/cache levels=1:2 keys_zone=pages:10m max_size=100m inactive=10m use_temp_path=off;

  upstream django {
    server 127.0.0.1:$PORT;
    keepalive 16;
  }

  # (b) Django's Cache-Control (public, max-age) sets how long a page is kept;
  # proxy_cache_valid only applies to responses without one. Responses that are
  # private, no-store or set a cookie are never cached (nginx's defaults).
  server {
    listen 127.0.0.1:$CACHE_PORT;
    location / {
      proxy_pass http://django;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_cache pages;
      proxy_cache_valid 200 10s;
      proxy_cache_lock on;
      proxy_cache_revalidate on;
      proxy_cache_use_stale error timeout updating;
      proxy_cache_background_update on;
      add_header X-Cache-Status \$upstream_cache_status always;
    }
  }

  # (c)
  server {
    listen 127.0.0.1:$STATIC_PORT;
    root $work/html;
    index index.html;
  }
}
NGINX
nginx -p "$work/nginx" -e "$work/nginx/error.log" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
NGINX_PID=$!
wait_for_http "http://127.0.0.1:$STATIC_PORT$PAGE"
wait_for_http "http://127.0.0.1:$CACHE_PORT$PAGE"

status=$(curl -s -o /dev/null -D - "http://127.0.0.1:$CACHE_PORT$PAGE" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-cache-status"{print $2}')
if [[ $status != HIT ]]; then
  echo "bench: the second request through nginx was a cache $status, not a HIT" >&2
  exit 1
fi

$PY scripts/bench_pages.py --path "$PAGE" \
  --gunicorn "$SITE_URL" --gunicorn-pid "$GUNICORN_PID" \
  --proxy-cache "http://127.0.0.1:$CACHE_PORT" --static "http://127.0.0.1:$STATIC_PORT" --nginx-pid "$NGINX_PID" \
  --database-url "$PG/$DB" \
  --seconds "${BENCH_SECONDS:-20}" --connections "${BENCH_CONNECTIONS:-16}"
