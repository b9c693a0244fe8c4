"""Clusters created at the same moment each reach their metrics API and serve only their own data.

Three `kworkshop up` processes start together, five rounds, with 1, 2 and 3 nodes so that each
cluster's metrics are recognisably its own. Then the cause of the flake this guards against, on its
own: metrics-server exits for good when the new apiserver does not answer its first request in time
(a slow apiserver on a loaded machine), and `up` must start it again (``healing.settle``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from kubernetes import client

from kworkshop.cluster.embedded import EmbeddedCluster, components, healing, readiness
from kworkshop.kube.transport import new_client
from kworkshop.polling import poll
from kworkshop.progress import LoggingStatus

ROUNDS = 5
NODES = (1, 2, 3)


def _cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kworkshop", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def _node_metrics(kubeconfig: Path) -> list[str]:
    api = new_client(kubeconfig)
    try:
        got = client.CustomObjectsApi(api).list_cluster_custom_object("metrics.k8s.io", "v1beta1", "nodes")
        return sorted(item["metadata"]["name"] for item in got["items"])
    finally:
        api.close()


def test_three_clusters_created_at_once_each_reach_their_metrics_api(state_root):
    names = [f"together-{i}" for i in range(len(NODES))]
    try:
        for round_ in range(1, ROUNDS + 1):
            ups = [_cli("up", "--name", name, "--nodes", str(count)) for name, count in zip(names, NODES, strict=True)]
            outputs = [proc.communicate(timeout=400)[0] for proc in ups]
            for name, proc, out in zip(names, ups, outputs, strict=True):
                assert proc.returncode == 0, f"round {round_}: `up --name {name}` failed:\n{out[-2000:]}"
            for name, count in zip(names, NODES, strict=True):
                kubeconfig = EmbeddedCluster(name).layout.kubeconfig
                expected = [f"kwok-node-{i}" for i in range(count)]
                seen: list[str] = []

                def own_metrics(kubeconfig=kubeconfig, expected=expected, seen=seen) -> bool:
                    try:
                        seen[:] = _node_metrics(kubeconfig)
                    except client.ApiException:
                        return False  # the first scrape is not in yet
                    return seen == expected

                assert poll(own_metrics, timeout=90, most=1), \
                    f"round {round_}: {name}'s metrics API lists nodes {seen}, not its own {expected}"
            downs = [_cli("down", "--name", name) for name in names]
            for name, proc in zip(names, downs, strict=True):
                out = proc.communicate(timeout=200)[0]
                assert proc.returncode == 0, f"round {round_}: `down --name {name}` failed:\n{out[-2000:]}"
    finally:
        for name in names:
            subprocess.run([sys.executable, "-m", "kworkshop", "down", "--name", name], capture_output=True,
                           check=False)


def test_a_metrics_server_that_exited_at_start_is_started_again(state_root):
    """metrics-server started while the apiserver hangs exits (a TLS handshake timeout); settle restarts it."""
    name = "settle-t"
    up = _cli("up", "--name", name)
    out = up.communicate(timeout=400)[0]
    assert up.returncode == 0, out[-2000:]
    cluster = EmbeddedCluster(name)
    layout = cluster.layout
    try:
        comps = {c.name: c for c in components.read(layout.kwok_cluster_dir / "kwok.yaml")}
        apiserver, metrics = comps["kube-apiserver"], comps["metrics-server"]
        os.kill(components.pid_of(metrics), signal.SIGKILL)
        assert poll(lambda: components.pid_of(metrics) is None, timeout=10), "metrics-server did not die"
        os.kill(components.pid_of(apiserver), signal.SIGSTOP)  # a starved apiserver: accepts, never answers
        try:
            logged = metrics.logfile.stat().st_size if metrics.logfile.exists() else 0
            components.start(metrics)
            assert poll(lambda: components.pid_of(metrics) is None, timeout=60, most=0.5), \
                "metrics-server did not exit while the apiserver hung"
            with open(metrics.logfile, errors="replace") as log:  # what this run said, not the first one
                log.seek(logged)
                said = log.read()
            assert "unable to load configmap" in said, \
                f"metrics-server exited for another reason than its first request to the apiserver: {said[-1500:]}"
        finally:
            os.kill(components.pid_of(apiserver), signal.SIGCONT)
        restarted = healing.settle(layout.kwok_cluster_dir, layout.kit_dir, layout.kubeconfig, name,
                                   LoggingStatus(), timeout=120)
        # a hung apiserver also costs the controller-manager and the scheduler their leader leases when it
        # hangs past their 10 s renew deadline (metrics-server's own timeout is about as long): they exit too
        assert "metrics-server" in restarted, f"settle restarted {restarted}, not metrics-server"
        dead = [c.name for c in comps.values() if components.pid_of(c) is None]
        assert dead == [], f"still dead after settle: {dead}"
        api = new_client(layout.kubeconfig)
        try:
            readiness.wait_metrics_api(api, 60)
        finally:
            api.close()
    finally:
        assert cluster.down() == []
