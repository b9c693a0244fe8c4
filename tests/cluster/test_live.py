"""Live charts on the live cluster: the series follow a real rollout, and a headless notebook run
leaves the final PNG and a summary in its output."""

from __future__ import annotations

import re

import nbformat
import pytest
from kubernetes import client
from nbclient import NotebookClient

import kworkshop as kw
from kworkshop.cluster.processes import wait_until

from .helpers import deployment, wait_for

pytestmark = pytest.mark.cluster


def test_rollout_series_sees_both_replicasets_and_the_final_state(cluster, namespace, tmp_path):
    kw.apply(deployment("web", "jonbaier/pod-scaling:0.1", replicas=3))
    kw.rollout.status("deployment/web", timeout=60)
    chart = kw.live.rollout("deployment/web", display=False)
    kw.set_image("deployment/web", {"web": "jonbaier/pod-scaling:0.2"})
    kw.rollout.status("deployment/web", timeout=60)
    # the Deployment reports done as soon as the new pods are ready; the old pods' deletions
    # reach the watch a moment later
    assert wait_until(lambda: chart.series.counts().get(1, {}).get("ready", 0) == 0, timeout=20)
    chart.stop(show=False)
    frame = chart.data
    assert set(frame["revision"]) == {1, 2}
    assert set(frame[frame.revision == 2]["tag"]) == {"0.2"}
    assert frame[frame.revision == 2]["ready"].max() == 3
    last = frame.groupby("revision").last()  # each revision's latest sample
    assert last.loc[2, "ready"] == 3 and last.loc[1, "ready"] == 0
    assert chart.summary() == "rollout: rev 2 (0.2): 3 ready"
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
chart = kw.live.rollout("deployment/headless")
kw.set_image("deployment/headless", {{"headless": "jonbaier/pod-scaling:0.3"}})
kw.rollout.status("deployment/headless", timeout=60)
chart.stop()
"""


def test_headless_notebook_run_leaves_a_png_and_a_summary(cluster, namespace, tmp_path):
    kw.apply(deployment("headless", "jonbaier/pod-scaling:0.1", replicas=2))
    kw.rollout.status("deployment/headless", timeout=60)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        NOTEBOOK.format(cluster=cluster.name, namespace=namespace))])
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outputs = nb.cells[0].outputs
    assert any("image/png" in o.get("data", {}) for o in outputs), outputs
    text = "".join(o.get("text", "") for o in outputs)
    assert "recording rollout of deployment/headless" in text
    assert "rev 2 (0.3): 2 ready" in text
    # old pods may still be stopping (Terminating) when `rollout status` returns, never ready
    assert re.search(r"rev 1 \(0\.1\): [1-9] ready", text) is None, text


def test_rerunning_a_cell_replaces_the_chart_without_leaking_threads(cluster, namespace):
    import threading

    kw.apply(deployment("again", "jonbaier/pod-scaling:0.1", replicas=1))
    before = {t.name for t in threading.enumerate()}
    first = kw.live.rollout("deployment/again", display=False)
    second = kw.live.rollout("deployment/again", display=False)  # the same cell, run again
    assert not any(w.alive for w in first.watchers)
    assert all(w.alive for w in second.watchers)
    second.stop(show=False)
    assert {t.name for t in threading.enumerate() if t.name.startswith(("watch-", "chart-"))} <= before
