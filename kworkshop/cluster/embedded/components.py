"""The control plane's processes as kwokctl recorded them, and restarting exactly those that died.

``kwokctl start cluster`` is not enough to heal: it believes a killed process whose zombie was
never reaped still runs (then waits two minutes for an apiserver that is not there), it checks no
port, and the components it restarts wait out the leases their dead predecessors held (15 s for
the controller-manager and the scheduler, 200 s for kwok-controller's node leases, during which no
pod is started). So the kit restarts components itself, from the command lines kwokctl wrote into
``kwok.yaml``, in the order of their links (etcd, apiserver, then the controllers, then
metrics-server), with kwokctl's own pid and log files so ``kwokctl delete`` still finds them.

This module is the pure part (reading, ordering, identifying) and the process part; what is asked
of the apiserver (leases, readiness) lives in ``healing.py``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import psutil
import yaml

from ...i18n import _
from .. import processes


@dataclass(frozen=True)
class Component:
    """One control-plane process as ``kwok.yaml`` describes it."""

    name: str
    binary: str
    args: tuple[str, ...]
    workdir: Path
    envs: tuple[tuple[str, str], ...] = ()
    links: tuple[str, ...] = ()
    ports: tuple[int, ...] = ()

    @property
    def file_stem(self) -> str:
        """kwokctl names pid and log files after the binary (``utilspath.OnlyName``)."""
        return Path(self.binary).stem

    @property
    def pidfile(self) -> Path:
        return self.workdir / "pids" / f"{self.file_stem}.pid"

    @property
    def logfile(self) -> Path:
        return self.workdir / "logs" / f"{self.file_stem}.log"

    def arg(self, key: str) -> str | None:
        """The value of ``--key=value`` (the last one wins, as for the binaries' own flag parsing)."""
        prefix = f"--{key}="
        values = [a[len(prefix):] for a in self.args if a.startswith(prefix)]
        return values[-1] if values else None


def read(kwok_yaml: Path) -> list[Component]:
    """The components kwokctl recorded for one cluster (empty if the file is missing or broken)."""
    try:
        docs = list(yaml.safe_load_all(kwok_yaml.read_text()))
    except (OSError, yaml.YAMLError):
        return []
    found = []
    for doc in docs:
        if not (isinstance(doc, dict) and doc.get("kind") == "KwokctlConfiguration"):
            continue
        for comp in doc.get("components") or []:
            found.append(Component(
                name=comp["name"], binary=comp["binary"], args=tuple(comp.get("args") or ()),
                workdir=Path(comp.get("workDir") or kwok_yaml.parent),
                envs=tuple((e["name"], str(e.get("value", ""))) for e in comp.get("envs") or ()),
                links=tuple(comp.get("links") or ()),
                ports=tuple(int(p["port"]) for p in comp.get("ports") or () if p.get("port"))))
    return found


def levels(components: list[Component]) -> list[list[Component]]:
    """Components grouped so each group needs only earlier groups (by ``links``); pure."""
    by_name = {c.name: c for c in components}
    placed: dict[str, int] = {}

    def depth(comp: Component, seen: frozenset[str] = frozenset()) -> int:
        if comp.name in placed:
            return placed[comp.name]
        if comp.name in seen:
            raise ValueError(_("the components' links form a cycle through {component}").format(component=comp.name))
        parents = [by_name[n] for n in comp.links if n in by_name]
        placed[comp.name] = 1 + max((depth(p, seen | {comp.name}) for p in parents), default=-1)
        return placed[comp.name]

    for comp in components:
        depth(comp)
    groups: list[list[Component]] = [[] for _ in range(max(placed.values(), default=-1) + 1)]
    for comp in components:
        groups[placed[comp.name]].append(comp)
    return groups


def pid_of(comp: Component) -> int | None:
    """The component's pid when its process runs: alive, not a zombie, and running its binary.

    A pid file can outlive its process and the pid be given to another program; checking the
    binary it runs (the cluster's own copy, named in its command line) keeps the kit from taking an
    unrelated process, or another cluster's, for a component. For a moment after a start
    (``Popen`` returns once the exec has begun) the command line is still empty: then the
    executable, set before ``Popen`` returns, answers. Reading only the command line took a
    component just started for one that had "exited right after it was started" (2 of 150 starts of
    kube-apiserver here, more under load).
    """
    pid = processes.read_pid(comp.pidfile)
    if pid is None:
        return None
    try:
        proc = psutil.Process(pid)
        command = proc.cmdline()
        if command:
            return pid if command[0] == comp.binary else None
        exe = proc.exe().removesuffix(" (deleted)")
    except psutil.Error:
        return None
    return pid if exe and os.path.realpath(exe) == os.path.realpath(comp.binary) else None


def owned_by(proc: psutil.Process, cluster_dir: Path) -> bool:
    """Whether ``proc`` is one of the cluster's own processes (its command line names the folder)."""
    try:
        return any(processes.mentions_path(part, str(cluster_dir)) for part in proc.cmdline())
    except psutil.Error:
        return False


def start(comp: Component) -> int:
    """Start the component as kwokctl would: its folder, its environment, its pid and log file."""
    env = dict(os.environ)
    env.update(dict(comp.envs))
    return processes.spawn_detached([comp.binary, *comp.args], comp.logfile, comp.pidfile,
                                    env=env, cwd=comp.workdir)


__all__ = ["Component", "levels", "owned_by", "pid_of", "read", "start"]
