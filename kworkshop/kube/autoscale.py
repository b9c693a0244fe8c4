"""``kubectl autoscale``: a HorizontalPodAutoscaler (autoscaling/v2) on CPU utilisation."""

from __future__ import annotations

from kubernetes import client

from ..errors import ConfigError
from ..i18n import _
from .apierrors import doing
from .client import api_client, current_namespace
from .connection import Connection, connected
from .resources import parse_ref
from .scale import read_workload


@connected
def autoscale(ref: str, *, min: int = 1, max: int, cpu_percent: int = 80,
              scale_down_window: int | None = None, namespace: str | None = None,
              kube: Connection | None = None) -> str:
    """Create an HPA like ``kubectl autoscale TYPE/NAME --min --max --cpu-percent``.

    ``scale_down_window`` sets ``behavior.scaleDown.stabilizationWindowSeconds`` (default 300 s:
    the HPA waits five minutes of lower load before removing pods).
    """
    r = parse_ref(ref, ("deployment", "replicaset", "statefulset"))
    for label, value in (("min", min), ("max", max), ("cpu_percent", cpu_percent)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConfigError(_("{name} must be a whole number >= 1, not {value!r}.").format(name=label, value=value))
    if min > max:
        raise ConfigError(_("min ({min}) must not be larger than max ({max}).").format(min=min, max=max))
    ns = current_namespace(namespace)
    read_workload(r, ns)  # like kubectl: the target must exist
    spec = {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": r.kind.kind, "name": r.name},
        "minReplicas": min, "maxReplicas": max,
        "metrics": [{"type": "Resource", "resource": {
            "name": "cpu", "target": {"type": "Utilization", "averageUtilization": cpu_percent}}}],
    }
    if scale_down_window is not None:
        spec["behavior"] = {"scaleDown": {"stabilizationWindowSeconds": scale_down_window}}
    body = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": r.name, "namespace": ns}, "spec": spec}
    with doing(_("autoscaling {ref}").format(ref=r), f"kubectl get hpa -n {ns}"):
        client.AutoscalingV2Api(api_client()).create_namespaced_horizontal_pod_autoscaler(ns, body)
    return f"horizontalpodautoscaler.autoscaling/{r.name} autoscaled"
