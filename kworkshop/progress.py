"""Progress reporting: library code calls a Status, only the edges (CLI, notebook) decide how it looks.

Borrowed from kind's ``cli.Status``: a long step is started with a title and ended with success
or failure. The library never prints; the CLI passes a TerminalStatus, a notebook can pass its own.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol, TextIO

from .i18n import _

log = logging.getLogger("kworkshop")


class Status(Protocol):
    """What the library needs from a progress display."""

    def start(self, title: str) -> None:
        """A step begins."""

    def update(self, detail: str) -> None:
        """The current step made progress (a line of detail)."""

    def end(self, ok: bool, detail: str = "") -> None:
        """The current step finished."""


class LoggingStatus:
    """The default: steps go to the ``kworkshop`` logger, nothing is printed."""

    def __init__(self) -> None:
        self._title = ""
        self._t0 = 0.0

    def start(self, title: str) -> None:
        self._title, self._t0 = title, time.monotonic()
        log.info("%s ...", title)

    def update(self, detail: str) -> None:
        log.debug("%s: %s", self._title, detail)

    def end(self, ok: bool, detail: str = "") -> None:
        took = time.monotonic() - self._t0
        log.log(logging.INFO if ok else logging.ERROR, "%s %s (%.1fs) %s",
                self._title, _("done") if ok else _("FAILED"), took, detail)


class TerminalStatus:
    """✓/✗ lines in a terminal, with the elapsed time of each step and live detail lines."""

    heartbeat = 30.0  # seconds between detail lines when the output is not a terminal

    def __init__(self, stream: TextIO = sys.stderr, verbose: bool = False, show_start: bool = True) -> None:
        self.stream = stream
        self.verbose = verbose
        self.show_start = show_start
        self._last = 0.0
        self._title = ""
        self._t0 = 0.0
        self._tty = stream.isatty()

    def start(self, title: str) -> None:
        self._title, self._t0 = title, time.monotonic()
        if self.show_start or self._tty:
            self._write(f" • {title} ...", final=not self._tty)

    def update(self, detail: str) -> None:
        if self._tty:
            self._write(f" • {self._title} ... {detail[:60]}", final=False)
        elif self.verbose or time.monotonic() - self._last >= self.heartbeat:
            # A log file (CI) gets a heartbeat line now and then, so a long build shows life.
            self._write(f"   {detail}", final=True)

    def end(self, ok: bool, detail: str = "") -> None:
        mark = "✓" if ok else "✗"
        took = time.monotonic() - self._t0
        extra = f" — {detail}" if detail else ""
        self._write(f" {mark} {self._title} ({took:.1f}s){extra}", final=True)

    def _write(self, line: str, final: bool) -> None:
        self._last = time.monotonic()
        if self._tty:
            self.stream.write("\r\033[K" + line + ("\n" if final else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def default_status() -> Status:
    """What a caller gets without asking: ✓/✗ lines in a notebook, the logger elsewhere.

    A notebook is an edge like the CLI: a learner who runs `kw.up()` should see the steps.
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython else None
    if shell is not None and getattr(shell, "kernel", None) is not None:
        return TerminalStatus(sys.stdout, show_start=False)  # one ✓ line per step is enough there
    return LoggingStatus()


@contextmanager
def step(status: Status, title: str) -> Iterator[Status]:
    """Run a block as one named step: ✓ when it returns, ✗ (and re-raise) when it fails."""
    status.start(title)
    try:
        yield status
    except BaseException as exc:
        status.end(False, type(exc).__name__)
        raise
    status.end(True)
