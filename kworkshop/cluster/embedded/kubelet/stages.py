"""The KWOK stages that play the kubelet of every simulated node, generated from ``stages/``.

KWOK moves each object from stage to stage; a stage inside KWOK cannot race with another one
(a status written from outside was seen overwritten by an already-queued stage), so everything a
kubelet does that KWOK can express is a stage. One custom Stage replaces all of kwokctl's
defaults, so the full set is here. A pod's life on a simulated node:

    Pending --pod-start--> Running --pod-probe-ready--> Ready
       |  (image not in the catalogue: pod-image-pull-error / -backoff / -retry, forever)
    Running --pod-container-exit--> Succeeded | Failed          (restartPolicy Never/OnFailure)
                                 \\-> container ended, pod Running (it will restart)
       --pod-container-restart--> running again, restartCount + 1        (first restart: at once)
       --pod-container-backoff--> waiting CrashLoopBackOff --pod-container-restart--> running
    deleted --pod-terminate--> Failed (143 / 137) --pod-delete--> gone (once no finalizer holds it)

What a container runs (how long, which exit code) is read from its command: ``program.py``.
Per-pod annotations change the kit's timings: ``kworkshop.io/start-after``, ``kworkshop.io/run-time``,
``kworkshop.io/exit-code``.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from . import program

START_AFTER_ANNOTATION = "kworkshop.io/start-after"
RUN_TIME_ANNOTATION = program.RUN_TIME_ANNOTATION
EXIT_CODE_ANNOTATION = program.EXIT_CODE_ANNOTATION


@dataclass(frozen=True)
class Timings:
    """How long the simulated kubelet takes, in milliseconds (min, max: drawn uniformly).

    ``crash_backoff`` is in seconds: the kubelet's CrashLoopBackOff starts at 10 s and doubles, up
    to 5 minutes; the workshop caps it at 40 s so a Job's ``backoffLimit`` is reached in minutes.
    ``grace`` caps a deleted pod's grace period (30 s by default on a real node) in seconds.
    """

    start: tuple[int, int] = (1000, 3000)
    job_run: tuple[int, int] = (4000, 8000)
    pull_error: tuple[int, int] = (1000, 2000)
    backoff: tuple[int, int] = (4000, 6000)
    retry: tuple[int, int] = (15000, 20000)
    restart: tuple[int, int] = (500, 1000)
    crash_backoff: tuple[int, int] = (10, 40)
    grace: int = 3


def _load(name: str) -> dict[str, Any]:
    text = resources.files(__package__).joinpath("stages", name).read_text()
    return yaml.safe_load(text)


def _window(window: tuple[int, int]) -> dict[str, Any]:
    return {"durationMilliseconds": window[0], "jitterDurationMilliseconds": window[1]}


def _delay(window: tuple[int, int], expression: str) -> dict[str, Any]:
    """``window`` unless ``expression`` gives a duration ("30s") or a moment (RFC 3339)."""
    source = {"jq": {"expression": expression}}
    return {**_window(window), "durationFrom": source, "jitterDurationFrom": source}


def _annotation(name: str) -> str:
    return f'.metadata.annotations["{name}"]'


def _require(stage: dict[str, Any], expression: str, value: bool = True) -> dict[str, Any]:
    stage["spec"]["selector"]["matchExpressions"].append(
        {"key": expression, "operator": "In", "values": [json.dumps(value)]})
    return stage


def missing_images_expression(images: list[str]) -> str:
    """A jq expression that is true when a pod names an image outside ``images`` (all spellings)."""
    return (
        "([.spec.containers[].image, (.spec.initContainers // [])[].image] - "
        + json.dumps(images, separators=(",", ":"))
        + " | length > 0)"
    )


def pull_failure_stages(images: list[str], timings: Timings) -> list[dict[str, Any]]:
    """ErrImagePull, then ImagePullBackOff, then a retry back to ErrImagePull, forever (the events a
    kubelet writes meanwhile come from the node agent, ``agent/pullevents.py``)."""
    base = _load("pod-image-pull-error.yaml")
    listed = " ".join(json.dumps(i) for i in images)
    template = base["spec"]["next"]["statusTemplate"].replace(
        "{{/* CATALOGUE */}}", "{{ $catalogue := list " + listed + " }}")
    missing = missing_images_expression(images)
    waiting = ".status.containerStatuses.[].state.waiting.reason"

    def variant(name: str, reason: str, after: list[str] | None, window: tuple[int, int]) -> dict[str, Any]:
        stage = copy.deepcopy(base)
        stage["metadata"]["name"] = name
        if after is not None:  # replace "not yet failed" with "currently in state <after>"
            exprs = stage["spec"]["selector"]["matchExpressions"]
            exprs[:] = [e for e in exprs if e["key"] != waiting]
            exprs.append({"key": waiting, "operator": "In", "values": after})
        _require(stage, missing, True)
        stage["spec"]["delay"] = _window(window)
        stage["spec"]["next"]["statusTemplate"] = template.replace(
            '{{ $reason := "ErrImagePull" }}', '{{ $reason := "' + reason + '" }}')
        return stage

    return [
        variant("pod-image-pull-error", "ErrImagePull", None, timings.pull_error),
        variant("pod-image-pull-backoff", "ImagePullBackOff", ["ErrImagePull"], timings.backoff),
        variant("pod-image-pull-retry", "ErrImagePull", ["ImagePullBackOff"], timings.retry),
    ]


# jq: every container runs / some container ended and may restart / some waits in back-off.
_ALL_RUNNING = ('[.status.containerStatuses[]? | .state.running != null] | (length > 0 and all)')
_RESTARTABLE = ('(.spec.restartPolicy // "Always") as $p | [.status.containerStatuses[]?'
                ' | select(.state.terminated != null and ($p == "Always" or .state.terminated.exitCode != 0))]')
_PROBED_UNREADY = ('[.spec.containers[] | .name as $n | select(.readinessProbe != null)'
                   ' | select(any($s.status.containerStatuses[]?; .name == $n and .ready != true))] | length > 0')


def lifecycle_stages(timings: Timings) -> list[dict[str, Any]]:
    """A running pod's stages: readiness, its containers' end, restarts and back-off."""
    probe = _require(_load("pod-probe-ready.yaml"), program.jq(". as $s | " + _PROBED_UNREADY))
    _require(_require(probe, _ALL_RUNNING), program.PROBE_PASSES)
    probe["spec"]["delay"] = _delay((0, 0), program.PROBE_PASSES_AT)
    probe["spec"]["weight"] = 1  # before pod-container-exit, which matches the same running pod

    exit_stage = _load("pod-container-exit.yaml")
    _require(_require(exit_stage, _ALL_RUNNING), program.ENDS)
    exit_stage["spec"]["delay"] = _delay(timings.job_run, program.ENDS_AT)
    nxt = exit_stage["spec"]["next"]
    nxt["statusTemplate"] = nxt["statusTemplate"].replace("{{/* EXIT_CODE */}}", program.exit_code_template())

    base = _load("pod-container-restart.yaml")
    first = _require(copy.deepcopy(base), _RESTARTABLE + " | length > 0 and (map(.restartCount // 0) | max) == 0")
    first["spec"]["delay"] = _window(timings.restart)

    initial, cap = timings.crash_backoff
    backoff = _require(_load("pod-container-backoff.yaml"),
                       _RESTARTABLE + " | length > 0 and (map(.restartCount // 0) | max) > 0")
    backoff["spec"]["delay"] = _window(timings.restart)
    nxt = backoff["spec"]["next"]
    nxt["statusTemplate"] = nxt["statusTemplate"].replace("INITIAL", str(initial)).replace("CAP", str(cap))

    waiting = '[.status.containerStatuses[]? | select(.state.waiting.reason == "CrashLoopBackOff")]'
    after = _require(copy.deepcopy(base), waiting + " | length > 0")
    after["metadata"]["name"] = "pod-container-restart-after-backoff"
    after["spec"]["delay"] = _delay((0, 0), program.jq(
        waiting + " | map((.lastState.terminated.finishedAt // empty | kw_epoch)"
        f" + ([{initial} * pow(2; (.restartCount // 1) - 1), {cap}] | min))"
        " | if length > 0 then (min | todateiso8601) else empty end"))
    return [probe, exit_stage, first, backoff, after]


def termination_stages(timings: Timings) -> list[dict[str, Any]]:
    """A deleted pod: its containers stop within the (capped) grace period, then it is removed."""
    terminate = _load("pod-terminate.yaml")
    grace = "(.metadata.deletionGracePeriodSeconds // 30)"
    terminate["spec"]["delay"] = _delay((0, 0), program.jq(
        f"(.metadata.deletionTimestamp | kw_epoch) - {grace} + ([{grace}, {timings.grace}] | min)"
        " | todateiso8601"))
    return [terminate, _load("pod-delete.yaml")]


def all_stages(images: list[str], timings: Timings = Timings()) -> list[dict[str, Any]]:
    """Every Stage of the embedded cluster: nodes, pod lifecycle, image pull failures.

    ``images`` is the catalogue with every spelling (see ``images.all_spellings``).
    """
    start = _require(_load("pod-start.yaml"), missing_images_expression(images), False)
    start["spec"]["delay"] = _delay(timings.start, _annotation(START_AFTER_ANNOTATION))
    return [
        _load("node-initialize.yaml"),
        _load("node-heartbeat-with-lease.yaml"),
        start,
        *lifecycle_stages(timings),
        *termination_stages(timings),
        *pull_failure_stages(images, timings),
    ]
