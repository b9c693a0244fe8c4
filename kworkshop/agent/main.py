"""The node agent: the part of a kubelet that KWOK's stages cannot express, run beside the cluster.

It does three things: container logs (below), the kubelet's image-pull events (``pullevents``: a
KWOK stage cannot name the image), and the traffic model (``driver``), which turns a running load
generator into CPU usage of the pods it targets.

KWOK serves ``kubectl logs`` from a file named by a ``Logs`` object with the pod's name; the file
cannot depend on the pod. So this small process watches pods and, for each new one, writes what its
containers print (``logs.container_output``) to files in the CRI format and creates the pod's
``Logs`` object (owned by the pod, so the garbage collector removes it with the pod).

It runs as its own process (``python -m kworkshop.agent``), started and stopped with the
cluster by ``cluster.embedded.EmbeddedCluster``, so a shell ``kubectl`` sees logs without any notebook
running. It follows pods with ``rawapi.Watcher``, which resumes from its resourceVersion and relists
after a 410 Gone or a dropped connection (for example while the apiserver restarts).

The agent lives as long as the cluster, so it stays lean: it talks to the API server with
``rawapi`` (the standard library's ``ssl`` and ``http.client``, plain JSON) and imports
neither the ``kubernetes`` package nor anything of the notebooks' side
(``tests/unit/test_agent_imports.py`` keeps it so).
"""

from __future__ import annotations

import argparse
import logging
import shutil
import signal
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import ApiError, ConflictError, ForbiddenError, NotFoundError
from ..kube.facts import MANAGED_BY
from .driver import TrafficDriver
from .logs import container_output, cri_lines
from .pullevents import PullEvents
from .rawapi import RawApi, Watcher, api_path

log = logging.getLogger("kworkshop.agent")

LOGS_GROUP, LOGS_VERSION, LOGS_PLURAL = "kwok.x-k8s.io", "v1alpha1", "logs"


def _created(pod: dict[str, Any]) -> datetime | None:
    stamp = pod["metadata"].get("creationTimestamp")
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")) if stamp else None


class LogsWriter:
    """Writes each pod's container logs and its KWOK ``Logs`` object, once per pod uid."""

    def __init__(self, api: RawApi, logs_dir: Path) -> None:
        self.api = api
        self.logs_dir = logs_dir
        self.done: set[str] = set()

    def pod_dir(self, namespace: str, name: str, uid: str) -> Path:
        return self.logs_dir / f"{namespace}_{name}_{uid}"

    def on_pod(self, pod: dict[str, Any]) -> None:
        meta, spec = pod["metadata"], pod.get("spec") or {}
        uid, name, namespace = meta["uid"], meta["name"], meta["namespace"]
        if uid in self.done or meta.get("deletionTimestamp") is not None:
            return
        folder = self.pod_dir(namespace, name, uid)
        folder.mkdir(parents=True, exist_ok=True)
        entries: list[dict[str, Any]] = []
        for c in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]:
            text = container_output(c.get("image") or "", [*(c.get("command") or []), *(c.get("args") or [])],
                                    name, spec.get("nodeName") or "a node")
            path = folder / f"{c['name']}.log"
            path.write_text(cri_lines(text, _created(pod)))
            entries.append({"containers": [c["name"]], "logsFile": str(path)})
        body = {
            "apiVersion": f"{LOGS_GROUP}/{LOGS_VERSION}",
            "kind": "Logs",
            "metadata": {
                "name": name,
                "namespace": namespace,
                "ownerReferences": [{"apiVersion": "v1", "kind": "Pod", "name": name, "uid": uid}],
                "labels": dict(MANAGED_BY),
            },
            "spec": {"logs": entries},
        }
        logs = api_path(LOGS_VERSION, LOGS_PLURAL, namespace, group=LOGS_GROUP)
        try:
            self.api.create(logs, body)
        except ConflictError:  # a Logs from an earlier pod of the same name: replace it
            self.api.delete(api_path(LOGS_VERSION, LOGS_PLURAL, namespace, name, group=LOGS_GROUP))
            self.api.create(logs, body)
        except (ForbiddenError, NotFoundError) as exc:  # namespace being deleted, or pod already gone
            log.debug("skipping logs of %s/%s: %s", namespace, name, exc.reason)
        self.done.add(uid)

    def on_deleted(self, pod: dict[str, Any]) -> None:
        meta = pod["metadata"]
        self.done.discard(meta["uid"])
        shutil.rmtree(self.pod_dir(meta["namespace"], meta["name"], meta["uid"]), ignore_errors=True)


def run(kubeconfig: str, logs_dir: Path, stop: threading.Event, traffic: bool = True) -> None:
    """Follow every pod until ``stop`` is set (the Watcher resumes and reconnects by itself).

    Every pod event also pokes the traffic model (``driver``), so pods that an autoscaler
    adds get their share of the load within a second.
    """
    api = RawApi.from_kubeconfig(kubeconfig)
    writer = LogsWriter(api, logs_dir)
    pulls = PullEvents(api)
    driver = TrafficDriver(api).start() if traffic else None

    def on_pod(kind: str, pod: dict[str, Any]) -> None:
        if driver is not None:
            driver.poke()
        try:
            if kind == "DELETED":
                writer.on_deleted(pod)
                pulls.on_deleted(pod)
            else:
                writer.on_pod(pod)
                pulls.on_pod(pod)
        except ApiError as exc:  # one pod's logs must not stop the others'
            log.warning("logs of %s/%s: %s", pod["metadata"].get("namespace"), pod["metadata"].get("name"), exc)

    watcher = Watcher(api, api_path("v1", "pods"), on_pod).start()
    stop.wait()
    watcher.stop()
    if driver is not None:
        driver.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="kworkshop node agent (logs for simulated pods)")
    parser.add_argument("--kubeconfig", required=True)
    parser.add_argument("--logs-dir", required=True, type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stop = threading.Event()

    def handle(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
    args.logs_dir.mkdir(parents=True, exist_ok=True)
    log.info("agent started, logs in %s", args.logs_dir)
    run(args.kubeconfig, args.logs_dir, stop)
    return 0

