"""Upgrading the book's manifests to API versions current clusters serve (pure functions).

The chapter was written for Kubernetes 1.5-1.7: Deployments and DaemonSets in ``extensions/v1beta1``,
CronJobs in ``batch/v2alpha1``, HPAs in ``autoscaling/v1``. Those versions were removed (Deployments
and DaemonSets in 1.16, CronJob v2alpha1 in 1.21, HPA v2beta2 in 1.26). ``upgrade`` rewrites a
manifest to the current version and lists each change with its reason, so a learner sees what
moved instead of a silent rewrite.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from ..i18n import _

# kind -> (old apiVersions, current apiVersion, Kubernetes release that removed the old ones)
MOVED: dict[str, tuple[tuple[str, ...], str, str]] = {
    "Deployment": (("extensions/v1beta1", "apps/v1beta1", "apps/v1beta2"), "apps/v1", "1.16"),
    "DaemonSet": (("extensions/v1beta1", "apps/v1beta2"), "apps/v1", "1.16"),
    "ReplicaSet": (("extensions/v1beta1", "apps/v1beta2"), "apps/v1", "1.16"),
    "StatefulSet": (("apps/v1beta1", "apps/v1beta2"), "apps/v1", "1.16"),
    "CronJob": (("batch/v2alpha1", "batch/v1beta1"), "batch/v1", "1.25"),
    "HorizontalPodAutoscaler": (("autoscaling/v2beta1", "autoscaling/v2beta2"), "autoscaling/v2", "1.26"),
}
# autoscaling/v1 is still served, but cannot express behavior or several metrics: the kit uses v2.
UPGRADED_BY_CHOICE = {"HorizontalPodAutoscaler": ("autoscaling/v1",)}
SELECTOR_REQUIRED = ("Deployment", "DaemonSet", "ReplicaSet", "StatefulSet")


@dataclass(frozen=True)
class Change:
    """One rewrite: where, what it was, what it is now, and why."""

    path: tuple[str, ...]
    before: Any
    after: Any
    why: str

    def __str__(self) -> str:
        return _("{path}: {before!r} -> {after!r} ({why})").format(path=".".join(self.path), before=self.before,
                                                                   after=self.after, why=self.why)


def removed_api(obj: dict[str, Any]) -> tuple[str, str] | None:
    """``(current apiVersion, release that removed it)`` when ``obj`` uses a removed version."""
    moved = MOVED.get(str(obj.get("kind")))
    if moved and obj.get("apiVersion") in moved[0]:
        return moved[1], moved[2]
    return None


def upgrade(obj: dict[str, Any]) -> tuple[dict[str, Any], list[Change]]:
    """A copy of ``obj`` in the current API version, and the list of changes made."""
    new = copy.deepcopy(obj)
    changes: list[Change] = []
    kind = str(new.get("kind", ""))
    version = new.get("apiVersion")
    moved = MOVED.get(kind)
    by_choice = version in UPGRADED_BY_CHOICE.get(kind, ())
    if (moved and version in moved[0]) or by_choice:
        target = moved[1] if moved else ""
        if moved and not by_choice:
            why = _("{version} was removed in Kubernetes {release}").format(version=version, release=moved[2])
        else:
            why = _("{version} cannot express scaling behaviour; {current} is the current version").format(
                version=version, current=target)
        new["apiVersion"] = target
        changes.append(Change(("apiVersion",), version, target, why))
    if kind in SELECTOR_REQUIRED and new.get("apiVersion") == "apps/v1":
        changes += _add_selector(new)
    if kind == "HorizontalPodAutoscaler" and new.get("apiVersion") == "autoscaling/v2":
        changes += _hpa_v2(new)
    return new, changes


def _add_selector(obj: dict[str, Any]) -> list[Change]:
    spec = obj.setdefault("spec", {})
    if spec.get("selector"):
        return []
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels")
    if not labels:
        return []  # nothing to derive it from: the server's error will say so
    spec["selector"] = {"matchLabels": dict(labels)}
    return [Change(("spec", "selector"), None, spec["selector"],
                   _("apps/v1 requires a selector; the old API defaulted it to the pod template's labels"))]


def _hpa_v2(obj: dict[str, Any]) -> list[Change]:
    changes: list[Change] = []
    spec = obj.setdefault("spec", {})
    target = spec.get("scaleTargetRef") or {}
    if target.get("kind") in ("Deployment", "ReplicaSet", "StatefulSet") and \
            target.get("apiVersion") in (None, "v1", "extensions/v1beta1", "apps/v1beta1", "apps/v1beta2"):
        changes.append(Change(("spec", "scaleTargetRef", "apiVersion"), target.get("apiVersion"), "apps/v1",
                              _("a {kind} lives in apps/v1").format(kind=target["kind"])))
        target["apiVersion"] = "apps/v1"
    if "targetCPUUtilizationPercentage" in spec:
        percent = spec.pop("targetCPUUtilizationPercentage")
        metrics = [{"type": "Resource", "resource": {
            "name": "cpu", "target": {"type": "Utilization", "averageUtilization": percent}}}]
        spec["metrics"] = metrics
        changes.append(Change(("spec", "targetCPUUtilizationPercentage"), percent, "spec.metrics[cpu]",
                              _("autoscaling/v2 lists metrics; CPU utilisation is one Resource metric")))
    return changes


def describe_changes(name: str, changes: list[Change]) -> str:
    """A short, readable diff for a learner."""
    if not changes:
        return ""
    lines = [_("{name}: upgraded for a current cluster").format(name=name)]
    lines += [f"  - {c}" for c in changes]
    return "\n".join(lines)
