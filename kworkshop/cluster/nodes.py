"""The simulated nodes: Node objects labelled the way a cloud provider labels real ones.

``kwokctl scale node`` cannot set free-form labels, so the kit creates the Node objects itself.
KWOK's node-initialize stage then fills in conditions, addresses and the kubelet endpoint. The
labels are the current names of the well-known labels (``node.kubernetes.io/instance-type`` and
``topology.kubernetes.io/{region,zone}`` replaced the ``beta.`` and ``failure-domain.`` ones).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..binaries.pins import KUBERNETES_VERSION

NODE_PREFIX = "kwok-node-"
REGION = "workshop-1"
ZONES = ("workshop-1a", "workshop-1b", "workshop-1c")
INSTANCE_TYPE = "kw.standard-4"


@dataclass(frozen=True)
class NodeShape:
    """What every simulated node offers the scheduler."""

    cpu: str = "4"
    memory: str = "16Gi"
    pods: str = "110"


def node_name(index: int) -> str:
    """The name of the node number ``index`` (0-based)."""
    return f"{NODE_PREFIX}{index}"


def node_labels(name: str, index: int) -> dict[str, str]:
    """The well-known labels of a node, spreading nodes over the zones of one region."""
    return {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        # deprecated since 1.14, yet every kubelet still sets them (and old manifests select on them)
        "beta.kubernetes.io/os": "linux",
        "beta.kubernetes.io/arch": "amd64",
        "node.kubernetes.io/instance-type": INSTANCE_TYPE,
        "topology.kubernetes.io/region": REGION,
        "topology.kubernetes.io/zone": ZONES[index % len(ZONES)],
        "type": "kwok",
    }


# Documentation ranges (RFC 5737), as kwokctl's own node template uses: addresses a learner sees in
# `kubectl get nodes -o wide` and as a pod's hostIP, never routed anywhere. The simulated kubelet
# answers on the Hostname address (localhost), which the apiserver and metrics-server prefer.
_INTERNAL_NETS = ("192.0.2", "198.51.100", "203.0.113")


def internal_ip(index: int) -> str:
    """The InternalIP of node number ``index``: 192.0.2.10, .11, ... then the next range."""
    net, host = divmod(index, 240)
    return f"{_INTERNAL_NETS[net % len(_INTERNAL_NETS)]}.{10 + host}"


def node_manifest(index: int, shape: NodeShape = NodeShape()) -> dict[str, Any]:
    """The Node object for node number ``index``: untainted, with the metrics annotation.

    metrics-server (>= 0.7) asks each node's kubelet for ``resource-metrics-path``; KWOK serves the
    simulated usage there. No Hostname address is set: KWOK adds ``localhost``, where it answers.
    """
    name = node_name(index)
    resources = {"cpu": shape.cpu, "memory": shape.memory, "pods": shape.pods}
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": node_labels(name, index),
            "annotations": {
                "kwok.x-k8s.io/node": "fake",
                "node.alpha.kubernetes.io/ttl": "0",
                "metrics.k8s.io/resource-metrics-path": f"/metrics/nodes/{name}/metrics/resource",
            },
        },
        "spec": {},
        "status": {
            "addresses": [{"type": "InternalIP", "address": internal_ip(index)}],
            "allocatable": resources,
            "capacity": dict(resources),
            "nodeInfo": {
                # what `kubectl get nodes` shows as VERSION: the control plane's, as on a real cluster
                "kubeletVersion": KUBERNETES_VERSION,
                "kubeProxyVersion": KUBERNETES_VERSION,
                "architecture": "amd64",
                "operatingSystem": "linux",
                "osImage": "KWOK simulated node (kworkshop)",
            },
        },
    }
