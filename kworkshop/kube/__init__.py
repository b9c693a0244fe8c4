"""The verbs over the Kubernetes API, and what they need of it (a transport, watches, facts).

``kube`` sits below ``cluster``: it never imports it. When no kubeconfig names a cluster, the
default connection asks ``default_cluster()``, a function the package's top (``kworkshop/__init__.py``)
registers with ``register_default_cluster``: it attaches to the kit's own cluster. This module
loads nothing (the node agent imports ``kube`` modules and stays lean).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_default_cluster: Callable[[], Any] | None = None


def register_default_cluster(find: Callable[[], Any]) -> None:
    """``find()`` returns an API client for the kit's default cluster (or raises the kit's error)."""
    global _default_cluster
    _default_cluster = find


def default_cluster() -> Any:
    """An API client for the kit's default cluster, found by what the top layer registered."""
    if _default_cluster is None:
        raise RuntimeError("no default cluster finder registered: import kworkshop first")
    return _default_cluster()
