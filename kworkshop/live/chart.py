"""A live chart: watchers feed a series; a render thread redraws it up to *now*.

A chart shows the present, not the last event: the render thread redraws on events (at most twice
a second) and, between events, about once a second with the clock only (no API call), so the
latest state keeps growing to the right edge. ``stop()`` takes a last sample, draws the final
frame and replaces the live picture - through the same display id, wherever it is - with that
static PNG and the one-line summary, so the saved notebook keeps the result (see ``output``).

Headless (papermill, nbval, nbconvert: no ``JPY_SESSION_NAME`` from a Jupyter server) nothing is
redrawn while the chart records: the cell says "recording ..." and ``stop()`` puts the final chart
there. Re-running the cell that made a chart stops the old one first (charts are kept by key), so
threads never pile up.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any, ClassVar

from matplotlib.figure import Figure

from .. import i18n, settings
from ..i18n import N_, _
from ..kube.watch import Watcher
from . import output
from .charts import BASE_DPI
from .render import SCALE, Draw, Renderer
from .view import WINDOW_SECONDS

MIN_REDRAW_SECONDS = 0.5  # at most 2 redraws per second when events come fast
TICK_SECONDS = 1.0  # between events, redraw with the clock so the chart reaches "now"

PIN_HELP = N_("""\
To keep the chart in view while you scroll and run the cells that change it:
  JupyterLab: right-click the chart -> "Create New View for Output". The view opens in a panel of
  its own (drag its tab beside the notebook); it updates live and shows the final chart after stop().
  Anywhere: chart.show() puts another live copy of the chart in the cell you run it in.""")


def interactive() -> bool:
    """Whether a live chart can be seen: a kernel started by a Jupyter server (or forced)."""
    if settings.LIVE.is_set():
        return settings.LIVE.get().lower() not in ("0", "false", "no")
    return bool(os.environ.get("JPY_SESSION_NAME"))


class LiveChart:
    """One chart on one series; see ``kworkshop.live`` for the constructors."""

    _charts: ClassVar[dict[str, LiveChart]] = {}

    def __init__(self, key: str, title: str, series: Any, draw: Draw, watchers: list[Watcher], *,
                 width: float = 8, height: float = 3.4, window: float = WINDOW_SECONDS,
                 ticks: bool = True) -> None:
        previous = LiveChart._charts.pop(key, None)
        if previous is not None:
            previous.stop(show=False)
        LiveChart._charts[key] = self
        self.key, self.title, self.series = key, title, series
        self.renderer = Renderer(draw, title, (width, height), window=window, ticks=ticks)
        self.lock = threading.RLock()
        self.watchers = watchers
        self.t0 = time.monotonic()
        self.stopped_at: float | None = None
        self._dirty = threading.Event()
        self._stopped = threading.Event()
        self._outputs: output.Outputs | None = None
        self._started_in: int | None = None  # the cell (execution count) that made the chart
        self._renderer: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self, display: bool = True) -> LiveChart:
        for w in self.watchers:
            w.start()
        live = interactive()
        if display and output.in_kernel():
            self._outputs = output.Outputs()
            self._started_in = output.execution_count()
            picture = self._picture() if live else \
                output.text(_("recording {title} (the chart appears here when it stops)").format(title=self.title))
            self._outputs.show(picture, self.summary())
        elif display:
            self._print(_("recording {title} (the chart appears when it stops)").format(title=self.title))
        if self._outputs is not None and live:
            self._renderer = threading.Thread(target=self._render_loop, name=f"chart-{self.key}", daemon=True)
            self._renderer.start()
        return self

    def stop(self, show: bool = True) -> None:
        """Stop the watches and the redraws; take a last sample; show the final chart and summary."""
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
        with self.lock:
            self.stopped_at = self.now()
            self.series.close(self.stopped_at)  # the data reaches the moment it stopped, as the drawing does
        if not show:
            with self.lock:
                self.renderer.figure(self.series, self.stopped_at)  # the final frame's model, for `drawn`
            return
        if self._outputs is not None:
            self._outputs.update(self._picture(), self.summary())
            if output.execution_count() != self._started_in:  # stopped from a later cell: say where it is
                self._print(_("stopped; the final chart is where it started. {summary}").format(
                    summary=self.summary()))
        else:
            self.show()

    def __enter__(self) -> LiveChart:
        return self

    def __exit__(self, *exc: object) -> None:
        time.sleep(0)  # let the last events in
        self.stop()

    # -- data in ---------------------------------------------------------------------------

    def now(self) -> float:
        """Seconds since the chart started; frozen when it stopped."""
        if self.stopped_at is not None:
            return self.stopped_at
        return round(time.monotonic() - self.t0, 2)

    def feed(self, fn: Callable[..., None], *args: Any) -> None:
        """Apply an event to the series under the lock (watch threads call this)."""
        with self.lock:
            fn(self.now(), *args)
        self._dirty.set()

    # -- data out --------------------------------------------------------------------------

    def figure(self) -> Figure:
        """The chart as of now (or as it stopped), as a matplotlib Figure."""
        with self.lock:
            return self.renderer.figure(self.series, self.now())

    def png(self, scale: int = SCALE) -> bytes:
        """The chart as of now as a PNG, at ``scale`` pixels per CSS pixel (2: sharp on HiDPI)."""
        return self.renderer.png(self.series, self.now(), scale, lock=self.lock)

    def save(self, path: str) -> str:
        """Write the chart as it is now to ``path`` (PNG at 2x, SVG or PDF, by extension)."""
        self.figure().savefig(path, dpi=BASE_DPI * SCALE)
        return path

    @property
    def drawn(self) -> dict[str, Any]:
        """A model of the last frame drawn: what each revision/line/box showed at its last moment."""
        return self.renderer.drawn

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
        """Show the chart in the cell running now: a live copy while it runs, the final PNG after."""
        if not output.in_kernel():
            self._print(self.summary())
            return
        if self._outputs is not None and not self._stopped.is_set() and self._renderer is not None:
            self._outputs.show(self._picture(), self.summary())  # same display ids: it follows the first
            return
        output.Outputs().show(self._picture(), self.summary())

    def pin(self) -> None:
        """Say how to keep the chart in view while the cells that change it run."""
        self._print(i18n._(PIN_HELP))

    # -- drawing for the notebook -------------------------------------------------------------

    def _picture(self) -> tuple[dict[str, Any], dict[str, Any]]:
        return output.image(self.png(), self.renderer.css_size, _("<{title} chart>").format(title=self.title))

    def _render_loop(self) -> None:
        last = 0.0
        while not self._stopped.is_set():
            if self.renderer.ticks:  # wake for an event, or for the next tick of the clock
                self._dirty.wait(max(0.0, last + TICK_SECONDS - time.monotonic()))
            else:
                self._dirty.wait()
            if self._stopped.is_set():
                break
            self._dirty.clear()
            last = time.monotonic()
            try:
                # update_display from this thread: ipykernel sends iopub messages from any thread
                self._outputs.update(self._picture(), self.summary())
            except Exception:  # a frame that fails to draw must not end the live chart
                import logging

                logging.getLogger(__name__).exception("redrawing %s", self.title)
            self._stopped.wait(MIN_REDRAW_SECONDS)

    @staticmethod
    def _print(text: str) -> None:
        print(text)  # a notebook's output is an edge: it may print

    def __repr__(self) -> str:
        state = "stopped" if self._stopped.is_set() else "live"
        return f"<LiveChart {self.title!r} ({state}): {self.summary()}>"
