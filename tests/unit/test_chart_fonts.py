"""Charts in Chinese: the CJK font is chosen from the fonts there are (none -> English labels, never
boxes of missing glyphs), and a zh_CN chart's title is drawn with real glyphs."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from kworkshop.i18n import N_
from kworkshop.live import charts, fonts
from kworkshop.live.render import Renderer

from .test_series import failing_rollout

CJK = re.compile(r"[\u4e00-\u9fff]")
TITLE = N_("rollout of deployment/{name}")
MISSING = re.compile(r"Glyph \d+ .* missing from font")


def entry(name: str, fname: str) -> font_manager.FontEntry:
    return font_manager.FontEntry(fname=fname, name=name)


def latin_fonts() -> list[font_manager.FontEntry]:
    """Fonts without Chinese: matplotlib's own DejaVu (and the system's Latin fonts, when there are)."""
    found = [f for f in font_manager.fontManager.ttflist if f.name.startswith(("DejaVu", "Liberation"))]
    assert found
    return found


def system_cjk_file() -> str | None:
    return next((f.fname for f in fonts.installed() if f.name in fonts.KNOWN and Path(f.fname).exists()), None)


@pytest.fixture
def chinese(monkeypatch):
    monkeypatch.setenv("KWORKSHOP_LANG", "zh_CN")


def texts(fig) -> list[str]:
    return [t.get_text() for t in fig.texts] + [t.get_text() for ax in fig.axes for t in ax.texts] + \
        [ax.get_ylabel() for ax in fig.axes] + [ax.get_xlabel() for ax in fig.axes]


def render(fig) -> tuple[np.ndarray, list[str]]:
    """The figure's pixels, and matplotlib's warnings while drawing it."""
    FigureCanvasAgg(fig)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy(), [str(w.message) for w in caught]


def test_no_cjk_font_among_the_fonts_means_none():
    assert fonts.cjk_font(latin_fonts()) is None
    assert fonts.cjk_font([]) is None


def test_a_known_cjk_family_is_chosen_by_its_name_best_first():
    listed = [*latin_fonts(), entry("Noto Sans CJK JP", "/nowhere/a.ttc"), entry("Noto Sans CJK SC", "/nowhere/a.ttc")]
    assert fonts.cjk_font(listed) == "Noto Sans CJK SC"
    assert fonts.cjk_font([*latin_fonts(), entry("WenQuanYi Zen Hei", "/nowhere/wqy.ttc")]) == "WenQuanYi Zen Hei"


def test_a_font_of_another_name_counts_when_it_has_the_glyphs():
    path = system_cjk_file()
    if path is None:
        pytest.skip("no CJK font on this machine (apt-get install fonts-noto-cjk)")
    assert fonts.covers(path) and not fonts.covers(latin_fonts()[0].fname)
    assert fonts.cjk_font([*latin_fonts(), entry("Some Renamed Han Font", path)]) == "Some Renamed Han Font"


def test_without_a_cjk_font_a_chinese_chart_speaks_english(chinese, monkeypatch):
    monkeypatch.setattr(fonts, "found", lambda: None)
    assert fonts.chart_font() is None and fonts.text_style() == {}
    title = fonts.chart_text(TITLE).format(name="web")
    assert title == "rollout of deployment/web"
    fig = Renderer(charts.draw_rollout, title, (8, 3.4)).figure(failing_rollout(), 20)
    shown = texts(fig)
    assert "revision (image tag)" in shown and "seconds since the chart started" in shown
    assert not any(CJK.search(t) for t in shown), shown
    assert not any(MISSING.search(w) for w in render(fig)[1])


def test_english_charts_stay_english_whatever_fonts_there_are(monkeypatch):
    monkeypatch.setenv("KWORKSHOP_LANG", "en")
    monkeypatch.setattr(fonts, "found", lambda: "Noto Sans CJK SC")
    assert fonts.chart_font() is None and fonts.text_style() == {}
    assert fonts.chart_text(N_("pods on nodes")) == "pods on nodes"


def test_with_a_cjk_font_the_chinese_title_is_drawn_with_glyphs(chinese):
    family = fonts.found()
    if family is None:
        pytest.skip("no CJK font on this machine (apt-get install fonts-noto-cjk)")
    assert fonts.chart_font() == family
    title = fonts.chart_text(TITLE).format(name="web")
    assert CJK.search(title), title
    fig = Renderer(charts.draw_rollout, title, (8, 3.4)).figure(failing_rollout(), 20)
    assert title in texts(fig) and "修订版本（镜像标签）" in texts(fig)
    _pixels, warned = render(fig)
    assert not any(MISSING.search(w) for w in warned), warned

    # the same title in a font without Chinese: matplotlib says so, and the pixels differ (boxes)
    def title_only(**style) -> tuple[np.ndarray, list[str]]:
        fig = Figure(figsize=(4, 0.6), dpi=100)
        fig.text(0.5, 0.5, title, ha="center", va="center", fontsize=12, **style)
        return render(fig)

    with_cjk, cjk_warnings = title_only(**fonts.text_style())
    boxes, box_warnings = title_only(fontfamily=["DejaVu Sans"])
    assert not any(MISSING.search(w) for w in cjk_warnings)
    assert any(MISSING.search(w) for w in box_warnings)
    assert (with_cjk != boxes).any(axis=-1).sum() > 200
