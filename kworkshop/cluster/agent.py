"""The node agent: the part of a kubelet that KWOK's stages cannot express, run beside the cluster.

It does two things: container logs (below) and the traffic model (``load.driver``), which turns a
running load generator into CPU usage of the pods it targets.

KWOK serves ``kubectl logs`` from a file named by a ``Logs`` object with the pod's name; the file
cannot depend on the pod. So this small process watches pods and, for each new one, writes what its
containers print (``logs.container_output``) to files in the CRI format and creates the pod's
``Logs`` object (owned by the pod, so the garbage collector removes it with the pod).

It runs as its own process (``python -m kworkshop.cluster.agent``), started and stopped with the
cluster by ``embedded.EmbeddedCluster``, so a shell ``kubectl`` sees logs without any notebook
running. It follows pods with ``kube.watch.Watcher``, which resumes from its resourceVersion and relists
after a 410 Gone or a dropped connection (for example while the apiserver restarts).
"""

from __future__ import annotations

import argparse
import logging
import shutil
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

from ..kube.watch import Watcher
from ..load.driver import TrafficDriver
from .logs import container_output, cri_lines

log = logging.getLogger("kworkshop.agent")

LOGS_GROUP, LOGS_VERSION, LOGS_PLURAL = "kwok.x-k8s.io", "v1alpha1", "logs"


class LogsWriter:
    """Writes each pod's container logs and its KWOK ``Logs`` object, once per pod uid."""

    def __init__(self, api: client.ApiClient, logs_dir: Path) -> None:
        self.core = client.CoreV1Api(api)
        self.custom = client.CustomObjectsApi(api)
        self.logs_dir = logs_dir
        self.done: set[str] = set()

    def pod_dir(self, namespace: str, name: str, uid: str) -> Path:
        return self.logs_dir / f"{namespace}_{name}_{uid}"

    def on_pod(self, pod: client.V1Pod) -> None:
        uid = pod.metadata.uid
        if uid in self.done or pod.metadata.deletion_timestamp is not None:
            return
        folder = self.pod_dir(pod.metadata.namespace, pod.metadata.name, uid)
        folder.mkdir(parents=True, exist_ok=True)
        entries: list[dict[str, Any]] = []
        containers = list(pod.spec.init_containers or []) + list(pod.spec.containers or [])
        for c in containers:
            text = container_output(c.image or "", [*(c.command or []), *(c.args or [])],
                                    pod.metadata.name, pod.spec.node_name or "a node")
            path = folder / f"{c.name}.log"
            path.write_text(cri_lines(text, pod.metadata.creation_timestamp))
            entries.append({"containers": [c.name], "logsFile": str(path)})
        body = {
            "apiVersion": f"{LOGS_GROUP}/{LOGS_VERSION}",
            "kind": "Logs",
            "metadata": {
                "name": pod.metadata.name,
                "namespace": pod.metadata.namespace,
                "ownerReferences": [{"apiVersion": "v1", "kind": "Pod", "name": pod.metadata.name,
                                     "uid": uid}],
                "labels": {"app.kubernetes.io/managed-by": "kworkshop"},
            },
            "spec": {"logs": entries},
        }
        try:
            self.custom.create_namespaced_custom_object(
                LOGS_GROUP, LOGS_VERSION, pod.metadata.namespace, LOGS_PLURAL, body)
        except ApiException as exc:
            if exc.status == 409:  # a Logs from an earlier pod of the same name: replace it
                self.custom.delete_namespaced_custom_object(
                    LOGS_GROUP, LOGS_VERSION, pod.metadata.namespace, LOGS_PLURAL, pod.metadata.name)
                self.custom.create_namespaced_custom_object(
                    LOGS_GROUP, LOGS_VERSION, pod.metadata.namespace, LOGS_PLURAL, body)
            elif exc.status in (403, 404):  # namespace being deleted, or pod already gone
                log.debug("skipping logs of %s/%s: %s", pod.metadata.namespace, pod.metadata.name, exc.reason)
            else:
                raise
        self.done.add(uid)

    def on_deleted(self, pod: client.V1Pod) -> None:
        self.done.discard(pod.metadata.uid)
        shutil.rmtree(self.pod_dir(pod.metadata.namespace, pod.metadata.name, pod.metadata.uid),
                      ignore_errors=True)


def run(kubeconfig: str, logs_dir: Path, stop: threading.Event, traffic: bool = True) -> None:
    """Follow every pod until ``stop`` is set (the Watcher resumes and reconnects by itself).

    Every pod event also pokes the traffic model (``load.driver``), so pods that an autoscaler
    adds get their share of the load within a second.
    """
    api = config.new_client_from_config(config_file=kubeconfig)
    writer = LogsWriter(api, logs_dir)
    driver = TrafficDriver(api).start() if traffic else None

    def on_pod(kind: str, pod: client.V1Pod) -> None:
        if driver is not None:
            driver.poke()
        try:
            if kind == "DELETED":
                writer.on_deleted(pod)
            else:
                writer.on_pod(pod)
        except ApiException as exc:  # one pod's logs must not stop the others'
            log.warning("logs of %s/%s: %s", pod.metadata.namespace, pod.metadata.name, exc.reason)

    watcher = Watcher(client.CoreV1Api(api).list_pod_for_all_namespaces, on_pod).start()
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


if __name__ == "__main__":
    sys.exit(main())
