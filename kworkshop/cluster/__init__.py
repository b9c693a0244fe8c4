"""The cluster façade: ``up``, ``down``, ``status``, ``env`` and ``attach`` over the backends.

The backends keep one contract (``backend.Backend``) and are listed in ``registry``: embedded (a
real control plane with KWOK-simulated nodes, the default), kind (real containers in Docker) and
kubeconfig (an existing cluster the kit only uses). The choice is explicit: ``backend="auto"`` resolves to a backend and
says why, it never falls back silently. Each cluster's record (``records``) says which backend
made it, and every verb goes through that backend; a name without a record but with an embedded
cluster on disk is embedded (clusters made before records existed).
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import Any

from .. import settings
from ..commands import command
from ..errors import ClusterError, ClusterNotFoundError, ConfigError
from ..i18n import _
from ..progress import Status, default_status
from . import records, registry
from .backend import Backend, ClusterStatus

# KWORKSHOP_CLUSTER picks another cluster for every notebook at once (a test run, a second class)
DEFAULT_NAME = settings.CLUSTER.get()


def choose_backend(requested: str | None = None, recorded: str | None = None) -> tuple[str, str]:
    """The backend to use and the reason, from the argument or ``$KWORKSHOP_BACKEND``.

    ``auto`` keeps the backend that made an existing cluster (``recorded``); else it asks every
    registered backend for its claim (``auto_claim``) and takes the strongest that can run here,
    saying why it passed over the others.
    """
    wanted = (requested or settings.BACKEND.get()).lower()
    if wanted != "auto":
        registry.backend_class(wanted)  # an unknown name names the choices
        return wanted, _("asked for {wanted!r}").format(wanted=wanted)
    if recorded in registry.names():
        return recorded, _("auto: the cluster exists and was made by the {backend} backend").format(backend=recorded)
    claims = []
    for name in registry.names():
        claim = registry.backend_class(name).auto_claim()
        if claim is not None:
            claims.append((claim[0], name, claim[1]))
    passed_over: list[str] = []
    for _rank, name, why in sorted(claims):
        ok, found = registry.backend_class(name).available()
        if ok:
            return name, _("auto: {reasons}").format(reasons="; ".join([*passed_over, why]))
        passed_over.append(_("{why}, but {found}").format(why=why, found=found))
    raise ClusterError(_("no backend can run here: {reasons}. Choose one with --backend.").format(
        reasons="; ".join(passed_over) or _("none is registered for auto")))


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
    def api_client(self):  # -> kworkshop.kube.transport.KitApiClient
        """An API client for this cluster (the official ``kubernetes`` package, the kit's errors)."""
        return self._backend.api()

    @property
    def capabilities(self) -> list:
        """What the chapters can use on this cluster (checked by the kubeconfig backend)."""
        return list(self._backend.capabilities)

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
    if record.backend not in registry.names():
        raise ClusterError(_("cluster {name!r} was recorded with an unknown backend {backend!r}: remove {file} and "
                             "run `{command}`.").format(name=record.name, backend=record.backend,
                                                        file=records.folder() / (record.name + ".json"),
                                                        command=command("up", record.name)))
    cls = registry.backend_class(record.backend)
    return cls.open(record.name, registry.options(record.backend, record.options))


def _recorded(name: str) -> records.Record | None:
    """The record of ``name``; a cluster made before records existed is found on disk instead
    (the embedded and kind backends kept their folders by name before records existed)."""
    found = records.read(name)
    if found is not None:
        return found
    for legacy in ("embedded", "kind"):  # embedded first: the old default
        if legacy in registry.names() and _open(records.Record(name, legacy)).exists():
            return records.Record(name, legacy)
    return None


def backend_of(name: str = DEFAULT_NAME) -> Backend:
    """The backend that made cluster ``name``; an (uncreated) embedded one when nothing is known."""
    return _open(_recorded(name) or records.Record(name, "embedded"))


def up(nodes: int = 3, *, name: str | None = None, backend: str | None = None,
       status: Status | None = None, set_env: bool = True, **options: Any) -> Cluster:
    """Start the cluster (or reattach to it when it runs) and return a handle on it.

    ``options`` go to the backend as its typed ``Options`` (``extra_images=``, ``timings=`` for the
    embedded one, ``kubeconfig=``, ``context=`` for the kubeconfig one); one it does not take is
    an error. Without a backend asked for, an existing cluster keeps the backend that made it, and
    the options its record kept. The record is written before a create starts and kept if the
    create could not clean up after itself, so ``down`` can finish the job. With ``set_env`` the
    current process gets KUBECONFIG and PATH, so `!kubectl` in a notebook talks to this cluster
    with the pinned kubectl.
    """
    if not isinstance(nodes, int) or nodes < 1 or nodes > 50:
        raise ConfigError(_("nodes must be a whole number from 1 to 50, not {nodes!r}.").format(nodes=nodes))
    status = status or default_status()
    named, name = name is not None, name or DEFAULT_NAME
    previous = _recorded(name)
    chosen, why = choose_backend(backend, previous.backend if previous else None)
    spare = registry.backend_class(chosen).spare_name
    if not named and spare and previous is not None and previous.backend != chosen and _open(previous).exists():
        name, previous = spare, _recorded(spare)  # an attached cluster never takes over the kit's own name
    kept = previous.options if previous is not None and previous.backend == chosen else {}
    typed = registry.options(chosen, {**kept, **options})
    if previous is not None and previous.backend != chosen and _open(previous).exists():
        raise ClusterError(_("cluster {name!r} already exists, made by the {backend} backend: delete it first "
                             "with `{command}`, or choose another name.").format(
                                 backend=previous.backend, name=name, command=command("down", name)))
    status.start(_("Backend: {backend} ({why})").format(backend=chosen, why=why))
    status.end(True)
    cluster = registry.backend_class(chosen).open(name, typed)
    record = records.Record(name, chosen, cluster.recorded_options())
    makes_things = not cluster.exists()  # attaching to what exists makes nothing to clean up
    if makes_things:
        records.write(record)
    try:
        cluster.up(nodes, status)
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


__all__ = ["Backend", "Cluster", "ClusterStatus", "attach", "backend_of", "choose_backend",
           "cluster_env", "command", "down", "env_lines", "status", "up"]
