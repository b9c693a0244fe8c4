"""A live chart: watchers feed a series, a render thread redraws at most twice a second.

In JupyterLab the chart is an ipywidgets Image that updates in place; re-running the cell that
made it stops the old one first (charts are kept by key), so threads never pile up. Headless
(papermill, nbval, nbconvert: no ``JPY_SESSION_NAME`` from a Jupyter server) nothing live is shown;
``stop()`` - or leaving a ``with`` block - puts the final PNG and a one-line summary in the output.
"""

from __future__ import annotations

import io
import os
import threading
import time
from collections.abc import Callable
from typing import Any, ClassVar

from matplotlib.figure import Figure

from ..kube.watch import Watcher

MIN_REDRAW_SECONDS = 0.5  # at most 2 redraws per second


def interactive() -> bool:
    """Whether a live widget can be seen: a kernel started by a Jupyter server (or forced)."""
    forced = os.environ.get("KWORKSHOP_LIVE")
    if forced is not None:
        return forced not in ("0", "false", "no")
    return bool(os.environ.get("JPY_SESSION_NAME"))


class LiveChart:
    """One chart on one series; see ``kworkshop.live`` for the constructors."""

    _charts: ClassVar[dict[str, LiveChart]] = {}

    def __init__(self, key: str, title: str, series: Any, draw: Callable[[Any, str, Figure], Figure],
                 watchers: list[Watcher], width: float = 8, height: float = 3.6) -> None:
        previous = LiveChart._charts.pop(key, None)
        if previous is not None:
            previous.stop(show=False)
        LiveChart._charts[key] = self
        self.key, self.title, self.series, self._draw = key, title, series, draw
        self.size = (width, height)
        self.lock = threading.RLock()
        self.watchers = watchers
        self.t0 = time.monotonic()
        self.redraws = 0
        self.redraw_seconds = 0.0
        self._dirty = threading.Event()
        self._stopped = threading.Event()
        self._widget = None
        self._label = None
        self._renderer: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self, display: bool = True) -> LiveChart:
        for w in self.watchers:
            w.start()
        if display and interactive():
            self._show_widget()
            self._renderer = threading.Thread(target=self._render_loop, name=f"chart-{self.key}", daemon=True)
            self._renderer.start()
        elif display:
            self._print(f"recording {self.title} (the chart appears when it stops)")
        return self

    def stop(self, show: bool = True) -> None:
        """Stop the watches and the redraws; show the final chart (PNG) and summary."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        self._dirty.set()
        for w in self.watchers:
            w.stop()
        if self._renderer is not None:
            self._renderer.join(5)
        if LiveChart._charts.get(self.key) is self:
            del LiveChart._charts[self.key]
        if show:
            if self._widget is not None:
                self._refresh()
            else:
                self.show()

    def __enter__(self) -> LiveChart:
        return self

    def __exit__(self, *exc: object) -> None:
        time.sleep(0)  # let the last events in
        self.stop()

    # -- data in ---------------------------------------------------------------------------

    def now(self) -> float:
        return round(time.monotonic() - self.t0, 2)

    def feed(self, fn: Callable[..., None], *args: Any) -> None:
        """Apply an event to the series under the lock (watch threads call this)."""
        with self.lock:
            fn(self.now(), *args)
        self._dirty.set()

    # -- data out --------------------------------------------------------------------------

    def figure(self) -> Figure:
        from .charts import new_figure

        with self.lock:
            return self._draw(self.series, self.title, new_figure(*self.size))

    def png(self) -> bytes:
        start = time.perf_counter()
        buf = io.BytesIO()
        self.figure().savefig(buf, format="png")
        self.redraw_seconds += time.perf_counter() - start
        self.redraws += 1
        return buf.getvalue()

    def save(self, path: str) -> str:
        """Write the chart as it is now to ``path`` (PNG, SVG or PDF by extension)."""
        self.figure().savefig(path)
        return path

    @property
    def data(self):  # -> pandas.DataFrame
        """The series as a DataFrame (one row per sample)."""
        import pandas as pd

        with self.lock:
            return pd.DataFrame(list(self.series.rows))

    def summary(self) -> str:
        with self.lock:
            return self.series.summary()

    def show(self) -> None:
        """Display a static PNG of the chart and the one-line summary."""
        from IPython.display import Image, display

        display(Image(data=self.png(), format="png"))
        self._print(self.summary())

    # -- widget ----------------------------------------------------------------------------

    def _show_widget(self) -> None:
        import ipywidgets as widgets
        from IPython.display import display

        self._widget = widgets.Image(format="png", value=self.png())
        self._label = widgets.Label(value=self.summary())
        display(widgets.VBox([self._widget, self._label]))

    def _refresh(self) -> None:
        png, text = self.png(), self.summary()
        # Setting a trait sends one comm message; ipykernel serialises sends, so a worker thread may.
        self._widget.value = png
        self._label.value = text

    def _render_loop(self) -> None:
        while not self._stopped.is_set():
            self._dirty.wait()
            if self._stopped.is_set():
                break
            self._dirty.clear()
            self._refresh()
            self._stopped.wait(MIN_REDRAW_SECONDS)

    @staticmethod
    def _print(text: str) -> None:
        print(text)  # a notebook's output is an edge: it may print

    def __repr__(self) -> str:
        state = "stopped" if self._stopped.is_set() else "live"
        return f"<LiveChart {self.title!r} ({state}): {self.summary()}>"
