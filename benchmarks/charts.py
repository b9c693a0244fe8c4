"""Benchmark: what one live-chart redraw costs at 2x, for every chart, on recorded-like series.

No cluster: each series is fed a sequence shaped like a notebook's (notebook 02's seven
revisions with a failing rollout and an undo; notebook 03's scale up and down with load marks;
notebook 04's parallel Job; notebook 05's DaemonSet and a Pending pod), then redrawn as the live
chart does (figure + PNG at 2x) at several moments. Prints median and max per chart, wall clock
and CPU time of the drawing thread (the wall time on a busy machine includes waiting for a core),
against the target (<= 150 ms), and writes one PNG per chart to ``--out`` to look at.

Usage: python benchmarks/charts.py [--redraws 20] [--out out/charts]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path
from types import SimpleNamespace as NS

from kworkshop.live import charts
from kworkshop.live.render import Renderer
from kworkshop.live.series import AutoscalerSeries, JobSeries, NodeMap, PodRecord, ReplicaSetRecord, RolloutSeries

TARGET_MS = 150


def rollout_like_notebook_02() -> tuple[RolloutSeries, float]:
    """0.1 -> 0.2 -> 0.3 -> 42.0 (stuck) -> undo (rev 5) -> undo to rev 2 (rev 6) -> pause/resume (rev 7)."""
    s, t, n = RolloutSeries(), 0.0, 0
    tags = {1: "0.1", 2: "0.2", 3: "0.3", 4: "42.0", 5: "0.3", 6: "0.2", 7: "0.3"}
    live: list[tuple[str, str]] = []
    s.on_replicaset(t, "SYNC", ReplicaSetRecord("h1", 1, "jonbaier/pod-scaling:0.1"))
    for _ in range(3):
        n += 1
        live.append((f"node-js-deploy-h1-{n:05d}", "h1"))
        s.on_pod(t, "SYNC", PodRecord(live[-1][0], "h1", "Running", True, None, "kwok-node-0", "ReplicaSet/x"))
    for rev in range(2, 8):
        t += 25
        h = f"h{rev}"
        s.on_replicaset(t, "ADDED", ReplicaSetRecord(h, rev, f"jonbaier/pod-scaling:{tags[rev]}"))
        if tags[rev] == "42.0":
            name = f"node-js-deploy-{h}-{n:05d}"
            s.on_pod(t, "ADDED", PodRecord(name, h, "Pending", False, None, "kwok-node-1", None))
            for i, reason in enumerate(("ErrImagePull", "ImagePullBackOff") * 4):
                s.on_pod(t + 2 + 5 * i, "MODIFIED", PodRecord(name, h, "Pending", False, reason, "kwok-node-1", None))
            t += 45
            s.on_pod(t, "DELETED", PodRecord(name, h, "Pending", False, "ImagePullBackOff", "kwok-node-1", None))
            continue
        for old, old_h in list(live):  # surge one, ready, delete one old: the default rolling update
            n += 1
            name = f"node-js-deploy-{h}-{n:05d}"
            s.on_pod(t, "ADDED", PodRecord(name, h, "Pending", False, None, "kwok-node-2", None))
            s.on_pod(t + 2, "MODIFIED", PodRecord(name, h, "Running", True, None, "kwok-node-2", None))
            s.on_pod(t + 2.5, "MODIFIED", PodRecord(old, old_h, "Running", True, None, "kwok-node-0", None, True, True))
            s.on_pod(t + 5.5, "DELETED", PodRecord(old, old_h, "Failed", False, None, "kwok-node-0", None, True, True))
            live.remove((old, old_h))
            live.append((name, h))
            t += 3
    return s, t + 20


def _hpa(cpu, desired, current):
    metric = NS(resource=NS(name="cpu", current=NS(average_utilization=cpu)))
    return NS(status=NS(current_metrics=[metric] if cpu is not None else [], desired_replicas=desired,
                        current_replicas=current),
              spec=NS(metrics=[NS(resource=NS(name="cpu", target=NS(average_utilization=10)))],
                      min_replicas=3, max_replicas=6))


def autoscaler_like_notebook_03() -> tuple[AutoscalerSeries, float]:
    s = AutoscalerSeries()
    s.on_hpa(0, _hpa(None, 3, 3))
    s.on_hpa(15, _hpa(1, 3, 3))
    s.on_load(20, True)
    for i, (cpu, desired, current) in enumerate([(35, 6, 3), (64, 6, 6), (40, 6, 6), (30, 6, 6)]):
        s.on_hpa(30 + 10 * i, _hpa(cpu, desired, current))
    s.on_load(90, False)
    for i, (cpu, desired, current) in enumerate([(20, 6, 6), (2, 6, 6), (1, 3, 3), (1, 3, 3)]):
        s.on_hpa(100 + 15 * i, _hpa(cpu, desired, current))
    return s, 190


def jobs_like_notebook_04() -> tuple[JobSeries, float]:
    s = JobSeries()
    for i in range(10):
        start = 2 + 5 * (i // 2)
        name = f"parallel-task-{i:02d}-x{i}k2p"
        s.on_pod(start, "MODIFIED", PodRecord(name, None, "Running", True, None, "kwok-node-0", "Job/parallel-task"))
        s.on_pod(start + 5, "MODIFIED", PodRecord(name, None, "Succeeded", False, None, "kwok-node-0",
                                                  "Job/parallel-task"))
        s.on_job(start, NS(metadata=NS(name="parallel-task"), status=NS(active=2, succeeded=i, failed=0)))
    return s, 35


def nodes_like_notebook_05() -> tuple[NodeMap, float]:
    m = NodeMap()
    for i in range(3):
        m.on_node("SYNC", f"kwok-node-{i}", {"topology.kubernetes.io/zone": f"zone-{'abc'[i]}",
                                             **({"nodenickname": "trusty-steve"} if i == 1 else {})})
        m.on_pod("SYNC", PodRecord(f"node-problem-detector-v0.1-x7k2{i}", None, "Running", True, None,
                                   f"kwok-node-{i}", "DaemonSet/node-problem-detector-v0.1"))
    m.on_pod("ADDED", PodRecord("long-task-ns-q8v5c", None, "Running", True, None, "kwok-node-1", "Job/long-task-ns"))
    m.on_pod("ADDED", PodRecord("gpu-report-4hxzl", None, "Pending", False, None, None, "Job/gpu-report"))
    return m, 0


CHARTS = {
    "rollout": (rollout_like_notebook_02, charts.draw_rollout, (8, 3.4)),
    "autoscaler": (autoscaler_like_notebook_03, charts.draw_autoscaler, (9.5, 3.4)),
    "jobs": (jobs_like_notebook_04, charts.draw_jobs, (9.5, 3.4)),
    "nodes": (nodes_like_notebook_05,
              lambda m, f, fig: charts.draw_nodes(m, f, fig, ("topology.kubernetes.io/zone", "nodenickname")), (9, 4)),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redraws", type=int, default=20, help="redraws per chart")
    parser.add_argument("--out", default="out/charts", help="folder for one PNG per chart")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    worst = 0.0
    for name, (make, draw, size) in CHARTS.items():
        series, end = make()
        renderer = Renderer(draw, name, size)
        for i in range(args.redraws):  # the clock moves on between redraws, as live ticks do
            png = renderer.png(series, end + i)
        (out / f"{name}.png").write_bytes(png)
        ms = [s * 1000 for s in renderer.seconds]
        cpu = [s * 1000 for s in renderer.cpu_seconds]
        worst = max(worst, statistics.median(ms))
        print(f"{name + ' chart redraw (2x)':<28} median {statistics.median(ms):6.1f} ms   max {max(ms):6.1f} ms"
              f"   CPU median {statistics.median(cpu):6.1f} ms   max {max(cpu):6.1f} ms   {len(png) // 1024:4d} KiB"
              f"   (target <= {TARGET_MS} ms)")
    print(f"(load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores: wall times include waiting for a core)")
    return 0 if worst <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
