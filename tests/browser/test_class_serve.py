"""In real browsers: a class served by ``kworkshop class serve`` (JupyterHub, one account per learner).

``class serve --learners 2`` runs in the background as an instructor starts it. Three browser
contexts (three people): learner 1 logs in, opens notebook 01 and runs it to its first checkpoint
(✓); learner 2 logs in and runs kubectl in a JupyterLab Terminal (their namespace); learner 1 tries
learner 2's namespace and home folder in their Terminal and is refused; the instructor has the
progress board open all along and sees learner 1's ✓ arrive without a reload. Screenshots:
out/browser/class-*.png.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from kworkshop.classroom.hub import users

from .conftest import CHROMIUM, FLAGS, ROOT, SHOTS, _free_port, fail_on_dialog, lab_settings, wait_for_kernel
from .test_terminal import _run, _screen


def _wait_for_line(log: Path, proc: subprocess.Popen, pattern: str, timeout: float) -> re.Match:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := re.search(pattern, log.read_text()):
            return found
        assert proc.poll() is None, f"class serve stopped:\n{log.read_text()}"
        time.sleep(0.5)
    raise AssertionError(f"class serve never printed {pattern!r}:\n{log.read_text()}")


@pytest.fixture
def served(cluster, state_root, tmp_path):
    """(url, {account: password}, class name): `kworkshop class serve --learners 2` in the background."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    if os.geteuid() != 0:
        pytest.skip("class serve creates system accounts: it runs as root")
    name = f"t{uuid.uuid4().hex[:5]}"
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kworkshop", "class", "serve", "--name", name, "--learners", "2",
             "--port", str(_free_port()), "--cluster", cluster.name],
            cwd=ROOT, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            env={**os.environ, "KWORKSHOP_STATE_DIR": str(state_root)})
    try:
        url = _wait_for_line(log, proc, r"is served at (\S+)", 300)[1]
        sheet = Path(_wait_for_line(log, proc, r"credentials sheet .*: (\S+)", 5)[1])
        assert sheet.stat().st_mode & 0o777 == 0o600
        lines = [line.split() for line in sheet.read_text().splitlines() if not line.startswith("#")]
        passwords = {account: password for account, password in lines}
        assert list(passwords) == [f"{name}-learner-01", f"{name}-learner-02", f"{name}-instructor"]
        for account in passwords:  # as learners' JupyterLab would be set for a headless browser
            home = users.account(account).home
            assert home.stat().st_mode & 0o777 == 0o700
            settings = lab_settings(home / ".jupyter" / "lab" / "user-settings")
            subprocess.run(["chown", "-R", f"{account}:{account}", str(home / ".jupyter")], check=True)
            assert settings.is_dir()
        yield url, passwords, name
    finally:
        stop = subprocess.run([sys.executable, "-m", "kworkshop", "class", "serve", "--stop", "--name", name],
                              cwd=ROOT, capture_output=True, text=True,
                              env={**os.environ, "KWORKSHOP_STATE_DIR": str(state_root)})
        proc.wait(60)
        delete = subprocess.run([sys.executable, "-m", "kworkshop", "class", "delete", "--name", name,
                                 "--cluster", cluster.name], cwd=ROOT, capture_output=True, text=True,
                                env={**os.environ, "KWORKSHOP_STATE_DIR": str(state_root)})
        assert stop.returncode == 0, stop.stderr
        assert delete.returncode == 0, delete.stdout + delete.stderr
        assert users.of_class(name) == [], "class delete leaves no system account behind"
        assert not Path(f"/home/{name}-learner-01").exists()


def _login(browser, url: str, account: str, password: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{url}hub/login")
    page.fill("input#username_input", account)
    page.fill("input#password_input", password)
    page.click("#login_submit")
    return page


def _open_lab(page, account: str) -> None:
    """After login: the hub starts the learner's server and lands them in JupyterLab at 00-start-here."""
    page.wait_for_url(re.compile(rf"/user/{account}/lab"), timeout=240_000)
    page.wait_for_selector(".lm-TabBar-tab.lm-mod-current:has-text('00-start-here')", timeout=120_000)
    page.wait_for_selector("li.lm-MenuBar-item:has-text('File')", timeout=60_000)
    page.wait_for_timeout(1000)  # the menus are complete once the extensions have loaded


def _terminal(page) -> None:
    page.click("li.lm-MenuBar-item:has-text('File')")
    page.hover("li.lm-Menu-item:has-text('New')")
    page.click(".lm-Menu-item[data-command='terminal:create-new']")
    page.wait_for_selector(".jp-Terminal .xterm", timeout=30_000)
    page.click(".jp-Terminal .xterm")
    deadline = time.monotonic() + 30
    while not re.search(r"[$#]\s*$", _screen(page).strip()) and time.monotonic() < deadline:
        page.wait_for_timeout(300)


def _run_to_first_checkpoint(page, account: str) -> None:
    """Notebook 01: write the prediction down, then Run > Run All Above the cell after the checkpoint."""
    page.goto(page.url.split("/lab")[0] + "/lab/tree/01-deployments.ipynb")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
    wait_for_kernel(page, timeout=180_000)
    cell = page.locator(".jp-CodeCell:has-text('prediction = None')").first
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.type("prediction = 3  # 3: the ReplicaSet replaces the deleted pod")
    page.keyboard.press("Escape")
    after = page.locator(".jp-MarkdownCell:has-text('The ReplicaSet noticed the missing pod')").first
    after.click()
    fail_on_dialog(page, "before Run All Above Selected Cell")
    page.click("li.lm-MenuBar-item:has-text('Run')")
    page.click("li.lm-Menu-item:has-text('Run All Above Selected Cell')")
    try:
        page.wait_for_function("document.body.innerText.includes('working in namespace')", timeout=120_000)
    except Exception as exc:
        fail_on_dialog(page, "after Run All Above Selected Cell")
        raise AssertionError("notebook 01 did not reach kw.start's 'working in namespace' within 120 s") from exc
    page.wait_for_function("document.body.innerText.includes('✓ prediction: Running pods')", timeout=300_000)
    assert f"working in namespace {account}" in page.inner_text("body")


def test_a_served_class_in_three_browsers(served):
    from playwright.sync_api import sync_playwright

    url, passwords, name = served
    one, two, instructor = f"{name}-learner-01", f"{name}-learner-02", f"{name}-instructor"
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)

        # the instructor opens the board first and keeps it open (never reloaded)
        board = _login(browser, url, instructor, passwords[instructor])
        board.wait_for_url(re.compile(r"/(hub|user)/"), timeout=60_000)
        board.goto(f"{url}hub/home")  # the hub's home: the board is in its Services menu
        board.click("a.dropdown-toggle:has-text('Services')")
        board.wait_for_selector("a.dropdown-item:has-text('progress')", timeout=10_000)
        board.screenshot(path=str(SHOTS / "class-instructor-home.png"))
        board.click("a.dropdown-item:has-text('progress')")
        board.wait_for_selector("#board td:has-text('learner-01')", timeout=60_000)  # the board's names
        assert board.locator("td.pass").count() == 0
        board.screenshot(path=str(SHOTS / "class-board-before.png"))

        # learner 1: notebook 01 to its first checkpoint
        page1 = _login(browser, url, one, passwords[one])
        _open_lab(page1, one)
        page1.screenshot(path=str(SHOTS / "class-learner1-start-here.png"))
        _run_to_first_checkpoint(page1, one)
        page1.locator(".jp-OutputArea-output:has-text('✓ prediction')").first.scroll_into_view_if_needed()
        page1.screenshot(path=str(SHOTS / "class-learner1-checkpoint.png"))

        # the board shows it without a reload
        board.wait_for_selector("td.pass", timeout=30_000)
        row = board.locator("#board tr:has-text('learner-01')").inner_text()
        assert "✓" in row, row
        assert "✓" not in board.locator("#board tr:has-text('learner-02')").inner_text()
        board.screenshot(path=str(SHOTS / "class-board-after.png"))

        # learner 2: kubectl in a JupyterLab Terminal, in their own namespace
        page2 = _login(browser, url, two, passwords[two])
        _open_lab(page2, two)
        _terminal(page2)
        mine = _run(page2, "kubectl get resourcequota,serviceaccounts", r"learner-quota")
        assert "serviceaccount/learner" in mine, mine
        _run(page2, "kubectl get pods", rf"No resources found in {two} namespace")
        page2.screenshot(path=str(SHOTS / "class-learner2-terminal.png"))

        # learner 1 tries learner 2's namespace and home folder, and is refused
        _terminal(page1)
        _run(page1, "kubectl get pods", r"node-js-deploy-\S+\s+1/1\s+Running")
        forbidden = _run(page1, f"kubectl get pods -n {two}", r"Forbidden|forbidden")
        flat = forbidden.replace("\n", "")  # the Terminal wraps long lines
        assert f'cannot list resource "pods" in API group "" in the namespace "{two}"' in flat, forbidden
        denied = _run(page1, f"ls /home/{two}", r"Permission denied")
        assert "Permission denied" in denied, denied
        _run(page1, "whoami; ls -ld ~ ~/.kube/config", r"-rw-------\s+1\s+" + one)
        page1.screenshot(path=str(SHOTS / "class-learner1-refused.png"))

        # a learner does not get the board
        page2.goto(f"{url}services/progress/api/progress")
        assert "403" in page2.inner_text("body") or "Forbidden" in page2.inner_text("body")
        browser.close()
