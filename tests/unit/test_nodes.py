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


def test_nodes_have_distinct_internal_ips_in_documentation_ranges():
    ips = [node_manifest(i)["status"]["addresses"][0] for i in range(600)]
    assert {a["type"] for a in ips} == {"InternalIP"}
    addresses = [a["address"] for a in ips]
    assert addresses[0] == "192.0.2.10" and len(set(addresses)) == 600
    assert all(a.startswith(("192.0.2.", "198.51.100.", "203.0.113.")) for a in addresses)
    assert all(10 <= int(a.rsplit(".", 1)[1]) <= 249 for a in addresses)


def test_nodes_keep_the_beta_labels_kubelets_still_set():
    labels = node_manifest(0)["metadata"]["labels"]
    assert labels["beta.kubernetes.io/os"] == labels["kubernetes.io/os"] == "linux"
    assert labels["beta.kubernetes.io/arch"] == labels["kubernetes.io/arch"] == "amd64"
