"""The kit's API client: the one place where the official client's errors become the kit's.

httpx's model (``map_httpcore_exceptions``): translate in the transport, so nothing above it ever
sees a foreign exception. ``KitApiClient.request`` is the one call every typed API, the dynamic
client and ``kube.client.call`` go through; an error answer becomes the matching ``ApiError``
(404 ``NotFoundError``, 409 ``ConflictError``, 400/422 ``InvalidError``, 403 ``ForbiddenError``),
keeping status, reason, the server's message and its decoded body, and an API server that does not
answer becomes an ``UnreachableError`` (a ``ClusterError``) naming the command that says why and the one that heals it.

The transport names the request (``GET /api/v1/namespaces/x/pods``); a verb names what it was
doing with ``doing`` (``kube/apierrors.py``, which also holds the sentences).

``new_client`` is the one factory from a kubeconfig to a client.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import urllib3
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException

from ..errors import ConfigError
from ..i18n import _
from .apierrors import api_error, decode, unreachable


class KitApiClient(client.ApiClient):
    """An ``ApiClient`` whose requests raise the kit's errors. ``cluster`` names the kit's cluster
    behind it, for the command that heals it."""

    def __init__(self, configuration: client.Configuration | None = None, cluster: str | None = None) -> None:
        super().__init__(configuration)
        self.cluster = cluster

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        what = f"{method} {urlsplit(url).path}"
        try:
            return super().request(method, url, *args, **kwargs)
        except ApiException as exc:
            if not exc.status:  # the client's own word for a TLS failure
                raise unreachable(what, exc.reason, self.cluster) from exc
            hint = "kubectl get all" if exc.status == 404 else "kubectl get events --sort-by=.lastTimestamp"
            raise api_error(exc.status, str(exc.reason or ""), decode(exc.body), what, hint) from exc
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise unreachable(what, exc, self.cluster) from exc


def as_json(obj: Any) -> Any:
    """An API model as the JSON the server sends (camelCase keys); plain data unchanged."""
    if isinstance(obj, (dict, list, str, int, float, bool)) or obj is None:
        return obj
    return _serializer().sanitize_for_serialization(obj)


@functools.cache
def _serializer() -> client.ApiClient:
    """A client used only for its (pure) serializer: it never sends a request. Made on first use."""
    return client.ApiClient()


def new_client(kubeconfig: str | Path | None = None, context: str | None = None, *,
               cluster: str | None = None, retries: bool = True) -> KitApiClient:
    """A client for ``kubeconfig`` (``$KUBECONFIG`` or ``~/.kube/config`` when None) and its
    ``context``; a file that cannot be used is a ``ConfigError`` naming it.

    ``retries=False`` for clients that poll a cluster which may be down: urllib3's retries would
    log a warning for every refused connection (a hundred lines while an apiserver restarts).
    """
    configuration = client.Configuration()
    try:
        config.load_kube_config(config_file=str(kubeconfig) if kubeconfig else None, context=context,
                                client_configuration=configuration, persist_config=False)
    except (ConfigException, OSError) as exc:
        raise ConfigError(_("the kubeconfig file {path} cannot be used: {problem}").format(
            path=kubeconfig or "~/.kube/config", problem=exc)) from exc
    if not retries:
        configuration.retries = False
    return KitApiClient(configuration, cluster)
