"""Which font the charts write Chinese with, and so whether they speak Chinese at all.

matplotlib's default font (DejaVu Sans) has no Chinese glyphs: a Chinese label drawn with it is a
row of boxes. So a chart speaks Chinese only when the kit speaks Chinese (``i18n.language()``) *and*
a CJK font is installed (Debian's ``fonts-noto-cjk``, conda-forge's ``font-ttf-noto-cjk``, or any
font that has the glyphs); otherwise its title, axes and legends stay English. The choice is made
once per process (``found``) from matplotlib's font list, plus the system's font files that
matplotlib's cached list predates (a font installed after matplotlib first ran is not in it).

Chart text is drawn with ``text_style()``: the usual sans-serif first, the CJK font as fallback, so
Latin letters and digits look as in the English charts and each Chinese character comes from the
CJK font (matplotlib falls back glyph by glyph).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from .. import i18n

# families known to cover simplified Chinese, best first (a family named here is taken on its name)
KNOWN = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Zen Hei",
         "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", "Heiti SC", "SimHei",
         "Noto Sans CJK TC", "Noto Sans CJK HK", "Noto Sans CJK JP", "Noto Sans CJK KR", "Source Han Sans",
         "Noto Serif CJK SC", "AR PL UMing CN", "AR PL UKai CN", "Droid Sans Fallback")
# a font of another name counts when it has these glyphs (the characters of the charts' titles)
SAMPLE = "部署的上线任务节点图"


def covers(path: str, text: str = SAMPLE) -> bool:
    """Whether the font file at ``path`` has a glyph for every character of ``text``."""
    from matplotlib.ft2font import FT2Font

    try:
        charmap = FT2Font(path).get_charmap()
    except (OSError, RuntimeError, ValueError):
        return False
    return all(ord(ch) in charmap for ch in text)


def cjk_font(fonts: Iterable[Any]) -> str | None:
    """The family of a font in ``fonts`` (matplotlib ``FontEntry``: ``name``, ``fname``) that can
    draw Chinese, or None: a known family first, else any font with the glyphs."""
    fonts = list(fonts)
    names = {f.name for f in fonts}
    for family in KNOWN:
        if family in names:
            return family
    bundled = str(Path(__import__("matplotlib").get_data_path()))
    for entry in sorted(fonts, key=lambda f: f.name):
        if not str(entry.fname).startswith(bundled) and covers(str(entry.fname)):
            return entry.name
    return None


def installed() -> list[Any]:
    """matplotlib's fonts, with the system's font files its cached list does not have yet."""
    from matplotlib import font_manager

    manager = font_manager.fontManager
    known = {f.fname for f in manager.ttflist}
    folders = [*font_manager.X11FontDirectories, *font_manager.OSXFontDirectories,
               str(Path(sys.prefix) / "fonts")]  # conda-forge's fonts live there (Binder)
    files = set(font_manager.findSystemFonts(fontext="ttf"))
    files |= set(font_manager.findSystemFonts(folders, fontext="ttf"))
    for path in sorted(files - known):
        try:
            manager.addfont(path)
        except (OSError, RuntimeError, ValueError):
            continue  # a broken font file must not break the charts
    return list(manager.ttflist)


@cache
def found() -> str | None:
    """The CJK family of this machine (looked for once per process), or None."""
    return cjk_font(installed())


def chart_font() -> str | None:
    """The CJK family to draw the charts with now: when the kit speaks Chinese and one exists."""
    if i18n.language() == "en":
        return None
    return found()


def chart_text(message: str) -> str:
    """``message`` (marked with ``N_``) in the kit's language when a chart can draw it, else English."""
    return i18n._(message) if chart_font() else message


def text_style() -> dict[str, Any]:
    """Keyword arguments for chart text: the CJK font as fallback when the chart speaks Chinese."""
    font = chart_font()
    return {"fontfamily": ["sans-serif", font]} if font else {}


__all__ = ["KNOWN", "chart_font", "chart_text", "cjk_font", "covers", "found", "installed", "text_style"]
