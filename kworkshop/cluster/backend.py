"""The one contract every cluster backend keeps, and the status snapshot they all return.

kind's ``Provider`` is the model: the façade (``kworkshop.cluster``) knows only this Protocol, so
``down``, ``status``, ``env`` and ``attach`` work the same whichever backend made the cluster
(embedded, kind, kubeconfig). A backend never prints; progress goes through a ``Status``.

``command`` writes the CLI hints: a hint always names the cluster the user asked for, so
``kworkshop up --name X`` ends with ``eval "$(kworkshop env --name X)"`` rather than pointing at
another cluster.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from ..progress import Status

# the name `kworkshop ...` picks when no --name is given and KWORKSHOP_CLUSTER is not set
PLAIN_NAME = "kworkshop"


def command(verb: str, name: str, *extra: str) -> str:
    """The CLI command for ``verb`` on cluster ``name``, e.g. ``kworkshop env --name X``.

    ``--name`` is left out only for the plain default name, and only when no KWORKSHOP_CLUSTER
    would make the same command mean another cluster in this shell.
    """
    plain = name == PLAIN_NAME and os.environ.get("KWORKSHOP_CLUSTER", PLAIN_NAME) == PLAIN_NAME
    return " ".join(["kworkshop", verb, *extra, *([] if plain else ["--name", name])])


@dataclass(frozen=True)
class ClusterStatus:
    """A snapshot of one cluster's health, readable as text.

    ``components`` maps what the kit runs for the cluster to a pid (embedded) or a container state
    (kind); None means it does not run. ``problems`` make the cluster DEGRADED; ``notes`` only inform.
    """

    name: str
    backend: str
    exists: bool
    kubeconfig: Path
    components: dict[str, int | str | None] = field(default_factory=dict)
    ready_nodes: int = 0
    total_nodes: int = 0
    apiserver: str = "not running"
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def healthy(self) -> bool:
        return (self.exists and self.apiserver == "ok" and not self.problems
                and all(state is not None for state in self.components.values()))

    def __str__(self) -> str:
        if not self.exists:
            if self.backend == "kubeconfig":
                return (f"cluster {self.name}: its kubeconfig {self.kubeconfig} is missing (run "
                        f"`{command('up', self.name, '--backend', 'kubeconfig', '--kubeconfig', 'FILE')}`)")
            return f"cluster {self.name}: not created (run `{command('up', self.name)}`)"
        lines = [f"cluster {self.name} ({self.backend}): {'healthy' if self.healthy else 'DEGRADED'}",
                 f"  apiserver: {self.apiserver}",
                 f"  nodes: {self.ready_nodes}/{self.total_nodes} Ready",
                 f"  kubeconfig: {self.kubeconfig}"]
        for comp, state in self.components.items():
            if state is None:
                lines.append(f"  ✗ {comp} (not running)")
            else:
                lines.append(f"  ✓ {comp} " + (f"(pid {state})" if isinstance(state, int) else f"({state})"))
        lines += [f"  ✗ {problem}" for problem in self.problems]
        lines += [f"  {note}" for note in self.notes]
        if not self.healthy:
            lines.append(f"  run `{command('up', self.name)}` to restart what is missing")
        return "\n".join(lines)


@runtime_checkable
class Backend(Protocol):
    """What the façade needs from a backend; cheap to construct, nothing happens until a call.

    ``name`` is the cluster's name, ``backend`` the backend's ("embedded", "kind", "kubeconfig").
    """

    name: str
    backend: str

    @property
    def kubeconfig(self) -> Path:
        """The kubeconfig file that reaches the cluster."""

    def is_available(self) -> tuple[bool, str]:
        """Whether this backend can work on this machine, and what was found."""

    def exists(self) -> bool:
        """Whether the cluster was created (running or not)."""

    def up(self, nodes: int = 3, status: Status | None = None, **options: Any) -> None:
        """Create the cluster or bring it back to health; idempotent. Cleans up what it made on failure."""

    def down(self, status: Status | None = None) -> list[str]:
        """Delete what the kit made; idempotent. Returns what could not be undone ([] when all went well)."""

    def status(self) -> ClusterStatus:
        """The cluster's health; never raises on a sick cluster."""

    def env(self) -> dict[str, str]:
        """Environment variables that point `kubectl` at the cluster."""


def shell_env(kubeconfig: Path) -> dict[str, str]:
    """KUBECONFIG for a cluster and PATH with the pinned kubectl first (when it is installed)."""
    from ..binaries import locate

    env = {"KUBECONFIG": str(kubeconfig)}
    binaries = locate()
    if binaries is not None:
        path = os.environ.get("PATH", "")
        first = str(binaries.kubectl_dir)
        if path.split(os.pathsep)[0] != first:
            path = first + os.pathsep + path
        env["PATH"] = path
    return env


__all__ = ["Backend", "ClusterStatus", "command", "shell_env"]
