#!/usr/bin/env bash
# `make messages`: collect every string marked for translation into the
# Spanish catalogue. Then translate what is new (empty msgstr) in the .po and
# commit it; tests/test_catalogue.py fails while anything is left.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python manage.py makemessages -l es --no-location --no-obsolete \
  --ignore=.venv --ignore=tests --ignore=tools --ignore=node_modules --ignore=staticfiles --ignore=scripts -v0
