"""Which TCP ports an embedded cluster owns, machine-wide.

kwokctl picks ports by counting down from 32767 and taking the first free one, so a cluster whose
etcd was killed can lose its ports to the next cluster created: when the first one is healed, its
apiserver talks to the other cluster's etcd. The kit therefore chooses every port itself, under a
machine-wide lock, skipping the ports any other kit cluster on this machine has recorded (running
or not), and records its own choice in a machine-wide registry until ``down`` removes it.

The registry is one small JSON file per cluster in ``machine_dir()`` (``/tmp/kworkshop-machine``
unless ``$KWORKSHOP_MACHINE_DIR`` says otherwise): state folders differ between users, tests and
notebooks, the ports do not.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import socket
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ... import settings
from ...i18n import ngettext

# The ports a cluster needs, as kwokctl's options name them (all on 127.0.0.1).
PORT_OPTIONS = ("etcdPort", "etcdPeerPort", "kubeApiserverPort", "kubeControllerManagerPort",
                "kubeSchedulerPort", "kwokControllerPort", "metricsServerPort")
HIGHEST, LOWEST = 32767, 20000


def machine_dir() -> Path:
    """The folder every kit process on this machine shares (lock and port registry)."""
    path = Path(settings.MACHINE_DIR.get())
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True)
        try:  # every user's clusters share it, like /tmp
            os.chmod(path, 0o1777)
        except OSError:
            pass
    return path


@contextmanager
def machine_lock() -> Iterator[None]:
    """One port choice, create or restart at a time on this machine, whatever the state folder."""
    path = machine_dir() / "ports.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Reservation:
    """The ports one cluster holds, and the folder that proves the cluster still exists."""

    cluster_dir: str
    ports: tuple[int, ...]

    @property
    def key(self) -> str:
        return hashlib.sha256(self.cluster_dir.encode()).hexdigest()[:20]


def _registry() -> Path:
    folder = machine_dir() / "ports"
    folder.mkdir(exist_ok=True)
    return folder


def reservations() -> list[Reservation]:
    """Every live reservation; those whose cluster folder is gone are forgotten on the way."""
    found = []
    for entry in sorted(_registry().glob("*.json")):
        try:
            data = json.loads(entry.read_text())
            res = Reservation(str(data["cluster_dir"]), tuple(int(p) for p in data["ports"]))
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if Path(res.cluster_dir).exists():
            found.append(res)
        else:
            entry.unlink(missing_ok=True)
    return found


def reserve(cluster_dir: Path, ports: Iterable[int]) -> Reservation:
    """Record that ``cluster_dir``'s cluster owns ``ports`` (call under ``machine_lock``)."""
    res = Reservation(str(cluster_dir), tuple(sorted(set(ports))))
    path = _registry() / f"{res.key}.json"
    path.write_text(json.dumps({"cluster_dir": res.cluster_dir, "ports": list(res.ports)}))
    return res


def release(cluster_dir: Path) -> None:
    """Forget ``cluster_dir``'s reservation (``down``)."""
    (_registry() / f"{Reservation(str(cluster_dir), ()).key}.json").unlink(missing_ok=True)


def reserved_by_others(cluster_dir: Path) -> dict[int, str]:
    """Port -> cluster folder, for every port another kit cluster on this machine recorded."""
    mine = str(cluster_dir)
    return {port: res.cluster_dir for res in reservations() if res.cluster_dir != mine
            for port in res.ports}


def port_is_free(port: int) -> bool:
    """Whether nothing listens on ``port`` (checked as kwokctl does: loopback and any address)."""
    for host in ("127.0.0.1", ""):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((host, port))
            except OSError as exc:
                if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                    return False
                raise
    return True


def choose(count: int, taken: Iterable[int], is_free=port_is_free) -> list[int]:
    """``count`` ports, counting down from 32767, skipping ``taken`` and those in use."""
    skip = set(taken)
    chosen: list[int] = []
    for port in range(HIGHEST, LOWEST, -1):
        if port in skip:
            continue
        if is_free(port):
            chosen.append(port)
            if len(chosen) == count:
                return chosen
    raise OSError(ngettext("no {count} free TCP port between {low} and {high}",
                           "no {count} free TCP ports between {low} and {high}", count)
                  .format(count=count, low=LOWEST, high=HIGHEST))


def allocate(cluster_dir: Path) -> dict[str, int]:
    """Choose and reserve a port for every option in ``PORT_OPTIONS`` (call under ``machine_lock``)."""
    ports = choose(len(PORT_OPTIONS), reserved_by_others(cluster_dir))
    reserve(cluster_dir, ports)
    return dict(zip(PORT_OPTIONS, ports, strict=True))


__all__ = [
    "PORT_OPTIONS",
    "Reservation",
    "allocate",
    "choose",
    "machine_dir",
    "machine_lock",
    "port_is_free",
    "release",
    "reservations",
    "reserve",
    "reserved_by_others",
]
