"""A class's objects on the cluster: per learner a namespace, rights, a kubeconfig and nodes.

``create`` makes, per learner, the objects in ``plan`` and a kubeconfig file to hand out (a token of
the learner's ServiceAccount, their namespace as default); on the embedded backend each learner also
gets simulated nodes of their own to label. ``results``/``progress`` read the checkpoints every
learner's notebooks recorded (``kw.check``) into one table; ``delete`` removes everything labelled
with the class.

Each function takes ``kube=`` (the instructor's connection); a loop over learners builds one
connection per learner (``kw.connect(kubeconfig, namespace=...)``) and never changes the default.
"""

from __future__ import annotations

import base64
import contextlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from kubernetes import client

from ..cluster.nodes import node_manifest
from ..errors import ApiError, ConflictError
from ..i18n import _, ngettext
from ..kube.apierrors import doing
from ..kube.client import api_client, server_side_apply
from ..kube.connection import Connection, connected, connection
from ..kube.facts import CLASS_FIELD_MANAGER, CLASS_LABEL, LEARNER_LABEL, PROGRESS_CONFIGMAP
from ..kube.namespaces import wait_for_default_service_account
from ..kube.tables import Table
from ..kube.watch import wait_for
from .plan import SYSTEM, Learner, cluster_objects, kubeconfig, learners, namespaced_objects

TOKEN_SECONDS = 7 * 24 * 3600  # a week: long enough for a course


@dataclass(frozen=True)
class ClassInfo:
    name: str
    learners: tuple[Learner, ...]
    kubeconfigs: tuple[Path, ...]

    def __str__(self) -> str:
        count = len(self.learners)
        lines = [ngettext("class {name}: {count} learner", "class {name}: {count} learners", count)
                 .format(name=self.name, count=count)]
        row = _("{learner:<14} namespace {namespace:<24} kubeconfig {kubeconfig}")
        lines += ["  " + row.format(learner=lr.name, namespace=lr.namespace, kubeconfig=kc)
                  for lr, kc in zip(self.learners, self.kubeconfigs, strict=True)]
        return "\n".join(lines)


@connected
def create(class_name: str = "class", *, count: int | None = None, names: list[str] | None = None,
           nodes_per_learner: int = 2, output: Path = Path("class-kubeconfigs"),
           kube: Connection | None = None) -> ClassInfo:
    """Create the class (idempotent: running it again adds missing learners and refreshes tokens)."""
    members = learners(class_name, count, names)
    api = api_client()
    core = client.CoreV1Api(api)
    output.mkdir(parents=True, exist_ok=True)
    ca = _ca_data(api)
    paths = []
    with doing(_("creating class {name}").format(name=repr(class_name)), "kubectl auth can-i --list"):
        for learner in members:
            nodes = learner.node_names(nodes_per_learner)
            for obj in namespaced_objects(learner) + cluster_objects(learner, nodes):
                server_side_apply(obj, field_manager=CLASS_FIELD_MANAGER, api=api)
            for index, node in enumerate(nodes):
                manifest = node_manifest(index)
                manifest["metadata"].update(name=node)
                manifest["metadata"]["labels"].update({"kubernetes.io/hostname": node, CLASS_LABEL: class_name,
                                                       LEARNER_LABEL: learner.name})
                manifest["metadata"]["annotations"]["metrics.k8s.io/resource-metrics-path"] = \
                    f"/metrics/nodes/{node}/metrics/resource"
                with contextlib.suppress(ConflictError):  # made by an earlier run
                    core.create_node(manifest)
            wait_for_default_service_account(learner.namespace, api=api)
            token = core.create_namespaced_service_account_token(
                "learner", learner.namespace, {"spec": {"expirationSeconds": TOKEN_SECONDS}}).status.token
            path = output / f"{learner.namespace}.kubeconfig"
            path.write_text(yaml.safe_dump(kubeconfig(learner, api.configuration.host, ca, token)))
            path.chmod(0o600)
            paths.append(path)
    return ClassInfo(class_name, tuple(members), tuple(paths))


def _ca_data(api: client.ApiClient) -> str:
    ca_file = api.configuration.ssl_ca_cert
    return base64.b64encode(Path(ca_file).read_bytes()).decode() if ca_file else ""


@connected
def delete(class_name: str = "class", *, timeout: float = 120, kube: Connection | None = None) -> list[str]:
    """Remove every object of the class from the cluster; returns the names of what it deleted."""
    gone: list[str] = []
    api = api_client()
    core, rbac = client.CoreV1Api(api), client.RbacAuthorizationV1Api(api)
    selector = f"{CLASS_LABEL}={class_name}"
    for ns in core.list_namespace(label_selector=selector).items:
        core.delete_namespace(ns.metadata.name)
        gone.append(f"namespace/{ns.metadata.name}")
    cluster_wide = (("rolebinding", lambda **kw: rbac.list_namespaced_role_binding(SYSTEM, **kw),
                     lambda name: rbac.delete_namespaced_role_binding(name, SYSTEM)),
                    ("clusterrolebinding", rbac.list_cluster_role_binding, rbac.delete_cluster_role_binding),
                    ("clusterrole", rbac.list_cluster_role, rbac.delete_cluster_role),
                    ("node", core.list_node, core.delete_node))
    for kind, lister, deleter in cluster_wide:
        for item in lister(label_selector=selector).items:
            deleter(item.metadata.name)
            gone.append(f"{kind}/{item.metadata.name}")
    wait_for(core.list_namespace, lambda items: not items, timeout,
             _("the namespaces of class {name} to go").format(name=class_name), label_selector=selector)
    return gone


@dataclass(frozen=True)
class Mark:
    """One checkpoint of one learner: passed or not, and when (the last run counts)."""

    passed: bool
    at: datetime

    def __str__(self) -> str:
        return f"{'✓' if self.passed else '✗'} {self.at.strftime('%H:%M:%S')}"


@connected
def results(class_name: str = "class", *, kube: Connection | None = None) -> dict[str, dict[str, Mark]]:
    """Learner -> checkpoint -> Mark, from each learner's ``kworkshop-progress`` ConfigMap (every
    learner of the class appears, with no marks before their first checkpoint)."""
    core = client.CoreV1Api(api_client())
    found: dict[str, dict[str, Mark]] = {}
    for ns in core.list_namespace(label_selector=f"{CLASS_LABEL}={class_name}").items:
        learner = ns.metadata.labels.get(LEARNER_LABEL, ns.metadata.name)
        try:
            data = core.read_namespaced_config_map(PROGRESS_CONFIGMAP, ns.metadata.name).data or {}
        except ApiError:
            data = {}
        found[learner] = {}
        for raw in data.values():
            entry = json.loads(raw)
            found[learner][entry["name"]] = Mark(bool(entry["passed"]), datetime.fromisoformat(entry["at"]))
    return dict(sorted(found.items()))


@connected
def progress(class_name: str = "class", *, kube: Connection | None = None) -> Table:
    """Learner x checkpoint: ✓/✗ and when, from each learner's ``kworkshop-progress`` ConfigMap."""
    marks = results(class_name, kube=kube)
    checks = sorted({c for r in marks.values() for c in r})
    rows = tuple((learner, *(str(m) if (m := marks[learner].get(c)) else "" for c in checks)) for learner in marks)
    # the kit's own words are translated; the checkpoints' names are recorded keys and stay
    return Table((_("Learner"), *checks), rows, _("class {name}").format(name=class_name))


class LiveProgress:
    """The class's progress table, redrawn whenever a learner's checkpoint is recorded (a watch on
    the ``kworkshop-progress`` ConfigMaps); ``stop()`` ends it and shows the final table.

    It keeps the connection it was made with (``kube``, else the default at that moment): the
    watch thread redraws through it, whatever the default becomes meanwhile."""

    def __init__(self, class_name: str = "class", *, kube: Connection | None = None) -> None:
        from ..kube.watch import Watcher
        from ..live.chart import interactive

        self.class_name = class_name
        self.kube = connection(kube)
        self._widget = None
        core = client.CoreV1Api(self.kube.api)
        self.watcher = Watcher(core.list_config_map_for_all_namespaces, self._changed,
                               field_selector=f"metadata.name={PROGRESS_CONFIGMAP}")
        if interactive():
            import ipywidgets as widgets
            from IPython.display import display

            self._widget = widgets.HTML(progress(class_name, kube=self.kube)._repr_html_())
            display(self._widget)
        self.watcher.start()

    def _changed(self, kind: str, obj: Any) -> None:
        if self._widget is not None and obj.metadata.namespace.startswith(f"{self.class_name}-"):
            self._widget.value = progress(self.class_name, kube=self.kube)._repr_html_()

    def stop(self) -> Table:
        self.watcher.stop()
        table = progress(self.class_name, kube=self.kube)
        if self._widget is not None:
            self._widget.value = table._repr_html_()
        return table
