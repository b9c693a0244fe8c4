"""kworkshop: a hands-on Kubernetes workloads workshop on a real control plane.

    import kworkshop as kw
    cluster = kw.up()          # or reattach when it already runs
    cluster.nodes()
    kw.down()

Every verb acts through a connection (API client + namespace): ``kube=`` names one explicitly
(``kw.connect(...)`` makes it), else the default that ``kw.up``/``kw.start``/``kw.use`` set.
"""

import sys as _sys

from . import kube as _kube
from .errors import (
    ApiError,
    BinariesError,
    ClusterError,
    ClusterNotFoundError,
    ConfigError,
    ConflictError,
    ForbiddenError,
    InvalidError,
    KworkshopError,
    NotFoundError,
    RolloutStuckError,
    WaitTimeout,
)

__version__ = "0.1.0"


def _default_cluster():  # -> KitApiClient
    """The cluster a verb talks to when no kubeconfig names one: the kit's own (``kworkshop up``)."""
    from .cluster import attach

    return attach().api_client


_kube.register_default_cluster(_default_cluster)  # kube sits below cluster and must not import it

# The public names load on first use (PEP 562): `python -m kworkshop.agent` and the CLI run
# this file too, and must not pay for the `kubernetes` client, matplotlib or IPython. Each name is
# imported once and kept here, so `kw.scale is kw.scale`.
_LAZY = {
    "install": (".binaries", "install"),
    "Cluster": (".cluster", "Cluster"), "ClusterStatus": (".cluster", "ClusterStatus"),
    "attach": (".cluster", "attach"), "down": (".cluster", "down"), "status": (".cluster", "status"),
    "up": (".cluster", "up"),
    "solution": (".exercises", "solution"), "solve": (".exercises", "solve"),
    "cron": (".kube.cron", None), "rollout": (".kube.rollout", None),
    "apply": (".kube.apply", "apply"), "autoscale": (".kube.autoscale", "autoscale"),
    "JobFailedError": (".kube.batch", "JobFailedError"),
    "create_job_from_cronjob": (".kube.batch", "create_job_from_cronjob"),
    "wait_for_job": (".kube.batch", "wait_for_job"),
    "Connection": (".kube.connection", "Connection"), "connect": (".kube.connection", "connect"),
    "use": (".kube.connection", "use"),
    "describe": (".kube.describe", "describe"),
    "delete": (".kube.get", "delete"), "events": (".kube.get", "events"), "get": (".kube.get", "get"),
    "label": (".kube.get", "label"), "labelable_nodes": (".kube.get", "labelable_nodes"),
    "logs": (".kube.get", "logs"),
    "create_namespace": (".kube.namespaces", "create_namespace"),
    "fresh_namespace": (".kube.namespaces", "fresh_namespace"),
    "scale": (".kube.scale", "scale"), "set_image": (".kube.scale", "set_image"),
    "start": (".session", "start"),
    "load": (".load", None),
    "live": (".live", None),  # matplotlib / notebook-only helpers
    "check": (".checks", None),
}
def __getattr__(name: str):
    """Import a public name on first use."""
    if name not in _LAZY:
        raise AttributeError(f"module 'kworkshop' has no attribute {name!r}")
    import importlib

    module_name, attr = _LAZY[name]
    module = importlib.import_module(module_name, __name__)
    value = module if attr is None else getattr(module, attr)
    from . import boundary

    boundary.install_error_display()
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if "IPython" in _sys.modules:  # in Jupyter, the kit's errors show as one sentence from the start
    from . import boundary

    boundary.install_error_display()

__all__ = [
    "ApiError",
    "BinariesError",
    "Cluster",
    "ClusterError",
    "ClusterNotFoundError",
    "ClusterStatus",
    "ConfigError",
    "ConflictError",
    "Connection",
    "ForbiddenError",
    "InvalidError",
    "JobFailedError",
    "KworkshopError",
    "NotFoundError",
    "RolloutStuckError",
    "WaitTimeout",
    "apply",
    "attach",
    "autoscale",
    "check",
    "connect",
    "create_job_from_cronjob",
    "create_namespace",
    "cron",
    "delete",
    "describe",
    "down",
    "events",
    "fresh_namespace",
    "get",
    "install",
    "label",
    "labelable_nodes",
    "live",
    "load",
    "logs",
    "rollout",
    "scale",
    "set_image",
    "solution",
    "solve",
    "start",
    "status",
    "up",
    "use",
    "wait_for_job",
]
