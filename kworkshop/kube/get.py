"""``kubectl get``, ``delete``, ``label``, ``logs`` and ``events``: reading and small edits."""

from __future__ import annotations

from typing import Any

from kubernetes import client, dynamic

from ..errors import ConfigError, NotFoundError, WaitTimeout
from ..i18n import _
from ..polling import poll
from .apierrors import doing
from .client import api_client, call, current_namespace
from .connection import Connection, connected
from .resources import Kind, Ref, kind_of, parse_ref
from .tables import Table, from_server_table

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"


def _path(kind: Kind, namespace: str | None, name: str | None = None) -> str:
    resource = dynamic.DynamicClient(api_client()).resources.get(api_version=kind.api_version, kind=kind.kind)
    return resource.path(name=name, namespace=namespace if kind.namespaced else None)


@connected
def get(what: str, *, selector: str | None = None, field_selector: str | None = None,
        namespace: str | None = None, all_namespaces: bool = False, wide: bool = False,
        kube: Connection | None = None) -> Table:
    """``kubectl get TYPE[/NAME] [-l selector] [-A] [-o wide]`` as a Table (text, HTML, DataFrame)."""
    if "/" in what:
        ref = parse_ref(what)
        kind, name = ref.kind, ref.name
    else:
        kind, name = kind_of(what), None
    ns = None if all_namespaces and not name else current_namespace(namespace)
    query = [(k, v) for k, v in (("labelSelector", selector), ("fieldSelector", field_selector)) if v]
    shown = f"{kind.kind.lower()}/{name}" if name else kind.kind.lower()
    with doing(_("{ref} in namespace {namespace}").format(ref=shown, namespace=ns),
               f"kubectl get {kind.plural} -n {ns}"):
        body = call(_path(kind, ns, name), "GET", query, accept=TABLE)
    if not kind.namespaced:
        where = ""
    elif ns is None:
        where = _("all namespaces")
    else:
        where = _("namespace {namespace}").format(namespace=ns)
    return from_server_table(body, wide, where)


@connected
def delete(ref: str, *, namespace: str | None = None, wait: bool = True, timeout: float = 60,
           missing_ok: bool = False, kube: Connection | None = None) -> str:
    """``kubectl delete TYPE/NAME`` (foreground: dependents first, and by default waits until gone)."""
    r = parse_ref(ref)
    ns = current_namespace(namespace)
    path = _path(r.kind, ns, r.name)
    try:
        with doing(_("deleting {ref} in namespace {namespace}").format(ref=r, namespace=ns),
                   f"kubectl get {r.kind.plural} -n {ns}"):
            call(path, "DELETE", [("propagationPolicy", "Foreground")])
    except NotFoundError:
        if not missing_ok:
            raise
        return _("{ref} not found (nothing to delete)").format(ref=r)
    if wait and not poll(lambda: _gone(path), timeout, most=0.2):  # a DELETED event needs the exact object
        raise WaitTimeout(_("{ref} is still being deleted after {seconds}s").format(
            ref=r, seconds=f"{timeout:.0f}"))
    return f'{r.kind.kind.lower()} "{r.name}" deleted'


@connected
def label(ref: str, *, namespace: str | None = None, overwrite: bool = True,
          kube: Connection | None = None, **labels: str | None) -> str:
    """``kubectl label TYPE/NAME key=value`` (``key=None`` removes the label, like ``key-``).

    Labels whose keys are not Python names: ``kw.label("node/x", **{"node.kubernetes.io/pool": "a"})``.
    """
    r = parse_ref(ref)
    if not labels:
        raise ConfigError(_("label needs at least one key=value (or key=None to remove it)."))
    ns = current_namespace(namespace) if r.kind.namespaced else None
    path = _path(r.kind, ns, r.name)
    with doing(str(r), f"kubectl get {r.kind.plural}"):
        current = (call(path, "GET")["metadata"].get("labels") or {})
    for key, value in labels.items():
        if value is not None and key in current and current[key] != value and not overwrite:
            raise ConfigError(_("{ref} already has label {key}={value}; pass overwrite=True to change it.").format(
                ref=r, key=key, value=current[key]))
    patch = {"metadata": {"labels": dict(labels)}}
    with doing(_("labelling {ref}").format(ref=r), f"kubectl label {r} --help"):
        call(path, "PATCH", body=patch, content_type="application/merge-patch+json")
    return f"{r.kind.kind.lower()}/{r.name} labeled"


@connected
def logs(ref: str, *, container: str | None = None, namespace: str | None = None, tail: int | None = None,
         kube: Connection | None = None) -> str:
    """``kubectl logs POD|TYPE/NAME``: a Job or Deployment means its first pod, as in kubectl."""
    ns = current_namespace(namespace)
    pod = _pod_for(ref if "/" in ref else f"pod/{ref}", ns)
    core = client.CoreV1Api(api_client())
    kwargs: dict[str, Any] = {"_preload_content": False}
    if container:
        kwargs["container"] = container
    if tail is not None:
        kwargs["tail_lines"] = tail
    with doing(_("logs of pod {pod}").format(pod=pod), f"kubectl describe pod {pod} -n {ns}"):
        return core.read_namespaced_pod_log(pod, ns, **kwargs).data.decode()


def _gone(path: str) -> bool:
    try:
        call(path, "GET")
    except NotFoundError:
        return True
    return False


def _pod_for(ref: str, ns: str) -> str:
    r: Ref = parse_ref(ref)
    if r.kind.kind == "Pod":
        return r.name
    core = client.CoreV1Api(api_client())
    selector = f"job-name={r.name}" if r.kind.kind == "Job" else None
    if selector is None:
        obj = call(_path(r.kind, ns, r.name), "GET")
        match = (obj.get("spec", {}).get("selector") or {}).get("matchLabels") or {}
        selector = ",".join(f"{k}={v}" for k, v in match.items())
    pods = core.list_namespaced_pod(ns, label_selector=selector).items
    if not pods:
        raise NotFoundError(_("{ref} has no pods (yet) in namespace {namespace}").format(ref=r, namespace=ns), 404,
                            f"kubectl get pods -n {ns}")
    return sorted(pods, key=lambda p: p.metadata.creation_timestamp)[0].metadata.name


@connected
def events(*, for_object: str | None = None, namespace: str | None = None, kube: Connection | None = None) -> Table:
    """``kubectl events [--for TYPE/NAME]``: oldest first, with type, reason, object and message."""
    ns = current_namespace(namespace)
    core = client.CoreV1Api(api_client())
    field = None
    if for_object:
        r = parse_ref(for_object)
        field = f"involvedObject.name={r.name},involvedObject.kind={r.kind.kind}"
    items = core.list_namespaced_event(ns, field_selector=field).items
    items.sort(key=lambda e: e.last_timestamp or e.event_time or e.metadata.creation_timestamp)
    rows = tuple((e.type or "", e.reason or "", f"{e.involved_object.kind.lower()}/{e.involved_object.name}",
                  (e.message or "").strip()) for e in items)
    title = _("events in namespace {namespace}").format(namespace=ns)
    return Table(("Type", "Reason", "Object", "Message"), rows, title)


@connected
def labelable_nodes(*, kube: Connection | None = None) -> list[str]:
    """The nodes the current account may label (all of them for an admin; a learner's own in a class)."""
    api = api_client()
    names = sorted(n.metadata.name for n in client.CoreV1Api(api).list_node().items)
    auth = client.AuthorizationV1Api(api)
    allowed = []
    for name in names:
        review = {"spec": {"resourceAttributes": {"verb": "patch", "resource": "nodes", "name": name}}}
        if auth.create_self_subject_access_review(review).status.allowed:
            allowed.append(name)
    return allowed
