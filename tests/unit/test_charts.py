"""What the charts draw, on recorded event sequences (no cluster): the present, a bounded window,
stable colours, and a drawn state equal to the data's last sample."""

from __future__ import annotations

import struct
import time
from types import SimpleNamespace as NS

import pytest

from kworkshop.live import charts
from kworkshop.live.chart import LiveChart
from kworkshop.live.render import SCALE, Renderer
from kworkshop.live.series import AutoscalerSeries, JobSeries, NodeMap, PodRecord, ReplicaSetRecord, RolloutSeries
from kworkshop.live.view import Frame, Palette, held, revision_color, shorten, window

from .test_series import _hpa, failing_rollout, pod

STATES = ("ready", "starting", "failing", "stopping")


def rollout_chart() -> LiveChart:
    """A chart with no watches, fed by hand as watch threads would feed it."""
    return LiveChart("test/rollout", "rollout", RolloutSeries(), charts.draw_rollout, [])


def bands_right_edge(fig) -> float:
    return max(path.vertices[:, 0].max() for c in fig.axes[0].collections for path in c.get_paths())


def test_the_last_state_is_drawn_up_to_now_not_to_the_last_event():
    s = failing_rollout()  # last event at t=8
    renderer = Renderer(charts.draw_rollout, "rollout", (8, 3.4))
    fig = renderer.figure(s, 20)
    assert bands_right_edge(fig) == pytest.approx(20)
    assert renderer.drawn["revisions"][2]["failing"] == 1  # the ErrImagePull hatch, at once
    assert held([(0, "a"), (8, "b")], 0, 20) == [(0, "a"), (8, "b"), (20, "b")]


def test_the_drawn_state_at_the_end_equals_the_last_sample_after_stop():
    chart = rollout_chart()
    chart.feed(chart.series.on_replicaset, "SYNC", ReplicaSetRecord("aaa", 1, "jonbaier/pod-scaling:0.1"))
    chart.feed(chart.series.on_pod, "SYNC", pod("web-aaa-0", "aaa"))
    chart.feed(chart.series.on_replicaset, "ADDED", ReplicaSetRecord("bbb", 2, "jonbaier/pod-scaling:0.2"))
    chart.feed(chart.series.on_pod, "ADDED", pod("web-bbb-0", "bbb", "Pending", False))
    time.sleep(0.05)
    chart.stop(show=False)
    data = chart.data
    times = sorted(set(data["t"]))
    assert times[-1] == chart.stopped_at > times[-2]  # a final sample when it stopped
    last = data[data.t == data.t.max()].groupby("revision").last()
    drawn = chart.drawn["revisions"]
    assert set(drawn) == set(last.index)
    for rev, row in last.iterrows():
        assert {k: drawn[rev][k] for k in STATES} == {k: row[k] for k in STATES}
        assert drawn[rev]["tag"] == row["tag"] and drawn[rev]["color"] == revision_color(rev)
    assert chart.drawn["now"] == chart.stopped_at


def test_the_time_axis_is_a_sliding_window():
    assert window(5) == (0, 30)  # the first seconds: a sensible axis, not a fraction of a second
    assert window(100) == (0, 100)
    assert window(1000) == (700, 1000)  # the last 5 minutes
    s = RolloutSeries()
    s.on_replicaset(0, "SYNC", ReplicaSetRecord("aaa", 1, "x:0.1"))
    s.on_pod(0, "SYNC", pod("a", "aaa"))
    renderer = Renderer(charts.draw_rollout, "rollout", (8, 3.4))
    renderer.figure(s, 1000)
    assert renderer.drawn["x"] == (700, 1000)
    assert renderer.drawn["revisions"][1]["ready"] == 1  # the state at the window's start is carried in


def test_colours_stay_with_their_revision_and_workload():
    s = failing_rollout()
    renderer = Renderer(charts.draw_rollout, "rollout", (8, 3.4))
    renderer.figure(s, 10)
    before = {r: d["color"] for r, d in renderer.drawn["revisions"].items()}
    s.on_pod(12, "DELETED", pod("web-aaa-0", "aaa"))
    s.on_replicaset(12, "DELETED", ReplicaSetRecord("aaa", 1, "x"))  # revision 1 leaves
    renderer.figure(s, 14)
    assert renderer.drawn["revisions"][2]["color"] == before[2]

    m = NodeMap()
    m.on_node("SYNC", "kwok-node-0", {})
    m.on_pod("SYNC", pod("z-1", None, owner="Job/zeta"))
    draw = Renderer(lambda n, f, fig: charts.draw_nodes(n, f, fig), "nodes", (9, 4))
    draw.figure(m, 0)
    zeta = draw.drawn["legend"]["Job/zeta"]
    m.on_pod("ADDED", pod("a-1", None, owner="DaemonSet/alpha"))  # sorts first, arrives later
    draw.figure(m, 1)
    assert draw.drawn["legend"]["Job/zeta"] == zeta != draw.drawn["legend"]["DaemonSet/alpha"]


def test_node_map_draws_pending_apart_names_whole_words_and_a_legend():
    m = NodeMap()
    m.on_node("SYNC", "kwok-node-0", {})
    m.on_pod("SYNC", PodRecord("node-problem-detector-v0.1-x7k2p", None, "Running", True, None, "kwok-node-0",
                               "DaemonSet/node-problem-detector-v0.1"))
    m.on_pod("SYNC", PodRecord("web-5d8f7c-abcde", "5d8f7c", "Pending", False, None, "kwok-node-0",
                               "ReplicaSet/web-5d8f7c"))
    m.on_pod("SYNC", PodRecord("picky", None, "Pending", False, None, None, None))
    fig = charts.new_figure(9, 4)
    model = charts.draw_nodes(m, Frame.at("nodes", 0, Palette()), fig)
    states = {p["pod"]: p["state"] for pods in model["nodes"].values() for p in pods}
    assert states == {"node-problem-detector-v0.1-x7k2p": "Running", "web-5d8f7c-abcde": "Pending",
                      "picky": "Pending"}
    assert set(model["legend"]) == {"DaemonSet/node-problem-detector-v0.1", "Deployment/web", "Pod (no owner)"}
    faces = {tuple(p.get_facecolor()) for p in fig.axes[0].patches}
    assert (1.0, 1.0, 1.0, 1.0) in faces  # the Pending pods: an outline on white
    assert shorten("node-problem-detector-v0.1-x7k2p", 20) == "node-problem-…-x7k2p"
    assert shorten("long-task-ns-q8v5c", 20) == "long-task-ns-q8v5c"


def test_autoscaler_panels_share_the_time_range_and_mark_load_as_bands():
    s = AutoscalerSeries()
    s.on_hpa(0, _hpa(None, 3, 3))
    s.on_load(4, True)
    s.on_hpa(20, _hpa(64, 6, 3))
    renderer = Renderer(charts.draw_autoscaler, "hpa", (9.5, 3.4))
    fig = renderer.figure(s, 25)
    cpu_x, rep_x = renderer.drawn["xs"]
    assert cpu_x == rep_x == (0, 30)
    assert renderer.drawn["load"] and renderer.drawn["load_spans"] == [(4, 25)]
    assert renderer.drawn["current"] == 3 and renderer.drawn["cpu"] == 64
    assert not any(t.get_text().startswith("load") for ax in fig.axes for t in ax.texts)  # no labels in the plot


def test_jobs_totals_and_bars_reach_now():
    s = JobSeries()
    s.on_job(1, NS(metadata=NS(name="j"), status=NS(active=1, succeeded=0, failed=0)))
    s.on_pod(1, "MODIFIED", pod("j-1", None, owner="Job/j"))
    renderer = Renderer(charts.draw_jobs, "jobs", (9.5, 3.4))
    renderer.figure(s, 6)
    assert renderer.drawn["totals"] == {"active": 1, "succeeded": 0, "failed": 0}
    assert renderer.drawn["bars"]["j-1"] == (1, 6, "Running")


def test_pngs_are_drawn_at_twice_their_css_size_and_redraws_reuse_the_figure():
    renderer = Renderer(charts.draw_rollout, "rollout", (8, 3.4))
    s = failing_rollout()
    first, second = renderer.png(s, 9), renderer.png(s, 10)
    for png in (first, second):
        width, height = struct.unpack(">II", png[16:24])
        assert (width, height) == (renderer.css_size[0] * SCALE, renderer.css_size[1] * SCALE)
    assert first != second  # the clock moved: a tick redraws
    assert renderer.drawn["now"] == 10 and len(renderer.seconds) == 2


def test_pin_tells_how_to_keep_the_chart_in_view(capsys):
    chart = rollout_chart()
    chart.pin()
    chart.stop(show=False)
    assert "Create New View for Output" in capsys.readouterr().out
