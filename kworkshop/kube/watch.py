"""Watches: ``wait_for`` (list, test, then consume a watch under a deadline) and ``Watcher`` (a
watch on a daemon thread that never gives up).

The pattern kr8s and client-go use: test the listed state first (it may already be true), then
follow changes from that list's resourceVersion, relisting after a 410 Gone. No sleep loops.
``Watcher`` is the one watch loop (``kube.watchloop``) over the official client's collections;
both read their events through ``ClientSource``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from kubernetes import watch

from ..errors import GoneError, WaitTimeout
from ..i18n import _, ngettext
from . import facts
from .apierrors import api_error
from .watchloop import Closer, Event, WatchLoop


def wait_for(list_fn: Callable[..., Any], done: Callable[[list[Any]], Any], timeout: float, what: str,
             describe: Callable[[list[Any]], str] | None = None, **kwargs: Any) -> list[Any]:
    """Watch the objects ``list_fn(**kwargs)`` returns until ``done(items)`` is truthy.

    Returns the items at that moment. Raises WaitTimeout naming ``what`` (and ``describe(items)``,
    the last state seen) after ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    source = ClientSource(list_fn, **kwargs)
    items: dict[str, Any] = {}
    while True:
        listed, version = source.list()
        items = {facts.key(i): i for i in listed}
        if done(list(items.values())):
            return list(items.values())
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        try:
            for kind, obj, _version in source.stream(version, max(1, int(remaining + 0.999)), _unused):
                if kind == "DELETED":
                    items.pop(facts.key(obj), None)
                elif kind in ("ADDED", "MODIFIED"):
                    items[facts.key(obj)] = obj
                if done(list(items.values())):
                    return list(items.values())
                if time.monotonic() >= deadline:
                    break
        except GoneError:  # the resourceVersion is too old: relist
            pass
        if time.monotonic() >= deadline:
            break
    last = describe(list(items.values())) if describe else \
        ngettext("{count} object", "{count} objects", len(items)).format(count=len(items))
    raise WaitTimeout(_("timed out after {seconds}s waiting for {what}; last seen: {last}").format(
        seconds=f"{timeout:.0f}", what=what, last=last))


def _unused(close: Closer | None) -> None:
    """``wait_for`` reads its stream on the caller's thread: nobody else needs to close it."""


class ClientSource:
    """A collection as the official client lists it: ``ClientSource(core.list_namespaced_pod,
    namespace="x")``. Its stream is read line by line from the raw response, so the loop can shut
    that response down to stop at once."""

    def __init__(self, list_fn: Callable[..., Any], **kwargs: Any) -> None:
        self.list_fn = list_fn
        self.kwargs = kwargs
        self.name = getattr(list_fn, "__name__", "list")
        self._decoder = watch.Watch()
        self._type = self._decoder.get_return_type(list_fn)

    def list(self) -> tuple[list[Any], str | None]:
        listed = self.list_fn(**self.kwargs)
        return listed.items, listed.metadata.resource_version

    def stream(self, resource_version: str | None, timeout_seconds: int,
               opened: Callable[[Closer | None], None]) -> Iterator[Event]:
        response = self.list_fn(watch=True, resource_version=resource_version, timeout_seconds=timeout_seconds,
                                allow_watch_bookmarks=True, _preload_content=False,
                                _request_timeout=(10, timeout_seconds + 30),  # silent is dead
                                **self.kwargs)
        opened(response.shutdown)  # urllib3 >= 2.3: unblocks a read in another thread
        try:
            for line in response:  # urllib3 yields the body line by line
                event = self._decoder.unmarshal_event(line, self._type)
                if event is None:
                    continue
                if event["type"] == "ERROR":  # a Status (410: GoneError, the loop lists again)
                    status = event["raw_object"]
                    raise api_error(int(status.get("code") or 500), str(status.get("reason") or "Error"), status,
                                    f"watch {self.name}")
                raw = event["raw_object"]
                yield event["type"], event["object"], (raw.get("metadata") or {}).get("resourceVersion")
        finally:
            opened(None)
            response.close()
            response.release_conn()


class Watcher(WatchLoop):
    """``Watcher(core.list_namespaced_pod, on_event, namespace="x").start()``; ``stop()`` ends it."""

    def __init__(self, list_fn: Callable[..., Any], callback: Callable[[str, Any], None], **kwargs: Any) -> None:
        super().__init__(ClientSource(list_fn, **kwargs), callback)
