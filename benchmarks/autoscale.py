"""Benchmark: the chapter's autoscaling demo on the embedded cluster, and the live charts' cost.

Prints: seconds from `kw.load.start` until the HPA runs 6 replicas, and from `kw.load.stop` until
it is back at 3 (HPA min 3, max 6, target 10%, scale-down window 30 s as in the notebook); the time
one chart redraw takes (figure + PNG at 2x, as the live chart draws it; wall clock and the drawing
thread's CPU time); and the CPU the watch threads used, as % of one core. `benchmarks/charts.py`
times every chart without a cluster.
Targets: up <= 45 s, down <= 90 s, redraw <= 150 ms, watchers < 5% of a core.

Usage: python benchmarks/autoscale.py [--window 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time

import psutil
from kubernetes import client

import kworkshop as kw
from kworkshop.kube.namespaces import create_namespace
from kworkshop.kube.watch import wait_for

DEPLOY = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "node-js-deploy"},
          "spec": {"replicas": 3, "selector": {"matchLabels": {"name": "node-js-deploy"}},
                   "template": {"metadata": {"labels": {"name": "node-js-deploy"}}, "spec": {"containers": [{
                       "name": "node-js-deploy", "image": "jonbaier/pod-scaling:0.1",
                       "resources": {"requests": {"cpu": "100m"}}}]}}}}
SERVICE = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "node-js-deploy"},
           "spec": {"selector": {"name": "node-js-deploy"}, "ports": [{"port": 80}]}}


def watcher_cpu_seconds() -> float:
    """CPU seconds used so far by this process's watch and chart threads."""
    ids = {t.native_id for t in threading.enumerate() if t.name.startswith(("watch-", "chart-"))}
    return sum(t.user_time + t.system_time for t in psutil.Process().threads() if t.id in ids)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=int, default=30, help="scale-down stabilization window, seconds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kworkshop-bench-") as tmp:
        os.environ["KWORKSHOP_STATE_DIR"] = tmp
        os.environ["KWORKSHOP_LIVE"] = "0"
        cluster = kw.up(3, name="bench-hpa", set_env=False)
        try:
            kw.use(cluster, namespace=create_namespace("bench"))
            kw.apply([DEPLOY, SERVICE])
            kw.autoscale("deployment/node-js-deploy", min=3, max=6, cpu_percent=10, scale_down_window=args.window)
            kw.rollout.status("deployment/node-js-deploy", timeout=60)
            hpa_api = client.AutoscalingV2Api(cluster.api_client)
            charts = [kw.live.autoscaler("hpa/node-js-deploy", display=False),
                      kw.live.rollout("deployment/node-js-deploy", display=False)]
            cpu0, wall0 = watcher_cpu_seconds(), time.monotonic()

            def at(n: int, timeout: float) -> float:
                t0 = time.monotonic()
                wait_for(hpa_api.list_namespaced_horizontal_pod_autoscaler,
                         lambda hs: bool(hs) and hs[0].status.current_replicas == n, timeout, f"{n} replicas",
                         namespace="bench")
                return time.monotonic() - t0

            kw.load.start("service/node-js-deploy", concurrency=10)
            up = at(6, 300)
            kw.load.stop()
            down = at(3, 600)
            cpu = (watcher_cpu_seconds() - cpu0) / (time.monotonic() - wall0) * 100
            renderer = charts[0].renderer
            renderer.seconds.clear()
            renderer.cpu_seconds.clear()
            for _ in range(20):  # as the live chart redraws: the whole episode, the clock moving on
                charts[0].png()
                time.sleep(0.05)
            redraws = [s * 1000 for s in renderer.seconds]
            redraw_cpu = [s * 1000 for s in renderer.cpu_seconds]
            for chart in charts:
                chart.stop(show=False)
        finally:
            kw.down("bench-hpa")
    print(f"{'load.start -> 6 replicas':<34} {up:7.1f} s   (target <= 45 s)")
    print(f"{'load.stop -> 3 replicas':<34} {down:7.1f} s   (target <= 90 s, window {args.window} s)")
    print(f"{'autoscaler chart redraw (2x PNG)':<34} median {statistics.median(redraws):6.1f} ms   "
          f"max {max(redraws):6.1f} ms   CPU median {statistics.median(redraw_cpu):6.1f} ms   (target <= 150 ms)")
    print(f"{'watch + chart threads CPU':<34} {cpu:7.2f} % of one core   (target < 5 %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
