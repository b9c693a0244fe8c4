"""The chapter's rollout sequence through kworkshop, checked against the real kubectl."""

from __future__ import annotations

import re

import pytest
from kubernetes import client

import kworkshop as kw

from .helpers import deployment

APP = "node-js-deploy"


def _history_table(kubectl, namespace: str) -> list[tuple[int, str]]:
    """kubectl rollout history, parsed into (revision, change-cause)."""
    out = kubectl("rollout", "history", f"deployment/{APP}", "-n", namespace)
    rows = []
    for line in out.splitlines():
        m = re.match(r"^(\d+)\s+(.*?)\s*$", line)
        if m:
            rows.append((int(m.group(1)), m.group(2)))
    return rows


def _ours(namespace: str) -> list[tuple[int, str]]:
    return [(r.revision, r.change_cause or "<none>") for r in kw.rollout.history(f"deployment/{APP}")]


def _image(namespace: str) -> str:
    d = client.AppsV1Api(kw.kube.client.api_client()).read_namespaced_deployment(APP, namespace)
    return d.spec.template.spec.containers[0].image


def test_chapter_five_rollout_sequence(cluster, namespace, kubectl):
    apps = client.AppsV1Api(cluster.api_client)
    kw.apply(deployment(APP, "jonbaier/pod-scaling:0.1", replicas=1), record=True)
    kw.scale(f"deployment/{APP}", 3)
    assert kw.rollout.status(f"deployment/{APP}", timeout=60).done

    for tag in ("0.2", "0.3"):
        kw.set_image(f"deployment/{APP}", {APP: f"jonbaier/pod-scaling:{tag}"}, record=True)
        result = kw.rollout.status(f"deployment/{APP}", timeout=60)
        assert result.done and result.message == f'deployment "{APP}" successfully rolled out'
    assert _image(namespace) == "jonbaier/pod-scaling:0.3"

    history = kw.rollout.history(f"deployment/{APP}")
    assert [r.revision for r in history] == [1, 2, 3]
    assert all(r.change_cause for r in history)  # every revision says what made it
    assert history[0].change_cause == "kubectl apply --filename=<dict> --record=true"
    assert history[1].change_cause == f"kubectl set image deployment/{APP} {APP}=jonbaier/pod-scaling:0.2 --record=true"
    assert history[2].images == ("jonbaier/pod-scaling:0.3",)
    assert _ours(namespace) == _history_table(kubectl, namespace)

    # The broken tag: status names the pod and the pull error within seconds.
    kw.set_image(f"deployment/{APP}", {APP: "jonbaier/pod-scaling:42.0"}, record=True)
    with pytest.raises(kw.RolloutStuckError) as stuck:
        kw.rollout.status(f"deployment/{APP}", timeout=60)
    assert re.search(r"pod node-js-deploy-\S+: container node-js-deploy is in (ErrImagePull|ImagePullBackOff)",
                     str(stuck.value))
    assert [r.revision for r in kw.rollout.history(f"deployment/{APP}")] == [1, 2, 3, 4]

    # undo goes back to 0.3: revision 3 disappears and comes back as 5, as in kubectl.
    assert kw.rollout.undo(f"deployment/{APP}") == f"deployment.apps/{APP} rolled back"
    assert kw.rollout.status(f"deployment/{APP}", timeout=60).done
    assert _image(namespace) == "jonbaier/pod-scaling:0.3"
    assert [r.revision for r in kw.rollout.history(f"deployment/{APP}")] == [1, 2, 4, 5]
    assert _ours(namespace) == _history_table(kubectl, namespace)
    assert kw.rollout.history(f"deployment/{APP}", revision=5)[0].images == ("jonbaier/pod-scaling:0.3",)

    # --to-revision 2
    kw.rollout.undo(f"deployment/{APP}", to_revision=2)
    assert kw.rollout.status(f"deployment/{APP}", timeout=60).done
    assert _image(namespace) == "jonbaier/pod-scaling:0.2"
    assert [r.revision for r in kw.rollout.history(f"deployment/{APP}")] == [1, 4, 5, 6]
    assert _ours(namespace) == _history_table(kubectl, namespace)

    # undo to the template it already has, and to a revision that does not exist: kubectl's words
    assert "skipped rollback (current template already matches revision 6)" in \
        kw.rollout.undo(f"deployment/{APP}", to_revision=6)
    with pytest.raises(kw.ConfigError, match="unable to find specified revision 99 in history"):
        kw.rollout.undo(f"deployment/{APP}", to_revision=99)

    # pause: two changes, one revision on resume; a paused deployment refuses undo
    kw.rollout.pause(f"deployment/{APP}")
    with pytest.raises(kw.ConfigError, match="cannot rollback a paused deployment"):
        kw.rollout.undo(f"deployment/{APP}")
    # (a template that matches an old ReplicaSet would revive that revision at once, paused or not)
    canary = [{"name": APP, "env": [{"name": "MODE", "value": "canary"}]}]
    env = {"spec": {"template": {"spec": {"containers": canary}}}}
    apps.patch_namespaced_deployment(APP, namespace, env)
    kw.set_image(f"deployment/{APP}", {APP: "jonbaier/pod-scaling:0.1"})
    kw.scale(f"deployment/{APP}", 4)
    assert [r.revision for r in kw.rollout.history(f"deployment/{APP}")] == [1, 4, 5, 6]  # nothing rolled yet
    assert kw.rollout.status(f"deployment/{APP}", wait=False).message.startswith("Waiting")
    kw.rollout.resume(f"deployment/{APP}")
    assert kw.rollout.status(f"deployment/{APP}", timeout=60).done
    history = kw.rollout.history(f"deployment/{APP}")
    assert [r.revision for r in history] == [1, 4, 5, 6, 7]  # both changes: one new revision
    assert history[-1].images == ("jonbaier/pod-scaling:0.1",)
    assert _ours(namespace) == _history_table(kubectl, namespace)
    with pytest.raises(kw.ConfigError, match="is not paused"):
        kw.rollout.resume(f"deployment/{APP}")


def test_undo_through_kworkshop_equals_kubectl_undo(cluster, namespace, kubectl):
    """The same sequence on two Deployments, one undone by kubectl, one by kworkshop: same result."""
    apps = client.AppsV1Api(cluster.api_client)
    for name in ("by-kubectl", "by-kit"):
        apps.create_namespaced_deployment(namespace, deployment(name, "jonbaier/pod-scaling:0.1", replicas=2))
        for tag in ("0.2", "0.3"):
            kw.set_image(f"deployment/{name}", {name: f"jonbaier/pod-scaling:{tag}"}, record=True)
            kw.rollout.status(f"deployment/{name}", timeout=60)
    kubectl("rollout", "undo", "deployment/by-kubectl", "--to-revision=1", "-n", namespace)
    kw.rollout.undo("deployment/by-kit", to_revision=1)
    a = apps.read_namespaced_deployment("by-kubectl", namespace)
    b = apps.read_namespaced_deployment("by-kit", namespace)
    assert a.spec.template.spec.containers[0].image == b.spec.template.spec.containers[0].image
    assert (a.metadata.annotations or {}).get("kubernetes.io/change-cause") == \
        (b.metadata.annotations or {}).get("kubernetes.io/change-cause")
    for name in ("by-kubectl", "by-kit"):
        kw.rollout.status(f"deployment/{name}", timeout=60)
    assert [r.revision for r in kw.rollout.history("deployment/by-kubectl")] == \
        [r.revision for r in kw.rollout.history("deployment/by-kit")] == [2, 3, 4]
