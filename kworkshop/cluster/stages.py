"""The KWOK stages that make simulated kubelets behave like real ones, generated from ``stages/``.

KWOK moves objects from stage to stage: a bound pod becomes Running, a Job's pod Succeeded, a
deleted pod disappears. kwokctl's defaults do all that instantly and start every image; the kit
ships the full set (one custom Stage replaces all of kwokctl's defaults) with three changes:

* delays: pods start after ``Timings.start``, Job pods run for ``Timings.job_run`` (overridable
  per pod with the annotations ``kworkshop.io/start-after`` / ``kworkshop.io/run-time``, e.g. "30s");
* the image catalogue: only pods whose images all exist start; the others cycle through
  ErrImagePull -> ImagePullBackOff -> ErrImagePull like the kubelet's retries, with events;
* a Started event when a container starts, so ``kubectl describe`` shows a history.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

START_AFTER_ANNOTATION = "kworkshop.io/start-after"
RUN_TIME_ANNOTATION = "kworkshop.io/run-time"


@dataclass(frozen=True)
class Timings:
    """How long the simulated kubelet takes, in milliseconds (min, max: drawn uniformly)."""

    start: tuple[int, int] = (1000, 3000)
    job_run: tuple[int, int] = (4000, 8000)
    pull_error: tuple[int, int] = (1000, 2000)
    backoff: tuple[int, int] = (4000, 6000)
    retry: tuple[int, int] = (15000, 20000)


def _load(name: str) -> dict[str, Any]:
    text = resources.files("kworkshop.cluster").joinpath("stages").joinpath(name).read_text()
    return yaml.safe_load(text)


def _delay(window: tuple[int, int], annotation: str | None = None) -> dict[str, Any]:
    delay: dict[str, Any] = {"durationMilliseconds": window[0], "jitterDurationMilliseconds": window[1]}
    if annotation:
        source = {"jq": {"expression": f'.metadata.annotations["{annotation}"]'}}
        delay["durationFrom"] = source
        delay["jitterDurationFrom"] = source
    return delay


def missing_images_expression(images: list[str]) -> str:
    """A jq expression that is true when a pod names an image outside ``images`` (all spellings)."""
    return (
        "([.spec.containers[].image, (.spec.initContainers // [])[].image] - "
        + json.dumps(images, separators=(",", ":"))
        + " | length > 0)"
    )


def _require(stage: dict[str, Any], expression: str, value: bool) -> None:
    stage["spec"]["selector"]["matchExpressions"].append(
        {"key": expression, "operator": "In", "values": [json.dumps(value)]})


def pull_failure_stages(images: list[str], timings: Timings) -> list[dict[str, Any]]:
    """ErrImagePull, then ImagePullBackOff, then a retry back to ErrImagePull, forever."""
    base = _load("pod-image-pull-error.yaml")
    listed = " ".join(json.dumps(i) for i in images)
    template = base["spec"]["next"]["statusTemplate"].replace(
        "{{/* CATALOGUE */}}", "{{ $catalogue := list " + listed + " }}")
    missing = missing_images_expression(images)
    waiting = ".status.containerStatuses.[].state.waiting.reason"

    def variant(name: str, reason: str, after: list[str] | None, window: tuple[int, int],
                event: dict[str, str]) -> dict[str, Any]:
        stage = copy.deepcopy(base)
        stage["metadata"]["name"] = name
        if after is not None:  # replace "not yet failed" with "currently in state <after>"
            exprs = stage["spec"]["selector"]["matchExpressions"]
            exprs[:] = [e for e in exprs if e["key"] != waiting]
            exprs.append({"key": waiting, "operator": "In", "values": after})
        _require(stage, missing, True)
        stage["spec"]["delay"] = _delay(window)
        stage["spec"]["next"]["event"] = event
        stage["spec"]["next"]["statusTemplate"] = template.replace(
            '{{ $reason := "ErrImagePull" }}', '{{ $reason := "' + reason + '" }}')
        return stage

    return [
        variant("pod-image-pull-error", "ErrImagePull", None, timings.pull_error,
                base["spec"]["next"]["event"]),
        variant("pod-image-pull-backoff", "ImagePullBackOff", ["ErrImagePull"], timings.backoff,
                {"type": "Normal", "reason": "BackOff", "message": "Back-off pulling image"}),
        variant("pod-image-pull-retry", "ErrImagePull", ["ImagePullBackOff"], timings.retry,
                {"type": "Normal", "reason": "Pulling", "message": "Pulling image (retry)"}),
    ]


def all_stages(images: list[str], timings: Timings = Timings()) -> list[dict[str, Any]]:
    """Every Stage of the embedded cluster: nodes, pod lifecycle, image pull failures.

    ``images`` is the catalogue with every spelling (see ``images.all_spellings``).
    """
    ready = _load("pod-ready.yaml")
    _require(ready, missing_images_expression(images), False)
    ready["spec"]["delay"] = _delay(timings.start, START_AFTER_ANNOTATION)

    complete = _load("pod-complete.yaml")
    complete["spec"]["delay"] = _delay(timings.job_run, RUN_TIME_ANNOTATION)

    return [
        _load("node-initialize.yaml"),
        _load("node-heartbeat-with-lease.yaml"),
        ready,
        complete,
        _load("pod-delete.yaml"),
        *pull_failure_stages(images, timings),
    ]
