"""The kwokctl configuration of the embedded cluster, as plain data (pure, unit-tested).

Everything kwokctl would otherwise download or guess is set here, so ``kwokctl create cluster``
runs offline and identically everywhere: the path of every binary, the metrics-server manifest,
``bindAddress: 127.0.0.1`` (kwokctl's default 0.0.0.0 would expose etcd in plain HTTP), component
flags and Go runtime settings (the memory budget) as ``componentsPatches`` (``--extra-args`` has an
index bug, kwok's mutationComponentPatches), the stages, the logs rules and which KWOK kinds are live CRDs.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ...agent import images as image_catalogue
from ...binaries import Binaries
from . import etcdtls
from .kubelet import Timings, all_stages

KWOK_API = "kwok.x-k8s.io/v1alpha1"
CONFIG_API = "config.kwok.x-k8s.io/v1alpha1"

# Flags for a workshop: metrics every 10 s (metrics-server's minimum; its request timeout must stay
# below 0.9 x resolution), the HPA re-evaluated every 5 s. kwok v0.8.0 starts metrics-server with
# InternalIP first, but its nodes' InternalIP is an unroutable TEST-NET address: the simulated
# kubelet answers on the Hostname address (kwok PR #1682, untagged), so Hostname goes first.
COMPONENT_FLAGS: Mapping[str, tuple[tuple[str, str, bool], ...]] = {
    "metrics-server": (
        ("kubelet-preferred-address-types", "Hostname,InternalIP,ExternalIP", True),
        ("metric-resolution", "10s", True),
        ("kubelet-request-timeout", "5s", False),
    ),
    "kube-controller-manager": (
        ("horizontal-pod-autoscaler-sync-period", "5s", False),
        # A class of 30 shares one controller-manager: with its client's default limit (20
        # requests/s, burst 30) ReplicaSet work waited 2-3 s in its queue and a rollout's p95 was
        # 5-9x one learner's (benchmarks/class_load.py); the cluster itself used under one core.
        ("kube-api-qps", "200", False),
        ("kube-api-burst", "400", False),
        ("concurrent-deployment-syncs", "20", False),
        ("concurrent-replicaset-syncs", "20", False),
    ),
    "etcd": (
        # etcd keeps the raft log since the last snapshot in memory (default 10,000 entries): a
        # single member with a few MB of data snapshots cheaply; nothing reads the log but etcd
        ("snapshot-count", "1000", False),
        # entries kept for a slow follower after a snapshot; a single-member cluster has none
        ("snapshot-catchup-entries", "100", False),
    ),
}

# The memory budget (issue 12; `python benchmarks/memory.py` measures it): the Go runtime's
# settings, as environment variables of each component (``componentsPatches`` ``extraEnvs``).
# GOGC=N lets the heap grow N % above what is live before the next collection (default 100,
# i.e. twice the live heap); the components of a 3-node cluster allocate little once started,
# so collecting earlier costs a fraction of a percent of a core and no behaviour: the same
# objects, answers and timings. GOMEMLIMIT is a soft ceiling on the Go runtime's memory, set
# well above what a component uses idle (1.7 x for the apiserver, 4 x for the small ones): it
# only makes a burst collect sooner, never fails an allocation
# (https://go.dev/doc/gc-guide#Memory_limit).
# Measured, 3 idle nodes, RSS (anon): kube-apiserver 283 (201) -> 221 (137) MiB, the others
# 1-6 MiB each; the rest of each figure is the binary's own code, which no setting changes.
COMPONENT_ENVS: Mapping[str, tuple[tuple[str, str], ...]] = {
    # ~80 MB live heap, most of it the API's OpenAPI and handler tables: 25 % above it, not 100 %
    "kube-apiserver": (("GOGC", "25"), ("GOMEMLIMIT", "256MiB")),
    # informers for every controller: a steady heap of ~25 MB
    "kube-controller-manager": (("GOGC", "25"), ("GOMEMLIMIT", "128MiB")),
    "etcd": (("GOGC", "50"), ("GOMEMLIMIT", "96MiB")),
    "kube-scheduler": (("GOGC", "50"), ("GOMEMLIMIT", "64MiB")),
    # holds every node and pod it simulates; grows with a learner's replicas, hence the ceiling
    "kwok-controller": (("GOGC", "50"), ("GOMEMLIMIT", "64MiB")),
    # keeps the last two scrapes of every pod's metrics
    "metrics-server": (("GOGC", "50"), ("GOMEMLIMIT", "64MiB")),
}


def kwokctl_configuration(binaries: Binaries, metrics_manifest: Path) -> dict[str, Any]:
    """The KwokctlConfiguration document: binaries, ports on loopback, metrics-server, RBAC."""
    options = {
        "runtime": "binary",
        "bindAddress": "127.0.0.1",
        "kubeAuthorization": True,
        "enable": ["metrics-server"],
        "enableCRDs": ["Logs"],
        "kubeApiserverBinary": str(binaries["kube-apiserver"]),
        "kubeControllerManagerBinary": str(binaries["kube-controller-manager"]),
        "kubeSchedulerBinary": str(binaries["kube-scheduler"]),
        "kubectlBinary": str(binaries["kubectl"]),
        "kwokControllerBinary": str(binaries["kwok"]),
        "etcdBinary": str(binaries["etcd"]),
        "metricsServerBinary": str(binaries["metrics-server"]),
        "metricsServerManifests": [str(metrics_manifest)],
    }
    patches = [
        {"name": component,
         "extraArgs": [{"key": k, "value": v, "override": o} for k, v, o in COMPONENT_FLAGS.get(component, ())],
         "extraEnvs": [{"name": k, "value": v} for k, v in COMPONENT_ENVS.get(component, ())]}
        for component in dict.fromkeys([*COMPONENT_FLAGS, *COMPONENT_ENVS])  # one patch per component
    ]
    return {"kind": "KwokctlConfiguration", "apiVersion": CONFIG_API,
            "options": options, "componentsPatches": patches}


def cluster_logs(default_log: Path) -> dict[str, Any]:
    """The fallback logs rule: any container without a per-pod Logs object gets this file."""
    return {"kind": "ClusterLogs", "apiVersion": KWOK_API,
            "metadata": {"name": "kworkshop-default-logs"},
            "spec": {"logs": [{"logsFile": str(default_log)}]}}


def resource_metrics() -> dict[str, Any]:
    """The simulated kubelets' resource metrics (see ``metrics/metrics-resource.yaml``)."""
    text = resources.files(__package__).joinpath("metrics", "metrics-resource.yaml").read_text()
    return yaml.safe_load(text)


def with_ports(configuration: dict[str, Any], ports: Mapping[str, int], pki: Path) -> dict[str, Any]:
    """``configuration`` on the ports the kit chose (``ports.allocate``), etcd behind client TLS."""
    configuration["options"].update(ports)
    configuration["componentsPatches"] = [*configuration["componentsPatches"],
                                          *etcdtls.patches(pki, ports)]
    return configuration


def render(binaries: Binaries, metrics_manifest: Path, default_log: Path,
           extra_images: tuple[str, ...] = (), timings: Timings = Timings(),
           ports: Mapping[str, int] | None = None, pki: Path | None = None) -> str:
    """The whole multi-document kwokctl config file (``ports`` and ``pki``: see ``with_ports``)."""
    catalogue = image_catalogue.all_spellings(image_catalogue.catalogue(extra_images))
    configuration = kwokctl_configuration(binaries, metrics_manifest)
    if ports is not None and pki is not None:
        configuration = with_ports(configuration, ports, pki)
    docs: list[dict[str, Any]] = [
        configuration,
        *all_stages(catalogue, timings),
        cluster_logs(default_log),
        resource_metrics(),
    ]
    return yaml.safe_dump_all(docs, sort_keys=False, width=10_000)
