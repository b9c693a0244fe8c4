"""Watches: ``wait_for`` (list, test, then consume a watch under a deadline) and ``Watcher`` (a
watch on a daemon thread that never gives up).

The pattern kr8s and client-go use: test the listed state first (it may already be true), then
follow changes from that list's resourceVersion, relisting after a 410 Gone. No sleep loops.
``Watcher`` also reconnects after the apiserver goes away (a restart, a ``kworkshop up`` heal);
a (re)list delivers every object as ``SYNC`` first, so a consumer can rebuild its state after a gap.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from kubernetes import watch
from kubernetes.client.exceptions import ApiException

from ..errors import WaitTimeout
from ..i18n import _, ngettext


def wait_for(list_fn: Callable[..., Any], done: Callable[[list[Any]], Any], timeout: float, what: str,
             describe: Callable[[list[Any]], str] | None = None, **kwargs: Any) -> list[Any]:
    """Watch the objects ``list_fn(**kwargs)`` returns until ``done(items)`` is truthy.

    Returns the items at that moment. Raises WaitTimeout naming ``what`` (and ``describe(items)``,
    the last state seen) after ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    items: dict[str, Any] = {}
    while True:
        listed = list_fn(**kwargs)
        items = {_key(i): i for i in listed.items}
        if done(list(items.values())):
            return list(items.values())
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        w = watch.Watch()
        try:
            for event in w.stream(list_fn, resource_version=listed.metadata.resource_version,
                                  timeout_seconds=max(1, int(remaining + 0.999)), **kwargs):
                obj = event["object"]
                if event["type"] == "DELETED":
                    items.pop(_key(obj), None)
                elif event["type"] in ("ADDED", "MODIFIED"):
                    items[_key(obj)] = obj
                if done(list(items.values())):
                    w.stop()
                    return list(items.values())
                if time.monotonic() >= deadline:
                    w.stop()
                    break
        except ApiException as exc:
            if exc.status != 410:  # 410 Gone: the resourceVersion is too old; relist
                raise
        if time.monotonic() >= deadline:
            break
    last = describe(list(items.values())) if describe else \
        ngettext("{count} object", "{count} objects", len(items)).format(count=len(items))
    raise WaitTimeout(_("timed out after {seconds}s waiting for {what}; last seen: {last}").format(
        seconds=f"{timeout:.0f}", what=what, last=last))


def _key(obj: Any) -> str:
    meta = obj.metadata
    return f"{meta.namespace or ''}/{meta.name}"


log = logging.getLogger("kworkshop.watch")


class Watcher:
    """``Watcher(core.list_namespaced_pod, on_event, namespace="x").start()``; ``stop()`` ends it."""

    def __init__(self, list_fn: Callable[..., Any], callback: Callable[[str, Any], None], **kwargs: Any) -> None:
        self.list_fn = list_fn
        self.callback = callback
        self.kwargs = kwargs
        self.resource_version: str | None = None
        self.reconnects = 0
        self._stop = threading.Event()
        self._watch: watch.Watch | None = None
        self._thread = threading.Thread(target=self._run, name=f"watch-{getattr(list_fn, '__name__', 'list')}",
                                        daemon=True)

    def start(self) -> Watcher:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5) -> None:
        self._stop.set()
        if self._watch is not None:
            self._watch.stop()
        self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _relist(self) -> None:
        listed = self.list_fn(**self.kwargs)
        for item in listed.items:
            self.callback("SYNC", item)
        self.resource_version = listed.metadata.resource_version

    def _run(self) -> None:
        backoff = 0.5
        while not self._stop.is_set():
            try:
                if self.resource_version is None:
                    self._relist()
                self._watch = watch.Watch()
                # short server-side timeouts keep stop() prompt and the connection fresh
                for event in self._watch.stream(self.list_fn, resource_version=self.resource_version,
                                                timeout_seconds=30, allow_watch_bookmarks=True, **self.kwargs):
                    if self._stop.is_set():
                        break
                    obj = event["object"]
                    self.resource_version = obj.metadata.resource_version or self.resource_version
                    if event["type"] != "BOOKMARK":
                        self.callback(event["type"], obj)
                backoff = 0.5
            except ApiException as exc:
                if exc.status == 410:  # Gone: our resourceVersion was compacted away
                    self.resource_version = None
                    continue
                self._retry(exc, backoff)
                backoff = min(backoff * 2, 5)
            except Exception as exc:  # connection refused/reset while the apiserver restarts
                self._retry(exc, backoff)
                backoff = min(backoff * 2, 5)

    def _retry(self, exc: Exception, delay: float) -> None:
        self.reconnects += 1
        log.debug("watch interrupted (%s); reconnecting in %.1fs", exc, delay)
        self._stop.wait(delay)
