#!/usr/bin/env bash
# Benchmark of a program page: gunicorn uncached, through nginx's proxy_cache,
# and nginx serving the page as a file (scripts/bench_pages.py, which starts
# and stops everything). BENCH_PORT (8202), BENCH_SECONDS (20),
# BENCH_CONNECTIONS (16), BENCH_WORKERS (2), BENCH_DB, BENCH_PG tune the run;
# arguments go to bench_pages.py (--help).
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python scripts/bench_pages.py "$@"
