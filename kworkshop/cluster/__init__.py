"""The cluster façade: ``up``, ``down``, ``status``, ``env`` and ``attach`` over the backends.

Three backends keep one contract (``backend.Backend``): embedded (a real control plane with
KWOK-simulated nodes, the default), kind (real containers in Docker) and kubeconfig (an existing
cluster the kit only uses). The choice is explicit: ``backend="auto"`` resolves to a backend and
says why, it never falls back silently. Each cluster's record (``records``) says which backend
made it, and every verb goes through that backend; a name without a record but with an embedded
cluster on disk is embedded (clusters made before records existed).
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path

from .. import settings
from ..commands import command
from ..errors import ClusterError, ClusterNotFoundError, ConfigError
from ..i18n import _
from ..progress import Status, default_status
from . import records
from .backend import Backend, ClusterStatus
from .embedded.kubelet import Timings

# The backends load when a verb needs one: the kubeconfig backend brings the ``kubernetes`` client.
_BACKENDS = {"EmbeddedCluster": ".embedded", "ExternalCluster": ".external", "KindCluster": ".kind"}


def __getattr__(name: str):
    if name in _BACKENDS:
        import importlib

        value = globals()[name] = getattr(importlib.import_module(_BACKENDS[name], __name__), name)
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

# KWORKSHOP_CLUSTER picks another cluster for every notebook at once (a test run, a second class)
DEFAULT_NAME = settings.CLUSTER.get()
BACKENDS = ("embedded", "kind", "kubeconfig")


def choose_backend(requested: str | None = None, recorded: str | None = None) -> tuple[str, str]:
    """The backend to use and the reason, from the argument or ``$KWORKSHOP_BACKEND``.

    ``auto`` keeps the backend that made an existing cluster (``recorded``).
    """
    wanted = (requested or settings.BACKEND.get()).lower()
    if wanted == "auto" and recorded in BACKENDS:
        return recorded, _("auto: the cluster exists and was made by the {backend} backend").format(backend=recorded)
    if wanted == "auto":
        if settings.REAL_CONTAINERS.enabled():
            from .kind import docker_available

            ok, why = docker_available()
            if ok:
                return "kind", _("auto: real containers asked for (KWORKSHOP_REAL_CONTAINERS) and "
                                 "{why}").format(why=why)
            return "embedded", _("auto: real containers asked for, but {why}; the embedded cluster needs no "
                                  "Docker").format(why=why)
        return "embedded", _("auto: the embedded cluster needs no Docker and no existing cluster")
    if wanted not in BACKENDS:
        raise ConfigError(_("unknown backend {wanted!r}: choose one of {choices}.").format(
            wanted=wanted, choices=", ".join(("auto", *BACKENDS))))
    return wanted, _("asked for {wanted!r}").format(wanted=wanted)


class Cluster:
    """A handle on a running cluster: its kubeconfig, an API client, its nodes; ``down()`` ends it."""

    def __init__(self, backend: Backend) -> None:
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
        from ..kube.transport import new_client

        return new_client(self.kubeconfig, cluster=self.name)

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
        return self._backend.env()

    def status(self) -> ClusterStatus:
        return self._backend.status()

    def down(self, status: Status | None = None) -> list[str]:
        """Delete the cluster (a kubeconfig one is only forgotten); returns what could not be undone."""
        return _down(self._backend, status)


def _open(record: records.Record) -> Backend:
    """The backend handle a record names (cheap: nothing runs)."""
    from .embedded import EmbeddedCluster
    from .external import ExternalCluster
    from .kind import KindCluster

    if record.backend == "kind":
        return KindCluster(record.name)
    if record.backend == "kubeconfig":
        return ExternalCluster(record.options.get("kubeconfig"), record.options.get("context"), name=record.name)
    if record.backend == "embedded":
        return EmbeddedCluster(record.name)
    raise ClusterError(_("cluster {name!r} was recorded with an unknown backend {backend!r}: remove {file} and "
                         "run `{command}`.").format(name=record.name, backend=record.backend,
                                                    file=records.folder() / (record.name + ".json"),
                                                    command=command("up", record.name)))


def _recorded(name: str) -> records.Record | None:
    """The record of ``name``; a cluster made before records existed is found on disk instead."""
    from .embedded import EmbeddedCluster
    from .kind import KindCluster

    found = records.read(name)
    if found is not None:
        return found
    for legacy in (EmbeddedCluster(name), KindCluster(name)):  # embedded first: the old default
        if legacy.exists():
            return records.Record(name, legacy.backend)
    return None


def backend_of(name: str = DEFAULT_NAME) -> Backend:
    """The backend that made cluster ``name``; an (uncreated) embedded one when nothing is known."""
    return _open(_recorded(name) or records.Record(name, "embedded"))


def up(nodes: int = 3, *, name: str = DEFAULT_NAME, backend: str | None = None,
       status: Status | None = None, extra_images: tuple[str, ...] | list[str] = (),
       timings: Timings = Timings(), set_env: bool = True, kubeconfig: str | None = None,
       context: str | None = None) -> Cluster:
    """Start the cluster (or reattach to it when it runs) and return a handle on it.

    Without a backend asked for, an existing cluster keeps the backend that made it. The record of
    which backend made it is written before a create starts and kept if the create could not clean
    up after itself, so ``down`` can finish the job. With ``set_env`` the current process gets
    KUBECONFIG and PATH, so `!kubectl` in a notebook talks to this cluster with the pinned kubectl.
    """
    if not isinstance(nodes, int) or nodes < 1 or nodes > 50:
        raise ConfigError(_("nodes must be a whole number from 1 to 50, not {nodes!r}.").format(nodes=nodes))
    status = status or default_status()
    previous = _recorded(name)
    chosen, why = choose_backend(backend, previous.backend if previous else None)
    if previous is not None and previous.backend != chosen and _open(previous).exists():
        raise ClusterError(_("a {backend} cluster named {name!r} already exists: delete it first with "
                             "`{command}`, or choose another name.").format(
                                 backend=previous.backend, name=name, command=command("down", name)))
    status.start(_("Backend: {backend} ({why})").format(backend=chosen, why=why))
    status.end(True)
    options: dict[str, str] = {}
    if chosen == "kubeconfig":
        from .external import ExternalCluster

        if kubeconfig is None and previous is not None and previous.backend == "kubeconfig":
            kubeconfig, context = previous.options.get("kubeconfig"), context or previous.options.get("context")
        cluster: Backend = ExternalCluster(kubeconfig, context, name=name)
        options = {"kubeconfig": str(cluster.kubeconfig), **({"context": context} if context else {})}
    elif chosen == "kind":
        from .kind import KindCluster

        cluster = KindCluster(name)
    else:
        from .embedded import EmbeddedCluster

        cluster = EmbeddedCluster(name)
    record = records.Record(name, chosen, options)
    makes_things = chosen != "kubeconfig"  # attaching to a cluster makes nothing to clean up
    if makes_things:
        records.write(record)
    try:
        cluster.up(nodes, status, extra_images=tuple(extra_images), timings=timings)
    except BaseException:
        if makes_things and not cluster.exists():  # the create cleaned up after itself
            records.forget(name)
        raise
    records.write(record)
    handle = Cluster(cluster)
    from ..kube.client import use

    use(handle)  # the verbs (kw.scale, kw.rollout...) now talk to this cluster
    if set_env:
        os.environ.update(handle.env())
    return handle


def attach(name: str = DEFAULT_NAME) -> Cluster:
    """A handle on an existing cluster, whichever backend made it, without starting anything."""
    cluster = backend_of(name)
    if not cluster.exists():
        raise ClusterNotFoundError(_("there is no cluster named {name!r}: start it with `{command}`.").format(
            name=name, command=command("up", name)))
    return Cluster(cluster)


def _down(cluster: Backend, status: Status | None) -> list[str]:
    """Delete through the backend; forget the record only once nothing of the cluster is left."""
    problems = cluster.down(status)
    if not problems or not cluster.exists():
        records.forget(cluster.name)
    return problems


def down(name: str = DEFAULT_NAME, status: Status | None = None) -> list[str]:
    """Delete the cluster through the backend that made it; idempotent. Returns what could not be undone.

    A kubeconfig cluster is only forgotten: nothing on it is deleted.
    """
    return _down(backend_of(name), status)


def status(name: str = DEFAULT_NAME) -> ClusterStatus:
    """The cluster's health, as the backend that made it sees it."""
    return backend_of(name).status()


def cluster_env(name: str = DEFAULT_NAME) -> dict[str, str]:
    """KUBECONFIG for the cluster and PATH with the pinned kubectl first."""
    return backend_of(name).env()


def env_lines(name: str = DEFAULT_NAME) -> str:
    """Shell lines to eval: ``eval "$(kworkshop env --name NAME)"``."""
    import shlex

    return "\n".join(f"export {k}={shlex.quote(v)}" for k, v in cluster_env(name).items())


__all__ = ["BACKENDS", "Backend", "Cluster", "ClusterStatus", "attach", "backend_of", "choose_backend",
           "cluster_env", "command", "down", "env_lines", "status", "up"]
