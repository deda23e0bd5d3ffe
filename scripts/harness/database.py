"""PostgreSQL for the scripts: scratch databases on a shared server (dropped
afterwards), a cluster of our own for the restart test, psql, and the counts
the scripts check."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .process import free_port_or_fail


def _pg_bin() -> Path:
    """PG_BIN, else the newest /usr/lib/postgresql/*/bin (scripts/ensure-postgres.sh installs one)."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else Path("/usr/lib/postgresql/15/bin")


PG_BIN = _pg_bin()
LOCAL_SERVER = "postgres://postgres@127.0.0.1:5432"
# The server for the fleet's scratch databases (sheer_h8_*): FLEET_PG_SERVER,
# else the server of DATABASE_URL (make test's), else the machine's on 5432.
SHARED_SERVER = os.environ.get("FLEET_PG_SERVER") or (
    os.environ["DATABASE_URL"].split("?")[0].rsplit("/", 1)[0]
    if os.environ.get("DATABASE_URL", "").startswith("postgres")
    else LOCAL_SERVER
)


def _admin(server_url: str):
    import psycopg

    return psycopg.connect(f"{server_url}/postgres", autocommit=True)


def fresh(server_url: str, name: str) -> str:
    """An empty database `name` (dropped first if it exists); returns its URL."""
    with _admin(server_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server_url}/{name}"


def drop(server_url: str, name: str) -> None:
    with contextlib.suppress(Exception), _admin(server_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def scratch(group, name: str, server_url: str = SHARED_SERVER) -> str:
    """A fresh database dropped when `group` (a process.Group) closes."""
    group.on_close(lambda: drop(server_url, name))
    return fresh(server_url, name)


def psql(url: str, sql: str) -> str:
    return subprocess.run(
        ["psql", "-X", "-Atq", url, "-c", sql], check=True, capture_output=True, text=True
    ).stdout.strip()


def count(url: str, table: str) -> int:
    return int(psql(url, f"SELECT count(*) FROM {table}"))  # noqa: S608 - our own table names


def count_by_marker(url: str, table: str, prefix: str) -> dict[str, int]:
    """Rows of `table` per run marker (sent as utm_campaign), for markers starting with prefix."""
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            f"SELECT utm_campaign, count(*) FROM {table} WHERE utm_campaign LIKE %s GROUP BY utm_campaign",  # noqa: S608
            [prefix + "%"],
        ).fetchall()
    return dict(rows)


def backend_pids(url: str) -> list[int]:
    """Server processes connected to the database of `url`, other than this one."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        ).fetchall()
    return [pid for (pid,) in rows]


class Cluster:
    """A PostgreSQL server of our own (initdb in a temp dir, its own port):
    the restart test never touches the shared server other work depends on."""

    def __init__(self, port: int):
        self.port = free_port_or_fail(port)
        # Its own temp dir: the server runs as postgres, which cannot enter root's.
        work = Path(tempfile.mkdtemp(prefix="sheer_h8_pg_"))
        self.work = work
        self.dir = work / "pgdata"
        self.logfile = work / "postgres.log"
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(work, "postgres")
        subprocess.run(
            [*self.as_postgres, str(PG_BIN / "initdb"), "-D", str(self.dir), "-U", "postgres", "-A", "trust"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        with open(self.dir / "postgresql.conf", "a") as conf:
            conf.write(
                f"port = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{work}'\n"
                "max_connections = 100\nfsync = on\nshared_buffers = 64MB\n"
            )
        if self.as_postgres:
            subprocess.run(["chown", "postgres", str(self.dir / "postgresql.conf")], check=True)

    @property
    def server_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}"

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.as_postgres, str(PG_BIN / "pg_ctl"), "-D", str(self.dir), "-l", str(self.logfile), *args],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start(self) -> None:
        self._ctl("-w", "-t", "30", "start")

    def stop(self, mode: str = "fast") -> None:
        self._ctl("-w", "-t", "30", "-m", mode, "stop")

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.stop("immediate")
        shutil.rmtree(self.work, ignore_errors=True)
