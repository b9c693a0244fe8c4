"""The exceptions kworkshop raises, so callers can catch one family and learners read one sentence.

The tree::

    KworkshopError                 every error the kit raises on purpose
    ├── BinariesError              a pinned binary is missing and could not be obtained
    │   ├── ChecksumError          a downloaded artifact does not match its pinned sha256
    │   └── BuildError             building from Go modules failed (carries the go output)
    ├── ClusterError               the cluster could not be started, reached or stopped
    │   ├── ClusterNotFoundError   no cluster of that name exists (run `kworkshop up`)
    │   ├── UnreachableError       its API server does not answer (refused, reset, TLS)
    │   └── CommandError           a subprocess failed (carries argv and its output)
    ├── ConfigError                bad input from the user (file, field, value)
    ├── WaitTimeout                a wait (rollout, job, nodes) ran out of time; says what it saw last
    ├── RolloutStuckError          a rollout cannot finish (image pull errors, progress deadline)
    └── ApiError                   the API server refused a request (kube/transport.py translates)
        ├── NotFoundError          404: the object does not exist
        ├── ConflictError          409: it already exists, or changed under us
        ├── GoneError              410: a watch's resourceVersion is too old (the watcher relists)
        ├── InvalidError           422/400: the server rejected the object (field, value)
        └── ForbiddenError         403: RBAC does not allow it

Every message is written for a learner: what went wrong, then the one command that fixes or shows more.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .i18n import _


class KworkshopError(Exception):
    """Base of every error raised on purpose by kworkshop."""


class BinariesError(KworkshopError):
    """A pinned binary (kube-apiserver, etcd, kwokctl, ...) is missing and could not be obtained."""


class ChecksumError(BinariesError):
    """A downloaded release artifact does not match the sha256 pinned in the kit."""


class ClusterError(KworkshopError):
    """The cluster could not be started, reached or stopped."""


class ClusterNotFoundError(ClusterError):
    """No cluster of that name exists."""


class UnreachableError(ClusterError):
    """The API server does not answer: the cluster is down, restarting, or elsewhere."""


class ConfigError(KworkshopError):
    """Bad input from the user: the message names the file, the field and the value."""


class CommandError(ClusterError):
    """A subprocess failed; keeps its argv and output so the message shows what it said."""

    def __init__(self, message: str, argv: Sequence[str], output: str = "", returncode: int = 1):
        self.argv = list(argv)
        self.output = output
        self.returncode = returncode
        tail = "\n".join(output.strip().splitlines()[-25:])
        detail = "\n  " + _("command: {argv}").format(argv=" ".join(self.argv))
        detail += "\n  " + _("exit code: {code}").format(code=returncode)
        if tail:
            detail += "\n  " + _("output (last lines):") + "\n    " + tail.replace("\n", "\n    ")
        super().__init__(message + detail)


class BuildError(BinariesError, CommandError):
    """Building a binary from Go modules failed."""


class ApiError(KworkshopError):
    """The API server refused a request. ``hint`` is the kubectl command that shows more; ``reason``,
    ``detail`` (the server's message) and ``body`` (its Status, decoded) are what it answered."""

    def __init__(self, message: str, status: int = 0, hint: str = "", *, reason: str = "", detail: str = "",
                 body: Any = None) -> None:
        self.status = status
        self.hint = hint
        self.reason = reason
        self.detail = detail or message
        self.body = body
        super().__init__(message + (" " + _("See: {hint}").format(hint=hint) if hint else ""))


class NotFoundError(ApiError):
    """404: the object does not exist."""


class ConflictError(ApiError):
    """409: the object already exists, or was changed by someone else."""


class GoneError(ApiError):
    """410: the resourceVersion a watch resumes from was compacted away; the watcher lists again."""


class InvalidError(ApiError, ConfigError):
    """422 or 400: the server rejected the object; the message names the field."""


class ForbiddenError(ApiError):
    """403: the cluster's RBAC rules do not allow the request."""


class WaitTimeout(KworkshopError, TimeoutError):
    """A wait ran out of time; the message says what was awaited and the last state seen."""


class RolloutStuckError(KworkshopError):
    """A rollout cannot finish on its own: ``reasons`` lists why (pod, reason, message)."""

    def __init__(self, message: str, reasons: list[str] | None = None) -> None:
        self.reasons = list(reasons or [])
        super().__init__(message)
