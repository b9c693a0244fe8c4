"""Running the chapter notebooks unattended: papermill with parameters, an HTML report.

``kworkshop run-notebooks`` executes each notebook into an output folder (papermill marks the cell
that failed and still writes the notebook), converts each to HTML, and writes ``index.html`` with
one line per notebook: passed or failed, how long it took, and the failing cell's error.
"""

from __future__ import annotations

import html
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .i18n import _


@dataclass(frozen=True)
class NotebookRun:
    name: str
    passed: bool
    seconds: float
    output: Path
    error: str = ""

    def __str__(self) -> str:
        mark = "✓" if self.passed else "✗"
        return f"{mark} {self.name} ({self.seconds:.0f}s)" + (f": {self.error}" if self.error else "")


def chapter_notebooks(folder: Path) -> list[Path]:
    """The notebooks in ``folder``, in chapter order (their names start with a number)."""
    return sorted(p for p in folder.glob("*.ipynb") if p.name[:2].isdigit())


def run_notebooks(notebooks: list[Path], output: Path, parameters: dict[str, Any] | None = None,
                  timeout: float = 900) -> list[NotebookRun]:
    """Execute each notebook with papermill into ``output``; write HTML pages and ``index.html``."""
    import papermill as pm
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    missing = [str(p) for p in notebooks if not p.is_file()]
    if missing:
        raise ConfigError(_("no such notebook: {names}").format(names=", ".join(missing)))
    output.mkdir(parents=True, exist_ok=True)
    runs = []
    # kernels talk over Unix sockets in a folder of this run's own: TCP ports are picked free, closed,
    # then bound by the kernel, so two runs starting kernels at the same moment (a class, parallel
    # CI) could take the same port and one kernel would die at start ("Address already in use"); the
    # sockets' default place is relative to each side's working folder, which differ
    sockets = Path(tempfile.mkdtemp(prefix="kworkshop-kernels-"))
    kernels = Config({"KernelManager": {"transport": "ipc", "ip": str(sockets / "kernel")}})
    try:
        for path in notebooks:
            target = output / path.name
            start = time.monotonic()
            error = ""
            try:
                pm.execute_notebook(str(path), str(target), parameters=parameters or {}, cwd=str(path.parent),
                                    execution_timeout=timeout, progress_bar=False, kernel_name="python3",
                                    config=kernels)
            except pm.PapermillExecutionError as exc:
                error = f"cell {exc.exec_count}: {exc.ename}: {exc.evalue}"[:300]
            except Exception as exc:  # a kernel that died, a timeout: the notebook still gets its line
                error = f"{type(exc).__name__}: {exc}"[:300]
            runs.append(NotebookRun(path.stem, not error, time.monotonic() - start, target, error))
            if target.exists():
                body, _resources = HTMLExporter().from_filename(str(target))
                target.with_suffix(".html").write_text(body)
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    _index(runs, output)
    return runs


def _index(runs: list[NotebookRun], output: Path) -> None:
    rows = "".join(
        f"<tr><td>{'✓' if r.passed else '✗'}</td><td><a href='{html.escape(r.output.with_suffix('.html').name)}'>"
        f"{html.escape(r.name)}</a></td><td>{r.seconds:.0f} s</td><td>{html.escape(r.error)}</td></tr>"
        for r in runs)
    passed = sum(r.passed for r in runs)
    (output / "index.html").write_text(
        "<!doctype html><meta charset='utf-8'><title>kworkshop notebooks</title>"
        f"<h1>kworkshop notebooks: {passed}/{len(runs)} passed</h1>"
        f"<table><tr><th></th><th>notebook</th><th>time</th><th>error</th></tr>{rows}</table>")
