"""In a real browser, as a Chinese reader: JupyterLab runs ``notebooks/zh-CN/02-updates-history-rollback``
(Run All) and the live rollout chart is labelled in Chinese, drawn with a CJK font the kit found on the
system (Debian's fonts-noto-cjk, which .ci/run installs), not boxes of missing glyphs.

Screenshots in ``out/browser/``: ``02-zh-rollout-chart.png`` (the page, the chart in view) and
``02-zh-chart.png`` (the chart's own PNG).
"""

from __future__ import annotations

import base64
import json
import re

from .conftest import CHROMIUM, FLAGS, SHOTS, picture, run_all, run_new_cell, wait_for_kernel

NOTEBOOK = "zh-CN/02-updates-history-rollback.ipynb"
CJK = re.compile(r"[\u4e00-\u9fff]")
# what the kernel says of its chart: the font the kit chose, the title, and matplotlib's complaints
# about glyphs missing from the fonts while drawing the chart once more
PROBE = ("import json, warnings; from kworkshop.live import fonts\n"
         "with warnings.catch_warnings(record=True) as _w:\n"
         "    warnings.simplefilter('always'); chart.png()\n"
         "print('CHART-FONT', json.dumps({'font': fonts.chart_font(), 'title': chart.title, "
         "'missing': [str(w.message) for w in _w if 'missing from font' in str(w.message)]}))")


def test_the_chinese_notebook_02_draws_its_chart_in_chinese_glyphs(lab, cluster):
    from playwright.sync_api import sync_playwright

    url, token = lab
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, device_scale_factor=2)
        page.goto(f"{url}/lab/tree/{NOTEBOOK}?token={token}")
        cells = page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell")
        cells.first.wait_for(timeout=60_000)
        wait_for_kernel(page)
        run_all(page)
        page.wait_for_function("document.body.innerText.includes('\"recreate-demo\" deleted')", timeout=420_000)
        said = page.inner_text(".jp-NotebookPanel")
        assert "当前名字空间：ch5-updates-zh" in said, said[:2000]  # the session's line, in Chinese
        assert "✗ 预测：" in said and "提示：" in said  # an unanswered exercise: its ✗ line and hint

        probe = run_new_cell(page, cells, PROBE)
        line = next(t for t in probe.locator(".jp-OutputArea-output").all_inner_texts() if "CHART-FONT" in t)
        state = json.loads(line.split("CHART-FONT", 1)[1])
        assert state["font"] and "CJK" in state["font"], state  # the kit chose a CJK font (Noto Sans CJK SC)
        assert CJK.search(state["title"]) and state["missing"] == [], state

        picture(cells.nth(6))  # chart = kw.live.rollout(...), into view
        page.wait_for_timeout(500)
        page.screenshot(path=str(SHOTS / "02-zh-rollout-chart.png"))
        shown = picture(cells.nth(6))
        src = shown["src"]
        assert src.startswith("data:image/png;base64,"), src[:60]
        (SHOTS / "02-zh-chart.png").write_bytes(base64.b64decode(src.split(",", 1)[1]))
        assert shown["natural"] > 300, shown
        summary = " ".join(cells.nth(6).locator(".jp-OutputArea-output").all_inner_texts())
        assert "上线：修订版本" in summary, summary  # the summary line under the chart, in Chinese
        assert page.locator(".jp-OutputArea-output:has-text('Traceback')").count() == 0
        browser.close()
