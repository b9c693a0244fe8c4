"""Finding, stopping and checking the processes and ports of a cluster (psutil, no shell)."""

from __future__ import annotations

import os
import subprocess
import sys
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


# characters that may stand right before or after a folder inside one argument of a command line
# (``--data-dir=/x``, ``a:/x``, ``/x,/y``); anything else means a longer name (``/x-2``, ``/a/x``)
_BEFORE = frozenset("=:,; '\"")
_AFTER = frozenset("/=:,; '\"")


def mentions_path(arg: str, folder: str) -> bool:
    """Whether ``arg`` names ``folder`` or something inside it, as whole path components.

    ``/s/kwok/clusters/rel`` is mentioned by ``--data-dir=/s/kwok/clusters/rel/etcd`` but not by
    ``/s/kwok/clusters/rel-2/etcd``: a substring test killed every ``rel-*`` cluster on ``down``.
    """
    folder = folder.rstrip(os.sep) or os.sep
    start = arg.find(folder)
    while start != -1:
        end = start + len(folder)
        if (start == 0 or arg[start - 1] in _BEFORE) and (end == len(arg) or arg[end] in _AFTER):
            return True
        start = arg.find(folder, start + 1)
    return False


def processes_under(folder: Path | str) -> list[psutil.Process]:
    """Live processes (not this one) whose command line names ``folder`` or a path inside it."""
    found = []
    me = os.getpid()
    text = str(folder)
    for proc in psutil.process_iter(["pid", "cmdline"]):
        try:
            if proc.pid != me and any(mentions_path(part, text) for part in (proc.info["cmdline"] or [])):
                found.append(proc)
        except psutil.Error:
            continue
    return found


def listener_of(port: int) -> psutil.Process | None:
    """The process listening on TCP ``port`` (any address), if any and if visible."""
    for conn in psutil.net_connections(kind="inet"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port and conn.pid:
            try:
                return psutil.Process(conn.pid)
            except psutil.Error:
                return None
    return None


def describe(proc: psutil.Process) -> str:
    """``pid 123 (etcd --name=node0 ...)``: enough to recognise a process in one sentence."""
    try:
        cmd = " ".join(proc.cmdline())
    except psutil.Error:
        cmd = "?"
    return f"pid {proc.pid} ({cmd[:160]}{'...' if len(cmd) > 160 else ''})"


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


def spawn_detached(argv: Sequence[str], logfile: Path, pidfile: Path, env: dict[str, str] | None = None,
                   cwd: Path | None = None) -> int:
    """Start a background process in its own session (it outlives the caller); record its pid."""
    logfile.parent.mkdir(parents=True, exist_ok=True)
    pidfile.parent.mkdir(parents=True, exist_ok=True)
    with open(logfile, "ab") as out:
        proc = subprocess.Popen(list(argv), stdout=out, stderr=subprocess.STDOUT, cwd=cwd,
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


__all__ = [
    "describe", "listener_of", "listening_ports", "mentions_path",
    "processes_under", "python_module_argv",
    "read_pid", "spawn_detached", "stop_pidfile", "terminate",
]
