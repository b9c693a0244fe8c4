"""Namespaces a learner (or a test) can use at once.

A pod can only be created once the namespace's ``default`` ServiceAccount exists; the
serviceaccount controller adds it a moment after the namespace appears, and a pod created in that
moment is refused (403 "serviceaccount default not found"). So creating a namespace here means
waiting for its ServiceAccount too.
"""

from __future__ import annotations

import contextlib

from kubernetes import client

from ..errors import ConflictError, ForbiddenError, NotFoundError
from ..i18n import _
from .apierrors import doing
from .client import api_client
from .connection import Connection, connected
from .facts import PART_OF, PROGRESS_CONFIGMAP
from .watch import wait_for


def wait_for_default_service_account(namespace: str, timeout: float = 60, api: client.ApiClient | None = None) -> None:
    """Block until ``namespace`` has its ``default`` ServiceAccount."""
    core = client.CoreV1Api(api or api_client())
    wait_for(core.list_namespaced_service_account, bool, timeout,
             _("the default ServiceAccount of namespace {namespace}").format(namespace=namespace), namespace=namespace,
             field_selector="metadata.name=default")


@connected
def create_namespace(name: str, *, exist_ok: bool = True, timeout: float = 60, kube: Connection | None = None) -> str:
    """Create ``name`` (if needed) and wait until pods can be created in it."""
    core = client.CoreV1Api(api_client())
    try:
        with doing(_("creating namespace {name!r}").format(name=name), "kubectl get namespaces"):
            core.create_namespace({"metadata": {"name": name, "labels": dict(PART_OF)}})
    except ConflictError:
        if not exist_ok:
            raise
    wait_for_default_service_account(name, timeout)
    return name


@connected
def fresh_namespace(name: str, *, timeout: float = 120, kube: Connection | None = None) -> str:
    """Delete ``name`` if it exists (waiting until it is gone), then create it empty.

    Each chapter notebook starts with this, so it runs the same the second time, in any order.
    """
    core = client.CoreV1Api(api_client())
    try:
        with doing(_("deleting namespace {name!r}").format(name=name), "kubectl get namespaces"):
            core.delete_namespace(name)
    except ForbiddenError:  # a learner in a class: not their namespace to delete, but theirs to empty
        empty_namespace(name)
        return name
    except NotFoundError:
        pass
    else:
        wait_for(core.list_namespace, lambda items: not items, timeout,
                 _("namespace {name} to be deleted").format(name=name),
                 field_selector=f"metadata.name={name}")
    return create_namespace(name, timeout=timeout)


KEEP_CONFIGMAPS = ("kube-root-ca.crt", PROGRESS_CONFIGMAP)


@connected
def empty_namespace(name: str, *, timeout: float = 120, kube: Connection | None = None) -> None:
    """Delete the workloads, Services, HPAs and ConfigMaps a notebook may have left in ``name``
    (keeping the checkpoint record), and wait until its pods are gone."""
    api = api_client()
    apps, batch, core = client.AppsV1Api(api), client.BatchV1Api(api), client.CoreV1Api(api)
    hpa = client.AutoscalingV2Api(api)
    for lister, deleter in ((apps.list_namespaced_deployment, apps.delete_namespaced_deployment),
                            (apps.list_namespaced_daemon_set, apps.delete_namespaced_daemon_set),
                            (batch.list_namespaced_cron_job, batch.delete_namespaced_cron_job),
                            (batch.list_namespaced_job, batch.delete_namespaced_job),
                            (hpa.list_namespaced_horizontal_pod_autoscaler,
                             hpa.delete_namespaced_horizontal_pod_autoscaler),
                            (core.list_namespaced_service, core.delete_namespaced_service),
                            (core.list_namespaced_pod, core.delete_namespaced_pod)):
        for item in lister(name).items:
            _delete_quietly(deleter, item.metadata.name, name, propagation_policy="Background")
    for cm in core.list_namespaced_config_map(name).items:
        if cm.metadata.name not in KEEP_CONFIGMAPS:
            _delete_quietly(core.delete_namespaced_config_map, cm.metadata.name, name)
    wait_for(core.list_namespaced_pod, lambda pods: not pods, timeout,
             _("the pods of {name} to go").format(name=name), namespace=name)


def _delete_quietly(deleter, *args, **kwargs) -> None:
    """Delete, where "already gone" (a dependent the garbage collector took first) is fine."""
    with contextlib.suppress(NotFoundError):
        deleter(*args, **kwargs)
