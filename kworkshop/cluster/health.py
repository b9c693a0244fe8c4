"""How each backend answers ``status()``: what runs, whether the apiserver answers, Ready nodes.

Status must work on a sick cluster, so nothing here raises: a failure becomes a line of the
report. The apiserver probe asks once with a short timeout and no retries (a dead apiserver must
not flood the screen with urllib3 retry warnings).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ForbiddenError
from ..i18n import _
from ..kube import facts
from .backend import ClusterStatus

# asked of an answering apiserver (an ApiClient): a problem sentence, or None when all is well
Check = Callable[[Any], "str | None"]


@dataclass(frozen=True)
class ApiProbe:
    """What the apiserver said: ``apiserver`` is "ok" or why not; nodes counted when visible.

    ``apiserver`` stays English (tests and ``healthy`` compare it); ``backend.apiserver_text``
    translates it when a status is shown.
    """

    apiserver: str
    ready_nodes: int = 0
    total_nodes: int = 0
    nodes_visible: bool = True
    problems: tuple[str, ...] = ()


def probe_apiserver(kubeconfig: Path, context: str | None = None, timeout: float = 5,
                    check: Check | None = None) -> ApiProbe:
    """Ask the apiserver for its version and its nodes; a 403 on nodes is not a failure.

    ``check`` (e.g. "is this apiserver the cluster's own?") runs once the apiserver answers; what
    it returns becomes a problem of the report.
    """
    try:
        from kubernetes import client

        from ..kube.transport import new_client

        with new_client(kubeconfig, context, retries=False) as api:
            client.VersionApi(api).get_code(_request_timeout=timeout)
            problem = check(api) if check else None
            problems = (problem,) if problem else ()
            try:
                nodes = client.CoreV1Api(api).list_node(_request_timeout=timeout).items
            except ForbiddenError:  # a learner's account may not list nodes: the cluster is fine
                return ApiProbe("ok", nodes_visible=False, problems=problems)
    except Exception as exc:  # report, do not raise: status must work on a sick cluster
        return ApiProbe(f"not answering ({type(exc).__name__})")
    ready = sum(facts.is_ready(n)
                for n in nodes)
    return ApiProbe("ok", ready, len(nodes), problems=problems)


def embedded_status(cluster: Any, check: Check | None = None) -> ClusterStatus:
    """An embedded cluster's health: its processes (by pid file), then the apiserver and nodes.

    ``check`` is where the cluster's identity is verified (see ``probe_apiserver``).
    """
    if not cluster.exists():
        return ClusterStatus(cluster.name, cluster.backend, False, cluster.kubeconfig)
    comps = cluster.component_pids()
    probe = ApiProbe("not running")
    if comps.get("kube-apiserver"):
        probe = probe_apiserver(cluster.kubeconfig, check=check)
    return ClusterStatus(cluster.name, cluster.backend, True, cluster.kubeconfig, comps,
                         probe.ready_nodes, probe.total_nodes, probe.apiserver, probe.problems)


def external_status(name: str, kubeconfig: Path, context: str | None) -> ClusterStatus:
    """A cluster the kit only uses: reachable and its nodes; the kit runs nothing for it."""
    if not kubeconfig.is_file():
        return ClusterStatus(name, "kubeconfig", False, kubeconfig)
    probe = probe_apiserver(kubeconfig, context)
    notes = [_("context: {context}").format(context=context)] if context else []
    if not probe.nodes_visible:
        notes.append(_("nodes: this account may not list them"))
    return ClusterStatus(name, "kubeconfig", True, kubeconfig, {}, probe.ready_nodes, probe.total_nodes,
                         probe.apiserver, notes=tuple(notes))


__all__ = ["ApiProbe", "embedded_status", "external_status", "probe_apiserver"]
