"""Benchmark: the memory a workshop uses, per component, idle, under the HPA chapter's load, and in a
learner's session.

Prints RSS in MiB for each cluster process (etcd, kube-apiserver, kube-controller-manager,
kube-scheduler, kwok-controller, metrics-server, the node agent) and how much of it is anonymous
memory (heap, stacks: what the Go runtime settings act on) rather than pages of the binary itself:
  * idle       3 nodes, nothing running, after the control plane settled (median of 3 samples);
  * load       the peak while the HPA chapter runs (Deployment + Service + HPA, `kw.load.start`,
               scaling 3 -> 6) for --load-seconds;
  * session    a learner: `jupyter lab` on 127.0.0.1 with 3 kernels that each ran
               `import kworkshop as kw; kw.start(...)`, one of them the HPA chapter with its live
               chart and the load (peak of server + kernels + cluster).
Then what imports cost in a new Python: `import kworkshop` (the public names load on first use),
the names a kernel's `kw.start` brings, and the node agent's module (milliseconds, RSS MiB).
Targets (issue 12): cluster <= 450 MiB idle, <= 550 MiB under load, session <= 1.1 GiB.

Usage: python benchmarks/memory.py [--load-seconds 60]   (also run by benchmarks/cluster_up.py)
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil

import kworkshop as kw
from kworkshop.cluster.embedded import EmbeddedCluster

NAME = "bench-mem"
MiB = 2**20
TARGETS = {"idle": 450.0, "load": 550.0, "session": 1.1 * 1024}
LABELS = {"kworkshop-agent": "node agent"}

CHAPTER = """
import kworkshop as kw
session = kw.start({namespace!r})
"""
HPA_CHAPTER = CHAPTER + """
kw.apply([{{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {{"name": "node-js-deploy"}},
  "spec": {{"replicas": 3, "selector": {{"matchLabels": {{"name": "node-js-deploy"}}}},
           "template": {{"metadata": {{"labels": {{"name": "node-js-deploy"}}}}, "spec": {{"containers": [{{
               "name": "node-js-deploy", "image": "jonbaier/pod-scaling:0.1",
               "resources": {{"requests": {{"cpu": "100m"}}}}}}]}}}}}}}},
          {{"apiVersion": "v1", "kind": "Service", "metadata": {{"name": "node-js-deploy"}},
           "spec": {{"selector": {{"name": "node-js-deploy"}}, "ports": [{{"port": 80}}]}}}}])
kw.autoscale("deployment/node-js-deploy", min=3, max=6, cpu_percent=10, scale_down_window=30)
kw.rollout.status("deployment/node-js-deploy", timeout=60)
chart = kw.live.autoscaler("hpa/node-js-deploy")
kw.load.start("service/node-js-deploy", concurrency=10)
"""


@dataclass
class Sample:
    """RSS and anonymous memory (MiB) of each process, by component name."""

    rss: dict[str, float] = field(default_factory=dict)
    anon: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(self.rss.values())


def _anon_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024
    return 0.0


def sample(pids: dict[str, int]) -> Sample:
    out = Sample()
    for name, pid in pids.items():
        try:
            out.rss[name] = psutil.Process(pid).memory_info().rss / MiB
            out.anon[name] = _anon_mib(pid)
        except (psutil.NoSuchProcess, FileNotFoundError):
            out.rss[name] = out.anon[name] = 0.0
    return out


def peak(samples: list[Sample]) -> Sample:
    """The sample with the largest total (components peak together, so no per-component maxima)."""
    return max(samples, key=lambda s: s.total)


def cluster_pids(root: Path) -> dict[str, int]:
    return {c: p for c, p in EmbeddedCluster(NAME, root).component_pids().items() if p}


def session_pids(server: subprocess.Popen) -> dict[str, int]:
    """The Jupyter server and every kernel it started."""
    procs = psutil.Process(server.pid).children(recursive=True)
    return {"jupyter server": server.pid, **{f"kernel {i}": p.pid for i, p in enumerate(procs)}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """`jupyter lab` on loopback and kernels started through its REST API, run with jupyter_client."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.port, self.token = _free_port(), secrets.token_hex(16)
        self.runtime = workdir / "runtime"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
             f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={workdir}",
             *(["--allow-root"] if os.geteuid() == 0 else [])],
            env={**env, "JUPYTER_RUNTIME_DIR": str(self.runtime)},
            stdout=subprocess.DEVNULL, stderr=(workdir / "lab.log").open("w"))
        self._call("GET", "/api/status", timeout=60)
        self.clients: list = []

    def _call(self, method: str, path: str, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method,
                                             headers={"Authorization": f"token {self.token}"},
                                             data=b"{}" if method == "POST" else None)
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    return json.loads(response.read())
            except OSError:  # the server is still starting
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise
                time.sleep(0.5)

    def kernel(self) -> object:
        from jupyter_client import BlockingKernelClient

        kernel_id = self._call("POST", "/api/kernels")["id"]
        client = BlockingKernelClient(connection_file=str(self.runtime / f"kernel-{kernel_id}.json"))
        client.load_connection_file()
        client.start_channels()
        # ask for kernel_info until it answers (jupyter_client's wait_for_ready takes one late
        # heartbeat on a busy machine for a dead kernel)
        deadline = time.monotonic() + 120
        while True:
            client.kernel_info()
            try:
                client.get_shell_msg(timeout=5)
                break
            except queue.Empty:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"kernel {kernel_id} did not start; see {self.runtime.parent}/lab.log") from None
        self.clients.append(client)
        return client

    def close(self) -> None:
        for client in self.clients:
            client.stop_channels()
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def run(client, code: str) -> None:
    reply = client.execute_interactive(code, timeout=300, output_hook=lambda msg: None)
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"kernel cell failed: {reply['content'].get('ename')}: {reply['content'].get('evalue')}")


def cpu_seconds(pids: dict[str, int]) -> float:
    times = [psutil.Process(p).cpu_times() for p in pids.values()]
    return sum(t.user + t.system for t in times)


def measure(root: Path, load_seconds: float = 60, settle: float = 30) -> tuple[dict[str, Sample], dict[str, float]]:
    """Idle, load and session samples of a fresh cluster ``NAME`` under ``root`` (taken down after),
    and what shows the load was real: the HPA's most replicas, the cluster's CPU meanwhile."""
    from kubernetes import client

    os.environ["KWORKSHOP_STATE_DIR"] = str(root)
    figures: dict[str, Sample] = {}
    facts: dict[str, float] = {"HPA replicas during the load (max)": 0}
    hpa = client.AutoscalingV2Api(kw.up(3, name=NAME, set_env=False).api_client)
    lab = None
    try:
        time.sleep(settle)  # the control plane's start-up garbage collected, metrics scraped once
        idle = []
        for _ in range(3):
            idle.append(sample(cluster_pids(root)))
            time.sleep(5)
        figures["idle"] = sorted(idle, key=lambda s: s.total)[1]
        env = {**os.environ, "KWORKSHOP_CLUSTER": NAME, "KWORKSHOP_STATE_DIR": str(root)}
        (root / "lab").mkdir(parents=True)
        lab = Lab(root / "lab", env)
        kernels = [lab.kernel() for _ in range(3)]
        run(kernels[0], HPA_CHAPTER.format(namespace="ch5-autoscaling"))
        run(kernels[1], CHAPTER.format(namespace="ch3-deployments"))
        run(kernels[2], CHAPTER.format(namespace="ch4-updates"))
        cluster, session = [], []
        cpu0, t0 = cpu_seconds(cluster_pids(root)), time.monotonic()
        while time.monotonic() < t0 + load_seconds:
            cluster.append(sample(cluster_pids(root)))
            session.append(sample({**cluster_pids(root), **session_pids(lab.proc)}))
            status = hpa.read_namespaced_horizontal_pod_autoscaler("node-js-deploy", "ch5-autoscaling").status
            facts["HPA replicas during the load (max)"] = max(facts["HPA replicas during the load (max)"],
                                                              status.current_replicas or 0)
            time.sleep(5)
        facts["cluster CPU during the load, % of one core"] = (
            (cpu_seconds(cluster_pids(root)) - cpu0) / (time.monotonic() - t0) * 100)
        figures["load"], figures["session"] = peak(cluster), peak(session)
        run(kernels[0], "kw.load.stop(); chart.stop()")
    finally:
        if lab is not None:
            lab.close()
        kw.down(NAME)
    return figures, facts


IMPORTS = {
    "import kworkshop": "import kworkshop",
    "kernel: kw.start imported": "import IPython, kworkshop as kw; kw.start",
    "node agent's imports": "import kworkshop.agent",
}


def import_costs() -> dict[str, float]:
    """Milliseconds and RSS (MiB) of each statement of ``IMPORTS`` in a new interpreter."""
    facts: dict[str, float] = {}
    for label, statement in IMPORTS.items():
        code = (f"import time; t = time.perf_counter()\n{statement}\nt = time.perf_counter() - t\n"
                "print(t, [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmRSS:')][0])")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        seconds, rss = out.stdout.split()
        facts[f"{label}, ms"] = float(seconds) * 1000
        facts[f"{label}, RSS MiB"] = int(rss) / 1024  # kB
    return facts


def report(figures: dict[str, Sample], facts: dict[str, float]) -> str:
    lines = [f"{'memory (MiB)':<26}" + "".join(f"{k:>20}" for k in figures)]
    lines.append(f"{'':<26}" + "".join(f"{'RSS (anon)':>20}" for _ in figures))
    names = list(dict.fromkeys(n for s in figures.values() for n in s.rss))
    for name in names:
        cells = "".join(f"{s.rss[name]:>12.1f} ({s.anon[name]:5.1f})" if name in s.rss else f"{'':>20}"
                        for s in figures.values())
        lines.append(f"{LABELS.get(name, name):<26}{cells}")
    cluster = [n for n in names if not n.startswith(("jupyter", "kernel"))]
    for label, s in figures.items():
        own = sum(v for n, v in s.rss.items() if n in cluster)
        anon = sum(v for n, v in s.anon.items() if n in cluster)
        target = TARGETS[label]
        total = s.total if label == "session" else own
        verdict = "ok" if total <= target else "OVER"
        extra = f"   (cluster {own:.0f}, anon {anon:.0f})" if label == "session" else f"   (anon {anon:.0f})"
        lines.append(f"{'total ' + label:<26}{total:>12.1f} MiB  target <= {target:.0f} MiB  {verdict}{extra}")
    lines += [f"{label:<44}{value:>8.1f}" for label, value in facts.items()]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--load-seconds", type=float, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kworkshop-mem-") as tmp:
        figures, facts = measure(Path(tmp), args.load_seconds)
        print(report(figures, {**facts, **import_costs()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
