"""The kubelet's image-pull events as the node agent writes them (pure: a pod in, events out)."""

from __future__ import annotations

from kworkshop.agent.pullevents import PullEvents, events_for


def pod(reason: str | None, image: str = "nginx:1.27-alpien") -> dict:
    waiting = {"waiting": {"reason": reason}} if reason else {"running": {}}
    return {"metadata": {"namespace": "ns", "name": "web-1", "uid": "u1"},
            "spec": {"nodeName": "kwok-node-0", "containers": [{"name": "web", "image": image}]},
            "status": {"containerStatuses": [{"name": "web", "image": image, "state": waiting}]}}


def test_a_failed_pull_names_the_image_as_the_kubelet_does():
    seen: dict[str, str] = {}
    events = events_for(pod("ErrImagePull"), seen)
    assert [(e["type"], e["reason"]) for e in events] == [("Normal", "Pulling"), ("Warning", "Failed"),
                                                           ("Warning", "Failed")]
    assert events[0]["message"] == 'Pulling image "nginx:1.27-alpien"'
    assert events[1]["message"].startswith('Failed to pull image "nginx:1.27-alpien": rpc error: code = NotFound')
    assert 'failed to resolve reference "docker.io/library/nginx:1.27-alpien"' in events[1]["message"]
    assert events[2]["message"] == "Error: ErrImagePull"
    first = events[0]
    assert first["source"] == {"component": "kubelet", "host": "kwok-node-0"}
    assert first["involvedObject"]["fieldPath"] == "spec.containers{web}" and first["involvedObject"]["uid"] == "u1"


def test_events_come_once_per_change_of_the_waiting_reason():
    seen: dict[str, str] = {}
    assert events_for(pod("ErrImagePull"), seen)
    assert events_for(pod("ErrImagePull"), seen) == []  # the same state, seen again: nothing new
    backoff = events_for(pod("ImagePullBackOff"), seen)
    assert [e["message"] for e in backoff] == ['Back-off pulling image "nginx:1.27-alpien"', "Error: ImagePullBackOff"]
    assert len(events_for(pod("ErrImagePull"), seen)) == 3  # the retry fails again
    assert events_for(pod(None), seen) == []  # running: no pull event


def test_a_registry_named_in_the_image_is_kept():
    events = events_for(pod("ErrImagePull", "registry.k8s.io/pause:9.9"), {})
    assert events[1]["message"].endswith(
        'failed to resolve reference "registry.k8s.io/pause:9.9": registry.k8s.io/pause:9.9: not found')


class Recorder:
    """An API that keeps what is posted; a second create of a name conflicts, as the server does."""

    def __init__(self) -> None:
        self.objects: dict[str, dict] = {}

    def create(self, path, body):
        from kworkshop.errors import ConflictError

        key = f"{path}/{body['metadata']['name']}"
        if key in self.objects:
            raise ConflictError("exists", 409)
        self.objects[key] = dict(body)
        return body

    def get(self, path):
        return self.objects[path]

    def patch(self, path, body):
        self.objects[path].update(body)
        return self.objects[path]


def test_a_repeated_event_counts_up_like_the_kubelets_recorder():
    api = Recorder()
    agent = PullEvents(api)
    for reason in ("ErrImagePull", "ImagePullBackOff", "ErrImagePull", "ImagePullBackOff", "ErrImagePull"):
        agent.on_pod(pod(reason))
    counts = {obj["message"]: obj["count"] for obj in api.objects.values()}
    assert counts['Pulling image "nginx:1.27-alpien"'] == 3 and counts["Error: ImagePullBackOff"] == 2
    agent.on_deleted(pod(None))
    assert agent.seen == {}
