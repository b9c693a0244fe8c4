"""``kubectl describe``: the facts kubectl shows for a Pod, Deployment, Node or Job, and its events.

The result is a ``Description``: ordered sections of ``key: value`` lines, printed like kubectl
(``describe(...).text`` can be grepped for ``Image:`` as in the book) and readable as a dict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kubernetes import client

from ..i18n import _
from . import facts as k8s
from .apierrors import doing
from .client import api_client, current_namespace
from .connection import Connection, connected
from .get import events
from .resources import parse_ref


@dataclass(frozen=True)
class Description:
    """``(key, value)`` pairs in kubectl's order; values that are lists print indented."""

    title: str
    facts: tuple[tuple[str, Any], ...]

    @property
    def text(self) -> str:
        lines = []
        for key, value in self.facts:
            if isinstance(value, (list, tuple)) and value:
                lines.append(f"{key}:")
                lines += [f"  {item}" for item in value]
            else:
                shown = "<none>" if isinstance(value, (list, tuple)) else value
                lines.append(f"{key + ':':<22}{shown}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__

    def __getitem__(self, key: str) -> Any:
        return dict(self.facts)[key]

    def _repr_html_(self) -> str:
        import html

        return f"<pre>{html.escape(self.text)}</pre>"


def _labels(meta: Any) -> list[str]:
    return [f"{k}={v}" for k, v in sorted((meta.labels or {}).items())]


def _events(kind: str, name: str, ns: str | None) -> list[str]:
    table = events(for_object=f"{kind}/{name}", namespace=ns or "default")
    return [f"{t:<8} {r:<18} {m}" for t, r, _obj, m in table.rows]


@connected
def describe(ref: str, *, namespace: str | None = None, kube: Connection | None = None) -> Description:
    """The facts ``kubectl describe TYPE/NAME`` gives, including images and events."""
    r = parse_ref(ref)
    ns = current_namespace(namespace)
    describer = {"Pod": _pod, "Deployment": _deployment, "Node": _node, "Job": _job}.get(r.kind.kind, _generic)
    with doing(_("{ref} in namespace {namespace}").format(ref=r, namespace=ns), f"kubectl get {r.kind.plural} -n {ns}"):
        facts = describer(r, ns)
    return Description(str(r), tuple(facts))


def _pod(r, ns) -> list[tuple[str, Any]]:
    p = client.CoreV1Api(api_client()).read_namespaced_pod(r.name, ns)
    statuses = {c.name: c for c in p.status.container_statuses or []}
    facts: list[tuple[str, Any]] = [
        ("Name", p.metadata.name), ("Namespace", p.metadata.namespace),
        ("Node", p.spec.node_name or "<none>"), ("Labels", _labels(p.metadata)),
        ("Status", p.status.phase), ("IP", p.status.pod_ip or "<none>"),
        ("Controlled By", ", ".join(f"{o.kind}/{o.name}" for o in p.metadata.owner_references or []) or "<none>"),
    ]
    for c in p.spec.containers:
        st = statuses.get(c.name)
        state = "Waiting"
        if st and st.state and st.state.running:
            state = "Running"
        elif st and st.state and st.state.terminated:
            state = f"Terminated ({st.state.terminated.reason}, exit code {st.state.terminated.exit_code})"
        elif st and st.state and st.state.waiting:
            state = f"Waiting ({st.state.waiting.reason})"
        facts += [(f"Container {c.name}", [
            f"Image:          {c.image}",
            f"Command:        {' '.join(c.command or []) or '<image default>'}",
            f"State:          {state}",
            f"Ready:          {bool(st and st.ready)}",
            f"Restart Count:  {st.restart_count if st else 0}",
            f"Requests:       {(c.resources.requests if c.resources else None) or '<none>'}"])]
    facts.append(("Conditions", [f"{c.type:<16} {c.status}" for c in p.status.conditions or []]))
    facts.append(("Node-Selectors", [f"{k}={v}" for k, v in (p.spec.node_selector or {}).items()]))
    facts.append(("Events", _events("pod", r.name, ns)))
    return facts


def _deployment(r, ns) -> list[tuple[str, Any]]:
    d = client.AppsV1Api(api_client()).read_namespaced_deployment(r.name, ns)
    st = d.status
    strategy = d.spec.strategy
    facts: list[tuple[str, Any]] = [
        ("Name", d.metadata.name), ("Namespace", d.metadata.namespace), ("Labels", _labels(d.metadata)),
        ("Annotations", [f"{k}: {v}" for k, v in sorted((d.metadata.annotations or {}).items())]),
        ("Selector", k8s.workload_selector(d)),
        ("Replicas", f"{d.spec.replicas} desired | {st.updated_replicas or 0} updated | {st.replicas or 0} total | "
                     f"{st.available_replicas or 0} available | {st.unavailable_replicas or 0} unavailable"),
        ("StrategyType", strategy.type if strategy else "RollingUpdate"),
    ]
    if strategy and strategy.rolling_update:
        ru = strategy.rolling_update
        facts.append(("RollingUpdateStrategy", f"{ru.max_unavailable} max unavailable, {ru.max_surge} max surge"))
    facts.append(("Paused", bool(d.spec.paused)))
    facts.append(("Pod Template", [f"Container {c.name}: Image: {c.image}" for c in d.spec.template.spec.containers]))
    facts.append(("Conditions", [f"{c.type:<16} {c.status:<6} {c.reason}" for c in st.conditions or []]))
    facts.append(("Events", _events("deployment", r.name, ns)))
    return facts


def _node(r, ns) -> list[tuple[str, Any]]:
    core = client.CoreV1Api(api_client())
    n = core.read_node(r.name)
    pods = core.list_pod_for_all_namespaces(field_selector=f"spec.nodeName={r.name}").items
    return [
        ("Name", n.metadata.name), ("Labels", _labels(n.metadata)),
        ("Taints", [f"{t.key}={t.value or ''}:{t.effect}" for t in n.spec.taints or []]),
        ("Addresses", [f"{a.type}: {a.address}" for a in n.status.addresses or []]),
        ("Capacity", [f"{k}: {v}" for k, v in (n.status.capacity or {}).items()]),
        ("Allocatable", [f"{k}: {v}" for k, v in (n.status.allocatable or {}).items()]),
        ("Conditions", [f"{c.type:<20} {c.status}" for c in n.status.conditions or []]),
        ("Non-terminated Pods", [f"{p.metadata.namespace}/{p.metadata.name}" for p in pods
                                 if p.status.phase not in ("Succeeded", "Failed")]),
    ]


def _job(r, ns) -> list[tuple[str, Any]]:
    j = client.BatchV1Api(api_client()).read_namespaced_job(r.name, ns)
    st = j.status
    return [
        ("Name", j.metadata.name), ("Namespace", j.metadata.namespace), ("Labels", _labels(j.metadata)),
        ("Parallelism", j.spec.parallelism), ("Completions", j.spec.completions if j.spec.completions else "<unset>"),
        ("Pods Statuses", f"{st.active or 0} Active / {st.succeeded or 0} Succeeded / {st.failed or 0} Failed"),
        ("Pod Template", [f"Container {c.name}: Image: {c.image}" for c in j.spec.template.spec.containers]),
        ("Conditions", [f"{c.type:<16} {c.status}" for c in st.conditions or []]),
        ("Events", _events("job", r.name, ns)),
    ]


def _generic(r, ns) -> list[tuple[str, Any]]:
    from .client import call
    from .get import _path

    obj = call(_path(r.kind, ns, r.name), "GET")
    meta = obj.get("metadata", {})
    facts: list[tuple[str, Any]] = [("Name", meta.get("name")), ("Namespace", meta.get("namespace", "<none>")),
                                    ("Labels", [f"{k}={v}" for k, v in (meta.get("labels") or {}).items()])]
    for section in ("spec", "status"):
        if obj.get(section):
            facts.append((section.capitalize(), [f"{k}: {v}" for k, v in obj[section].items()]))
    facts.append(("Events", _events(r.kind.kind.lower(), r.name, ns)))
    return facts
