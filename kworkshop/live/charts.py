"""Drawing the series with matplotlib (Agg): one function per chart, a Figure in, nothing shown.

Kept apart from the widgets so a chart can be rendered headless, saved, and timed.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from .series import AutoscalerSeries, JobSeries, NodeMap, RolloutSeries

COLORS = ("#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860", "#DA8BC3", "#8C8C8C")


def new_figure(width: float = 8, height: float = 3.6) -> Figure:
    """A figure with fixed margins: matplotlib's constrained layout would double the redraw time."""
    fig = Figure(figsize=(width, height), dpi=90)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.15, top=0.85, wspace=0.28)
    return fig


def draw_rollout(series: RolloutSeries, title: str, fig: Figure) -> Figure:
    ax = fig.subplots()
    revisions = series.revisions()
    times = sorted({r["t"] for r in series.rows})
    if not times:
        ax.text(0.5, 0.5, "waiting for the first pods...", ha="center", transform=ax.transAxes)
        return fig
    by_key = {(r["t"], r["revision"]): r for r in series.rows}
    bottoms = [0.0] * len(times)
    for i, rev in enumerate(revisions):
        color = COLORS[i % len(COLORS)]
        values: dict[str, list[int]] = {"ready": [], "starting": [], "failing": [], "stopping": []}
        for t in times:
            # every sample lists every revision alive then: no row means the revision is gone
            # (an undo renumbers its ReplicaSet), so it counts 0 from there on
            row = by_key.get((t, rev)) or {}
            for k in values:
                values[k].append(row.get(k, 0))
        tag = next(r["tag"] for r in series.rows if r["revision"] == rev)
        for key, alpha, hatch, label in (("ready", 0.9, None, f"rev {rev} ({tag}) ready"),
                                         ("starting", 0.35, None, f"rev {rev} starting"),
                                         ("failing", 0.5, "xx", f"rev {rev} ErrImagePull/BackOff"),
                                         ("stopping", 0.2, "..", f"rev {rev} terminating")):
            tops = [b + v for b, v in zip(bottoms, values[key], strict=True)]
            if any(values[key]):
                ax.fill_between(times, bottoms, tops, step="post", color=color, alpha=alpha, hatch=hatch,
                                edgecolor=color, linewidth=0, label=label)
            bottoms = tops
    ax.set_xlabel("seconds")
    ax.set_ylabel("pods")
    ax.set_title(title)
    ax.set_ylim(0, max([*bottoms, 1]) + 1)
    ax.legend(loc="upper left", fontsize=7, ncol=2, frameon=False)
    return fig


def draw_autoscaler(series: AutoscalerSeries, title: str, fig: Figure) -> Figure:
    cpu_ax, rep_ax = fig.subplots(1, 2)
    t = [r["t"] for r in series.rows]
    cpu_ax.step(t, [r["cpu"] if r["cpu"] is not None else float("nan") for r in series.rows], where="post",
                label="CPU % of requests")
    if series.rows and series.rows[-1]["target"] is not None:
        cpu_ax.axhline(series.rows[-1]["target"], color="#C44E52", linestyle="--", label="target")
    rep_ax.step(t, [r["desired"] for r in series.rows], where="post", label="desired")
    rep_ax.step(t, [r["current"] for r in series.rows], where="post", label="current")
    for ax in (cpu_ax, rep_ax):
        for when, label in series.marks:
            ax.axvline(when, color="#8C8C8C", linestyle=":")
            ax.annotate(label, (when, 0.98), xycoords=("data", "axes fraction"), fontsize=7, rotation=90,
                        va="top")
        ax.set_xlabel("seconds")
        ax.legend(loc="upper left", fontsize=7, frameon=False)
    cpu_ax.set_ylabel("CPU utilisation (%)")
    rep_ax.set_ylabel("replicas")
    if series.rows:
        rep_ax.set_ylim(0, (series.rows[-1]["max"] or 1) + 1)
    fig.suptitle(title)
    return fig


def draw_jobs(series: JobSeries, title: str, fig: Figure) -> Figure:
    counts_ax, spans_ax = fig.subplots(1, 2)
    t = [r["t"] for r in series.rows]
    for key in ("active", "succeeded", "failed"):
        counts_ax.step(t, [r[key] for r in series.rows], where="post", label=key)
    counts_ax.set_xlabel("seconds")
    counts_ax.legend(loc="upper left", fontsize=7, frameon=False)
    now = max([r["t"] for r in series.rows] + [s[1] or 0 for s in series.spans.values()] + [1])
    jobs = sorted({s[2] for s in series.spans.values()})
    for i, (pod, (start, end, job, _phase)) in enumerate(sorted(series.spans.items(), key=lambda kv: kv[1][0] or 0)):
        if start is None:
            continue
        color = COLORS[jobs.index(job) % len(COLORS)]
        spans_ax.barh(i, (end or now) - start, left=start, color=color, alpha=0.9 if end else 0.4)
        spans_ax.text(start, i, f" {pod}", va="center", fontsize=6)
    spans_ax.set_xlabel("seconds")
    spans_ax.set_yticks([])
    spans_ax.set_title("one bar per pod", fontsize=8)
    fig.suptitle(title)
    return fig


def draw_nodes(nodemap: NodeMap, title: str, fig: Figure, label_keys: tuple[str, ...] = ()) -> Figure:
    ax = fig.subplots()
    placement = nodemap.placement()
    pending = placement.pop(None, [])
    columns = [*placement.items()] + ([("Pending", pending)] if pending else [])
    owners = sorted({(nodemap.pods[p].owner or "Pod").rsplit("-", 1)[0] for _, pods in columns for p in pods})
    for x, (node, pods) in enumerate(columns):
        ax.add_patch(_box(x, -0.9, 0.9, 0.8, "#EEEEEE"))
        labels = nodemap.nodes.get(node, {})
        shown = [f"{k.split('/')[-1]}={labels[k]}" for k in label_keys if k in labels]
        ax.text(x + 0.45, -0.5, "\n".join([str(node), *shown]), ha="center", va="center", fontsize=7)
        for y, pod in enumerate(pods):
            owner = (nodemap.pods[pod].owner or "Pod").rsplit("-", 1)[0]
            ax.add_patch(_box(x, y + 0.05, 0.9, 0.85, COLORS[owners.index(owner) % len(COLORS)]))
            ax.text(x + 0.45, y + 0.47, pod[-22:], ha="center", va="center", fontsize=6, color="white")
    ax.set_xlim(-0.1, max(len(columns), 1))
    ax.set_ylim(-1, max([len(p) for _, p in columns] + [1]) + 0.2)
    ax.axis("off")
    ax.set_title(title)
    return fig


def _box(x: float, y: float, w: float, h: float, color: str):
    from matplotlib.patches import FancyBboxPatch

    return FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.02", color=color)
