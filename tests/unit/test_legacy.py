"""Upgrading the book's manifests (plain data)."""

from kworkshop.kube.legacy import removed_api, upgrade

DEPLOY_5_1 = {"apiVersion": "extensions/v1beta1", "kind": "Deployment", "metadata": {"name": "node-js-deploy"},
              "spec": {"replicas": 1, "template": {"metadata": {"labels": {"name": "node-js-deploy"}},
                       "spec": {"containers": [{"name": "node-js-deploy", "image": "jonbaier/pod-scaling:0.1"}]}}}}
HPA_5_3 = {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "node-js-deploy"},
           "spec": {"minReplicas": 3, "maxReplicas": 6, "targetCPUUtilizationPercentage": 10,
                    "scaleTargetRef": {"apiVersion": "v1", "kind": "Deployment", "name": "node-js-deploy"}}}
CRON_5_6 = {"apiVersion": "batch/v2alpha1", "kind": "CronJob", "metadata": {"name": "long-task-cron"},
            "spec": {"schedule": "15 10 * * 6", "jobTemplate": {"spec": {}}}}


def test_deployment_moves_to_apps_v1_with_a_selector_from_the_template():
    new, changes = upgrade(DEPLOY_5_1)
    assert new["apiVersion"] == "apps/v1"
    assert new["spec"]["selector"] == {"matchLabels": {"name": "node-js-deploy"}}
    assert [c.path for c in changes] == [("apiVersion",), ("spec", "selector")]
    assert "removed in Kubernetes 1.16" in changes[0].why
    assert DEPLOY_5_1["apiVersion"] == "extensions/v1beta1"  # the input is not modified


def test_existing_selector_is_kept():
    obj = {**DEPLOY_5_1, "spec": {**DEPLOY_5_1["spec"], "selector": {"matchLabels": {"x": "y"}}}}
    new, changes = upgrade(obj)
    assert new["spec"]["selector"] == {"matchLabels": {"x": "y"}}
    assert len(changes) == 1


def test_hpa_becomes_v2_with_a_cpu_metric_and_a_fixed_target():
    new, changes = upgrade(HPA_5_3)
    assert new["apiVersion"] == "autoscaling/v2"
    assert new["spec"]["scaleTargetRef"]["apiVersion"] == "apps/v1"
    assert "targetCPUUtilizationPercentage" not in new["spec"]
    assert new["spec"]["metrics"][0]["resource"] == {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 10}}
    assert len(changes) == 3


def test_cronjob_and_daemonset():
    assert upgrade(CRON_5_6)[0]["apiVersion"] == "batch/v1"
    ds = {"apiVersion": "extensions/v1beta1", "kind": "DaemonSet", "metadata": {"name": "npd"},
          "spec": {"template": {"metadata": {"labels": {"k8s-app": "npd"}}}}}
    new, _ = upgrade(ds)
    assert new["apiVersion"] == "apps/v1" and new["spec"]["selector"]["matchLabels"] == {"k8s-app": "npd"}


def test_current_manifests_are_unchanged_and_removed_api_reports_the_version():
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": {}}
    assert upgrade(job) == (job, [])
    assert removed_api(DEPLOY_5_1) == ("apps/v1", "1.16")
    assert removed_api(CRON_5_6) == ("batch/v1", "1.25")
    assert removed_api(HPA_5_3) is None  # autoscaling/v1 is still served
