"""The one contract every cluster backend keeps, and the status snapshot they all return.

kind's ``Provider`` is the model: the façade (``kworkshop.cluster``) knows only this Protocol, so
``down``, ``status``, ``env`` and ``attach`` work the same whichever backend made the cluster
(embedded, kind, kubeconfig). A backend never prints; progress goes through a ``Status``.

Its hints come from ``commands.command``: a hint always names the cluster the user asked for.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

from ..commands import command
from ..i18n import N_, _
from ..progress import Status


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
    apiserver: str = N_("not running")  # "ok", or why not (English: shown through apiserver_text)
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def healthy(self) -> bool:
        return (self.exists and self.apiserver == "ok" and not self.problems
                and all(state is not None for state in self.components.values()))

    def __str__(self) -> str:
        if not self.exists:
            if self.backend == "kubeconfig":
                return _("cluster {name}: its kubeconfig {kubeconfig} is missing (run `{command}`)").format(
                    name=self.name, kubeconfig=self.kubeconfig,
                    command=command("up", self.name, "--backend", "kubeconfig", "--kubeconfig", "FILE"))
            return _("cluster {name}: not created (run `{command}`)").format(name=self.name,
                                                                             command=command("up", self.name))
        facts = {"name": self.name, "backend": self.backend}
        lines = [_("cluster {name} ({backend}): healthy").format(**facts) if self.healthy
                 else _("cluster {name} ({backend}): DEGRADED").format(**facts),
                 "  " + _("apiserver: {state}").format(state=apiserver_text(self.apiserver)),
                 "  " + _("nodes: {ready}/{total} Ready").format(ready=self.ready_nodes, total=self.total_nodes),
                 "  " + _("kubeconfig: {path}").format(path=self.kubeconfig)]
        for comp, state in self.components.items():
            if state is None:
                lines.append("  ✗ " + _("{component} (not running)").format(component=comp))
            elif isinstance(state, int):
                lines.append("  ✓ " + _("{component} (pid {pid})").format(component=comp, pid=state))
            else:  # a container's state as Docker names it
                lines.append(f"  ✓ {comp} ({state})")
        lines += [f"  ✗ {problem}" for problem in self.problems]
        lines += [f"  {note}" for note in self.notes]
        if not self.healthy:
            lines.append("  " + _("run `{command}` to restart what is missing")
                         .format(command=command("up", self.name)))
        return "\n".join(lines)


def apiserver_text(state: str) -> str:
    """``ClusterStatus.apiserver`` in the learner's language (the field keeps the English value)."""
    if state == "ok":
        return _("ok")
    if state == "not running":
        return _("not running")
    if state == "no kubeconfig":
        return _("no kubeconfig")
    if state.startswith("not answering (") and state.endswith(")"):
        return _("not answering ({error})").format(error=state[len("not answering ("):-1])
    return state


@runtime_checkable
class Backend(Protocol):
    """What the façade needs from a backend; cheap to construct, nothing happens until a call.

    ``backend`` is its registry name ("embedded", "kind", "kubeconfig"), ``summary`` one line for
    the CLI's help (``N_``-marked), ``Options`` the dataclass of what ``kw.up(...)`` may pass it.
    ``name`` is the cluster's name. ``spare_name``: a backend that only attaches (kubeconfig) takes
    it when ``up`` is given no name and the default one is another backend's cluster; None: the
    clash is an error (two clusters the kit makes must be named apart on purpose).
    """

    backend: ClassVar[str]
    summary: ClassVar[str]
    Options: ClassVar[type]
    spare_name: ClassVar[str | None]  # its name when the default one is another backend's cluster
    name: str

    @classmethod
    def open(cls, name: str, options: Any) -> Backend:
        """The handle on cluster ``name`` with these ``Options`` (from ``up`` or from its record)."""

    @classmethod
    def available(cls) -> tuple[bool, str]:
        """Whether this backend can work on this machine, and what was found."""

    @classmethod
    def auto_claim(cls) -> tuple[int, str] | None:
        """Why ``--backend auto`` would choose it and how strongly (lower first), or None: never."""

    def recorded_options(self) -> dict[str, Any]:
        """What its record must keep to open it again (JSON values)."""

    @property
    def kubeconfig(self) -> Path:
        """The kubeconfig file that reaches the cluster."""

    @property
    def capabilities(self) -> list[Any]:
        """What the chapters can use on the cluster, when the backend checks it (else [])."""

    def exists(self) -> bool:
        """Whether the cluster was created (running or not)."""

    def up(self, nodes: int = 3, status: Status | None = None) -> None:
        """Create the cluster or bring it back to health; idempotent. Cleans up what it made on failure."""

    def down(self, status: Status | None = None) -> list[str]:
        """Delete what the kit made; idempotent. Returns what could not be undone ([] when all went well)."""

    def status(self) -> ClusterStatus:
        """The cluster's health; never raises on a sick cluster."""

    def env(self) -> dict[str, str]:
        """Environment variables that point `kubectl` at the cluster."""

    def api(self) -> Any:
        """An API client for the cluster (``kube.transport.new_client``)."""


@dataclass(frozen=True)
class NoOptions:
    """The options of a backend that takes none."""


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


__all__ = ["Backend", "ClusterStatus", "NoOptions", "apiserver_text", "shell_env"]
