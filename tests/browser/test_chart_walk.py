"""In a real browser, as a learner: notebook 02 run cell by cell (Shift+Enter) up to the undo; the
live rollout chart draws the present (the undo's revision is on the picture, in its colour, up to
the right edge); stopped, it becomes a plain image that is still there after a kernel restart and a
page reload (no "Error displaying widget: model not found").

Screenshots in ``out/browser/``: ``02-walk-after-undo.png`` (the page with the live chart after the
undo), ``02-walk-chart-after-undo.png`` (the chart's own PNG), ``02-walk-after-restart.png``.
"""

from __future__ import annotations

import base64
import io
import json

from .conftest import CHROMIUM, FLAGS, ROOT, SHOTS, picture, run_cell, run_new_cell, wait_for_kernel

NOTEBOOK = "02-updates-history-rollback.ipynb"


def _cell(starts: str) -> int:
    """The index of the notebook's cell whose source starts with ``starts`` (found, not counted:
    a cell added above must not move the walk)."""
    cells = json.loads((ROOT / "notebooks" / NOTEBOOK).read_text())["cells"]
    found = [i for i, c in enumerate(cells) if "".join(c["source"]).startswith(starts)]
    assert len(found) == 1, f"{NOTEBOOK}: {len(found)} cells start with {starts!r}"
    return found[0]


UNDO_CHECK = _cell("undone = next(")  # the cell after `kubectl rollout undo` that reads the history: the last one run
CHART_CELL = _cell("chart = kw.live.rollout(")
PROBE = ("import json; _d = chart.data; _l = _d[_d.t == _d.t.max()].groupby('revision').last(); "
         "_r = int(_l[_l.ready > 0].index.max()); print('CHART-STATE', json.dumps({'rev': _r, "
         "'tag': _l.loc[_r, 'tag'], 'ready': int(_l.loc[_r, 'ready']), 'drawn': chart.drawn['revisions'][_r], "
         "'axes': chart.drawn['axes']}))")


def _revision_pixels(png: bytes, axes: list[float], color: str) -> int:
    """How many pixels of ``color`` the picture has in the last few columns of the plot (now)."""
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB")
    w, h = img.size
    _left, bottom, right, top = axes
    want = tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))
    x0, y0, y1 = int(right * w) - 8, int((1 - top) * h), int((1 - bottom) * h)
    return sum(1 for x in range(x0, x0 + 6) for y in range(y0, y1)
               if all(abs(a - b) <= 3 for a, b in zip(img.getpixel((x, y)), want, strict=True)))


def test_a_learner_walks_notebook_02_and_the_chart_keeps_up_and_stays(lab, cluster):
    from playwright.sync_api import sync_playwright

    url, token = lab
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, device_scale_factor=2)
        page.goto(f"{url}/lab/tree/{NOTEBOOK}?token={token}")
        cells = page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell")
        cells.first.wait_for(timeout=60_000)
        wait_for_kernel(page, timeout=120_000)
        cells.first.click()
        page.keyboard.press("Escape")
        for i in range(UNDO_CHECK + 1):  # Shift+Enter through the cells, one at a time
            cell = cells.nth(i)
            if "jp-CodeCell" in (cell.get_attribute("class") or ""):
                run_cell(page, cell, i, 180_000, SHOTS / f"02-walk-stuck-at-cell-{i}.png")
            else:
                page.keyboard.press("Shift+Enter")

        picture(cells.nth(CHART_CELL))  # into view
        page.wait_for_timeout(2500)  # two ticks of the clock: the picture reaches the present
        page.screenshot(path=str(SHOTS / "02-walk-after-undo.png"))
        shown = picture(cells.nth(CHART_CELL))
        src = shown["src"]
        assert src.startswith("data:image/png;base64,"), src[:60]
        png = base64.b64decode(src.split(",", 1)[1])
        (SHOTS / "02-walk-chart-after-undo.png").write_bytes(png)
        assert shown["natural"] == 2 * shown["shown"], shown  # drawn at twice its CSS size

        probe = run_new_cell(page, cells, PROBE)
        line = next(t for t in probe.locator(".jp-OutputArea-output").all_inner_texts() if "CHART-STATE" in t)
        state = json.loads(line.split("CHART-STATE", 1)[1])
        assert (state["rev"], state["tag"], state["ready"]) == (5, "0.3", 3), state  # the undo: rev 5
        assert state["drawn"]["ready"] == state["ready"]  # drawn = the data's last sample
        assert _revision_pixels(png, state["axes"], state["drawn"]["color"]) > 50  # on the picture, at now

        # a learner's mistake: one sentence, not a traceback of the kit's internals
        mistake = run_new_cell(page, cells, 'kw.rollout.undo("deployment/node-js-deplyo", to_revision=2)')
        said = "\n".join(mistake.locator(".jp-OutputArea-output").all_inner_texts())
        page.screenshot(path=str(SHOTS / "02-walk-learner-mistake.png"))
        assert "NotFoundError" in said and "node-js-deplyo" in said and "kubectl" in said, said
        assert "Traceback" not in said and len(said.strip().splitlines()) <= 2, said

        run_new_cell(page, cells, "chart.stop()")
        outputs = cells.nth(CHART_CELL).locator(".jp-OutputArea-output")
        page.wait_for_function("el => el.innerText.includes('rollout: rev 5 (0.3): 3 ready')",
                               arg=cells.nth(CHART_CELL).element_handle(), timeout=20_000)
        assert page.locator(".jupyter-widgets, .widget-image").count() == 0  # plain outputs, no widget

        page.keyboard.press("Control+s")
        page.wait_for_timeout(1000)
        page.click("li.lm-MenuBar-item:has-text('Kernel')")
        page.click("li.lm-Menu-item:has-text('Restart Kernel')")
        page.click(".jp-Dialog-button.jp-mod-accept")
        wait_for_kernel(page, timeout=60_000)
        page.reload()
        cells.first.wait_for(timeout=60_000)
        outputs = cells.nth(CHART_CELL).locator(".jp-OutputArea-output")
        image = outputs.locator("img").first
        image.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        page.screenshot(path=str(SHOTS / "02-walk-after-restart.png"))
        assert image.evaluate("img => img.complete && img.naturalWidth") > 300
        assert "rollout: rev 5 (0.3): 3 ready" in " ".join(outputs.all_inner_texts())
        assert page.locator("text=Error displaying widget").count() == 0
        assert page.locator("text=model not found").count() == 0
        browser.close()
