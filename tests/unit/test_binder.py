"""The Binder and conda files: valid YAML naming what the kit needs."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
NEEDED = {"python", "jupyterlab", "ipywidgets", "python-kubernetes", "matplotlib", "papermill", "nbval", "go"}


def _names(path: Path) -> set[str]:
    env = yaml.safe_load(path.read_text())
    names = set()
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            names.add(dep.replace(">", "=").replace("<", "=").split("=")[0].strip())
    return names


def test_binder_environment_names_the_packages_and_the_cluster_binaries():
    names = _names(ROOT / "binder" / "environment.yml")
    assert NEEDED <= names
    assert {"kubernetes-server", "kubernetes-client", "etcd"} <= names


def test_root_environment_for_local_conda_users():
    assert NEEDED <= _names(ROOT / "environment.yml")


def test_binder_scripts_are_executable_and_strict():
    post, start = ROOT / "binder" / "postBuild", ROOT / "binder" / "start"
    assert post.stat().st_mode & 0o111 and start.stat().st_mode & 0o111
    assert "set -e" in post.read_text() and "kworkshop install" in post.read_text()
    assert start.read_text().rstrip().endswith('exec "$@"')
