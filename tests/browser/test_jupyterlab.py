"""In a real browser: JupyterLab runs 02-updates-history-rollback and the live rollout chart shows.

Headless Chromium from Debian's package (`/usr/bin/chromium`, installed by .ci/run), driven by
Playwright for Python with ``executable_path``: no browser is downloaded. The screenshot is kept
in ``out/browser/`` for a person to look at. The ``lab`` fixture is in conftest.py.
"""

from __future__ import annotations

from .conftest import CHROMIUM, FLAGS, ROOT, picture, run_all, wait_for_kernel


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
        # the kernel must be connected before "Run All Cells" does anything: wait for the status bar's Idle
        wait_for_kernel(page)
        run_all(page)
        page.wait_for_function("document.body.innerText.includes('\"recreate-demo\" deleted')",
                               timeout=300_000)
        chart_cell = page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell:has(.jp-OutputArea-output img)").first
        picture(chart_cell)  # into view
        page.wait_for_timeout(500)
        page.screenshot(path=str(shots / "02-rollout-chart.png"))
        shown = picture(chart_cell)
        assert shown["width"] > 300 and 0 <= shown["y"] < 1000, shown  # on screen, full size
        assert shown["natural"] > 300, shown  # a rendered chart, not a broken image
        errors = page.locator("[data-mime-type='application/vnd.jupyter.stderr'] .jp-RenderedText, "
                              ".jp-OutputArea-output[data-mime-type*='error']")
        assert page.locator(".jp-OutputArea-output:has-text('Traceback')").count() == 0
        assert errors.count() == 0 or all("WARNING" in t for t in errors.all_inner_texts())
        browser.close()
