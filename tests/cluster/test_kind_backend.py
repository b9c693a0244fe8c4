"""The kind backend end to end, with real containers: three node containers, the real kubelet pulling
(or failing to pull) the chapter's images, and notebooks 02 and 03 run to the end on them (about 6 min).

Where a Docker daemon answers (DOCKER_HOST, or the kit's own harness daemon, tests/harness/docker.py,
which `make kind-images` starts and fills with a node image and the chapter's images built offline), the
cluster is created once for the module through ``kw.up(backend="kind")``; elsewhere the tests are
reported as skipped with the reason.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from harness import docker as harness
from kubernetes import client

import kworkshop as kw
from kworkshop.cluster import records
from kworkshop.cluster.kind import docker_available
from kworkshop.kube.connection import current_namespace
from kworkshop.kube.watch import wait_for
from kworkshop.notebooks import run_notebooks

from .helpers import waiting_reason


def _docker_host() -> str | None:
    """DOCKER_HOST for the test: the caller's, else the kit's harness daemon when it answers."""
    if os.environ.get("DOCKER_HOST"):
        return os.environ["DOCKER_HOST"]
    return harness.HOST if harness.answers() else None


HOST = _docker_host()
if HOST:
    os.environ["DOCKER_HOST"] = HOST  # before docker_available(): the daemon the backend will use
AVAILABLE, WHY = docker_available()
needs_docker = pytest.mark.skipif(not AVAILABLE, reason=f"kind needs Docker: {WHY}")
NAME = "kworkshop-kind-test"
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


@pytest.fixture(scope="module")
def cluster():
    cluster = kw.up(backend="kind", name=NAME, set_env=False)
    try:
        yield cluster
    finally:
        assert cluster.down() == []


@pytest.fixture
def core(cluster):
    kw.use(cluster, namespace=kw.fresh_namespace("kind-e2e"))
    return client.CoreV1Api(cluster.api_client)


@needs_docker
def test_three_ready_nodes_one_control_plane_two_labelled_workers(cluster, core):
    nodes = core.list_node().items
    assert len(nodes) == 3
    assert all(any(c.type == "Ready" and c.status == "True" for c in n.status.conditions) for n in nodes)
    control = [n for n in nodes if "node-role.kubernetes.io/control-plane" in (n.metadata.labels or {})]
    workers = [n for n in nodes if n not in control]
    assert len(control) == 1 and len(workers) == 2
    for node in workers:
        labels = node.metadata.labels
        assert labels["node.kubernetes.io/instance-type"] and labels["topology.kubernetes.io/zone"]
    zones = {n.metadata.labels["topology.kubernetes.io/zone"] for n in workers}
    assert len(zones) == 2
    assert all(n.status.node_info.kubelet_version == "v1.36.3" for n in nodes)


def _job(name: str, image: str, command: list[str]) -> dict:
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name}, "spec": {
        "backoffLimit": 2, "template": {"spec": {"restartPolicy": "Never", "containers": [
            {"name": name, "image": image, "command": command}]}}}}


@needs_docker
def test_pod_scaling_serves_its_version_then_42_fails_to_pull(cluster, core):
    kw.apply({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
              "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "template": {
                  "metadata": {"labels": {"app": "web"}}, "spec": {"containers": [
                      {"name": "web", "image": "jonbaier/pod-scaling:0.1", "ports": [{"containerPort": 80}]}]}}}})
    kw.apply({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
              "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}})
    assert kw.rollout.status("deployment/web", timeout=180).done
    # from inside the cluster: busybox's wget through cluster DNS, the Service (kube-proxy) and the CNI
    kw.apply(_job("curl-web", "busybox:1.36", ["wget", "-qO-", "http://web/"]))
    kw.wait_for_job("curl-web", timeout=120)
    assert "pod-scaling 0.1 from web-" in kw.logs("job/curl-web")

    kw.set_image("deployment/web", {"web": "jonbaier/pod-scaling:42.0"})
    with pytest.raises(kw.RolloutStuckError):
        kw.rollout.status("deployment/web", timeout=90)
    def pull_failed(pods: list[client.V1Pod]) -> list[client.V1Pod]:
        return [p for p in pods if p.spec.containers[0].image.endswith(":42.0")
                and waiting_reason(p) in ("ErrImagePull", "ImagePullBackOff")]

    pods = wait_for(core.list_namespaced_pod, pull_failed, 120, "a pod of 42.0 waiting on a pull error",
                    namespace=current_namespace())
    events = core.list_namespaced_event(current_namespace(), field_selector="reason=Failed").items
    assert any("pod-scaling:42.0" in (e.message or "") for e in events), [e.message for e in events]
    assert pull_failed(pods)


@needs_docker
def test_whalesay_logs_come_from_cowsay(cluster, core):
    kw.apply(_job("long-task", "docker/whalesay", ["cowsay", "Finishing that task in a jiffy"]))
    kw.wait_for_job("long-task", timeout=120)
    out = kw.logs("job/long-task")
    assert "< Finishing that task in a jiffy >" in out and "(oo)" in out


@needs_docker
def test_notebooks_02_and_03_run_to_the_end_on_kind(cluster, core, tmp_path, monkeypatch):
    """Real containers under the chapter: 42.0's real ErrImagePull and undo (02); the HPA going 3 -> 6 -> 3
    on real CPU from the real load generator's requests (03)."""
    for variable, value in (("KWORKSHOP_CLUSTER", NAME), ("KWORKSHOP_BACKEND", "kind"), ("KWORKSHOP_SOLUTIONS", "1")):
        monkeypatch.setenv(variable, value)
    runs = run_notebooks([NOTEBOOKS / "02-updates-history-rollback.ipynb", NOTEBOOKS / "03-autoscaling.ipynb"],
                         tmp_path, parameters={"backend": "kind", "solutions": True})
    assert all(r.passed for r in runs), [str(r) for r in runs]
    failed = [e.message or "" for e in core.list_namespaced_event("ch5-updates", field_selector="reason=Failed").items]
    assert any("pod-scaling:42.0" in m for m in failed), failed
    rescales = [e.message or "" for e in core.list_namespaced_event(
        "ch5-autoscaling", field_selector="reason=SuccessfulRescale").items]
    assert any(m.startswith("New size: 6; reason: cpu resource utilization") for m in rescales), rescales
    assert any(m.startswith("New size: 3; reason: All metrics below target") for m in rescales), rescales


def test_asking_for_kind_without_docker_says_how_to_go_on(state_root):
    if AVAILABLE:
        pytest.skip("Docker answers here: the error path cannot be shown")
    with pytest.raises(kw.ClusterError, match=r"needs Docker, but .*Use the embedded cluster instead"):
        kw.up(backend="kind", name="never", set_env=False)
    assert records.read("never") is None  # nothing was made, so nothing is remembered
