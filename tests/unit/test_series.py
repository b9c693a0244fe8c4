"""Watch events -> time series, replayed from recorded sequences (plain data, no cluster)."""

from types import SimpleNamespace as NS

from kworkshop.live.charts import draw_autoscaler, draw_jobs, draw_nodes, draw_rollout, new_figure
from kworkshop.live.series import (
    AutoscalerSeries,
    JobSeries,
    NodeMap,
    PodRecord,
    ReplicaSetRecord,
    RolloutSeries,
)
from kworkshop.live.view import Frame, Palette

OLD = ReplicaSetRecord("aaa", 1, "jonbaier/pod-scaling:0.1")
NEW = ReplicaSetRecord("bbb", 2, "jonbaier/pod-scaling:42.0")


def pod(name, h, phase="Running", ready=True, waiting=None, node="kwok-node-0", owner=None, terminating=False):
    return PodRecord(name, h, phase, ready, waiting, node, owner, terminating=terminating)


def failing_rollout() -> RolloutSeries:
    s = RolloutSeries()
    s.on_replicaset(0, "SYNC", OLD)
    for i in range(3):
        s.on_pod(0, "SYNC", pod(f"web-aaa-{i}", "aaa"))
    s.on_replicaset(1, "ADDED", NEW)
    s.on_pod(1, "ADDED", pod("web-bbb-0", "bbb", "Pending", False))
    s.on_pod(3, "MODIFIED", pod("web-bbb-0", "bbb", "Pending", False, "ErrImagePull"))
    s.on_pod(8, "MODIFIED", pod("web-bbb-0", "bbb", "Pending", False, "ImagePullBackOff"))
    return s


def test_failing_rollout_shows_the_stuck_revision_next_to_the_old_pods():
    s = failing_rollout()
    last = {r["revision"]: r for r in s.rows if r["t"] == 8}
    assert last[1] == {"t": 8, "revision": 1, "tag": "0.1", "ready": 3, "starting": 0, "failing": 0, "stopping": 0}
    assert last[2]["failing"] == 1 and last[2]["tag"] == "42.0"
    assert s.summary() == "rollout: rev 1 (0.1): 3 ready; rev 2 (42.0): 0 ready, 1 failing to pull"
    assert s.revisions() == [1, 2]


def test_undo_shows_the_way_back():
    s = failing_rollout()
    s.on_pod(9, "DELETED", pod("web-bbb-0", "bbb", "Pending", False, "ImagePullBackOff"))
    assert {r["revision"]: r["failing"] for r in s.rows if r["t"] == 9} == {1: 0, 2: 0}
    assert s.summary() == "rollout: rev 1 (0.1): 3 ready"


def test_recreate_has_a_gap_with_nothing_ready():
    s = RolloutSeries()
    s.on_replicaset(0, "SYNC", OLD)
    s.on_pod(0, "SYNC", pod("a", "aaa"))
    s.on_pod(1, "DELETED", pod("a", "aaa"))
    s.on_replicaset(2, "ADDED", ReplicaSetRecord("ccc", 2, "x:0.2"))
    s.on_pod(2, "ADDED", pod("c", "ccc", "Pending", False))
    s.on_pod(4, "MODIFIED", pod("c", "ccc"))
    ready_at = {t: sum(r["ready"] for r in s.rows if r["t"] == t) for t in (0, 1, 2, 4)}
    assert ready_at == {0: 1, 1: 0, 2: 0, 4: 1}


def test_jobs_overlap_when_parallel_and_spans_close():
    s = JobSeries()
    for t, name, phase in ((1, "p1", "Running"), (1, "p2", "Running"), (2, "p3", "Pending"), (5, "p1", "Succeeded"),
                           (6, "p3", "Running"), (7, "p2", "Succeeded"), (9, "p3", "Succeeded")):
        s.on_pod(t, "MODIFIED", pod(name, None, phase, phase == "Running", owner="Job/long-task"))
    s.on_pod(3, "ADDED", pod("web", "aaa"))  # not a Job's pod: ignored
    assert s.max_overlap() == 2
    assert s.spans["p1"][:2] == [1, 5] and s.spans["p3"][:2] == [6, 9]
    assert s.summary() == "jobs: 3/3 pods succeeded, at most 2 ran at once"


def test_node_map_places_pods_and_lists_pending():
    m = NodeMap()
    for n in ("kwok-node-0", "kwok-node-1"):
        m.on_node("SYNC", n, {"kubernetes.io/hostname": n})
    m.on_pod("SYNC", pod("ds-a", None, node="kwok-node-0", owner="DaemonSet/npd"))
    m.on_pod("SYNC", pod("ds-b", None, node="kwok-node-1", owner="DaemonSet/npd"))
    m.on_pod("ADDED", pod("picky", None, "Pending", False, node=None))
    m.on_pod("MODIFIED", pod("done", None, "Succeeded", False, node="kwok-node-1"))
    assert m.placement() == {"kwok-node-0": ["ds-a"], "kwok-node-1": ["ds-b"], None: ["picky"]}
    assert m.summary() == "nodes: kwok-node-0: 1, kwok-node-1: 1; 1 pending"


def _hpa(cpu, desired, current):
    metric = NS(resource=NS(name="cpu", current=NS(average_utilization=cpu)))
    target = NS(resource=NS(name="cpu", target=NS(average_utilization=10)))
    return NS(status=NS(current_metrics=[metric] if cpu is not None else [], desired_replicas=desired,
                        current_replicas=current),
              spec=NS(metrics=[target], min_replicas=3, max_replicas=6))


def test_autoscaler_series_and_load_marks():
    s = AutoscalerSeries()
    s.on_hpa(0, _hpa(None, 3, 3))
    s.on_load(1, True)
    s.on_load(2, True)  # the same state twice is one mark
    s.on_hpa(20, _hpa(67, 6, 3))
    s.on_hpa(30, _hpa(34, 6, 6))
    s.on_load(40, False)
    s.on_hpa(90, _hpa(1, 3, 3))
    assert [(r["cpu"], r["desired"], r["current"]) for r in s.rows] == [(None, 3, 3), (67, 6, 3), (34, 6, 6), (1, 3, 3)]
    assert s.marks == [(1, "load on"), (40, "load off")]
    assert s.load_spans(100) == [(1, 40)]
    assert s.summary() == "autoscaler: 3 replicas now (peak 6), CPU 1% of requests vs target 10%"


def _drawn(draw, data) -> dict:
    return draw(data, Frame.at("title", 10, Palette()), new_figure())


def test_every_chart_draws_what_its_series_holds():
    """Each drawing's model says what is on the picture: the series' state at the frame's moment."""
    rollout = _drawn(draw_rollout, failing_rollout())["revisions"]
    assert {rev: (r["tag"], r["ready"], r["failing"]) for rev, r in rollout.items()} == \
        {1: ("0.1", 3, 0), 2: ("42.0", 0, 1)}
    assert rollout[1]["color"] != rollout[2]["color"]
    jobs = JobSeries()
    jobs.on_pod(1, "MODIFIED", pod("p", None, owner="Job/j"))
    assert _drawn(draw_jobs, jobs)["bars"] == {"p": (1, 10, "Running")}  # from its start to now, still running
    hpa = AutoscalerSeries()
    hpa.on_hpa(0, _hpa(5, 3, 3))
    drawn = _drawn(draw_autoscaler, hpa)
    assert (drawn["cpu"], drawn["target"], drawn["desired"], drawn["current"], drawn["load"]) == (5, 10, 3, 3, False)
    nodes = NodeMap()
    nodes.on_node("SYNC", "kwok-node-0", {})
    nodes.on_pod("SYNC", pod("a", None, owner="DaemonSet/npd"))
    placed = _drawn(draw_nodes, nodes)
    assert [(p["pod"], p["state"]) for p in placed["nodes"]["kwok-node-0"]] == [("a", "Running")]
    assert set(placed["legend"]) == {"DaemonSet/npd"}


def test_a_deleted_pod_counts_as_stopping_not_ready_until_it_is_gone():
    s = RolloutSeries()
    s.on_replicaset(0, "SYNC", OLD)
    s.on_pod(0, "SYNC", pod("web-aaa-0", "aaa"))
    s.on_pod(1, "MODIFIED", pod("web-aaa-0", "aaa", terminating=True))
    assert s.summary() == "rollout: rev 1 (0.1): 0 ready, 1 stopping"
    s.on_pod(4, "DELETED", pod("web-aaa-0", "aaa", "Failed", False, terminating=True))
    assert s.summary() == "rollout: no pods"


def test_no_load_off_before_the_first_load_on_and_no_none_percent():
    s = AutoscalerSeries()
    s.on_load(0, False)  # the watch's first list: no generator yet
    s.on_hpa(1, _hpa(None, 3, 3))
    assert s.marks == []
    assert "None" not in s.summary() and "CPU not measured yet" in s.summary()
    s.on_load(5, True)
    assert s.load_spans(9) == [(5, 9)]  # still running: the span reaches now


def test_close_adds_a_last_sample_holding_the_state():
    rollout = failing_rollout()
    rollout.close(20)
    assert {r["revision"]: r["failing"] for r in rollout.rows if r["t"] == 20} == {1: 0, 2: 1}
    hpa = AutoscalerSeries()
    hpa.on_hpa(0, _hpa(5, 3, 3))
    hpa.close(7)
    assert [(r["t"], r["cpu"]) for r in hpa.rows] == [(0, 5), (7, 5)]
    jobs = JobSeries()
    jobs.on_job(1, NS(metadata=NS(name="a"), status=NS(active=1, succeeded=0, failed=0)))
    jobs.on_job(2, NS(metadata=NS(name="b"), status=NS(active=2, succeeded=1, failed=0)))
    jobs.close(9)
    assert jobs.totals()[-1] == (9, {"active": 3, "succeeded": 1, "failed": 0})
