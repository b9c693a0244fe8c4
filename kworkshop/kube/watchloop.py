"""The one watch loop: list, then follow changes, on a daemon thread that never gives up.

The pattern client-go's reflector uses: list (every object reaches the callback as ``SYNC``, so a
consumer can rebuild its state after a gap), then watch from the list's resourceVersion with
bookmarks; relist after 410 Gone; reconnect with backoff when the connection drops (an apiserver
restart, a ``kworkshop up`` heal). What it follows comes from a ``Source``: the official client's
(``kube.watch``) or the node agent's raw client (``agent.rawapi``). This module imports neither, so
the agent does not load the official client's models.

``stop()`` is prompt: a source hands the loop a way to close its open connection (``opened``), and
the loop closes it when stopped, even when the stop came while the connection was being opened.
A callback that raises is logged at ERROR with the event and the watch goes on (the event counts in
``failures``); it neither kills the thread nor forces a relist.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from ..errors import GoneError
from . import facts

log = logging.getLogger("kworkshop.watch")

Closer = Callable[[], None]
Event = tuple[str, Any, "str | None"]  # (type, object, its resourceVersion)


class Source(Protocol):
    """What a watch follows. ``name`` names its thread."""

    name: str

    def list(self) -> tuple[Iterable[Any], str | None]:
        """Every object now, and the collection's resourceVersion."""

    def stream(self, resource_version: str | None, timeout_seconds: int,
               opened: Callable[[Closer | None], None]) -> Iterator[Event]:
        """The events after ``resource_version`` until the server ends the watch. Calls
        ``opened(close)`` once the connection exists (``close()`` must end a blocked read from
        another thread) and ``opened(None)`` when it is over; a 410 is the kit's ``GoneError``."""


def _quietly(close: Closer) -> None:
    """Close a connection that may already be closed (the server ended the watch): that is fine."""
    try:
        close()
    except OSError:
        pass


class WatchLoop:
    """``WatchLoop(source, on_event).start()``: ``on_event(type, obj)`` for ``SYNC``, ``ADDED``,
    ``MODIFIED`` and ``DELETED`` until ``stop()``."""

    def __init__(self, source: Source, callback: Callable[[str, Any], None], timeout_seconds: int = 30) -> None:
        self.source = source
        self.callback = callback
        self.timeout_seconds = timeout_seconds  # short server-side timeouts keep the connection fresh
        self.resource_version: str | None = None
        self.reconnects = 0
        self.failures = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._close: Closer | None = None
        self._thread = threading.Thread(target=self._run, name=f"watch-{source.name}", daemon=True)

    def start(self) -> WatchLoop:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5) -> None:
        with self._lock:  # held while closing: the stream cannot hand back its connection meanwhile
            self._stop.set()
            if self._close is not None:
                _quietly(self._close)
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _opened(self, close: Closer | None) -> None:
        with self._lock:
            self._close = close
            if close is not None and self._stop.is_set():  # stop() came while it was being opened
                _quietly(close)

    def _deliver(self, kind: str, obj: Any) -> None:
        try:
            self.callback(kind, obj)
        except Exception:
            self.failures += 1
            log.exception("watch %s: the callback failed on %s %s; the watch goes on",
                          self.source.name, kind, facts.key(obj))

    def _run(self) -> None:
        backoff = 0.5
        while not self._stop.is_set():
            try:
                if self.resource_version is None:
                    items, self.resource_version = self.source.list()
                    for item in items:
                        self._deliver("SYNC", item)
                for kind, obj, version in self.source.stream(self.resource_version, self.timeout_seconds,
                                                             self._opened):
                    if self._stop.is_set():
                        break
                    self.resource_version = version or self.resource_version
                    if kind != "BOOKMARK":
                        self._deliver(kind, obj)
                backoff = 0.5
            except GoneError:  # the resourceVersion we resume from was compacted away: list again
                self.resource_version = None
            except Exception as exc:  # connection refused/reset while the apiserver restarts
                if self._stop.is_set():
                    break
                self.reconnects += 1
                log.debug("watch %s interrupted (%s); reconnecting in %.1fs", self.source.name, exc, backoff)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 5)
