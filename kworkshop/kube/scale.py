"""``kubectl scale`` and ``kubectl set image``: the two everyday changes to a workload."""

from __future__ import annotations

from collections.abc import Mapping

from kubernetes import client

from ..errors import ConfigError
from ..i18n import _
from .apierrors import doing
from .client import api_client, current_namespace
from .connection import Connection, connected
from .history import recorded
from .resources import parse_ref

SCALABLE = ("deployment", "replicaset", "statefulset")
WITH_PODS = ("deployment", "replicaset", "statefulset", "daemonset", "job", "cronjob")


@connected
def scale(ref: str, replicas: int, *, namespace: str | None = None, kube: Connection | None = None) -> str:
    """Set the number of replicas, like ``kubectl scale TYPE/NAME --replicas N``."""
    r = parse_ref(ref, SCALABLE)
    if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
        raise ConfigError(_("replicas must be a whole number >= 0, not {replicas!r}.").format(replicas=replicas))
    ns = current_namespace(namespace)
    apps = client.AppsV1Api(api_client())
    patch = getattr(apps, f"patch_namespaced_{_snake(r.kind.kind)}_scale")
    with doing(_("scaling {ref}").format(ref=r), f"kubectl get {r.kind.plural} -n {ns}"):
        patch(r.name, ns, {"spec": {"replicas": replicas}})
    return f"{r.kind.kind.lower()}.apps/{r.name} scaled"


@connected
def set_image(ref: str, images: Mapping[str, str], *, namespace: str | None = None, record: bool = False,
              kube: Connection | None = None) -> str:
    """Change container images, like ``kubectl set image TYPE/NAME container=image ...``.

    ``images`` maps container names to images; ``"*"`` means every container. With ``record`` the
    command line becomes the change cause, as ``--record`` did.
    """
    r = parse_ref(ref, WITH_PODS)
    if not images:
        raise ConfigError(_("set_image needs at least one container=image pair, e.g. {example}.").format(
            example="{'web': 'nginx:1.27'}"))
    ns = current_namespace(namespace)
    obj = read_workload(r, ns)
    pod_spec = obj.spec.job_template.spec.template.spec if r.kind.kind == "CronJob" else obj.spec.template.spec
    names = [c.name for c in pod_spec.containers]
    for container, image in images.items():
        if container != "*" and container not in names:
            raise ConfigError(_("{ref} has no container named {container!r}; its containers are {names}.").format(
                ref=r, container=container, names=names))
        if not image or any(ch.isspace() for ch in image):
            raise ConfigError(_("{image!r} is not a valid image name.").format(image=image))
    containers = [{"name": n, "image": images.get(n, images.get("*"))} for n in names
                  if n in images or "*" in images]
    template = {"spec": {"containers": containers}}
    body = {"spec": {"jobTemplate": {"spec": {"template": template}}}} if r.kind.kind == "CronJob" \
        else {"spec": {"template": template}}
    if record:
        pairs = " ".join(f"{k}={v}" for k, v in images.items())
        body.update(recorded(f"kubectl set image {r} {pairs} --record=true"))
    _patch(r, ns, body)
    return f"{r.kind.kind.lower()}/{r.name} image updated"


def _snake(kind: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in kind).lstrip("_")


def _api_for(kind: str):
    return client.BatchV1Api(api_client()) if kind in ("Job", "CronJob") else client.AppsV1Api(api_client())


def read_workload(r, ns: str):
    """The workload ``r`` (a Resource ref), or the kit's NotFoundError that kubectl would print."""
    with doing(str(r), f"kubectl get {r.kind.plural} -n {ns}"):
        return getattr(_api_for(r.kind.kind), f"read_namespaced_{_snake(r.kind.kind)}")(r.name, ns)


def _patch(r, ns: str, body: dict) -> None:
    with doing(_("updating {ref}").format(ref=r), f"kubectl describe {r} -n {ns}"):
        getattr(_api_for(r.kind.kind), f"patch_namespaced_{_snake(r.kind.kind)}")(r.name, ns, body)
