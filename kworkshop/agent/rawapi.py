"""A small Kubernetes API client on the standard library, for the node agent.

The node agent (``agent/main.py``) runs beside every embedded cluster for as long as it lives, so
its memory counts against the workshop's budget (issue 12). The official ``kubernetes`` package
loads a class for every API object (~60 MiB in a process); the agent needs five calls on plain JSON:
list, watch, create, delete and a merge patch. This module does them with ``ssl`` + ``http.client``,
authenticated as the kubeconfig says (client certificate and CA files, as kwokctl writes them, or
their ``-data`` forms, or a bearer token). The learner-facing verbs keep the official client.

``Watcher`` is the one watch loop (``kube.watchloop``) on plain dicts. Pure parts (paths, queries,
watch lines, kubeconfig) are functions, tested in ``tests/unit/test_agent_rawapi.py``.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import socket
import ssl
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from ..errors import ConfigError
from ..kube.apierrors import api_error, unreachable
from ..kube.watchloop import Closer, Event, WatchLoop

MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"


# --- pure parts -----------------------------------------------------------------------------------

def api_path(version: str, plural: str, namespace: str | None = None, name: str | None = None,
             group: str = "") -> str:
    """``/api/v1/namespaces/NS/pods/NAME`` (core) or ``/apis/GROUP/VERSION/...``; no namespace:
    every namespace (for a list) or a cluster-scoped object."""
    parts = ["api", version] if not group else ["apis", group, version]
    if namespace is not None:
        parts += ["namespaces", namespace]
    parts.append(plural)
    if name is not None:
        parts.append(name)
    return "/" + "/".join(quote(p, safe="") for p in parts)


def with_query(path: str, query: Mapping[str, Any] | None = None) -> str:
    """``path?k=v&...``: None values left out, booleans as ``true``/``false``, order kept."""
    pairs = [(k, ("true" if v else "false") if isinstance(v, bool) else str(v))
             for k, v in (query or {}).items() if v is not None]
    return f"{path}?{urlencode(pairs)}" if pairs else path


def parse_event(line: bytes | str) -> tuple[str, dict[str, Any]] | None:
    """One line of a watch stream as ``(type, object)``; None for a blank line.

    An ERROR event becomes the kit's ``ApiError`` (its object is a Status: 410 when the
    resourceVersion is too old and the caller must relist).
    """
    text = line.decode() if isinstance(line, bytes) else line
    if not text.strip():
        return None
    event = json.loads(text)
    kind, obj = event["type"], event["object"]
    if kind == "ERROR":
        raise api_error(int(obj.get("code") or 500), str(obj.get("reason") or "Error"), obj, "watch")
    return kind, obj


@dataclass(frozen=True)
class Endpoint:
    """Where the API server is and how to authenticate to it, as a kubeconfig context says.

    ``*_data`` hold PEM text from the kubeconfig's base64 ``-data`` fields; file fields hold paths.
    """

    server: str
    ca_file: str | None = None
    ca_data: str | None = None
    cert_file: str | None = None
    cert_data: str | None = None
    key_file: str | None = None
    key_data: str | None = None
    token: str | None = None
    insecure: bool = False
    server_name: str | None = None


def _named(entries: list[dict[str, Any]] | None, name: str, what: str, path: str) -> dict[str, Any]:
    for entry in entries or []:
        if entry.get("name") == name:
            return entry.get(what) or {}
    raise ConfigError(f"the kubeconfig {path} has no {what} named {name!r}.")


def endpoint_from(config: Mapping[str, Any], base: Path, context: str | None = None,
                  source: str = "the kubeconfig") -> Endpoint:
    """The ``Endpoint`` of ``context`` (default: the current one) in a parsed kubeconfig; relative
    file paths are relative to the kubeconfig's folder (``base``), as kubectl reads them."""
    name = context or config.get("current-context")
    if not name:
        raise ConfigError(f"{source} names no current-context.")
    ctx = _named(config.get("contexts"), name, "context", source)
    cluster = _named(config.get("clusters"), ctx.get("cluster", ""), "cluster", source)
    user = _named(config.get("users"), ctx.get("user", ""), "user", source) if ctx.get("user") else {}
    if "exec" in user or "auth-provider" in user:
        raise ConfigError(f"{source}: the node agent cannot run exec or auth-provider plugins; use a "
                          f"client certificate or a token.")

    def file(key: str) -> str | None:
        value = cluster.get(key) if key == "certificate-authority" else user.get(key)
        return str(base / value) if value else None

    def data(mapping: Mapping[str, Any], key: str) -> str | None:
        value = mapping.get(key)
        return base64.b64decode(value).decode() if value else None

    token = user.get("token")
    if not token and user.get("tokenFile"):
        token = (base / user["tokenFile"]).read_text().strip()
    return Endpoint(
        server=str(cluster.get("server", "")).rstrip("/"),
        ca_file=file("certificate-authority"), ca_data=data(cluster, "certificate-authority-data"),
        cert_file=file("client-certificate"), cert_data=data(user, "client-certificate-data"),
        key_file=file("client-key"), key_data=data(user, "client-key-data"),
        token=token, insecure=bool(cluster.get("insecure-skip-tls-verify")),
        server_name=cluster.get("tls-server-name"))


def read_kubeconfig(path: str | os.PathLike[str], context: str | None = None) -> Endpoint:
    """The ``Endpoint`` a kubeconfig file names (PyYAML reads it: kubeconfigs are YAML)."""
    import yaml

    path = Path(path)
    try:
        config = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read the kubeconfig {path}: {exc}") from exc
    return endpoint_from(config, path.parent, context, str(path))


def ssl_context(endpoint: Endpoint) -> ssl.SSLContext:
    """A client TLS context trusting the cluster's CA and presenting the user's certificate.

    Certificate data from the kubeconfig goes through a private (0600) temporary file, the only
    way ``load_cert_chain`` takes it, removed at once.
    """
    context = ssl.create_default_context(cafile=endpoint.ca_file, cadata=endpoint.ca_data)
    if endpoint.insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if endpoint.cert_file or endpoint.cert_data:
        if endpoint.cert_file and endpoint.key_file:
            context.load_cert_chain(endpoint.cert_file, endpoint.key_file)
        else:
            with tempfile.TemporaryDirectory(prefix="kworkshop-cert-") as tmp:  # mode 0700
                cert, key = Path(tmp) / "client.crt", Path(tmp) / "client.key"
                for target, file, text in ((cert, endpoint.cert_file, endpoint.cert_data),
                                           (key, endpoint.key_file, endpoint.key_data)):
                    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                    with os.fdopen(fd, "w") as out:
                        out.write(text if text is not None else Path(file or "").read_text())
                context.load_cert_chain(str(cert), str(key))
    return context


# --- the client -----------------------------------------------------------------------------------

class RawApi:
    """JSON in, JSON out: ``list``, ``watch``, ``get``, ``create``, ``delete``, ``patch``.

    One HTTPS connection per call (a TLS handshake is cheap next to a pool's bookkeeping, and a
    connection never outlives an apiserver restart); the SSL context is made once.
    """

    def __init__(self, endpoint: Endpoint, timeout: float = 30) -> None:
        url = urlsplit(endpoint.server)
        if url.scheme not in ("https", "http") or not url.hostname:
            raise ConfigError(f"the kubeconfig's server {endpoint.server!r} is not an http(s) URL.")
        self.endpoint, self.timeout = endpoint, timeout
        self.host, self.port, self.prefix = url.hostname, url.port, url.path.rstrip("/")
        self.context = ssl_context(endpoint) if url.scheme == "https" else None

    @classmethod
    def from_kubeconfig(cls, path: str | os.PathLike[str], context: str | None = None) -> RawApi:
        return cls(read_kubeconfig(path, context))

    def connect(self, timeout: float | None = None) -> http.client.HTTPConnection:
        if self.context is None:
            return http.client.HTTPConnection(self.host, self.port, timeout=timeout or self.timeout)
        return _HTTPSConnection(self.host, self.port, timeout=timeout or self.timeout, context=self.context,
                                server_name=self.endpoint.server_name)

    def headers(self, content_type: str | None = None) -> dict[str, str]:
        out = {"Accept": "application/json", "User-Agent": "kworkshop-agent"}
        if content_type:
            out["Content-Type"] = content_type
        if self.endpoint.token:
            out["Authorization"] = f"Bearer {self.endpoint.token}"
        return out

    def request(self, method: str, path: str, body: Any = None, content_type: str = "application/json",
                query: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """One call; the decoded JSON answer. An error status raises the kit's ``ApiError`` (``NotFoundError``,
        ...); a connection that fails raises ``UnreachableError``."""
        payload = None if body is None else json.dumps(body).encode()
        conn = self.connect()
        try:
            conn.request(method, self.prefix + with_query(path, query), body=payload,
                         headers=self.headers(content_type if payload is not None else None))
            response = conn.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError) as exc:  # e.g. RemoteDisconnected while it restarts
            raise unreachable(f"{method} {path}", exc) from exc
        finally:
            conn.close()
        decoded = _json(data)
        if response.status >= 400:
            raise api_error(response.status, response.reason, decoded, f"{method} {path}")
        return decoded if isinstance(decoded, dict) else {}

    def list(self, path: str, **query: Any) -> dict[str, Any]:
        return self.request("GET", path, query=query)

    def get(self, path: str) -> dict[str, Any]:
        return self.request("GET", path)

    def create(self, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        return self.request("POST", path, body)

    def delete(self, path: str) -> dict[str, Any]:
        return self.request("DELETE", path)

    def patch(self, path: str, body: Any, content_type: str = MERGE_PATCH) -> dict[str, Any]:
        """A merge patch (a dict; ``None`` removes a key) or, with ``JSON_PATCH``, a list of ops."""
        return self.request("PATCH", path, body, content_type)

    def watch(self, path: str, resource_version: str | None, timeout_seconds: int = 30,
              opened: Callable[[Closer | None], None] | None = None,
              **query: Any) -> Iterator[tuple[str, dict[str, Any]]]:
        """The events of a watch from ``resource_version`` (with bookmarks) until the server ends it
        after ``timeout_seconds``. ``opened(close)`` gets a function another thread may call to end
        the watch at once; ``opened(None)`` when it is over."""
        conn = self.connect(timeout=timeout_seconds + 30)  # a silent connection is a dead one
        if opened is not None:
            opened(lambda: _shutdown(conn))
        try:
            conn.request("GET", self.prefix + with_query(path, {
                **query, "watch": True, "resourceVersion": resource_version, "allowWatchBookmarks": True,
                "timeoutSeconds": timeout_seconds}), headers=self.headers())
            response = conn.getresponse()
            if response.status >= 400:
                raise api_error(response.status, response.reason, _json(response.read()), f"watch {path}")
            while True:
                line = response.readline()
                if not line:
                    return
                event = parse_event(line)
                if event is not None:
                    yield event
        except (http.client.HTTPException, OSError) as exc:
            raise unreachable(f"watch {path}", exc) from exc
        finally:
            if opened is not None:
                opened(None)
            conn.close()


class _HTTPSConnection(http.client.HTTPSConnection):
    """``HTTPSConnection`` that can check the certificate against ``tls-server-name``."""

    def __init__(self, *args: Any, server_name: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.server_name = server_name

    def connect(self) -> None:
        if not self.server_name:
            return super().connect()
        http.client.HTTPConnection.connect(self)
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self.server_name)  # type: ignore[attr-defined]


def _json(data: bytes) -> Any:
    try:
        return json.loads(data) if data else {}
    except ValueError:
        return {"message": data[:200].decode(errors="replace")}


class RawSource:
    """A collection as the raw client lists it (plain dicts), for ``kube.watchloop``."""

    def __init__(self, api: RawApi, path: str) -> None:
        self.api, self.path, self.name = api, path, path

    def list(self) -> tuple[list[dict[str, Any]], str | None]:
        listed = self.api.list(self.path)
        return listed.get("items") or [], (listed.get("metadata") or {}).get("resourceVersion")

    def stream(self, resource_version: str | None, timeout_seconds: int,
               opened: Callable[[Closer | None], None]) -> Iterator[Event]:
        for kind, obj in self.api.watch(self.path, resource_version, timeout_seconds, opened=opened):
            yield kind, obj, (obj.get("metadata") or {}).get("resourceVersion")


def _shutdown(conn: http.client.HTTPConnection) -> None:
    """End a blocked read on ``conn`` from another thread."""
    if conn.sock is not None:
        try:
            conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class Watcher(WatchLoop):
    """``Watcher(api, "/api/v1/pods", on_event).start()``: the one watch loop on plain dicts."""

    def __init__(self, api: RawApi, path: str, callback: Callable[[str, dict[str, Any]], None],
                 timeout_seconds: int = 30) -> None:
        super().__init__(RawSource(api, path), callback, timeout_seconds)
