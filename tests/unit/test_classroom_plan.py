"""The objects a class needs (plain data)."""

import pytest

from kworkshop.classroom.plan import cluster_objects, kubeconfig, learners, namespaced_objects
from kworkshop.errors import ConfigError


def test_learners_from_a_count_or_names():
    assert [lr.name for lr in learners("k8s101", 3)] == ["learner-01", "learner-02", "learner-03"]
    ada = learners("k8s101", names=["Ada", " grace "])
    assert [lr.namespace for lr in ada] == ["k8s101-ada", "k8s101-grace"]
    for bad in ({"count": 0}, {"names": ["a b"]}, {"names": ["x", "x"]}, {}):
        with pytest.raises(ConfigError):
            learners("k8s101", **bad)


def test_each_learner_gets_edit_rights_in_their_namespace_only():
    ada = learners("c", names=["ada"])[0]
    objs = {(o["kind"], o["metadata"]["name"]): o for o in namespaced_objects(ada)}
    assert objs[("RoleBinding", "learner-edit")]["roleRef"]["name"] == "edit"
    assert objs[("RoleBinding", "learner-edit")]["metadata"]["namespace"] == "c-ada"
    assert all(o["metadata"]["labels"]["kworkshop.io/class"] == "c" for o in objs.values())
    assert ("ResourceQuota", "learner-quota") in objs


def test_nodes_may_be_labelled_only_by_their_learner():
    ada = learners("c", names=["ada"])[0]
    role = cluster_objects(ada, ada.node_names(2))[0]
    patch = [r for r in role["rules"] if "patch" in r["verbs"]]
    assert patch == [{"apiGroups": [""], "resources": ["nodes"], "resourceNames": ["c-ada-node-0", "c-ada-node-1"],
                      "verbs": ["patch", "update"]}]
    config = kubeconfig(ada, "https://127.0.0.1:6443", "Q0E=", "tok")
    assert config["contexts"][0]["context"]["namespace"] == "c-ada"
    assert config["users"][0]["user"] == {"token": "tok"}
