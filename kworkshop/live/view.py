"""What one frame of a chart shows, decided before anything is drawn (pure, no matplotlib).

A chart must show *now*: the state after the last event lasts until the present, not until that
event (a step drawn to the last sample only gives the latest state zero width, so the chart always
looked one event behind). The time axis is a sliding window, so a long session does not squeeze
earlier rollouts into slivers. Colours are handed out once per key and never change, so a revision
or a workload keeps its colour from frame to frame. Long pod names are shortened at a ``-``, never
in the middle of a word.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")

WINDOW_SECONDS = 300.0  # the last 5 minutes: one chapter's episode (a rollout, a scale up and down)
MIN_SPAN_SECONDS = 30.0  # the first frames show 30 s, not an axis of a fraction of a second
# matplotlib's tab10: distinct, and readable as text on white
COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
          "#bcbd22", "#7f7f7f")


def window(now: float, seconds: float = WINDOW_SECONDS, min_span: float = MIN_SPAN_SECONDS) -> tuple[float, float]:
    """The x range ``(lo, hi)`` of a frame drawn at ``now``: the last ``seconds``, at least ``min_span`` wide."""
    lo = max(0.0, now - seconds)
    return lo, max(now, lo + min_span)


def held(samples: Sequence[tuple[float, T]], lo: float, now: float) -> list[tuple[float, T]]:
    """The steps to draw in ``[lo, now]``: the state in force at ``lo``, each change after it, and
    the last state once more at ``now``, so it has width up to the present.

    ``samples`` are ``(t, state)`` in time order; a state holds until the next sample."""
    times = [t for t, _ in samples]
    first = bisect_right(times, lo) - 1
    out: list[tuple[float, T]] = [(lo, samples[first][1])] if first >= 0 else []
    out += [(t, v) for t, v in samples[first + 1:] if t <= now]
    if out and out[-1][0] < now:
        out.append((now, out[-1][1]))
    return out


def revision_color(revision: int) -> str:
    """A revision's colour: fixed by its number, so it never changes while revisions come and go."""
    return COLORS[(revision - 1) % len(COLORS)]


@dataclass
class Palette:
    """A colour per key (a workload, a Job), given the first time the key is drawn and kept."""

    colors: tuple[str, ...] = COLORS
    given: dict[Hashable, str] = field(default_factory=dict)

    def __getitem__(self, key: Hashable) -> str:
        if key not in self.given:
            self.given[key] = self.colors[len(self.given) % len(self.colors)]
        return self.given[key]


def shorten(name: str, limit: int) -> str:
    """``name`` if it fits in ``limit`` characters; else its first words, ``…`` and its last word
    (a pod's random suffix tells pods apart): ``node-problem-…-x7k2p``. Never cuts inside a word
    unless a single word is longer than the limit."""
    if len(name) <= limit:
        return name
    words = name.split("-")
    tail = "-" + words[-1]
    head = ""
    for word in words[:-1]:
        candidate = f"{head}{word}-"
        if len(candidate) + 1 + len(tail) > limit:
            break
        head = candidate
    if head:
        return f"{head}…{tail}"
    return name[:max(limit - 1, 1)] + "…" if len(tail) > limit - 1 else f"…{tail}"


@dataclass(frozen=True)
class Frame:
    """One frame to draw: the title, the clock, the x range and the renderer's palette."""

    title: str
    now: float
    lo: float
    hi: float
    palette: Palette

    @classmethod
    def at(cls, title: str, now: float, palette: Palette, seconds: float = WINDOW_SECONDS) -> Frame:
        lo, hi = window(now, seconds)
        return cls(title, now, lo, hi, palette)

