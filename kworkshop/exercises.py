"""The notebooks' exercises: solutions kept out of the learner's notebook, revealed on request.

An exercise gives a goal and an empty cell. Its solution is a file in ``notebooks/solutions/``:
``<key>.sh`` (the kubectl commands, run by bash with ``$NAMESPACE`` set) or ``<key>.py`` (a
prediction: Python that sets the variable the exercise asks for). ``kw.solution(key)`` shows it
to a learner who is stuck, folded so that a glance does not give it away; ``kw.solve(key)`` runs
it, which the notebooks do only with their ``solutions`` parameter on (CI, an instructor's dry run).
``kw.solve(key, kube=conn)`` runs kubectl with the connection's kubeconfig and namespace.
"""

from __future__ import annotations

import html
import os
import sys
from pathlib import Path

from . import programs
from .errors import KworkshopError
from .i18n import _
from .kube.client import current_namespace
from .kube.connection import Connection, connected, connection

SOLUTION_SECONDS = 600  # a solution may wait for rollouts and Jobs; nbval gives a cell as long


class SolutionError(KworkshopError):
    """A solution file is missing or failed when run."""


def solutions_dir() -> Path:
    """``solutions/`` beside the notebooks: the working folder's, else the repository's."""
    for candidate in (Path.cwd() / "solutions", Path.cwd() / "notebooks" / "solutions",
                      Path(__file__).resolve().parents[1] / "notebooks" / "solutions"):
        if candidate.is_dir():
            return candidate
    raise SolutionError(_("no solutions/ folder beside the notebooks: open the notebook from the notebooks/ folder"))


def solution_file(key: str) -> Path:
    for suffix in (".sh", ".py"):
        path = solutions_dir() / f"{key}{suffix}"
        if path.exists():
            return path
    raise SolutionError(_("there is no solution {key} in {folder}").format(key=repr(key), folder=solutions_dir()))


class _Reveal:
    """Shown folded in Jupyter (click to open), as plain text elsewhere."""

    def __init__(self, key: str, text: str) -> None:
        self.key, self.text = key, text

    def _repr_html_(self) -> str:
        summary = _("One way to solve {key} (click to show)").format(key=f"<code>{html.escape(self.key)}</code>")
        return f"<details><summary>{summary}</summary><pre>{html.escape(self.text)}</pre></details>"

    def __repr__(self) -> str:
        return _("One way to solve {key}:").format(key=self.key) + f"\n{self.text}"


@connected
def solution(key: str, namespace: str | None = None, *, kube: Connection | None = None) -> _Reveal:
    """The solution of exercise ``key``, to read when stuck (it changes nothing).

    Shown with the notebook's namespace in place of ``$NAMESPACE``, so its lines can be pasted into
    a Terminal, where no ``NAMESPACE`` is set, as well as into a cell.
    """
    path = solution_file(key)
    ns = current_namespace(namespace)
    return _Reveal(key, path.read_text().replace('"$NAMESPACE"', ns).replace("$NAMESPACE", ns))


@connected
def solve(key: str, namespace: str | None = None, *, kube: Connection | None = None) -> None:
    """Run the solution of exercise ``key`` (the notebooks do with ``solutions`` on)."""
    path = solution_file(key)
    print(_("applying the solution of {key} ({file})").format(key=key, file=path.name))
    if path.suffix == ".py":
        _run_python(path)
        return
    env = {**os.environ, "NAMESPACE": current_namespace(namespace)}
    if kube is not None:  # kubectl must reach the connection's cluster, not the notebook's
        conn = connection(kube)
        if conn.kubeconfig is None:
            raise SolutionError(_("{connection} has no kubeconfig file for kubectl: make it with "
                                  "kw.connect(kubeconfig_path)").format(connection=conn))
        env["KUBECONFIG"] = str(conn.kubeconfig)
    done = programs.run(["bash", "-euo", "pipefail", str(path)], timeout=SOLUTION_SECONDS, what=path.name,
                        check=False, cwd=path.parent.parent, env=env)
    print((done.stdout + done.stderr).rstrip())
    if done.returncode != 0:
        raise SolutionError(_("the solution {file} failed (exit code {code})").format(file=path.name,
                                                                                     code=done.returncode))


def _run_python(path: Path) -> None:
    """Run a prediction's solution in the notebook's own variables."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    scope = shell.user_ns if shell is not None else sys.modules["__main__"].__dict__
    exec(compile(path.read_text(), str(path), "exec"), scope)
