"""The objects an instructor-led class needs, as plain data (pure, unit-tested).

Per learner: a namespace, a ServiceAccount, a RoleBinding to the built-in ``edit`` ClusterRole in that
namespace only (plus reading metrics), a ResourceQuota, and, for chapter 5's node exercises, a few
nodes of their own that they may label (RBAC ``resourceNames`` limits ``patch`` to those names).
Everything carries ``kworkshop.io/class=<name>`` so ``class delete`` finds it all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError
from ..i18n import _
from ..kube.facts import CLASS_LABEL, LEARNER_LABEL

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$")


@dataclass(frozen=True)
class Learner:
    name: str
    class_name: str

    @property
    def namespace(self) -> str:
        return f"{self.class_name}-{self.name}"

    def node_names(self, count: int) -> list[str]:
        return [f"{self.class_name}-{self.name}-node-{i}" for i in range(count)]


def learners(class_name: str, count: int | None = None, names: list[str] | None = None) -> list[Learner]:
    """Learners from a count (learner-01, learner-02, ...) or a list of names, validated."""
    if not DNS_LABEL.match(class_name):
        raise ConfigError(_("class name {name} must be lower-case letters, digits and '-'.")
                          .format(name=repr(class_name)))
    if names:
        chosen = [n.strip().lower() for n in names if n.strip()]
    elif count:
        if count < 1 or count > 200:
            raise ConfigError(_("a class has 1 to 200 learners, not {count}.").format(count=count))
        chosen = [f"learner-{i:02d}" for i in range(1, count + 1)]
    else:
        raise ConfigError(_("give the number of learners (--learners N) or their names (--names a,b,c)."))
    bad = [n for n in chosen if not DNS_LABEL.match(n)]
    if bad:
        raise ConfigError(_("learner names must be lower-case letters, digits and '-': {names}").format(names=bad))
    if len(set(chosen)) != len(chosen):
        raise ConfigError(_("learner names must be unique."))
    return [Learner(n, class_name) for n in chosen]


def _meta(name: str, learner: Learner, namespace: str | None = None) -> dict[str, Any]:
    meta = {"name": name, "labels": {CLASS_LABEL: learner.class_name, LEARNER_LABEL: learner.name}}
    if namespace:
        meta["namespace"] = namespace
    return meta


def namespaced_objects(learner: Learner, quota: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Namespace, ServiceAccount, RoleBindings and quota of one learner."""
    ns = learner.namespace
    subject = [{"kind": "ServiceAccount", "name": "learner", "namespace": ns}]
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": _meta(ns, learner)},
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta("learner", learner, ns)},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
         "metadata": _meta("learner-edit", learner, ns),
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
         "subjects": subject},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": _meta("learner-extras", learner, ns),
         "rules": [{"apiGroups": ["metrics.k8s.io"], "resources": ["pods"], "verbs": ["get", "list"]},
                   {"apiGroups": [""], "resources": ["namespaces"], "verbs": ["get"]}]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
         "metadata": _meta("learner-extras", learner, ns),
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "learner-extras"},
         "subjects": subject},
        {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": _meta("learner-quota", learner, ns),
         "spec": {"hard": quota or {"pods": "30", "requests.cpu": "4", "requests.memory": "8Gi"}}},
        # a quota on requests refuses pods that state none: give the chapter's pods defaults
        {"apiVersion": "v1", "kind": "LimitRange", "metadata": _meta("learner-defaults", learner, ns),
         "spec": {"limits": [{"type": "Container", "defaultRequest": {"cpu": "100m", "memory": "64Mi"},
                              "default": {"cpu": "500m", "memory": "256Mi"}}]}},
    ]


SYSTEM = "kube-system"  # its DaemonSets are what chapter 5 shows first: learners may read them


def cluster_objects(learner: Learner, nodes: list[str]) -> list[dict[str, Any]]:
    """Reading every node, labelling only the learner's own ones (by name); reading kube-system's
    DaemonSets and pods (``kubectl get ds -n kube-system``, as the chapter does)."""
    name = f"kworkshop:{learner.namespace}"
    system = f"{name}:{SYSTEM}-read"
    rules: list[dict[str, Any]] = [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "list", "watch"]},
                                   {"apiGroups": ["metrics.k8s.io"], "resources": ["nodes"], "verbs": ["get", "list"]}]
    if nodes:
        rules.append({"apiGroups": [""], "resources": ["nodes"], "resourceNames": nodes, "verbs": ["patch", "update"]})
    return [
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": _meta(name, learner),
         "rules": rules},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": _meta(name, learner),
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": name},
         "subjects": [{"kind": "ServiceAccount", "name": "learner", "namespace": learner.namespace}]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": _meta(system, learner),
         "rules": [{"apiGroups": ["apps"], "resources": ["daemonsets"], "verbs": ["get", "list", "watch"]},
                   {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]}]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",  # only in kube-system
         "metadata": _meta(system, learner, SYSTEM),
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": system},
         "subjects": [{"kind": "ServiceAccount", "name": "learner", "namespace": learner.namespace}]},
    ]


def kubeconfig(learner: Learner, server: str, ca_data: str, token: str) -> dict[str, Any]:
    """The kubeconfig to hand to one learner: their token, their namespace as the default."""
    context = learner.namespace
    return {
        "apiVersion": "v1", "kind": "Config", "current-context": context,
        "clusters": [{"name": learner.class_name,
                      "cluster": {"server": server, "certificate-authority-data": ca_data}}],
        "users": [{"name": learner.namespace, "user": {"token": token}}],
        "contexts": [{"name": context, "context": {"cluster": learner.class_name, "user": learner.namespace,
                                                   "namespace": learner.namespace}}],
    }
