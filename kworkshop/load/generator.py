"""``kw.load.start`` / ``kw.load.stop``: the chapter's load generator (listing 5-4) as a Deployment.

The same objects on every backend: a Deployment of ``williamyeh/boom`` looping
``boom http://SERVICE/ -c CONCURRENCY -n 100; sleep 1``, as ``kubectl apply -f`` of listing 5-4 would
make it. On a cluster with real containers the boom pods make the load. On the embedded cluster the
node agent's traffic model (``traffic.py``) recognises the boom loop in the running pods' command
(``recognise.py``), like any other load generator, and turns it into CPU usage of the Service's pods.
"""

from __future__ import annotations

from typing import Any

from kubernetes import client

from ..errors import ConfigError, ConflictError, NotFoundError
from ..i18n import _
from ..kube.apierrors import doing
from ..kube.client import api_client, current_namespace
from ..kube.connection import Connection, connected
from ..kube.resources import parse_ref

NAME = "boomload-deploy"


def manifest(service: str, concurrency: int, replicas: int, name: str = NAME) -> dict[str, Any]:
    """Listing 5-4 in apps/v1 (``notebooks/manifests/boomload-deploy.yaml``), for any Service."""
    loop = f"while true ; do boom http://{service}/ -c {concurrency} -n 100 ; sleep 1 ; done"
    labels = {"app": "loadgenerator-deploy"}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "loadgenerator-deploy"}},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [{
                "name": "boom-deploy", "image": "williamyeh/boom",
                "command": ["/bin/sh", "-c"], "args": [loop]}]}},
        },
    }


@connected
def start(target: str, *, concurrency: int = 10, replicas: int = 1, namespace: str | None = None,
          name: str = NAME, kube: Connection | None = None) -> str:
    """Start (or restart with new settings) the load generator aimed at ``service/NAME``."""
    r = parse_ref(target, "service")
    if not isinstance(concurrency, int) or concurrency < 1 or not isinstance(replicas, int) or replicas < 1:
        raise ConfigError(_("concurrency and replicas must be whole numbers >= 1."))
    ns = current_namespace(namespace)
    core, apps = client.CoreV1Api(api_client()), client.AppsV1Api(api_client())
    with doing(_("service {name} (the load generator's target) in namespace {namespace}").format(
            name=repr(r.name), namespace=ns), f"kubectl get services -n {ns}"):
        core.read_namespaced_service(r.name, ns)
    body = manifest(r.name, concurrency, replicas, name)
    with doing(_("starting the load generator {name}").format(name=name)):
        try:
            apps.create_namespaced_deployment(ns, body)
            return f"deployment.apps/{name} created: {replicas} x boom -c {concurrency} -> http://{r.name}/"
        except ConflictError:  # it runs already: restart it with these settings
            pass
        apps.replace_namespaced_deployment(name, ns, {**body, "metadata": {
            **body["metadata"],
            "resourceVersion": apps.read_namespaced_deployment(name, ns).metadata.resource_version}})
    return f"deployment.apps/{name} configured: {replicas} x boom -c {concurrency} -> http://{r.name}/"


@connected
def stop(*, namespace: str | None = None, name: str = NAME, kube: Connection | None = None) -> str:
    """Delete the load generator (``kubectl delete deploy boomload-deploy``); fine if it is gone."""
    ns = current_namespace(namespace)
    try:
        with doing(_("stopping the load generator {name}").format(name=name)):
            client.AppsV1Api(api_client()).delete_namespaced_deployment(name, ns, propagation_policy="Foreground")
    except NotFoundError:
        return _("deployment.apps/{name} was not running").format(name=name)
    return f'deployment.apps "{name}" deleted'
