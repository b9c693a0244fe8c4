"""The cluster's own DaemonSets in kube-system, as a real cluster has them: kube-proxy and
node-problem-detector (the book runs `kubectl get ds --namespace=kube-system` and expects them).

The manifests ship with the package (``manifests/kube-proxy.yaml``, ``manifests/node-problem-detector.yaml``).
``render`` fills in the pinned Kubernetes version (pure, unit-tested); ``ensure`` applies them
server-side, so ``up`` on a running cluster changes nothing and ``up`` healing a cluster puts back
what is missing. ``up`` does not wait for their pods: the real DaemonSet controller and scheduler
place one on every node, including nodes added later (a class's), and the simulated kubelet starts
it within seconds, since both images are in the catalogue (``images.py``). Their pods have no
usage annotation, so they get the default usage of simulated pods, like any learner's pod.

Learners cannot change them: a class's learners may edit only their own namespace
(``classroom.plan``).
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from kubernetes import client

from ...binaries.pins import KUBERNETES_VERSION
from ...i18n import _
from ...kube.client import server_side_apply
from ...kube.facts import ADDONS_FIELD_MANAGER
from ...kube.watch import wait_for
from .. import shipped

NAMESPACE = "kube-system"
MANIFESTS = (shipped.KUBE_PROXY, shipped.NODE_PROBLEM_DETECTOR)
DAEMONSETS = ("kube-proxy", "node-problem-detector")
# kubeadm's default controlPlaneEndpoint, for rendering without a cluster (the unit tests)
DEFAULT_APISERVER = "https://127.0.0.1:6443"
_PLACEHOLDER = re.compile(r"\{\{\s*\w+\s*\}\}")


def images(version: str = KUBERNETES_VERSION) -> list[str]:
    """The images the system DaemonSets run (they must be in the workshop image catalogue)."""
    return sorted({c["image"] for doc in render(version) if doc["kind"] == "DaemonSet"
                   for c in doc["spec"]["template"]["spec"]["containers"]})


def render(version: str = KUBERNETES_VERSION, apiserver: str = DEFAULT_APISERVER) -> list[dict[str, Any]]:
    """Every object of the system DaemonSets, in the order to apply them (accounts before pods)."""
    values = {"KUBERNETES_VERSION": version, "APISERVER": apiserver}
    docs: list[dict[str, Any]] = []
    for name in MANIFESTS:
        text = shipped.text(name)
        for key, value in values.items():
            text = text.replace("{{" + key + "}}", value)
        docs += [doc for doc in yaml.safe_load_all(text) if doc]
    left = _PLACEHOLDER.findall(yaml.safe_dump_all(docs))
    if left:
        raise ValueError(f"the system manifests have placeholders nobody fills in: {sorted(set(left))}")
    return docs


def ensure(api: client.ApiClient, timeout: float = 60) -> None:
    """Create or update the system DaemonSets and what they need; idempotent.

    kube-system is made by the apiserver's system-namespaces controller just after it starts, so a
    fresh cluster may answer /readyz a moment before it exists: wait for it first.
    """
    core = client.CoreV1Api(api)
    wait_for(core.list_namespace, bool, timeout, _("namespace {name}").format(name=NAMESPACE),
             field_selector=f"metadata.name={NAMESPACE}")
    for obj in render(apiserver=api.configuration.host):
        server_side_apply(obj, field_manager=ADDONS_FIELD_MANAGER, api=api)
