"""The simulated kubelet on the live cluster: run times, exit codes, restarts, termination, probes.

All the workloads start together in one namespace (``scenarios``), so their waits overlap; each
test then follows one of them with a watch and checks what a real kubelet would have shown, with
the real Job controller reacting to it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from kubernetes import client, watch

import kworkshop as kw
from kworkshop.kube.namespaces import create_namespace

from .helpers import events_for, wait_for


def job(name: str, command: list[str] | None, policy: str = "Never", backoff_limit: int = 6,
        image: str = "busybox:1.36") -> dict:
    container = {"name": "main", "image": image}
    if command is not None:
        container["command"] = command
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
            "spec": {"backoffLimit": backoff_limit, "template": {"spec": {
                "restartPolicy": policy, "containers": [container]}}}}


@dataclass
class Scenarios:
    namespace: str
    started: float
    core: client.CoreV1Api
    batch: client.BatchV1Api
    seen: dict[str, set[str]] = field(default_factory=dict)

    def pods(self, job_name: str) -> list[client.V1Pod]:
        return self.core.list_namespaced_pod(self.namespace, label_selector=f"job-name={job_name}").items

    def elapsed(self) -> float:
        return time.monotonic() - self.started


@pytest.fixture(scope="module")
def scenarios(cluster) -> Iterator[Scenarios]:
    core = client.CoreV1Api(cluster.api_client)
    batch = client.BatchV1Api(cluster.api_client)
    namespace = f"kubelet-{uuid.uuid4().hex[:6]}"
    kw.use(cluster, namespace=namespace)
    create_namespace(namespace)
    for manifest in (
        job("sleep-20", ["sleep", "20"]),
        job("exit-3", ["/bin/sh", "-c", "exit 3"], backoff_limit=1),
        job("crash", ["/bin/sh", "-c", "exit 1"], policy="OnFailure", backoff_limit=3),
        job("pause", None, image="registry.k8s.io/pause:3.10"),
    ):
        batch.create_namespaced_job(namespace, manifest)
    yield Scenarios(namespace, time.monotonic(), core, batch)
    core.delete_namespace(namespace)


def _phase(pods: list[client.V1Pod]) -> str | None:
    return pods[0].status.phase if pods else None


def test_sleep_20_runs_20_seconds(scenarios):
    wait_for(scenarios.core.list_namespaced_pod, lambda pods: _phase(pods) == "Running", 30,
             "the sleep-20 pod Running", namespace=scenarios.namespace, label_selector="job-name=sleep-20")
    time.sleep(max(0.0, 10 - scenarios.elapsed()))
    assert _phase(scenarios.pods("sleep-20")) == "Running", "ended before 10 s"
    pods = wait_for(scenarios.core.list_namespaced_pod, lambda pods: _phase(pods) == "Succeeded",
                    max(1.0, 30 - scenarios.elapsed()), "the sleep-20 pod Succeeded by 30 s",
                    namespace=scenarios.namespace, label_selector="job-name=sleep-20")
    state = pods[0].status.container_statuses[0].state.terminated
    assert state.exit_code == 0 and state.reason == "Completed"
    assert 18 <= (state.finished_at - state.started_at).total_seconds() <= 22


def test_exit_3_under_never_fails_the_pods_and_the_job(scenarios):
    def failed(jobs: list) -> bool:
        conditions = {c.type: c for c in (jobs[0].status.conditions or [])} if jobs else {}
        return "Failed" in conditions and conditions["Failed"].status == "True"

    jobs = wait_for(scenarios.batch.list_namespaced_job, failed, 90, "Job exit-3 Failed",
                    namespace=scenarios.namespace, field_selector="metadata.name=exit-3")
    reason = next(c.reason for c in jobs[0].status.conditions if c.type == "Failed")
    assert reason == "BackoffLimitExceeded"
    pods = scenarios.pods("exit-3")
    assert len(pods) == 2  # the first try and one retry (backoffLimit: 1); failed pods are kept
    for pod in pods:
        assert pod.status.phase == "Failed"
        terminated = pod.status.container_statuses[0].state.terminated
        assert terminated.exit_code == 3 and terminated.reason == "Error"
        assert pod.status.container_statuses[0].restart_count == 0


def test_exit_1_under_on_failure_restarts_in_place_in_crash_loop_back_off(scenarios):
    reasons: set[str] = set()
    counts: list[int] = []
    w = watch.Watch()
    deadline = time.monotonic() + 90
    for event in w.stream(scenarios.core.list_namespaced_pod, namespace=scenarios.namespace,
                          label_selector="job-name=crash", timeout_seconds=90):
        status = event["object"].status.container_statuses or []
        for cs in status:
            counts.append(cs.restart_count)
            if cs.state.waiting:
                reasons.add(cs.state.waiting.reason)
            for state in (cs.state, cs.last_state):
                if state and state.terminated:
                    reasons.add(state.terminated.reason)
        if ("CrashLoopBackOff" in reasons and max(counts, default=0) >= 2) or time.monotonic() > deadline:
            w.stop()
    assert max(counts) >= 2 and {"CrashLoopBackOff", "Error"} <= reasons, (counts, reasons)
    pods = scenarios.pods("crash")
    assert len(pods) == 1  # restarted in place: still the same pod
    last = pods[0].status.container_statuses[0].last_state.terminated
    assert last is not None and last.exit_code == 1
    messages = [e.message for e in events_for(scenarios.core, scenarios.namespace, pods[0].metadata.name)
                if e.reason == "BackOff"]
    assert messages and "Back-off restarting failed container" in messages[0]


def test_a_pause_image_job_pod_never_ends(scenarios):
    time.sleep(max(0.0, 60 - scenarios.elapsed()))
    pods = scenarios.pods("pause")
    assert len(pods) == 1 and pods[0].status.phase == "Running"
    assert pods[0].status.container_statuses[0].state.running is not None


def test_pods_have_the_host_ip_of_their_node(cluster, namespace):
    core = client.CoreV1Api(cluster.api_client)
    core.create_namespaced_pod(namespace, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
                                           "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}})
    pods = wait_for(core.list_namespaced_pod, lambda pods: _phase(pods) == "Running", 30, "web Running",
                    namespace=namespace)
    node = core.read_node(pods[0].spec.node_name)
    internal = [a.address for a in node.status.addresses if a.type == "InternalIP"]
    assert internal and pods[0].status.host_ip == internal[0]
    cs = pods[0].status.container_statuses[0]
    assert cs.started and cs.container_id.startswith("containerd://") and cs.image_id
    conditions = {c.type: c.status for c in pods[0].status.conditions}
    assert conditions["PodReadyToStartContainers"] == "True" and conditions["Ready"] == "True"


def test_a_readiness_probe_holds_ready_for_its_initial_delay(cluster, namespace):
    core = client.CoreV1Api(cluster.api_client)
    probe = {"exec": {"command": ["cat", "/tmp/ready"]}, "initialDelaySeconds": 15, "periodSeconds": 5}
    core.create_namespaced_pod(namespace, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "probed"},
                                           "spec": {"containers": [{"name": "web", "image": "nginx:1.27",
                                                                    "readinessProbe": probe}]}})

    def ready(pods: list) -> bool:
        return bool(pods) and any(c.type == "Ready" and c.status == "True" for c in pods[0].status.conditions or [])

    wait_for(core.list_namespaced_pod, lambda pods: _phase(pods) == "Running", 30, "probed Running",
             namespace=namespace)
    pods = wait_for(core.list_namespaced_pod, ready, 40, "probed Ready", namespace=namespace)
    started = pods[0].status.container_statuses[0].state.running.started_at
    became_ready = next(c.last_transition_time for c in pods[0].status.conditions if c.type == "Ready")
    assert 14 <= (became_ready - started).total_seconds() <= 18


def test_a_deleted_pod_held_by_a_finalizer_fails_with_143_within_its_grace_period(cluster, namespace):
    core = client.CoreV1Api(cluster.api_client)
    hold = "kworkshop.io/test-hold"
    core.create_namespaced_pod(namespace, {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "held", "finalizers": [hold]},
        "spec": {"terminationGracePeriodSeconds": 30, "restartPolicy": "Never",
                 "containers": [{"name": "main", "image": "busybox:1.36", "command": ["sleep", "1000000"]}]}})
    wait_for(core.list_namespaced_pod, lambda pods: _phase(pods) == "Running", 30, "held Running",
             namespace=namespace)
    core.delete_namespaced_pod("held", namespace)
    deleted = time.monotonic()
    pods = wait_for(core.list_namespaced_pod, lambda pods: _phase(pods) == "Failed", 15, "held Failed",
                    namespace=namespace)
    assert time.monotonic() - deleted <= 6  # the 30 s grace period, capped for the workshop
    terminated = pods[0].status.container_statuses[0].state.terminated
    assert terminated.exit_code == 143
    assert pods[0].metadata.deletion_timestamp is not None  # still there: the finalizer holds it
    time.sleep(2)
    assert [p.metadata.name for p in core.list_namespaced_pod(namespace).items] == ["held"]
    core.patch_namespaced_pod("held", namespace, {"metadata": {"finalizers": None}})
    wait_for(core.list_namespaced_pod, lambda pods: not pods, 15, "held gone", namespace=namespace)
    reasons = {e.reason for e in events_for(core, namespace, "held")}
    assert "Killing" in reasons
