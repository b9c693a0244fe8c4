"""Instructor-led classes on one cluster: ``kworkshop class create|delete|progress|serve``.

``objects`` is the class on the cluster (namespaces, rights, kubeconfigs, nodes, the progress
table); ``plan`` what each learner gets; ``hub`` serves the class in the browser (JupyterHub, one
system account per learner, a live progress board); ``helm`` the same class on Zero to JupyterHub.
"""

from __future__ import annotations

from ..kube.connection import Connection
from .objects import ClassInfo, LiveProgress, Mark, create, progress, results
from .objects import delete as delete_objects


def delete(class_name: str = "class", *, timeout: float = 120, kube: Connection | None = None) -> list[str]:
    """Remove what ``class serve`` made (its hub, the learners' system accounts and homes, its
    folders) and every object of the class; returns the names of what it deleted."""
    from .hub import remove

    return remove(class_name) + delete_objects(class_name, timeout=timeout, kube=kube)


__all__ = ["ClassInfo", "LiveProgress", "Mark", "create", "delete", "progress", "results"]
