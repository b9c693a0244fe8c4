"""Which backend made each cluster: one small JSON file per cluster in the state folder.

``<state>/.backends/<name>.json`` holds ``{"name", "backend", ...options}`` (the kubeconfig
backend also keeps its kubeconfig file and context). The façade writes it before a create starts
and removes it only once a delete succeeded, so a half-made or half-deleted cluster is never
forgotten: the next ``down`` finds it and tries again.

The folder is dotted so no cluster's own folder (``<state>/<name>/``, removed by ``down``) can be
it. Clusters made before records existed have none: the façade asks the backends whether such a
cluster is on disk (an embedded one, for backward compatibility).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import paths
from ..errors import ClusterError
from ..i18n import _


@dataclass(frozen=True)
class Record:
    """The backend that made cluster ``name`` and what it needs to find it again."""

    name: str
    backend: str
    options: dict[str, Any] = field(default_factory=dict)


def folder(root: Path | None = None) -> Path:
    return (root or paths.state_dir()) / ".backends"


def _file(name: str, root: Path | None = None) -> Path:
    if not name or "/" in name or name.startswith("."):
        raise ClusterError(_("{name!r} is not a cluster name: use letters, digits and dashes.").format(name=name))
    return folder(root) / f"{name}.json"


def read(name: str, root: Path | None = None) -> Record | None:
    """The record of cluster ``name``, or None when there is none (or it cannot be read)."""
    try:
        data = json.loads(_file(name, root).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("backend"), str):
        return None
    options = {k: v for k, v in data.items() if k not in ("name", "backend")}
    return Record(name, data["backend"], options)


def write(record: Record, root: Path | None = None) -> None:
    """Record (or re-record) a cluster; atomic, so a reader never sees half a file."""
    path = _file(record.name, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"name": record.name, "backend": record.backend, **record.options}, indent=1))
    os.replace(tmp, path)


def forget(name: str, root: Path | None = None) -> None:
    """Remove the record (and the kubeconfig backend's context file); nothing to do when there is none."""
    record = _file(name, root)
    record.unlink(missing_ok=True)
    record.with_name(f"{name}.context.yaml").unlink(missing_ok=True)


__all__ = ["Record", "forget", "read", "write"]
