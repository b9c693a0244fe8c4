"""The node agent's own API client (``agent.rawapi``) on a live cluster, and the agent across an
apiserver restart: it reconnects by itself and the next pod still gets its logs.

The restart test owns a cluster (`kworkshop-agent`), so killing its apiserver never disturbs the
session cluster the other tests use.
"""

from __future__ import annotations

import threading

import psutil
import pytest
from kubernetes import client

import kworkshop as kw
from kworkshop.agent.rawapi import JSON_PATCH, RawApi, Watcher, api_path
from kworkshop.cluster.embedded import EmbeddedCluster
from kworkshop.errors import NotFoundError
from kworkshop.polling import poll

NAME = "kworkshop-agent"


def test_the_raw_client_lists_creates_patches_and_deletes(cluster, namespace):
    api = RawApi.from_kubeconfig(cluster.kubeconfig)
    maps = api_path("v1", "configmaps", namespace)
    api.create(maps, {"metadata": {"name": "raw"}, "data": {"a": "1"}})
    one = api_path("v1", "configmaps", namespace, "raw")
    api.patch(one, {"data": {"a": None, "b": "2"}})
    api.patch(one, [{"op": "add", "path": "/data/c", "value": "3"}], JSON_PATCH)
    assert api.get(one)["data"] == {"b": "2", "c": "3"}
    assert [m["metadata"]["name"] for m in api.list(maps, labelSelector=None)["items"]
            if m["metadata"]["name"] == "raw"] == ["raw"]
    api.delete(one)
    with pytest.raises(NotFoundError) as caught:
        api.get(one)
    assert caught.value.status == 404 and caught.value.body["reason"] == "NotFound"


def test_the_raw_watcher_syncs_then_follows(cluster, namespace):
    api = RawApi.from_kubeconfig(cluster.kubeconfig)
    maps = api_path("v1", "configmaps", namespace)
    api.create(maps, {"metadata": {"name": "before"}})
    seen: list[tuple[str, str]] = []
    lock = threading.Lock()

    def on_event(kind: str, obj: dict) -> None:
        with lock:
            seen.append((kind, obj["metadata"]["name"]))

    watcher = Watcher(api, maps, on_event, timeout_seconds=2).start()  # the server ends each watch in 2 s
    try:
        assert poll(lambda: ("SYNC", "before") in seen, timeout=20), seen
        api.create(maps, {"metadata": {"name": "after"}})
        api.delete(api_path("v1", "configmaps", namespace, "after"))
        assert poll(lambda: ("DELETED", "after") in seen, timeout=20), seen
        assert ("ADDED", "after") in seen
        assert poll(lambda: watcher.resource_version is not None, timeout=5)
        count = len(seen)
        threading.Event().wait(3)  # a watch ended by the server resumes without a relist (no new SYNC)
        api.create(maps, {"metadata": {"name": "later"}})
        assert poll(lambda: ("ADDED", "later") in seen, timeout=20), seen
        assert ("SYNC", "before") not in seen[count:] and watcher.reconnects == 0
    finally:
        watcher.stop()
    assert not watcher.alive


@pytest.fixture(scope="module")
def own(state_root):
    handle = kw.up(3, name=NAME, set_env=False)
    yield handle
    handle.down()


def _logs_of(core: client.CoreV1Api, pod: str) -> str:
    return core.read_namespaced_pod_log(pod, "default", _preload_content=False).data.decode()


def test_the_agent_reconnects_after_the_apiserver_restarts(own):
    cluster = EmbeddedCluster(NAME)
    agent = cluster.component_pids()["kworkshop-agent"]
    psutil.Process(cluster.component_pids()["kube-apiserver"]).kill()
    kw.up(3, name=NAME, set_env=False)
    assert cluster.component_pids()["kworkshop-agent"] == agent  # the same process, not a new one
    core = client.CoreV1Api(own.api_client)
    core.create_namespaced_pod("default", {"metadata": {"name": "after-restart"}, "spec": {"containers": [{
        "name": "say", "image": "docker/whalesay", "command": ["cowsay", "still here"]}]}})

    def logged() -> bool:
        try:
            return "still here" in _logs_of(core, "after-restart")
        except client.ApiException:
            return False

    assert poll(logged, timeout=60, most=1)
    rss = psutil.Process(agent).memory_info().rss / 2**20
    assert rss < 40, f"the node agent uses {rss:.0f} MiB"  # 77 MiB with the kubernetes client


def test_a_failed_pull_is_told_in_the_kubelets_words_naming_the_image(cluster, namespace, kubectl):
    """The agent writes the kubelet's pull events (a KWOK stage's event cannot name the image): what
    `kubectl describe pod NAME` shows a learner in exercise 1.3, and a retry counts up."""
    core = client.CoreV1Api(cluster.api_client)
    core.create_namespaced_pod(namespace, {"metadata": {"name": "typo"}, "spec": {
        "containers": [{"name": "web", "image": "nginx:1.27-alpien"}]}})

    def kubelet_events() -> dict[str, client.CoreV1Event]:
        found = core.list_namespaced_event(namespace, field_selector="involvedObject.name=typo").items
        return {e.message: e for e in found if e.source and e.source.component == "kubelet"}

    failed = 'Failed to pull image "nginx:1.27-alpien": rpc error: code = NotFound desc = failed to pull and ' \
             'unpack image "docker.io/library/nginx:1.27-alpien"'
    assert poll(lambda: any(m.startswith(failed) for m in kubelet_events()), timeout=30), list(kubelet_events())
    events = kubelet_events()
    assert {'Pulling image "nginx:1.27-alpien"', "Error: ErrImagePull"} <= events.keys(), list(events)
    assert all(e.source.host == core.read_namespaced_pod("typo", namespace).spec.node_name for e in events.values())
    described = kubectl("describe", "pod", "typo", "-n", namespace)
    assert "kubelet" in described and 'Failed to pull image "nginx:1.27-alpien"' in described, described
    # the back-off and the retry after it: the same events again, counted, not repeated

    def retried() -> bool:
        now = kubelet_events()
        pulling = now.get('Pulling image "nginx:1.27-alpien"')
        return pulling is not None and pulling.count >= 2 and 'Back-off pulling image "nginx:1.27-alpien"' in now

    assert poll(retried, timeout=60), {m: e.count for m, e in kubelet_events().items()}
