"""Benchmark: how fast the embedded cluster comes up, what the kit adds, and how much memory it uses.

Prints, for N runs (median, min, max):
  * kit up      seconds from `kw.up()` (binaries cached, no cluster) to all nodes Ready and the
                metrics API answering;
  * raw kwokctl the same end state with plain `kwokctl create cluster` + `kwokctl scale node` and
                the same binaries (kwokctl's default stages; the kit's node Metric, without which
                metrics-server never becomes ready on empty nodes), then `kubectl wait`;
  * ratio       kit / raw (target <= 1.2);
  * top         seconds from creating a pod until the metrics API reports its usage (~30 s);
  * memory      (``memory.py``) RSS per component with 3 idle nodes, the peak during the HPA
                chapter's load, and a learner's session (JupyterLab + 3 kernels + the cluster);
                skipped with --no-memory;
  * cold build  with --cold: `kworkshop install` with empty Go caches and an empty kit cache.

  * kind        with --backend kind: `kw.up(backend="kind")` (node image cached, images built) to 3
                nodes Ready, the chapter's images loaded and metrics-server applied, and the node
                containers' memory (docker stats), beside one embedded `kw.up()` and its processes'
                RSS. Uses DOCKER_HOST, else the kit's harness daemon (tests/harness/docker.py).

Usage: python benchmarks/cluster_up.py [--runs 3] [--cold] [--no-memory] [--backend embedded|kind]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import memory  # benchmarks/memory.py: a script's own folder is on sys.path
import yaml

import kworkshop as kw
from kworkshop.binaries import install
from kworkshop.cluster import shipped
from kworkshop.cluster.embedded.cluster import ClusterLayout, EmbeddedCluster, Kwokctl
from kworkshop.cluster.embedded.kwokconfig import kwokctl_configuration, resource_metrics


def kit_up(root: Path) -> tuple[float, float]:
    """Seconds to a ready cluster, and seconds until a new pod has metrics."""
    os.environ["KWORKSHOP_STATE_DIR"] = str(root)
    t0 = time.perf_counter()
    try:
        cluster = kw.up(3, name="bench-kit", set_env=False)
        took = time.perf_counter() - t0
        top = pod_metrics_latency(cluster)
    finally:
        problems = kw.down("bench-kit")
    assert not problems, problems
    return took, top


def pod_metrics_latency(cluster: kw.Cluster) -> float:
    """Seconds from creating a pod until the metrics API (`kubectl top pods`) reports it."""
    from kubernetes import client
    from kubernetes.client.exceptions import ApiException

    core = client.CoreV1Api(cluster.api_client)
    metrics = client.CustomObjectsApi(cluster.api_client)
    t0 = time.perf_counter()
    core.create_namespaced_pod("default", {
        "metadata": {"name": "probe", "annotations": {"kwok.x-k8s.io/usage-cpu": "100m"}},
        "spec": {"containers": [{"name": "app", "image": "jonbaier/pod-scaling:0.1"}]}})
    while True:  # the metrics API cannot be watched
        try:
            metrics.get_namespaced_custom_object("metrics.k8s.io", "v1beta1", "default", "pods", "probe")
            return time.perf_counter() - t0
        except ApiException:
            time.sleep(0.5)


def raw_up(root: Path) -> float:
    binaries = install()
    layout = ClusterLayout("bench-raw", root)
    kwokctl = Kwokctl(binaries, layout)
    manifest = root / "ms"
    manifest.mkdir(parents=True, exist_ok=True)
    src = Path(kw.__file__).parent / "cluster" / "manifests" / shipped.METRICS_SERVER
    shutil.copy(src, manifest / src.name)
    (manifest / "kustomization.yaml").write_text(f"resources:\n- {src.name}\n")
    config = root / "raw.yaml"
    # kwokctl's default node metrics leave an empty node's CPU counter at 0, and metrics-server then
    # never becomes ready: raw kwokctl needs the kit's Metric to reach the same end state at all.
    config.write_text(yaml.safe_dump_all([kwokctl_configuration(binaries, manifest), resource_metrics()]))
    env = {**kwokctl.env(), "KUBECONFIG": str(layout.kubeconfig)}
    t0 = time.perf_counter()
    try:
        kwokctl.run("create", "cluster", "--runtime", "binary", "--config", str(config), "--kubeconfig", "",
                    "--wait", "120s")
        kwokctl.run("scale", "node", "--replicas", "3")
        for args in (["wait", "--for=condition=Ready", "node", "--all", "--timeout=120s"],
                     ["wait", "--for=condition=Available", "apiservice/v1beta1.metrics.k8s.io", "--timeout=120s"],
                     ["wait", "--for=create", "serviceaccount/default", "-n", "default", "--timeout=120s"]):
            subprocess.run([str(binaries["kubectl"]), *args], env=env, check=True, capture_output=True)
        took = time.perf_counter() - t0
    finally:
        kwokctl.run("delete", "cluster")
    return took


def kind_up(root: Path) -> tuple[float, float]:
    """Seconds for `kw.up(backend="kind")`, and the node containers' memory (MiB) once it is up."""
    if not os.environ.get("DOCKER_HOST"):
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
        from harness import docker as harness

        if harness.answers():
            os.environ["DOCKER_HOST"] = harness.HOST
    os.environ["KWORKSHOP_STATE_DIR"] = str(root)
    t0 = time.perf_counter()
    try:
        kw.up(backend="kind", name="bench-kind", set_env=False)
        took = time.perf_counter() - t0
        out = subprocess.run(["docker", "stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}}"],
                             capture_output=True, text=True, check=True).stdout
        mib = sum(_mib(line.split()[1]) for line in out.splitlines() if line.startswith("bench-kind-"))
    finally:
        problems = kw.down("bench-kind")
    assert not problems, problems
    return took, mib


def _mib(size: str) -> float:
    """docker stats' ``123.4MiB`` / ``1.2GiB`` in MiB."""
    units = {"KiB": 1 / 1024, "MiB": 1.0, "GiB": 1024.0, "B": 1 / 2**20}
    for unit, factor in units.items():
        if size.endswith(unit):
            return float(size[: -len(unit)]) * factor
    return 0.0


def embedded_rss(root: Path) -> tuple[float, float]:
    """Seconds for one embedded `kw.up()`, and its processes' RSS (MiB) once it is up."""
    os.environ["KWORKSHOP_STATE_DIR"] = str(root)
    t0 = time.perf_counter()
    try:
        kw.up(3, name="bench-kit", set_env=False)
        took = time.perf_counter() - t0
        pids = {c: p for c, p in EmbeddedCluster("bench-kit", root).component_pids().items() if p}
        rss = memory.sample(pids).total
    finally:
        problems = kw.down("bench-kit")
    assert not problems, problems
    return took, rss


def compare_kind(runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="kworkshop-bench-") as tmp:
        kind = [kind_up(Path(tmp) / f"kind{i}") for i in range(runs)]
        embedded = [embedded_rss(Path(tmp) / f"kit{i}") for i in range(runs)]
    print(summary("kind kw.up (3 nodes Ready, images)", [k[0] for k in kind], "s"))
    print(summary("embedded kw.up (3 nodes, metrics)", [e[0] for e in embedded], "s"))
    print(summary("kind node containers' memory", [k[1] for k in kind], "MiB"))
    print(summary("embedded cluster's RSS", [e[1] for e in embedded], "MiB"))


def cold_install() -> float:
    with tempfile.TemporaryDirectory(prefix="kworkshop-cold-") as tmp:
        env = {**os.environ, "KWORKSHOP_CACHE_DIR": f"{tmp}/cache", "GOCACHE": f"{tmp}/gocache",
               "GOMODCACHE": f"{tmp}/gomod", "PATH": "/usr/local/go/bin:/usr/bin:/bin"}
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "kworkshop", "install"], env=env, check=True)
        took = time.perf_counter() - t0
        subprocess.run(["chmod", "-R", "u+w", tmp], check=False)  # Go's module cache is read-only
    return took


def summary(label: str, values: list[float], unit: str) -> str:
    return (f"{label:<34} median {statistics.median(values):7.2f} {unit}   "
            f"min {min(values):7.2f}   max {max(values):7.2f}   (n={len(values)})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cold", action="store_true", help="also time a cold build (several minutes)")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory figures (~2 minutes)")
    parser.add_argument("--backend", choices=("embedded", "kind"), default="embedded",
                        help="kind: time kind's cluster and its memory beside the embedded one's")
    args = parser.parse_args()
    install()  # binaries cached before any timing
    if args.backend == "kind":
        compare_kind(args.runs)
        return 0
    kit, raw, top = [], [], []
    with tempfile.TemporaryDirectory(prefix="kworkshop-bench-") as tmp:
        for i in range(args.runs):
            took, latency = kit_up(Path(tmp) / f"kit{i}")
            kit.append(took)
            top.append(latency)
            raw.append(raw_up(Path(tmp) / f"raw{i}"))
        figures = None if args.no_memory else memory.measure(Path(tmp) / "mem")
    print(summary("kit up to Ready + metrics API", kit, "s"))
    print(summary("raw kwokctl to the same state", raw, "s"))
    print(f"{'overhead ratio (kit / raw, medians)':<34} {statistics.median(kit) / statistics.median(raw):.2f}")
    print(summary("new pod -> its metrics (kubectl top)", top, "s"))
    if figures is not None:
        print(memory.report(*figures))
    if args.cold:
        print(summary("cold `kworkshop install` (build)", [cold_install()], "s"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
