"""In a real browser: JupyterLab runs 02-updates-history-rollback and the live rollout chart shows.

Headless Chromium from Debian's package (`/usr/bin/chromium`, installed by .ci/run), driven by
Playwright for Python with ``executable_path``: no browser is downloaded. The screenshot is kept
in ``out/browser/`` for a person to look at.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.cluster

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(cluster, tmp_path):
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); .ci/run installs it")
    port, token = _free_port(), secrets.token_hex(16)
    settings = tmp_path / "lab-settings"
    # JupyterLab 4 renders only the cells in view ("windowing"): render them all, so the chart is
    # in the page, and do not ask about news (no network here).
    (settings / "@jupyterlab" / "notebook-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings").write_text(
        '{"windowingMode": "none"}')
    (settings / "@jupyterlab" / "apputils-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}')
    env = {**os.environ, "KWORKSHOP_CLUSTER": cluster.name, "KWORKSHOP_LIVE": "1",
           "JUPYTERLAB_SETTINGS_DIR": str(settings),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    log = open(tmp_path / "lab.log", "w")
    # a copy: JupyterLab autosaves the executed notebook, and the repository's must stay clean
    notebooks = shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={notebooks}",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.3)
    yield f"http://127.0.0.1:{port}", token
    proc.terminate()
    proc.wait(20)
    log.close()


def test_jupyterlab_runs_the_rollout_notebook_and_shows_the_chart(lab, cluster):
    from playwright.sync_api import sync_playwright

    url, token = lab
    shots = ROOT / "out" / "browser"
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/lab/tree/02-updates-history-rollback.ipynb?token={token}")
        page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
        # the kernel must be connected before "Run All Cells" does anything: wait for Idle, and
        # retry the menu until the first code cell shows it started (a cold start is slow)
        page.wait_for_selector(".jp-StatusBar-Widget:has-text('Idle'), .jp-Notebook-ExecutionIndicator"
                               "[data-status='idle']", timeout=120_000)
        first_prompt = page.locator(".jp-CodeCell .jp-InputPrompt").first
        for _ in range(5):
            page.click("li.lm-MenuBar-item:has-text('Run')")
            page.click("li.lm-Menu-item:has-text('Run All Cells')")
            try:
                page.wait_for_function("el => /\\[(\\*|\\d+)\\]/.test(el.innerText)", arg=first_prompt.element_handle(),
                                       timeout=15_000)
                break
            except Exception:
                page.keyboard.press("Escape")
        else:
            raise AssertionError("JupyterLab never started running the notebook")
        page.wait_for_function("document.body.innerText.includes('namespace \"ch5-updates\" deleted')",
                               timeout=300_000)
        chart = page.locator(".jp-OutputArea-output img.widget-image, .jp-OutputArea-output img").first
        chart.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        page.screenshot(path=str(shots / "02-rollout-chart.png"))
        box = chart.bounding_box()
        assert box is not None and box["width"] > 300 and 0 <= box["y"] < 1000  # on screen, full size
        assert chart.evaluate("img => img.naturalWidth") > 300  # a rendered chart, not a broken image
        errors = page.locator("[data-mime-type='application/vnd.jupyter.stderr'] .jp-RenderedText, "
                              ".jp-OutputArea-output[data-mime-type*='error']")
        assert page.locator(".jp-OutputArea-output:has-text('Traceback')").count() == 0
        assert errors.count() == 0 or all("WARNING" in t for t in errors.all_inner_texts())
        browser.close()
