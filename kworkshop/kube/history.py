"""A Deployment's revisions, as ``kubectl rollout history`` computes them (pure functions).

Each ReplicaSet a Deployment owns carries ``deployment.kubernetes.io/revision``; its
``kubernetes.io/change-cause`` annotation is the CHANGE-CAUSE column. The functions here work on
plain ReplicaSet objects, so the ordering and the undo choice are unit-tested without a cluster.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from ..i18n import _
from .facts import HASH_LABEL, REVISION, REVISION_HISTORY, revision
from .transport import as_json

CHANGE_CAUSE = "kubernetes.io/change-cause"
# kubectl's rollback copies the ReplicaSet's annotations except these (kubectl/pkg/polymorphichelpers).
ANNOTATIONS_TO_SKIP = frozenset({
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION,
    REVISION_HISTORY,
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
})


@dataclass(frozen=True)
class Revision:
    """One line of ``kubectl rollout history``, plus the images of that revision."""

    revision: int
    change_cause: str | None
    images: tuple[str, ...]
    replicaset: str

    def __str__(self) -> str:
        return f"{self.revision:<9} {self.change_cause or '<none>'}"


class History(tuple):
    """The revisions of a Deployment, oldest first; prints like ``kubectl rollout history``."""

    def __str__(self) -> str:
        return "\n".join([f"{'REVISION':<9} CHANGE-CAUSE", *(str(r) for r in self)])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        from .tables import Table

        rows = tuple((str(r.revision), r.change_cause or "<none>", ", ".join(r.images)) for r in self)
        return Table(("Revision", "Change-Cause", "Images"), rows)._repr_html_()


def revisions(replicasets: list[Any]) -> History:
    """The history, oldest first, from the Deployment's ReplicaSets."""
    out = []
    for rs in replicasets:
        number = revision(rs)
        if number is None:
            continue
        containers = _template(rs).get("spec", {}).get("containers", [])
        out.append(Revision(number, _annotations(rs).get(CHANGE_CAUSE), tuple(c.get("image", "") for c in containers),
                            _meta(rs).get("name", "")))
    return History(sorted(out, key=lambda r: r.revision))


def rollback_target(replicasets: list[Any], to_revision: int | None) -> Any:
    """The ReplicaSet ``kubectl rollout undo`` goes back to; ValueError with kubectl's message.

    Without ``to_revision``, it is the one with the highest revision below the current (highest).
    """
    by_number = {revision(rs): rs for rs in replicasets if revision(rs) is not None}
    if to_revision:
        if to_revision not in by_number:
            raise ValueError(_("unable to find specified revision {revision} in history").format(revision=to_revision))
        return by_number[to_revision]
    numbers = sorted(by_number)
    if len(numbers) < 2:
        raise ValueError(_("no rollout history found"))
    return by_number[numbers[-2]]


def template_without_hash(rs: Any) -> dict[str, Any]:
    """The ReplicaSet's pod template as the Deployment would hold it (no pod-template-hash)."""
    template = copy.deepcopy(_template(rs))
    labels = template.get("metadata", {}).get("labels") or {}
    labels.pop(HASH_LABEL, None)
    return template


def rollback_annotations(deployment_annotations: dict[str, str], rs_annotations: dict[str, str]) -> dict[str, str]:
    """The Deployment's annotations after an undo: kubectl keeps the skipped ones, takes the rest from the RS."""
    out = {k: v for k, v in deployment_annotations.items() if k in ANNOTATIONS_TO_SKIP}
    out.update({k: v for k, v in rs_annotations.items() if k not in ANNOTATIONS_TO_SKIP})
    return out


def _meta(rs: Any) -> dict[str, Any]:
    return rs["metadata"] if isinstance(rs, dict) else as_json(rs.metadata)


def _annotations(rs: Any) -> dict[str, str]:
    return _meta(rs).get("annotations") or {}


def _template(rs: Any) -> dict[str, Any]:
    if isinstance(rs, dict):
        return rs.get("spec", {}).get("template", {})
    return as_json(rs.spec.template)


def recorded(command: str) -> dict[str, Any]:
    """The metadata patch kubectl's ``--record`` made: the command line as the change cause."""
    return {"metadata": {"annotations": {CHANGE_CAUSE: command}}}
