"""Live charts on the live cluster: the series follow a real rollout, and a headless notebook run
leaves the final PNG and a summary in its output."""

from __future__ import annotations

import base64
import re
import struct

import nbformat
from kubernetes import client
from nbclient import NotebookClient

import kworkshop as kw
from kworkshop.polling import poll

from .helpers import deployment, wait_for


def test_rollout_series_sees_both_replicasets_and_the_final_state(cluster, namespace, tmp_path):
    kw.apply(deployment("web", "jonbaier/pod-scaling:0.1", replicas=3))
    kw.rollout.status("deployment/web", timeout=60)
    chart = kw.live.rollout("deployment/web", display=False)
    kw.set_image("deployment/web", {"web": "jonbaier/pod-scaling:0.2"})
    kw.rollout.status("deployment/web", timeout=60)
    # the Deployment reports done as soon as the new pods are ready; the old pods stop (up to the
    # capped 3 s grace period) and their deletions reach the watch a moment later
    assert poll(lambda: not any(v for k, v in chart.series.counts().get(1, {}).items() if k != "image"),
                      timeout=30)
    chart.stop(show=False)
    frame = chart.data
    assert set(frame["revision"]) == {1, 2}
    assert set(frame[frame.revision == 2]["tag"]) == {"0.2"}
    assert frame[frame.revision == 2]["ready"].max() == 3
    last = frame.groupby("revision").last()  # each revision's latest sample
    assert last.loc[2, "ready"] == 3 and last.loc[1, "ready"] == 0
    assert chart.summary() == "rollout: rev 2 (0.2): 3 ready"
    # what the final frame drew at its right edge is the data's last sample, at the moment it stopped
    assert chart.drawn["now"] == chart.stopped_at == frame["t"].max()
    assert chart.drawn["revisions"][2]["ready"] == 3 and chart.drawn["revisions"].get(1, {}).get("ready", 0) == 0
    png = tmp_path / "rollout.png"
    chart.save(str(png))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_nodes_chart_places_a_daemonset_one_per_node(cluster, namespace):
    labels = {"app": "npd"}
    kw.apply({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "npd"},
              "spec": {"selector": {"matchLabels": labels}, "template": {"metadata": {"labels": labels}, "spec": {
                  "containers": [{"name": "npd", "image": "gcr.io/google_containers/node-problem-detector:v0.1"}]}}}})
    chart = kw.live.nodes(display=False)
    wait_for(
        client.CoreV1Api(cluster.api_client).list_namespaced_pod,
        lambda pods: len([p for p in pods if p.status.phase == "Running"]) == 3, 60, "3 daemon pods",
        namespace=namespace)
    chart.stop(show=False)
    placement = chart.series.placement()
    assert all(len(pods) == 1 for node, pods in placement.items() if node)


NOTEBOOK = """
import kworkshop as kw
kw.use(kw.attach("{cluster}"), namespace="{namespace}")
chart = kw.live.rollout("deployment/{name}")
"""
CHANGE = """
kw.set_image("deployment/{name}", {{"{name}": "jonbaier/pod-scaling:0.3"}})
kw.rollout.status("deployment/{name}", timeout=60)
"""


def _texts(outputs) -> str:
    return "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in outputs)


def _static_chart(outputs) -> tuple[int, int]:
    """The chart's output is a plain PNG drawn at 2x its display size, and no output needs a widget."""
    assert not any(k.startswith("application/vnd.jupyter.widget") for o in outputs for k in o.get("data", {}))
    pngs = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(pngs) == 1, outputs
    png = base64.b64decode(pngs[0]["data"]["image/png"])
    width, height = struct.unpack(">II", png[16:24])
    shown = pngs[0]["metadata"]["image/png"]
    assert (width, height) == (2 * shown["width"], 2 * shown["height"])
    return width, height


def _run(cells: list[str], fmt: dict[str, str]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c.format(**fmt)) for c in cells])
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    return nb


def test_headless_notebook_run_leaves_a_png_and_a_summary(cluster, namespace, monkeypatch):
    monkeypatch.setenv("KWORKSHOP_LIVE", "0")  # as papermill and nbval run: no Jupyter server
    kw.apply(deployment("headless", "jonbaier/pod-scaling:0.1", replicas=2))
    kw.rollout.status("deployment/headless", timeout=60)
    fmt = {"cluster": cluster.name, "namespace": namespace, "name": "headless"}
    nb = _run([NOTEBOOK + CHANGE + "chart.stop()\n"], fmt)
    outputs = nb.cells[0].outputs
    _static_chart(outputs)
    text = _texts(outputs)
    assert "recording rollout" not in text  # the placeholder was replaced by the chart
    assert "rev 2 (0.3): 2 ready" in text
    # old pods may still be stopping (Terminating) when `rollout status` returns, never ready
    assert re.search(r"rev 1 \(0\.1\): [1-9] ready", text) is None, text


def test_a_live_chart_stopped_in_a_later_cell_becomes_a_static_image_where_it_started(
        cluster, namespace, monkeypatch):
    monkeypatch.setenv("KWORKSHOP_LIVE", "1")  # as under a Jupyter server: frames every second
    kw.apply(deployment("livecells", "jonbaier/pod-scaling:0.1", replicas=2))
    kw.rollout.status("deployment/livecells", timeout=60)
    fmt = {"cluster": cluster.name, "namespace": namespace, "name": "livecells"}
    nb = _run([NOTEBOOK, CHANGE + "import time; time.sleep(2.5)", "chart.stop()\nchart.drawn, chart.data"], fmt)
    first, last = nb.cells[0].outputs, nb.cells[2].outputs
    _static_chart(first)  # the live picture became the final one, in the cell that made the chart
    assert "rev 2 (0.3): 2 ready" in _texts(first)
    assert "stopped; the final chart is where it started" in _texts(last)
    assert not any("image/png" in o.get("data", {}) for o in last)  # not a second copy


def test_rerunning_a_cell_replaces_the_chart_without_leaking_threads(cluster, namespace):
    import threading

    kw.apply(deployment("again", "jonbaier/pod-scaling:0.1", replicas=1))
    before = {t.name for t in threading.enumerate()}
    first = kw.live.rollout("deployment/again", display=False)
    second = kw.live.rollout("deployment/again", display=False)  # the same cell, run again
    assert not any(w.alive for w in first.watchers)
    assert all(w.alive for w in second.watchers)
    second.stop(show=False)

    def ours() -> set[str]:
        return {t.name for t in threading.enumerate() if t.name.startswith(("watch-", "chart-"))}

    # stop() closes each open watch and joins its thread: nothing is left the moment it returns
    assert ours() <= before, f"threads left after stop(): {sorted(ours() - before)}"
