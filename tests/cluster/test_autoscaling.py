"""The chapter's HPA with the chapter's load generator: 3 -> 6 while the load runs, back to 3 after.

Everything between the load generator and the replica count is real Kubernetes: metrics-server
scrapes the simulated kubelets, the HPA controller decides, the Deployment controller scales.
Only the CPU the pods use comes from the kit's traffic model.
"""

from __future__ import annotations

import pytest
from kubernetes import client

import kworkshop as kw

from .helpers import deployment, wait_for

pytestmark = pytest.mark.cluster

HPA = {
    "apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "node-js-deploy"},
    "spec": {"minReplicas": 3, "maxReplicas": 6, "targetCPUUtilizationPercentage": 10,
             "scaleTargetRef": {"apiVersion": "v1", "kind": "Deployment", "name": "node-js-deploy"}},
}
SERVICE = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "node-js-deploy"},
           "spec": {"selector": {"name": "node-js-deploy"}, "ports": [{"port": 80}]}}


def _replicas(hpa_api, namespace: str, want: int, timeout: float):
    def reached(items: list) -> bool:
        hpa = next((h for h in items if h.metadata.name == "node-js-deploy"), None)
        return bool(hpa and hpa.status.current_replicas == want and hpa.status.desired_replicas == want)

    return wait_for(hpa_api.list_namespaced_horizontal_pod_autoscaler, reached, timeout,
                    f"the HPA at {want} replicas", namespace=namespace)[0]


def test_load_scales_the_deployment_to_max_and_back(cluster, namespace):
    kw.apply([deployment("node-js-deploy", "jonbaier/pod-scaling:0.1", replicas=1, cpu="100m"), SERVICE])
    kw.apply(HPA)  # the book's autoscaling/v1 listing, upgraded to v2
    hpa_api = client.AutoscalingV2Api(cluster.api_client)
    # a workshop-sized scale-down window instead of the default five minutes
    hpa_api.patch_namespaced_horizontal_pod_autoscaler(
        "node-js-deploy", namespace, {"spec": {"behavior": {"scaleDown": {"stabilizationWindowSeconds": 20}}}})
    _replicas(hpa_api, namespace, 3, 120)  # the HPA first lifts 1 replica to its minimum

    kw.load.start("service/node-js-deploy", concurrency=10)
    hpa = _replicas(hpa_api, namespace, 6, 150)
    utilisation = hpa.status.current_metrics[0].resource.current.average_utilization
    assert utilisation > 10, utilisation
    apps = client.AppsV1Api(cluster.api_client)
    wait_for(apps.list_namespaced_deployment,
             lambda ds: any(d.metadata.name == "node-js-deploy" and d.status.ready_replicas == 6 for d in ds),
             60, "6 ready replicas", namespace=namespace)
    pods = client.CoreV1Api(cluster.api_client).list_namespaced_pod(namespace, label_selector="name=node-js-deploy")
    assert all(p.metadata.annotations.get("kwok.x-k8s.io/usage-cpu") for p in pods.items if p.status.phase == "Running")

    assert "deleted" in kw.load.stop()
    hpa = _replicas(hpa_api, namespace, 3, 180)
    assert hpa.spec.min_replicas == 3
    wait_for(apps.list_namespaced_deployment,
             lambda ds: any(d.metadata.name == "node-js-deploy" and d.spec.replicas == 3 for d in ds),
             30, "the deployment back at 3", namespace=namespace)
