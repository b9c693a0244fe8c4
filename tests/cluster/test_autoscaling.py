"""The chapter's HPA with the chapter's load generator: 3 -> 6 while the load runs, back to 3 after.

Everything between the load generator and the replica count is real Kubernetes: metrics-server
scrapes the simulated kubelets, the HPA controller decides, the Deployment controller scales.
Only the CPU the pods use comes from the kit's traffic model, which recognises a load generator by
what it runs: ``kw.load.start``, listing 5-4 applied with kubectl, the kubernetes.io walkthrough's
busybox ``wget`` loop.
"""

from __future__ import annotations

import time
from pathlib import Path

import yaml
from kubernetes import client

import kworkshop as kw

from .helpers import deployment, wait_for

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
    # the node agent writes the usage of a newly ready pod on its next round: wait for it
    wait_for(client.CoreV1Api(cluster.api_client).list_namespaced_pod,
             lambda pods: all((p.metadata.annotations or {}).get("kwok.x-k8s.io/usage-cpu")
                              for p in pods if p.status.phase == "Running"),
             30, "the usage of every running pod", namespace=namespace, label_selector="name=node-js-deploy")

    assert "deleted" in kw.load.stop()
    hpa = _replicas(hpa_api, namespace, 3, 180)
    assert hpa.spec.min_replicas == 3
    wait_for(apps.list_namespaced_deployment,
             lambda ds: any(d.metadata.name == "node-js-deploy" and d.spec.replicas == 3 for d in ds),
             30, "the deployment back at 3", namespace=namespace)


# --- load generators recognised by what they run, made with the pinned kubectl -------------------

MANIFESTS = Path(__file__).resolve().parents[2] / "notebooks" / "manifests"


def _chapter_app_with_kubectl(kubectl, namespace: str, folder: Path, hpa_api) -> None:
    """Listings 5-1 (with a CPU request, which the HPA needs), 5-2 and 5-3, applied with kubectl."""
    deploy = yaml.safe_load((MANIFESTS / "node-js-deploy.yaml").read_text())
    deploy["spec"]["template"]["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "100m"}}
    (folder / "node-js-deploy.yaml").write_text(yaml.safe_dump(deploy))
    kubectl("apply", "-n", namespace, "-f", str(folder / "node-js-deploy.yaml"),
            "-f", str(MANIFESTS / "node-js-deploy-service.yaml"), "-f", str(MANIFESTS / "node-js-deploy-hpa.yaml"))
    _replicas(hpa_api, namespace, 3, 120)  # the HPA first lifts 1 replica to its minimum


def _up_and_down(hpa_api, namespace: str, start, stop, what: str) -> None:
    """start() the load: the HPA goes to 6; stop() it: back to 3 (30 s scale-down window)."""
    t0 = time.monotonic()
    start()
    hpa = _replicas(hpa_api, namespace, 6, 150)
    up = time.monotonic() - t0
    utilisation = hpa.status.current_metrics[0].resource.current.average_utilization
    assert utilisation > 10, utilisation
    t1 = time.monotonic()
    stop()
    _replicas(hpa_api, namespace, 3, 150)
    print(f"\n{what}: 3 -> 6 replicas in {up:.0f} s, back to 3 in {time.monotonic() - t1:.0f} s")


def test_listing_5_4_applied_with_kubectl_drives_the_hpa(cluster, namespace, kubectl, tmp_path):
    hpa_api = client.AutoscalingV2Api(cluster.api_client)
    _chapter_app_with_kubectl(kubectl, namespace, tmp_path, hpa_api)
    _up_and_down(hpa_api, namespace,
                 lambda: kubectl("apply", "-n", namespace, "-f", str(MANIFESTS / "boomload-deploy.yaml")),
                 lambda: kubectl("delete", "-n", namespace, "deploy", "boomload-deploy"),
                 "listing 5-4 (kubectl apply / delete deploy)")


def test_the_hpa_walkthrough_busybox_wget_loop_drives_the_hpa(cluster, namespace, kubectl, tmp_path):
    hpa_api = client.AutoscalingV2Api(cluster.api_client)
    _chapter_app_with_kubectl(kubectl, namespace, tmp_path, hpa_api)
    # kubernetes.io's `kubectl run -i --tty load-generator --rm ...`, without a terminal
    _up_and_down(hpa_api, namespace,
                 lambda: kubectl("run", "load-generator", "-n", namespace, "--image=busybox:1.36", "--restart=Never",
                                 "--", "/bin/sh", "-c", "while sleep 0.01; do wget -q -O- http://node-js-deploy; done"),
                 lambda: kubectl("delete", "-n", namespace, "pod", "load-generator"),
                 "busybox wget loop (kubectl run / delete pod)")
