"""The kind backend end to end: only where a Docker daemon answers (never on the development and CI
machines of this project); elsewhere it is reported as skipped with the reason."""

from __future__ import annotations

import pytest

import kworkshop as kw
from kworkshop.cluster import records
from kworkshop.cluster.kind import docker_available

AVAILABLE, WHY = docker_available()


@pytest.mark.skipif(not AVAILABLE, reason=f"kind needs Docker: {WHY}")
def test_kind_cluster_runs_the_chapter_images_and_fails_42():
    cluster = kw.up(backend="kind", name="kworkshop-kind-test", set_env=False)
    try:
        kw.use(cluster, namespace=kw.fresh_namespace("kind-e2e"))
        kw.apply({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                  "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "template": {
                      "metadata": {"labels": {"app": "web"}}, "spec": {"containers": [
                          {"name": "web", "image": "jonbaier/pod-scaling:0.1"}]}}}})
        assert kw.rollout.status("deployment/web", timeout=180).done
        kw.set_image("deployment/web", {"web": "jonbaier/pod-scaling:42.0"})
        with pytest.raises(kw.RolloutStuckError):
            kw.rollout.status("deployment/web", timeout=180)
    finally:
        assert cluster.down() == []


def test_asking_for_kind_without_docker_says_how_to_go_on(state_root):
    if AVAILABLE:
        pytest.skip("Docker answers here: the error path cannot be shown")
    with pytest.raises(kw.ClusterError, match=r"needs Docker, but .*Use the embedded cluster instead"):
        kw.up(backend="kind", name="never", set_env=False)
    assert records.read("never") is None  # nothing was made, so nothing is remembered
