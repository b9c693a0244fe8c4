"""Jobs and CronJobs: wait for a Job, and ``kubectl create job --from=cronjob/NAME``."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from kubernetes import client

from ..errors import ConfigError, KworkshopError
from ..i18n import _
from .apierrors import doing
from .client import api_client, current_namespace
from .connection import Connection, connected
from .transport import as_json
from .watch import wait_for


class JobFailedError(KworkshopError):
    """The Job reached its Failed condition (backoff limit, deadline)."""


@dataclass(frozen=True)
class JobResult:
    name: str
    succeeded: int
    failed: int
    completions: int

    def __str__(self) -> str:
        return _("job/{name}: {succeeded}/{completions} succeeded, {failed} failed").format(
            name=self.name, succeeded=self.succeeded, completions=self.completions, failed=self.failed)


def _condition(job: Any, kind: str) -> Any:
    return next((c for c in job.status.conditions or [] if c.type == kind and c.status == "True"), None)


@connected
def wait_for_job(name: str, *, namespace: str | None = None, timeout: float = 120,
                 kube: Connection | None = None) -> JobResult:
    """Block until the Job completes (returns counts) or fails (raises JobFailedError)."""
    ns = current_namespace(namespace)
    batch = client.BatchV1Api(api_client())
    with doing(_("job {name!r} in namespace {namespace}").format(name=name, namespace=ns), f"kubectl get jobs -n {ns}"):
        batch.read_namespaced_job(name, ns)

    def finished(jobs: list[Any]) -> bool:
        job = next((j for j in jobs if j.metadata.name == name), None)
        if job is None:
            return False
        failed = _condition(job, "Failed")
        if failed:
            raise JobFailedError(_("job/{name} failed: {reason}: {message}").format(
                name=name, reason=failed.reason, message=failed.message))
        return _condition(job, "Complete") is not None

    def describe(jobs: list[Any]) -> str:
        job = next((j for j in jobs if j.metadata.name == name), None)
        if job is None:
            return _("the job is gone")
        st = job.status
        return _("{active} active, {succeeded} succeeded, {failed} failed").format(
            active=st.active or 0, succeeded=st.succeeded or 0, failed=st.failed or 0)

    jobs = wait_for(batch.list_namespaced_job, finished, timeout, _("job/{name} to complete").format(name=name),
                    describe=describe,
                    namespace=ns, field_selector=f"metadata.name={name}")
    job = next(j for j in jobs if j.metadata.name == name)
    return JobResult(name, job.status.succeeded or 0, job.status.failed or 0, job.spec.completions or 1)


@connected
def create_job_from_cronjob(cronjob: str, name: str | None = None, *, namespace: str | None = None,
                            kube: Connection | None = None) -> str:
    """``kubectl create job NAME --from=cronjob/CRONJOB``: run a CronJob now, by hand."""
    cj_name = cronjob.split("/", 1)[1] if "/" in cronjob else cronjob
    if "/" in cronjob and cronjob.split("/", 1)[0].lower() not in ("cronjob", "cronjobs", "cj"):
        raise ConfigError(_("{ref!r}: a Job can only be created from a cronjob/NAME.").format(ref=cronjob))
    ns = current_namespace(namespace)
    batch = client.BatchV1Api(api_client())
    with doing(_("cronjob {name!r} in namespace {namespace}").format(name=cj_name, namespace=ns),
               f"kubectl get cronjobs -n {ns}"):
        cj = batch.read_namespaced_cron_job(cj_name, ns)
    template = as_json(cj.spec.job_template)
    job_name = name or f"{cj_name}-manual-{abs(hash(cj.metadata.resource_version)) % 100000:05d}"
    meta = copy.deepcopy(template.get("metadata") or {})
    meta.update(name=job_name, namespace=ns)
    # kubectl marks manual runs like this and makes the CronJob the owner (so deleting it cleans up).
    meta.setdefault("annotations", {})["cronjob.kubernetes.io/instantiate"] = "manual"
    meta["ownerReferences"] = [{"apiVersion": "batch/v1", "kind": "CronJob", "name": cj_name,
                                "uid": cj.metadata.uid, "controller": True}]
    body = {"apiVersion": "batch/v1", "kind": "Job", "metadata": meta, "spec": template["spec"]}
    with doing(_("creating job {name!r}").format(name=job_name), f"kubectl get jobs -n {ns}"):
        batch.create_namespaced_job(ns, body)
    return f"job.batch/{job_name} created"
