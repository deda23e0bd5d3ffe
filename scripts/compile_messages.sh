#!/usr/bin/env bash
# The Spanish catalogue's .mo from the committed .po (locale/es/LC_MESSAGES):
# the .mo is built, not committed, so it can never disagree with the .po.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v msgfmt >/dev/null || { echo "msgfmt is needed for the Spanish pages: apt-get install gettext" >&2; exit 1; }
exec .venv/bin/python manage.py compilemessages -l es --ignore=.venv --ignore=tools --ignore=node_modules -v0
