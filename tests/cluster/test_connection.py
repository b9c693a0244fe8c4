"""Explicit connections on the live cluster: verbs given ``kube=`` act where it points while the
default points elsewhere and stays as it was; an instructor's loop over learners leaves the default
alone; ``kw.start`` sets the whole session, so a strict notebook does not make the next one strict."""

from __future__ import annotations

import uuid

import pytest
from kubernetes import client

import kworkshop as kw
from kworkshop import classroom
from kworkshop.kube.connection import default
from kworkshop.polling import poll

from .helpers import deployment


@pytest.fixture
def elsewhere(cluster):
    """A second namespace, made and removed through a connection of its own."""
    name = f"t-{uuid.uuid4().hex[:8]}"
    conn = kw.connect(cluster, namespace=name)
    kw.create_namespace(name, kube=conn)
    yield conn
    client.CoreV1Api(cluster.api_client).delete_namespace(name)


def test_verbs_with_kube_act_in_its_namespace_and_leave_the_default(cluster, namespace, elsewhere):
    before = default()
    assert before.namespace == namespace
    other = elsewhere.namespace

    kw.apply(deployment("web", "jonbaier/pod-scaling:0.1", replicas=1), kube=elsewhere)
    assert kw.scale("deployment/web", 2, kube=elsewhere) == "deployment.apps/web scaled"
    assert kw.rollout.status("deployment/web", kube=elsewhere, timeout=60).done
    assert kw.check.deployment("web", replicas=2, kube=elsewhere, timeout=30)
    assert kw.get("deployments", kube=elsewhere).column("Name") == ["web"]
    assert "web" in str(kw.describe("deployment/web", kube=elsewhere))
    assert [r.revision for r in kw.rollout.history("deployment/web", kube=elsewhere)] == [1]

    apps = client.AppsV1Api(cluster.api_client)
    assert apps.read_namespaced_deployment("web", other).spec.replicas == 2
    assert apps.list_namespaced_deployment(namespace).items == []
    assert kw.get("deployments").rows == ()  # the default still acts in the test's namespace
    assert kw.get("deployments", kube=elsewhere, namespace=namespace).rows == ()  # namespace= wins
    assert kw.check.progress(kube=elsewhere) and not kw.check.progress()  # recorded where it ran

    chart = kw.live.rollout("deployment/web", display=False, kube=elsewhere)  # its watches keep the connection
    try:
        assert chart.key == f"rollout/{other}/web"
        assert poll(lambda: chart.series.counts().get(1, {}).get("ready") == 2, timeout=30)
    finally:
        chart.stop(show=False)
    client.CoreV1Api(cluster.api_client).create_namespaced_service(other, {
        "metadata": {"name": "web"}, "spec": {"selector": {"name": "web"}, "ports": [{"port": 80}]}})
    assert "created" in kw.load.start("service/web", kube=elsewhere)
    assert apps.read_namespaced_deployment(kw.load.generator.NAME, other)
    assert kw.load.stop(kube=elsewhere).endswith("deleted")
    assert default() == before and default().api is before.api


def test_the_classroom_loop_over_learners_leaves_the_default(cluster, namespace, tmp_path):
    before = default()
    admin = kw.connect(cluster)
    name = f"c{uuid.uuid4().hex[:6]}"
    info = classroom.create(name, count=2, nodes_per_learner=1, output=tmp_path, kube=admin)
    try:
        for learner, path in zip(info.learners, info.kubeconfigs, strict=True):
            them = kw.connect(path, namespace=learner.namespace)
            kw.apply(deployment("web", "jonbaier/pod-scaling:0.1", replicas=1), kube=them)
            assert kw.check.deployment("web", replicas=1, kube=them, timeout=30)
            assert default() == before
        table = classroom.progress(name, kube=admin)
        assert [row[0] for row in table.rows] == [lr.name for lr in info.learners]
        assert all(cell.startswith("✓") for cell in table.column(table.columns[1]))
        assert default() == before and kw.get("deployments").rows == ()
    finally:
        classroom.delete(name, kube=admin)
    assert default() == before


def test_start_twice_strict_then_not_leaves_strict_off(cluster, monkeypatch):
    """Two notebooks in one kernel: the first with its solutions (strict), the second without."""
    import kworkshop.cluster

    def up(backend: str) -> kw.Cluster:  # the session's test cluster, made the default as kw.up does
        kw.use(cluster)
        return cluster

    monkeypatch.setattr(kworkshop.cluster, "up", up)
    monkeypatch.setenv("KUBECONFIG", str(cluster.kubeconfig))  # start points it at the notebook's copy
    first, second = f"t-{uuid.uuid4().hex[:8]}", f"t-{uuid.uuid4().hex[:8]}"
    try:
        session = kw.start(first, solutions=True)
        assert session.kube.strict and default().strict and default().namespace == first
        with pytest.raises(kw.check.CheckpointFailed):
            kw.check.deployment("nope", timeout=0, record=False)

        session = kw.start(second, solutions=False)
        assert not session.kube.strict and not default().strict and default().namespace == second
        assert not kw.check.deployment("nope", timeout=0, record=False)  # fails, does not raise
        assert session.kube.kubeconfig == session.kubeconfig
    finally:
        core = client.CoreV1Api(cluster.api_client)
        for ns in (first, second):
            core.delete_namespace(ns)
