"""Bringing a cluster whose processes died back to health: exactly the dead ones, each until ready.

For each group of components (``components.levels``: etcd, apiserver, then the controllers, then
metrics-server) the dead ones are checked against their ports (free, or held by the cluster's own
orphan, which is adopted; a foreign process makes ``up`` refuse and name it), started, and waited
for: etcd's ``/health`` over its client TLS, the apiserver's ``/readyz``, the controllers'
``/healthz``. Before the controller-manager, the scheduler or kwok-controller start again, the
leases their dead predecessors held are deleted: the new process takes them at once instead of
waiting for them to expire (15 s for leader election, 200 s for kwok's node leases). After that
the controller-manager and the scheduler are ready when they hold their lease, kwok-controller
when every node's lease is held again (only then does it start pods).
"""

from __future__ import annotations

import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from ...errors import ApiError, ClusterError, UnreachableError
from ...i18n import _
from ...polling import poll, until
from ...progress import Status, step
from .. import processes
from . import components, ports
from .components import Component

LEADER_LEASES = {"kube-controller-manager": "kube-controller-manager", "kube-scheduler": "kube-scheduler"}
NODE_LEASE_NAMESPACE = "kube-node-lease"


# -- ports --------------------------------------------------------------------------------------

def check_ports(comp: Component, cluster_dir: Path, kit_dir: Path, cluster: str) -> int | None:
    """Raise unless each of ``comp``'s ports is free or held by the cluster's own ``comp`` process.

    ``cluster_dir`` is the folder the cluster's processes name, ``kit_dir`` the one its port
    reservation names. Returns the pid of an own process the pid file lost, to be adopted.
    """
    others = ports.reserved_by_others(kit_dir)
    adopt = None
    for port in comp.ports:
        proc = processes.listener_of(port)
        if proc is None:
            if port in others:
                raise ClusterError(_(
                    "cluster {cluster!r} cannot restart {component}: its port {port} is also recorded by "
                    "the cluster in {folder}. Delete one of the two (`kworkshop down --name ...`).").format(
                        cluster=cluster, component=comp.name, port=port, folder=others[port]))
            continue
        if components.owned_by(proc, cluster_dir):
            try:
                same = proc.cmdline()[:1] == [comp.binary]
            except Exception:  # psutil.Error: it just ended
                same = False
            if same:
                adopt = proc.pid
                continue
        facts = {"cluster": cluster, "component": comp.name, "port": port, "process": processes.describe(proc)}
        if port in others:
            raise ClusterError(_(
                "cluster {cluster!r} cannot restart {component}: its port {port} is taken by {process} "
                "(a process of the cluster in {folder}). Stop that process, or delete this cluster with "
                "`kworkshop down --name {cluster}` and create it again.").format(**facts, folder=others[port]))
        raise ClusterError(_(
            "cluster {cluster!r} cannot restart {component}: its port {port} is taken by {process}. Stop "
            "that process, or delete this cluster with `kworkshop down --name {cluster}` and create it "
            "again.").format(**facts))
    return adopt


# -- probes ---------------------------------------------------------------------------------------

def _context(ca: str | None = None, cert: str | None = None, key: str | None = None) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=ca) if ca else ssl._create_unverified_context()
    if cert and key:
        ctx.load_cert_chain(cert, key)
    return ctx


def http_status(url: str, context: ssl.SSLContext | None = None, timeout: float = 2) -> int | None:
    """The HTTP status ``url`` answers with, or None when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout, context=context) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError, ssl.SSLError):
        return None


def health_url(comp: Component) -> tuple[str, ssl.SSLContext | None, bool]:
    """Where ``comp`` says it is healthy, how to connect, and whether only 200 counts."""
    if comp.name == "etcd":
        base = (comp.arg("advertise-client-urls") or "").split(",")[0]
        ctx = _context(comp.arg("trusted-ca-file"), comp.arg("cert-file"), comp.arg("key-file")) \
            if base.startswith("https") else None
        return f"{base}/health", ctx, True
    if comp.name == "kwok-controller":
        return f"http://{comp.arg('server-address')}/healthz", None, True
    port = comp.arg("secure-port")
    if comp.name == "kube-apiserver":
        ctx = _context(comp.arg("client-ca-file"), comp.arg("tls-cert-file"), comp.arg("tls-private-key-file"))
        return f"https://127.0.0.1:{port}/readyz", ctx, True
    if comp.name == "metrics-server":  # any answer: it serves; the metrics API is waited for later
        return f"https://127.0.0.1:{port}/livez", _context(), False
    return f"https://127.0.0.1:{port}/healthz", _context(), True


def wait_until(failure: str, check: Callable[[], bool], deadline: float) -> None:
    """Poll ``check`` (things no watch reports: a port, a lease's holder) until true or the deadline.

    ``failure`` is the whole sentence of the ClusterError raised at the deadline.
    """
    if not poll(check, until(deadline)):
        raise ClusterError(failure)


def serves(comp: Component) -> bool:
    """Whether ``comp`` answers its health URL as ``health_url`` says it must."""
    url, ctx, strict = health_url(comp)
    code = http_status(url, ctx)
    return code == 200 if strict else code is not None


def wait_healthy(comp: Component, deadline: float) -> None:
    def healthy() -> bool:
        if components.pid_of(comp) is None:
            tail = comp.logfile.read_text(errors="replace")[-1500:] if comp.logfile.exists() else ""
            raise ClusterError(_("{component} exited right after it was started; its log ends:\n{log}")
                               .format(component=comp.name, log=tail))
        return serves(comp)

    wait_until(_("{component} did not become healthy ({url}) within the time allowed")
               .format(component=comp.name, url=health_url(comp)[0]), healthy, deadline)


# -- leases ---------------------------------------------------------------------------------------

# What a just-healed apiserver may answer for a few seconds: errors to retry, not to show.
TRANSIENT = (ApiError, UnreachableError)


def release_leases(api, comp: Component, deadline: float) -> None:
    """Delete the leases a dead ``comp`` held, so its successor need not wait for them to expire."""
    from kubernetes import client

    coord = client.CoordinationV1Api(api)

    def released() -> bool:
        try:
            if comp.name in LEADER_LEASES:
                coord.delete_namespaced_lease(LEADER_LEASES[comp.name], "kube-system", _request_timeout=5)
            elif comp.name == "kwok-controller":
                coord.delete_collection_namespaced_lease(NODE_LEASE_NAMESPACE, _request_timeout=5)
        except TRANSIENT as exc:
            return getattr(exc, "status", None) == 404
        return True

    wait_until(_("the leases of {component} could not be released within the time allowed")
               .format(component=comp.name), released, deadline)


def wait_leases(api, comp: Component, deadline: float) -> None:
    """Wait until ``comp`` holds its leases again (leader lease, or every node's lease)."""
    from kubernetes import client

    coord = client.CoordinationV1Api(api)
    if comp.name in LEADER_LEASES:
        def held() -> bool:
            try:
                lease = coord.read_namespaced_lease(LEADER_LEASES[comp.name], "kube-system", _request_timeout=5)
            except TRANSIENT:
                return False
            return bool(lease.spec.holder_identity)

        wait_until(_("{component} did not take its leader lease within the time allowed")
                   .format(component=comp.name), held, deadline)
    elif comp.name == "kwok-controller":
        core = client.CoreV1Api(api)

        def all_held() -> bool:
            try:
                nodes = {n.metadata.name for n in core.list_node(_request_timeout=5).items}
                held = {lease.metadata.name for lease in
                        coord.list_namespaced_lease(NODE_LEASE_NAMESPACE, _request_timeout=5).items
                        if lease.spec.holder_identity}
            except TRANSIENT:
                return False
            return nodes <= held

        wait_until(_("kwok-controller did not take over the nodes within the time allowed"), all_held, deadline)


# -- the whole --------------------------------------------------------------------------------------

def heal(kwok_cluster_dir: Path, kit_dir: Path, kubeconfig: Path, cluster: str, status: Status,
         timeout: float = 60) -> list[str]:
    """Restart every dead component of the cluster, each until ready; returns their names."""
    everything = components.read(kwok_cluster_dir / "kwok.yaml")
    if not everything:
        raise ClusterError(_("cluster {cluster!r} has no readable component list ({file}); delete it with "
                             "`kworkshop down --name {cluster}`.").format(cluster=cluster,
                                                                         file=kwok_cluster_dir / "kwok.yaml"))
    with ports.machine_lock():  # a cluster made before the registry: record its ports now
        if not any(r.cluster_dir == str(kit_dir) for r in ports.reservations()):
            ports.reserve(kit_dir, [p for c in everything for p in c.ports])
    deadline = time.monotonic() + timeout
    restarted: list[str] = []
    # A controller that lost its leader lease while etcd or the apiserver was down exits a few
    # seconds later (its renew deadline is 10 s): what dies while healing is healed in a second round.
    for _round in range(2):
        since = datetime.now(timezone.utc)
        dead_now = _heal_once(everything, kwok_cluster_dir, kit_dir, kubeconfig, cluster, status, deadline)
        restarted += dead_now
        if not dead_now:
            break
        if {"etcd", "kube-apiserver"} & set(dead_now):
            _settle_leaders(everything, kubeconfig, since, deadline)
        if all(components.pid_of(c) is not None for c in everything):
            break
    return restarted


def _settle_leaders(everything: list[Component], kubeconfig: Path, since: datetime, deadline: float) -> None:
    """Wait until each leader-elected survivor has renewed its lease since ``since``, or has exited.

    One whose renewals failed while etcd or the apiserver was down exits a little later, when its
    renew deadline passes: seen as a healed cluster that lost its controller-manager a second after
    ``up`` returned. Once this returns, the next round heals exactly those that exited.
    """
    from kubernetes import client

    from ...kube.transport import new_client

    survivors = [c for c in everything if c.name in LEADER_LEASES and components.pid_of(c) is not None]
    if not survivors:
        return
    api = new_client(kubeconfig, retries=False)
    coord = client.CoordinationV1Api(api)

    def decided(comp: Component) -> bool:
        if components.pid_of(comp) is None:
            return True
        try:
            lease = coord.read_namespaced_lease(LEADER_LEASES[comp.name], "kube-system", _request_timeout=5)
        except TRANSIENT:
            return False
        renewed = lease.spec.renew_time
        return bool(lease.spec.holder_identity) and renewed is not None and renewed >= since

    try:
        wait_until(_("{components} neither renewed a lease nor exited within the time allowed").format(
            components=", ".join(c.name for c in survivors)), lambda: all(decided(c) for c in survivors), deadline)
    finally:
        api.close()


def settle(kwok_cluster_dir: Path, kit_dir: Path, kubeconfig: Path, cluster: str, status: Status,
           timeout: float = 60) -> list[str]:
    """After a create: wait until each component serves or has exited, then restart the exited ones.

    kwokctl starts every component at once and restarts none. metrics-server reads the apiserver's
    ``extension-apiserver-authentication`` ConfigMap once as it starts and exits for good when that
    request fails (``unable to load configmap based request-header-client-ca-file: ... TLS handshake
    timeout``): on a loaded machine, several clusters starting beside Go builds, the new apiserver may
    take longer than that to answer, and the metrics API then never became Available. Call it once the
    apiserver answers; it costs one health probe per component when nothing died.
    """
    everything = components.read(kwok_cluster_dir / "kwok.yaml")
    deadline = time.monotonic() + timeout

    def decided(comp: Component) -> bool:
        return components.pid_of(comp) is None or serves(comp)

    undecided = [c.name for c in everything if not decided(c)]
    if undecided:
        wait_until(_("{components} neither served nor exited within the time allowed").format(
            components=", ".join(undecided)), lambda: all(decided(c) for c in everything), deadline)
    if all(components.pid_of(c) is not None for c in everything):
        return []
    return heal(kwok_cluster_dir, kit_dir, kubeconfig, cluster, status, max(deadline - time.monotonic(), 10))


def _heal_once(everything: list[Component], kwok_cluster_dir: Path, kit_dir: Path, kubeconfig: Path,
               cluster: str, status: Status, deadline: float) -> list[str]:
    from ...kube.transport import new_client
    from . import readiness

    restarted: list[str] = []
    api = None
    try:
        order = components.levels(everything)
        api_level = next((i for i, g in enumerate(order) if any(c.name == "kube-apiserver" for c in g)), len(order))
        for level, group in enumerate(order):
            dead = [c for c in group if components.pid_of(c) is None]
            if not dead:
                continue
            if api is None and level > api_level:  # the apiserver runs (or was healed) by now: ask it
                api = new_client(kubeconfig, retries=False)
                # a restarted etcd: the running apiserver needs a moment to reconnect
                readiness.wait_apiserver(api, max(deadline - time.monotonic(), 1))
            with ports.machine_lock():  # port check and start, as one step against other clusters
                for comp in dead:
                    orphan = check_ports(comp, kwok_cluster_dir, kit_dir, cluster)
                    if orphan is not None:
                        comp.pidfile.write_text(str(orphan))
                        continue
                    if api is not None:
                        release_leases(api, comp, deadline)
                    components.start(comp)
            for comp in dead:
                with step(status, _("Restarting {component} ({cluster})").format(component=comp.name,
                                                                                   cluster=cluster)):
                    wait_healthy(comp, deadline)
                    if api is not None:
                        wait_leases(api, comp, deadline)
                restarted.append(comp.name)
    finally:
        if api is not None:
            api.close()
    return restarted


__all__ = ["check_ports", "heal", "health_url", "http_status", "release_leases", "serves", "settle", "wait_leases"]
