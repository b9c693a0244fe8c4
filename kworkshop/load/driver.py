"""Runs the traffic model on the embedded cluster: a small controller inside the node agent.

It reconciles whenever a pod changes (the agent pokes it) and every few seconds: for each Service
that a load generator targets, the ready pods behind it get ``cpu_per_pod`` written to the
annotation KWOK reads for CPU usage; pods whose Service lost its load fall back to idle (the
annotation is removed, KWOK's default is 1m). Only pods the driver annotated itself are touched,
so a learner's own ``kwok.x-k8s.io/usage-cpu`` stays as set (the driver marks its pods with the
label ``kworkshop.io/traffic-model=true``).
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from typing import Any

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from .generator import CONCURRENCY_ANNOTATION, ROLE, ROLE_LABEL, TARGET_ANNOTATION
from .traffic import Load, cpu_per_pod

log = logging.getLogger("kworkshop.traffic")

USAGE_CPU = "kwok.x-k8s.io/usage-cpu"
MARK = "kworkshop.io/traffic-model"
RESYNC_SECONDS = 5.0
DEBOUNCE_SECONDS = 0.3


def _ready(pod: Any) -> bool:
    return pod.metadata.deletion_timestamp is None and pod.status.phase == "Running" and any(
        c.type == "Ready" and c.status == "True" for c in pod.status.conditions or [])


def loads_by_service(generators: list[Any]) -> dict[tuple[str, str], list[Load]]:
    """(namespace, service) -> the loads aimed at it, from load-generator Deployments (pure)."""
    out: dict[tuple[str, str], list[Load]] = defaultdict(list)
    for d in generators:
        ann = d.metadata.annotations or {}
        target = ann.get(TARGET_ANNOTATION)
        try:
            concurrency = int(ann.get(CONCURRENCY_ANNOTATION, "0"))
        except ValueError:
            continue
        running = d.status.ready_replicas or 0  # boom pods that do not run send nothing
        if target and running:
            out[(d.metadata.namespace, target)].append(Load(concurrency, running))
    return dict(out)


class TrafficDriver:
    """The reconcile loop, on a daemon thread; ``poke()`` asks for a reconcile soon."""

    def __init__(self, api: client.ApiClient) -> None:
        self.core = client.CoreV1Api(api)
        self.apps = client.AppsV1Api(api)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="traffic-model", daemon=True)

    def start(self) -> TrafficDriver:
        self._thread.start()
        return self

    def poke(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(RESYNC_SECONDS)
            if self._stop.wait(DEBOUNCE_SECONDS):  # gather a burst of pod events into one pass
                break
            self._wake.clear()
            try:
                self.reconcile()
            except Exception as exc:  # the apiserver may be restarting: try again next round
                log.warning("traffic model: %s", exc)

    def reconcile(self) -> None:
        generators = self.apps.list_deployment_for_all_namespaces(label_selector=f"{ROLE_LABEL}={ROLE}").items
        loads = loads_by_service(generators)
        wanted: dict[tuple[str, str], str] = {}  # (namespace, pod) -> usage
        for (ns, service), service_loads in loads.items():
            try:
                selector = self.core.read_namespaced_service(service, ns).spec.selector or {}
            except ApiException:
                continue
            if not selector:
                continue
            pods = self.core.list_namespaced_pod(ns, label_selector=",".join(f"{k}={v}" for k, v in selector.items()))
            ready = [p for p in pods.items if _ready(p)]
            usage = f"{cpu_per_pod(service_loads, len(ready))}m"
            for pod in ready:
                wanted[(ns, pod.metadata.name)] = usage
        marked = {(p.metadata.namespace, p.metadata.name): p
                  for p in self.core.list_pod_for_all_namespaces(label_selector=f"{MARK}=true").items}
        for (ns, name), usage in wanted.items():
            pod = marked.get((ns, name))
            if pod is None or (pod.metadata.annotations or {}).get(USAGE_CPU) != usage:
                self._patch(ns, name, usage, "true")
        for (ns, name) in marked.keys() - wanted.keys():
            self._patch(ns, name, None, None)  # its Service lost the load: back to idle

    def _patch(self, namespace: str, name: str, usage: str | None, mark: str | None) -> None:
        patch = {"metadata": {"annotations": {USAGE_CPU: usage}, "labels": {MARK: mark}}}
        try:
            self.core.patch_namespaced_pod(name, namespace, patch)
        except ApiException as exc:
            if exc.status != 404:
                raise
