"""The kubeconfig backend: any existing cluster (a cloud cluster, minikube, a class cluster).

The kit never creates or deletes such a cluster: ``down`` only forgets it (its record), and the
cluster keeps running. ``up`` checks that it answers and what the
chapters need, and says up front which parts will not work and why, instead of failing midway:
the metrics API (chapter 5's autoscaling), the right to label nodes (node selection), the right to
create namespaces (every notebook makes its own). The traffic model is off here: real pods make
real load.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from kubernetes import client

from .. import i18n, settings
from ..errors import ApiError, ClusterError
from ..i18n import N_, _
from ..kube.transport import new_client
from ..progress import LoggingStatus, Status, step
from .backend import ClusterStatus, shell_env
from .health import external_status


@dataclass(frozen=True)
class Capability:
    """What a chapter needs, whether this cluster gives it, and (when not) what will not work.

    ``name`` is a key (English, marked with ``N_``, translated when shown); ``why`` and ``affects``
    are sentences already in the learner's language.
    """

    name: str
    ok: bool
    why: str
    affects: str

    def __str__(self) -> str:
        name = i18n._(self.name)
        if self.ok:
            return "✓ " + _("{name}: {why}").format(name=name, why=self.why)
        return "✗ " + _("{name}: {why} -> {affects}").format(name=name, why=self.why, affects=self.affects)


@dataclass(frozen=True)
class KubeconfigOptions:
    """The kubeconfig file (default: ``$KUBECONFIG``, else ``~/.kube/config``) and its context
    (default: its current one)."""

    kubeconfig: str | None = None
    context: str | None = None


class ExternalCluster:
    """A cluster the kit only uses, known under ``name``; ``down`` never deletes anything on it.

    ``down`` only makes the kit forget the cluster (the façade removes its record): the cluster,
    its namespaces and its workloads keep running.
    """

    backend = "kubeconfig"
    summary = N_("an existing cluster your kubeconfig reaches (--kubeconfig, --context)")
    Options = KubeconfigOptions
    spare_name = "kubeconfig"  # a learner's kubeconfig works beside the kit's own cluster

    def __init__(self, kubeconfig: str | Path | None = None, context: str | None = None,
                 name: str | None = None) -> None:
        # an absolute path, so the record still finds the file from another working directory
        self.kubeconfig_path = Path(kubeconfig or os.environ.get("KUBECONFIG", "").split(os.pathsep)[0]
                                    or Path.home() / ".kube" / "config").expanduser().absolute()
        self.context = context
        self.name = name or context or "current-context"
        self.capabilities: list[Capability] = []

    @property
    def kubeconfig(self) -> Path:
        return self.kubeconfig_path

    @classmethod
    def open(cls, name: str, options: KubeconfigOptions) -> ExternalCluster:
        return cls(options.kubeconfig, options.context, name=name)

    @classmethod
    def available(cls) -> tuple[bool, str]:
        """Usable when the default kubeconfig file is there; whether the cluster answers is ``up``'s check."""
        path = cls().kubeconfig_path
        if path.is_file():
            return True, _("the kubeconfig {path} exists").format(path=path)
        return False, _("there is no kubeconfig at {path}").format(path=path)

    @classmethod
    def auto_claim(cls) -> None:
        return None  # using someone's cluster is always asked for

    def recorded_options(self) -> dict[str, str]:
        return {"kubeconfig": str(self.kubeconfig_path), **({"context": self.context} if self.context else {})}

    def exists(self) -> bool:
        return self.kubeconfig_path.is_file()

    def status(self) -> ClusterStatus:
        """The apiserver answers and the nodes it shows; the kit runs nothing for this cluster."""
        return external_status(self.name, self.kubeconfig_path, self.context)

    def env(self) -> dict[str, str]:
        """KUBECONFIG and the pinned kubectl on PATH; a chosen context comes first in KUBECONFIG.

        kubectl merges the files of KUBECONFIG and takes ``current-context`` from the first that
        sets it, so a three-line file naming the context makes plain `kubectl` use it.
        """
        env = shell_env(self.kubeconfig_path)
        if self.context:
            from .. import paths

            pick = paths.state_dir() / ".backends" / f"{self.name}.context.yaml"
            pick.parent.mkdir(parents=True, exist_ok=True)
            pick.write_text(f"apiVersion: v1\nkind: Config\ncurrent-context: {json.dumps(self.context)}\n")
            env["KUBECONFIG"] = f"{pick}{os.pathsep}{self.kubeconfig_path}"
        return env

    def api(self) -> client.ApiClient:
        if not self.exists():
            raise ClusterError(_("no kubeconfig at {path}: pass kubeconfig=... or set KUBECONFIG.")
                               .format(path=self.kubeconfig_path))
        return new_client(self.kubeconfig_path, self.context, cluster=self.name)

    def up(self, nodes: int = 3, status: Status | None = None) -> None:
        """Check the cluster answers and record what the chapters can use on it."""
        status = status or LoggingStatus()
        with step(status, _("Checking the existing cluster ({name})").format(name=self.name)):
            api = self.api()
            try:
                client.VersionApi(api).get_code(_request_timeout=10)
            except Exception as exc:
                raise ClusterError(_("the cluster of context {name!r} does not answer: {error}")
                                   .format(name=self.name, error=exc)) from exc
            self.capabilities = preflight(api)
        for cap in self.capabilities:
            status.start(str(cap))
            status.end(cap.ok)

    def down(self, status: Status | None = None) -> list[str]:
        """Delete nothing: the cluster is not the kit's. The façade then forgets its record."""
        return []


# the capabilities' names: keys (tests and callers compare them), translated when shown
METRICS = N_("metrics API")
LABEL_NODES = N_("label nodes")
YOUR_NAMESPACE = N_("your namespace")
CREATE_NAMESPACES = N_("create namespaces")


def _allowed(api: client.ApiClient, verb: str, resource: str, group: str = "", namespace: str | None = None) -> bool:
    review = {"spec": {"resourceAttributes": {"verb": verb, "resource": resource, "group": group,
                                              **({"namespace": namespace} if namespace else {})}}}
    result = client.AuthorizationV1Api(api).create_self_subject_access_review(review)
    return bool(result.status.allowed)


def preflight(api: client.ApiClient) -> list[Capability]:
    """What the chapters need, checked against this cluster and these credentials."""
    caps = []
    try:  # API discovery is open to every authenticated user, unlike reading the APIService
        api.request("GET", f"{api.configuration.host}/apis/metrics.k8s.io/v1beta1", _request_timeout=10)
        caps.append(Capability(METRICS, True, _("metrics-server answers"), ""))
    except ApiError as exc:
        if exc.status == 403:  # the group exists (else 404): this account just may not list it all
            caps.append(Capability(METRICS, True, _("metrics-server answers (this account sees only some of it)"),
                                   ""))
        else:
            why = (_("metrics-server is not installed") if exc.status == 404
                   else _("metrics.k8s.io answers {status}").format(status=exc.status))
            caps.append(Capability(METRICS, False, why, _("03-autoscaling will not scale; `kubectl top` fails")))
    if _allowed(api, "patch", "nodes"):
        caps.append(Capability(LABEL_NODES, True, _("allowed"), ""))
    else:  # a class learner may label only the nodes given to them (RBAC resourceNames)
        own = _own_nodes(api)
        if own:
            caps.append(Capability(LABEL_NODES, True, _("only your own nodes: {nodes}").format(nodes=", ".join(own)),
                                   ""))
        else:
            caps.append(Capability(LABEL_NODES, False, _("not allowed for your account"),
                                   _("05-daemonsets-and-node-selection: the labelling cells fail")))
    given = settings.NAMESPACE.get()
    if given and _allowed(api, "create", "pods", namespace=given):
        caps.append(Capability(YOUR_NAMESPACE, True, _("{namespace} (every notebook works there)").format(
            namespace=given), ""))
    else:
        ok = _allowed(api, "create", "namespaces")
        caps.append(Capability(CREATE_NAMESPACES, ok, _("allowed") if ok else _("not allowed for your account"),
                               _("every notebook: set `namespace` to one you own")))
    return caps


def _own_nodes(api: client.ApiClient) -> list[str]:
    """The nodes this account may patch one by one (a class learner's own), if it may list nodes."""
    try:
        names = sorted(n.metadata.name for n in client.CoreV1Api(api).list_node(_request_timeout=10).items)
    except ApiError:
        return []
    auth = client.AuthorizationV1Api(api)
    return [name for name in names if auth.create_self_subject_access_review(
        {"spec": {"resourceAttributes": {"verb": "patch", "resource": "nodes", "name": name}}}).status.allowed]
