"""Each verb through kworkshop and through the pinned kubectl, on the same live cluster."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from kubernetes import client

import kworkshop as kw

from .helpers import LISTING_5_1_FIXED

HPA_5_3 = """apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata:
  name: node-js-deploy
spec:
  minReplicas: 3
  maxReplicas: 6
  scaleTargetRef:
    apiVersion: v1
    kind: Deployment
    name: node-js-deploy
  targetCPUUtilizationPercentage: 10
"""

CRON_5_6 = """apiVersion: batch/v2alpha1
kind: CronJob
metadata:
  name: long-task-cron
spec:
  schedule: "15 10 * * 6"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: long-task-cron
            image: docker/whalesay
            command: ["cowsay", "Developers! Developers! Developers! Saturday task complete!"]
          restartPolicy: OnFailure
"""


def _json(kubectl, *args: str) -> dict:
    return json.loads(kubectl(*args, "-o", "json"))


def test_book_manifests_apply_upgraded_with_notes(cluster, namespace, tmp_path: Path, kubectl):
    (tmp_path / "deploy.yaml").write_text(LISTING_5_1_FIXED)
    (tmp_path / "hpa.yaml").write_text(HPA_5_3)
    (tmp_path / "cron.yaml").write_text(CRON_5_6)
    result = kw.apply(tmp_path, record=True)
    assert [str(i) for i in result] == ["cronjob/long-task-cron created", "deployment/node-js-deploy created",
                                        "horizontalpodautoscaler/node-js-deploy created"]
    notes = str(result)
    assert "extensions/v1beta1' -> 'apps/v1'" in notes and "spec.selector" in notes and "batch/v1" in notes
    deploy = _json(kubectl, "get", "deployment/node-js-deploy", "-n", namespace)
    assert deploy["spec"]["selector"] == {"matchLabels": {"name": "node-js-deploy"}}
    assert deploy["metadata"]["annotations"]["kubernetes.io/change-cause"] == \
        f"kubectl apply --filename={tmp_path} --record=true"
    hpa = _json(kubectl, "get", "hpa/node-js-deploy", "-n", namespace)
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 10
    assert kw.apply(tmp_path / "hpa.yaml").items[0].action == "configured"  # the change-cause went away
    assert kw.apply(tmp_path / "hpa.yaml").items[0].action == "unchanged"


def test_scale_and_label_equal_kubectl(cluster, namespace, kubectl):
    kw.apply(LISTING_5_1_FIXED.replace("node-js-deploy", "a"))
    kw.apply(LISTING_5_1_FIXED.replace("node-js-deploy", "b"))
    assert kw.scale("deployment/a", 3) == "deployment.apps/a scaled"
    kubectl("scale", "deployment/b", "--replicas", "3", "-n", namespace)
    apps = client.AppsV1Api(cluster.api_client)
    assert apps.read_namespaced_deployment("a", namespace).spec.replicas == \
        apps.read_namespaced_deployment("b", namespace).spec.replicas == 3

    kw.label("deployment/a", tier="web")
    kubectl("label", "deployment/b", "tier=web", "-n", namespace)
    assert apps.read_namespaced_deployment("a", namespace).metadata.labels["tier"] == \
        apps.read_namespaced_deployment("b", namespace).metadata.labels["tier"] == "web"
    kw.label("deployment/a", tier=None)
    kubectl("label", "deployment/b", "tier-", "-n", namespace)
    assert "tier" not in apps.read_namespaced_deployment("a", namespace).metadata.labels
    assert "tier" not in apps.read_namespaced_deployment("b", namespace).metadata.labels


def test_get_has_kubectls_columns_and_rows(cluster, namespace, kubectl):
    kw.apply(LISTING_5_1_FIXED)
    kw.scale("deployment/node-js-deploy", 3)
    kw.rollout.status("deployment/node-js-deploy", timeout=60)
    ours = kw.get("pods", selector="name=node-js-deploy")
    theirs = kubectl("get", "pods", "-l", "name=node-js-deploy", "-n", namespace).splitlines()
    assert theirs[0].split() == [c.upper() for c in ours.columns]
    assert sorted(line.split()[0] for line in theirs[1:]) == sorted(ours.column("name"))
    assert set(ours.column("status")) == {"Running"}
    assert str(kw.get("deploy/node-js-deploy")).splitlines()[1].split()[:2] == ["node-js-deploy", "3/3"]
    frame = ours.to_dataframe()
    assert list(frame.columns) == list(ours.columns) and len(frame) == 3


def test_describe_shows_the_image_and_events(cluster, namespace):
    kw.apply(LISTING_5_1_FIXED)
    kw.rollout.status("deployment/node-js-deploy", timeout=60)
    pod = kw.get("pods", selector="name=node-js-deploy").column("name")[0]
    text = kw.describe(f"pod/{pod}").text
    assert re.search(r"^\s+Image:\s+jonbaier/pod-scaling:0\.1$", text, re.M)
    assert "Started" in text and "Scheduled" in text
    assert kw.describe(f"pod/{pod}")["Node"].startswith("kwok-node-")
    assert "1 desired | 1 updated" in kw.describe("deployment/node-js-deploy").text


def test_jobs_logs_cron_and_manual_runs(cluster, namespace):
    kw.apply(CRON_5_6)
    assert kw.cron.explain("15 10 * * 6") == "At 10:15 AM, only on Saturday"
    message = kw.create_job_from_cronjob("cronjob/long-task-cron", "saturday-now")
    assert message == "job.batch/saturday-now created"
    result = kw.wait_for_job("saturday-now", timeout=60)
    assert (result.succeeded, result.failed) == (1, 0)
    text = kw.logs("job/saturday-now")
    words = " ".join(line.strip(" |/\\") for line in text.splitlines()[1:4])  # cowsay wraps long text
    assert "Developers! Developers! Developers!" in words and "Saturday task complete!" in words
    job = client.BatchV1Api(cluster.api_client).read_namespaced_job("saturday-now", namespace)
    assert job.metadata.owner_references[0].kind == "CronJob"
    assert job.metadata.annotations["cronjob.kubernetes.io/instantiate"] == "manual"
    reasons = [row[1] for row in kw.events(for_object="job/saturday-now").rows]
    assert "SuccessfulCreate" in reasons and "Completed" in reasons


def test_autoscale_creates_a_v2_hpa_like_kubectl(cluster, namespace, kubectl):
    kw.apply(LISTING_5_1_FIXED)
    kw.apply(LISTING_5_1_FIXED.replace("node-js-deploy", "twin"))
    assert "autoscaled" in kw.autoscale("deployment/node-js-deploy", min=3, max=6, cpu_percent=10,
                                        scale_down_window=30)
    kubectl("autoscale", "deployment/twin", "--min=3", "--max=6", "--cpu-percent=10", "-n", namespace)
    ours = _json(kubectl, "get", "hpa/node-js-deploy", "-n", namespace)["spec"]
    theirs = _json(kubectl, "get", "hpa/twin", "-n", namespace)["spec"]
    assert ours["behavior"]["scaleDown"]["stabilizationWindowSeconds"] == 30
    ours.pop("behavior")
    theirs.pop("behavior", None)
    ours["scaleTargetRef"].pop("name")
    theirs["scaleTargetRef"].pop("name")
    assert ours == theirs


def test_delete_waits_until_gone(cluster, namespace):
    kw.apply(LISTING_5_1_FIXED)
    assert kw.delete("deployment/node-js-deploy") == 'deployment "node-js-deploy" deleted'
    assert str(kw.get("deployments")).startswith("No resources found")
    assert "nothing to delete" in kw.delete("deployment/node-js-deploy", missing_ok=True)


def test_recreate_strategy_and_restart(cluster, namespace):
    recreate = "spec:\n  replicas: 2\n  strategy:\n    type: Recreate"
    manifest = LISTING_5_1_FIXED.replace("spec:\n  replicas: 1", recreate)
    kw.apply(manifest)
    kw.rollout.status("deployment/node-js-deploy", timeout=60)
    assert kw.describe("deployment/node-js-deploy")["StrategyType"] == "Recreate"
    kw.set_image("deployment/node-js-deploy", {"node-js-deploy": "jonbaier/pod-scaling:0.2"})
    done = kw.rollout.status("deployment/node-js-deploy", timeout=60)
    assert done.done and done.message == 'deployment "node-js-deploy" successfully rolled out'
    assert kw.rollout.restart("deployment/node-js-deploy") == "deployment.apps/node-js-deploy restarted"
    kw.rollout.status("deployment/node-js-deploy", timeout=60)
    assert [r.revision for r in kw.rollout.history("deployment/node-js-deploy")] == [1, 2, 3]


def test_status_explains_a_pod_that_cannot_be_scheduled(cluster, namespace):
    picky = "    spec:\n      nodeSelector:\n        nodenickname: nobody\n      containers:"
    manifest = LISTING_5_1_FIXED.replace("    spec:\n      containers:", picky)
    kw.apply(manifest)
    with pytest.raises(kw.WaitTimeout, match=r"cannot be scheduled: 0/3 nodes are available"):
        kw.rollout.status("deployment/node-js-deploy", timeout=8)
