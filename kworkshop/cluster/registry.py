"""The backends, by name, in order: the one list ``up``, ``down``, ``status``, ``env``, ``auto`` and
``kworkshop up --backend`` read.

kind's provider model: a backend is a class keeping ``backend.Backend``; registering it is one line
(``register("name", "module:Class")``, or the class itself), and from then on the CLI lists it,
``--backend name`` makes it, and a cluster it made is routed to it by its record. A backend loads
when first asked for (the embedded one does not load the ``kubernetes`` client for ``kworkshop --help``).

Options are typed: each backend names a dataclass (``Options``), and a value for a field it does not
have is a ``ConfigError`` naming the field and the fields it takes, never silently dropped.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Mapping
from typing import Any

from ..errors import ConfigError
from ..i18n import _
from .backend import Backend

_REGISTRY: dict[str, type[Backend] | str] = {}


def register(name: str, backend: type[Backend] | str) -> None:
    """Add (or replace) backend ``name``: its class, or ``"module:Class"`` to import on first use."""
    _REGISTRY[name] = backend


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)


def names() -> tuple[str, ...]:
    """Every registered backend, in the order they were registered."""
    return tuple(_REGISTRY)


def backend_class(name: str) -> type[Backend]:
    """The class of backend ``name`` (a ``ConfigError`` naming the choices for an unknown name)."""
    try:
        found = _REGISTRY[name]
    except KeyError:
        raise ConfigError(_("unknown backend {wanted!r}: choose one of {choices}.").format(
            wanted=name, choices=", ".join(("auto", *names())))) from None
    if isinstance(found, str):
        module, _sep, attr = found.partition(":")
        found = _REGISTRY[name] = getattr(importlib.import_module(module), attr)
    return found


def options(name: str, given: Mapping[str, Any]) -> Any:
    """Backend ``name``'s ``Options`` from ``given`` (None values count as not given)."""
    cls = backend_class(name)
    fields = {f.name for f in dataclasses.fields(cls.Options)}
    wanted = {k: v for k, v in given.items() if v is not None}
    unknown = sorted(set(wanted) - fields)
    if unknown:
        raise ConfigError(_("the {backend} backend takes no option {option!r}; it takes: {fields}.").format(
            backend=name, option=unknown[0], fields=", ".join(sorted(fields)) or _("none")))
    return cls.Options(**wanted)


register("embedded", "kworkshop.cluster.embedded:EmbeddedCluster")
register("kind", "kworkshop.cluster.kind:KindCluster")
register("kubeconfig", "kworkshop.cluster.external:ExternalCluster")

__all__ = ["backend_class", "names", "options", "register", "unregister"]
