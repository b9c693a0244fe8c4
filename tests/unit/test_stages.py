"""The generated KWOK stages: the full set, the catalogue check and the delays."""

import json

from kworkshop.agent import images
from kworkshop.cluster.embedded.kubelet import (
    RUN_TIME_ANNOTATION,
    START_AFTER_ANNOTATION,
    Timings,
    all_stages,
    missing_images_expression,
)

CATALOGUE = images.all_spellings(images.catalogue())


def _by_name():
    return {s["metadata"]["name"]: s for s in all_stages(CATALOGUE, Timings(start=(1, 2)))}


def test_full_set_of_node_and_pod_stages():
    # one custom Stage replaces all of kwokctl's defaults, so the defaults must all be there
    assert set(_by_name()) == {
        "node-initialize", "node-heartbeat-with-lease", "pod-start", "pod-probe-ready", "pod-container-exit",
        "pod-container-restart", "pod-container-backoff", "pod-container-restart-after-backoff",
        "pod-terminate", "pod-delete", "pod-image-pull-error", "pod-image-pull-backoff", "pod-image-pull-retry"}
    for stage in _by_name().values():
        assert stage["kind"] == "Stage" and stage["apiVersion"] == "kwok.x-k8s.io/v1alpha1"


def test_ready_and_pull_error_stages_exclude_each_other():
    stages = _by_name()
    expr = missing_images_expression(CATALOGUE)

    def required(stage):
        return {e["key"]: e.get("values") for e in stage["spec"]["selector"]["matchExpressions"]}

    assert required(stages["pod-start"])[expr] == ["false"]
    for name in ("pod-image-pull-error", "pod-image-pull-backoff", "pod-image-pull-retry"):
        assert required(stages[name])[expr] == ["true"]


def test_only_the_termination_stages_play_on_deleted_pods():
    for name, stage in _by_name().items():
        if name.startswith("pod-") and name not in ("pod-terminate", "pod-delete"):
            keys = {e["key"]: e["operator"] for e in stage["spec"]["selector"]["matchExpressions"]}
            assert keys[".metadata.deletionTimestamp"] == "DoesNotExist", name


def test_pull_failure_loop():
    stages = _by_name()
    waiting = ".status.containerStatuses.[].state.waiting.reason"

    def state(name):
        exprs = stages[name]["spec"]["selector"]["matchExpressions"]
        return next((e["operator"], e["values"]) for e in exprs if e["key"] == waiting)

    assert state("pod-image-pull-error") == ("NotIn", ["ErrImagePull", "ImagePullBackOff"])
    assert state("pod-image-pull-backoff") == ("In", ["ErrImagePull"])
    assert state("pod-image-pull-retry") == ("In", ["ImagePullBackOff"])
    assert '$reason := "ImagePullBackOff"' in stages["pod-image-pull-backoff"]["spec"]["next"]["statusTemplate"]
    # the kubelet's pull events name the image: the node agent writes them, no stage does
    assert all("event" not in stages[name]["spec"]["next"]
               for name in ("pod-image-pull-error", "pod-image-pull-backoff", "pod-image-pull-retry"))
    template = stages["pod-image-pull-retry"]["spec"]["next"]["statusTemplate"]
    assert "CATALOGUE" not in template and json.dumps("jonbaier/pod-scaling:0.1") in template


def test_delays_and_their_per_pod_overrides():
    stages = _by_name()
    ready = stages["pod-start"]["spec"]["delay"]
    assert (ready["durationMilliseconds"], ready["jitterDurationMilliseconds"]) == (1, 2)
    assert START_AFTER_ANNOTATION in ready["durationFrom"]["jq"]["expression"]
    run = stages["pod-container-exit"]["spec"]["delay"]
    assert RUN_TIME_ANNOTATION in run["durationFrom"]["jq"]["expression"]
    assert (run["durationMilliseconds"], run["jitterDurationMilliseconds"]) == Timings().job_run


def test_missing_images_expression_lists_every_spelling():
    expr = missing_images_expression(["a:1", "b:latest", "b"])
    assert expr.startswith("([.spec.containers[].image")
    assert '["a:1","b:latest","b"]' in expr and expr.endswith("| length > 0)")
