"""The embedded backend: a real control plane on this machine, its nodes and kubelets simulated by KWOK.

``cluster`` is the backend (``EmbeddedCluster``: ``kwokctl --runtime binary`` under a lock, the
node agent beside it); ``kwokconfig`` and ``etcdtls`` write kwokctl's configuration; ``kubelet/``
the stages that stand in for the kubelet; ``ports`` and ``identity`` keep concurrent clusters
apart; ``components``, ``healing`` and ``readiness`` start, heal and wait for the processes;
``addons`` installs what a kubeadm cluster has (kube-proxy, CoreDNS, metrics-server's APIService).
"""

from __future__ import annotations

from .cluster import EmbeddedCluster

__all__ = ["EmbeddedCluster"]
