"""A cluster's identity: proof that the apiserver answering is this cluster's own.

Ports can be reused and processes can die, so "something answers on the recorded port" proves
nothing: once, a healed apiserver served another cluster's etcd and ``status`` said ok. At
creation the kit records the UID of the ``kube-system`` namespace (made once, by the apiserver's
first start, and stored in the cluster's own etcd) next to a random cluster id; after every ``up``
and in ``status`` the live UID must match the record.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

from ...errors import ClusterError
from ...i18n import _


@dataclass(frozen=True)
class Identity:
    """What makes this cluster this cluster."""

    cluster_id: str
    kube_system_uid: str


def record_path(kit_dir: Path) -> Path:
    return kit_dir / "identity.json"


def read(kit_dir: Path) -> Identity | None:
    """The recorded identity, or None for a cluster made before identities were recorded."""
    try:
        data = json.loads(record_path(kit_dir).read_text())
        return Identity(str(data["cluster_id"]), str(data["kube_system_uid"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write(kit_dir: Path, kube_system_uid: str) -> Identity:
    """Record a new identity around ``kube_system_uid``."""
    ident = Identity(uuid.uuid4().hex, kube_system_uid)
    kit_dir.mkdir(parents=True, exist_ok=True)
    record_path(kit_dir).write_text(json.dumps({"cluster_id": ident.cluster_id,
                                                "kube_system_uid": ident.kube_system_uid}))
    return ident


def live_uid(api) -> str:  # api: kubernetes.client.ApiClient
    """The UID of ``kube-system`` as the apiserver answering through ``api`` reports it."""
    from kubernetes import client

    return client.CoreV1Api(api).read_namespace("kube-system", _request_timeout=5).metadata.uid


def mismatch(recorded: Identity | None, uid: str) -> str | None:
    """A sentence when ``uid`` is not the recorded cluster's (None when it is, or nothing is recorded)."""
    if recorded is None or recorded.kube_system_uid == uid:
        return None
    return _("the apiserver answering serves another cluster's data (kube-system UID {uid}, "
             "this cluster's is {recorded})").format(uid=uid, recorded=recorded.kube_system_uid)


def ensure(api, name: str, kit_dir: Path) -> Identity:
    """Check the live cluster against the record (recording it the first time); raise if foreign."""
    uid = live_uid(api)
    recorded = read(kit_dir)
    if recorded is None:
        return write(kit_dir, uid)
    problem = mismatch(recorded, uid)
    if problem:
        raise ClusterError(_("cluster {name!r}: {problem}. Delete it with `kworkshop down --name {name}` "
                             "and create it again.").format(name=name, problem=problem))
    return recorded


__all__ = ["Identity", "ensure", "live_uid", "mismatch", "read", "record_path", "write"]
