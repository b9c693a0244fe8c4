"""The cluster façade: ``up``, ``down``, ``status`` and ``env`` over the backends.

Only the embedded backend exists so far (a real control plane with KWOK-simulated nodes). The
choice is explicit: ``backend="auto"`` resolves to a backend and says why, it never falls back
silently.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ..binaries import locate
from ..errors import ConfigError
from ..progress import Status, default_status
from .embedded import EmbeddedCluster
from .external import ExternalCluster
from .kind import KindCluster
from .kubelet import Timings

# KWORKSHOP_CLUSTER picks another cluster for every notebook at once (a test run, a second class)
DEFAULT_NAME = os.environ.get("KWORKSHOP_CLUSTER", "kworkshop")
BACKENDS = ("embedded", "kind", "kubeconfig")


def choose_backend(requested: str | None = None) -> tuple[str, str]:
    """The backend to use and the reason, from the argument or ``$KWORKSHOP_BACKEND``."""
    wanted = (requested or os.environ.get("KWORKSHOP_BACKEND") or "auto").lower()
    if wanted == "auto":
        if os.environ.get("KWORKSHOP_REAL_CONTAINERS", "").lower() in ("1", "true", "yes"):
            from .kind import docker_available

            ok, why = docker_available()
            if ok:
                return "kind", f"auto: real containers asked for (KWORKSHOP_REAL_CONTAINERS) and {why}"
            return "embedded", f"auto: real containers asked for, but {why}; the embedded cluster needs no Docker"
        return "embedded", "auto: the embedded cluster needs no Docker and no existing cluster"
    if wanted not in BACKENDS:
        raise ConfigError(f"unknown backend {wanted!r}: choose one of {', '.join(('auto', *BACKENDS))}.")
    return wanted, f"asked for {wanted!r}"


@dataclass(frozen=True)
class ClusterStatus:
    """A snapshot of one cluster's health, readable as text."""

    name: str
    backend: str
    exists: bool
    kubeconfig: Path
    components: dict[str, int | None] = field(default_factory=dict)
    ready_nodes: int = 0
    total_nodes: int = 0
    apiserver: str = "not running"

    @property
    def healthy(self) -> bool:
        return self.exists and self.apiserver == "ok" and all(
            pid is not None for pid in self.components.values())

    def __str__(self) -> str:
        if not self.exists:
            return f"cluster {self.name}: not created (run `kworkshop up`)"
        lines = [f"cluster {self.name} ({self.backend}): {'healthy' if self.healthy else 'DEGRADED'}",
                 f"  apiserver: {self.apiserver}",
                 f"  nodes: {self.ready_nodes}/{self.total_nodes} Ready",
                 f"  kubeconfig: {self.kubeconfig}"]
        for comp, pid in self.components.items():
            lines.append(f"  {'✓' if pid else '✗'} {comp}" + (f" (pid {pid})" if pid else " (not running)"))
        if not self.healthy:
            lines.append("  run `kworkshop up` to restart what is missing")
        return "\n".join(lines)


class Cluster:
    """A handle on a running cluster: its kubeconfig, an API client, its nodes; ``down()`` ends it."""

    def __init__(self, backend: EmbeddedCluster | ExternalCluster | KindCluster) -> None:
        self._backend = backend
        self.name = backend.name
        self.backend = backend.backend

    def __repr__(self) -> str:
        return f"Cluster(name={self.name!r}, backend={self.backend!r}, kubeconfig='{self.kubeconfig}')"

    @property
    def kubeconfig(self) -> Path:
        """The kubeconfig file (mode 0600) that reaches this cluster."""
        return self._backend.kubeconfig

    @cached_property
    def api_client(self):  # -> kubernetes.client.ApiClient
        """An API client of the official ``kubernetes`` package for this cluster."""
        if hasattr(self._backend, "api"):
            return self._backend.api()
        from kubernetes import config

        return config.new_client_from_config(config_file=str(self.kubeconfig))

    @property
    def capabilities(self) -> list:
        """What the chapters can use on this cluster (checked by the kubeconfig backend)."""
        return list(getattr(self._backend, "capabilities", []))

    def nodes(self) -> list[str]:
        """The names of the cluster's nodes."""
        from kubernetes import client

        return sorted(n.metadata.name for n in client.CoreV1Api(self.api_client).list_node().items)

    def env(self) -> dict[str, str]:
        """The environment variables that make `kubectl` use this cluster (see ``env_lines``)."""
        if self.backend != "embedded":
            return {"KUBECONFIG": str(self.kubeconfig)}
        return cluster_env(self.name)

    def status(self) -> ClusterStatus:
        return status(self.name)

    def down(self, status: Status | None = None) -> list[str]:
        """Delete the cluster; returns what could not be undone (empty when all went well)."""
        return self._backend.down(status)


def _backend(name: str) -> EmbeddedCluster:
    return EmbeddedCluster(name)


def up(nodes: int = 3, *, name: str = DEFAULT_NAME, backend: str | None = None,
       status: Status | None = None, extra_images: tuple[str, ...] | list[str] = (),
       timings: Timings = Timings(), set_env: bool = True, kubeconfig: str | None = None,
       context: str | None = None) -> Cluster:
    """Start the cluster (or reattach to it when it runs) and return a handle on it.

    With ``set_env`` the current process gets KUBECONFIG and PATH, so `!kubectl` in a notebook
    talks to this cluster with the pinned kubectl.
    """
    if not isinstance(nodes, int) or nodes < 1 or nodes > 50:
        raise ConfigError(f"nodes must be a whole number from 1 to 50, not {nodes!r}.")
    status = status or default_status()
    chosen, why = choose_backend(backend)
    status.start(f"Backend: {chosen} ({why})")
    status.end(True)
    if chosen == "kubeconfig":
        cluster: EmbeddedCluster | ExternalCluster | KindCluster = ExternalCluster(kubeconfig, context)
    elif chosen == "kind":
        from .. import paths

        cluster = KindCluster(name, paths.state_dir())
    else:
        cluster = _backend(name)
    cluster.up(nodes, status, extra_images=tuple(extra_images), timings=timings)
    handle = Cluster(cluster)
    from ..kube.client import use

    use(handle)  # the verbs (kw.scale, kw.rollout...) now talk to this cluster
    if set_env:
        os.environ.update(handle.env())
    return handle


def attach(name: str = DEFAULT_NAME) -> Cluster:
    """A handle on an existing cluster, without starting anything."""
    cluster = _backend(name)
    cluster.require()
    return Cluster(cluster)


def down(name: str = DEFAULT_NAME, status: Status | None = None) -> list[str]:
    """Delete the cluster; idempotent. Returns what could not be undone."""
    return _backend(name).down(status)


def status(name: str = DEFAULT_NAME) -> ClusterStatus:
    """The cluster's health: components, apiserver, nodes."""
    cluster = _backend(name)
    if not cluster.exists():
        return ClusterStatus(name, cluster.backend, False, cluster.kubeconfig)
    comps = cluster.component_pids()
    ready = total = 0
    apiserver = "not running"
    if comps.get("kube-apiserver"):
        try:
            from kubernetes import client

            from .readiness import api_client

            with api_client(cluster.kubeconfig) as api:
                nodes = client.CoreV1Api(api).list_node(_request_timeout=5).items
            total = len(nodes)
            ready = sum(any(c.type == "Ready" and c.status == "True" for c in n.status.conditions or [])
                        for n in nodes)
            apiserver = "ok"
        except Exception as exc:  # report, do not raise: status must work on a sick cluster
            apiserver = f"not answering ({type(exc).__name__})"
    return ClusterStatus(name, cluster.backend, True, cluster.kubeconfig, comps, ready, total, apiserver)


def cluster_env(name: str = DEFAULT_NAME) -> dict[str, str]:
    """KUBECONFIG for the cluster and PATH with the pinned kubectl first."""
    cluster = _backend(name)
    env = {"KUBECONFIG": str(cluster.kubeconfig)}
    binaries = locate()
    if binaries is not None:
        path = os.environ.get("PATH", "")
        first = str(binaries.kubectl_dir)
        if path.split(os.pathsep)[0] != first:
            path = first + os.pathsep + path
        env["PATH"] = path
    return env


def env_lines(name: str = DEFAULT_NAME) -> str:
    """Shell lines to eval: ``eval "$(kworkshop env)"``."""
    import shlex

    return "\n".join(f"export {k}={shlex.quote(v)}" for k, v in cluster_env(name).items())


__all__ = ["BACKENDS", "Cluster", "ClusterStatus", "attach", "choose_backend", "cluster_env",
           "down", "env_lines", "status", "up"]
