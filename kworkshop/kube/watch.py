"""Waiting on the API with watches: list, test, then consume a watch under a deadline.

The pattern kr8s and client-go use: test the listed state first (it may already be true), then
follow changes from that list's resourceVersion, relisting after a 410 Gone. No sleep loops.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from kubernetes import watch
from kubernetes.client.exceptions import ApiException

from ..errors import WaitTimeout


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
    last = describe(list(items.values())) if describe else f"{len(items)} objects"
    raise WaitTimeout(f"timed out after {timeout:.0f}s waiting for {what}; last seen: {last}")


def _key(obj: Any) -> str:
    meta = obj.metadata
    return f"{meta.namespace or ''}/{meta.name}"
