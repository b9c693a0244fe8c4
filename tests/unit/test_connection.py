"""The connection object and the default: ``use`` resets what it is not given, ``kube=`` binds a
connection for one call without reading or changing the default (plain objects, no cluster)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from kubernetes import client

from kworkshop.errors import ConfigError
from kworkshop.kube import connection as conn_mod
from kworkshop.kube.connection import (
    Connection,
    api_client,
    connect,
    connected,
    current_namespace,
    is_strict,
    use,
)
from kworkshop.kube.transport import KitApiClient


def _api(host: str) -> KitApiClient:
    config = client.Configuration()
    config.host = host
    return KitApiClient(config)


def test_someone_elses_client_speaks_the_kits_errors_and_stays_one_connection():
    config = client.Configuration()
    config.host = "https://elsewhere:6443"
    theirs = client.ApiClient(config)
    first, second = connect(theirs), connect(theirs)
    assert isinstance(first.api, KitApiClient), "a foreign client would let ApiException reach a learner"
    assert first == second and first.api is second.api and first.server == "https://elsewhere:6443"


@pytest.fixture(autouse=True)
def fresh_default(monkeypatch):
    """Each test starts from an untouched default and leaves none behind."""
    monkeypatch.setattr(conn_mod, "_default", conn_mod._Default())


def test_use_resets_the_namespace_and_strictness_it_is_not_given():
    a = _api("https://a:6443")
    use(a, namespace="alice", strict=True)
    assert (current_namespace(), is_strict()) == ("alice", True)
    again = use(a)  # the instructor's `kw.use(cluster)` after a learner loop
    assert (again.namespace, again.strict) == ("default", False)
    assert (current_namespace(), is_strict()) == ("default", False)


def test_use_without_a_cluster_keeps_the_cluster_and_resets_the_rest():
    a = _api("https://a:6443")
    use(a, namespace="alice", strict=True)
    conn = use(namespace="bob")
    assert conn.api is a and (conn.namespace, conn.strict) == ("bob", False)
    assert use().namespace == "default"


def test_use_of_a_connection_takes_all_of_it():
    conn = Connection(_api("https://a:6443"), "alice", strict=True)
    assert use(conn) == conn and is_strict()
    assert use(conn, strict=False).strict is False and use(conn, namespace="x").namespace == "x"


def test_the_repr_says_where_it_talks():
    conn = Connection(_api("https://127.0.0.1:32766"), "ch1-deployments")
    assert repr(conn) == "Connection(server='https://127.0.0.1:32766', namespace='ch1-deployments')"
    assert str(conn.with_namespace("x")).endswith("namespace='x')")
    assert repr(Connection(conn.api, strict=True)).endswith("namespace='default', strict=True)")


def test_with_namespace_is_a_new_connection_on_the_same_client():
    conn = Connection(_api("https://a:6443"), "alice")
    other = conn.with_namespace("bob")
    assert other.api is conn.api and other.namespace == "bob" and conn.namespace == "alice"
    with pytest.raises(AttributeError):
        conn.namespace = "bob"  # type: ignore[misc]


def test_kube_binds_for_the_call_and_leaves_the_default_alone():
    default_api, other_api = _api("https://default:6443"), _api("https://other:6443")
    use(default_api, namespace="mine")

    @connected
    def verb(*, namespace: str | None = None, kube: Connection | None = None):
        return api_client(), current_namespace(namespace), is_strict()

    other = Connection(other_api, "theirs", strict=True)
    assert verb(kube=other) == (other_api, "theirs", True)
    assert verb(kube=other, namespace="third") == (other_api, "third", True)  # namespace= still wins
    assert verb() == (default_api, "mine", False)
    assert conn_mod._default == conn_mod._Default(default_api, None, "mine", False)


def test_kube_is_read_before_the_default_is_resolved(monkeypatch):
    """A verb given ``kube=`` must work where the default cannot be resolved at all."""
    def unresolvable():
        raise AssertionError("the default was read")

    monkeypatch.setattr(conn_mod, "default", unresolvable)
    api = _api("https://other:6443")

    @connected
    def verb(*, kube: Connection | None = None):
        return api_client()

    assert verb(kube=Connection(api)) is api


def test_connect_reads_a_kubeconfig_and_its_namespace(tmp_path: Path):
    path = tmp_path / "alice.kubeconfig"
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "alice",
        "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:1"}}],
        "contexts": [{"name": "alice", "context": {"cluster": "c", "user": "u", "namespace": "class-alice"}}],
        "users": [{"name": "u", "user": {"token": "t"}}]}))
    conn = connect(path)
    assert (conn.server, conn.namespace, conn.kubeconfig) == ("https://127.0.0.1:1", "class-alice", path)
    assert connect(path, namespace="x").namespace == "x"
    with pytest.raises(ConfigError, match="no kubeconfig file"):
        connect(tmp_path / "nope")
    with pytest.raises(ConfigError, match="kube= takes a connection"):
        connect(42)
