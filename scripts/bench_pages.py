"""Measure one page three ways with wrk and print the comparison table.

Called by scripts/bench_pages.sh, which starts gunicorn and nginx. Server CPU
is read from /proc (utime + stime of the server's worker processes, and of the
PostgreSQL backends serving the site) before and after each wrk run, and divided
by the number of requests wrk completed.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg

TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")

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


def cpu_ms(pids):
    """utime + stime of each process (all its threads), in milliseconds."""
    total = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        # After the command name: state is field 3, utime 14 and stime 15 (1-based).
        total[pid] = (int(fields[11]) + int(fields[12])) * TICK_MS
    return total


def children(pid):
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()]


def postgres_backends(database_url):
    """Backends connected to the site's database, other than this one."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        ).fetchall()
    return [pid for (pid,) in rows]


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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--path", required=True)
    parser.add_argument("--gunicorn", required=True, help="base URL of gunicorn")
    parser.add_argument("--gunicorn-pid", type=int, required=True, help="gunicorn master")
    parser.add_argument("--proxy-cache", required=True, help="base URL of nginx proxy_cache")
    parser.add_argument("--static", required=True, help="base URL of nginx serving files")
    parser.add_argument("--nginx-pid", type=int, required=True, help="nginx master")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=8, help="alternating rounds of the nginx runs")
    args = parser.parse_args()

    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_REPORT)
        script.flush()
        gunicorn_workers = children(args.gunicorn_pid)
        nginx_workers = children(args.nginx_pid)
        # Every gunicorn thread opens its database connection during the warm-up.
        wrk(
            args.gunicorn + args.path,
            seconds=2,
            connections=args.connections,
            threads=args.threads,
            script=script.name,
        )
        backends = postgres_backends(args.database_url)
        gunicorn_pids = [args.gunicorn_pid, *gunicorn_workers]
        uncached = run(
            args.gunicorn + args.path,
            seconds=args.seconds,
            server_pids=gunicorn_pids,
            db_pids=backends,
            args=args,
            script=script.name,
        )
        if uncached["lost_processes"]:
            sys.exit("a gunicorn worker exited during the run; its CPU time would be lost")

        # The two nginx variants take turns in short rounds, so load from
        # anything else on the machine falls on both alike.
        nginx_pids = [args.nginx_pid, *nginx_workers]
        variants = {"cache": args.proxy_cache + args.path, "static": args.static + args.path}
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
        summarize("gunicorn, uncached", [uncached], with_db=True),
        summarize("nginx proxy_cache -> gunicorn", runs["cache"]),
        summarize("nginx, static file", runs["static"]),
    ]

    print(
        f"\n{args.path}: wrk -t{args.threads} -c{args.connections} -d{args.seconds}s, "
        f"{len(gunicorn_workers)} gunicorn workers, {len(nginx_workers)} nginx processes, {os.cpu_count()} CPUs\n"
    )
    print(f"{'':32} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/req':>11} {'DB CPU ms/req':>14}")
    for row in rows:
        db = f"{row['db_cpu_ms']:.3f}" if row["db_cpu_ms"] is not None else "-"
        print(
            f"{row['label']:32} {row['rate']:9.0f} {row['p50_ms']:8.2f} {row['p99_ms']:8.2f}"
            f" {row['cpu_ms']:11.3f} {db:>14}"
        )
    uncached, cached, static = rows
    ratio = cached["rate"] / static["rate"]
    print(
        f"\nnginx runs: {args.rounds} alternating rounds each. gunicorn CPU while nginx served from its"
        f" cache: {gunicorn_cpu_during_cache:.0f} ms in all, {cached['rate'] * args.seconds:.0f} requests"
        f" ({gunicorn_cpu_during_cache / uncached['cpu_ms']:.0f} uncached pages' worth: idle work and misses)"
    )
    # wrk shares the machine with nginx, so the rates move with other load;
    # CPU per request is what nginx itself spends, and moves less.
    print(
        f"proxy cache rate / static rate: {ratio:.2f} (target >= 0.80);"
        f" by nginx CPU per request: {static['cpu_ms'] / cached['cpu_ms']:.2f}"
    )
    print(f"uncached gunicorn CPU per request: {uncached['cpu_ms']:.2f} ms (target <= 3 ms)")
    return 0 if ratio >= 0.80 and uncached["cpu_ms"] <= 3 else 1


if __name__ == "__main__":
    sys.exit(main())
