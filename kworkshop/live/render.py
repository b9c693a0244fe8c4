"""One renderer for every frontend: the live view, the stopped chart's image, ``save()``, a
headless run and the benchmark all draw a chart through ``Renderer``.

It keeps what must survive from frame to frame (the colour given to each workload or Job) and the
model of the last frame it drew (``drawn``), and it times the PNG renders. PNGs are drawn at 2x
(``SCALE``) and meant to be shown at their 1x size (``css_size``), so they stay sharp on HiDPI
screens. Building the figure reads the series (the caller holds the chart's lock); encoding the
PNG does not, so watch threads are not held up by the PNG encoder.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .charts import BASE_DPI, new_figure
from .view import WINDOW_SECONDS, Frame, Palette

SCALE = 2  # device pixels per CSS pixel of the PNGs
# zlib level 1: a chart is mostly flat colour, level 6 (PIL's default) costs 2-3x more for ~10% less
PNG_OPTIONS = {"compress_level": 1}

Draw = Callable[[Any, Frame, Figure], dict[str, Any]]


class Renderer:
    """Draws one chart's series as of a given time; see the module docstring."""

    def __init__(self, draw: Draw, title: str, size: tuple[float, float], *,
                 window: float = WINDOW_SECONDS, ticks: bool = True) -> None:
        self.draw, self.title, self.size, self.window = draw, title, size, window
        self.ticks = ticks  # False: the drawing does not depend on the clock (the node map)
        self.palette = Palette()
        self._fig: Figure | None = None
        self._lock = threading.Lock()  # one PNG at a time on the kept figure
        self.drawn: dict[str, Any] = {}
        self.seconds: list[float] = []  # per PNG render (figure + encode), wall clock
        self.cpu_seconds: list[float] = []  # the same, CPU time of the drawing thread (ignores a busy machine)

    @property
    def css_size(self) -> tuple[int, int]:
        """Width and height at which a PNG is shown, in CSS pixels."""
        return round(self.size[0] * BASE_DPI), round(self.size[1] * BASE_DPI)

    def figure(self, series: Any, now: float) -> Figure:
        """A new figure of ``series`` at ``now`` (seconds since the chart started); sets ``drawn``."""
        fig = new_figure(*self.size)
        self.drawn = self.draw(series, Frame.at(self.title, now, self.palette, self.window), fig)
        return fig

    def png(self, series: Any, now: float, scale: int = SCALE, lock: Any = None) -> bytes:
        """The chart at ``now`` as a PNG with ``scale`` pixels per CSS pixel; sets ``drawn``.

        Draws on a figure kept from the last PNG (its axes, ticks and text metrics are reused), with
        ``lock`` (the chart's) held only while the series is read."""
        with self._lock, self.timed():
            if self._fig is None or self._fig.dpi != BASE_DPI * scale:
                self._fig = Figure(figsize=self.size, dpi=BASE_DPI * scale)
                FigureCanvasAgg(self._fig)  # its own canvas: savefig would make a new one per call
            with lock or nullcontext():
                self.drawn = self.draw(series, Frame.at(self.title, now, self.palette, self.window), self._fig)
            buf = io.BytesIO()
            self._fig.canvas.print_png(buf, pil_kwargs=dict(PNG_OPTIONS))  # print_png adds to the dict
            return buf.getvalue()

    @contextmanager
    def timed(self) -> Iterator[None]:
        """Record the wall and CPU time of one render."""
        wall, cpu = time.perf_counter(), time.thread_time()
        yield
        self.seconds.append(time.perf_counter() - wall)
        self.cpu_seconds.append(time.thread_time() - cpu)
