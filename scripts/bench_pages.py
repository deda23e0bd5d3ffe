"""Benchmark of a program page, in one run (not a timed test):
  (a) gunicorn with production settings, no cache: requests/s and CPU per request,
      in alternating rounds with (a') the floor: the same gunicorn serving a
      constant ~15 KB page (/bench/floor/, routed only with DJANGO_BENCH_FLOOR);
  (b) the same page through nginx's proxy_cache in front of that gunicorn;
  (c) nginx serving the same HTML saved as a static file.
Prints issue 14's ratios against their targets and exits 1 on a miss: the
program page's server CPU (gunicorn + PostgreSQL) <= 1.5x the floor's, and
the proxy cache's rate >= 0.9x the static file's.
Everything listens on 127.0.0.1:PORT..PORT+2 (--port, default BENCH_PORT or
8202), lives in a temporary directory and a throwaway PostgreSQL database, and
is stopped on exit. Server CPU is read from /proc (utime + stime of the
server's worker processes, and of the PostgreSQL backends serving the site)
before and after each wrk run, and divided by the number of requests wrk
completed. BENCH_SECONDS (20), BENCH_CONNECTIONS (16), BENCH_WORKERS (2),
BENCH_DB (sheer_h2_bench) and BENCH_PG (the server) give the defaults.

    bash scripts/bench_pages.sh
    .venv/bin/python scripts/bench_pages.py --seconds 4 --rounds 2
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from harness import client, database, nginx, site
from harness.process import Group, children, cpu_ms

PAGE = "/programs/intensive-outpatient-program/"
FLOOR = "/bench/floor/"  # DJANGO_BENCH_FLOOR: a constant ~15 KB page (sheer_site/bench.py)
NGINX_CONF = """
worker_processes 1;
pid {work}/nginx/nginx.pid;
error_log {work}/nginx/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  # Keeps descriptors of both the saved page and the cache file open.
  open_file_cache max=1000 inactive=60s;
  open_file_cache_valid 60s;
  default_type text/html;
  client_body_temp_path {work}/nginx/client_body;
  proxy_temp_path {work}/nginx/proxy_temp;
  fastcgi_temp_path {work}/nginx/fastcgi_temp;
  uwsgi_temp_path {work}/nginx/uwsgi_temp;
  scgi_temp_path {work}/nginx/scgi_temp;
  proxy_cache_path {work}/nginx/cache levels=1:2 keys_zone=pages:10m max_size=100m inactive=10m use_temp_path=off;

  upstream django {{
    server 127.0.0.1:{port};
    keepalive 16;
  }}

  # (b) Django's Cache-Control (public, max-age) sets how long a page is kept;
  # proxy_cache_valid only applies to responses without one. Responses that are
  # private, no-store or set a cookie are never cached (nginx's defaults).
  server {{
    listen 127.0.0.1:{cache_port};
    location / {{
      proxy_pass http://django;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_cache pages;
      proxy_cache_valid 200 10s;
      proxy_cache_lock on;
      proxy_cache_revalidate on;
      proxy_cache_use_stale error timeout updating;
      proxy_cache_background_update on;
      add_header X-Cache-Status $upstream_cache_status always;
    }}
  }}

  # (c)
  server {{
    listen 127.0.0.1:{static_port};
    root {work}/html;
    index index.html;
  }}
}}
"""

# wrk prints this line at the end of a run; the table is built from it.
WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "seconds": %f, "p50_ms": %f, "p99_ms": %f, "errors": %d, "bad_status": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def wrk(url, *, seconds, connections, threads, script):
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "-s", script, url]
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30, check=True)
    line = next(line for line in result.stdout.splitlines() if line.startswith("WRK "))
    report = json.loads(line[4:])
    if report["errors"] or report["bad_status"]:
        sys.exit(f"wrk against {url}: {report['errors']} socket errors, {report['bad_status']} bad statuses")
    return report


def run(url, *, seconds, server_pids, db_pids, args, script):
    """One wrk run, with the CPU the server processes spent during it."""
    before, db_before = cpu_ms(server_pids), cpu_ms(db_pids)
    report = wrk(url, seconds=seconds, connections=args.connections, threads=args.threads, script=script)
    after, db_after = cpu_ms(server_pids), cpu_ms(db_pids)
    report["lost_processes"] = before.keys() - after.keys()
    report["cpu"] = sum(after[p] - before[p] for p in after if p in before)
    report["db_cpu"] = sum(db_after[p] - db_before.get(p, 0) for p in db_after)
    return report


def summarize(label, runs, *, with_db=False):
    requests = sum(run["requests"] for run in runs)
    return {
        "label": label,
        "rate": requests / sum(run["seconds"] for run in runs),
        # Percentiles of separate runs cannot be merged: the typical p50, the worst p99.
        "p50_ms": statistics.median(run["p50_ms"] for run in runs),
        "p99_ms": max(run["p99_ms"] for run in runs),
        "cpu_ms": sum(run["cpu"] for run in runs) / requests,
        "db_cpu_ms": sum(run["db_cpu"] for run in runs) / requests if with_db else None,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--path", default=PAGE)
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", 8202)))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 2)))
    parser.add_argument("--database", default=os.environ.get("BENCH_DB", "sheer_h2_bench"))
    parser.add_argument("--server", default=os.environ.get("BENCH_PG", database.LOCAL_SERVER))
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", 20)))
    parser.add_argument("--connections", type=int, default=int(os.environ.get("BENCH_CONNECTIONS", 16)))
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--rounds", type=int, default=8, help="alternating rounds of the nginx runs")
    args = parser.parse_args(argv)
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool):
            sys.exit(f"bench: {tool} is missing (apt-get install wrk nginx)")

    with Group("pages") as group:
        group.work.chmod(0o755)  # nginx workers run as nobody and read the saved page
        url = database.scratch(group, args.database, args.server)
        # The floor: the same gunicorn serving a constant ~15 KB page (sheer_site/bench.py).
        env = site.direct_env(url, args.port, group.work, DJANGO_BENCH_FLOOR="True")
        site.prepare(env)
        # Workers are not recycled mid-run (max_requests), or their CPU time would be lost.
        app = site.gunicorn(
            group, env, args.port, workers=args.workers, threads=2, args=["--max-requests", "0"]
        )
        proxy = serve_saved_and_cached(group, args)
        return measure(args, app.pid, proxy.proc.pid, url)


def serve_saved_and_cached(group: Group, args) -> nginx.Nginx:
    """nginx: (b) a proxy cache in front of gunicorn, (c) the page saved as a file."""
    status, _, html = client.get(args.port, args.path)
    if status != 200:
        sys.exit(f"bench: {args.path} answered {status}")
    saved = group.work / "html" / args.path.strip("/") / "index.html"
    saved.parent.mkdir(parents=True)
    saved.write_bytes(html)
    for path in [group.work / "html", *(group.work / "html").rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    (group.work / "nginx").mkdir()
    cache_port, static_port = args.port + 1, args.port + 2
    conf = NGINX_CONF.format(work=group.work, port=args.port, cache_port=cache_port, static_port=static_port)
    proxy = nginx.start(group, conf, directory=group.work / "nginx", wait_ports=[cache_port, static_port])
    for port in (static_port, cache_port):
        if client.get(port, args.path)[0] != 200:
            sys.exit(f"bench: no answer from 127.0.0.1:{port}{args.path}")
    cache = client.get(cache_port, args.path)[1].get("x-cache-status")
    if cache != "HIT":
        sys.exit(f"bench: the second request through nginx was a cache {cache}, not a HIT")
    return proxy


def measure(args, gunicorn_pid: int, nginx_pid: int, database_url: str) -> int:
    gunicorn_url = f"http://127.0.0.1:{args.port}"
    proxy_cache_url = f"http://127.0.0.1:{args.port + 1}"
    static_url = f"http://127.0.0.1:{args.port + 2}"
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_REPORT)
        script.flush()
        gunicorn_workers = children(gunicorn_pid)
        nginx_workers = children(nginx_pid)
        # Every gunicorn thread opens its database connection during the warm-up.
        wrk(
            gunicorn_url + args.path,
            seconds=2,
            connections=args.connections,
            threads=args.threads,
            script=script.name,
        )
        wrk(
            gunicorn_url + FLOOR,
            seconds=2,
            connections=args.connections,
            threads=args.threads,
            script=script.name,
        )
        backends = database.backend_pids(database_url)
        gunicorn_pids = [gunicorn_pid, *gunicorn_workers]
        # The program page and the floor take turns in short rounds, as the nginx
        # variants do below, so load from anything else falls on both alike.
        app_runs = {"page": [], "floor": []}
        for _ in range(args.rounds):
            for name, url in (("page", gunicorn_url + args.path), ("floor", gunicorn_url + FLOOR)):
                report = run(
                    url,
                    seconds=max(1, args.seconds // args.rounds),
                    server_pids=gunicorn_pids,
                    db_pids=backends,
                    args=args,
                    script=script.name,
                )
                if report["lost_processes"]:
                    sys.exit("a gunicorn worker exited during the run; its CPU time would be lost")
                app_runs[name].append(report)

        # The two nginx variants take turns in short rounds, so load from
        # anything else on the machine falls on both alike.
        nginx_pids = [nginx_pid, *nginx_workers]
        variants = {"cache": proxy_cache_url + args.path, "static": static_url + args.path}
        for url in variants.values():
            wrk(url, seconds=2, connections=args.connections, threads=args.threads, script=script.name)
        runs = {name: [] for name in variants}
        gunicorn_cpu_during_cache = 0.0
        for _ in range(args.rounds):
            for name, url in variants.items():
                gunicorn_before = sum(cpu_ms(gunicorn_pids).values())
                runs[name].append(
                    run(
                        url,
                        seconds=max(1, args.seconds // args.rounds),
                        server_pids=nginx_pids,  # its cache loader exits by itself: not strict
                        db_pids=(),
                        args=args,
                        script=script.name,
                    )
                )
                if name == "cache":
                    gunicorn_cpu_during_cache += sum(cpu_ms(gunicorn_pids).values()) - gunicorn_before

    rows = [
        summarize("gunicorn, uncached", app_runs["page"], with_db=True),
        summarize("gunicorn, floor (constant page)", app_runs["floor"], with_db=True),
        summarize("nginx proxy_cache -> gunicorn", runs["cache"]),
        summarize("nginx, static file", runs["static"]),
    ]

    print(
        f"\n{args.path}: wrk -t{args.threads} -c{args.connections}, {args.rounds} alternating rounds of"
        f" {max(1, args.seconds // args.rounds)} s per variant, {len(gunicorn_workers)} gunicorn workers,"
        f" {len(nginx_workers)} nginx processes, {os.cpu_count()} CPUs\n"
    )
    print(f"{'':32} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/req':>11} {'DB CPU ms/req':>14}")
    for row in rows:
        db = f"{row['db_cpu_ms']:.3f}" if row["db_cpu_ms"] is not None else "-"
        print(
            f"{row['label']:32} {row['rate']:9.0f} {row['p50_ms']:8.2f} {row['p99_ms']:8.2f}"
            f" {row['cpu_ms']:11.3f} {db:>14}"
        )
    uncached, floor, cached, static = rows
    rate_ratio = cached["rate"] / static["rate"]
    # Server CPU of the app: gunicorn and the PostgreSQL backends serving it.
    page_cpu = uncached["cpu_ms"] + uncached["db_cpu_ms"]
    floor_cpu = floor["cpu_ms"] + floor["db_cpu_ms"]
    floor_ratio = page_cpu / floor_cpu
    print(
        f"\nnginx runs: {args.rounds} alternating rounds each. gunicorn CPU while nginx served from its"
        f" cache: {gunicorn_cpu_during_cache:.0f} ms in all, {cached['rate'] * args.seconds:.0f} requests"
        f" ({gunicorn_cpu_during_cache / uncached['cpu_ms']:.0f} uncached pages' worth: idle work and misses);"
        f" nginx CPU per request, static / cache: {static['cpu_ms'] / cached['cpu_ms']:.2f}"
    )
    print(f"load average: {Path('/proc/loadavg').read_text().strip()}")
    misses = []
    for label, ratio, ok, target in (
        ("program page CPU / floor CPU (gunicorn + PostgreSQL)", floor_ratio, floor_ratio <= 1.5, "<= 1.5"),
        ("nginx proxy cache rate / static file rate", rate_ratio, rate_ratio >= 0.9, ">= 0.9"),
    ):
        print(f"RATIO {label}: {ratio:.2f} (target {target}) {'ok' if ok else 'MISS'}")
        if not ok:
            misses.append(label)
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
