"""The kubeconfig backend on an existing cluster (here: the session's), as an admin and as a learner."""

from __future__ import annotations

import pytest

import kworkshop as kw
from kworkshop import classroom

pytestmark = pytest.mark.cluster


def _caps(handle) -> dict[str, bool]:
    return {c.name: c.ok for c in handle.capabilities}


def test_an_admin_can_do_every_chapter(cluster):
    handle = kw.up(backend="kubeconfig", kubeconfig=str(cluster.kubeconfig), set_env=False)
    assert handle.backend == "kubeconfig"
    assert _caps(handle) == {"metrics API": True, "label nodes": True, "create namespaces": True}
    assert handle.nodes() == cluster.nodes()
    assert handle.down() == [] and kw.status(cluster.name).healthy  # the cluster is not the kit's to stop


def test_a_learner_is_told_what_will_not_work(cluster, tmp_path):
    kw.use(cluster)
    info = classroom.create("solo", names=["ada"], nodes_per_learner=0, output=tmp_path)
    try:
        handle = kw.up(backend="kubeconfig", kubeconfig=str(info.kubeconfigs[0]), set_env=False)
        caps = {c.name: c for c in handle.capabilities}
        assert caps["metrics API"].ok
        assert not caps["label nodes"].ok and "05-daemonsets" in caps["label nodes"].affects
        assert not caps["create namespaces"].ok
    finally:
        kw.use(cluster)
        classroom.delete("solo")


def test_a_missing_kubeconfig_says_how_to_fix_it(tmp_path):
    with pytest.raises(kw.ClusterError, match=r"no kubeconfig at .*set KUBECONFIG"):
        kw.up(backend="kubeconfig", kubeconfig=str(tmp_path / "none"), set_env=False)
