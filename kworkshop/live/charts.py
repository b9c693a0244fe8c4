"""Drawing the series with matplotlib (Agg): one function per chart, a ``Frame`` in, a model out.

Kept apart from the threads and the notebook display so the live view, the stopped chart's image,
``save()`` and a headless run are all drawn by these functions (``render.Renderer`` calls them).
Each returns a small model of what it drew - per revision the pods drawn at the last moment, the
lines' last values, the boxes per node - so a test can compare the picture with ``chart.data``
without reading pixels. Legends sit outside the plot so they never hide data; layout margins are
fixed because matplotlib's constrained layout would double the redraw time.

Chart text is in the kit's language only when a CJK font can draw it (``fonts``): here ``_`` is
``fonts.chart_text``, which keeps English when the chart has no font for Chinese, and every text is
drawn with ``fonts.text_style()``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch
from matplotlib.ticker import MaxNLocator

from ..i18n import N_
from .fonts import chart_text, text_style
from .series import AutoscalerSeries, JobSeries, NodeMap, RolloutSeries, workload
from .view import COLORS, Frame, held, revision_color, shorten

BASE_DPI = 96  # CSS pixels per inch; PNGs are drawn at 2x for HiDPI screens and shown at this size
GREY = "#555555"
# how each state of a revision's pods is drawn: ready solid (its exact colour, so a test can find
# it in the pixels), starting light, failing to pull cross-hatched, stopping dotted
STATES = (("ready", 1.0, None, N_("ready")), ("starting", 0.35, None, N_("starting")),
          ("failing", 0.2, "xxx", N_("ErrImagePull / BackOff")), ("stopping", 0.12, "...", N_("stopping (deleted)")))
LOAD = "#f5deb3"
# the Jobs' counts: the status fields' names, labelled in the chart's language
JOB_COUNTS = (("active", COLORS[0], N_("active")), ("succeeded", COLORS[2], N_("succeeded")),
              ("failed", COLORS[3], N_("failed")))
_ = chart_text  # a chart's words: the kit's language when a CJK font can draw it, else English


def new_figure(width: float = 8, height: float = 3.4) -> Figure:
    return Figure(figsize=(width, height), dpi=BASE_DPI)


def _rgba(color: str, alpha: float) -> tuple[float, float, float, float]:
    from matplotlib.colors import to_rgba

    return to_rgba(color, alpha)


def _axes(fig: Figure, make: Callable[[], None]) -> list[Any]:
    """The figure's axes: made by ``make`` on a new figure; on the renderer's figure from the last
    frame they are kept and only what that frame drew is removed (making axes and their ticks
    again is a third of a redraw)."""
    if not fig.axes:
        make()
        for ax in fig.axes:
            ax.set_autoscale_on(False)  # limits are set by hand: autoscaling costs a fifth of a redraw
            ax.tick_params(labelsize=8)
            ax.xaxis.set_major_locator(MaxNLocator(nbins=7, steps=[1, 2, 2.5, 5, 10]))
        return fig.axes
    for ax in fig.axes:
        for artist in [*ax.collections, *ax.lines, *ax.patches, *ax.texts]:
            artist.remove()
        ax.containers.clear()
    for artist in [*fig.texts, *fig.artists, *fig.lines, *fig.patches]:
        artist.remove()
    return fig.axes


def _title(fig: Figure, text: str) -> None:
    # a figure text, not an axes title: placing that measures every tick label on each draw
    fig.text(0.5, 0.97, text, ha="center", va="top", fontsize=10, **text_style())


def _time_axis(ax, frame: Frame) -> None:
    ax.set_xlim(frame.lo, frame.hi)
    ax.set_xlabel(_("seconds since the chart started"), fontsize=8, **text_style())
    if frame.now < frame.hi:  # the first seconds: mark where "now" is on the wider axis
        ax.axvline(frame.now, color=GREY, linewidth=0.8, linestyle=":")


def _key(fig: Figure, x: float, y: float, entries: list[tuple[str, dict[str, Any]]], *, title: str = "",
         ncol: int = 1, col_width: float = 0.2, size: float = 8) -> None:
    """A legend of plain patches, lines and texts with its top left at figure coordinates (x, y).

    matplotlib's own legend lays itself out with offset boxes on every draw: a fifth of a redraw."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    font = text_style()
    row = size * 1.7 / 72 / fig.get_figheight()  # one line of text, as a fraction of the figure
    swatch = 0.22 / fig.get_figwidth()  # about a fifth of an inch
    if title:
        fig.text(x, y - row / 2, title, fontsize=size, va="center", **font)
        y -= row
    for i, (label, style) in enumerate(entries):
        cx, cy = x + (i % ncol) * col_width, y - (i // ncol) * row - row / 2
        if style.get("kind") == "line":
            line = {k: v for k, v in style.items() if k != "kind"}
            fig.add_artist(Line2D([cx, cx + swatch], [cy, cy], transform=fig.transFigure, **line))
        else:
            fig.add_artist(Rectangle((cx, cy - row * 0.3), swatch, row * 0.6, transform=fig.transFigure, **style))
        fig.text(cx + swatch * 1.3, cy, label, fontsize=size, va="center", **font)


def _step_band(times: list[float], bottoms: np.ndarray, tops: np.ndarray) -> np.ndarray:
    """The polygon of a band that holds each value until the next time (a post step), as vertices."""
    t = np.repeat(np.asarray(times, dtype=float), 2)[1:]
    top, bottom = np.repeat(tops, 2)[:-1], np.repeat(bottoms, 2)[:-1]
    return np.column_stack([np.concatenate([t, t[::-1]]), np.concatenate([top, bottom[::-1]])])


def _axes_box(ax) -> tuple[float, float, float, float]:
    """The plot area as (left, bottom, right, top) fractions of the figure (for pixel checks)."""
    box = ax.get_position()
    return (box.x0, box.y0, box.x1, box.y1)


def draw_rollout(series: RolloutSeries, frame: Frame, fig: Figure) -> dict[str, Any]:
    (ax,) = _axes(fig, lambda: (fig.subplots_adjust(left=0.07, right=0.73, bottom=0.15, top=0.88), fig.subplots()))
    _title(fig, frame.title)
    _time_axis(ax, frame)
    ax.set_ylabel(_("pods"), fontsize=8, **text_style())
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    steps = held(series.samples(), frame.lo, frame.now)
    model: dict[str, Any] = {"now": frame.now, "x": (frame.lo, frame.hi), "axes": _axes_box(ax), "revisions": {}}
    if not steps:
        ax.text(0.5, 0.5, _("waiting for the first pods..."), ha="center", transform=ax.transAxes, color=GREY,
                **text_style())
        ax.set_ylim(0, 1)
        return model
    times = [t for t, _s in steps]
    keys = [k for k, *_rest in STATES]
    shown = sorted({rev for _t, revs in steps for rev, row in revs.items() if any(row[k] for k in keys)})
    tags = {rev: row["tag"] for _t, revs in steps for rev, row in revs.items()}
    bottoms = np.zeros(len(times))
    used: set[str] = set()
    # one collection per state: far cheaper to draw than a fill per band. A collection has one
    # hatch colour, so the failing bands (rare, and the lesson) get one per revision
    bands: dict[Any, tuple[list[np.ndarray], list[tuple[float, ...]], str | None]] = {}
    for rev in shown:
        color = revision_color(rev)
        for key, alpha, hatch, _label in STATES:
            # a sample lists every revision alive then: no row means the revision is gone (an
            # undo renumbers its ReplicaSet), so it counts 0 from there on
            values = np.array([revs.get(rev, {}).get(key, 0) for _t, revs in steps])
            if values.any():
                used.add(key)
                polys, faces, _hatch = bands.setdefault((key, rev) if key == "failing" else key, ([], [], hatch))
                polys.append(_step_band(times, bottoms, bottoms + values))
                faces.append(_rgba(color, alpha))
                bottoms = bottoms + values
    for group, (polys, faces, hatch) in bands.items():
        edge = revision_color(group[1]) if isinstance(group, tuple) else GREY
        ax.add_collection(PolyCollection(polys, facecolors=faces, edgecolors=edge if hatch else "none", hatch=hatch,
                                         linewidths=0), autolim=False)
    last = steps[-1][1]
    for rev in sorted(set(shown) | set(last)):
        row = last.get(rev, {})
        model["revisions"][rev] = {"tag": tags[rev], "color": revision_color(rev),
                                   **{k: row.get(k, 0) for k in keys}}
    ax.set_ylim(0, max(float(bottoms.max()), 1) + 1)
    _key(fig, 0.75, 0.9, [(_("rev {revision} ({tag})").format(revision=r, tag=tags[r]),
                           {"facecolor": revision_color(r)}) for r in shown],
         title=_("revision (image tag)"))
    _key(fig, 0.75, 0.4, [(chart_text(label), {"facecolor": _rgba(GREY, alpha), "hatch": hatch, "edgecolor": GREY,
                                   "linewidth": 0}) for key, alpha, hatch, label in STATES if key in used])
    return model


def draw_autoscaler(series: AutoscalerSeries, frame: Frame, fig: Figure) -> dict[str, Any]:
    cpu_ax, rep_ax = _axes(fig, lambda: (fig.subplots_adjust(left=0.07, right=0.98, bottom=0.32, top=0.85,
                                                             wspace=0.22),
                                         fig.subplots(1, 2, sharex=True)))  # one x range for both panels
    _title(fig, frame.title)
    steps = held([(r["t"], r) for r in series.rows], frame.lo, frame.now)
    times = [t for t, _s in steps]
    spans = [(max(a, frame.lo), b) for a, b in series.load_spans(frame.now) if b >= frame.lo]
    for ax in (cpu_ax, rep_ax):
        _time_axis(ax, frame)
        for a, b in spans:  # a band, not a text: marks never collide with a legend
            ax.axvspan(a, b, color=LOAD, linewidth=0)
    last = steps[-1][1] if steps else {"cpu": None, "target": None, "desired": None, "current": None, "max": None}
    target = last["target"]
    cpu = [r["cpu"] if r["cpu"] is not None else math.nan for _t, r in steps]
    cpu_ax.step(times, cpu, where="post", color=COLORS[0], linewidth=1.8)
    if target is not None:
        cpu_ax.axhline(target, color=COLORS[3], linestyle="--", linewidth=1.2)
    if last["cpu"] is None:
        cpu_ax.text(0.5, 0.5, _("CPU not measured yet"), ha="center", transform=cpu_ax.transAxes, color=GREY,
                    **text_style())
    measured = [c for c in cpu if not math.isnan(c)]
    cpu_ax.set_ylim(0, max([*measured, (target or 50) * 2, 10]) * 1.1)
    cpu_ax.set_ylabel(_("CPU utilisation (%)"), fontsize=8, **text_style())
    rep_ax.step(times, [r["desired"] for _t, r in steps], where="post", color=COLORS[1], linewidth=1.8,
                linestyle="--")
    rep_ax.step(times, [r["current"] for _t, r in steps], where="post", color=COLORS[2], linewidth=1.8)
    if steps:
        for key in ("min", "max"):
            if last[key] is not None:
                rep_ax.axhline(last[key], color=GREY, linestyle=":", linewidth=1)
    rep_ax.set_ylim(0, max([last["max"] or 0, *[r["current"] or 0 for _t, r in steps], 1]) + 1)
    rep_ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    rep_ax.set_ylabel(_("replicas"), fontsize=8, **text_style())
    load = [(_("load generator running"), {"facecolor": LOAD})] if spans else []
    _below(fig, cpu_ax, [*load, (_("CPU % of requests"), {"kind": "line", "color": COLORS[0], "linewidth": 1.8}),
                         *([(_("target {target}%").format(target=target),
                             {"kind": "line", "color": COLORS[3], "linestyle": "--"})] if target is not None else [])],
           ncol=2)
    _below(fig, rep_ax, [*load, (_("desired"), {"kind": "line", "color": COLORS[1], "linestyle": "--",
                                                "linewidth": 1.8}),
                         (_("current"), {"kind": "line", "color": COLORS[2], "linewidth": 1.8}),
                         (_("min / max"), {"kind": "line", "color": GREY, "linestyle": ":"})], ncol=2)
    running = bool(series.marks) and series.marks[-1][1] == "load on"
    return {"now": frame.now, "x": (frame.lo, frame.hi), "xs": (cpu_ax.get_xlim(), rep_ax.get_xlim()),
            "cpu": last["cpu"], "target": target, "desired": last["desired"], "current": last["current"],
            "load": running, "load_spans": spans}


def draw_jobs(series: JobSeries, frame: Frame, fig: Figure) -> dict[str, Any]:
    counts_ax, spans_ax = _axes(fig, lambda: (
        fig.subplots_adjust(left=0.06, right=0.98, bottom=0.3, top=0.85, wspace=0.12),
        fig.subplots(1, 2, sharex=True, gridspec_kw={"width_ratios": (2, 3)})))
    _title(fig, frame.title)
    for ax in (counts_ax, spans_ax):
        _time_axis(ax, frame)
    steps = held(series.totals(), frame.lo, frame.now)
    times = [t for t, _s in steps]
    for key, color, _label in JOB_COUNTS:
        counts_ax.step(times, [s[key] for _t, s in steps], where="post", color=color, linewidth=1.8)
    counts_ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    counts_ax.set_ylabel(_("Jobs' pods"), fontsize=8, **text_style())
    visible = sorted(((pod, s) for pod, s in series.spans.items()
                      if s[0] is not None and s[0] <= frame.now and (s[1] is None or s[1] >= frame.lo)),
                     key=lambda kv: (kv[1][0], kv[0]))
    bars: dict[str, tuple[float, float, str]] = {}
    size = 7 if len(visible) <= 12 else 5
    for i, (pod, (start, end, job, phase)) in enumerate(visible):
        left, right = max(start, frame.lo), end if end is not None else frame.now
        color = frame.palette[f"Job/{job}"]
        spans_ax.barh(i, right - left, left=left, height=0.8, color=_rgba(color, 0.45 if end else 0.2),
                      hatch="xx" if phase == "Failed" else None, edgecolor="white" if end else color,
                      linewidth=0.5 if end else 1.2)
        spans_ax.text(left, i, " " + shorten(pod, 28), va="center", fontsize=size, clip_on=True, **text_style())
        bars[pod] = (left, right, phase)
    spans_ax.set_ylim(len(visible) - 0.4, -0.6)  # first pod on top
    spans_ax.set_yticks([])
    spans_ax.set_title(_("one bar per pod, from start to end (outlined: still running; crossed: failed)"),
                       fontsize=8, y=1.01, **text_style())  # a fixed place: placing it measures every tick label
    counts_ax.set_ylim(-0.2, max([max(s.values()) for _t, s in steps] + [1]) + 1)
    _below(fig, counts_ax, [(chart_text(label), {"kind": "line", "color": color, "linewidth": 1.8})
                            for _field, color, label in JOB_COUNTS])
    jobs = sorted({s[2] for _pod, s in visible})
    _below(fig, spans_ax, [(f"Job {j}", {"facecolor": frame.palette[f"Job/{j}"]}) for j in jobs])
    return {"now": frame.now, "x": (frame.lo, frame.hi), "totals": steps[-1][1] if steps else {}, "bars": bars}


def draw_nodes(nodemap: NodeMap, frame: Frame, fig: Figure, label_keys: tuple[str, ...] = ()) -> dict[str, Any]:
    (ax,) = _axes(fig, lambda: (fig.subplots_adjust(left=0.01, right=0.99, bottom=0.2, top=0.88), fig.subplots()))
    _title(fig, frame.title)
    placement = nodemap.placement()
    pending = placement.pop(None, [])
    columns = [*placement.items()] + ([(_("not placed (Pending)"), pending)] if pending else [])
    owners = sorted({workload(p) for p in nodemap.pods.values()})
    # colours by first sight, in name order: a workload keeps its colour from frame to frame
    legend = {owner: frame.palette[owner] for owner in owners}
    width_pt = fig.get_figwidth() * 0.98 * 72 / max(len(columns), 1)
    limit = max(int(width_pt * 0.85 / (6.5 * 0.6)), 8)  # characters of a 6.5 pt font in a box
    drawn: dict[str, list[dict[str, str]]] = {}
    for x, (node, pods) in enumerate(columns):
        ax.add_patch(_box(x, -0.95, 0.9, 0.85, facecolor="#EEEEEE", edgecolor="none"))
        labels = nodemap.nodes.get(node, {})
        shown = [f"{k.split('/')[-1]}={labels[k]}" for k in label_keys if k in labels]
        ax.text(x + 0.45, -0.52, "\n".join([str(node), *shown]), ha="center", va="center", fontsize=7,
                **text_style())
        drawn[str(node)] = []
        for y, name in enumerate(pods):
            pod = nodemap.pods[name]
            state, color = NodeMap.state(pod), frame.palette[workload(pod)]
            label = shorten(name, limit)
            ax.add_patch(_pod_box(x, y, color, state))
            ax.text(x + 0.45, y + 0.47, label, ha="center", va="center", fontsize=6.5,
                    color="white" if state == "Running" else "black")
            drawn[str(node)].append({"pod": name, "label": label, "state": state, "color": color})
    ax.set_xlim(-0.1, max(len(columns), 1))
    ax.set_ylim(max([len(p) for _node, p in columns] + [3]) + 0.2, -1)  # nodes on top, pods below
    ax.axis("off")
    _key(fig, 0.01, 0.17, [(o, {"facecolor": c}) for o, c in legend.items()], ncol=2, col_width=0.37, size=7.5)
    _key(fig, 0.78, 0.17, [("Running", {"facecolor": GREY}),
                           ("Pending", {"facecolor": "white", "edgecolor": GREY, "linestyle": "--"}),
                           ("Terminating", {"facecolor": _rgba(GREY, 0.3), "edgecolor": GREY, "hatch": "///"})],
         size=7.5)
    return {"nodes": drawn, "legend": legend}


def _below(fig: Figure, ax, entries: list[tuple[str, dict[str, Any]]], ncol: int = 3) -> None:
    """A key under an axes' x label, ``ncol`` entries a row."""
    box = ax.get_position()
    _key(fig, box.x0, box.y0 - 0.16, entries, ncol=ncol, col_width=box.width / ncol)


def _pod_box(x: float, y: float, color: str, state: str) -> FancyBboxPatch:
    if state == "Running":
        return _box(x, y + 0.05, 0.9, 0.85, facecolor=color, edgecolor="none")
    if state == "Pending":  # not running yet: an outline, so it cannot be mistaken for a running pod
        return _box(x, y + 0.05, 0.9, 0.85, facecolor="white", edgecolor=color, linestyle="--", linewidth=1.5)
    return _box(x, y + 0.05, 0.9, 0.85, facecolor=_rgba(color, 0.3), edgecolor=color, hatch="///", linewidth=0.8)


def _box(x: float, y: float, w: float, h: float, **style: Any) -> FancyBboxPatch:
    return FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.02", **style)
