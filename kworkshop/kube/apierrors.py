"""The API server's error answers as the kit's errors, in sentences a learner understands.

Both clients raise these: the official one in its transport (``kube/transport.py``), the node
agent's raw one (``agent/rawapi.py``) itself; so this module loads neither. A verb names what it
was doing, where that helps a learner, with ``doing``::

    with doing(_("scaling {ref}").format(ref=r), hint="kubectl get deployments"):
        apps.patch_namespaced_deployment_scale(...)
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

from .. import settings
from ..commands import command
from ..errors import ApiError, ConflictError, ForbiddenError, GoneError, InvalidError, NotFoundError, UnreachableError
from ..i18n import _


def decode(body: Any) -> Any:
    """An error answer's body: the Status as a dict when it is JSON, else its text."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    if isinstance(body, str):
        try:
            return json.loads(body)
        except ValueError:
            return body
    return body


def api_error(status: int, reason: str, body: Any, what: str, hint: str = "") -> ApiError:
    """The ``ApiError`` subclass for an error answer, saying what failed (``what``) and how to see more."""
    detail = str((body.get("message") if isinstance(body, dict) else None) or reason)
    fields = {"status": status, "hint": hint, "reason": reason, "body": body, "detail": detail}
    if status == 404:
        return NotFoundError(_("{what}: not found ({message}).").format(what=what, message=detail), **fields)
    if status == 409:
        return ConflictError(_("{what}: conflict ({message}).").format(what=what, message=detail), **fields)
    if status in (400, 422):
        return InvalidError(_("{what}: the cluster rejected it: {message}").format(what=what, message=detail),
                            **fields)
    if status == 403:
        return ForbiddenError(_("{what}: not allowed ({message}). Your account may lack the RBAC rights.")
                              .format(what=what, message=detail), **{**fields, "hint": "kubectl auth can-i --list"})
    generic = GoneError if status == 410 else ApiError  # 410 only tells a watcher to list again
    return generic(_("{what}: the API server answered {status} {reason}: {message}")
                   .format(what=what, status=status, reason=reason, message=detail), **fields)


@contextlib.contextmanager
def doing(what: str, hint: str = "") -> Iterator[None]:
    """Name what the block does in any ``ApiError`` it raises (same class, status and body)."""
    try:
        yield
    except ApiError as exc:
        raise api_error(exc.status, exc.reason, exc.body, what, hint or exc.hint) from exc


def unreachable(what: str, error: object, cluster: str | None = None) -> UnreachableError:
    """The sentence for an API server that does not answer."""
    name = cluster or settings.CLUSTER.get()
    return UnreachableError(_("{call}: the API server does not answer ({error}). Is the cluster up? "
                          "`{status}` says, `{up}` heals it.").format(
        call=what, error=error, status=command("status", name), up=command("up", name)))
