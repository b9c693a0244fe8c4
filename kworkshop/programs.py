"""Running another program to its end: the one runner, always under a timeout.

``run`` waits for a command that ends (``kind create``, ``kwokctl``, ``useradd``, ``kubectl config
view``, a solution script) with its output captured; at the timeout the child is killed
(``subprocess.run`` does so) and the failure is a ``CommandError`` that names the command as typed,
its exit code and the end of its output. Programs that keep running (the cluster's components, the
node agent, JupyterHub) are started detached by ``cluster.processes`` instead.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from .errors import CommandError
from .i18n import _


def run(argv: Sequence[str], *, timeout: float, what: str, check: bool = True, cwd: str | Path | None = None,
        env: Mapping[str, str] | None = None, input: str | None = None, late: str | None = None,
        failed: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` to its end; ``what`` names it as typed (``kind create``), never translated.

    ``late`` and ``failed`` replace the sentences for a timeout and for a non-zero exit (with
    ``check``); an ``OSError`` starting it (no such program) is a ``CommandError`` too.
    """
    argv = [str(a) for a in argv]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=timeout, cwd=cwd,
                              env=dict(env) if env is not None else None, input=input)
    except subprocess.TimeoutExpired as exc:
        output = exc.output if isinstance(exc.output, str) else ""
        raise CommandError(late or _("{what} did not finish within {seconds}s").format(
            what=what, seconds=f"{timeout:.0f}"), argv, output) from exc
    except OSError as exc:
        raise CommandError(_("{what} could not start: {error}").format(what=what, error=exc), argv) from exc
    if check and done.returncode != 0:
        raise CommandError(failed or _("{what} failed").format(what=what), argv, done.stdout + done.stderr,
                           done.returncode)
    return done
