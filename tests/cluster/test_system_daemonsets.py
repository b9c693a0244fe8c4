"""kube-system looks like a real cluster's: `kubectl get ds -n kube-system` lists kube-proxy and
node-problem-detector with one Running pod on every node, nodes added later (a class's) included;
`up` on the running cluster keeps them (and puts back one that was deleted); learners cannot change them."""

from __future__ import annotations

import pytest
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

import kworkshop as kw
from kworkshop import classroom
from kworkshop.cluster.embedded.addons import DAEMONSETS, NAMESPACE

from .helpers import wait_for


def _ready(pod: client.V1Pod) -> bool:
    return pod.status.phase == "Running" and any(
        c.type == "Ready" and c.status == "True" for c in pod.status.conditions or [])


def wait_one_running_pod_per_node(cluster, name: str, timeout: float = 60) -> list[client.V1Pod]:
    """Until the DaemonSet ``name`` has exactly one Running, Ready pod on every node, and says so."""
    core, apps = client.CoreV1Api(cluster.api_client), client.AppsV1Api(cluster.api_client)
    nodes = cluster.nodes()
    ds = apps.read_namespaced_daemon_set(name, NAMESPACE)
    selector = ",".join(f"{k}={v}" for k, v in ds.spec.selector.match_labels.items())

    def one_per_node(pods: list[client.V1Pod]) -> bool:
        # pods left on a deleted node are the pod garbage collector's (after 40 s), not the DaemonSet's
        live = [p for p in pods if p.metadata.deletion_timestamp is None and p.spec.node_name in nodes
                and any(o.uid == ds.metadata.uid for o in p.metadata.owner_references or [])]
        return sorted(p.spec.node_name for p in live if _ready(p)) == nodes and len(live) == len(nodes)

    def describe(pods: list[client.V1Pod]) -> str:
        return "; ".join(f"{p.metadata.name} on {p.spec.node_name}: {p.status.phase}" for p in pods)

    pods = wait_for(core.list_namespaced_pod, one_per_node, timeout, f"one {name} pod Running on each node",
                    describe=describe, namespace=NAMESPACE, label_selector=selector)
    want = len(nodes)
    wait_for(apps.list_namespaced_daemon_set, lambda items: items and items[0].status.desired_number_scheduled
             == items[0].status.current_number_scheduled == items[0].status.number_ready == want,
             timeout, f"daemonset {name} to count {want} ready pods", namespace=NAMESPACE,
             field_selector=f"metadata.name={name}")
    return pods


def get_ds(kubectl) -> dict[str, dict[str, str]]:
    """`kubectl get ds -n kube-system` as {name: {column: value}}."""
    header, *lines = kubectl("get", "ds", "-n", NAMESPACE).splitlines()
    columns = header.replace("NODE SELECTOR", "NODE-SELECTOR").split()
    return {line.split()[0]: dict(zip(columns, line.split(), strict=False)) for line in lines}


def test_kubectl_get_ds_in_kube_system_shows_one_ready_pod_per_node(cluster, kubectl):
    for name in DAEMONSETS:
        pods = wait_one_running_pod_per_node(cluster, name)
        assert all(p.spec.host_network and p.status.pod_ip == p.status.host_ip for p in pods)
        assert {p.spec.priority_class_name for p in pods} == {"system-node-critical"}
    table = get_ds(kubectl)
    nodes = str(len(cluster.nodes()))
    for name in DAEMONSETS:
        row = table[name]
        assert (row["DESIRED"], row["CURRENT"], row["READY"], row["AVAILABLE"]) == (nodes,) * 4, row
    assert table["kube-proxy"]["NODE-SELECTOR"] == "kubernetes.io/os=linux"
    images = kubectl("get", "ds", "-n", NAMESPACE, "-o", "jsonpath={.items[*].spec.template.spec.containers[*].image}")
    assert "registry.k8s.io/kube-proxy:v1.36.3" in images.split()


def test_up_again_keeps_them_and_puts_back_a_deleted_one(cluster):
    apps = client.AppsV1Api(cluster.api_client)
    before = {d.metadata.name: (d.metadata.uid, d.metadata.generation)
              for d in apps.list_namespaced_daemon_set(NAMESPACE).items}
    apps.delete_namespaced_daemon_set("node-problem-detector", NAMESPACE)
    kw.up(3, name=cluster.name, set_env=False)  # reattaches; re-applies what is missing
    after = {d.metadata.name: (d.metadata.uid, d.metadata.generation)
             for d in apps.list_namespaced_daemon_set(NAMESPACE).items}
    assert sorted(after) == sorted(DAEMONSETS)
    assert after["kube-proxy"] == before["kube-proxy"]  # unchanged: same object, no new generation
    assert after["node-problem-detector"][0] != before["node-problem-detector"][0]  # recreated
    for name in DAEMONSETS:
        wait_one_running_pod_per_node(cluster, name)


def test_class_nodes_get_them_and_learners_cannot_change_them(cluster, tmp_path):
    kw.use(cluster)
    info = classroom.create("sysds", count=1, output=tmp_path)  # two nodes of the learner's own
    try:
        assert len(cluster.nodes()) == 5
        for name in DAEMONSETS:
            wait_one_running_pod_per_node(cluster, name)
        learner = client.AppsV1Api(config.new_client_from_config(str(info.kubeconfigs[0])))
        learner_core = client.CoreV1Api(learner.api_client)
        for attempt in (lambda: learner.patch_namespaced_daemon_set(
                            "kube-proxy", NAMESPACE, {"spec": {"template": {"spec": {"tolerations": []}}}}),
                        lambda: learner.delete_namespaced_daemon_set("node-problem-detector", NAMESPACE),
                        lambda: learner_core.delete_collection_namespaced_pod(NAMESPACE)):
            with pytest.raises(ApiException) as refused:
                attempt()
            assert refused.value.status == 403
    finally:
        classroom.delete("sysds")
    for name in DAEMONSETS:  # back to the three nodes of the cluster (the pod GC waits 40 s first)
        wait_one_running_pod_per_node(cluster, name, timeout=150)
