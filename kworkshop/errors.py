"""The exceptions kworkshop raises, so callers can catch one family and learners read one sentence.

The tree::

    KworkshopError                 every error the kit raises on purpose
    ├── BinariesError              a pinned binary is missing and could not be obtained
    │   ├── ChecksumError          a downloaded artifact does not match its pinned sha256
    │   └── BuildError             building from Go modules failed (carries the go output)
    ├── ClusterError               the cluster could not be started, reached or stopped
    │   ├── ClusterNotFoundError   no cluster of that name exists (run `kworkshop up`)
    │   └── CommandError           a subprocess failed (carries argv and its output)
    └── ConfigError                bad input from the user (file, field, value)

Every message is written for a learner: what went wrong, then the one command that fixes or shows more.
"""

from __future__ import annotations

from collections.abc import Sequence


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


class ConfigError(KworkshopError):
    """Bad input from the user: the message names the file, the field and the value."""


class CommandError(ClusterError):
    """A subprocess failed; keeps its argv and output so the message shows what it said."""

    def __init__(self, message: str, argv: Sequence[str], output: str = "", returncode: int = 1):
        self.argv = list(argv)
        self.output = output
        self.returncode = returncode
        tail = "\n".join(output.strip().splitlines()[-25:])
        detail = f"\n  command: {' '.join(self.argv)}\n  exit code: {returncode}"
        if tail:
            detail += "\n  output (last lines):\n    " + tail.replace("\n", "\n    ")
        super().__init__(message + detail)


class BuildError(BinariesError, CommandError):
    """Building a binary from Go modules failed."""
