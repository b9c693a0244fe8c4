"""Browser-test setup: headless Chromium (Debian's package, driven by Playwright with
``executable_path``: no browser is downloaded) and the ``lab`` fixture, a JupyterLab on the session
cluster that the tests open as a learner would. Screenshots go to ``out/browser/``.
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

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "out" / "browser"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


# a fresh login's PATH: no venv, no pinned kubectl (the launcher must add them)
LEARNER_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    """Until JupyterLab answers on ``port``; fails with its log if it stops."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        if proc.poll() is not None:
            raise AssertionError(f"JupyterLab stopped:\n{log.read_text()}")
        time.sleep(0.3)
    raise AssertionError(f"JupyterLab did not answer on port {port}:\n{log.read_text()}")


def lab_settings(settings: Path) -> Path:
    """A JupyterLab settings folder (JUPYTERLAB_SETTINGS_DIR) for tests in a headless browser."""
    # JupyterLab 4 renders only the cells in view ("windowing"): render them all, so the chart is
    # in the page, and do not ask about news (no network here).
    (settings / "@jupyterlab" / "notebook-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings").write_text(
        '{"windowingMode": "none"}')
    (settings / "@jupyterlab" / "apputils-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}')
    # xterm.js draws the Terminal on a canvas: its screen-reader rows put the same text in the page
    (settings / "@jupyterlab" / "terminal-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "terminal-extension" / "plugin.jupyterlab-settings").write_text(
        '{"screenReaderMode": true}')
    return settings


@pytest.fixture
def lab(cluster, tmp_path):
    """(url, token) of a JupyterLab serving a copy of notebooks/ against the session cluster, started
    the way learners get it: ``kworkshop lab`` in the background."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); .ci/run installs it")
    port, token = _free_port(), secrets.token_hex(16)
    settings = lab_settings(tmp_path / "lab-settings")
    # as a learner starts it: through the kit's launcher (`make workshop` runs `kworkshop lab`), in
    # the background (stdout not a TTY), from a shell that knows nothing of the cluster
    env = {k: v for k, v in os.environ.items() if k not in ("KUBECONFIG", "VIRTUAL_ENV")}
    env.update({"PATH": LEARNER_PATH, "KWORKSHOP_LIVE": "1", "BROWSER": "true",
                "JUPYTERLAB_SETTINGS_DIR": str(settings), "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter"),
                "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")})
    log = open(tmp_path / "lab.log", "w")
    # a copy: JupyterLab autosaves the executed notebook, and the repository's must stay clean
    notebooks = shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks",
                                ignore=shutil.ignore_patterns("mine", ".ipynb_checkpoints", "kernel-*"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "kworkshop", "lab", "--name", cluster.name, f"--port={port}",
         f"--notebooks={notebooks}", "--", "--no-browser", f"--IdentityProvider.token={token}",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    wait_for_port(port, proc, tmp_path / "lab.log")
    yield f"http://127.0.0.1:{port}", token
    proc.terminate()
    proc.wait(20)
    log.close()


def wait_for_kernel(page, timeout: float = 120_000) -> None:
    """Wait until the open notebook's kernel is connected and idle, as the status bar says it.

    Only the status bar's kernel item ("Python 3 (ipykernel) | Idle"): the toolbar's execution
    indicator reads ``data-status="idle"`` while the notebook has no kernel yet, and Run All Cells
    then opens JupyterLab's "Select Kernel" dialog (seen on a loaded machine, 0.7 s of the start).
    """
    page.wait_for_selector(".jp-StatusBar-Widget:has-text('| Idle')", timeout=timeout)


def picture(cell) -> dict:
    """The picture in a notebook cell's outputs, read in one step: src, natural and shown width, box.

    A live chart's picture is a new ``<img>`` every second (``update_display``): an element held from
    one call to the next may be gone (Playwright: "Element is not attached to the DOM"). The cell's
    output area stays, so it is what is scrolled into view, and everything is read from it at once.
    """
    area = cell.locator(".jp-Cell-outputArea")
    area.scroll_into_view_if_needed()
    found = area.evaluate(
        "a => { const img = a.querySelector('.jp-OutputArea-output img'); if (!img) return null;"
        " const r = img.getBoundingClientRect();"
        " return {src: img.getAttribute('src') || '', natural: img.naturalWidth, shown: img.width,"
        " x: r.x, y: r.y, width: r.width, height: r.height}; }")
    assert found, "the cell shows no picture"
    return found


def fail_on_dialog(page, when: str) -> None:
    """A JupyterLab dialog in the way fails the test naming it (its text), with a screenshot of it."""
    dialog = page.locator("dialog.jp-Dialog")
    if dialog.count():
        SHOTS.mkdir(parents=True, exist_ok=True)
        shot = SHOTS / f"dialog-{os.getpid()}-{int(time.time())}.png"
        page.screenshot(path=str(shot))
        raise AssertionError(f"a JupyterLab dialog is in the way {when}: {dialog.first.inner_text()!r} ({shot})")


def run_all(page) -> None:
    """Run → Run All Cells, once the kernel is idle (``wait_for_kernel``); the first code cell must start."""
    fail_on_dialog(page, "before Run All Cells")
    page.click("li.lm-MenuBar-item:has-text('Run')")
    page.click("li.lm-Menu-item:has-text('Run All Cells')")
    first_prompt = page.locator(".jp-CodeCell .jp-InputPrompt").first
    try:
        page.wait_for_function("el => /\\[(\\*|\\d+)\\]/.test(el.innerText)",
                               arg=first_prompt.element_handle(), timeout=60_000)
    except Exception as exc:
        fail_on_dialog(page, "after Run All Cells")
        raise AssertionError("Run All Cells did not start the first code cell within 60 s") from exc


def prompt_done(page, cell, timeout: float, before: str = "") -> None:
    """Wait until a code cell's prompt shows an execution number (not ``[*]``) other than ``before``
    (its prompt's text before this run: a cell run again shows a new number)."""
    page.wait_for_function("([el, before]) => /\\[\\d+\\]/.test(el.innerText) && el.innerText !== before",
                           arg=[cell.locator(".jp-InputPrompt").element_handle(), before], timeout=timeout)


def run_cell(page, cell, index: int, timeout: float, stuck: Path) -> None:
    """Shift+Enter on the active cell ``cell`` (number ``index``), as a learner does; it may have run
    before. A kernel still starting may drop the request (the prompt stays as it was): then click the
    cell and run it again, as a learner would. Not done within ``timeout``: a screenshot to ``stuck``."""
    prompt = cell.locator(".jp-InputPrompt")
    before = prompt.inner_text()
    page.keyboard.press("Shift+Enter")
    for _ in range(3):
        try:
            page.wait_for_function("([el, before]) => /\\[(\\*|\\d+)\\]/.test(el.innerText) && el.innerText !== before",
                                   arg=[prompt.element_handle(), before], timeout=20_000)
            break
        except Exception:
            cell.click()
            page.keyboard.press("Escape")
            page.keyboard.press("Shift+Enter")
    try:
        prompt_done(page, cell, timeout, before)
    except Exception:
        stuck.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(stuck))
        raise AssertionError(f"cell {index} did not finish within {timeout / 1000:.0f} s "
                             f"(screenshot {stuck})") from None


def run_new_cell(page, cells, code: str, timeout: float = 60_000, after: int | None = None):
    """Add a cell below cell number ``after`` (the last one when None), type ``code`` into it and run
    it; returns the new cell."""
    index = cells.count() - 1 if after is None else after
    cells.nth(index).click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")  # command mode: a new cell below
    page.keyboard.press("Enter")
    page.keyboard.insert_text(code)
    page.keyboard.press("Shift+Enter")  # on the last cell it also adds an empty one after it
    cell = cells.nth(index + 1)
    prompt_done(page, cell, timeout)
    return cell
