"""Which cluster and namespace a verb talks to: an explicit ``Connection``, or the notebook's default.

A ``Connection`` is an API client, a namespace, and whether failed checkpoints raise (``strict``).
Every verb takes one as ``kube=``::

    alice = kw.connect("alice.kubeconfig", namespace="class-alice")
    kw.scale("deployment/web", 2, kube=alice)          # in class-alice, whatever the default is
    kw.scale("deployment/web", 2, kube=alice, namespace="other")  # namespace= still wins

Without ``kube=`` a verb uses the default connection, a convenience for a notebook that talks to one
cluster: ``kw.up()`` sets its cluster, ``kw.start(...)`` its namespace and strictness, ``kw.use(...)``
any of them. ``use`` resets what it is not given (namespace ``default``, strict off), so nothing a
notebook or an instructor's loop over learners set stays behind for the next one.

How ``kube=`` reaches the API calls: verbs call each other and many small helpers (``rollout.undo``
waits with ``rollout.status``, checks read objects through helpers), so ``@connected`` binds the
connection for the duration of the call in a ``ContextVar`` and ``api_client()``/``current_namespace()``
answer from it. The binding is per thread and per call; the default is never read or changed by a
call given ``kube=``. Threads a verb starts (watches, live charts) get API objects made during the
call, or the resolved connection itself.
"""

from __future__ import annotations

import contextlib
import functools
import weakref
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from kubernetes import client

from ..errors import ConfigError
from ..i18n import _
from .transport import KitApiClient, new_client

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Connection:
    """An API client and the namespace verbs act in when not given ``namespace=``."""

    api: client.ApiClient = field(repr=False)  # equal only to itself: same client, same connection
    namespace: str = "default"
    strict: bool = False  # a failed checkpoint raises CheckpointFailed (notebooks run with solutions)
    kubeconfig: Path | None = field(default=None, repr=False)  # for kubectl (``kw.solve``), when known

    @property
    def server(self) -> str:
        return str(self.api.configuration.host)

    def __repr__(self) -> str:
        return f"Connection(server={self.server!r}, namespace={self.namespace!r}" + \
            (", strict=True)" if self.strict else ")")

    __str__ = __repr__

    def with_namespace(self, namespace: str) -> Connection:
        """The same cluster and credentials, acting in ``namespace``."""
        return replace(self, namespace=namespace)


def connect(target: Any, *, namespace: str | None = None, strict: bool | None = None) -> Connection:
    """A Connection to ``target`` (a Connection, a Cluster from ``kw.up()``, an ApiClient, or a
    kubeconfig file's path), without touching the default.

    ``namespace`` defaults to the Connection's own, else the kubeconfig context's, else ``default``.
    """
    if isinstance(target, Connection):
        conn = target
    elif isinstance(target, client.ApiClient):
        conn = Connection(_speaking_kit_errors(target))
    elif isinstance(target, (str, Path)):
        conn = _from_kubeconfig(Path(target))
    elif hasattr(target, "api_client"):  # a kw.Cluster
        kubeconfig = getattr(target, "kubeconfig", None)
        conn = Connection(target.api_client, kubeconfig=Path(kubeconfig) if kubeconfig else None)
    else:
        raise ConfigError(_("kube= takes a connection (kw.connect(...) or kw.use(...) returns one), not {target!r}.")
                          .format(target=target))
    if namespace is not None:
        conn = conn.with_namespace(namespace)
    return conn if strict is None else replace(conn, strict=strict)


_wrapped: weakref.WeakKeyDictionary[client.ApiClient, KitApiClient] = weakref.WeakKeyDictionary()


def _speaking_kit_errors(api: client.ApiClient) -> KitApiClient:
    """Someone's own ``ApiClient`` as a client that raises the kit's errors: the same wrapper each
    time, so the same client still makes the same connection."""
    if isinstance(api, KitApiClient):
        return api
    if api not in _wrapped:
        _wrapped[api] = KitApiClient(api.configuration)
    return _wrapped[api]


def _from_kubeconfig(path: Path) -> Connection:
    from kubernetes import config
    from kubernetes.config.config_exception import ConfigException

    if not path.is_file():
        raise ConfigError(_("there is no kubeconfig file {path}.").format(path=path))
    try:
        _contexts, current = config.list_kube_config_contexts(str(path))
    except ConfigException as exc:
        raise ConfigError(_("the kubeconfig file {path} cannot be used: {problem}").format(path=path,
                                                                                          problem=exc)) from exc
    api = new_client(path)
    namespace = (current or {}).get("context", {}).get("namespace") or "default"
    return Connection(api, namespace, kubeconfig=path)


# -- the default: a convenience for notebooks ---------------------------------------------------

@dataclass
class _Default:
    api: client.ApiClient | None = None  # resolved on first use: $KUBECONFIG, else the kworkshop cluster
    kubeconfig: Path | None = None
    namespace: str = "default"
    strict: bool = False


_default = _Default()
_bound: ContextVar[Connection | None] = ContextVar("kworkshop_connection", default=None)


def use(target: Any = None, *, namespace: str | None = None, strict: bool | None = None) -> Connection:
    """Make ``target`` (see ``connect``) the default connection and return it.

    What is not given is reset, not kept: the namespace becomes the connection's own (``default``
    for a cluster), ``strict`` off. Without ``target`` the cluster stays (there is nothing else to
    go back to) and only namespace and strictness are set or reset.
    """
    global _default
    if target is None:
        _default = _Default(_default.api, _default.kubeconfig, namespace or "default", bool(strict))
    else:
        conn = connect(target, namespace=namespace, strict=strict)
        _default = _Default(conn.api, conn.kubeconfig, conn.namespace, conn.strict)
    return default()


def default() -> Connection:
    """The default connection (resolving the cluster on first use)."""
    if _default.api is None:
        import os

        if os.environ.get("KUBECONFIG") or os.path.exists(os.path.expanduser("~/.kube/config")):
            _default.api = new_client()
        else:
            from . import default_cluster

            _default.api = default_cluster()
    return Connection(_default.api, _default.namespace, _default.strict, _default.kubeconfig)


def connection(kube: Any = None) -> Connection:
    """``kube`` if given, else the connection bound to the verb being run, else the default."""
    if kube is not None:
        return connect(kube)
    return _bound.get() or default()


def api_client() -> client.ApiClient:
    """The API client verbs use now (see ``connection``)."""
    return connection().api


def current_namespace(namespace: str | None = None) -> str:
    """``namespace`` if given, else the current connection's (without resolving its cluster)."""
    bound = _bound.get()
    return namespace or (bound.namespace if bound is not None else _default.namespace) or "default"


def is_strict() -> bool:
    """Whether a failed checkpoint raises, for the current connection (see ``current_namespace``)."""
    bound = _bound.get()
    return bound.strict if bound is not None else _default.strict


@contextlib.contextmanager
def bound(kube: Any) -> Iterator[Connection]:
    """Run a block with ``kube`` as the connection verbs use."""
    conn = connect(kube)
    token = _bound.set(conn)
    try:
        yield conn
    finally:
        _bound.reset(token)


def connected(func: F) -> F:
    """Let ``func`` (which declares ``kube: Connection | None = None``) run with ``kube`` bound."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kube = kwargs.get("kube")
        if kube is None:
            return func(*args, **kwargs)
        with bound(kube):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
