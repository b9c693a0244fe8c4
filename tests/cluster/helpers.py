"""Small helpers for cluster tests: manifests as dicts, pod facts, events."""

from __future__ import annotations

from typing import Any

from kubernetes import client

from kworkshop.kube.watch import wait_for

__all__ = ["LISTING_5_1", "LISTING_5_1_FIXED", "deployment", "events_for", "wait_for", "waiting_reason"]

# The chapter's listing 5-1 as printed: `labels:` sits at the top level, where no such field exists.
LISTING_5_1 = """apiVersion: extensions/v1beta1
kind: Deployment
metadata:
  name: node-js-deploy
labels:
    name: node-js-deploy
spec:
  replicas: 1
  template:
    metadata:
      labels:
        name: node-js-deploy
    spec:
      containers:
      - name: node-js-deploy
        image: jonbaier/pod-scaling:0.1
"""
# ...and as the author meant it: the labels belong to the Deployment's metadata.
LISTING_5_1_FIXED = LISTING_5_1.replace("\nlabels:\n", "\n  labels:\n")


def deployment(name: str, image: str, replicas: int = 3, cpu: str = "100m") -> dict[str, Any]:
    labels = {"name": name}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [{
                "name": name, "image": image, "ports": [{"containerPort": 80}],
                "resources": {"requests": {"cpu": cpu}}}]}},
        },
    }


def waiting_reason(pod: client.V1Pod) -> str | None:
    for cs in pod.status.container_statuses or []:
        if cs.state and cs.state.waiting:
            return cs.state.waiting.reason
    return None


def events_for(core: client.CoreV1Api, namespace: str, name: str) -> list[client.CoreV1Event]:
    return core.list_namespaced_event(namespace, field_selector=f"involvedObject.name={name}").items
