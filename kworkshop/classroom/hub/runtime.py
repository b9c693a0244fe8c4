"""What learners' servers run, in a folder every learner can read (the class's *share*).

A learner's server runs as their own account, so everything it executes must be readable by other
users: the Python with the kit and JupyterHub, the pinned ``kubectl``, the notebooks to copy. A
kit installed under ``/root`` (a pyenv or a venv whose interpreter lives there) is not: ``/root``
is mode 0700. Then the share gets a venv of a system Python of the same version (``/usr/bin/
python3.X``) whose ``site-packages``, ``share`` and ``etc`` are the kit's (links, or copies made of
hard links when learners cannot read the kit's folders either): the same packages, JupyterLab's
assets and server extensions, run by an interpreter learners may execute.

The share (default ``/srv/kworkshop/<class>``, mode 0755, files 0644/0755) holds::

    bin/kubectl bin/kworkshop    first on a learner's PATH
    venv/                        only when the kit's own Python is not readable by learners
    notebooks/                   the source of each learner's copy (made at their first start)
    jupyter/jupyter_server_config.json + terminalrc   the Terminal: bash --rcfile, PATH kept
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ... import programs
from ...errors import ConfigError
from ...i18n import _
from ...lab import server_config, shell_command

SHARE_ROOT = Path("/srv/kworkshop")
KIT = Path(__file__).resolve().parents[2]  # the kworkshop package folder, which learners must read
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"


@dataclass(frozen=True)
class Runtime:
    share: Path
    python: str  # what runs `-m jupyterhub.singleuser` and the kernels
    env: dict[str, str]  # PATH and JUPYTER_CONFIG_PATH of every learner's server


def world_readable(path: Path) -> bool:
    """Whether any user can reach ``path`` (every folder above it o+x) and read it (o+r)."""
    path = path.resolve()
    if not path.exists() or not path.stat().st_mode & stat.S_IROTH:
        return False
    return all(p.stat().st_mode & stat.S_IXOTH for p in path.parents)


def _kit_readable() -> bool:
    needed = [Path(sys.executable), Path(sys.base_prefix), Path(sysconfig.get_paths()["purelib"]), KIT]
    return all(world_readable(p) for p in needed)


def _system_python() -> Path | None:
    """A system interpreter of this Python's version that others may run, e.g. /usr/bin/python3.11."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for folder in ("/usr/bin", "/usr/local/bin"):
        candidate = Path(folder) / version
        if candidate.is_file() and world_readable(candidate):
            return candidate
    return None


def _link_or_copy(src: str, dst: str) -> None:
    """A hard link (instant, no space; the file's own mode decides who reads it), else a copy."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _share_tree(source: Path, target: Path, ignore: Any = None) -> None:
    """``target`` shows ``source``: a link when learners can read ``source``, else a linked copy."""
    if world_readable(source):
        target.symlink_to(source)
    else:
        shutil.copytree(source, target, symlinks=True, copy_function=_link_or_copy, ignore=ignore)


def _linked_venv(share: Path, base: Path) -> Path:
    """A venv of ``base`` in the share that sees the kit's packages, assets and Jupyter config.

    Linked to the kit's own folders when learners can read them (a venv in /work, /opt); copied
    with hard links when they cannot (a checkout under /root), the kit itself as a plain package
    instead of its editable-install hook, which points into the unreadable checkout.
    """
    purelib = Path(sysconfig.get_paths()["purelib"])
    venv = share / "venv"
    if venv.exists():
        shutil.rmtree(venv)
    programs.run([str(base), "-m", "venv", "--without-pip", str(venv)], timeout=300, what="python -m venv")
    site = venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    shutil.rmtree(site)
    kit = KIT
    if world_readable(purelib) and world_readable(kit):
        site.symlink_to(purelib)
    else:
        shutil.copytree(purelib, site, symlinks=True, copy_function=_link_or_copy,
                        ignore=shutil.ignore_patterns("__editable__*"))
        if not (site / "kworkshop").exists():
            shutil.copytree(kit, site / "kworkshop", copy_function=_link_or_copy,
                            ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("share", "etc"):  # JupyterLab's assets and the server extensions' config
        if (Path(sys.prefix) / name).is_dir():
            _share_tree(Path(sys.prefix) / name, venv / name)
    return venv / "bin" / "python"


def prepare(class_name: str, notebooks: Path, kubectl: Path, share_root: Path = SHARE_ROOT) -> Runtime:
    """Fill the class's share (see the module docstring); run again at every ``class serve``."""
    if not (notebooks / "00-start-here.ipynb").is_file():
        raise ConfigError(_("There are no workshop notebooks in {folder}: run this in the workshop's "
                            "repository, or pass --notebooks FOLDER.").format(folder=notebooks))
    share = share_root / class_name
    share.mkdir(parents=True, exist_ok=True)
    for folder in (share_root, share):
        folder.chmod(0o755)
    if _kit_readable():
        python = Path(sys.executable)
    elif (base := _system_python()) is not None:
        python = _linked_venv(share, base)
    else:
        raise ConfigError(_("learners cannot run the kit's Python ({python}: a folder above it is not readable "
                            "by other users) and there is no system Python {version} to use instead: install "
                            "the kit in a folder every user can read (e.g. python3 -m venv /opt/kworkshop).")
                          .format(python=Path(sys.executable).resolve(),
                                  version=f"{sys.version_info.major}.{sys.version_info.minor}"))
    bin_dir = share / "bin"
    bin_dir.mkdir(exist_ok=True)
    shutil.copy2(kubectl, bin_dir / "kubectl")  # the cache under ~root is not readable by learners
    (bin_dir / "kworkshop").write_text(f"#!{python}\nimport sys\nfrom kworkshop.cli import main\n\nsys.exit(main())\n")
    for exe in ("kubectl", "kworkshop"):
        (bin_dir / exe).chmod(0o755)
    target = share / "notebooks"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(notebooks, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    path = os.pathsep.join([str(bin_dir), str(python.parent), SYSTEM_PATH])
    jupyter = share / "jupyter"
    jupyter.mkdir(exist_ok=True)
    rcfile = jupyter / "terminalrc"
    rcfile.write_text(terminal_rc(path))
    config = server_config(shell_command(rcfile, shutil.which("bash")))
    config["LabApp"] = {"check_for_updates_class": "jupyterlab.NeverCheckForUpdate"}  # no network needed
    (jupyter / "jupyter_server_config.json").write_text(json.dumps(config, indent=2) + "\n")
    _open_to_all(share)
    return Runtime(share, str(python), {"PATH": path, "JUPYTER_CONFIG_PATH": str(jupyter)})


def terminal_rc(path: str) -> str:
    """What every learner's Terminal runs: their ~/.bashrc, then the class's PATH first.

    KUBECONFIG, KWORKSHOP_BACKEND and KWORKSHOP_NAMESPACE come from the server's environment
    (the hub sets them per learner).
    """
    return "\n".join([
        "# Written by `kworkshop class serve`: every learner's Terminal.",
        'if [ -f "$HOME/.bashrc" ]; then . "$HOME/.bashrc"; fi',
        f'export PATH="{path}:$PATH"',
        '# open in the notebooks, as `kworkshop lab` does, unless JupyterLab asked for another folder',
        'if [ "$PWD" = "$HOME" ] && [ -d "$HOME/notebooks" ]; then cd "$HOME/notebooks"; fi',
        "",
    ])


def _open_to_all(share: Path) -> None:
    """Folders 0755, files 0644 (0755 when executable); links are left as they are."""
    for root, dirs, files in os.walk(share):
        if Path(root) == share and "venv" in dirs:
            dirs.remove("venv")  # pip's modes already; its copied files are hard links to the kit's own
        for name in dirs:
            p = Path(root) / name
            if not p.is_symlink():
                p.chmod(0o755)
        for name in files:
            p = Path(root) / name
            if not p.is_symlink():
                p.chmod(0o755 if p.stat().st_mode & stat.S_IXUSR else 0o644)


def remove(class_name: str, share_root: Path = SHARE_ROOT) -> bool:
    share = share_root / class_name
    if not share.exists():
        return False
    shutil.rmtree(share)
    return True
