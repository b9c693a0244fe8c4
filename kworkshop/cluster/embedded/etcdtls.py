"""etcd that answers only its own cluster: client and peer TLS with the cluster's own CA (pure data).

kwokctl starts etcd on plain HTTP without authentication, so any process on the machine that
knows the port can read and write the cluster. That happened: a healed apiserver of one cluster
connected to another cluster's etcd and served its data, and a foreign kwok-controller wrote
into a third. kwokctl makes a CA per cluster (``pki/ca.crt``) and a certificate signed by it
(``pki/admin.crt``, server and client use, SANs 127.0.0.1 and localhost), so etcd can demand a
client certificate of that CA (``--client-cert-auth``) and the apiserver present one: another
cluster's apiserver, with another CA, is refused in the TLS handshake.

The patches override kwokctl's own ``http://`` URLs in place (``override: true``), so they need
the ports, which the kit chooses itself (``ports.allocate``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any


def _arg(key: str, value: str, override: bool) -> dict[str, Any]:
    return {"key": key, "value": value, "override": override}


def patches(pki: Path, ports: Mapping[str, int]) -> list[dict[str, Any]]:
    """``componentsPatches`` entries for etcd and kube-apiserver."""
    client = f"https://127.0.0.1:{ports['etcdPort']}"
    peer = f"https://127.0.0.1:{ports['etcdPeerPort']}"
    crt, key, ca = str(pki / "admin.crt"), str(pki / "admin.key"), str(pki / "ca.crt")
    etcd = [
        _arg("listen-client-urls", client, True),
        _arg("advertise-client-urls", client, True),
        _arg("listen-peer-urls", peer, True),
        _arg("initial-advertise-peer-urls", peer, True),
        _arg("initial-cluster", f"node0={peer}", True),
        _arg("cert-file", crt, False),
        _arg("key-file", key, False),
        _arg("trusted-ca-file", ca, False),
        _arg("client-cert-auth", "true", False),
        _arg("peer-cert-file", crt, False),
        _arg("peer-key-file", key, False),
        _arg("peer-trusted-ca-file", ca, False),
        _arg("peer-client-cert-auth", "true", False),
    ]
    apiserver = [
        _arg("etcd-servers", client, True),
        _arg("etcd-cafile", ca, False),
        _arg("etcd-certfile", crt, False),
        _arg("etcd-keyfile", key, False),
    ]
    return [{"name": "etcd", "extraArgs": etcd}, {"name": "kube-apiserver", "extraArgs": apiserver}]


__all__ = ["patches"]
