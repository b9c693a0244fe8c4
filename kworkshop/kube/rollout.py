"""``kubectl rollout`` for Deployments: status, history, undo, pause, resume, restart.

What kubectl itself prints (``progress``'s messages, ``rolled back``, ``paused``) stays as kubectl
prints it; the kit's own sentences (why a rollout is stuck, errors) go through ``_()``.

apps/v1 has no rollback endpoint: kubectl rolls back client-side by copying an older ReplicaSet's
pod template into the Deployment, and so does ``undo`` here, step for step (see ``history``).
``status`` uses kubectl's completion rule and, unlike kubectl, says why a rollout is stuck.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from kubernetes import client

from ..errors import ConfigError, RolloutStuckError, WaitTimeout
from ..i18n import _
from . import facts
from . import history as hist
from .apierrors import doing
from .client import api_client, current_namespace
from .connection import Connection, connected
from .resources import parse_ref
from .transport import as_json
from .watch import wait_for

STUCK_CHECK_SECONDS = 2.0


@dataclass(frozen=True)
class RolloutStatus:
    """Where a rollout stands: kubectl's message, whether it is done, and what blocks it."""

    name: str
    done: bool
    message: str
    blocked_by: tuple[str, ...] = field(default_factory=tuple)

    def __str__(self) -> str:
        return "\n".join((self.message, *(f"  - {b}" for b in self.blocked_by)))

    __repr__ = __str__


def _apps() -> client.AppsV1Api:
    return client.AppsV1Api(api_client())


def _get(name: str, namespace: str) -> client.V1Deployment:
    with doing(_("deployment {name!r} in namespace {namespace!r}").format(name=name, namespace=namespace),
               f"kubectl get deployments -n {namespace}"):
        return _apps().read_namespaced_deployment(name, namespace)


def progress(d: client.V1Deployment) -> tuple[bool, str]:
    """kubectl's DeploymentStatusViewer: (done, message) for one Deployment object."""
    name, st = d.metadata.name, d.status
    if (d.metadata.generation or 0) > (st.observed_generation or 0):
        return False, "Waiting for deployment spec update to be observed..."
    for cond in st.conditions or []:
        if cond.type == "Progressing" and cond.reason == "ProgressDeadlineExceeded":
            return False, f'deployment "{name}" exceeded its progress deadline'
    want = d.spec.replicas if d.spec.replicas is not None else 1
    updated, total, available = st.updated_replicas or 0, st.replicas or 0, st.available_replicas or 0
    if updated < want:
        return False, (f'Waiting for deployment "{name}" rollout to finish: '
                       f"{updated} out of {want} new replicas have been updated...")
    if total > updated:
        return False, (f'Waiting for deployment "{name}" rollout to finish: '
                       f"{total - updated} old replicas are pending termination...")
    if available < updated:
        return False, (f'Waiting for deployment "{name}" rollout to finish: '
                       f"{available} of {updated} updated replicas are available...")
    return True, f'deployment "{name}" successfully rolled out'


@connected
def blockers(d: client.V1Deployment, namespace: str, *, kube: Connection | None = None) -> list[str]:
    """Why the newest pods of ``d`` do not become ready: pull errors, crash loops, scheduling."""
    core = client.CoreV1Api(api_client())
    pods = core.list_namespaced_pod(namespace, label_selector=facts.workload_selector(d)).items
    template_images = {c.name: c.image for c in d.spec.template.spec.containers}
    reasons = []
    for pod in pods:
        if pod.metadata.deletion_timestamp or {c.name: c.image for c in pod.spec.containers} != template_images:
            continue
        for cs in pod.status.container_statuses or []:
            waiting = cs.state.waiting if cs.state else None
            if waiting and waiting.reason in facts.STUCK_REASONS:
                seen = {"pod": pod.metadata.name, "container": cs.name, "reason": waiting.reason, "image": cs.image}
                if waiting.message:
                    reasons.append(_("pod {pod}: container {container} is in {reason} (image {image}): {message}")
                                   .format(**seen, message=waiting.message))
                else:
                    reasons.append(_("pod {pod}: container {container} is in {reason} (image {image})")
                                   .format(**seen))
        if pod.status.phase == "Pending" and not pod.spec.node_name:
            events = core.list_namespaced_event(
                namespace, field_selector=f"involvedObject.name={pod.metadata.name},reason=FailedScheduling").items
            if events:
                reasons.append(_("pod {pod} cannot be scheduled: {message}").format(pod=pod.metadata.name,
                                                                                      message=events[-1].message))
    for cond in d.status.conditions or []:
        if cond.type == "Progressing" and cond.reason == "ProgressDeadlineExceeded":
            reasons.append(f"ProgressDeadlineExceeded: {cond.message}")
    return reasons


@connected
def status(ref: str, *, namespace: str | None = None, timeout: float = 120, wait: bool = True,
           fail_fast: bool = True, kube: Connection | None = None) -> RolloutStatus:
    """Wait for a Deployment's rollout to finish, like ``kubectl rollout status``.

    With ``fail_fast`` it raises RolloutStuckError as soon as a new pod cannot pull its image or
    crash-loops (those never heal by waiting); otherwise it waits up to ``timeout`` and raises
    WaitTimeout saying what blocked it. ``wait=False`` only reports the current state.
    """
    r = parse_ref(ref, "deployment")
    ns = current_namespace(namespace)
    d = _get(r.name, ns)
    done, message = progress(d)
    if done or not wait:
        return RolloutStatus(r.name, done, message, tuple([] if done else blockers(d, ns)))
    seen: dict[str, Any] = {}

    def check(items: list[Any]) -> bool:
        dep = next((i for i in items if i.metadata.name == r.name), None)
        if dep is None:
            return False
        seen["d"] = dep
        finished, _unused = progress(dep)
        if finished:
            return True
        if fail_fast:
            stuck = [b for b in blockers(dep, ns) if any(e in b for e in facts.STUCK_REASONS) or "Deadline" in b]
            if stuck:
                raise RolloutStuckError(_('deployment "{name}" rollout is stuck: {reasons}')
                                        .format(name=r.name, reasons="; ".join(stuck)), stuck)
        return False

    def describe(_items: list[Any]) -> str:
        dep = seen.get("d", d)
        return progress(dep)[1] + "".join(f"; {b}" for b in blockers(dep, ns))

    # The Deployment does not change when its new pod starts failing to pull, so the watch is
    # consumed in short slices and the pods are looked at between slices.
    deadline = time.monotonic() + timeout
    while True:
        window = min(STUCK_CHECK_SECONDS, max(0.0, deadline - time.monotonic()))
        try:
            items = wait_for(_apps().list_namespaced_deployment, check, window,
                             _("deployment/{name} to roll out").format(name=r.name), describe=describe,
                             namespace=ns, field_selector=f"metadata.name={r.name}")
            final = next(i for i in items if i.metadata.name == r.name)
            return RolloutStatus(r.name, True, progress(final)[1])
        except WaitTimeout:
            if time.monotonic() >= deadline:
                raise WaitTimeout(_("timed out after {seconds}s waiting for deployment/{name} to roll out; "
                                    "last seen: {last}").format(seconds=f"{timeout:.0f}", name=r.name,
                                                                last=describe([]))) from None
            if fail_fast and "d" in seen:
                check([seen["d"]])


def _replicasets(d: client.V1Deployment, namespace: str) -> list[client.V1ReplicaSet]:
    sets = _apps().list_namespaced_replica_set(namespace, label_selector=facts.workload_selector(d)).items
    return [rs for rs in sets if any(o.uid == d.metadata.uid for o in rs.metadata.owner_references or [])]


@connected
def history(ref: str, *, revision: int | None = None, namespace: str | None = None,
            kube: Connection | None = None) -> hist.History:
    """The revisions ``kubectl rollout history`` lists (oldest first); ``revision`` picks one."""
    r = parse_ref(ref, "deployment")
    ns = current_namespace(namespace)
    revisions = hist.revisions(_replicasets(_get(r.name, ns), ns))
    if revision is not None:
        picked = [rev for rev in revisions if rev.revision == revision]
        if not picked:
            raise ConfigError(_("unable to find the requested revision {revision} of deployment/{name}; it has "
                                "{revisions}. See: kubectl rollout history deployment/{name} -n {namespace}")
                              .format(revision=revision, name=r.name, revisions=[rev.revision for rev in revisions],
                                      namespace=ns))
        return hist.History(picked)
    return revisions


@connected
def undo(ref: str, *, to_revision: int | None = None, namespace: str | None = None,
         kube: Connection | None = None) -> str:
    """Roll back like ``kubectl rollout undo [--to-revision=N]``; returns kubectl's message."""
    r = parse_ref(ref, "deployment")
    ns = current_namespace(namespace)
    d = _get(r.name, ns)
    if d.spec.paused:
        raise ConfigError(_("you cannot rollback a paused deployment; resume it first with "
                            "'kubectl rollout resume deployment/{name}' (kw.rollout.resume) and try again")
                          .format(name=r.name))
    sets = _replicasets(d, ns)
    try:
        target = hist.rollback_target(sets, to_revision)
    except ValueError as exc:
        raise ConfigError(_("deployment/{name}: {problem}. See: kubectl rollout history deployment/{name} "
                            "-n {namespace}").format(name=r.name, problem=exc, namespace=ns)) from exc
    number = facts.revision(target)
    template = hist.template_without_hash(target)
    current = as_json(d.spec.template)
    if _same_template(template, current):
        return f"deployment.apps/{r.name} skipped rollback (current template already matches revision {number})"
    annotations = hist.rollback_annotations(d.metadata.annotations or {}, target.metadata.annotations or {})
    patch = [{"op": "replace", "path": "/spec/template", "value": template},
             {"op": "replace", "path": "/metadata/annotations", "value": annotations}]
    with doing(_("rolling back deployment/{name}").format(name=r.name)):
        _apps().patch_namespaced_deployment(r.name, ns, patch)
    return f"deployment.apps/{r.name} rolled back"


def _same_template(a: dict[str, Any], b: dict[str, Any]) -> bool:
    def strip(t: dict[str, Any]) -> dict[str, Any]:
        t = {**t, "metadata": {**(t.get("metadata") or {})}}
        labels = dict(t["metadata"].get("labels") or {})
        labels.pop(facts.HASH_LABEL, None)
        t["metadata"]["labels"] = labels
        t["metadata"].pop("creationTimestamp", None)
        return t
    return strip(a) == strip(b)


def _set_paused(ref: str, paused: bool, namespace: str | None) -> str:
    r = parse_ref(ref, "deployment")
    ns = current_namespace(namespace)
    d = _get(r.name, ns)
    if bool(d.spec.paused) == paused:
        raise ConfigError((_("deployments/{name} is already paused") if paused
                           else _("deployments/{name} is not paused")).format(name=r.name))
    _apps().patch_namespaced_deployment(r.name, ns, {"spec": {"paused": paused}})
    return f"deployment.apps/{r.name} {'paused' if paused else 'resumed'}"


@connected
def pause(ref: str, *, namespace: str | None = None, kube: Connection | None = None) -> str:
    """``kubectl rollout pause``: changes made now roll out together on resume."""
    return _set_paused(ref, True, namespace)


@connected
def resume(ref: str, *, namespace: str | None = None, kube: Connection | None = None) -> str:
    """``kubectl rollout resume``: the changes made while paused roll out as one revision."""
    return _set_paused(ref, False, namespace)


@connected
def restart(ref: str, *, namespace: str | None = None, kube: Connection | None = None) -> str:
    """``kubectl rollout restart``: new pods with the same spec, by stamping the template."""
    r = parse_ref(ref, "deployment")
    ns = current_namespace(namespace)
    _get(r.name, ns)
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    patch = {"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": now}}}}}
    _apps().patch_namespaced_deployment(r.name, ns, patch)
    return f"deployment.apps/{r.name} restarted"
