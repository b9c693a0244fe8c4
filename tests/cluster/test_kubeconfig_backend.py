"""The kubeconfig backend on an existing cluster (here: the session's), as an admin and as a learner."""

from __future__ import annotations

import pytest

import kworkshop as kw
from kworkshop import classroom
from kworkshop.cluster import cluster_env


def _caps(handle) -> dict[str, bool]:
    return {c.name: c.ok for c in handle.capabilities}


def test_an_admin_can_do_every_chapter(cluster):
    handle = kw.up(backend="kubeconfig", kubeconfig=str(cluster.kubeconfig), set_env=False)
    assert handle.backend == "kubeconfig"
    assert _caps(handle) == {"metrics API": True, "label nodes": True, "create namespaces": True}
    assert handle.nodes() == cluster.nodes()
    assert handle.down() == [] and kw.status(cluster.name).healthy  # the cluster is not the kit's to stop


def test_a_recorded_kubeconfig_cluster_is_healthy_and_down_only_forgets_it(cluster):
    handle = kw.up(name="kc-contract", backend="kubeconfig", kubeconfig=str(cluster.kubeconfig), set_env=False)
    try:
        report = kw.status("kc-contract")  # routed through the record, not an embedded handle
        assert report.backend == "kubeconfig" and report.healthy, str(report)
        assert report.total_nodes == len(cluster.nodes()) and report.ready_nodes == report.total_nodes
        assert kw.attach("kc-contract").backend == "kubeconfig"
        assert cluster_env("kc-contract")["KUBECONFIG"] == str(cluster.kubeconfig)
        assert kw.down("kc-contract") == []
        assert not kw.status("kc-contract").exists  # forgotten by the kit...
        assert cluster.kubeconfig.is_file() and kw.status(cluster.name).healthy  # ...still running
        assert handle.nodes() == cluster.nodes()
    finally:
        kw.use(cluster)


def test_a_learner_is_told_what_will_not_work(cluster, tmp_path):
    kw.use(cluster)
    info = classroom.create("solo", names=["ada"], nodes_per_learner=0, output=tmp_path)
    try:
        handle = kw.up(backend="kubeconfig", kubeconfig=str(info.kubeconfigs[0]), set_env=False)
        caps = {c.name: c for c in handle.capabilities}
        assert caps["metrics API"].ok
        assert not caps["label nodes"].ok and "05-daemonsets" in caps["label nodes"].affects
        assert not caps["create namespaces"].ok
        assert handle.down() == []  # forgotten: the learner's kubeconfig is not the kit's to delete
    finally:
        kw.use(cluster)
        classroom.delete("solo")


def test_a_missing_kubeconfig_says_how_to_fix_it(tmp_path):
    with pytest.raises(kw.ClusterError, match=r"no kubeconfig at .*set KUBECONFIG"):
        kw.up(backend="kubeconfig", kubeconfig=str(tmp_path / "none"), set_env=False)
