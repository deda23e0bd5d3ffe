#!/usr/bin/env bash
# Release on one app host, run as the `sheer` user from the new checkout in
# /srv/sheer/app (docs/deploy.md, "Release"). Migrations run once per release,
# from one host only (RUN_MIGRATIONS=1 there), before any instance restarts:
# every migration must work with the code still running (add first, drop later).
set -euo pipefail
cd "$(dirname "$0")/.."
set -a; . /etc/sheer/sheer.env; set +a
.venv/bin/pip install --quiet --require-virtualenv -r requirements.txt
.venv/bin/python manage.py check --deploy --fail-level WARNING
if [[ "${RUN_MIGRATIONS:-0}" == 1 ]]; then
  .venv/bin/python manage.py migrate --noinput
  .venv/bin/python manage.py createcachetable
fi
bash scripts/compile_messages.sh
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/python manage.py render_outage_page /srv/sheer/outage/50x.html
# Rolling restart: one instance at a time, waiting until it answers /readyz,
# so nginx always has a live upstream.
for unit in $(systemctl list-units --plain --no-legend 'sheer-web@*.service' | awk '{print $1}'); do
  port=${unit#sheer-web@}; port=${port%.service}
  sudo systemctl restart "$unit"
  for _ in $(seq 1 30); do
    curl -fsS -o /dev/null -H 'X-Forwarded-Proto: https' -H "Host: ${SITE_URL#https://}" "http://127.0.0.1:$port/readyz" && break
    sleep 1
  done
  curl -fsS -o /dev/null -H 'X-Forwarded-Proto: https' -H "Host: ${SITE_URL#https://}" "http://127.0.0.1:$port/readyz" || { echo "$unit did not come back"; exit 1; }
done
# Workers finish their current task on SIGTERM, then start on the new code.
for unit in $(systemctl list-units --plain --no-legend 'sheer-worker@*.service' | awk '{print $1}'); do
  sudo systemctl restart "$unit"
done
echo "release done"
