"""The kind backend: real containers in Docker, for instructors who want them.

Everything that decides what happens is a pure function here (the cluster config, the command plan,
the metrics-server patch), unit-tested without Docker; ``KindCluster`` only runs the plan. kind
sets no instance-type/region/zone labels, so the config adds them (chapter 5's node exercises), and
metrics-server gets the flags kind needs (``--kubelet-insecure-tls``, InternalIP first).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

from ..binaries.pins import KIND_NODE_IMAGE
from ..errors import ClusterError, CommandError
from ..progress import LoggingStatus, Status, step
from .images import CATALOGUE
from .nodes import INSTANCE_TYPE, REGION, ZONES

# images the chapter pulls: loaded into the nodes ahead of time so the workshop never waits on them
CHAPTER_IMAGES = tuple(i for i in CATALOGUE if i.startswith(("jonbaier/", "docker/", "williamyeh/")))


def docker_available() -> tuple[bool, str]:
    """Whether a Docker daemon answers, and what was found."""
    docker = shutil.which("docker")
    if docker is None:
        return False, "the docker command is not installed"
    out = subprocess.run([docker, "info", "--format", "{{.ServerVersion}}"], capture_output=True, text=True,
                         check=False, timeout=20)
    if out.returncode != 0:
        return False, "no Docker daemon answers (docker info failed)"
    return True, f"Docker {out.stdout.strip()} answers"


def kind_config(workers: int = 2, hpa_sync: str = "5s") -> dict[str, Any]:
    """A kind Cluster: one control plane and ``workers`` labelled workers; a fast HPA."""
    nodes: list[dict[str, Any]] = [{
        "role": "control-plane",
        "kubeadmConfigPatches": [yaml.safe_dump({
            "kind": "ClusterConfiguration",
            "controllerManager": {"extraArgs": {"horizontal-pod-autoscaler-sync-period": hpa_sync}}})],
    }]
    for i in range(workers):
        nodes.append({"role": "worker", "labels": {
            "node.kubernetes.io/instance-type": INSTANCE_TYPE,
            "topology.kubernetes.io/region": REGION,
            "topology.kubernetes.io/zone": ZONES[i % len(ZONES)],
        }})
    return {"kind": "Cluster", "apiVersion": "kind.x-k8s.io/v1alpha4", "nodes": nodes}


def metrics_server_manifest(release_yaml: str) -> list[dict[str, Any]]:
    """The metrics-server release manifest with the flags kind's kubelets need."""
    docs = [d for d in yaml.safe_load_all(release_yaml) if d]
    for doc in docs:
        if doc.get("kind") == "Deployment" and doc["metadata"]["name"] == "metrics-server":
            container = doc["spec"]["template"]["spec"]["containers"][0]
            args = [a for a in container.get("args", []) if not a.startswith(
                ("--kubelet-preferred-address-types", "--metric-resolution"))]
            container["args"] = [*args, "--kubelet-insecure-tls", "--metric-resolution=10s",
                                 "--kubelet-preferred-address-types=InternalIP,Hostname,ExternalIP"]
    return docs


def plan(kind: str, name: str, config_path: Path, kubeconfig: Path, images: tuple[str, ...] = CHAPTER_IMAGES,
         docker: str = "docker") -> list[list[str]]:
    """The commands ``up`` runs, in order (argv lists)."""
    steps = [[kind, "create", "cluster", "--name", name, "--image", KIND_NODE_IMAGE, "--config", str(config_path),
              "--kubeconfig", str(kubeconfig), "--wait", "120s"]]
    for image in images:
        steps.append([docker, "pull", image])
        steps.append([kind, "load", "docker-image", image, "--name", name])
    return steps


class KindCluster:
    """A kind cluster named ``kworkshop-<name>``; ``down`` deletes it."""

    backend = "kind"

    def __init__(self, name: str, root: Path) -> None:
        self.name = name
        self.root = root / f"kind-{name}"

    @property
    def kubeconfig(self) -> Path:
        return self.root / "kubeconfig"

    def exists(self) -> bool:
        return self.kubeconfig.is_file()

    def up(self, nodes: int = 3, status: Status | None = None, **_: object) -> None:
        status = status or LoggingStatus()
        ok, why = docker_available()
        if not ok:
            raise ClusterError(f"the kind backend needs Docker, but {why}. Use the embedded cluster instead "
                               "(kw.up() or `kworkshop up`): it needs no Docker.")
        from ..binaries import install_optional

        kind = str(install_optional("kind", status)["kind"])
        self.root.mkdir(parents=True, exist_ok=True)
        config_path = self.root / "kind.yaml"
        config_path.write_text(yaml.safe_dump(kind_config(max(nodes - 1, 1))))
        for argv in plan(kind, self.name, config_path, self.kubeconfig):
            if argv[1] == "create" and self.exists():
                continue
            with step(status, " ".join(argv[:4])):
                out = subprocess.run(argv, capture_output=True, text=True, check=False)
                if out.returncode != 0 and argv[1] != "pull":  # a pull may fail offline; the nodes pull later
                    raise CommandError(f"{argv[0]} {argv[1]} failed", argv, out.stdout + out.stderr, out.returncode)
        with step(status, "Installing metrics-server (kind's flags)"):
            self._install_metrics_server()

    def api(self):  # -> kubernetes.client.ApiClient
        from kubernetes import config

        return config.new_client_from_config(config_file=str(self.kubeconfig))

    def _install_metrics_server(self) -> None:
        from importlib import resources

        from ..kube.client import server_side_apply

        text = resources.files("kworkshop.cluster").joinpath("manifests").joinpath("metrics-server-v0.9.0.yaml")
        api = self.api()
        for doc in metrics_server_manifest(text.read_text()):
            server_side_apply(doc, api=api)

    def down(self, status: Status | None = None) -> list[str]:
        if not self.exists():
            return []
        from ..binaries import install_optional

        kind = str(install_optional("kind", status or LoggingStatus())["kind"])
        out = subprocess.run([kind, "delete", "cluster", "--name", self.name], capture_output=True, text=True,
                             check=False)
        shutil.rmtree(self.root, ignore_errors=True)
        return [] if out.returncode == 0 else [out.stderr.strip()]
