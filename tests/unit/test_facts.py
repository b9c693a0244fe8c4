"""The Kubernetes facts the kit reads (kworkshop/kube/facts.py), on plain dicts and on client models alike."""

from __future__ import annotations

import pytest
from kubernetes import client

from kworkshop.kube import facts

READY_POD = {"metadata": {"name": "web-7d9f8-abcde", "labels": {"pod-template-hash": "7d9f8"}},
             "status": {"phase": "Running", "conditions": [{"type": "PodScheduled", "status": "True"},
                                                          {"type": "Ready", "status": "True"}]}}
PULLING_POD = {"status": {"phase": "Pending", "conditions": [{"type": "Ready", "status": "False"}],
                          "containerStatuses": [{"name": "web", "image": "nginx:42.0", "imageID": "", "ready": False,
                                                 "restartCount": 0, "state": {"waiting": {"reason": "ErrImagePull"}}}]}}


def _model(data: dict) -> client.V1Pod:
    """The same pod as the official client's model (deserialised as the client does it)."""
    api = client.ApiClient()

    class Response:
        def __init__(self, data):
            import json
            self.data = json.dumps(data)

    return api.deserialize(Response(data), "V1Pod")


@pytest.mark.parametrize("as_", [dict, _model], ids=["dict", "model"])
def test_ready_and_waiting_read_alike_from_dicts_and_models(as_):
    ready, pulling = as_(READY_POD), as_(PULLING_POD)
    assert facts.is_ready(ready) and not facts.is_ready(pulling)
    assert facts.waiting_reason(facts._get(pulling, "status")) == "ErrImagePull"
    assert facts.waiting_reason(facts._get(ready, "status")) is None
    assert facts.template_hash(ready) == "7d9f8"


def test_a_condition_must_say_true():
    assert not facts.condition_true({"conditions": [{"type": "Ready", "status": "Unknown"}]}, "Ready")
    assert not facts.condition_true({}, "Ready") and not facts.condition_true(None, "Ready")
    assert facts.condition_true({"conditions": [{"type": "Available", "status": "True"}]}, "Available")


def test_a_workloads_selector_is_kubectls_string():
    deployment = {"spec": {"selector": {"matchLabels": {"app": "web", "tier": "front"}}}}
    assert facts.workload_selector(deployment) == "app=web,tier=front"
    model = client.V1Deployment(spec=client.V1DeploymentSpec(
        selector=client.V1LabelSelector(match_labels={"name": "node-js-deploy"}),
        template=client.V1PodTemplateSpec()))
    assert facts.workload_selector(model) == "name=node-js-deploy"
    assert facts.selector(None) == ""


def test_a_revision_is_a_number_or_none():
    assert facts.revision({"metadata": {"annotations": {facts.REVISION: "3"}}}) == 3
    assert facts.revision({"metadata": {"annotations": {facts.REVISION: "x"}}}) is None
    assert facts.revision({"metadata": {}}) is None


def test_a_stuck_rollout_is_any_pull_error_or_a_crash_loop():
    assert set(facts.PULL_ERRORS) < set(facts.STUCK_REASONS)
    assert "CrashLoopBackOff" in facts.STUCK_REASONS and "CrashLoopBackOff" not in facts.PULL_ERRORS
    assert "InvalidImageName" in facts.PULL_ERRORS


def test_an_objects_key_from_a_dict_or_a_model():
    from kubernetes import client

    assert facts.key({"metadata": {"namespace": "ch5", "name": "web"}}) == "ch5/web"
    assert facts.key({"metadata": {"name": "kwok-node-0"}}) == "/kwok-node-0"
    assert facts.key(client.V1Pod(metadata=client.V1ObjectMeta(namespace="ch5", name="web-1"))) == "ch5/web-1"
