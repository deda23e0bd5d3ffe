#!/usr/bin/env bash
# Browser tests drive Debian's chromium through Playwright (Playwright's own
# browser download does not work on these machines). Install it if missing.
set -euo pipefail
[[ -x /usr/bin/chromium ]] && exit 0
if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
  echo "ensure-chromium: installing Debian's chromium" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >&2
  [[ -x /usr/bin/chromium ]] && exit 0
fi
echo "ensure-chromium: /usr/bin/chromium is missing; install Debian's chromium package (apt-get install chromium)." >&2
exit 1
