"""The kind backend: real containers in Docker, for instructors who want them.

Everything that decides what happens is a pure function here (the cluster config, the command plan,
the metrics-server patch, the timeouts), unit-tested without Docker; ``KindCluster`` only runs the
plan, through ``run``: the one place that starts ``kind`` or ``docker``, always with a timeout. kind
sets no instance-type/region/zone labels, so the config adds them (chapter 5's node exercises), and
metrics-server gets the flags kind needs (``--kubelet-insecure-tls``, InternalIP first).

Which node image: kind's official one when the Docker daemon has it or can pull it; otherwise a node
image built on this machine (``kworkshop/kind-node:<kubernetes version>-*``, made offline by the kit's
test harness, ``make kind-images``), chosen explicitly and logged; ``KWORKSHOP_KIND_NODE_IMAGE`` names
one outright. A built image's labels say which etcd and CoreDNS tags it carries, and the kubeadm config
asks for those. Where the host has cgroup v1, every kubelet gets ``failCgroupV1: false`` (Kubernetes
1.35+ refuse cgroup v1 otherwise). ``kind`` and ``docker`` run with the caller's environment, so
``DOCKER_HOST`` chooses the daemon.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

from .. import paths, programs, settings
from ..agent.images import CATALOGUE
from ..binaries.pins import KIND_NODE_IMAGE, KUBERNETES_VERSION, METRICS_SERVER_VERSION
from ..commands import command
from ..errors import ClusterError, CommandError, KworkshopError
from ..i18n import N_, _
from ..progress import LoggingStatus, Status, step
from . import shipped
from .backend import ClusterStatus, NoOptions, shell_env
from .health import ApiProbe, probe_apiserver
from .nodes import INSTANCE_TYPE, REGION, ZONES

log = logging.getLogger(__name__)

# images the chapter pulls: loaded into the nodes ahead of time so the workshop never waits on them
CHAPTER_IMAGES = tuple(i for i in CATALOGUE if i.startswith(("jonbaier/", "docker/", "williamyeh/", "busybox:")))
# the DaemonSet the node chapter applies (notebooks/manifests/node-problem-detector.yaml), and the
# metrics-server the kit installs
EXTRA_IMAGES = ("gcr.io/google_containers/node-problem-detector:v0.1",
                f"registry.k8s.io/metrics-server/metrics-server:{METRICS_SERVER_VERSION}")
PRELOAD = CHAPTER_IMAGES + EXTRA_IMAGES
# node images built on this machine (tests/harness/nodeimage.py), and the variable that names one outright
BUILT_NODE_REPO = "kworkshop/kind-node"
NODE_IMAGE_ENV = settings.KIND_NODE_IMAGE.name
# labels of a built node image -> where the tag goes in kubeadm's ClusterConfiguration
KUBEADM_TAG_LABELS = {"io.x-k8s.kworkshop.etcd-image-tag": ("etcd", "local", "imageTag"),
                      "io.x-k8s.kworkshop.dns-image-tag": ("dns", "imageTag")}
# seconds each kind/docker command may take: create waits 120 s for the nodes itself (--wait)
TIMEOUTS = {"create": 600.0, "pull": 300.0, "load": 300.0, "delete": 180.0, "get": 30.0, "export": 30.0,
            "docker": 20.0}


def run(argv: list[str], timeout: float, what: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """``kind`` and ``docker`` go through the kit's one runner (``programs.run``): always under a timeout."""
    return programs.run(argv, timeout=timeout, what=what, check=check)


def docker_available() -> tuple[bool, str]:
    """Whether a Docker daemon answers, and what was found."""
    docker = shutil.which("docker")
    if docker is None:
        return False, _("the docker command is not installed")
    try:
        out = run([docker, "info", "--format", "{{.ServerVersion}}"], TIMEOUTS["docker"], "docker info",
                  check=False)
    except CommandError:
        return False, _("no Docker daemon answers (docker info did not finish)")
    if out.returncode != 0:
        return False, _("no Docker daemon answers (docker info failed)")
    return True, _("Docker {version} answers").format(version=out.stdout.strip())


def host_cgroup_v1(mounts: str) -> bool:
    """Whether ``/proc/self/mounts`` shows a cgroup v1 hierarchy (no unified cgroup2 at /sys/fs/cgroup)."""
    unified = any(line.split()[1:3] == ["/sys/fs/cgroup", "cgroup2"] for line in mounts.splitlines()
                  if len(line.split()) > 2)
    return not unified and any(line.split()[2:3] == ["cgroup"] for line in mounts.splitlines())


def this_host_cgroup_v1() -> bool:
    try:
        return host_cgroup_v1(Path("/proc/self/mounts").read_text())
    except OSError:
        return False


def image_tag_patch(labels: dict[str, str] | None) -> dict[str, Any]:
    """kubeadm ClusterConfiguration fields for the image tags a built node image's labels name."""
    patch: dict[str, Any] = {}
    for label, path in KUBEADM_TAG_LABELS.items():
        if value := (labels or {}).get(label):
            here = patch
            for key in path[:-1]:
                here = here.setdefault(key, {})
            here[path[-1]] = value
    return patch


def kind_config(workers: int = 2, hpa_sync: str = "5s", cgroup_v1: bool = False,
                image_labels: dict[str, str] | None = None) -> dict[str, Any]:
    """A kind Cluster: one control plane and ``workers`` labelled workers; a fast HPA.

    ``cgroup_v1``: the host has cgroup v1, so every kubelet is told not to refuse it
    (https://kubernetes.io/docs/concepts/architecture/cgroups/, KubeletConfiguration ``failCgroupV1``).
    ``image_labels``: the node image's labels; a built image's etcd/CoreDNS tags go to kubeadm.
    """
    cluster_patch = {"kind": "ClusterConfiguration",
                     "controllerManager": {"extraArgs": {"horizontal-pod-autoscaler-sync-period": hpa_sync}},
                     **image_tag_patch(image_labels)}
    nodes: list[dict[str, Any]] = [{
        "role": "control-plane",
        "kubeadmConfigPatches": [yaml.safe_dump(cluster_patch)],
    }]
    for i in range(workers):
        nodes.append({"role": "worker", "labels": {
            "node.kubernetes.io/instance-type": INSTANCE_TYPE,
            "topology.kubernetes.io/region": REGION,
            "topology.kubernetes.io/zone": ZONES[i % len(ZONES)],
        }})
    config: dict[str, Any] = {"kind": "Cluster", "apiVersion": "kind.x-k8s.io/v1alpha4", "nodes": nodes}
    if cgroup_v1:
        config["kubeadmConfigPatches"] = [yaml.safe_dump({
            "kind": "KubeletConfiguration", "apiVersion": "kubelet.config.k8s.io/v1beta1", "failCgroupV1": False})]
    return config


def choose_node_image(override: str | None, official_here: bool, built: list[str]) -> tuple[str | None, str]:
    """Which node image ``kind create`` gets, and why (a sentence for the log).

    ``official_here``: the daemon has kind's own image or could pull it. ``built``: node images built on
    this machine, newest first. None when there is no usable image (the reason says so)."""
    if override:
        return override, _("{variable} names the node image").format(variable=NODE_IMAGE_ENV)
    if official_here:
        return KIND_NODE_IMAGE, _("kind's own node image")
    if built:
        return built[0], _("kind's own node image cannot be pulled here, so the node image built on this machine "
                           "is used")
    return None, _("kind's own node image cannot be pulled and no node image was built on this machine "
                   "(the kit's test harness builds one: make kind-images)")


def metrics_server_manifest(release_yaml: str) -> list[dict[str, Any]]:
    """The metrics-server release manifest with the flags kind's kubelets need."""
    docs = [d for d in yaml.safe_load_all(release_yaml) if d]
    for doc in docs:
        if doc.get("kind") == "Deployment" and doc["metadata"]["name"] == "metrics-server":
            container = doc["spec"]["template"]["spec"]["containers"][0]
            args = [a for a in container.get("args", []) if not a.startswith(
                ("--kubelet-preferred-address-types", "--metric-resolution", "--kubelet-request-timeout"))]
            # metrics-server refuses to start unless the resolution exceeds the kubelet request timeout
            # (10 s by default): "metric-resolution should be larger than kubelet-request-timeout"
            container["args"] = [*args, "--kubelet-insecure-tls", "--metric-resolution=10s",
                                 "--kubelet-request-timeout=5s",
                                 "--kubelet-preferred-address-types=InternalIP,Hostname,ExternalIP"]
    return docs


def plan(kind: str, name: str, config_path: Path, kubeconfig: Path, images: tuple[str, ...] = PRELOAD,
         docker: str = "docker", node_image: str = KIND_NODE_IMAGE) -> list[list[str]]:
    """The commands ``up`` runs, in order (argv lists)."""
    steps = [[kind, "create", "cluster", "--name", name, "--image", node_image, "--config", str(config_path),
              "--kubeconfig", str(kubeconfig), "--wait", "120s"]]
    for image in images:
        steps.append([docker, "pull", image])
        steps.append([kind, "load", "docker-image", image, "--name", name])
    return steps


def timeout_for(argv: list[str]) -> float:
    """The timeout of one planned command, by its verb (``create``, ``pull``, ``load``...)."""
    return TIMEOUTS.get(argv[1], TIMEOUTS["docker"])


def step_title(argv: list[str]) -> str:
    """What a learner reads for one planned command."""
    if argv[1] == "create":
        return _("Creating kind cluster {name} (kind create cluster)").format(name=argv[4])
    if argv[1] == "pull":
        return _("Pulling {image}").format(image=argv[2])
    if argv[1] == "load":
        return _("Loading {image} into the nodes").format(image=argv[3])
    return " ".join(argv[:4])


def node_states(ps_output: str) -> dict[str, str | None]:
    """``docker ps`` lines (name, state) -> each node container and its state, None unless running."""
    states: dict[str, str | None] = {}
    for line in ps_output.splitlines():
        container, _tab, state = line.strip().partition("\t")
        if container:
            states[container] = "running" if state.strip() == "running" else None
    return dict(sorted(states.items()))


class KindCluster:
    """A kind cluster (kind's own name: ``name``); the kit's files live in ``<state>/kind-<name>/``.

    ``exists`` means that folder exists: it is made before ``kind create`` starts and removed only
    once ``kind delete`` succeeded, so a half-made or half-deleted cluster is never forgotten.
    """

    backend = "kind"
    summary = N_("real containers in Docker (needs a Docker daemon)")
    Options = NoOptions
    spare_name = None

    def __init__(self, name: str, root: Path | None = None) -> None:
        self.name = name
        self.root = (root or paths.state_dir()) / f"kind-{name}"

    @classmethod
    def open(cls, name: str, options: NoOptions) -> KindCluster:
        return cls(name)

    @classmethod
    def available(cls) -> tuple[bool, str]:
        """kind needs a Docker daemon; the kind binary itself is fetched on first use."""
        return docker_available()

    @classmethod
    def auto_claim(cls) -> tuple[int, str] | None:
        if settings.REAL_CONTAINERS.enabled():
            return 0, _("real containers asked for (KWORKSHOP_REAL_CONTAINERS)")
        return None

    def recorded_options(self) -> dict[str, str]:
        return {}

    @property
    def capabilities(self) -> list:
        return []

    @property
    def kubeconfig(self) -> Path:
        return self.root / "kubeconfig"

    def exists(self) -> bool:
        return self.root.is_dir()

    def env(self) -> dict[str, str]:
        return shell_env(self.kubeconfig)

    # -- up: a checklist that removes what it made when a step fails ------------------------

    def up(self, nodes: int = 3, status: Status | None = None) -> None:
        """Create the cluster (or reattach to it), preload the chapter images, install metrics-server."""
        status = status or LoggingStatus()
        ok, why = docker_available()
        if not ok:
            raise ClusterError(_("the kind backend needs Docker, but {why}. Use the embedded cluster instead "
                                 "(kw.up() or `kworkshop up`): it needs no Docker.").format(why=why))
        kind = self._kind(status)
        existed = self.name in self._clusters(kind)
        self.root.mkdir(parents=True, exist_ok=True)
        try:
            self._up(kind, nodes, existed, status)
        except BaseException:
            if not existed:  # never delete a cluster this call did not make
                problems = self._delete(kind)
                for problem in problems:
                    log.warning(_("kind cluster {name} was not cleaned up: {problem} (run `{command}`)").format(
                        name=self.name, problem=problem, command=command("down", self.name)))
            raise

    def _up(self, kind: str, nodes: int, existed: bool, status: Status) -> None:
        config_path = self.root / "kind.yaml"
        node_image = KIND_NODE_IMAGE if existed else self._node_image()
        cgroup_v1 = this_host_cgroup_v1()
        if cgroup_v1:
            log.info(_("the host has cgroup v1: the kubelets get failCgroupV1: false"))
        config_path.write_text(yaml.safe_dump(kind_config(max(nodes - 1, 1), cgroup_v1=cgroup_v1,
                                                          image_labels=self._labels(node_image))))
        for argv in plan(kind, self.name, config_path, self.kubeconfig, node_image=node_image):
            if argv[1] == "create" and existed:
                if not self.kubeconfig.is_file():
                    run([kind, "export", "kubeconfig", "--name", self.name, "--kubeconfig", str(self.kubeconfig)],
                        TIMEOUTS["get"], "kind export kubeconfig")
                continue
            with step(status, step_title(argv)):
                # a pull may fail offline: the daemon's own copy is loaded, or the nodes pull it later
                out = run(argv, timeout_for(argv), f"{argv[0]} {argv[1]}", check=argv[1] != "pull")
                if argv[1] == "pull" and out.returncode != 0:
                    log.info(_("{image} was not pulled ({error}); the copy the Docker daemon has is loaded, "
                               "if any").format(image=argv[2], error=(out.stderr.strip().splitlines() or ["?"])[-1]))
        with step(status, _("Installing metrics-server (kind's flags)")):
            self._install_metrics_server()

    def _node_image(self) -> str:
        """kind's official node image if the daemon has it or pulls it, else one built here (logged)."""
        docker = shutil.which("docker") or "docker"
        override = settings.KIND_NODE_IMAGE.get()
        official = not override and (
            run([docker, "image", "inspect", KIND_NODE_IMAGE], TIMEOUTS["docker"], "docker image inspect",
                check=False).returncode == 0
            or run([docker, "pull", KIND_NODE_IMAGE], TIMEOUTS["pull"], "docker pull", check=False).returncode == 0)
        built: list[str] = []
        if not override and not official:
            out = run([docker, "images", BUILT_NODE_REPO, "--format", "{{.Repository}}:{{.Tag}}"],
                      TIMEOUTS["docker"], "docker images", check=False)
            built = [n for n in out.stdout.split() if n.partition(":")[2].startswith(f"{KUBERNETES_VERSION}-")]
        image, why = choose_node_image(override, official, built)
        if image is None:
            raise ClusterError(_("no kind node image: {why}").format(why=why))
        where = os.environ.get("DOCKER_HOST") or _("the default Docker daemon")
        (log.info if image == KIND_NODE_IMAGE else log.warning)(
            _("kind node image {image}: {why} ({daemon})").format(image=image, why=why, daemon=where))
        return image

    def _labels(self, image: str) -> dict[str, str]:
        docker = shutil.which("docker") or "docker"
        out = run([docker, "image", "inspect", "--format", "{{json .Config.Labels}}", image], TIMEOUTS["docker"],
                  "docker image inspect", check=False)
        try:
            return json.loads(out.stdout) or {} if out.returncode == 0 else {}
        except ValueError:
            return {}

    def _kind(self, status: Status) -> str:
        from ..binaries import install_optional

        return str(install_optional("kind", status)["kind"])

    def _clusters(self, kind: str) -> list[str]:
        return run([kind, "get", "clusters"], TIMEOUTS["get"], "kind get clusters").stdout.split()

    def api(self):  # -> kworkshop.kube.transport.KitApiClient
        from ..kube.transport import new_client

        return new_client(self.kubeconfig, cluster=self.name)

    def _install_metrics_server(self) -> None:
        from ..kube.client import server_side_apply

        api = self.api()
        for doc in metrics_server_manifest(shipped.text(shipped.METRICS_SERVER)):
            server_side_apply(doc, api=api)

    # -- down, status ---------------------------------------------------------------------

    def down(self, status: Status | None = None) -> list[str]:
        """Delete the cluster; [] when there was nothing to delete. Keeps the kit's folder if it failed."""
        if not self.exists():
            return []
        status = status or LoggingStatus()
        with step(status, _("Deleting kind cluster {name}").format(name=self.name)):
            try:
                kind = self._kind(status)
            except KworkshopError as exc:
                return [_("the kind binary is not available, so the cluster was kept: {error}").format(error=exc)]
            return self._delete(kind)

    def _delete(self, kind: str) -> list[str]:
        """``kind delete cluster`` (a no-op for kind when the cluster is gone), then forget the folder."""
        try:
            run([kind, "delete", "cluster", "--name", self.name], TIMEOUTS["delete"], "kind delete cluster")
        except CommandError as exc:
            return [str(exc)]
        shutil.rmtree(self.root, ignore_errors=True)
        return []

    def status(self) -> ClusterStatus:
        """The node containers (docker) and the apiserver with its nodes."""
        if not self.exists():
            return ClusterStatus(self.name, self.backend, False, self.kubeconfig)
        problems: list[str] = []
        components: dict[str, int | str | None] = {}
        docker = shutil.which("docker") or "docker"
        try:
            out = run([docker, "ps", "--all", "--filter", f"label=io.x-k8s.kind.cluster={self.name}",
                       "--format", "{{.Names}}\t{{.State}}"], TIMEOUTS["docker"], "docker ps")
            components.update(node_states(out.stdout))
            if not components:
                problems.append(_("no node containers: the cluster is gone from Docker"))
        except CommandError as exc:
            problems.append(_("docker ps failed: {error}").format(error=str(exc).splitlines()[0]))
        probe = probe_apiserver(self.kubeconfig) if self.kubeconfig.is_file() else ApiProbe(N_("no kubeconfig"))
        return ClusterStatus(self.name, self.backend, True, self.kubeconfig, components, probe.ready_nodes,
                             probe.total_nodes, probe.apiserver, tuple(problems))
