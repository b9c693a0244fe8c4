"""JupyterLab for the workshop: the Jupyter config the kit writes, and the launcher that uses it.

Every way the kit starts JupyterLab gets the same Terminal: ``KUBECONFIG`` for the cluster, the
pinned ``kubectl`` and ``kworkshop`` first on ``PATH``, and the shell in ``notebooks/``.
``make workshop`` runs ``kworkshop lab`` (:func:`launch`), which execs JupyterLab; ``binder/start``
runs ``kworkshop lab --env-only`` (:func:`configure` + :func:`env_lines`) and execs the server
Binder or JupyterHub asked for, with the printed environment.

Why an explicit shell command with an rcfile: when the server's stdout is not a TTY (started in the
background, by Binder, by a JupyterHub spawner) jupyter_server_terminals starts ``$SHELL -l``, and
a login shell's /etc/profile resets ``PATH`` (so ``kworkshop`` is "command not found" and ``kubectl``
is whatever the system has). Setting ``ServerApp.terminado_settings.shell_command`` turns that ``-l``
off (jupyter_server_terminals/app.py), and ``bash --rcfile`` runs the kit's file after the learner's
own ~/.bashrc, so nothing the shell reads later undoes it. The config lives in the kit's state
folder and reaches the server through ``JUPYTER_CONFIG_PATH``; the learner's ~/.jupyter is not
touched (and still wins, if it sets a shell of its own).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from . import paths
from .errors import ConfigError
from .i18n import _

START_NOTEBOOK = "00-start-here.ipynb"
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class LabSetup:
    """What :func:`configure` wrote, and the environment a Jupyter server needs to use it."""

    config_dir: Path  # holds jupyter_server_config.json (on JUPYTER_CONFIG_PATH)
    rcfile: Path  # what every new terminal runs
    notebooks: Path
    env: dict[str, str]  # KUBECONFIG, PATH, KWORKSHOP_CLUSTER, JUPYTER_CONFIG_PATH (, ENV)


def prepend_path(first: Sequence[str], path: str) -> str:
    """``first`` then ``path``, each directory once, in that order."""
    out: list[str] = []
    for d in [*first, *path.split(os.pathsep)]:
        if d and d not in out:
            out.append(d)
    return os.pathsep.join(out)


def shell_command(rcfile: Path, bash: str | None) -> list[str]:
    """The terminal's argv: an interactive, non-login bash reading ``rcfile`` (sh reads $ENV instead)."""
    if bash:
        return [bash, "--rcfile", str(rcfile), "-i"]
    return [shutil.which("sh") or "/bin/sh", "-i"]


def server_config(shell: Sequence[str]) -> dict:
    """The jupyter_server_config.json the kit writes: the terminal's shell command."""
    return {"ServerApp": {"terminado_settings": {"shell_command": list(shell)}}}


def rcfile_text(exports: Mapping[str, str], path_first: Sequence[str], notebooks: Path) -> str:
    """The shell lines every new terminal runs (POSIX sh, so bash and sh both read them)."""
    q = shlex.quote
    lines = [
        "# Written by `kworkshop lab` at every start: the workshop terminal's environment.",
        "# The learner's own ~/.bashrc first, so that what follows is not undone by it.",
        'if [ -n "${BASH_VERSION:-}" ] && [ -f "$HOME/.bashrc" ]; then . "$HOME/.bashrc"; fi',
        *(f"export {k}={q(v)}" for k, v in exports.items()),
        f'export PATH={q(os.pathsep.join(path_first))}"{os.pathsep}$PATH"',
        "# Open in the notebooks, unless JupyterLab asked for another folder than its root.",
        f'if [ "$PWD" -ef "${{JUPYTER_SERVER_ROOT:-$PWD}}" ] && [ -d {q(str(notebooks))} ]; then',
        f"  cd {q(str(notebooks))}",
        "fi",
    ]
    return "\n".join(lines) + "\n"


def lab_argv(port: int, ip: str, notebooks: Path, *, as_root: bool, extra: Sequence[str] = ()) -> list[str]:
    """The JupyterLab command line: loopback unless asked, the notebooks, 00-start-here first."""
    argv = [sys.executable, "-m", "jupyterlab", f"--ip={ip}", f"--port={port}",
            f"--ServerApp.root_dir={notebooks}", f"--LabApp.default_url=/lab/tree/{START_NOTEBOOK}"]
    if as_root:  # root is the usual user in containers; JupyterLab refuses it without this
        argv.append("--allow-root")
    return argv + list(extra)


def _first_dirs() -> list[str]:
    """The directories a terminal needs first on PATH: the pinned kubectl's, then kworkshop's."""
    from .binaries import locate

    found = locate()
    # the interpreter's folder holds the `kworkshop` script of this install (venv or conda env)
    kit = Path(sys.executable).parent
    if not (kit / "kworkshop").exists() and (script := shutil.which("kworkshop")):
        kit = Path(script).parent
    return [d for d in (str(found.kubectl_dir) if found else "", str(kit)) if d]


def configure(name: str, notebooks: Path | str = "notebooks") -> LabSetup:
    """Write the kit's Jupyter config for cluster ``name`` into the state folder; say how to use it."""
    from .cluster import cluster_env

    notebooks = Path(notebooks).expanduser().resolve()
    if not notebooks.is_dir():
        raise ConfigError(_("There is no notebooks folder at {folder}: run this in the workshop's "
                            "repository, or pass --notebooks FOLDER.").format(folder=notebooks))
    config_dir = paths.state_dir() / "lab" / name
    config_dir.mkdir(parents=True, exist_ok=True)
    rcfile = config_dir / "terminalrc"
    first = _first_dirs()
    exports = {"KUBECONFIG": cluster_env(name)["KUBECONFIG"], "KWORKSHOP_CLUSTER": name}
    rcfile.write_text(rcfile_text(exports, first, notebooks))
    bash = shutil.which("bash")
    (config_dir / "jupyter_server_config.json").write_text(
        json.dumps(server_config(shell_command(rcfile, bash)), indent=2) + "\n")
    env = {**exports, "PATH": prepend_path(first, os.environ.get("PATH", "")),
           "JUPYTER_CONFIG_PATH": prepend_path([str(config_dir)], os.environ.get("JUPYTER_CONFIG_PATH", ""))}
    if not bash:
        env["ENV"] = str(rcfile)
    return LabSetup(config_dir, rcfile, notebooks, env)


def env_lines(setup: LabSetup) -> str:
    """``export`` lines for a shell that then execs a Jupyter server (binder/start evals them)."""
    return "\n".join(f"export {k}={shlex.quote(v)}" for k, v in setup.env.items())


def launch(name: str, *, port: int = 8888, ip: str = LOOPBACK, notebooks: Path | str = "notebooks",
           extra: Sequence[str] = ()) -> NoReturn:
    """Configure, then replace this process with JupyterLab on ``notebooks`` (``kworkshop lab``).

    The server runs in the notebooks folder, so a terminal JupyterLab opens without a folder starts
    there too.
    """
    setup = configure(name, notebooks)
    argv = lab_argv(port, ip, setup.notebooks, as_root=os.geteuid() == 0, extra=extra)
    os.chdir(setup.notebooks)
    os.execve(argv[0], argv, {**os.environ, **setup.env})


__all__ = ["LabSetup", "configure", "env_lines", "lab_argv", "launch", "rcfile_text", "server_config",
           "shell_command"]
