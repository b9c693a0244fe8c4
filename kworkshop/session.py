"""A chapter notebook's session: the cluster, the notebook's own namespace, and ``!kubectl`` there.

Every chapter starts with ``session = kw.start("ch5-deployments", backend=..., solutions=...)``:
the cluster comes up (or is reattached), the namespace is emptied (so the notebook runs the same
the second time, in any order, side by side with others), the verbs default to it, and ``!kubectl``
in this notebook works in it without ``-n``: the session writes a copy of the kubeconfig whose
context names the namespace and points ``KUBECONFIG`` at it. So the book's commands run as printed.
A terminal keeps the cluster's own kubeconfig (``kworkshop env``): there, add ``-n NAMESPACE``.

``start`` sets the whole default connection, never part of it: cluster, namespace, and ``strict``
(from ``solutions``: a failed checkpoint raises). So a notebook run after another in the same kernel
gets nothing of the first one's settings. ``session.kube`` is that connection, for ``kube=``.

In a class served by ``kworkshop class serve``, the hub sets ``$KWORKSHOP_NAMESPACE`` (the learner's
namespace, the only one their account may use): it wins over the notebook's ``namespace``
parameter, and the session's line says so.

A notebook that labels nodes (chapter 5) asks for them: ``start(..., nodes=2)``. On a cluster of
one's own those are any two nodes; in a class they are two of the nodes the instructor gave this
learner (the only ones their account may label), and the session knows what keeps work there:
``node_selector`` (the class's labels on those nodes, so a learner's DaemonSet does not land on
every learner's nodes and overrun their quota) and ``own`` (a node label's value of their own, since
every learner sees every node's labels).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from kubernetes import client

from . import noeditor, settings
from .errors import KworkshopError
from .i18n import _
from .kube.connection import Connection, connect, use
from .kube.facts import CLASS_LABEL, LEARNER_LABEL
from .kube.get import labelable_nodes
from .kube.namespaces import fresh_namespace
from .paths import state_dir

NAMESPACE_ENV = settings.NAMESPACE.name  # set for each learner by `kworkshop class serve`


@dataclass(frozen=True)
class Session:
    cluster: Any
    namespace: str
    kubeconfig: Path
    solutions: bool
    kube: Connection
    asked: str = ""  # the notebook's own namespace, when $KWORKSHOP_NAMESPACE replaced it
    nodes: tuple[str, ...] = ()  # start(nodes=N): the nodes this notebook may label
    node_selector: dict[str, str] = field(default_factory=dict)  # in a class: what only the learner's nodes carry

    @property
    def in_class(self) -> bool:
        return bool(self.node_selector)

    @property
    def own_nodes_patch(self) -> str:
        """A patch for ``kubectl patch --local``: a pod template's ``nodeSelector`` gains the class labels
        of the learner's nodes, so a DaemonSet or an exercise's Job stays there ("" outside a class)."""
        if not self.in_class:
            return ""
        return json.dumps({"spec": {"template": {"spec": {"nodeSelector": self.node_selector}}}})

    def own(self, value: str) -> str:
        """``value`` made this learner's alone in a class (``value-<namespace>``), for what every learner
        sees, such as a node label; ``value`` itself on a cluster of one's own."""
        return f"{value}-{self.namespace}" if self.in_class else value

    def __str__(self) -> str:
        if self.asked and self.asked != self.namespace:
            return _("working in namespace {namespace} (your class namespace, from ${variable}, instead of this "
                     "notebook's {asked}): `!kubectl` here and in your terminal works there").format(
                namespace=self.namespace, variable=NAMESPACE_ENV, asked=self.asked)
        return _("working in namespace {namespace}: `!kubectl` in this notebook works there; "
                 "in a terminal add `-n {namespace}`").format(namespace=self.namespace)

    __repr__ = __str__


def namespaced_kubeconfig(source: Path, namespace: str, target: Path) -> Path:
    """Copy ``source`` to ``target`` with ``namespace`` as the current context's namespace."""
    config = yaml.safe_load(source.read_text()) or {}
    current = config.get("current-context")
    for entry in config.get("contexts") or []:
        if entry.get("name") == current or current is None:
            entry.setdefault("context", {})["namespace"] = namespace
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds credentials
    with os.fdopen(fd, "w") as out:
        yaml.safe_dump(config, out, sort_keys=False)
    return target


def start(namespace: str, *, backend: str = "embedded", solutions: bool = False, fresh: bool = True,
          nodes: int = 0) -> Session:
    """Start a chapter notebook in ``namespace`` (see the module docstring); ``$KWORKSHOP_NAMESPACE``,
    when set, wins over ``namespace``; ``nodes``: how many nodes the notebook labels."""
    from .cluster import up

    asked, namespace = namespace, settings.NAMESPACE.get() or namespace
    cluster = up(backend=backend)
    conn = connect(cluster, namespace=namespace, strict=solutions)
    if fresh:
        fresh_namespace(namespace, kube=conn)
    target = state_dir() / "kubeconfigs" / f"{cluster.name}-{namespace}.yaml"
    kubeconfig = namespaced_kubeconfig(Path(cluster.kubeconfig), namespace, target)
    os.environ["KUBECONFIG"] = str(kubeconfig)
    os.environ["KUBE_EDITOR"] = noeditor.command()  # `!kubectl edit` says what to do instead of hanging
    kube = use(replace(conn, kubeconfig=kubeconfig))
    chosen, selector = _nodes_to_label(nodes, kube) if nodes else ((), {})
    return Session(cluster, namespace, kubeconfig, solutions, kube, asked if asked != namespace else "",
                   chosen, selector)


def _nodes_to_label(count: int, kube: Connection) -> tuple[tuple[str, ...], dict[str, str]]:
    """The last ``count`` nodes this account may label, and, when those are not all the cluster's
    nodes (a class), the class labels its instructor gave them."""
    mine = labelable_nodes(kube=kube)
    if len(mine) < count:
        raise KworkshopError(_("this notebook labels {count} nodes, and this account may label {mine}: ask your "
                               "instructor for {count} nodes of your own").format(count=count, mine=len(mine)))
    everyone = client.CoreV1Api(kube.api).list_node().items
    if len(mine) == len(everyone):
        return tuple(mine[-count:]), {}
    labels = next(n.metadata.labels or {} for n in everyone if n.metadata.name == mine[-1])
    return tuple(mine[-count:]), {k: labels[k] for k in (CLASS_LABEL, LEARNER_LABEL) if k in labels}
