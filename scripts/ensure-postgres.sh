#!/usr/bin/env bash
# Prints a DATABASE_URL for a PostgreSQL the test suite can use, starting one
# if needed. Order: $DATABASE_URL; the server on 127.0.0.1:5432; a stopped
# local cluster started with pg_ctlcluster; a throwaway cluster in a temporary
# directory (installing PostgreSQL with apt when root). Progress goes to stderr.
set -euo pipefail

say() { echo "ensure-postgres: $*" >&2; }
ready() { pg_isready -q -h "$1" -p "$2" 2>/dev/null || (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

if [[ -n "${DATABASE_URL:-}" ]]; then
  say "using DATABASE_URL from the environment"
  echo "$DATABASE_URL"; exit 0
fi

if ready 127.0.0.1 5432; then
  echo "postgres://postgres@127.0.0.1:5432/sheer_recovery"; exit 0
fi

if command -v pg_ctlcluster >/dev/null && [[ -d /etc/postgresql ]] && [[ $(id -u) == 0 ]]; then
  version=$(ls /etc/postgresql | sort -V | tail -n1)
  say "starting the local PostgreSQL $version cluster"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
  for _ in $(seq 20); do ready 127.0.0.1 5432 && { echo "postgres://postgres@127.0.0.1:5432/sheer_recovery"; exit 0; }; sleep 0.5; done
fi

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
if [[ -z "$bindir" ]] && [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
  say "installing PostgreSQL with apt-get"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
fi
if [[ -z "$bindir" ]]; then
  say "no PostgreSQL found. Set DATABASE_URL to a PostgreSQL server, or install PostgreSQL (apt-get install postgresql)."
  exit 1
fi

# Throwaway cluster, owned by an unprivileged user; stopped by scripts/test.sh.
dir=${SHEER_PGDATA:-$(mktemp -d /tmp/sheer-pg.XXXXXX)}
port=${SHEER_PGPORT:-54329}
run=(); [[ $(id -u) == 0 ]] && { chown postgres "$dir"; run=(runuser -u postgres --); }
say "starting a throwaway cluster in $dir on port $port"
"${run[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >&2
"${run[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" start >&2
echo "$dir" > "${SHEER_PG_STATE:-/dev/null}"
echo "postgres://postgres@127.0.0.1:$port/sheer_recovery"
