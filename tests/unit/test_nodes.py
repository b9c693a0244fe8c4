"""The simulated Node objects."""

from kworkshop.cluster.nodes import node_manifest


def test_node_manifest_labels_annotation_and_no_taints():
    node = node_manifest(4)
    meta = node["metadata"]
    assert meta["name"] == "kwok-node-4"
    assert meta["labels"]["kubernetes.io/hostname"] == "kwok-node-4"
    assert meta["labels"]["topology.kubernetes.io/zone"].startswith(meta["labels"]["topology.kubernetes.io/region"])
    assert meta["labels"]["node.kubernetes.io/instance-type"]
    assert meta["annotations"]["metrics.k8s.io/resource-metrics-path"] == \
        "/metrics/nodes/kwok-node-4/metrics/resource"
    assert "taints" not in node["spec"]
    assert node["status"]["allocatable"]["cpu"] == node["status"]["capacity"]["cpu"]


def test_nodes_spread_over_zones():
    zones = {node_manifest(i)["metadata"]["labels"]["topology.kubernetes.io/zone"] for i in range(3)}
    assert len(zones) == 3
