"""What the chapter does to workloads, on the live cluster: real controllers, simulated kubelets."""

from __future__ import annotations

from kubernetes import client

from kworkshop.polling import poll

from .helpers import deployment, events_for, wait_for, waiting_reason


def _available(name: str, replicas: int, image: str):
    def test(deploys: list) -> bool:
        d = next((x for x in deploys if x.metadata.name == name), None)
        return bool(d and d.status.observed_generation == d.metadata.generation
                    and d.status.updated_replicas == replicas
                    and d.status.available_replicas == replicas
                    and (d.status.replicas or 0) == replicas
                    and d.spec.template.spec.containers[0].image == image)
    return test


def test_deployment_becomes_available(cluster, namespace):
    apps = client.AppsV1Api(cluster.api_client)
    apps.create_namespaced_deployment(namespace, deployment("node-js", "jonbaier/pod-scaling:0.1"))
    wait_for(apps.list_namespaced_deployment, _available("node-js", 3, "jonbaier/pod-scaling:0.1"),
             60, "3/3 available", namespace=namespace)
    pods = client.CoreV1Api(cluster.api_client).list_namespaced_pod(namespace).items
    assert len(pods) == 3
    assert all(p.status.phase == "Running" and p.status.pod_ip for p in pods)
    assert len({p.spec.node_name for p in pods}) >= 2  # the real scheduler spreads them


def test_missing_image_tag_waits_in_image_pull_errors_and_recovers(cluster, namespace):
    apps = client.AppsV1Api(cluster.api_client)
    core = client.CoreV1Api(cluster.api_client)
    apps.create_namespaced_deployment(namespace, deployment("node-js", "jonbaier/pod-scaling:0.1"))
    wait_for(apps.list_namespaced_deployment, _available("node-js", 3, "jonbaier/pod-scaling:0.1"),
             60, "3/3 available", namespace=namespace)

    patch = {"spec": {"template": {"spec": {"containers": [
        {"name": "node-js", "image": "jonbaier/pod-scaling:42.0"}]}}}}
    apps.patch_namespaced_deployment("node-js", namespace, patch)

    def stuck(pods: list) -> bool:
        bad = [p for p in pods if p.spec.containers[0].image.endswith(":42.0")]
        return bool(bad) and waiting_reason(bad[0]) == "ImagePullBackOff"

    pods = wait_for(core.list_namespaced_pod, stuck, 60, "the 42.0 pod in ImagePullBackOff",
                    namespace=namespace)
    old = [p for p in pods if p.spec.containers[0].image.endswith(":0.1")]
    new = [p for p in pods if p.spec.containers[0].image.endswith(":42.0")]
    assert len(old) == 3 and all(p.status.phase == "Running" for p in old)
    assert len(new) == 1 and new[0].status.phase == "Pending"
    # the node agent writes the kubelet's events once it sees the state (as a kubelet's reach the API
    # server a moment after the status): they follow the pod, they are not in step with it
    assert poll(lambda: {"Failed", "BackOff"} <= {e.reason for e in events_for(core, namespace, new[0].metadata.name)},
                timeout=15), [(e.reason, e.message) for e in events_for(core, namespace, new[0].metadata.name)]
    failed = [e.message for e in events_for(core, namespace, new[0].metadata.name) if e.reason == "Failed"]
    # as a kubelet says it: the pull naming the image, then the waiting reason
    assert any(m.startswith('Failed to pull image "jonbaier/pod-scaling:42.0"') for m in failed), failed
    assert "Error: ErrImagePull" in failed, failed

    # The kubelet's retry brings ErrImagePull back: the loop goes on while the tag is missing.
    wait_for(core.list_namespaced_pod,
             lambda ps: any(waiting_reason(p) == "ErrImagePull" for p in ps
                            if p.spec.containers[0].image.endswith(":42.0")),
             60, "the retry back to ErrImagePull", namespace=namespace)

    patch["spec"]["template"]["spec"]["containers"][0]["image"] = "jonbaier/pod-scaling:0.1"
    apps.patch_namespaced_deployment("node-js", namespace, patch)
    wait_for(apps.list_namespaced_deployment, _available("node-js", 3, "jonbaier/pod-scaling:0.1"),
             60, "recovery", namespace=namespace)
    wait_for(core.list_namespaced_pod,
             lambda ps: len(ps) == 3 and all(p.status.phase == "Running" for p in ps),
             60, "only the 3 good pods left", namespace=namespace)


def test_cowsay_job_completes_with_whale_logs(cluster, namespace):
    batch = client.BatchV1Api(cluster.api_client)
    core = client.CoreV1Api(cluster.api_client)
    batch.create_namespaced_job(namespace, {
        "metadata": {"name": "long-task"},
        "spec": {"template": {"spec": {"restartPolicy": "OnFailure", "containers": [{
            "name": "long-task", "image": "docker/whalesay", "command": ["cowsay", "hello"]}]}}}})
    wait_for(batch.list_namespaced_job, lambda jobs: bool(jobs and jobs[0].status.succeeded == 1),
             60, "the job to succeed", namespace=namespace)
    pod = core.list_namespaced_pod(namespace, label_selector="job-name=long-task").items[0]
    assert pod.status.phase == "Succeeded"
    assert pod.status.container_statuses[0].state.terminated.exit_code == 0
    # the raw body: this client version returns str(bytes) when it decodes the log itself
    text = core.read_namespaced_pod_log(pod.metadata.name, namespace, _preload_content=False).data.decode()
    lines = text.splitlines()
    assert any(line.strip() == "| hello |" for line in lines), text
    assert any("_____" in line for line in lines[:1]), text  # the bubble's top edge
    assert "##" in text  # the whale


def test_daemonset_runs_exactly_one_pod_per_node(cluster, namespace):
    apps = client.AppsV1Api(cluster.api_client)
    core = client.CoreV1Api(cluster.api_client)
    labels = {"app": "node-problem-detector"}
    apps.create_namespaced_daemon_set(namespace, {
        "metadata": {"name": "node-problem-detector"},
        "spec": {"selector": {"matchLabels": labels}, "template": {
            "metadata": {"labels": labels},
            "spec": {"hostNetwork": True, "containers": [{
                "name": "npd", "image": "gcr.io/google_containers/node-problem-detector:v0.1"}]}}}})
    wait_for(apps.list_namespaced_daemon_set,
             lambda ds: bool(ds and ds[0].status.number_ready == 3
                             and ds[0].status.desired_number_scheduled == 3),
             60, "3 ready daemon pods", namespace=namespace)
    pods = core.list_namespaced_pod(namespace).items
    assert sorted(p.spec.node_name for p in pods) == ["kwok-node-0", "kwok-node-1", "kwok-node-2"]
    assert all(p.status.phase == "Running" for p in pods)


def test_node_selector_matching_no_node_stays_pending(cluster, namespace):
    core = client.CoreV1Api(cluster.api_client)
    core.create_namespaced_pod(namespace, {
        "metadata": {"name": "picky"},
        "spec": {"nodeSelector": {"nodenickname": "nobody-has-this"},
                 "containers": [{"name": "app", "image": "busybox"}]}})

    def failed_scheduling(events: list) -> bool:
        return any(e.reason == "FailedScheduling" and e.involved_object.name == "picky" for e in events)

    events = wait_for(core.list_namespaced_event, failed_scheduling, 60,
                      "a FailedScheduling event", namespace=namespace)
    message = next(e.message for e in events if e.reason == "FailedScheduling")
    assert "0/3 nodes are available" in message and "node affinity/selector" in message
    pod = core.read_namespaced_pod("picky", namespace)
    assert pod.status.phase == "Pending" and pod.spec.node_name is None
