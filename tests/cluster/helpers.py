"""Small helpers for cluster tests: manifests as dicts, pod facts, events."""

from __future__ import annotations

from typing import Any

from kubernetes import client

from kworkshop.kube.watch import wait_for

__all__ = ["deployment", "events_for", "wait_for", "waiting_reason"]


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
