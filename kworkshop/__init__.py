"""kworkshop: a hands-on Kubernetes workloads workshop on a real control plane.

    import kworkshop as kw
    cluster = kw.up()          # or reattach when it already runs
    cluster.nodes()
    kw.down()

Every verb acts through a connection (API client + namespace): ``kube=`` names one explicitly
(``kw.connect(...)`` makes it), else the default that ``kw.up``/``kw.start``/``kw.use`` set.
"""

from . import load
from .binaries import install
from .cluster import Cluster, ClusterStatus, attach, down, status, up
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
from .exercises import solution, solve
from .kube import cron, rollout
from .kube.apply import apply
from .kube.autoscale import autoscale
from .kube.batch import JobFailedError, create_job_from_cronjob, wait_for_job
from .kube.connection import Connection, connect, use
from .kube.describe import describe
from .kube.get import delete, events, get, label, labelable_nodes, logs
from .kube.namespaces import create_namespace, fresh_namespace
from .kube.scale import scale, set_image
from .session import start

__version__ = "0.1.0"

# The one boundary (see boundary.py): every public verb translates foreign exceptions, and in
# Jupyter the kit's errors show as one sentence.
from . import boundary

for _name in ("apply", "autoscale", "create_job_from_cronjob", "create_namespace", "delete", "describe", "events",
              "fresh_namespace", "get", "label", "labelable_nodes", "logs", "scale", "set_image", "solve", "start",
              "wait_for_job", "up", "down", "status", "attach", "connect", "use"):
    globals()[_name] = boundary.learner_facing(globals()[_name])
for _module in (rollout, cron, load):
    boundary.wrap_module(_module)
boundary.install_error_display()


def __getattr__(name: str):
    """``kw.live`` loads matplotlib: import it on first use, so the CLI starts fast."""
    if name in ("live", "check"):  # matplotlib / notebook-only helpers: loaded on first use
        import importlib

        return importlib.import_module(".live" if name == "live" else ".checks", __name__)  # self-wrapped
    raise AttributeError(f"module 'kworkshop' has no attribute {name!r}")

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
