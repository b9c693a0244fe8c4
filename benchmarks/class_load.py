"""Benchmark: a whole class runs notebook 02's flow at the same time against one embedded cluster.

A class is created with `kworkshop.classroom.create` (a namespace, a ServiceAccount and a
kubeconfig per learner, two simulated nodes each). Then 1, 10 and 30 learners (`--sizes`) each run,
through the kit and their own connection (`kw.connect(kubeconfig, namespace=...)` passed as
`kube=`), the steps of notebooks/02-updates-history-rollback.ipynb, all starting together:

  apply        kw.apply(notebooks/manifests/node-js-deploy.yaml) + scale to 3 + rollout status
  rollout 0.2  set_image jonbaier/pod-scaling:0.2 (recorded) + rollout status
  rollout 0.3  the same to 0.3
  42.0 stuck   set_image 42.0 + rollout status until it raises RolloutStuckError (ErrImagePull)
  undo         rollout undo + rollout status (back on 0.3)
  history      rollout history: four revisions, the last one on 0.3

Printed per class size: completion rate, p50/p95 of each step, wall time vs one learner, the
cluster's CPU (cores, per component) and peak RSS (psutil over `component_pids()`), the
benchmark process's own CPU (the learners' clients: near 1 core in thread mode means the GIL is
the limit, then `--processes`), the apiserver's request count (its /metrics) and, from the
kube-controller-manager's /metrics, the seconds its API clients waited on their own rate limit
(`--kube-api-qps`) and how long Deployment and ReplicaSet work items waited in its queues.
Target: 30 learners, 100 % completed, p95 of a rollout step (0.2, 0.3) <= 3x the single-learner time
(the median of the one-learner runs).

`--kcm-flag kube-api-qps=100` (repeatable) starts the cluster with an extra controller-manager
flag, to try a change without editing kworkshop/cluster/embedded/kwokconfig.py.

Usage: KWORKSHOP_STATE_DIR=/tmp/kw-load python benchmarks/class_load.py [--sizes 1,1,1,10,30,30]
       [--repeat 1] [--processes] [--kcm-flag NAME=VALUE] [--keep]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import multiprocessing
import os
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from kubernetes import client

NAME = "class-load"
CLASS = "load"
DEPLOY = "deployment/node-js-deploy"
MANIFEST = Path(__file__).resolve().parent.parent / "notebooks" / "manifests" / "node-js-deploy.yaml"
STEPS = ("apply", "rollout 0.2", "rollout 0.3", "42.0 stuck", "undo", "history")
# the steps the target is about: each starts three new pods, one at a time. The undo after 42.0
# starts none (the 0.3 pods still run; it removes the one failing pod): it measures how fast the
# controllers react, about 0.1 s alone, and is reported but not held to 3x.
ROLLOUTS = ("rollout 0.2", "rollout 0.3")
TIMEOUT = 180
KCM = "kube-controller-manager"


@dataclass
class LearnerRun:
    learner: str
    seconds: dict[str, float] = field(default_factory=dict)
    error: str = ""

    @property
    def completed(self) -> bool:
        return not self.error and len(self.seconds) == len(STEPS)


KIT_REQUESTS = [0]  # the learners' API calls (thread mode): the kit's own share of the apiserver's load


def count_kit_requests() -> None:
    """Count every request the official client sends from this process (watch streams count once)."""
    original = client.ApiClient.call_api
    lock = threading.Lock()

    def counted(self, *args, **kwargs):
        with lock:
            KIT_REQUESTS[0] += 1
        return original(self, *args, **kwargs)

    client.ApiClient.call_api = counted


def learner_flow(learner: str, kubeconfig: str, namespace: str, start_at: float) -> LearnerRun:
    """Notebook 02's steps through the kit, timed; runs in a thread or in a worker process."""
    import kworkshop as kw

    run = LearnerRun(learner)
    kube = kw.connect(kubeconfig, namespace=namespace)
    image = "jonbaier/pod-scaling:{}"

    def step(name: str, action) -> None:
        t0 = time.perf_counter()
        action()
        run.seconds[name] = time.perf_counter() - t0

    def roll(tag: str) -> None:
        kw.set_image(DEPLOY, {"node-js-deploy": image.format(tag)}, record=True, kube=kube)
        kw.rollout.status(DEPLOY, timeout=TIMEOUT, kube=kube)

    def stuck() -> None:
        kw.set_image(DEPLOY, {"node-js-deploy": image.format("42.0")}, record=True, kube=kube)
        try:
            kw.rollout.status(DEPLOY, timeout=TIMEOUT, kube=kube)
        except kw.RolloutStuckError:
            return
        raise AssertionError("the 42.0 rollout was not reported stuck")

    def history() -> None:
        revisions = kw.rollout.history(DEPLOY, kube=kube)
        last = list(revisions)[-1]
        if len(revisions) != 4 or last.images != (image.format("0.3"),):
            raise AssertionError(f"unexpected history: {revisions}")

    time.sleep(max(0.0, start_at - time.time()))
    try:
        step("apply", lambda: (kw.apply(MANIFEST, kube=kube), kw.scale(DEPLOY, 3, kube=kube),
                               kw.rollout.status(DEPLOY, timeout=TIMEOUT, kube=kube)))
        step("rollout 0.2", lambda: roll("0.2"))
        step("rollout 0.3", lambda: roll("0.3"))
        step("42.0 stuck", stuck)
        step("undo", lambda: (kw.rollout.undo(DEPLOY, kube=kube), kw.rollout.status(DEPLOY, timeout=TIMEOUT,
                                                                                     kube=kube)))
        step("history", history)
    except Exception as exc:  # a learner's failure is a figure, not a crash
        run.error = f"{type(exc).__name__}: {exc}"[:300]
    return run


class Sampler:
    """CPU seconds per component and peak RSS of the cluster's processes, sampled every second."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.procs = {c: psutil.Process(p) for c, p in pids.items()}
        self.me = psutil.Process()
        self.peak_rss = 0.0
        self.peak_cores = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _cpu(self) -> dict[str, float]:
        times = {c: p.cpu_times() for c, p in self.procs.items()}
        return {c: t.user + t.system for c, t in times.items()}

    def _run(self) -> None:
        last, t_last = self._cpu(), time.monotonic()
        while not self._stop.wait(1.0):
            now, t_now = self._cpu(), time.monotonic()
            self.peak_cores = max(self.peak_cores, (sum(now.values()) - sum(last.values())) / (t_now - t_last))
            self.peak_rss = max(self.peak_rss, sum(p.memory_info().rss for p in self.procs.values()) / 2**20)
            last, t_last = now, t_now

    def __enter__(self) -> Sampler:
        self.cpu0, self.me0, self.t0 = self._cpu(), _own_cpu(self.me), time.monotonic()
        psutil.cpu_percent()  # the machine's busy share from here to __exit__
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        wall = time.monotonic() - self.t0
        cpu1 = self._cpu()
        self.cores = {c: (cpu1[c] - self.cpu0[c]) / wall for c in cpu1}
        self.own_cores = (_own_cpu(self.me) - self.me0) / wall
        self.machine = psutil.cpu_percent()


def _own_cpu(proc: psutil.Process) -> float:
    t = proc.cpu_times()  # with the worker processes of --processes
    return t.user + t.system + sum(c.cpu_times().user + c.cpu_times().system for c in proc.children(recursive=True)
                                   if c.is_running())


def apiserver_requests(api: client.ApiClient) -> tuple[float, float]:
    """(requests served, seconds spent serving those that are not watches) from the apiserver's /metrics."""
    text = api.call_api("/metrics", "GET", _preload_content=False, auth_settings=["BearerToken"]).data.decode()
    count = seconds = 0.0
    for line in text.splitlines():
        if line.startswith("apiserver_request_total{"):
            count += float(line.rsplit(" ", 1)[1])
        elif line.startswith("apiserver_request_duration_seconds_sum{") and 'verb="WATCH"' not in line \
                and 'verb="CONNECT"' not in line:
            seconds += float(line.rsplit(" ", 1)[1])
    return count, seconds


def controller_metrics(pid: int) -> dict[str, float]:
    """From the kube-controller-manager's /metrics (its secure port, /metrics always allowed): seconds
    its API clients waited on their own rate limiter (``--kube-api-qps``) and how long the
    Deployment and ReplicaSet controllers' work items waited in their queues (sum and count)."""
    import ssl
    import urllib.request

    port = next(a.split("=", 1)[1] for a in psutil.Process(pid).cmdline() if a.startswith("--secure-port="))
    insecure = ssl.create_default_context()
    insecure.check_hostname, insecure.verify_mode = False, ssl.CERT_NONE  # loopback, its own cert
    with urllib.request.urlopen(f"https://127.0.0.1:{port}/metrics", context=insecure, timeout=10) as resp:
        text = resp.read().decode(errors="replace")
    out: dict[str, float] = {}
    for line in text.splitlines():
        for prefix, key in (("rest_client_rate_limiter_duration_seconds_sum", "throttle_s"),
                            ("rest_client_rate_limiter_duration_seconds_count", "requests"),
                            ('workqueue_queue_duration_seconds_sum{name="deployment"}', "dq_s"),
                            ('workqueue_queue_duration_seconds_count{name="deployment"}', "dq_n"),
                            ('workqueue_queue_duration_seconds_sum{name="replicaset"}', "rq_s"),
                            ('workqueue_queue_duration_seconds_count{name="replicaset"}', "rq_n")):
            if line.startswith(prefix):
                out[key] = out.get(key, 0.0) + float(line.rsplit(" ", 1)[1])
    return out


def run_class(size: int, members: list[tuple[str, str, str]], processes: bool) -> list[LearnerRun]:
    """``size`` learners run the flow at once; returns each one's timings."""
    start_at = time.time() + (3 + 0.3 * size if processes else 0.5)
    args = [(name, kc, ns, start_at) for name, kc, ns in members[:size]]
    if processes:
        ctx = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(max_workers=size, mp_context=ctx) as pool:
            return list(pool.map(learner_flow, *zip(*args, strict=True)))
    with concurrent.futures.ThreadPoolExecutor(max_workers=size) as pool:
        return list(pool.map(lambda a: learner_flow(*a), args))


def reset(core: client.CoreV1Api, apps: client.AppsV1Api, namespaces: list[str]) -> None:
    """Delete every learner's Deployment and wait until it, its ReplicaSets and its pods are gone.

    Waiting for the pods alone is not enough: a Deployment being deleted keeps its name until the
    garbage collector is done, and an apply in the meantime lands on the dying object, which the
    Deployment controller ignores (its rollout then never starts)."""
    from kworkshop.kube.watch import wait_for

    for ns in namespaces:
        if apps.list_namespaced_deployment(ns).items:
            apps.delete_namespaced_deployment("node-js-deploy", ns, propagation_policy="Background")
    ours = set(namespaces)
    for what, lister in (("Deployments", apps.list_deployment_for_all_namespaces),
                         ("ReplicaSets", apps.list_replica_set_for_all_namespaces),
                         ("pods", core.list_pod_for_all_namespaces)):
        wait_for(lister, lambda items: not [i for i in items if i.metadata.namespace in ours], 180,
                 f"the learners' {what} to go", label_selector="name=node-js-deploy")


def pct(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def report(size: int, runs: list[LearnerRun], wall: float, sampler: Sampler, base: dict[str, float],
           base_wall: float, requests: float, served: float, kit: int, kcm: dict[str, float]) -> bool:
    done = [r for r in runs if r.completed]
    print(f"\n== {size} learner(s): {len(done)}/{size} completed ({100 * len(done) / size:.0f} %), "
          f"wall {wall:.1f} s ({wall / base_wall:.2f}x one learner)")
    ok = len(done) == size
    print(f"  {'step':<12} {'p50 s':>7} {'p95 s':>7} {'max s':>7} {'p95/1':>6}")
    for step in STEPS:
        values = sorted(r.seconds[step] for r in runs if step in r.seconds)
        if not values:
            continue
        ratio = pct(values, 95) / base[step] if base.get(step) else float("nan")
        mark = "" if step not in ROLLOUTS else ("  ok" if ratio <= 3 else "  > 3x")
        ok = ok and (step not in ROLLOUTS or ratio <= 3)
        print(f"  {step:<12} {pct(values, 50):7.2f} {pct(values, 95):7.2f} {values[-1]:7.2f} {ratio:6.2f}{mark}")
    cores = sampler.cores
    print(f"  cluster CPU {sum(cores.values()):.2f} cores on average (peak {sampler.peak_cores:.2f}; the machine "
          "has 2, shared): " + ", ".join(f"{c} {v:.2f}" for c, v in sorted(cores.items(), key=lambda i: -i[1])))
    print(f"  cluster RSS peak {sampler.peak_rss:.0f} MiB; the learners' clients (this benchmark) "
          f"{sampler.own_cores:.2f} cores")
    print(f"  apiserver: {requests:.0f} requests ({requests / wall:.0f}/s), {served / max(1, requests) * 1000:.0f} ms "
          f"each on average (watches aside); the whole machine's CPU {sampler.machine:.0f} % busy")
    if kit > 0:
        print(f"  the learners' kit: {kit} requests ({kit / wall:.0f}/s, {kit / len(runs):.0f} per learner, "
              f"{100 * kit / max(1, requests):.0f} % of the apiserver's)")
    print(f"  kube-controller-manager: "
          f"{kcm.get('requests', 0):.0f} requests, {kcm.get('throttle_s', 0):.0f} s waited on its client-side rate "
          f"limit (mean {kcm.get('throttle_s', 0) / max(1, kcm.get('requests', 0)) * 1000:.0f} ms), a work item waited "
          f"{kcm.get('dq_s', 0) / max(1, kcm.get('dq_n', 0)) * 1000:.0f} ms (Deployment) / "
          f"{kcm.get('rq_s', 0) / max(1, kcm.get('rq_n', 0)) * 1000:.0f} ms (ReplicaSet) in the queue")
    for r in runs:
        if r.error:
            print(f"  ✗ {r.learner}: {r.error}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,1,1,10,30,30",
                        help="class sizes to run, in order; one learner's figure is the median of its runs")
    parser.add_argument("--repeat", type=int, default=1, help="run each size this many times")
    parser.add_argument("--processes", action="store_true", help="one process per learner instead of a thread")
    parser.add_argument("--kcm-flag", action="append", default=[], metavar="NAME=VALUE",
                        help="an extra kube-controller-manager flag for this run's cluster (repeatable)")
    parser.add_argument("--keep", action="store_true", help="leave the cluster running at the end")
    args = parser.parse_args()
    os.environ.setdefault("KWORKSHOP_STATE_DIR", "/tmp/kw-load")
    os.environ["KWORKSHOP_LIVE"] = "0"
    sizes = [int(s) for s in args.sizes.split(",")]

    import kworkshop as kw
    from kworkshop import classroom
    from kworkshop.cluster.embedded import EmbeddedCluster, kwokconfig

    if args.kcm_flag:
        extra = tuple((k, v, False) for k, v in (f.split("=", 1) for f in args.kcm_flag))
        flags = dict(kwokconfig.COMPONENT_FLAGS)
        flags["kube-controller-manager"] = (*flags.get("kube-controller-manager", ()), *extra)
        kwokconfig.COMPONENT_FLAGS = flags
    kw.down(NAME)  # a fresh cluster, so that the flags and the figures are this run's
    t0 = time.perf_counter()
    cluster = kw.up(3, name=NAME, set_env=False)
    print(f"cluster up in {time.perf_counter() - t0:.1f} s (state {os.environ['KWORKSHOP_STATE_DIR']}); "
          f"kube-controller-manager extra flags: {args.kcm_flag or 'none'}; "
          f"learners as {'processes' if args.processes else 'threads'}")
    admin = kw.connect(cluster)
    if not args.processes:
        count_kit_requests()
    folder = Path(os.environ["KWORKSHOP_STATE_DIR"]) / "class-kubeconfigs"
    try:
        t0 = time.perf_counter()
        info = classroom.create(CLASS, count=max(sizes), output=folder, kube=admin)
        print(f"class create, {max(sizes)} learners: {time.perf_counter() - t0:.1f} s")
        members = [(lr.name, str(kc), lr.namespace) for lr, kc in zip(info.learners, info.kubeconfigs, strict=True)]
        core, apps = client.CoreV1Api(cluster.api_client), client.AppsV1Api(cluster.api_client)
        embedded = EmbeddedCluster(NAME)
        pids = {c: p for c, p in embedded.component_pids().items() if p}
        base: dict[str, float] = {}
        base_wall = 0.0
        singles: list[tuple[dict[str, float], float]] = []
        verdicts = []
        for size in sizes:
            for _ in range(args.repeat):
                reset(core, apps, [ns for _, _, ns in members])
                (req0, served0), kcm0 = apiserver_requests(cluster.api_client), controller_metrics(pids[KCM])
                kit0 = KIT_REQUESTS[0]
                t0 = time.perf_counter()
                with Sampler(pids) as sampler:
                    runs = run_class(size, members, args.processes)
                wall = time.perf_counter() - t0
                req1, served1 = apiserver_requests(cluster.api_client)
                requests, served = req1 - req0, served1 - served0
                kit = KIT_REQUESTS[0] - kit0 - 1  # without the /metrics read just above
                if size == 1 and runs[0].completed:  # one learner: the median of its runs so far
                    singles.append((runs[0].seconds, wall))
                    base = {st: statistics.median(r[st] for r, _ in singles) for st in STEPS}
                    base_wall = statistics.median(w for _, w in singles)
                verdicts.append((size, report(size, runs, wall, sampler, base or runs[0].seconds,
                                              base_wall or wall, requests, served, kit,
                                              {k: v - kcm0.get(k, 0.0)
                                               for k, v in controller_metrics(pids[KCM]).items()})))
        big = [ok for size, ok in verdicts if size >= 30]
        if big:
            print(f"\ntarget (30 learners, 100 % completed, rollout p95 <= 3x one learner): "
                  f"{'met' if all(big) else 'MISSED'}")
        return 0 if all(big) else 1
    finally:
        if not args.keep:
            problems = kw.down(NAME)
            print(f"cluster {NAME} down" + (f"; could not undo: {problems}" if problems else ""))


if __name__ == "__main__":
    sys.exit(main())
