"""Exercise checkpoints: ``kw.check...`` verifies the cluster state, with retries and a hint.

Like Killercoda's verify scripts or Educates' examiner, but in the notebook: a checkpoint retries
for a while (controllers take a moment), prints ✓ or ✗ with a hint that tells what to do, and
records the result in the learner's namespace (ConfigMap ``kworkshop-progress``) so an instructor
can follow a class. With a strict connection (``kw.start(..., solutions=True)`` makes one, as does
``kw.use(..., strict=True)``) a failed checkpoint raises CheckpointFailed. Strictness belongs to the
connection, not to this module: the next ``kw.start``/``kw.use`` resets it, so it does not leak into
the next notebook run in the same kernel. Every checkpoint takes ``kube=`` like the verbs.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml
from kubernetes import client

from ..agent.images import normalize
from ..errors import ApiError, KworkshopError, NotFoundError
from ..i18n import _, ngettext
from ..kube import facts
from ..kube.client import api_client, current_namespace
from ..kube.connection import Connection, connected, is_strict
from ..kube.facts import PART_OF, PROGRESS_CONFIGMAP
from ..kube.rollout import blockers
from ..kube.transport import as_json
from ..polling import poll


class CheckpointFailed(KworkshopError):
    """A checkpoint did not pass within its time (only raised when ``strict``)."""


@dataclass(frozen=True)
class CheckResult:
    """``name`` is the key the class board records (never translated); ``label`` is how the
    learner reads it, in the kit's language (the name when empty)."""

    name: str
    passed: bool
    detail: str
    hint: str = ""
    label: str = ""

    def __str__(self) -> str:
        shown = self.label or self.name
        if self.passed:
            return _("✓ {name}: {detail}").format(name=shown, detail=self.detail)
        line = _("✗ {name}: {detail}").format(name=shown, detail=self.detail)
        return line + ("\n  " + _("hint: {hint}").format(hint=self.hint) if self.hint else "")

    __repr__ = __str__

    def _ipython_display_(self) -> None:
        """Already printed by ``checkpoint``: as a cell's last value it shows nothing twice."""

    def __bool__(self) -> bool:
        return self.passed


class Settled(tuple):
    """A condition's answer ``(ok, detail)`` that will not change by waiting (a wrong image, a failed
    Job): the checkpoint stops retrying at once instead of running out its time."""

    def __new__(cls, ok: bool, detail: str) -> Settled:
        return super().__new__(cls, (ok, detail))


@connected
def checkpoint(name: str, condition: Callable[[], tuple[bool, str]], *, hint: str = "", timeout: float = 30,
               namespace: str | None = None, record: bool = True, label: str = "",
               kube: Connection | None = None) -> CheckResult:
    """Retry ``condition`` (returns (ok, what it saw)) until it passes or ``timeout`` runs out.

    It says at once what it checks and for how long, and stops early when the condition answers
    ``Settled``. Exercises ``record`` their result for the class board under ``name``; demo waits
    do not. ``label`` is how the learner reads the name (translated), when it differs.
    """
    if timeout > 0:
        print(_("checking {name}, for up to {seconds} s ...").format(name=label or name, seconds=f"{timeout:.0f}"),
              flush=True)
    answer: Any = (False, "")

    def settled() -> bool:
        nonlocal answer
        try:
            answer = condition()
        except ApiError as exc:  # a busy or changing cluster: transient, the next try may pass
            answer = (False, str(exc))
        return bool(answer[0]) or isinstance(answer, Settled)

    poll(settled, timeout, first=1, most=1)  # checkpoints read several objects: once a second is enough
    ok, detail = answer
    result = CheckResult(name, ok, detail, hint, label)
    if record:
        _record(result, current_namespace(namespace))
    print(result)  # the notebook is the edge that shows it
    if not ok and is_strict():
        raise CheckpointFailed(str(result))
    return result


def _key(name: str) -> str:
    """A ConfigMap key for a checkpoint name (keys allow only letters, digits, '-', '_' and '.')."""
    return re.sub(r"[^-._a-zA-Z0-9]+", "_", name).strip("_")[:250] or "checkpoint"


def _record(result: CheckResult, namespace: str) -> None:
    core = client.CoreV1Api(api_client())
    entry = json.dumps({"name": result.name, "passed": result.passed,
                        "at": datetime.now(timezone.utc).isoformat(timespec="seconds")})
    body = {"metadata": {"name": PROGRESS_CONFIGMAP, "labels": dict(PART_OF)},
            "data": {_key(result.name): entry}}
    try:
        core.patch_namespaced_config_map(PROGRESS_CONFIGMAP, namespace, body)
    except NotFoundError:
        with contextlib.suppress(ApiError):
            core.create_namespaced_config_map(namespace, body)
    except ApiError:
        return  # recording is a courtesy: never fail a learner's checkpoint because of it


@connected
def progress(namespace: str | None = None, *, kube: Connection | None = None) -> dict[str, bool]:
    """The checkpoints recorded in ``namespace``: name -> passed."""
    try:
        cm = client.CoreV1Api(api_client()).read_namespaced_config_map(PROGRESS_CONFIGMAP, current_namespace(namespace))
    except ApiError:
        return {}
    entries = [json.loads(v) for v in (cm.data or {}).values()]
    return {e["name"]: e["passed"] for e in entries}


# -- the checkpoints the chapter's exercises use --------------------------------------------------
# Each takes ``hint`` (the exercise's own hint: it leads, it does not give the answer) and
# ``record`` (False for the notebooks' own waits, which are not exercises).

def _read(read: Callable[[str, str], Any], kind: str, name: str, namespace: str) -> tuple[Any, str]:
    """``(object, "")``, or ``(None, what is missing)`` when it does not exist; other errors raise."""
    try:
        return read(name, namespace), ""
    except NotFoundError:
        return None, _("there is no {kind} {name} in namespace {namespace}").format(
            kind=kind, name=repr(name), namespace=namespace)


@connected
def deployment(name: str, *, replicas: int | None = None, image: str | tuple[str, ...] | None = None,
               namespace: str | None = None, timeout: float = 60, hint: str | None = None, record: bool = True,
               diagnose: bool = False, kube: Connection | None = None) -> CheckResult:
    """The Deployment exists, has rolled out, and (optionally) runs ``replicas`` of ``image``.

    ``diagnose`` (a diagnose exercise): the ✗ line says only what a learner would see (how many
    replicas are ready, what the pods run), never the cause the exercise asks them to find.

    ``image`` may be several images, every correct answer to an exercise (``nginx:1.27`` and
    ``nginx:1.27-alpine``); each is compared as a runtime pulls it (``docker.io/library/nginx:1.27``
    is ``nginx:1.27``). The first one names the checkpoint.
    """
    apps = client.AppsV1Api(api_client())
    ns = current_namespace(namespace)
    accepted = (image,) if isinstance(image, str) else tuple(image or ())
    image = accepted[0] if accepted else None

    def condition() -> tuple[bool, str]:
        d, missing = _read(apps.read_namespaced_deployment, "deployment", name, ns)
        if d is None:
            return False, missing
        have = d.spec.template.spec.containers[0].image
        ready = d.status.ready_replicas or 0
        if accepted and normalize(have) not in {normalize(i) for i in accepted}:
            return Settled(False, _symptom(d, ns) if diagnose else
                           _("it runs {have}, not {image}").format(have=have, image=image))
        if replicas is not None and (d.spec.replicas != replicas or ready != replicas):
            return False, _("{ready}/{desired} replicas ready, {wanted} wanted").format(
                ready=ready, desired=d.spec.replicas, wanted=replicas)
        if d.spec.paused:
            return Settled(False, _symptom(d, ns) if diagnose else
                           _("its rollout is paused: the pods still run the template of before the pause"))
        # rolled out: every pod runs the current template (kr8s's definition)
        updated = d.status.updated_replicas or 0
        if (d.status.observed_generation or 0) < d.metadata.generation or updated != d.spec.replicas \
                or (d.status.replicas or 0) != d.spec.replicas:
            if diagnose:  # a rollout that cannot finish by itself (blockers: unschedulable, no image) will not
                symptom = _symptom(d, ns)
                return Settled(False, symptom) if blockers(d, ns) else (False, symptom)
            return False, _("rolling out: {updated}/{desired} pods run the current template").format(
                updated=updated, desired=d.spec.replicas)
        return True, ngettext("{count} replica of {image} ready", "{count} replicas of {image} ready",
                              ready).format(count=ready, image=have)

    # the key the class board records stays English; the learner reads the label
    want = " and ".join(x for x in (f"{replicas} replicas" if replicas is not None else "", image or "") if x)
    key = f"deployment/{name}" + (f" ({want})" if want else "")
    if replicas is not None and image:
        label = ngettext("deployment/{name} ({count} replica and {image})",
                         "deployment/{name} ({count} replicas and {image})", replicas)
    elif replicas is not None:
        label = ngettext("deployment/{name} ({count} replica)", "deployment/{name} ({count} replicas)", replicas)
    elif image:
        label = _("deployment/{name} ({image})")
    else:
        label = "deployment/{name}"
    # every accepted image, as the learner reads what passes ("nginx:1.27 or nginx:1.27-alpine")
    shown = accepted[0] if len(accepted) == 1 else _("{images} or {last}").format(
        images=", ".join(accepted[:-1]), last=accepted[-1]) if accepted else None
    return checkpoint(key, condition, timeout=timeout, namespace=ns, record=record,
                      label=label.format(name=name, count=replicas, image=shown),
                      hint=hint if hint is not None else
                      _("kubectl describe deployment {name} shows what it runs").format(name=name))


def _symptom(d: Any, namespace: str) -> str:
    """What ``kubectl get deploy,pods`` shows of a Deployment that is not right: its ready replicas,
    else the images its pods run. Not why: finding that is the exercise."""
    ready, desired = d.status.ready_replicas or 0, d.spec.replicas or 0
    if ready < desired:
        return _("{ready}/{desired} replicas ready").format(ready=ready, desired=desired)
    pods = client.CoreV1Api(api_client()).list_namespaced_pod(
        namespace, label_selector=facts.workload_selector(d)).items
    running = sorted({c.image for p in pods if p.metadata.deletion_timestamp is None and p.status.phase == "Running"
                      for c in p.spec.containers})  # a pod that waits for a node runs nothing yet
    return _("the pods still run {images}").format(images=", ".join(running))


def pod_differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """Where a pod template (as JSON) runs other work than ``expected`` does: each container's
    image, command and args, and the node selector (each of ``expected``'s terms must be kept; more
    terms only narrow the nodes, as a class adds its learner's own). What an exercise lets the
    learner change (the restart policy, retries) is not compared."""
    out: list[str] = []
    want, have = expected.get("spec") or {}, actual.get("spec") or {}
    wanted, selected = want.get("nodeSelector") or {}, have.get("nodeSelector") or {}
    if any(selected.get(key) != value for key, value in wanted.items()):
        out.append(_("its nodeSelector is {have}, not {want}").format(have=selected, want=wanted))
    mine = {c.get("name"): c for c in have.get("containers") or []}
    for container in want.get("containers") or []:
        other = mine.get(container.get("name"))
        if other is None:
            out.append(_("it has no container {name}").format(name=container.get("name")))
            continue
        for field in ("image", "command", "args"):
            if container.get(field) != other.get(field):
                out.append(_("container {name} has another {field}").format(name=container.get("name"), field=field))
    return out


@connected
def job_succeeded(name: str, *, completions: int = 1, parallelism: int | None = None, same_as: str | None = None,
                  namespace: str | None = None, timeout: float = 90, hint: str | None = None, record: bool = True,
                  kube: Connection | None = None) -> CheckResult:
    """The Job has ``completions`` succeeded pods.

    ``parallelism``: its spec must also say so (and ``completions`` exactly, not more). ``same_as``: a
    manifest file whose Job's pods it must run unchanged (``pod_differences``), so a diagnose
    exercise is passed by fixing the Job, not by replacing its work.
    """
    batch = client.BatchV1Api(api_client())
    ns = current_namespace(namespace)
    expected = None
    if same_as is not None:
        expected = (yaml.safe_load(Path(same_as).read_text()) or {})["spec"]["template"]

    def condition() -> tuple[bool, str]:
        j, missing = _read(batch.read_namespaced_job, "job", name, ns)
        if j is None:
            return False, missing
        if parallelism is not None and (j.spec.completions, j.spec.parallelism) != (completions, parallelism):
            return Settled(False, ngettext("it asks for {completions} completion, {parallelism} at a time",
                                           "it asks for {completions} completions, {parallelism} at a time",
                                           j.spec.completions or 1).format(
                completions=j.spec.completions, parallelism=j.spec.parallelism))
        if expected is not None:
            changed = pod_differences(expected, as_json(j.spec.template))
            if changed:
                return Settled(False, _("it does not run the exercise's work: {changes}").format(
                    changes="; ".join(changed)))
        done = j.status.succeeded or 0
        if any(c.type == "Failed" and c.status == "True" for c in j.status.conditions or []):
            return Settled(False, _("it failed after {done}/{completions} completions").format(
                done=done, completions=completions))
        return done >= completions, _("{done}/{completions} completions").format(done=done, completions=completions)

    return checkpoint(f"job/{name} succeeded", condition, timeout=timeout, namespace=ns, record=record,
                      label=_("job/{name} succeeded").format(name=name),
                      hint=hint if hint is not None else
                      _("kubectl describe job {name} shows its pods").format(name=name))


@connected
def job_failed(name: str, *, reason: str = "BackoffLimitExceeded", failed_pods: int | None = None,
               namespace: str | None = None, timeout: float = 120, hint: str | None = None,
               record: bool = True, kube: Connection | None = None) -> CheckResult:
    """The Job gave up (its ``Failed`` condition has ``reason``), leaving ``failed_pods`` failed pods."""
    batch = client.BatchV1Api(api_client())
    core = client.CoreV1Api(api_client())
    ns = current_namespace(namespace)

    def condition() -> tuple[bool, str]:
        j, missing = _read(batch.read_namespaced_job, "job", name, ns)
        if j is None:
            return False, missing
        failed = next((c for c in j.status.conditions or [] if c.type == "Failed" and c.status == "True"), None)
        if failed is None:
            active, gone = j.status.active or 0, j.status.failed or 0
            return False, ngettext("still trying: {active} active, {failed} failed pod",
                                   "still trying: {active} active, {failed} failed pods",
                                   gone).format(active=active, failed=gone)
        if failed.reason != reason:
            return Settled(False, _("it failed with {got}, not {reason}").format(got=failed.reason, reason=reason))
        pods = core.list_namespaced_pod(ns, label_selector=f"job-name={name}").items
        left = [p for p in pods if p.status.phase == "Failed" and p.metadata.deletion_timestamp is None]
        if failed_pods is not None and len(left) != failed_pods:
            return False, ngettext("{count} failed pod left, {expected} expected",
                                   "{count} failed pods left, {expected} expected",
                                   len(left)).format(count=len(left), expected=failed_pods)
        return True, ngettext("failed ({reason}) with {count} failed pod left",
                              "failed ({reason}) with {count} failed pods left", len(left)).format(
            reason=reason, count=len(left))

    return checkpoint(f"job/{name} failed ({reason})", condition, timeout=timeout, namespace=ns, record=record,
                      label=_("job/{name} failed ({reason})").format(name=name, reason=reason),
                      hint=hint if hint is not None else
                      _("kubectl describe job {name} shows its conditions").format(name=name))


@connected
def hpa(name: str, *, min_replicas: int, max_replicas: int, cpu_percent: int, namespace: str | None = None,
        timeout: float = 30, hint: str | None = None, record: bool = True,
        kube: Connection | None = None) -> CheckResult:
    """The HPA exists with these bounds and CPU target."""
    api = client.AutoscalingV2Api(api_client())
    ns = current_namespace(namespace)

    def condition() -> tuple[bool, str]:
        h, missing = _read(api.read_namespaced_horizontal_pod_autoscaler, "HPA", name, ns)
        if h is None:
            return False, missing
        target = next((m.resource.target.average_utilization for m in h.spec.metrics or [] if m.resource), None)
        got = (h.spec.min_replicas, h.spec.max_replicas, target)
        return got == (min_replicas, max_replicas, cpu_percent), _("min {min}, max {max}, CPU target {target}%").format(
            min=got[0], max=got[1], target=got[2])

    return checkpoint(f"hpa/{name}", condition, timeout=timeout, namespace=ns, record=record,
                      hint=hint if hint is not None else
                      _("kubectl get hpa {name} shows its bounds and target").format(name=name))


@connected
def hpa_measures(name: str, *, namespace: str | None = None, timeout: float = 90, hint: str | None = None,
                 record: bool = True, kube: Connection | None = None) -> CheckResult:
    """The HPA can compute its CPU target (its ScalingActive condition is True): not ``<unknown>``."""
    api = client.AutoscalingV2Api(api_client())
    ns = current_namespace(namespace)

    def condition() -> tuple[bool, str]:
        h, missing = _read(api.read_namespaced_horizontal_pod_autoscaler, "HPA", name, ns)
        if h is None:
            return False, missing
        active = next((c for c in h.status.conditions or [] if c.type == "ScalingActive"), None)
        current = next((m.resource.current.average_utilization for m in h.status.current_metrics or []
                        if m.resource and m.resource.current), None)
        if active is None:
            return False, _("the HPA has not evaluated its target yet")
        if active.status != "True" or current is None:
            return False, _("TARGETS <unknown>: {reason}").format(reason=active.reason)
        return True, _("CPU at {current}% of the pods' requests").format(current=current)

    return checkpoint(f"hpa/{name} measures CPU", condition, timeout=timeout, namespace=ns, record=record,
                      label=_("hpa/{name} measures CPU").format(name=name),
                      hint=hint if hint is not None else
                      _("kubectl describe hpa {name}: read its Conditions").format(name=name))


@connected
def one_pod_per_node(selector: str, *, nodes: list[str] | None = None, namespace: str | None = None,
                     timeout: float = 60, hint: str | None = None, record: bool = True,
                     kube: Connection | None = None) -> CheckResult:
    """One running pod that ``selector`` matches on each node of ``nodes`` (default: every node)."""
    core = client.CoreV1Api(api_client())
    ns = current_namespace(namespace)

    def condition() -> tuple[bool, str]:
        wanted = sorted(nodes if nodes is not None else [n.metadata.name for n in core.list_node().items])
        pods = [p for p in core.list_namespaced_pod(ns, label_selector=selector).items if p.status.phase == "Running"]
        placed = sorted(p.spec.node_name for p in pods)
        return placed == wanted, ngettext("{count} running pod on {nodes} of {total} nodes",
                                          "{count} running pods on {nodes} of {total} nodes", len(pods)).format(
            count=len(pods), nodes=len(set(placed)), total=len(wanted))

    return checkpoint(f"one {selector} pod per node", condition, timeout=timeout, namespace=ns, record=record,
                      label=_("one {selector} pod per node").format(selector=selector),
                      hint=hint if hint is not None else _("kubectl get pods -o wide shows where they run"))


def same_answer(prediction: Any, actual: Any) -> bool:
    """Whether a prediction names what the cluster gave: ``"3"`` is 3, `` Running`` is ``running``."""
    if prediction is None:
        return False
    return prediction == actual or str(prediction).strip().lower() == str(actual).strip().lower()


@connected
def predicted(name: str, prediction: Any, actual: Any, *, why: str = "", label: str = "",
              namespace: str | None = None, kube: Connection | None = None) -> CheckResult:
    """A learner's prediction, written down before running, against what the cluster did.

    ``name`` is the prediction's key on the class board (the same in every edition); ``label`` is
    how the learner reads it, when the notebook speaks another language.

    The learner reads right or wrong; the class board records only that a prediction was made: an
    honest wrong guess is the point of predicting, not a failure to show the class.
    """
    if prediction is None:
        detail = _("no prediction written down; the cluster gave {actual}").format(actual=actual)
    else:
        detail = _("you predicted {prediction}, the cluster gave {actual}").format(prediction=prediction, actual=actual)
    key = f"prediction: {name}"
    result = checkpoint(key, lambda: Settled(same_answer(prediction, actual), detail), timeout=0,
                        namespace=namespace, hint=why, label=_("prediction: {name}").format(name=label or name),
                        record=False)
    _record(CheckResult(key, prediction is not None, detail, why), current_namespace(namespace))
    return result
