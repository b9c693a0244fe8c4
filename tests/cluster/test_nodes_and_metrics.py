"""The simulated nodes look like real ones, and the metrics pipeline serves numbers."""

from __future__ import annotations

import os
import re
import subprocess

from kubernetes import client

from kworkshop.cluster import cluster_env
from kworkshop.polling import poll

from .helpers import wait_for

WELL_KNOWN = ("kubernetes.io/hostname", "kubernetes.io/os", "kubernetes.io/arch",
              "node.kubernetes.io/instance-type", "topology.kubernetes.io/region",
              "topology.kubernetes.io/zone")


def test_three_nodes_ready_untainted_and_labelled(cluster):
    nodes = client.CoreV1Api(cluster.api_client).list_node().items
    assert sorted(n.metadata.name for n in nodes) == ["kwok-node-0", "kwok-node-1", "kwok-node-2"]
    for node in nodes:
        ready = {c.type: c.status for c in node.status.conditions}["Ready"]
        assert ready == "True", node.metadata.name
        for label in WELL_KNOWN:
            assert node.metadata.labels.get(label), f"{node.metadata.name} lacks {label}"
        assert node.metadata.labels["kubernetes.io/hostname"] == node.metadata.name
        path = node.metadata.annotations["metrics.k8s.io/resource-metrics-path"]
        assert path == f"/metrics/nodes/{node.metadata.name}/metrics/resource"
        assert not [t for t in node.spec.taints or [] if t.effect in ("NoSchedule", "NoExecute")
                    and t.key != "node.kubernetes.io/not-ready"]
    assert cluster.nodes() == ["kwok-node-0", "kwok-node-1", "kwok-node-2"]


def test_control_plane_is_kubernetes_1_36(cluster):
    info = client.VersionApi(cluster.api_client).get_code()
    assert info.git_version == "v1.36.3"
    assert (info.major, info.minor) == ("1", "36")


def test_metrics_api_serves_node_metrics(cluster):
    metrics = client.CustomObjectsApi(cluster.api_client)

    def node_metrics() -> list[dict]:
        return metrics.list_cluster_custom_object("metrics.k8s.io", "v1beta1", "nodes")["items"]

    # Metrics are not watchable: poll until metrics-server has scraped every node once.
    assert poll(lambda: len(node_metrics()) == 3, timeout=60, most=1)
    items = node_metrics()
    assert sorted(i["metadata"]["name"] for i in items) == ["kwok-node-0", "kwok-node-1", "kwok-node-2"]
    assert all("cpu" in i["usage"] and "memory" in i["usage"] for i in items)


def test_kubectl_top_pods_shows_annotated_usage(cluster, namespace):
    core = client.CoreV1Api(cluster.api_client)
    core.create_namespaced_pod(namespace, {
        "metadata": {"name": "busy", "annotations": {"kwok.x-k8s.io/usage-cpu": "250m"}},
        "spec": {"containers": [{"name": "app", "image": "jonbaier/pod-scaling:0.1",
                                 "resources": {"requests": {"cpu": "100m"}}}]}})
    wait_for(core.list_namespaced_pod, lambda pods: any(p.status.phase == "Running" for p in pods),
             60, "pod busy Running", namespace=namespace)
    env = {**os.environ, **cluster_env(cluster.name)}
    def top() -> str:
        run = subprocess.run(["kubectl", "top", "pods", "-n", namespace, "--no-headers"],
                             env=env, capture_output=True, text=True, check=False)
        return run.stdout

    # metrics-server needs two scrapes (10 s apart) before it reports a new pod's CPU rate.
    poll(lambda: "busy" in top(), timeout=90, most=2)
    out = top()
    match = re.search(r"^busy\s+(\d+)m\s+(\d+)Mi", out, re.M)
    assert match, f"kubectl top printed: {out!r}"
    assert 200 <= int(match.group(1)) <= 300
