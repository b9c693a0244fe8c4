"""The verbs' raw API access and the translation of API errors into sentences a learner understands.

Which cluster and namespace a verb talks to is ``connection.py``'s business (``kw.use``,
``kube=``); ``use``, ``api_client`` and ``current_namespace`` are re-exported here for the callers
that import them from this module.
"""

from __future__ import annotations

import json
from typing import Any

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from ..errors import ApiError, ConflictError, ForbiddenError, InvalidError, NotFoundError
from ..i18n import _
from .connection import Connection, api_client, connected, current_namespace, use

__all__ = ["Connection", "api_client", "call", "connected", "current_namespace", "message_of",
           "server_side_apply", "translate", "use"]


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
        return NotFoundError(_("{what}: not found ({message}).").format(what=what, message=msg), status, hint)
    if status == 409:
        return ConflictError(_("{what}: conflict ({message}).").format(what=what, message=msg), status, hint)
    if status in (400, 422):
        return InvalidError(_("{what}: the cluster rejected it: {message}").format(what=what, message=msg),
                            status, hint)
    if status == 403:
        return ForbiddenError(_("{what}: not allowed ({message}). Your account may lack the RBAC rights.")
                              .format(what=what, message=msg), status, "kubectl auth can-i --list")
    return ApiError(_("{what}: the API server answered {status} {reason}: {message}")
                    .format(what=what, status=status, reason=exc.reason, message=msg), status, hint)

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
