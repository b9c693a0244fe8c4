"""Revision ordering and the undo choice, on plain ReplicaSet dicts."""

import pytest

from kworkshop.kube.history import (
    recorded,
    revisions,
    rollback_annotations,
    rollback_target,
    template_without_hash,
)


def rs(name, revision, image, cause=None):
    ann = {"deployment.kubernetes.io/revision": str(revision)}
    if cause:
        ann["kubernetes.io/change-cause"] = cause
    return {"metadata": {"name": name, "annotations": ann},
            "spec": {"template": {"metadata": {"labels": {"app": "w", "pod-template-hash": name[-3:]}},
                                  "spec": {"containers": [{"name": "w", "image": image}]}}}}


SETS = [rs("w-aaa", 4, "app:42.0", "set 42"), rs("w-bbb", 1, "app:0.1"), rs("w-ccc", 3, "app:0.3", "set 0.3")]


def test_revisions_sorted_with_causes_and_images():
    hist = revisions(SETS)
    assert [(r.revision, r.change_cause, r.images) for r in hist] == [
        (1, None, ("app:0.1",)), (3, "set 0.3", ("app:0.3",)), (4, "set 42", ("app:42.0",))]
    assert str(hist[0]).split() == ["1", "<none>"]


def test_undo_goes_to_the_highest_revision_below_the_current():
    assert rollback_target(SETS, None)["metadata"]["name"] == "w-ccc"
    assert rollback_target(SETS, 1)["metadata"]["name"] == "w-bbb"
    with pytest.raises(ValueError, match="unable to find specified revision 2 in history"):
        rollback_target(SETS, 2)
    with pytest.raises(ValueError, match="no rollout history"):
        rollback_target(SETS[:1], None)


def test_template_loses_the_hash_label_and_annotations_follow_kubectl():
    assert template_without_hash(SETS[1])["metadata"]["labels"] == {"app": "w"}
    merged = rollback_annotations(
        {"deployment.kubernetes.io/revision": "4", "kubernetes.io/change-cause": "set 42", "team": "a"},
        {"deployment.kubernetes.io/revision": "3", "kubernetes.io/change-cause": "set 0.3"})
    assert merged == {"deployment.kubernetes.io/revision": "4", "kubernetes.io/change-cause": "set 0.3"}
    assert recorded("kubectl x --record=true") == {
        "metadata": {"annotations": {"kubernetes.io/change-cause": "kubectl x --record=true"}}}
