"""Child processes: each in its own process group with its output in a log
file, and a Group that stops everything one run started, in reverse order, from
`finally` or on SIGTERM/SIGHUP, so nothing outlives a run. Also waiting for
ports and the CPU time a process spent (/proc)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from . import ROOT

TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port_or_fail(port: int) -> int:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            raise SystemExit(f"port {port} is in use: stop what holds it or pick another") from exc
    return port


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_for(check, *, timeout: float, what: str, interval: float = 0.1, proc: Proc | None = None):
    """check()'s first true result; gives up after timeout, or at once if proc exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            result = check()
            if result:
                return result
        if proc is not None and not proc.alive():
            raise RuntimeError(f"{proc.name} exited before {what} was ready:\n{proc.tail(30)}")
        time.sleep(interval)
    raise TimeoutError(f"{what} not ready after {timeout:.0f}s")


class Proc:
    """A child in its own process group, its output in a log file."""

    def __init__(self, name: str, args: list[str], *, log_dir: Path, env=None):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop)
        self.popen = subprocess.Popen(
            args,
            env=env,
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def signal(self, sig) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)

    def stop(self, timeout: float = 10.0) -> None:
        if self.alive():
            self.signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.signal(signal.SIGKILL)
                self.popen.wait(5)
        self._log.close()

    def kill(self) -> None:
        """SIGKILL the whole group: no chance to clean up, as in an OOM kill."""
        self.signal(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(5)

    def tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""


class Group:
    """Everything one run started, stopped in reverse order by close(); its
    files in a temporary directory (kept if FLEET_KEEP_WORK is set)."""

    def __init__(self, name: str):
        self.work = Path(tempfile.mkdtemp(prefix=f"sheer_h8_{name}_"))
        self.procs: list[Proc] = []
        self.closers: list = []
        self._closed = False
        self._previous_handlers = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGHUP)
        }

    def _on_signal(self, signum, frame):
        self.close()
        raise SystemExit(128 + signum)

    def on_close(self, func) -> None:
        self.closers.append(func)

    def start(self, name: str, args: list[str], *, env=None) -> Proc:
        proc = Proc(name, args, log_dir=self.work, env=env)
        self.procs.append(proc)
        return proc

    def result(self, failed: bool, *, tail: int = 20) -> int:
        """Print RESULT: PASS or FAIL (then every child's last log lines); the exit status."""
        if not failed:
            print("RESULT: PASS")
            return 0
        print("RESULT: FAIL")
        for proc in self.procs:
            print(f"--- {proc.name} log ---\n{proc.tail(tail)}")
        return 1

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for sig, handler in self._previous_handlers.items():
            signal.signal(sig, handler)
        for proc in reversed(self.procs):
            with contextlib.suppress(Exception):
                proc.stop()
        for func in reversed(self.closers):
            with contextlib.suppress(Exception):
                func()
        if not os.environ.get("FLEET_KEEP_WORK"):
            shutil.rmtree(self.work, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# --------------------------------------------------------------------------- CPU time


def cpu_ms(pids) -> dict[int, float]:
    """utime + stime of each process (all its threads), in milliseconds; gone ones left out."""
    total = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        # After the command name: state is field 3, utime 14 and stime 15 (1-based).
        total[pid] = (int(fields[11]) + int(fields[12])) * TICK_MS
    return total


def children(pid: int) -> list[int]:
    """A process's direct children (gunicorn's or nginx's workers)."""
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
