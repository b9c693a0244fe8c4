"""Exercise checkpoints: ``kw.check...`` verifies the cluster state, with retries and a hint.

Like Killercoda's verify scripts or Educates' examiner, but in the notebook: a checkpoint retries
for a while (controllers take a moment), prints ✓ or ✗ with a hint that tells what to do, and
records the result in the learner's namespace (ConfigMap ``kworkshop-progress``) so an instructor
can follow a class. Set ``kw.check.strict = True`` (the notebooks do when run with their
solutions) to make a failed checkpoint raise CheckpointFailed.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from ..errors import KworkshopError
from ..kube.client import api_client, current_namespace

PROGRESS = "kworkshop-progress"
strict = False


class CheckpointFailed(KworkshopError):
    """A checkpoint did not pass within its time (only raised when ``strict``)."""


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    detail: str
    hint: str = ""

    def __str__(self) -> str:
        if self.passed:
            return f"✓ {self.name}: {self.detail}"
        return f"✗ {self.name}: {self.detail}" + (f"\n  hint: {self.hint}" if self.hint else "")

    __repr__ = __str__

    def _ipython_display_(self) -> None:
        """Already printed by ``checkpoint``: as a cell's last value it shows nothing twice."""

    def __bool__(self) -> bool:
        return self.passed


def checkpoint(name: str, condition: Callable[[], tuple[bool, str]], *, hint: str = "", timeout: float = 30,
               namespace: str | None = None) -> CheckResult:
    """Retry ``condition`` (returns (ok, what it saw)) until it passes or ``timeout`` runs out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            ok, detail = condition()
        except ApiException as exc:
            ok, detail = False, f"the cluster answered {exc.status} {exc.reason}"
        if ok or time.monotonic() >= deadline:
            break
        time.sleep(1)  # checkpoints read several objects; a one-second retry keeps them simple
    result = CheckResult(name, ok, detail, hint)
    _record(result, current_namespace(namespace))
    print(result)  # the notebook is the edge that shows it
    if not ok and strict:
        raise CheckpointFailed(str(result))
    return result


def _key(name: str) -> str:
    """A ConfigMap key for a checkpoint name (keys allow only letters, digits, '-', '_' and '.')."""
    return re.sub(r"[^-._a-zA-Z0-9]+", "_", name).strip("_")[:250] or "checkpoint"


def _record(result: CheckResult, namespace: str) -> None:
    core = client.CoreV1Api(api_client())
    entry = json.dumps({"name": result.name, "passed": result.passed,
                        "at": datetime.now(timezone.utc).isoformat(timespec="seconds")})
    body = {"metadata": {"name": PROGRESS, "labels": {"app.kubernetes.io/part-of": "kworkshop"}},
            "data": {_key(result.name): entry}}
    try:
        core.patch_namespaced_config_map(PROGRESS, namespace, body)
    except ApiException as exc:
        if exc.status != 404:
            return  # recording is a courtesy: never fail a learner's checkpoint because of it
        try:
            core.create_namespaced_config_map(namespace, body)
        except ApiException:
            return


def progress(namespace: str | None = None) -> dict[str, bool]:
    """The checkpoints recorded in ``namespace``: name -> passed."""
    try:
        cm = client.CoreV1Api(api_client()).read_namespaced_config_map(PROGRESS, current_namespace(namespace))
    except ApiException:
        return {}
    entries = [json.loads(v) for v in (cm.data or {}).values()]
    return {e["name"]: e["passed"] for e in entries}


# -- the checkpoints the chapter's exercises use --------------------------------------------------

def _read(read: Callable[[str, str], Any], kind: str, name: str, namespace: str) -> tuple[Any, str]:
    """``(object, "")``, or ``(None, what is missing)`` when it does not exist; other errors raise."""
    try:
        return read(name, namespace), ""
    except ApiException as exc:
        if exc.status == 404:
            return None, f"there is no {kind} {name!r} in namespace {namespace}"
        raise


def deployment(name: str, *, replicas: int | None = None, image: str | None = None, namespace: str | None = None,
               timeout: float = 60) -> CheckResult:
    """The Deployment exists, has rolled out, and (optionally) runs ``replicas`` of ``image``."""
    apps = client.AppsV1Api(api_client())
    ns = current_namespace(namespace)

    def condition() -> tuple[bool, str]:
        d, missing = _read(apps.read_namespaced_deployment, "deployment", name, ns)
        if d is None:
            return False, missing
        have = d.spec.template.spec.containers[0].image
        ready = d.status.ready_replicas or 0
        if image and have != image:
            return False, f"it runs {have}, not {image}"
        if replicas is not None and (d.spec.replicas != replicas or ready != replicas):
            return False, f"{ready}/{d.spec.replicas} replicas ready, {replicas} wanted"
        return True, f"{ready} replica(s) of {have} ready"

    want = " and ".join(x for x in (f"{replicas} replicas" if replicas is not None else "", image or "") if x)
    return checkpoint(f"deployment/{name}" + (f" ({want})" if want else ""), condition, timeout=timeout,
                      hint=f"create it with kw.apply(...), then kw.scale / kw.set_image; "
                           f"see kw.describe('deployment/{name}')",
                      namespace=ns)


def job_succeeded(name: str, *, completions: int = 1, namespace: str | None = None, timeout: float = 90) -> CheckResult:
    batch = client.BatchV1Api(api_client())
    ns = current_namespace(namespace)

    def condition() -> tuple[bool, str]:
        j, missing = _read(batch.read_namespaced_job, "job", name, ns)
        if j is None:
            return False, missing
        done = j.status.succeeded or 0
        return done >= completions, f"{done}/{completions} completions"

    return checkpoint(f"job/{name} succeeded", condition, timeout=timeout, namespace=ns,
                      hint=f"create the Job, then watch it with kw.wait_for_job('{name}')")


def hpa(name: str, *, min_replicas: int, max_replicas: int, cpu_percent: int, namespace: str | None = None,
        timeout: float = 30) -> CheckResult:
    api = client.AutoscalingV2Api(api_client())
    ns = current_namespace(namespace)

    def condition() -> tuple[bool, str]:
        h, missing = _read(api.read_namespaced_horizontal_pod_autoscaler, "HPA", name, ns)
        if h is None:
            return False, missing
        target = next((m.resource.target.average_utilization for m in h.spec.metrics or [] if m.resource), None)
        got = (h.spec.min_replicas, h.spec.max_replicas, target)
        return got == (min_replicas, max_replicas, cpu_percent), f"min {got[0]}, max {got[1]}, CPU target {got[2]}%"

    return checkpoint(f"hpa/{name}", condition, timeout=timeout, namespace=ns,
                      hint=f"kw.autoscale('deployment/{name}', min={min_replicas}, max={max_replicas}, "
                           f"cpu_percent={cpu_percent})")


def pods_on_node(selector: str, node: str, *, namespace: str | None = None, timeout: float = 60) -> CheckResult:
    core = client.CoreV1Api(api_client())
    ns = current_namespace(namespace)

    def condition() -> tuple[bool, str]:
        pods = core.list_namespaced_pod(ns, label_selector=selector).items
        if not pods:
            return False, f"no pods match {selector!r}"
        nodes = sorted({p.spec.node_name or "<pending>" for p in pods})
        return nodes == [node], f"pods run on {', '.join(nodes)}"

    return checkpoint(f"pods {selector} on {node}", condition, timeout=timeout, namespace=ns,
                      hint=f"label the node (kw.label('node/{node}', ...)) and use a matching nodeSelector")


def one_pod_per_node(selector: str, *, namespace: str | None = None, timeout: float = 60) -> CheckResult:
    core = client.CoreV1Api(api_client())
    ns = current_namespace(namespace)

    def condition() -> tuple[bool, str]:
        nodes = [n.metadata.name for n in core.list_node().items]
        pods = [p for p in core.list_namespaced_pod(ns, label_selector=selector).items if p.status.phase == "Running"]
        placed = sorted(p.spec.node_name for p in pods)
        return placed == sorted(nodes), f"{len(pods)} running pods on {len(set(placed))} of {len(nodes)} nodes"

    return checkpoint(f"one {selector} pod per node", condition, timeout=timeout, namespace=ns,
                      hint="a DaemonSet places one pod on every node that its nodeSelector allows")
