"""In a real browser: the JupyterLab Terminal a learner opens is set up for the workshop.

JupyterLab is started the way learners get it (``kworkshop lab`` in the background, so its stdout
is not a TTY: the case where a plain JupyterLab starts a login shell that resets PATH). The learner
opens File -> New -> Terminal and types: the pinned kubectl talks to the cluster without a skew
warning, ``kworkshop`` is on PATH, and the shell is in notebooks/. Screenshots: out/browser/.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kworkshop import paths
from kworkshop.binaries.pins import KUBERNETES_VERSION

from .conftest import CHROMIUM, FLAGS, LEARNER_PATH, ROOT, SHOTS, _free_port, lab_settings, wait_for_port


def _screen(page) -> str:
    """The terminal's text as xterm.js shows it (its screen-reader rows: the lab fixture turns them on)."""
    return page.evaluate("""() => {
        const rows = document.querySelectorAll('.jp-Terminal .xterm-accessibility-tree > div');
        return Array.from(rows, r => r.textContent.replace(/\\u00a0/g, ' ')).join('\\n');
    }""")


def _after(text: str, command: str) -> str:
    """The screen from the last place ``command`` was typed. The terminal wraps a long line into
    rows (a long prompt path, one digit more in pytest's folder), so the command may have row
    breaks anywhere in it."""
    found = list(re.finditer("\n?".join(re.escape(ch) for ch in command), text))
    return text[found[-1].start():] if found else ""


def _run(page, command: str, until: str, timeout: float = 60) -> str:
    """Type ``command`` in the terminal and wait until ``until`` (a regex) shows after it."""
    page.keyboard.type(command + "\n", delay=15)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        after = _after(_screen(page), command)
        if re.search(until, after):
            return after
        page.wait_for_timeout(300)
    raise AssertionError(f"{command!r}: never showed {until!r}; the terminal shows:\n{_screen(page)}")


def _learner_terminal(url: str, token: str, cluster, shots: str, notebooks: Path, first_tab: str = "") -> None:
    """Open JupyterLab at its default URL, File -> New -> Terminal, type what notebook 00 suggests."""
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/?token={token}")
        page.wait_for_selector("li.lm-MenuBar-item:has-text('File')", timeout=60_000)
        if first_tab:  # what the default URL opened
            page.wait_for_selector(f".lm-TabBar-tab.lm-mod-current:has-text('{first_tab}')", timeout=60_000)
        page.wait_for_timeout(1000)  # the menus are complete once the extensions have loaded
        page.click("li.lm-MenuBar-item:has-text('File')")
        page.hover("li.lm-Menu-item:has-text('New')")
        page.click(".lm-Menu-item[data-command='terminal:create-new']")
        page.wait_for_selector(".jp-Terminal .xterm", timeout=30_000)
        page.click(".jp-Terminal .xterm")
        deadline = time.monotonic() + 30  # the shell's first prompt
        while not re.search(r"[$#]\s*$", _screen(page).strip()) and time.monotonic() < deadline:
            page.wait_for_timeout(300)

        version = _run(page, "kubectl version", r"Server Version: v\S+")
        assert f"Client Version: {KUBERNETES_VERSION}" in version, version
        assert "WARNING" not in version and "skew" not in version, version
        nodes = _run(page, "kubectl get nodes", r"kwok-node-2\s+Ready")
        assert re.search(r"kwok-node-0\s+Ready", nodes), nodes
        where = _run(page, "pwd", r"/notebooks\s")
        assert where.splitlines()[1].strip() == str(notebooks), where
        page.screenshot(path=str(SHOTS / f"{shots}-kubectl.png"))

        page.keyboard.type("clear\n", delay=15)
        page.wait_for_function("!document.querySelector('.jp-Terminal .xterm-accessibility-tree')"
                               ".innerText.includes('Client Version')", timeout=30_000)
        status = _run(page, "kworkshop status", r"nodes: \d+/\d+ Ready", timeout=90)
        assert "command not found" not in status and f"cluster {cluster.name} " in status, status
        assert "nodes: 3/3 Ready" in status, status
        env = _run(page, "which kubectl kworkshop; echo KUBECONFIG=$KUBECONFIG", r"KUBECONFIG=/\S+")
        assert f"KUBECONFIG={cluster.kubeconfig}" in env, env
        page.screenshot(path=str(SHOTS / f"{shots}-kworkshop-status.png"))
        browser.close()


def test_a_new_terminal_has_the_pinned_kubectl_the_cluster_and_kworkshop(lab, cluster, tmp_path):
    url, token = lab  # `kworkshop lab` in the background, serving its copy of notebooks/
    _learner_terminal(url, token, cluster, "terminal", tmp_path / "notebooks", first_tab="00-start-here")


def test_on_binder_the_terminal_is_set_up_too(cluster, tmp_path):
    """binder/start then a plain JupyterLab on the repository, as repo2docker runs it."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed")
    port, token = _free_port(), secrets.token_hex(16)
    # a copy of the repository: the start script and the notebooks the terminal must land in
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "binder", repo / "binder")
    shutil.copytree(ROOT / "notebooks", repo / "notebooks")
    env = {k: v for k, v in os.environ.items() if k not in ("KUBECONFIG", "VIRTUAL_ENV")}
    # HOME is the repository on Binder; the binaries stay in the cache the other tests use
    env.update({"HOME": str(repo), "KWORKSHOP_CLUSTER": cluster.name, "BROWSER": "true",
                "KWORKSHOP_CACHE_DIR": str(paths.cache_dir()),
                # Binder's conda env is on PATH; the pinned kubectl is not
                "PATH": f"{Path(sys.executable).parent}{os.pathsep}{LEARNER_PATH}",
                "JUPYTERLAB_SETTINGS_DIR": str(lab_settings(tmp_path / "lab-settings")),
                "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")})
    log = tmp_path / "lab.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [str(repo / "binder" / "start"), sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
             "--ip=127.0.0.1", f"--port={port}", f"--IdentityProvider.token={token}",
             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
            cwd=repo, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, proc, log)
        _learner_terminal(f"http://127.0.0.1:{port}", token, cluster, "binder-terminal", repo / "notebooks")
    finally:
        proc.terminate()
        proc.wait(20)


def test_make_workshop_command_serves_00_start_here_as_root(state_root, tmp_path):
    # the recipe as make prints it (`-o up`: the cluster is not needed to start JupyterLab)
    port = _free_port()
    # --no-print-directory: under `make test` this make is a sub-make, which prints directory lines
    printed = subprocess.run(["make", "--no-print-directory", "-n", "-o", "up", "workshop", f"PORT={port}"],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip().splitlines()
    recipe = next((line for line in reversed(printed) if "kworkshop lab" in line), printed[-1])
    assert "kworkshop lab" in recipe, recipe
    env = {**os.environ, "BROWSER": "true", "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "JUPYTER_DATA_DIR": str(tmp_path / "data"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces")}
    token = secrets.token_hex(8)
    log = tmp_path / "lab.log"
    with open(log, "w") as out:  # in the background: stdout is a file, not a TTY
        proc = subprocess.Popen(["bash", "-c", f"exec {recipe} -- --IdentityProvider.token={token}"],
                                cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/?token={token}", timeout=5) as r:
                    assert r.status == 200
                    final = r.url
                break
            except OSError:
                assert proc.poll() is None, f"JupyterLab stopped (as uid {os.geteuid()}):\n{log.read_text()}"
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.5)
        assert final.split("?")[0].endswith("/lab/tree/00-start-here.ipynb"), final
        assert "Running as root is not recommended" not in log.read_text()
        assert Path(state_root / "lab").is_dir()  # the kit's config, in its own state folder
    finally:
        proc.terminate()
        proc.wait(20)
