"""kubectl's names for resources: ``deploy``, ``deployment/web``, ``pods`` -> API group, version, kind.

A static table for the kinds the workshop uses keeps every verb free of discovery round trips;
anything else is resolved through the API's discovery by the dynamic client.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ConfigError
from ..i18n import _


@dataclass(frozen=True)
class Kind:
    kind: str
    api_version: str
    plural: str
    namespaced: bool = True
    short: tuple[str, ...] = ()


KINDS: tuple[Kind, ...] = (
    Kind("Pod", "v1", "pods", short=("po",)),
    Kind("Service", "v1", "services", short=("svc",)),
    Kind("Node", "v1", "nodes", namespaced=False, short=("no",)),
    Kind("Namespace", "v1", "namespaces", namespaced=False, short=("ns",)),
    Kind("Event", "v1", "events", short=("ev",)),
    Kind("ConfigMap", "v1", "configmaps", short=("cm",)),
    Kind("Deployment", "apps/v1", "deployments", short=("deploy",)),
    Kind("ReplicaSet", "apps/v1", "replicasets", short=("rs",)),
    Kind("DaemonSet", "apps/v1", "daemonsets", short=("ds",)),
    Kind("StatefulSet", "apps/v1", "statefulsets", short=("sts",)),
    Kind("Job", "batch/v1", "jobs"),
    Kind("CronJob", "batch/v1", "cronjobs", short=("cj",)),
    Kind("HorizontalPodAutoscaler", "autoscaling/v2", "horizontalpodautoscalers", short=("hpa",)),
)


def _index() -> dict[str, Kind]:
    out: dict[str, Kind] = {}
    for k in KINDS:
        for name in (k.kind.lower(), k.plural, *k.short):
            out[name] = k
    return out


_BY_NAME = _index()


@dataclass(frozen=True)
class Ref:
    """A resolved ``type/name`` reference."""

    kind: Kind
    name: str

    def __str__(self) -> str:
        return f"{self.kind.kind.lower()}/{self.name}"


def kind_of(name: str) -> Kind:
    """The Kind for a kubectl resource name (``deploy``, ``deployments``, ``Deployment``)."""
    key = name.strip().lower().split(".", 1)[0]
    if key in _BY_NAME:
        return _BY_NAME[key]
    known = ", ".join(sorted({k.kind.lower() for k in KINDS}))
    raise ConfigError(_("unknown resource type {name!r}: the workshop knows {known}.").format(name=name, known=known))


def parse_ref(ref: str, expect: str | tuple[str, ...] | None = None) -> Ref:
    """``"deployment/web"`` -> Ref; ``expect`` restricts the kind (a bare name then means that kind)."""
    expected = (expect,) if isinstance(expect, str) else expect
    if "/" in ref:
        type_, _slash, name = ref.partition("/")
        kind = kind_of(type_)
    elif expected:
        kind, name = kind_of(expected[0]), ref
    else:
        raise ConfigError(_("{ref!r} needs a type: write it as TYPE/NAME, e.g. deployment/{ref}.").format(ref=ref))
    if not name:
        raise ConfigError(_("{ref!r} has no name after the '/'.").format(ref=ref))
    if expected and kind.kind not in {kind_of(e).kind for e in expected}:
        # Translators: joins kinds in a list: "Deployment or ReplicaSet or StatefulSet"
        kinds = _(" or ").join(kind_of(e).kind for e in expected)
        raise ConfigError(_("{ref!r} is a {kind}, but this works on {kinds}.").format(ref=ref, kind=kind.kind,
                                                                                      kinds=kinds))
    return Ref(kind, name)
