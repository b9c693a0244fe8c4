"""The node agent's small API client: paths, queries, watch lines and kubeconfigs (plain data).

Its calls against a live API server are covered by the cluster tests (logs of pods, the traffic
model in the HPA chapter, the agent surviving an apiserver restart).
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from kworkshop.agent.rawapi import (
    Endpoint,
    RawApi,
    api_path,
    endpoint_from,
    parse_event,
    read_kubeconfig,
    with_query,
)
from kworkshop.errors import ApiError, ConfigError, GoneError, NotFoundError


def test_paths_of_core_and_group_resources():
    assert api_path("v1", "pods") == "/api/v1/pods"
    assert api_path("v1", "pods", "ch5", "web-1") == "/api/v1/namespaces/ch5/pods/web-1"
    assert api_path("v1alpha1", "logs", "ch5", group="kwok.x-k8s.io") == \
        "/apis/kwok.x-k8s.io/v1alpha1/namespaces/ch5/logs"
    assert api_path("v1", "nodes", name="kwok-node-0") == "/api/v1/nodes/kwok-node-0"
    assert api_path("v1", "pods", "a b", "x/y") == "/api/v1/namespaces/a%20b/pods/x%2Fy"


def test_queries_leave_out_none_and_spell_booleans_as_kubernetes_does():
    assert with_query("/api/v1/pods") == "/api/v1/pods"
    assert with_query("/api/v1/pods", {"watch": True, "resourceVersion": None, "allowWatchBookmarks": False,
                                       "timeoutSeconds": 30, "labelSelector": "app=web,tier in (a)"}) == \
        "/api/v1/pods?watch=true&allowWatchBookmarks=false&timeoutSeconds=30&labelSelector=app%3Dweb%2Ctier+in+%28a%29"


def test_watch_lines_become_events():
    line = b'{"type":"ADDED","object":{"kind":"Pod","metadata":{"name":"p","resourceVersion":"7"}}}\n'
    assert parse_event(line) == ("ADDED", {"kind": "Pod", "metadata": {"name": "p", "resourceVersion": "7"}})
    assert parse_event('{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"9"}}}')[0] == "BOOKMARK"
    assert parse_event(b"\n") is None


def test_an_error_event_is_the_kits_api_error_410_means_relist():
    gone = b'{"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old"}}'
    with pytest.raises(ApiError) as caught:
        parse_event(gone)
    assert caught.value.status == 410 and caught.value.reason == "Expired"
    assert caught.value.detail == "too old" and "too old" in str(caught.value)
    missing = b'{"type":"ERROR","object":{"kind":"Status","code":404,"reason":"NotFound","message":"no pods"}}'
    with pytest.raises(NotFoundError):
        parse_event(missing)


KWOKCTL = """
apiVersion: v1
clusters:
- cluster:
    certificate-authority: /tmp/kw/pki/ca.crt
    server: https://127.0.0.1:32737
  name: kwok-kw
contexts:
- context: {cluster: kwok-kw, user: kwok-kw}
  name: kwok-kw
current-context: kwok-kw
kind: Config
users:
- name: kwok-kw
  user:
    client-certificate: /tmp/kw/pki/admin.crt
    client-key: /tmp/kw/pki/admin.key
"""


def test_kwokctls_kubeconfig_names_files(tmp_path):
    path = tmp_path / "kubeconfig.yaml"
    path.write_text(KWOKCTL)
    assert read_kubeconfig(path) == Endpoint(server="https://127.0.0.1:32737", ca_file="/tmp/kw/pki/ca.crt",
                                             cert_file="/tmp/kw/pki/admin.crt", key_file="/tmp/kw/pki/admin.key")


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_embedded_data_tokens_relative_paths_and_other_contexts():
    config = {
        "current-context": "a",
        "contexts": [{"name": "a", "context": {"cluster": "c1", "user": "u1"}},
                     {"name": "b", "context": {"cluster": "c2", "user": "u2"}}],
        "clusters": [{"name": "c1", "cluster": {"server": "https://h:6443/", "certificate-authority-data": _b64("CA"),
                                                "tls-server-name": "kubernetes"}},
                     {"name": "c2", "cluster": {"server": "https://h2", "certificate-authority": "pki/ca.crt",
                                                "insecure-skip-tls-verify": True}}],
        "users": [{"name": "u1", "user": {"client-certificate-data": _b64("CERT"), "client-key-data": _b64("KEY")}},
                  {"name": "u2", "user": {"token": "abc"}}],
    }
    a = endpoint_from(config, Path("/etc/kube"))
    assert (a.server, a.ca_data, a.cert_data, a.key_data, a.server_name) == \
        ("https://h:6443", "CA", "CERT", "KEY", "kubernetes")
    b = endpoint_from(config, Path("/etc/kube"), "b")
    assert (b.ca_file, b.token, b.insecure, b.cert_file) == ("/etc/kube/pki/ca.crt", "abc", True, None)


def test_kubeconfigs_the_agent_cannot_use_say_why(tmp_path):
    with pytest.raises(ConfigError, match="no context named 'x'"):
        endpoint_from({"current-context": "x", "contexts": []}, tmp_path)
    with pytest.raises(ConfigError, match="exec"):
        endpoint_from({"current-context": "a", "contexts": [{"name": "a", "context": {"cluster": "c", "user": "u"}}],
                       "clusters": [{"name": "c", "cluster": {"server": "https://h"}}],
                       "users": [{"name": "u", "user": {"exec": {"command": "aws"}}}]}, tmp_path)
    with pytest.raises(ConfigError, match="cannot read"):
        read_kubeconfig(tmp_path / "missing.yaml")
    with pytest.raises(ConfigError, match="not an http"):
        RawApi(Endpoint(server="127.0.0.1:6443"))


def test_a_plain_http_server_needs_no_tls_and_a_token_is_a_bearer_header():
    api = RawApi(Endpoint(server="http://127.0.0.1:8080/prefix", token="t0k"))
    assert (api.context, api.host, api.port, api.prefix) == (None, "127.0.0.1", 8080, "/prefix")
    assert api.headers("application/merge-patch+json") == {
        "Accept": "application/json", "User-Agent": "kworkshop-agent",
        "Content-Type": "application/merge-patch+json", "Authorization": "Bearer t0k"}


class ScriptedApi:
    """Answers ``list`` and ``watch`` from a script, to follow the Watcher's recovery steps (a real
    apiserver on a fresh cluster cannot be made to say 410 Gone on demand)."""

    def __init__(self, watches: list) -> None:
        self.watches, self.lists, self.watched_from = watches, 0, []

    def list(self, path: str) -> dict:
        self.lists += 1
        return {"metadata": {"resourceVersion": f"{10 * self.lists}"},
                "items": [{"metadata": {"name": f"listed-{self.lists}", "resourceVersion": "1"}}]}

    def watch(self, path, resource_version, timeout_seconds, opened=None):
        self.watched_from.append(resource_version)
        step = self.watches.pop(0) if self.watches else []
        if isinstance(step, Exception):
            raise step
        yield from step


def test_the_watcher_relists_after_410_and_reconnects_after_a_dropped_connection():
    import threading

    from kworkshop.agent.rawapi import Watcher

    api = ScriptedApi([
        [("ADDED", {"metadata": {"name": "a", "resourceVersion": "11"}}),
         ("BOOKMARK", {"metadata": {"resourceVersion": "12"}})],
        GoneError("expired", 410, reason="Expired"),                 # resume from 12 is too old: relist
        ConnectionRefusedError(111, "refused"),         # the apiserver restarts: retry from 20
        [("DELETED", {"metadata": {"name": "a", "resourceVersion": "21"}})],
    ])
    seen: list = []
    done = threading.Event()

    def on_event(kind: str, obj: dict) -> None:
        seen.append((kind, obj["metadata"]["name"]))
        if kind == "DELETED":
            done.set()

    watcher = Watcher(api, "/api/v1/pods", on_event).start()
    assert done.wait(10)
    watcher.stop()
    assert seen == [("SYNC", "listed-1"), ("ADDED", "a"), ("SYNC", "listed-2"), ("DELETED", "a")]
    assert api.watched_from[:4] == ["10", "12", "20", "20"]
    assert watcher.reconnects == 1 and not watcher.alive
