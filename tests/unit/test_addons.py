"""kube-system's DaemonSets (kube-proxy, node-problem-detector) as rendered from the package's manifests."""

from __future__ import annotations

import pytest
import yaml

from kworkshop.agent import images
from kworkshop.binaries.pins import KUBERNETES_VERSION
from kworkshop.cluster.embedded import addons


def by_kind_and_name(docs: list[dict]) -> dict[tuple[str, str], dict]:
    return {(d["kind"], d["metadata"]["name"]): d for d in docs}


@pytest.fixture
def docs() -> list[dict]:
    return addons.render(apiserver="https://127.0.0.1:32001")


def daemonsets(docs: list[dict]) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == "DaemonSet"}


def test_two_system_daemonsets_in_kube_system(docs):
    assert sorted(daemonsets(docs)) == sorted(addons.DAEMONSETS)
    namespaced = [d for d in docs if d["kind"] not in ("ClusterRoleBinding",)]
    assert {d["metadata"]["namespace"] for d in namespaced} == {"kube-system"}
    assert len(by_kind_and_name(docs)) == len(docs)  # no object twice


@pytest.mark.parametrize("name", addons.DAEMONSETS)
def test_each_looks_like_a_real_system_daemonset(docs, name):
    ds = daemonsets(docs)[name]
    template = ds["spec"]["template"]
    pod = template["spec"]
    assert ds["spec"]["selector"]["matchLabels"].items() <= template["metadata"]["labels"].items()
    assert ds["metadata"]["labels"] == ds["spec"]["selector"]["matchLabels"]
    assert pod["priorityClassName"] == "system-node-critical"
    assert pod["tolerations"] == [{"operator": "Exists"}]  # every taint, as system DaemonSets do
    assert pod["hostNetwork"] is True
    assert pod["nodeSelector"] == {"kubernetes.io/os": "linux"}  # every kworkshop node has it
    for container in pod["containers"]:
        assert container["resources"]["requests"]["cpu"]
        mounts = {m["name"] for m in container.get("volumeMounts", [])}
        assert mounts <= {v["name"] for v in pod.get("volumes", [])}
    # the pods' ServiceAccount is created (before the DaemonSet) and bound to the built-in role
    names = [(d["kind"], d["metadata"]["name"]) for d in docs]
    account = ("ServiceAccount", pod["serviceAccountName"])
    assert names.index(account) < names.index(("DaemonSet", name))
    bindings = [d for d in docs if d["kind"] == "ClusterRoleBinding"
                and {"kind": "ServiceAccount", "name": account[1], "namespace": "kube-system"} in d["subjects"]]
    assert [b["roleRef"]["name"] for b in bindings] == [
        {"kube-proxy": "system:node-proxier", "node-problem-detector": "system:node-problem-detector"}[name]]


def test_kube_proxy_is_kubeadms_at_the_pinned_version(docs):
    ds = daemonsets(docs)["kube-proxy"]
    assert ds["metadata"]["labels"] == {"k8s-app": "kube-proxy"}
    (container,) = ds["spec"]["template"]["spec"]["containers"]
    assert container["image"] == f"registry.k8s.io/kube-proxy:{KUBERNETES_VERSION}"
    assert container["command"][:2] == ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf"]
    # --config names a file of the mounted ConfigMap, which points kube-proxy at the apiserver
    mount = next(m for m in container["volumeMounts"] if m["mountPath"] == "/var/lib/kube-proxy")
    volume = next(v for v in ds["spec"]["template"]["spec"]["volumes"] if v["name"] == mount["name"])
    config_map = by_kind_and_name(docs)[("ConfigMap", volume["configMap"]["name"])]
    config = yaml.safe_load(config_map["data"]["config.conf"])
    assert config["kind"] == "KubeProxyConfiguration"
    kubeconfig_path = config["clientConnection"]["kubeconfig"]
    assert kubeconfig_path.startswith("/var/lib/kube-proxy/")
    kubeconfig = yaml.safe_load(config_map["data"][kubeconfig_path.rsplit("/", 1)[1]])
    assert kubeconfig["clusters"][0]["cluster"]["server"] == "https://127.0.0.1:32001"


def test_node_problem_detector_is_the_current_release(docs):
    ds = daemonsets(docs)["node-problem-detector"]
    assert ds["metadata"]["labels"] == {"app": "node-problem-detector"}
    (container,) = ds["spec"]["template"]["spec"]["containers"]
    assert container["image"] == "registry.k8s.io/node-problem-detector/node-problem-detector:v0.8.20"
    assert container["command"][0] == "/node-problem-detector"
    assert container["resources"]["requests"] == {"cpu": "10m", "memory": "80Mi"}


def test_rendered_with_the_version_asked_for():
    docs = addons.render("v1.99.0")
    assert addons.images("v1.99.0")[0] == "registry.k8s.io/kube-proxy:v1.99.0"
    assert "{{" not in yaml.safe_dump_all(docs)


def test_their_images_are_in_the_workshop_catalogue(monkeypatch):
    # the simulated kubelet starts only catalogued images; others wait in ErrImagePull
    monkeypatch.delenv("KWORKSHOP_EXTRA_IMAGES", raising=False)
    known = set(images.all_spellings(images.catalogue()))
    assert set(addons.images()) <= known
    assert len(addons.images()) == 2
