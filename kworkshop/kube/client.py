"""The verbs' connection to the cluster: which API client and namespace they use by default, and
the translation of API errors into sentences a learner understands.

``kw.up()`` makes its cluster the default. A notebook then calls ``kw.use(namespace="ch5-deploy")``
so every verb works in the notebook's own namespace unless told otherwise.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

from ..errors import ApiError, ConflictError, ForbiddenError, InvalidError, NotFoundError


@dataclass
class _Session:
    api: client.ApiClient | None = None
    namespace: str | None = None


_session = _Session()


def use(cluster: Any = None, *, namespace: str | None = None) -> None:
    """Make ``cluster`` (a Cluster or an ApiClient) and/or ``namespace`` the default for every verb."""
    if cluster is not None:
        _session.api = getattr(cluster, "api_client", cluster)
    if namespace is not None:
        _session.namespace = namespace


def api_client() -> client.ApiClient:
    """The default API client: the last ``kw.up()``/``kw.use()`` cluster, else ``$KUBECONFIG``."""
    if _session.api is None:
        if os.environ.get("KUBECONFIG") or os.path.exists(os.path.expanduser("~/.kube/config")):
            _session.api = config.new_client_from_config()
        else:
            from ..cluster import attach

            _session.api = attach().api_client
    return _session.api


def current_namespace(namespace: str | None = None) -> str:
    """``namespace`` if given, else the session's default, else ``default``."""
    return namespace or _session.namespace or "default"


def message_of(exc: ApiException) -> str:
    """The API server's own message (the Status body), or the HTTP reason."""
    try:
        return str(json.loads(exc.body).get("message") or exc.reason)
    except (TypeError, ValueError):
        return str(exc.reason)


def translate(exc: ApiException, what: str, hint: str = "") -> ApiError:
    """An ApiError subclass for ``exc``, saying what failed (``what``) and how to see more."""
    msg = message_of(exc)
    status = exc.status or 0
    if status == 404:
        return NotFoundError(f"{what}: not found ({msg}).", status, hint)
    if status == 409:
        return ConflictError(f"{what}: conflict ({msg}).", status, hint)
    if status in (400, 422):
        return InvalidError(f"{what}: the cluster rejected it: {msg}", status, hint)
    if status == 403:
        return ForbiddenError(f"{what}: not allowed ({msg}). Your account may lack the RBAC rights.",
                              status, "kubectl auth can-i --list")
    return ApiError(f"{what}: the API server answered {status} {exc.reason}: {msg}", status, hint)


def call(path: str, method: str = "GET", query: list[tuple[str, str]] | None = None, body: Any = None,
         content_type: str | None = None, accept: str = "application/json") -> dict[str, Any]:
    """A raw API call returning the JSON body as a dict, for what the typed clients cannot ask
    (``fieldValidation``, server-side Tables)."""
    headers = {"Accept": accept}
    if content_type:
        headers["Content-Type"] = content_type
    return api_client().call_api(path, method, query_params=query or [], header_params=headers, body=body,
                                 auth_settings=["BearerToken"], response_types_map={200: "object", 201: "object"},
                                 _return_http_data_only=True)


def server_side_apply(obj: dict[str, Any], *, field_manager: str = "kworkshop",
                      api: client.ApiClient | None = None) -> None:
    """Create or update ``obj`` as it is (server-side apply, taking over conflicting fields).

    For objects the kit itself makes (class RBAC, metrics-server on kind); learners' manifests go
    through ``kw.apply``, which validates and upgrades them first.
    """
    from kubernetes import dynamic

    resource = dynamic.DynamicClient(api or api_client()).resources.get(api_version=obj["apiVersion"],
                                                                       kind=obj["kind"])
    meta = obj["metadata"]
    resource.server_side_apply(body=obj, name=meta["name"], namespace=meta.get("namespace"),
                               field_manager=field_manager, force_conflicts=True)
