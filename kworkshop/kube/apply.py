"""``kubectl apply -f`` (and ``create -f``): files, folders, YAML text or dicts, the book's old
manifests included, all or nothing.

Order of work, so that a bad multi-document file changes nothing:

1. read every document with line numbers (``yamlsrc``); a syntax error names file:line:column;
2. check names and kinds, upgrade removed API versions (``legacy``) and show what changed;
3. server-side dry-run of every document with ``fieldValidation=Strict``: unknown or misplaced
   fields fail here, and the message points at the line in the file;
4. only then server-side apply each document for real (field manager ``kworkshop``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kubernetes import dynamic
from kubernetes.dynamic.exceptions import ResourceNotFoundError

from ..errors import ApiError, ConfigError, InvalidError, NotFoundError
from ..i18n import _
from . import legacy
from .apierrors import api_error, doing
from .client import api_client, call, current_namespace
from .connection import Connection, connected
from .facts import FIELD_MANAGER
from .history import CHANGE_CAUSE
from .yamlsrc import Manifest, load

DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
# where a learner most often puts a field one level too high or too low
LIKELY_MEANT = {"labels": "metadata.labels", "annotations": "metadata.annotations",
                "name": "metadata.name", "namespace": "metadata.namespace",
                "replicas": "spec.replicas", "template": "spec.template", "containers": "spec.containers"}


@dataclass(frozen=True)
class Applied:
    """One object after apply: what happened to it, and how its manifest was upgraded."""

    kind: str
    name: str
    namespace: str | None
    action: str  # created | configured | unchanged | created (dry run) ...
    changes: tuple[legacy.Change, ...] = ()

    def __str__(self) -> str:
        return f"{self.kind.lower()}/{self.name} {self.action}"


@dataclass(frozen=True)
class ApplyResult:
    """Everything one ``apply`` did, printable like kubectl's output."""

    items: tuple[Applied, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    def __str__(self) -> str:
        return "\n".join((*self.notes, *map(str, self.items)))

    __repr__ = __str__

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@connected
def apply(source: str | Path | dict[str, Any] | list[dict[str, Any]], *, namespace: str | None = None,
          record: bool = False, upgrade: bool = True, dry_run: bool = False,
          kube: Connection | None = None) -> ApplyResult:
    """Create or update the objects in ``source`` (file, folder, YAML text, dict or list of dicts).

    ``upgrade`` rewrites removed API versions (the book's ``extensions/v1beta1`` and friends) and
    lists the changes; ``upgrade=False`` refuses them, naming the current version. ``record``
    stores the command as the change cause, as ``kubectl ... --record`` did.
    """
    manifests = load(source)
    if not manifests:
        raise ConfigError(_("{source}: there is nothing to apply (no documents).").format(source=source))
    dyn = dynamic.DynamicClient(api_client())
    plans = [_plan(m, dyn, namespace, record, upgrade, source) for m in manifests]
    for plan in plans:  # all or nothing: every document must pass the server's dry run first
        _server_apply(plan, dry_run=True)
    results = []
    for plan in plans:
        if dry_run:
            results.append(plan.applied(f"{plan.action} (dry run)"))
            continue
        after = _server_apply(plan, dry_run=False)
        unchanged = plan.before is not None and after["metadata"]["resourceVersion"] == plan.before
        results.append(plan.applied("unchanged" if unchanged else plan.action))
    notes = tuple(legacy.describe_changes(f"{p.where} {p.kind}/{p.name}", list(p.changes))
                  for p in plans if p.changes)
    return ApplyResult(tuple(results), notes)


@dataclass
class _Plan:
    manifest: Manifest
    obj: dict[str, Any]
    path: str
    changes: tuple[legacy.Change, ...]
    before: str | None  # resourceVersion when the object exists

    @property
    def kind(self) -> str:
        return str(self.obj["kind"])

    @property
    def name(self) -> str:
        return str(self.obj["metadata"]["name"])

    @property
    def where(self) -> str:
        return self.manifest.where()

    @property
    def action(self) -> str:
        return "configured" if self.before else "created"

    def applied(self, action: str) -> Applied:
        return Applied(self.kind, self.name, self.obj["metadata"].get("namespace"), action, self.changes)


def _plan(m: Manifest, dyn: dynamic.DynamicClient, namespace: str | None, record: bool, upgrade: bool,
          source: Any) -> _Plan:
    obj = m.obj
    for key in ("apiVersion", "kind"):
        if not obj.get(key):
            raise ConfigError(_("{where}: the document has no {field}; every manifest needs apiVersion and kind.")
                              .format(where=m.where(), field=key))
    name = (obj.get("metadata") or {}).get("name")
    if not name:
        raise ConfigError(_("{where}: {kind} has no metadata.name.").format(where=m.where(("metadata",)),
                                                                           kind=obj["kind"]))
    if not isinstance(name, str) or len(name) > 253 or not DNS_SUBDOMAIN.match(name):
        raise ConfigError(_("{where}: {name!r} is not a valid name: use lower-case letters, digits and '-', "
                            "starting and ending with a letter or digit.")
                          .format(where=m.where(("metadata", "name")), name=name))
    moved = legacy.removed_api(obj)
    changes: list[legacy.Change] = []
    if upgrade:
        obj, changes = legacy.upgrade(obj)
    elif moved:
        raise ConfigError(_("{where}: apiVersion {version} for {kind} was removed in Kubernetes {release}; "
                            "use apiVersion: {current} (or apply with upgrade=True to convert it).")
                          .format(where=m.where(("apiVersion",)), version=obj["apiVersion"], kind=obj["kind"],
                                  release=moved[1], current=moved[0]))
    try:
        resource = dyn.resources.get(api_version=obj["apiVersion"], kind=obj["kind"])
    except ResourceNotFoundError as exc:
        raise ConfigError(_("{where}: this cluster has no kind {kind!r} in apiVersion {version!r}. "
                            "See: kubectl api-resources")
                          .format(where=m.where(("kind",)), kind=obj["kind"], version=obj["apiVersion"])) from exc
    meta = obj.setdefault("metadata", {})
    if resource.namespaced:
        meta["namespace"] = namespace or meta.get("namespace") or current_namespace()
    if record:
        # kubectl recorded the command line: the -f argument as typed (a file or folder)
        label = m.source if m.source.startswith("<") else str(source)
        meta.setdefault("annotations", {})[CHANGE_CAUSE] = f"kubectl apply --filename={label} --record=true"
    path = resource.path(name=name, namespace=meta.get("namespace"))
    before = None
    try:
        with doing(f"{m.where()} {obj['kind']}/{name}"):
            before = call(path, "GET")["metadata"]["resourceVersion"]
    except NotFoundError:
        pass  # a new object
    return _Plan(m, obj, path, tuple(changes), before)


def _server_apply(plan: _Plan, dry_run: bool) -> dict[str, Any]:
    query = [("fieldManager", FIELD_MANAGER), ("force", "true"), ("fieldValidation", "Strict")]
    if dry_run:
        query.append(("dryRun", "All"))
    try:
        return call(plan.path, "PATCH", query, plan.obj, "application/apply-patch+yaml")
    except ApiError as exc:
        raise _explain(exc, plan) from exc


def _explain(exc: ApiError, plan: _Plan) -> Exception:
    """The server's complaint, pointed at the file and line, with a guess at what was meant."""
    msg = exc.detail
    unknown = (re.findall(r'unknown field "([^"]+)"', msg)
               or re.findall(r"\.([\w.\[\]]+): field not declared in schema", msg))
    if unknown:
        field_path = unknown[0].lstrip(".")
        parts = tuple(p for p in re.split(r"[.\[\]]+", field_path) if p)
        path = tuple(int(p) if p.isdigit() else p for p in parts)
        leaf = str(path[-1]) if path else field_path
        text = _("{where}: {kind} {name!r} has an unknown field {field!r}: the cluster would ignore it, "
                 "so nothing was applied.").format(where=plan.manifest.where(path), kind=plan.kind,
                                                   name=plan.name, field=field_path)
        if leaf in LIKELY_MEANT and ".".join(map(str, path)) != LIKELY_MEANT[leaf]:
            text += " " + _("Did you mean {field} (check its indentation)?").format(field=LIKELY_MEANT[leaf])
        return InvalidError(text, exc.status or 400, f"kubectl explain {plan.kind.lower()}")
    typed = re.search(r"failed to create typed patch object \([^)]*\): \.([\w.\[\]\-/]+): (.*)$", msg)
    if typed:  # server-side apply checks types before validation, and answers 500 for a wrong type
        parts = tuple(p for p in re.split(r"[.\[\]]+", typed.group(1)) if p)
        path = tuple(int(p) if p.isdigit() else p for p in parts)
        problem = re.sub(r"&value\.valueUnstructured\{Value:(.*)\}", r"\1", typed.group(2))
        return InvalidError(_("{where}: {kind} {name!r} is invalid: {detail}. Nothing was applied.")
                            .format(where=plan.manifest.where(path), kind=plan.kind, name=plan.name,
                                    detail=f"{typed.group(1)}: {problem}"),
                            exc.status or 400, f"kubectl explain {plan.kind.lower()}")
    if exc.status in (400, 422):
        causes = _causes(exc)
        where = plan.manifest.where(causes[0][0]) if causes else plan.where
        detail = "; ".join(c[1] for c in causes) or msg
        return InvalidError(_("{where}: {kind} {name!r} is invalid: {detail}. Nothing was applied.")
                            .format(where=where, kind=plan.kind, name=plan.name, detail=detail),
                            exc.status, f"kubectl explain {plan.kind.lower()}")
    return api_error(exc.status, exc.reason, exc.body, f"{plan.where} {plan.kind}/{plan.name}",
                     f"kubectl get {plan.kind.lower()}")


def _causes(exc: ApiError) -> list[tuple[tuple[Any, ...], str]]:
    """(field path, message) for each cause in a 422 Status."""
    details = (exc.body.get("details") if isinstance(exc.body, dict) else None) or {}
    out = []
    for cause in details.get("causes") or []:
        parts = [p for p in re.split(r"[.\[\]]+", cause.get("field", "")) if p]
        path = tuple(int(p) if p.isdigit() else p for p in parts)
        out.append((path, f"{cause.get('field', '')}: {cause.get('message', '')}".strip(": ")))
    return out


__all__ = ["Applied", "ApplyResult", "apply"]
