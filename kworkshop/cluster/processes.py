"""Finding, stopping and checking the processes and ports of a cluster (psutil, no shell)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import psutil


def read_pid(pidfile: Path) -> int | None:
    """The pid in ``pidfile`` when that process is alive (and not a zombie), else None."""
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return None
    except psutil.Error:
        return None
    return pid


def processes_mentioning(text: str) -> list[psutil.Process]:
    """Live processes whose command line mentions ``text`` (a cluster folder, say)."""
    found = []
    me = os.getpid()
    for proc in psutil.process_iter(["pid", "cmdline"]):
        try:
            if proc.pid != me and any(text in part for part in (proc.info["cmdline"] or [])):
                found.append(proc)
        except psutil.Error:
            continue
    return found


def terminate(procs: Iterable[psutil.Process], grace: float = 5.0) -> list[psutil.Process]:
    """SIGTERM, then SIGKILL after ``grace`` seconds; returns those still alive at the end."""
    procs = list(procs)
    for proc in procs:
        try:
            proc.terminate()
        except psutil.Error:
            pass
    _, alive = psutil.wait_procs(procs, timeout=grace)
    for proc in alive:
        try:
            proc.kill()
        except psutil.Error:
            pass
    _, alive = psutil.wait_procs(alive, timeout=grace)
    return alive


def listening_ports(ports: Iterable[int]) -> list[int]:
    """Which of ``ports`` some process still listens on (any address)."""
    wanted = set(ports)
    busy = set()
    for conn in psutil.net_connections(kind="inet"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port in wanted:
            busy.add(conn.laddr.port)
    return sorted(busy)


def listening_addresses(pids: Iterable[int]) -> list[tuple[str, int]]:
    """The (address, port) pairs the given processes listen on."""
    wanted = set(pids)
    return sorted({(c.laddr.ip, c.laddr.port) for c in psutil.net_connections(kind="inet")
                   if c.status == psutil.CONN_LISTEN and c.pid in wanted and c.laddr})


def spawn_detached(argv: Sequence[str], logfile: Path, pidfile: Path, env: dict[str, str] | None = None) -> int:
    """Start a background process in its own session (it outlives the caller); record its pid."""
    logfile.parent.mkdir(parents=True, exist_ok=True)
    with open(logfile, "ab") as out:
        proc = subprocess.Popen(list(argv), stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True, env=env)
    pidfile.write_text(str(proc.pid))
    return proc.pid


def stop_pidfile(pidfile: Path, grace: float = 5.0) -> bool:
    """Stop the process named by ``pidfile`` (if alive) and remove the file; True if it is gone."""
    pid = read_pid(pidfile)
    alive: list[psutil.Process] = []
    if pid is not None:
        try:
            alive = terminate([psutil.Process(pid)], grace)
        except psutil.Error:
            alive = []
    pidfile.unlink(missing_ok=True)
    return not alive


def python_module_argv(module: str, *args: str) -> list[str]:
    """argv that runs ``python -m module args`` with this interpreter."""
    return [sys.executable, "-m", module, *args]


def wait_until(predicate, timeout: float, interval: float = 0.2) -> bool:
    """Poll ``predicate`` until true or ``timeout``; for things no watch can report (a port, a pid)."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


__all__ = [
    "listening_addresses", "listening_ports", "processes_mentioning", "python_module_argv",
    "read_pid", "spawn_detached", "stop_pidfile", "terminate", "wait_until",
]
