"""In a real browser, as a learner: notebook 00 cell by cell (Shift+Enter) to its end, then notebook 01,
opened from the file browser, with its solutions off, up to exercise 1.3 (exercises 1.1 and 1.2
answered as a learner would), and exercise 1.3 the way learners do it:

* the checkpoint first: its ✗ line names the symptom (0/3 replicas ready), not the cause (no
  "alpien", "ErrImagePull", "ImagePullBackOff" nor "image" in it);
* a diagnosis typed in the empty ✍ cell: ``kubectl get pods``, then ``kubectl describe pod NAME |
  tail`` with a failing pod's name from that list (kubectl 1.36 leaves the events out when it
  describes several pods): the pull failure shows;
* the fix (``kubectl set image``), then the checkpoint again: ✓, and the Deployment ``web`` has 3
  ready replicas of ``nginx:1.27-alpine`` (read from the cluster);
* ``!kubectl edit`` in a new cell ends within 20 s, says what to do instead, and changes nothing.

Screenshots go to the test's ``tmp_path/shots`` and are copied to ``/tmp/learner-walk-shots/`` (also
when the test fails) for a person to look at.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pytest

from kworkshop.polling import poll

from .conftest import CHROMIUM, FLAGS, run_cell, run_new_cell, wait_for_kernel

KEPT = Path("/tmp/learner-walk-shots")
ASK = "# ✍ your commands here"
CAUSE_WORDS = ("alpien", "errimagepull", "imagepullbackoff", "image")  # compared in lower case


def _sources(notebook: Path) -> list[tuple[str, str]]:
    """Each cell's type and source, in the order the page shows them."""
    cells = json.loads(notebook.read_text())["cells"]
    return [(c["cell_type"], "".join(c["source"])) for c in cells]


def _code_cell(sources: list[tuple[str, str]], text: str) -> int:
    """The index of the first code cell whose source has ``text``."""
    found = [i for i, (kind, source) in enumerate(sources) if kind == "code" and text in source]
    assert found, f"no code cell has {text!r}"
    return found[0]


def _said(cell) -> str:
    """What a cell's outputs show, as the page's text."""
    return "\n".join(cell.locator(".jp-OutputArea-output").all_inner_texts())


def _shot(page, cell, shots: Path, name: str) -> Path:
    """A screenshot of the page with ``cell`` scrolled to the top of the notebook."""
    cell.evaluate("el => el.scrollIntoView({block: 'start'})")
    path = shots / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def _type(page, cell, text: str, *, replace: bool) -> None:
    """Click into ``cell``'s editor and type ``text``: instead of what it holds, or on a new line after it."""
    cell.locator(".jp-InputArea-editor .cm-content").click()
    page.keyboard.press("Control+a" if replace else "Control+End")
    if not replace:
        page.keyboard.press("Enter")
    page.keyboard.type(text)


def _open_from_file_browser(page, notebook: str):
    """Double-click ``notebook`` in the file browser (open on the left, as JupyterLab starts); returns
    the cells of its tab, once its kernel is idle."""
    page.locator(f".jp-DirListing-content .jp-DirListing-item:has-text('{notebook}')").dblclick()
    return _notebook_cells(page, notebook)


def _notebook_cells(page, notebook: str):
    """The cells of the notebook in the main area's current tab ``notebook`` (other notebooks stay
    open in their tabs, in the page too), once its kernel is idle."""
    tab = page.locator(f".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current:has-text('{notebook}')")
    tab.wait_for(timeout=60_000)
    cells = page.locator(f"[id='{tab.get_attribute('data-id')}'] .jp-Notebook .jp-Cell")
    cells.first.wait_for(timeout=60_000)
    wait_for_kernel(page)
    return cells


def _walk(page, cells, sources, upto: int, shots: Path, prefix: str, answers: dict[int, tuple[str, bool]],
          pictures: dict[int, tuple[str, int]]) -> None:
    """Shift+Enter from the first cell through cell ``upto``, typing ``answers`` (index: text, whether
    it replaces the cell's text) into their cells first, and taking ``pictures`` once a cell has run
    (index: the screenshot's name, the cell scrolled to the top); no cell may end in a Python traceback."""
    cells.first.click()
    page.keyboard.press("Escape")
    for i in range(upto + 1):
        cell = cells.nth(i)
        if i in answers:
            _type(page, cell, answers[i][0], replace=answers[i][1])
        if sources[i][0] == "code":
            run_cell(page, cell, i, 180_000, shots / f"{prefix}-stuck-at-cell-{i}.png")
            said = _said(cell)
            assert "Traceback" not in said, f"{prefix} cell {i} ({sources[i][1][:60]!r}) ended in a traceback:\n{said}"
            if i in pictures:
                _shot(page, cells.nth(pictures[i][1]), shots, pictures[i][0])
        else:
            page.keyboard.press("Shift+Enter")


def _line(said: str, mark: str) -> str:
    lines = [line for line in said.splitlines() if line.lstrip().startswith(mark)]
    assert len(lines) == 1, f"expected one {mark} line in the checkpoint's output, got:\n{said}"
    return lines[0]


def _pull_failed_everywhere(core, namespace: str) -> bool:
    """Every pod of ``web`` has its pull failure among its events (what ``kubectl describe`` lists)."""
    pods = {p.metadata.name for p in core.list_namespaced_pod(namespace, label_selector="app=web").items}
    failed = {e.involved_object.name for e in core.list_namespaced_event(
        namespace, field_selector="involvedObject.kind=Pod,reason=Failed").items}
    return bool(pods) and pods <= failed


@pytest.fixture
def learner_lab(monkeypatch, request):
    """The ``lab`` fixture as a learner of their own cluster has it: no solutions, no class namespace."""
    monkeypatch.delenv("KWORKSHOP_SOLUTIONS", raising=False)
    monkeypatch.delenv("KWORKSHOP_NAMESPACE", raising=False)
    return request.getfixturevalue("lab")  # started after the environment above is set


def test_a_learner_walks_notebook_00_then_diagnoses_and_fixes_exercise_1_3(learner_lab, cluster, tmp_path, en):
    from kubernetes import client
    from playwright.sync_api import sync_playwright

    from kworkshop.noeditor import advice

    url, token = learner_lab
    shots = tmp_path / "shots"
    shots.mkdir()
    start = _sources(tmp_path / "notebooks" / "00-start-here.ipynb")  # the lab's copy
    up, mine, write, watch = (_code_cell(start, t) for t in
                              ("kw.up(", "mkdir -p mine", "%%writefile mine/hello-job.yaml", "--watch"))
    ch1 = _sources(tmp_path / "notebooks" / "01-deployments.ipynb")
    session_cell, prediction = _code_cell(ch1, "kw.start("), _code_cell(ch1, "prediction = None")
    predicted, apply = _code_cell(ch1, "kw.check.predicted("), _code_cell(ch1, "manifests/exercises/01-web.yaml")
    hello_check, check = _code_cell(ch1, 'kw.check.deployment("hello"'), _code_cell(ch1, 'kw.check.deployment("web"')
    hello_ask, ask = hello_check - 1, check - 1
    assert ch1[hello_ask][1].strip() == ch1[ask][1].strip() == ASK, (ch1[hello_ask], ch1[ask])
    core, apps = client.CoreV1Api(cluster.api_client), client.AppsV1Api(cluster.api_client)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})

            # -- notebook 00, every cell to the end
            page.goto(f"{url}/lab/tree/00-start-here.ipynb?token={token}")
            cells = _notebook_cells(page, "00-start-here.ipynb")
            _walk(page, cells, start, len(start) - 1, shots, "00", {},
                  {up: ("1-00-cluster", up), watch: ("2-00-working-in-a-notebook", mine)})
            written = _said(cells.nth(write))
            assert re.search(r"(Writing|Overwriting) mine/hello-job.yaml", written), \
                f"%%writefile wrote nothing:\n{written}"
            watched = _said(cells.nth(watch))
            assert "job.batch/hello created (dry run)" in watched, f"the dry run did not read mine/:\n{watched}"
            assert re.search(r"kwok-node-0\s+Ready", watched), f"the --watch cell shows no Ready node:\n{watched}"

            # -- notebook 01, from the file browser, up to exercise 1.3's checkpoint (run first)
            cells = _open_from_file_browser(page, "01-deployments.ipynb")
            answers = {prediction: ("prediction = 3", True),
                       hello_ask: ("!kubectl create deployment hello --image=nginx:1.27 --replicas=2", False)}
            began = time.monotonic()
            _walk(page, cells, ch1, check - 1, shots, "01", answers, {})
            found = re.search(r"working in namespace (\S+):", _said(cells.nth(session_cell)))
            assert found, f"the session cell names no namespace:\n{_said(cells.nth(session_cell))}"
            namespace = found.group(1)
            assert "✓ prediction" in _said(cells.nth(predicted)), \
                f"exercise 1.1 (predicted 3) is not ✓:\n{_said(cells.nth(predicted))}"
            assert "✓ deployment/hello" in _said(cells.nth(hello_check)), \
                f"exercise 1.2 (kubectl create deployment hello) is not ✓:\n{_said(cells.nth(hello_check))}"
            first = time.monotonic()
            run_cell(page, cells.nth(check), check, 90_000, shots / "01-stuck-at-first-check.png")
            first = time.monotonic() - first
            _shot(page, cells.nth(apply), shots, "3-01-check-first")
            failed = _line(_said(cells.nth(check)), "✗")
            assert "0/3 replicas ready" in failed, f"the ✗ line does not name the symptom: {failed!r}"
            told = [w for w in CAUSE_WORDS if w in failed.lower()]
            assert not told, f"the ✗ line gives the cause away ({told}): {failed!r}"
            assert first < 30, f"the first checkpoint took {first:.0f} s: it waited instead of settling at once"
            assert not apps.read_namespaced_deployment("web", namespace).status.ready_replicas, \
                "web has ready replicas before the fix"

            # -- the diagnosis in the ✍ cell: the pods, then one of them described (its name copied from
            # the pods' list: kubectl 1.36 shows no events when it describes several pods), once the
            # pods' pull failures are in their events
            assert poll(lambda: _pull_failed_everywhere(core, namespace), 60, first=0.5, most=1), \
                "the pods of web have no Failed (pull) event after 60 s"
            _type(page, cells.nth(ask), "!kubectl get pods", replace=False)
            run_cell(page, cells.nth(ask), ask, 60_000, shots / "01-stuck-at-get-pods.png")
            listed = _said(cells.nth(ask))
            pulling = re.search(r"^(web-\S+)\s+0/1\s+(ErrImagePull|ImagePullBackOff)\s", listed, re.MULTILINE)
            assert pulling, f"`kubectl get pods` shows no pod of web failing its pull:\n{listed}"
            _type(page, cells.nth(ask), f"!kubectl describe pod {pulling.group(1)} | tail -n 5", replace=False)
            run_cell(page, cells.nth(ask), ask, 60_000, shots / "01-stuck-at-diagnosis.png")
            _shot(page, cells.nth(ask), shots, "4-01-diagnosis")
            diagnosis = _said(cells.nth(ask))
            assert "Failed to pull image" in diagnosis, f"the describe tail shows no pull failure:\n{diagnosis}"

            # -- the fix, then the checkpoint again
            _type(page, cells.nth(ask), "!kubectl set image deployment/web web=nginx:1.27-alpine", replace=True)
            run_cell(page, cells.nth(ask), ask, 60_000, shots / "01-stuck-at-fix.png")
            assert "deployment.apps/web image updated" in _said(cells.nth(ask)), \
                f"kubectl set image did not update web:\n{_said(cells.nth(ask))}"
            run_cell(page, cells.nth(check), check, 90_000, shots / "01-stuck-at-second-check.png")
            _shot(page, cells.nth(apply), shots, "5-01-check-after-fix")
            passed = _line(_said(cells.nth(check)), "✓")
            assert "3 replicas of nginx:1.27-alpine ready" in passed, f"the ✓ line says otherwise: {passed!r}"
            web = apps.read_namespaced_deployment("web", namespace)
            running = (web.status.ready_replicas, web.spec.template.spec.containers[0].image)
            assert running == (3, "nginx:1.27-alpine"), f"in the cluster, web has (ready, image) {running}"
            walked = time.monotonic() - began

            # -- kubectl edit in a new cell below the checkpoint: ends, says what to do, changes nothing
            began_edit = time.monotonic()
            edit = run_new_cell(page, cells, "!kubectl edit deployment/web", timeout=20_000, after=check)
            wait_for_kernel(page, timeout=max(1_000, 20_000 - (time.monotonic() - began_edit) * 1000))
            took = time.monotonic() - began_edit
            _shot(page, cells.nth(check), shots, "6-01-kubectl-edit")
            said = _said(edit)
            assert took < 20, f"`!kubectl edit` took {took:.0f} s to end"
            assert advice() in said, f"`!kubectl edit` did not say what to do instead:\n{said}"
            after = apps.read_namespaced_deployment("web", namespace)
            assert after.metadata.generation == web.metadata.generation, "`!kubectl edit` changed deployment/web"
            print(f"01 to the fix: {walked:.0f} s; first checkpoint {first:.1f} s; kubectl edit {took:.1f} s")
            browser.close()
    finally:
        shutil.rmtree(KEPT, ignore_errors=True)
        shutil.copytree(shots, KEPT)
