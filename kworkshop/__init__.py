"""kworkshop: a hands-on Kubernetes workloads workshop on a real control plane.

    import kworkshop as kw
    cluster = kw.up()          # or reattach when it already runs
    cluster.nodes()
    kw.down()
"""

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
from .kube import rollout
from .kube.client import use
from .kube.scale import scale, set_image

__version__ = "0.1.0"

__all__ = [
    "ApiError", "BinariesError", "Cluster", "ClusterError", "ClusterNotFoundError", "ClusterStatus",
    "ConfigError", "ConflictError", "ForbiddenError", "InvalidError", "KworkshopError", "NotFoundError",
    "RolloutStuckError", "WaitTimeout", "attach", "down", "install", "rollout", "scale", "set_image",
    "status", "up", "use",
]
