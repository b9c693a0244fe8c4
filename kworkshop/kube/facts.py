"""Kubernetes facts the kit relies on, each written once: names, reasons and how to read them.

Pure on purpose (no ``kubernetes`` import): the node agent reads objects as plain dicts through its
raw client, the kit as the official client's models; every reader here takes either. The values are
Kubernetes' own (the kubelet's waiting reasons, the Deployment controller's annotation and label,
the Ready condition); the kit's own names (its ConfigMap) sit at the end.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The kubelet's waiting reasons for an image it cannot get (pkg/kubelet/images): the first pull fails
# with ErrImagePull, later attempts wait in ImagePullBackOff; a name that is not a valid reference is
# InvalidImageName at once.
PULL_ERRORS: tuple[str, ...] = ("ErrImagePull", "ImagePullBackOff", "InvalidImageName")
# ...and the waiting reasons that keep a rollout from ever completing by itself
STUCK_REASONS: tuple[str, ...] = (*PULL_ERRORS, "CrashLoopBackOff")

# The Deployment controller numbers each ReplicaSet it makes, and names it and its pods by a hash of the
# pod template (``<deployment>-<hash>``).
REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
HASH_LABEL = "pod-template-hash"

READY = "Ready"  # the condition of a Node and of a Pod that says it serves

# The kit's own names on the API: the ConfigMap in each learner's namespace that records checkpoints
# for the class board; the label on what the kit made; the field managers of its server-side applies
# (a learner's `kw.apply`, the embedded cluster's add-ons, a class's objects)
PROGRESS_CONFIGMAP = "kworkshop-progress"
PART_OF = {"app.kubernetes.io/part-of": "kworkshop"}
MANAGED_BY = {"app.kubernetes.io/managed-by": "kworkshop"}
FIELD_MANAGER = "kworkshop"
ADDONS_FIELD_MANAGER = "kworkshop-addons"
CLASS_FIELD_MANAGER = "kworkshop-class"
# a class's objects, and the nodes a learner is given: which class, which learner (chapter 5 keeps
# a learner's DaemonSet on their own nodes with both)
CLASS_LABEL = "kworkshop.io/class"
LEARNER_LABEL = "kworkshop.io/learner"


def _get(obj: Any, name: str) -> Any:
    """A field of an API object given as a dict (camelCase keys) or as a client model (snake_case)."""
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, _snake(name), None)


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name)


def key(obj: Any) -> str:
    """``namespace/name`` of an object (``/name`` when cluster-scoped): how a watch tells objects apart."""
    meta = _get(obj, "metadata")
    return f"{_get(meta, 'namespace') or ''}/{_get(meta, 'name')}"


def condition_true(status: Any, kind: str) -> bool:
    """Whether ``status`` (of a Node, Pod, Deployment ...) has condition ``kind`` with status True."""
    return any(_get(c, "type") == kind and _get(c, "status") == "True" for c in _get(status, "conditions") or [])


def is_ready(obj: Any) -> bool:
    """A Node or Pod whose Ready condition is True."""
    return condition_true(_get(obj, "status"), READY)


def waiting_reason(status: Any) -> str | None:
    """The first container's waiting reason in a pod ``status`` (``ErrImagePull`` ...), if one waits."""
    for cs in _get(status, "containerStatuses") or []:
        waiting = _get(_get(cs, "state"), "waiting")
        if waiting is not None:
            return _get(waiting, "reason")
    return None


def selector(match_labels: Mapping[str, str] | None) -> str:
    """A label selector string (``app=web,tier=front``) from a workload's ``matchLabels``."""
    return ",".join(f"{k}={v}" for k, v in (match_labels or {}).items())


def workload_selector(obj: Any) -> str:
    """The label selector of a Deployment, ReplicaSet, DaemonSet or Job, from its ``spec.selector``."""
    return selector(_get(_get(_get(obj, "spec"), "selector"), "matchLabels"))


def revision(obj: Any) -> int | None:
    """A ReplicaSet's (or Deployment's) revision number, None when it has none."""
    annotations = _get(_get(obj, "metadata"), "annotations") or {}
    try:
        return int(annotations.get(REVISION, ""))
    except ValueError:
        return None


def template_hash(obj: Any) -> str | None:
    """The pod-template-hash label of a ReplicaSet or pod."""
    return (_get(_get(obj, "metadata"), "labels") or {}).get(HASH_LABEL)


__all__ = [
    "HASH_LABEL", "PROGRESS_CONFIGMAP", "PULL_ERRORS", "READY", "REVISION", "REVISION_HISTORY", "STUCK_REASONS",
    "condition_true", "is_ready", "revision", "selector", "template_hash", "waiting_reason", "workload_selector",
]

