"""The embedded backend: a real control plane with KWOK-simulated nodes, run by kwokctl.

``up`` is a checklist (kind's habit): binaries -> control plane -> nodes -> system DaemonSets ->
node agent -> metrics.
Each step is idempotent, so ``up`` on a running cluster reattaches, and on a half-dead one (a
killed component, stale pid files) restarts what is missing; kwokctl's ``start cluster`` skips the
components that still run. ``down`` tries every step, then sweeps any process that still mentions
the cluster's folder, and reports what it could not undo.

Layout on disk (``paths.state_dir()``)::

    kwok/                       KWOK_WORKDIR: kwokctl's own clusters/<name>/ (certs, etcd, pids, logs)
    <name>/kwokctl.yaml         the config the kit generated (kwokconfig.render)
    <name>/logs/                container logs written by the node agent, CRI format
    <name>/agent.pid|agent.log  the node agent
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

from ... import paths, programs
from ...agent.logs import cri_lines
from ...binaries import Binaries, install, locate
from ...errors import ClusterError, CommandError
from ...i18n import N_, _, ngettext
from ...polling import poll
from ...progress import LoggingStatus, Status, step
from .. import processes, shipped
from . import healing, identity, kwokconfig, ports
from .kubelet import Timings

COMPONENTS = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler",
              "kwok-controller", "metrics-server")


@dataclass(frozen=True)
class ClusterLayout:
    """Every path of one embedded cluster."""

    name: str
    root: Path  # paths.state_dir()

    @property
    def kwok_workdir(self) -> Path:
        return self.root / "kwok"

    @property
    def kwok_cluster_dir(self) -> Path:
        return self.kwok_workdir / "clusters" / self.name

    @property
    def kit_dir(self) -> Path:
        return self.root / self.name

    @property
    def config(self) -> Path:
        return self.kit_dir / "kwokctl.yaml"

    @property
    def logs_dir(self) -> Path:
        return self.kit_dir / "logs"

    @property
    def agent_pid(self) -> Path:
        return self.kit_dir / "agent.pid"

    @property
    def agent_log(self) -> Path:
        return self.kit_dir / "agent.log"

    @property
    def kubeconfig(self) -> Path:
        return self.kwok_cluster_dir / "kubeconfig.yaml"

    @property
    def pids_dir(self) -> Path:
        return self.kwok_cluster_dir / "pids"


class Kwokctl:
    """Runs kwokctl with the kit's workdir and the pinned kubectl first on PATH."""

    def __init__(self, binaries: Binaries, layout: ClusterLayout) -> None:
        self.binaries = binaries
        self.layout = layout

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["KWOK_WORKDIR"] = str(self.layout.kwok_workdir)
        # kwokctl runs exec.LookPath("kubectl") before its own config: the pinned one must win.
        env["PATH"] = f"{self.binaries.kubectl_dir}{os.pathsep}{env.get('PATH', '')}"
        return env

    def run(self, *args: str, timeout: float = 300, action: str = "") -> str:
        """Run ``kwokctl args``; ``action`` ("create", "delete" or "") words its errors."""
        argv = [str(self.binaries["kwokctl"]), "--name", self.layout.name, *args]
        out = programs.run(argv, timeout=timeout, what="kwokctl", env=self.env(), late=self._late(action, timeout),
                           failed=self._failed(action))
        return out.stdout + out.stderr

    @staticmethod
    def _late(action: str, timeout: float) -> str:
        seconds = f"{timeout:.0f}"
        if action == "create":
            return _("kwokctl did not finish to create the cluster within {seconds}s").format(seconds=seconds)
        if action == "delete":
            return _("kwokctl did not finish to delete the cluster within {seconds}s").format(seconds=seconds)
        return _("kwokctl did not finish its work within {seconds}s").format(seconds=seconds)

    @staticmethod
    def _failed(action: str) -> str:
        if action == "create":
            return _("kwokctl failed to create the cluster")
        if action == "delete":
            return _("kwokctl failed to delete the cluster")
        return _("kwokctl failed")


@dataclass(frozen=True)
class EmbeddedOptions:
    """``kw.up(extra_images=[...])`` adds images that exist to the catalogue (``agent/images.py``);
    ``timings`` are the simulated kubelet's (tests make them shorter). Both apply when it is created."""

    extra_images: tuple[str, ...] = ()
    timings: Timings = Timings()


class EmbeddedCluster:
    """One embedded cluster, by name; cheap to construct, nothing happens until a method runs."""

    backend = "embedded"
    summary = N_("a real control plane on this machine, nodes simulated by KWOK (no Docker)")
    Options = EmbeddedOptions
    spare_name = None

    def __init__(self, name: str = "kworkshop", root: Path | None = None,
                 options: EmbeddedOptions = EmbeddedOptions()) -> None:
        self.layout = ClusterLayout(name, root or paths.state_dir())
        self.name = name
        self.options = options

    # -- the backend contract ------------------------------------------------------------

    @classmethod
    def open(cls, name: str, options: EmbeddedOptions) -> EmbeddedCluster:
        return cls(name, options=options)

    @classmethod
    def auto_claim(cls) -> tuple[int, str]:
        return 1, _("the embedded cluster needs no Docker and no existing cluster")

    def recorded_options(self) -> dict[str, str]:
        return {}

    @property
    def capabilities(self) -> list:
        return []

    def api(self):  # -> KitApiClient
        from ...kube.transport import new_client

        return new_client(self.kubeconfig, cluster=self.name)

    @classmethod
    def available(cls) -> tuple[bool, str]:
        """Always usable where the binaries are cached or can be built; says which."""
        if locate() is not None:
            return True, _("the pinned binaries are installed")
        if shutil.which("go"):
            return True, _("the binaries are not installed yet but can be built with Go")
        return True, _("the binaries will be downloaded (no Go toolchain found to build them)")

    def exists(self) -> bool:
        """Whether the cluster was created (running or not)."""
        return (self.layout.kwok_cluster_dir / "kwok.yaml").is_file()

    @property
    def kubeconfig(self) -> Path:
        return self.layout.kubeconfig

    def status(self):  # -> backend.ClusterStatus
        """Components (pid files), apiserver and Ready nodes; never raises on a sick cluster."""
        from ..health import embedded_status

        return embedded_status(self, check=self._identity_problem)

    def _identity_problem(self, api) -> str | None:
        """Why the apiserver answering is not this cluster's own, or None (see ``identity``)."""
        return identity.mismatch(identity.read(self.layout.kit_dir), identity.live_uid(api))

    def env(self) -> dict[str, str]:
        """KUBECONFIG for this cluster and PATH with the pinned kubectl first."""
        from ..backend import shell_env

        return shell_env(self.kubeconfig)

    def up(self, nodes: int = 3, status: Status | None = None, timeout: float = 180) -> None:
        """Create the cluster, or bring an existing one back to full health; idempotent.

        Concurrent calls (Binder's start script and the first notebook, say) take turns on a lock
        file: the second one finds the cluster up and only checks it.
        """
        status = status or LoggingStatus()
        self.layout.root.mkdir(parents=True, exist_ok=True)
        with self._lock():
            self._up(nodes, status, tuple(self.options.extra_images), self.options.timings, timeout)

    @contextmanager
    def _lock(self) -> Iterator[None]:
        """One up or down at a time per cluster, across processes."""
        with open(self.layout.root / f".{self.name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def _up(self, nodes: int, status: Status, extra_images: tuple[str, ...], timings: Timings,
            timeout: float) -> None:
        binaries = install(status)
        created = False
        if self.exists():
            healing.heal(self.layout.kwok_cluster_dir, self.layout.kit_dir, self.layout.kubeconfig,
                         self.name, status, timeout=min(timeout, 60))
        else:
            with step(status, _("Creating the control plane ({name})").format(name=self.name)):
                self._create(binaries, extra_images, timings, timeout)
            created = True
        os.chmod(self.layout.kubeconfig, 0o600)
        from ...kube.namespaces import wait_for_default_service_account
        from ...kube.transport import new_client
        from . import addons, readiness  # the Kubernetes client is only needed once the cluster runs

        api = new_client(self.layout.kubeconfig, cluster=self.name, retries=False)
        try:
            readiness.wait_apiserver(api, timeout)
            identity.ensure(api, self.name, self.layout.kit_dir)  # the apiserver answering is ours
            if created:  # what died while the new apiserver was slow to answer is started again
                healing.settle(self.layout.kwok_cluster_dir, self.layout.kit_dir, self.layout.kubeconfig,
                               self.name, status, timeout=min(timeout, 60))
            with step(status, ngettext("Registering {count} simulated node", "Registering {count} simulated nodes",
                                       nodes).format(count=nodes)):
                readiness.ensure_nodes(api, nodes)
            with step(status, _("Installing kube-system's DaemonSets (kube-proxy, node-problem-detector)")):
                addons.ensure(api, timeout)  # their pods start on their own: no wait here
            with step(status, _("Starting the node agent (container logs)")):
                self._ensure_agent()
            with step(status, _("Waiting for nodes Ready and the metrics API")):
                readiness.wait_nodes_ready(api, nodes, timeout)
                readiness.wait_metrics_api(api, timeout)
                # pods in `default` are refused until its ServiceAccount exists
                wait_for_default_service_account("default", timeout, api)
        except BaseException:
            if created:
                self._down(LoggingStatus())  # we hold the lock already
            raise
        finally:
            api.close()

    def _create(self, binaries: Binaries, extra_images: tuple[str, ...], timings: Timings,
                timeout: float) -> None:
        """Choose ports no other cluster on the machine holds, write the config, run kwokctl."""
        kwokctl = Kwokctl(binaries, self.layout)
        with ports.machine_lock():
            self.layout.kit_dir.mkdir(parents=True, exist_ok=True)
            chosen = ports.allocate(self.layout.kit_dir)
            self._write_config(binaries, extra_images, timings, chosen)
            try:
                kwokctl.run("create", "cluster", "--runtime", "binary", "--config",
                            str(self.layout.config), "--kubeconfig", "", "--wait",
                            f"{int(timeout)}s", "--timeout", f"{int(timeout)}s",
                            timeout=timeout + 30, action="create")
            except CommandError:
                self._cleanup_failed_create(kwokctl)
                raise

    def down(self, status: Status | None = None) -> list[str]:
        """Stop every process, free every port and delete the cluster; returns what was left.

        Succeeds (returns []) when there is nothing to delete.
        """
        status = status or LoggingStatus()
        if not self.layout.root.exists():
            return []
        with self._lock():
            return self._down(status)

    def _down(self, status: Status) -> list[str]:
        problems: list[str] = []
        recorded_ports = self.ports()
        with step(status, _("Deleting cluster {name}").format(name=self.name)):
            if not processes.stop_pidfile(self.layout.agent_pid):
                problems.append(_("the node agent did not stop"))
            binaries = locate()
            if binaries is not None and self.exists():
                try:
                    Kwokctl(binaries, self.layout).run("delete", "cluster", timeout=120, action="delete")
                except CommandError as exc:
                    problems.append(_("kwokctl delete cluster failed: {error}").format(error=exc))
            # After a crash kwokctl may not know a process any more: sweep by folder (whole path
            # components: cluster `rel` must not take `rel-2` with it).
            leftovers = (processes.processes_under(self.layout.kwok_cluster_dir)
                         + processes.processes_under(self.layout.kit_dir))
            alive = processes.terminate(leftovers)
            problems += [_("process {pid} would not stop").format(pid=p.pid) for p in alive]
            shutil.rmtree(self.layout.kwok_cluster_dir, ignore_errors=True)
            shutil.rmtree(self.layout.kit_dir, ignore_errors=True)
            ports.release(self.layout.kit_dir)
            poll(lambda: not processes.listening_ports(recorded_ports), 10)
            busy = processes.listening_ports(recorded_ports)
            problems += [_("port {port} is still in use").format(port=p) for p in busy]
        return problems

    # -- facts ----------------------------------------------------------------------------

    def ports(self) -> list[int]:
        """The TCP ports kwokctl recorded for this cluster's components."""
        try:
            docs = list(yaml.safe_load_all((self.layout.kwok_cluster_dir / "kwok.yaml").read_text()))
        except (OSError, yaml.YAMLError):
            return []
        found: set[int] = set()
        for doc in docs:
            if isinstance(doc, dict) and doc.get("kind") == "KwokctlConfiguration":
                for comp in doc.get("components") or []:
                    found.update(int(p["port"]) for p in comp.get("ports") or [] if p.get("port"))
                for key, value in (doc.get("options") or {}).items():
                    if key.endswith("Port") and isinstance(value, int) and value:
                        found.add(value)
        return sorted(found)

    def component_pids(self) -> dict[str, int | None]:
        """Each component's pid, or None when it does not run."""
        pids = {c: processes.read_pid(self.layout.pids_dir / f"{c}.pid") for c in COMPONENTS}
        pids["kworkshop-agent"] = processes.read_pid(self.layout.agent_pid)
        return pids

    # -- steps ----------------------------------------------------------------------------

    def _write_config(self, binaries: Binaries, extra_images: tuple[str, ...], timings: Timings,
                      chosen_ports: dict[str, int]) -> None:
        kit = self.layout.kit_dir
        kit.mkdir(parents=True, exist_ok=True)
        self.layout.logs_dir.mkdir(parents=True, exist_ok=True)
        # kwokctl runs `kubectl kustomize` on a local manifest path, so it must be a folder.
        manifest = kit / "metrics-server"
        manifest.mkdir(exist_ok=True)
        (manifest / shipped.METRICS_SERVER).write_text(shipped.text(shipped.METRICS_SERVER))
        (manifest / "kustomization.yaml").write_text("apiVersion: kustomize.config.k8s.io/v1beta1\n"
                                                     f"kind: Kustomization\nresources:\n- {shipped.METRICS_SERVER}\n")
        default_log = self.layout.logs_dir / "default.log"
        default_log.write_text(cri_lines(
            "container started (simulated by KWOK; this container prints nothing else)"))
        self.layout.config.write_text(kwokconfig.render(binaries, manifest, default_log, extra_images,
                                                        timings, chosen_ports,
                                                        self.layout.kwok_cluster_dir / "pki"))

    def _cleanup_failed_create(self, kwokctl: Kwokctl) -> None:
        try:
            kwokctl.run("delete", "cluster", timeout=120)
        except CommandError:
            pass
        processes.terminate(processes.processes_under(self.layout.kwok_cluster_dir))
        shutil.rmtree(self.layout.kwok_cluster_dir, ignore_errors=True)
        shutil.rmtree(self.layout.kit_dir, ignore_errors=True)
        ports.release(self.layout.kit_dir)

    def _ensure_agent(self) -> None:
        if processes.read_pid(self.layout.agent_pid) is not None:
            return
        argv = processes.python_module_argv(
            "kworkshop.agent", "--kubeconfig", str(self.layout.kubeconfig),
            "--logs-dir", str(self.layout.logs_dir))
        pid = processes.spawn_detached(argv, self.layout.agent_log, self.layout.agent_pid)
        time.sleep(0.3)
        if processes.read_pid(self.layout.agent_pid) != pid:
            tail = self.layout.agent_log.read_text()[-2000:] if self.layout.agent_log.exists() else ""
            raise ClusterError(_("the node agent exited at once; its log says:\n{log}").format(log=tail))
