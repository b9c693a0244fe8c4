"""Talking to a fresh cluster until it is ready: apiserver health, nodes, the metrics API.

Waits consume watches under a deadline (list, test, then watch from that resourceVersion) rather
than sleeping in loops; only the first health check polls, because no watch exists before the
apiserver answers.
"""

from __future__ import annotations

import contextlib
from typing import Any

from kubernetes import client

from ...errors import ApiError, ClusterError, ConflictError, UnreachableError, WaitTimeout
from ...i18n import _, ngettext
from ...kube import facts
from ...kube.watch import wait_for
from ...polling import poll
from ..nodes import node_manifest, node_name

METRICS_APISERVICE = "v1beta1.metrics.k8s.io"


def wait_apiserver(api: client.ApiClient, timeout: float) -> None:
    """Poll /readyz until the apiserver answers ok (nothing can be watched before that)."""
    last: list[Exception | str] = [_("no answer")]

    def ready() -> bool:
        try:
            response = api.request("GET", f"{api.configuration.host}/readyz", _request_timeout=5)
        except (ApiError, UnreachableError) as exc:
            last[0] = exc
            return False
        last[0] = f"HTTP {response.status}"
        return response.status == 200

    if poll(ready, timeout, most=1.0):
        return
    raise ClusterError(_("the apiserver did not become ready within {seconds}s ({last})")
                       .format(seconds=f"{timeout:.0f}", last=last[0]))


def ensure_nodes(api: client.ApiClient, count: int) -> list[str]:
    """Create the simulated nodes 0..count-1 that do not exist yet; returns their names."""
    core = client.CoreV1Api(api)
    existing = {n.metadata.name for n in core.list_node().items}
    names = []
    for i in range(count):
        name = node_name(i)
        names.append(name)
        if name not in existing:
            with contextlib.suppress(ConflictError):  # made meanwhile by another `up`
                core.create_node(node_manifest(i))
    return names


def _node_ready(node: Any) -> bool:
    return facts.is_ready(node)


def wait_nodes_ready(api: client.ApiClient, count: int, timeout: float) -> None:
    """Wait until at least ``count`` nodes report Ready."""
    core = client.CoreV1Api(api)
    wait_for(core.list_node, lambda nodes: sum(map(_node_ready, nodes)) >= count, timeout,
             ngettext("{count} node to be Ready", "{count} nodes to be Ready", count).format(count=count))


def wait_metrics_api(api: client.ApiClient, timeout: float) -> None:
    """Wait until the metrics.k8s.io APIService is Available (metrics-server answers)."""
    reg = client.ApiregistrationV1Api(api)

    def available(services: list[Any]) -> bool:
        return any(s.metadata.name == METRICS_APISERVICE and any(
            c.type == "Available" and c.status == "True" for c in (s.status.conditions or []))
            for s in services)

    try:
        wait_for(reg.list_api_service, available, timeout, _("the metrics API (metrics-server)"),
                 field_selector=f"metadata.name={METRICS_APISERVICE}")
    except WaitTimeout as exc:  # say why the apiserver finds metrics-server unavailable
        try:
            conditions = reg.read_api_service(METRICS_APISERVICE, _request_timeout=5).status.conditions or []
        except (ApiError, UnreachableError):
            raise exc from None
        why = "; ".join(f"{c.reason}: {c.message}" for c in conditions if c.type == "Available")
        raise WaitTimeout(f"{exc} ({why})" if why else str(exc)) from exc
