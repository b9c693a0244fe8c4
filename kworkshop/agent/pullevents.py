"""The kubelet's image-pull events, written by the node agent.

A KWOK stage can add an event as it moves a pod, but only a fixed string: it cannot say which image
failed, and that is what a learner reads the events for (`kubectl describe pod NAME` ends with
them). So the pull-failure stages add none, and the agent writes what a kubelet with containerd
writes when a container enters ``ErrImagePull`` or ``ImagePullBackOff`` (``Pulling image "X"``,
``Failed to pull image "X": ... not found``, ``Error: ErrImagePull``, ``Back-off pulling image "X"``,
``Error: ImagePullBackOff``), from ``kubelet`` on the pod's node. Like the kubelet's event recorder,
a repeated event is one Event whose ``count`` goes up, which `kubectl describe` shows as
``(x3 over 40s)``.

``events_for`` is pure (a pod and what the agent saw of it before -> the events due), and
``PullEvents`` posts them through the agent's small client.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timezone
from typing import Any, Protocol

from ..errors import ApiError, ConflictError
from .images import normalize

log = logging.getLogger("kworkshop.agent")

PULL_REASONS = ("ErrImagePull", "ImagePullBackOff")


def _reference(image: str) -> str:
    """The reference containerd resolves: ``nginx:1.27`` -> ``docker.io/library/nginx:1.27``."""
    canon = normalize(image)
    first = canon.split("/", 1)[0]
    if "/" in canon and ("." in first or ":" in first or first == "localhost"):
        return canon  # names its registry
    return f"docker.io/{canon}" if "/" in canon else f"docker.io/library/{canon}"


def messages(reason: str, image: str) -> list[tuple[str, str, str]]:
    """(type, reason, message) of the events a kubelet writes as a container enters ``reason``."""
    if reason == "ErrImagePull":
        ref = _reference(image)
        return [("Normal", "Pulling", f'Pulling image "{image}"'),
                ("Warning", "Failed", f'Failed to pull image "{image}": rpc error: code = NotFound desc = failed to '
                                      f'pull and unpack image "{ref}": failed to resolve reference "{ref}": '
                                      f"{ref}: not found"),
                ("Warning", "Failed", "Error: ErrImagePull")]
    return [("Normal", "BackOff", f'Back-off pulling image "{image}"'),
            ("Warning", "Failed", "Error: ImagePullBackOff")]


def events_for(pod: dict[str, Any], seen: dict[str, str]) -> list[dict[str, Any]]:
    """The events due for ``pod``: one set per container that entered a pull failure since ``seen``
    (container name -> the waiting reason last seen, updated here)."""
    meta, spec = pod["metadata"], pod.get("spec") or {}
    images = {c["name"]: c.get("image", "") for c in spec.get("containers") or []}
    due = []
    for status in (pod.get("status") or {}).get("containerStatuses") or []:
        name = status.get("name", "")
        reason = ((status.get("state") or {}).get("waiting") or {}).get("reason")
        if reason == seen.get(name):
            continue
        seen[name] = reason
        if reason not in PULL_REASONS:
            continue
        for kind, why, message in messages(reason, images.get(name) or status.get("image", "")):
            due.append({
                "type": kind, "reason": why, "message": message,
                "involvedObject": {"apiVersion": "v1", "kind": "Pod", "namespace": meta["namespace"],
                                   "name": meta["name"], "uid": meta["uid"],
                                   "fieldPath": f"spec.containers{{{name}}}"},
                "source": {"component": "kubelet", "host": spec.get("nodeName", "")},
            })
    return due


class Api(Protocol):
    def create(self, path: str, body: Any) -> dict[str, Any]: ...

    def get(self, path: str) -> dict[str, Any]: ...

    def patch(self, path: str, body: Any) -> dict[str, Any]: ...


class PullEvents:
    """Posts each pod's pull events, once per change of a container's waiting reason."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.seen: dict[str, dict[str, str]] = {}  # pod uid -> container -> waiting reason

    def on_pod(self, pod: dict[str, Any]) -> None:
        for event in events_for(pod, self.seen.setdefault(pod["metadata"]["uid"], {})):
            self._post(event)

    def on_deleted(self, pod: dict[str, Any]) -> None:
        self.seen.pop(pod["metadata"]["uid"], None)

    def _post(self, event: dict[str, Any]) -> None:
        """Create the event, or count one more of the same (as the kubelet's recorder aggregates)."""
        obj = event["involvedObject"]
        digest = hashlib.sha256(f"{obj['uid']}{obj['fieldPath']}{event['reason']}{event['message']}".encode())
        name = f"{obj['name']}.{digest.hexdigest()[:16]}"
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        path = f"/api/v1/namespaces/{obj['namespace']}/events"
        body = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": name, "namespace": obj["namespace"]},
                **event, "count": 1, "firstTimestamp": now, "lastTimestamp": now}
        try:
            try:
                self.api.create(path, body)
            except ConflictError:
                count = self.api.get(f"{path}/{name}").get("count") or 1
                self.api.patch(f"{path}/{name}", {"count": count + 1, "lastTimestamp": now})
        except ApiError as exc:  # a namespace being deleted: its pods' events do not matter
            log.debug("event for %s/%s: %s", obj["namespace"], obj["name"], exc)
