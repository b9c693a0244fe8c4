"""The verbs' raw API access: a call for what the typed clients cannot ask, and server-side apply.

Which cluster and namespace a verb talks to is ``connection.py``'s business (``kw.use``,
``kube=``); ``use``, ``api_client`` and ``current_namespace`` are re-exported here for the callers
that import them from this module.
"""

from __future__ import annotations

from typing import Any

from kubernetes import client

from .connection import Connection, api_client, connected, current_namespace, use
from .facts import FIELD_MANAGER

__all__ = ["Connection", "api_client", "call", "connected", "current_namespace", "server_side_apply", "use"]


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


def server_side_apply(obj: dict[str, Any], *, field_manager: str = FIELD_MANAGER,
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
