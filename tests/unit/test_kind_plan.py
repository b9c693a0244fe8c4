"""The kind backend's config and command plan (pure), and how auto-detection explains itself."""

from pathlib import Path

import yaml

from kworkshop.binaries.pins import KIND_NODE_IMAGE
from kworkshop.cluster import choose_backend, shipped
from kworkshop.cluster.kind import (
    CHAPTER_IMAGES,
    PRELOAD,
    choose_node_image,
    host_cgroup_v1,
    image_tag_patch,
    kind_config,
    metrics_server_manifest,
    node_states,
    plan,
    step_title,
    timeout_for,
)


def test_config_has_labelled_workers_and_a_fast_hpa():
    config = kind_config(workers=2)
    roles = [n["role"] for n in config["nodes"]]
    assert roles == ["control-plane", "worker", "worker"]
    zones = [n["labels"]["topology.kubernetes.io/zone"] for n in config["nodes"][1:]]
    assert len(set(zones)) == 2
    assert all("node.kubernetes.io/instance-type" in n["labels"] for n in config["nodes"][1:])
    patch = yaml.safe_load(config["nodes"][0]["kubeadmConfigPatches"][0])
    assert patch["controllerManager"]["extraArgs"]["horizontal-pod-autoscaler-sync-period"] == "5s"


def test_metrics_server_gets_the_flags_kind_needs():
    text = shipped.text(shipped.METRICS_SERVER)
    docs = metrics_server_manifest(text)
    args = next(d for d in docs if d["kind"] == "Deployment")["spec"]["template"]["spec"]["containers"][0]["args"]
    assert "--kubelet-insecure-tls" in args
    assert "--kubelet-preferred-address-types=InternalIP,Hostname,ExternalIP" in args
    assert sum(a.startswith("--kubelet-preferred-address-types") for a in args) == 1
    # metrics-server v0.9 panics unless the resolution exceeds the kubelet request timeout
    seconds = {a.split("=")[0]: int(a.split("=")[1].rstrip("s")) for a in args
               if a.startswith(("--metric-resolution", "--kubelet-request-timeout"))}
    assert seconds["--metric-resolution"] > seconds["--kubelet-request-timeout"]


def test_plan_pins_the_node_image_and_preloads_the_chapter_images():
    steps = plan("kind", "kworkshop", Path("/c/kind.yaml"), Path("/c/kubeconfig"))
    assert steps[0][:3] == ["kind", "create", "cluster"] and KIND_NODE_IMAGE in steps[0]
    loaded = [s[3] for s in steps if s[1:3] == ["load", "docker-image"]]
    assert loaded == list(PRELOAD) and set(CHAPTER_IMAGES) <= set(loaded)
    assert "busybox:1.36" in loaded and any("metrics-server" in i for i in loaded)
    assert "jonbaier/pod-scaling:0.1" in loaded and not any("42.0" in i for i in loaded)  # 42.0 must really fail


def test_auto_explains_why_it_did_not_choose_kind(monkeypatch):
    monkeypatch.setenv("KWORKSHOP_REAL_CONTAINERS", "1")
    monkeypatch.setenv("PATH", "/nonexistent")  # no docker command at all
    chosen, why = choose_backend("auto")
    assert chosen == "embedded" and "real containers asked for" in why and "docker" in why.lower()
    monkeypatch.delenv("KWORKSHOP_REAL_CONTAINERS")
    assert choose_backend(None)[0] == "embedded"


def test_every_planned_command_has_a_timeout_longer_than_its_own_wait():
    steps = plan("kind", "kworkshop", Path("/c/kind.yaml"), Path("/c/kubeconfig"))
    assert all(timeout_for(argv) > 0 for argv in steps)
    assert timeout_for(steps[0]) > 120  # kind create waits --wait 120s for the nodes itself
    assert step_title(steps[0]) == "Creating kind cluster kworkshop (kind create cluster)"
    assert step_title(steps[1]).startswith("Pulling ") and step_title(steps[2]).startswith("Loading ")


def test_node_states_keep_only_running_as_running():
    assert node_states("c-worker\texited\nc-control-plane\trunning\n\n") == {
        "c-control-plane": "running", "c-worker": None}
    assert node_states("") == {}


def test_plan_uses_the_node_image_it_is_given():
    steps = plan("kind", "k", Path("/c/kind.yaml"), Path("/c/kubeconfig"), node_image="kworkshop/kind-node:v1-x")
    assert steps[0][steps[0].index("--image") + 1] == "kworkshop/kind-node:v1-x"


def test_cgroup_v1_hosts_get_the_kubelet_patch_and_only_they():
    assert "kubeadmConfigPatches" not in kind_config(workers=2)
    config = kind_config(workers=2, cgroup_v1=True)
    patch = yaml.safe_load(config["kubeadmConfigPatches"][0])
    assert patch["kind"] == "KubeletConfiguration" and patch["failCgroupV1"] is False
    assert [n["role"] for n in config["nodes"]] == ["control-plane", "worker", "worker"]


def test_cgroup_version_is_read_from_the_mounts():
    v1 = ("tmpfs /sys/fs/cgroup tmpfs ro 0 0\n"
          "cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,cpu,cpuacct 0 0\n")
    v2 = "cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid 0 0\n"
    hybrid = v1 + "cgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n"
    assert host_cgroup_v1(v1) and host_cgroup_v1(hybrid)
    assert not host_cgroup_v1(v2) and not host_cgroup_v1("")


def test_a_built_node_image_brings_its_etcd_and_coredns_tags_to_kubeadm():
    labels = {"io.x-k8s.kworkshop.etcd-image-tag": "3.6.16-0", "io.x-k8s.kworkshop.dns-image-tag": "v1.14.3",
              "other": "x"}
    assert image_tag_patch(labels) == {"etcd": {"local": {"imageTag": "3.6.16-0"}}, "dns": {"imageTag": "v1.14.3"}}
    assert image_tag_patch(None) == {} and image_tag_patch({}) == {}
    patch = yaml.safe_load(kind_config(image_labels=labels)["nodes"][0]["kubeadmConfigPatches"][0])
    assert patch["etcd"]["local"]["imageTag"] == "3.6.16-0"
    assert patch["controllerManager"]["extraArgs"]["horizontal-pod-autoscaler-sync-period"] == "5s"


def test_the_node_image_choice_is_explicit():
    built = ["kworkshop/kind-node:v1.36.3-abc", "kworkshop/kind-node:v1.36.3-old"]
    assert choose_node_image("mine:1", False, built)[0] == "mine:1"
    assert choose_node_image(None, True, built)[0] == KIND_NODE_IMAGE
    image, why = choose_node_image(None, False, built)
    assert image == built[0] and "built on this machine" in why
    image, why = choose_node_image(None, False, [])
    assert image is None and "make kind-images" in why
