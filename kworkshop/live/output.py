"""How a chart appears in a notebook: two outputs with IPython display ids, replaced in place.

The first output is the chart (a PNG drawn at 2x and shown at 1x, sharp on HiDPI screens), the
second the one-line summary. A live chart replaces both about once a second with
``update_display``; ``stop()`` replaces them one last time. They are plain ``image/png`` and
``text/plain`` outputs, not a widget: the saved notebook shows the last picture everywhere
(nbviewer, GitHub, a notebook reopened after a kernel restart) instead of "Error displaying widget:
model not found", and any frontend that shows images shows the chart. JupyterLab, Notebook 7 and
nbclient (papermill, nbconvert) apply an update to every output with that display id, in any cell,
so a chart can be stopped from a later cell and a second view (``chart.show()``, JupyterLab's
"Create New View for Output") follows the first.
"""

from __future__ import annotations

import base64
import uuid
from typing import Any


def in_kernel() -> bool:
    """Whether outputs go to a notebook (a Jupyter kernel), not a terminal."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def execution_count() -> int | None:
    """The number of the cell running now (None outside IPython)."""
    from IPython import get_ipython

    shell = get_ipython()
    return None if shell is None else shell.execution_count


def image(png: bytes, css_size: tuple[int, int], alt: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A display bundle and its metadata: the PNG shown at ``css_size`` (the PNG has more pixels)."""
    width, height = css_size
    return ({"image/png": base64.b64encode(png).decode("ascii"), "text/plain": alt},
            {"image/png": {"width": width, "height": height}})


def text(line: str) -> tuple[dict[str, Any], dict[str, Any]]:
    return {"text/plain": line}, {}


class Outputs:
    """The chart's two outputs (picture, summary line), identified by display ids."""

    def __init__(self) -> None:
        token = uuid.uuid4().hex
        self.ids = (f"kworkshop-chart-{token}", f"kworkshop-summary-{token}")
        self.shown = False
        self._summary: str | None = None

    def show(self, picture: tuple[dict[str, Any], dict[str, Any]], summary: str) -> None:
        """Put both outputs in the cell running now (again: another view that follows the first)."""
        from IPython.display import display

        for (data, metadata), display_id in zip((picture, text(summary)), self.ids, strict=True):
            display(data, metadata=metadata, raw=True, display_id=display_id)
        self.shown = True
        self._summary = summary

    def update(self, picture: tuple[dict[str, Any], dict[str, Any]] | None, summary: str) -> None:
        """Replace the outputs wherever they are; unchanged ones are not sent again."""
        from IPython.display import update_display

        if picture is not None:
            update_display(picture[0], metadata=picture[1], raw=True, display_id=self.ids[0])
        if summary != self._summary:
            update_display(text(summary)[0], raw=True, display_id=self.ids[1])
            self._summary = summary
