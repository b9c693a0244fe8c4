"""The one poll loop, for what no watch can report (a port, a pid, a health URL, a lease's holder).

Everything the API can report is waited for with a watch (``kube.watch.wait_for``); the rest polls
here, with one policy: the first look at once, then waits that double from ``first`` to ``most``
seconds, until ``check`` answers something truthy or the time is up.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def poll(check: Callable[[], T], timeout: float, *, first: float = 0.05, most: float = 0.5) -> T | None:
    """``check()``'s first truthy answer, or None once ``timeout`` seconds passed (``check`` runs at
    least once, and once more at the deadline)."""
    deadline = time.monotonic() + timeout
    delay = first
    while True:
        answer = check()
        if answer:
            return answer
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        time.sleep(min(delay, left))
        delay = min(delay * 2, most)


def until(deadline: float) -> float:
    """The seconds left until a ``time.monotonic()`` deadline (never negative)."""
    return max(0.0, deadline - time.monotonic())
