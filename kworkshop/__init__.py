"""kworkshop: a hands-on Kubernetes workloads workshop on a real control plane.

    import kworkshop as kw
    cluster = kw.up()          # or reattach when it already runs
    cluster.nodes()
    kw.down()
"""

from .binaries import install
from .cluster import Cluster, ClusterStatus, attach, down, status, up
from .errors import (
    BinariesError,
    ClusterError,
    ClusterNotFoundError,
    ConfigError,
    KworkshopError,
)

__version__ = "0.1.0"

__all__ = [
    "BinariesError", "Cluster", "ClusterError", "ClusterNotFoundError", "ClusterStatus",
    "ConfigError", "KworkshopError", "attach", "down", "install", "status", "up",
]
