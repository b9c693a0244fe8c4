"""The JupyterLab launcher's pure parts: the config and terminal rcfile it writes, its command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kworkshop import lab
from kworkshop.cli import _parser

ROOT = Path(__file__).resolve().parents[2]


def test_the_shell_is_an_interactive_bash_with_the_kits_rcfile_never_a_login_shell(tmp_path):
    rc = tmp_path / "terminalrc"
    shell = lab.shell_command(rc, "/usr/bin/bash")
    assert shell == ["/usr/bin/bash", "--rcfile", str(rc), "-i"]
    assert "-l" not in shell and "--login" not in shell
    # an explicit shell_command is what stops jupyter_server_terminals from adding -l
    assert lab.server_config(shell) == {"ServerApp": {"terminado_settings": {"shell_command": shell}}}
    assert lab.shell_command(rc, None)[-1] == "-i"  # no bash: sh -i, which reads $ENV


def test_lab_argv_loopback_notebooks_start_here_and_allow_root_only_as_root(tmp_path):
    argv = lab.lab_argv(8888, "127.0.0.1", tmp_path, as_root=False, extra=["--no-browser"])
    assert argv[:3] == [sys.executable, "-m", "jupyterlab"]
    assert "--ip=127.0.0.1" in argv and "--port=8888" in argv
    assert f"--ServerApp.root_dir={tmp_path}" in argv
    assert "--LabApp.default_url=/lab/tree/00-start-here.ipynb" in argv
    assert "--allow-root" not in argv and argv[-1] == "--no-browser"
    assert "--allow-root" in lab.lab_argv(8888, "127.0.0.1", tmp_path, as_root=True)


def test_prepend_path_puts_the_kit_first_once():
    assert lab.prepend_path(["/k", "/v"], "/usr/bin:/k:/bin") == "/k:/v:/usr/bin:/bin"
    assert lab.prepend_path(["/c"], "") == "/c"


def _rc(tmp_path: Path, notebooks: Path) -> Path:
    rc = tmp_path / "terminalrc"
    rc.write_text(lab.rcfile_text({"KUBECONFIG": "/state/kube config.yaml", "KWORKSHOP_CLUSTER": "c1"},
                                  ["/pinned/kubectl", "/venv/bin"], notebooks))
    return rc


def _shell(rc: Path, cwd: Path, **env: str) -> dict[str, str]:
    """Source the rcfile in sh as a terminal would, from ``cwd``; the resulting environment."""
    script = f'. "{rc}"; echo "PWD=$PWD"; echo "PATH=$PATH"; echo "KUBECONFIG=$KUBECONFIG"; ' \
             'echo "KWORKSHOP_CLUSTER=$KWORKSHOP_CLUSTER"'
    out = subprocess.run(["sh", "-c", script], cwd=cwd, capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin", "HOME": str(cwd), **env}).stdout
    return dict(line.split("=", 1) for line in out.splitlines())


def test_the_rcfile_sets_kubeconfig_and_path_first_after_whatever_the_shell_had(tmp_path):
    notebooks = tmp_path / "repo" / "notebooks"
    notebooks.mkdir(parents=True)
    got = _shell(_rc(tmp_path, notebooks), tmp_path / "repo", JUPYTER_SERVER_ROOT=str(tmp_path / "repo"))
    assert got["KUBECONFIG"] == "/state/kube config.yaml"  # quoted: spaces survive
    assert got["KWORKSHOP_CLUSTER"] == "c1"
    assert got["PATH"] == "/pinned/kubectl:/venv/bin:/usr/bin:/bin"


def test_the_terminal_opens_in_the_notebooks_unless_another_folder_was_asked_for(tmp_path):
    repo = tmp_path / "repo"
    notebooks, manifests = repo / "notebooks", repo / "manifests"
    notebooks.mkdir(parents=True)
    manifests.mkdir()
    rc = _rc(tmp_path, notebooks)
    # at the server's root (Binder: the repository) -> notebooks/
    assert _shell(rc, repo, JUPYTER_SERVER_ROOT=str(repo))["PWD"] == str(notebooks)
    # the learner's file browser was in manifests/ -> stays there
    assert _shell(rc, manifests, JUPYTER_SERVER_ROOT=str(repo))["PWD"] == str(manifests)
    # `kworkshop lab` serves notebooks/ itself: its root is where the terminal starts
    assert _shell(rc, notebooks, JUPYTER_SERVER_ROOT=str(notebooks))["PWD"] == str(notebooks)


def test_configure_writes_into_the_state_folder_and_names_it_on_jupyter_config_path(tmp_path, monkeypatch):
    monkeypatch.setenv("KWORKSHOP_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", "/theirs")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "nb").mkdir()
    setup = lab.configure("c1", tmp_path / "nb")
    assert setup.config_dir == tmp_path / "state" / "lab" / "c1"
    config = json.loads((setup.config_dir / "jupyter_server_config.json").read_text())
    shell = config["ServerApp"]["terminado_settings"]["shell_command"]
    assert str(setup.rcfile) in shell or setup.env.get("ENV") == str(setup.rcfile)
    assert setup.env["JUPYTER_CONFIG_PATH"] == f"{setup.config_dir}{os.pathsep}/theirs"
    assert setup.env["KWORKSHOP_CLUSTER"] == "c1" and setup.env["KUBECONFIG"].startswith(str(tmp_path / "state"))
    first = lab._first_dirs()  # the pinned kubectl's folder (when installed), then kworkshop's
    assert setup.env["PATH"].split(os.pathsep)[:len(first)] == first
    assert f"export PATH={first[0]}" in setup.rcfile.read_text()
    assert not (tmp_path / "home" / ".jupyter").exists()  # the learner's own config is not touched
    assert 'export KWORKSHOP_CLUSTER=c1' in lab.env_lines(setup)


def test_configure_says_what_to_do_without_a_notebooks_folder(tmp_path, monkeypatch):
    from kworkshop.errors import ConfigError

    monkeypatch.setenv("KWORKSHOP_STATE_DIR", str(tmp_path / "state"))
    with pytest.raises(ConfigError, match="--notebooks"):
        lab.configure("c1", tmp_path / "missing")


def test_cli_lab_defaults_to_loopback_and_passes_jupyter_arguments_after_dashes():
    args = _parser().parse_args(["lab", "--port", "9999", "--", "--no-browser", "--IdentityProvider.token=x"])
    assert (args.ip, args.port, args.notebooks, args.env_only) == ("127.0.0.1", 9999, "notebooks", False)
    assert args.jupyter_args == ["--no-browser", "--IdentityProvider.token=x"]


def test_make_workshop_and_binder_start_use_the_launcher():
    make = (ROOT / "Makefile").read_text()
    recipe = make.split("\nworkshop:", 1)[1].split("\n\n", 1)[0]
    assert "kworkshop lab" in recipe and "0.0.0.0" not in recipe
    start = (ROOT / "binder" / "start").read_text()
    assert "kworkshop lab --env-only" in start
    assert start.index("kworkshop up") < start.index("kworkshop lab") < start.index('exec "$@"')
