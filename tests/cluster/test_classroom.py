"""A class of 5 on the embedded cluster: each learner works in their namespace with their own
kubeconfig, cannot touch another's, the progress table shows who passed, delete leaves nothing."""

from __future__ import annotations

import pytest
from kubernetes import client

import kworkshop as kw
from kworkshop import classroom
from kworkshop.kube.connection import default
from kworkshop.kube.facts import CLASS_LABEL

from .helpers import deployment


def test_a_class_of_five(cluster, tmp_path):
    admin = kw.connect(cluster)  # the instructor's; each learner gets a connection of their own
    info = classroom.create("demo", count=5, output=tmp_path, kube=admin)  # 2 nodes of their own each
    assert len(info.kubeconfigs) == 5 and all(p.stat().st_mode & 0o777 == 0o600 for p in info.kubeconfigs)
    them = [kw.connect(path, namespace=learner.namespace)
            for learner, path in zip(info.learners, info.kubeconfigs, strict=True)]
    before = default()
    for i, conn in enumerate(them):
        kw.apply(deployment("web", "jonbaier/pod-scaling:0.1", replicas=1), kube=conn)
        if i < 3:  # three learners finish the exercise, two do not
            kw.scale("deployment/web", 2, kube=conn)
        kw.check.deployment("web", replicas=2, timeout=30 if i < 3 else 3, kube=conn)

    first, second = info.learners[0], info.learners[1]
    intruder = them[0].with_namespace(second.namespace)  # learner 1 tries learner 2's namespace
    with pytest.raises(kw.ForbiddenError):
        kw.get("pods", kube=intruder)
    with pytest.raises(kw.ForbiddenError):
        kw.apply(deployment("intruder", "busybox"), kube=intruder)
    mine = them[0]
    assert kw.labelable_nodes(kube=mine) == first.node_names(2)  # what notebook 05 uses in a class
    system = mine.with_namespace("kube-system")  # notebook 05 starts with `kubectl get ds -n kube-system`
    assert {"kube-proxy", "node-problem-detector"} <= set(kw.get("daemonsets", kube=system).column("name"))
    assert kw.get("pods", kube=system).rows
    with pytest.raises(kw.ForbiddenError):
        kw.get("configmaps", kube=system)  # reading, and only DaemonSets and pods
    assert kw.label(f"node/{first.node_names(1)[0]}", nodenickname="mine", kube=mine).endswith("labeled")
    with pytest.raises(kw.ForbiddenError):
        kw.label(f"node/{second.node_names(1)[0]}", nodenickname="theirs", kube=mine)
    with pytest.raises(kw.ForbiddenError):
        kw.label("node/kwok-node-0", nodenickname="shared", kube=mine)
    # a notebook's first cell, run by a learner: their namespace is emptied, not recreated
    assert kw.fresh_namespace(first.namespace, kube=mine) == first.namespace
    assert kw.get("deployments", kube=mine).rows == ()
    assert kw.check.progress(kube=mine)  # the checkpoint record stays
    assert default() == before  # no learner's connection became the default

    table = classroom.progress("demo", kube=admin)
    assert [row[0] for row in table.rows] == [lr.name for lr in info.learners]
    column = next(c for c in table.columns if c.startswith("deployment/web"))
    marks = [cell[0] for cell in table.column(column)]
    assert marks == ["✓", "✓", "✓", "✗", "✗"]

    classroom.delete("demo", kube=admin)
    core, rbac = client.CoreV1Api(cluster.api_client), client.RbacAuthorizationV1Api(cluster.api_client)
    selector = f"{CLASS_LABEL}=demo"
    assert core.list_namespace(label_selector=selector).items == []
    assert core.list_node(label_selector=selector).items == []
    assert rbac.list_cluster_role(label_selector=selector).items == []
    assert rbac.list_cluster_role_binding(label_selector=selector).items == []
    assert rbac.list_namespaced_role_binding("kube-system", label_selector=selector).items == []
