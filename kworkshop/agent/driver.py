"""Runs the traffic model on the embedded cluster: a small controller inside the node agent.

It reconciles whenever a pod changes (the agent pokes it) and every few seconds: it lists every pod
and Service (as plain JSON, what ``traffic.usage`` reads), and the ready pods behind each Service
that a running load generator aims at get their CPU written to the annotation KWOK reads for CPU
usage; pods whose Service lost its load fall back to idle (the annotation is removed, KWOK's default
is 1m). A load generator is any pod whose command loops an HTTP client at a Service
(``recognise.py``), however it was created. Only pods the driver annotated itself are touched, so
a learner's own ``kwok.x-k8s.io/usage-cpu`` stays as set (the driver marks its pods with the label
``kworkshop.io/traffic-model=true``). It runs only in the node agent and talks to the API server
through the agent's small client (``rawapi``: plain JSON, no ``kubernetes`` package).
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Protocol

from .traffic import usage

log = logging.getLogger("kworkshop.traffic")

USAGE_CPU = "kwok.x-k8s.io/usage-cpu"
MARK = "kworkshop.io/traffic-model"
RESYNC_SECONDS = 5.0
DEBOUNCE_SECONDS = 0.3
PODS, SERVICES = "/api/v1/pods", "/api/v1/services"


class Api(Protocol):
    """What the driver needs of an API client (``rawapi.RawApi`` has it): a list as plain
    data (what ``traffic`` reads) and a merge patch; an error status raises an exception with a
    ``status`` attribute."""

    def list(self, path: str, **query: Any) -> dict[str, Any]: ...

    def patch(self, path: str, body: Any) -> dict[str, Any]: ...


class TrafficDriver:
    """The reconcile loop, on a daemon thread; ``poke()`` asks for a reconcile soon."""

    def __init__(self, api: Api) -> None:
        self.api = api
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
        pods = self.api.list(PODS)["items"]
        wanted = {key: f"{m}m" for key, m in usage(pods, self.api.list(SERVICES)["items"]).items()}
        marked = {(p["metadata"]["namespace"], p["metadata"]["name"]): p for p in pods
                  if (p["metadata"].get("labels") or {}).get(MARK) == "true"}
        for (ns, name), cpu in wanted.items():
            pod = marked.get((ns, name))
            if pod is None or (pod["metadata"].get("annotations") or {}).get(USAGE_CPU) != cpu:
                self._patch(ns, name, cpu, "true")
        for (ns, name) in marked.keys() - wanted.keys():
            self._patch(ns, name, None, None)  # its Service lost the load: back to idle

    def _patch(self, namespace: str, name: str, usage: str | None, mark: str | None) -> None:
        patch = {"metadata": {"annotations": {USAGE_CPU: usage}, "labels": {MARK: mark}}}
        try:
            self.api.patch(f"/api/v1/namespaces/{namespace}/pods/{name}", patch)  # a merge patch
        except Exception as exc:
            if getattr(exc, "status", None) != 404:  # a pod deleted meanwhile is fine
                raise
