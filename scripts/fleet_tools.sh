#!/usr/bin/env bash
# The fleet tests and scripts run the real pieces: nginx (the deploy/nginx
# site), wrk (load), gpg (backup drill), openssl (a throwaway certificate).
# Install whichever is missing from Debian's packages (as root), else say so.
set -euo pipefail
missing=()
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
command -v wrk >/dev/null || missing+=(wrk)
command -v gpg >/dev/null || missing+=(gnupg)
command -v openssl >/dev/null || missing+=(openssl)
[[ ${#missing[@]} == 0 ]] && exit 0
if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
  echo "fleet_tools: installing ${missing[*]}" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}") >&2
  # Debian starts nginx's own service on :80 at install; the tests run their own.
  if [[ " ${missing[*]} " == *" nginx "* ]] && command -v systemctl >/dev/null; then
    systemctl disable --now nginx >/dev/null 2>&1 || true
  fi
  exit 0
fi
echo "fleet_tools: missing ${missing[*]}; install them with apt-get." >&2
exit 1
