"""Shared test setup: the live embedded cluster (one per test session) and a namespace per test.

The cluster tests run against a real control plane started for the session under its own state
folder and name, so they never touch a learner's `kworkshop` cluster. Set KWORKSHOP_TEST_KEEP=1 to
leave it running after the session (for debugging).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

TEST_CLUSTER = "kworkshop-test"


@pytest.fixture(scope="session")
def state_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An isolated state folder for every cluster the tests create."""
    root = Path(os.environ.get("KWORKSHOP_TEST_STATE") or tmp_path_factory.mktemp("kworkshop-state"))
    os.environ["KWORKSHOP_STATE_DIR"] = str(root)
    return root


@pytest.fixture(scope="session")
def cluster(state_root: Path) -> Iterator[kworkshop.Cluster]:  # noqa: F821
    """The session's live embedded cluster (3 nodes)."""
    import kworkshop as kw

    handle = kw.up(3, name=TEST_CLUSTER)
    yield handle
    if not os.environ.get("KWORKSHOP_TEST_KEEP"):
        problems = handle.down()
        assert problems == [], problems


@pytest.fixture(scope="session")
def kubectl(cluster):
    """Run the pinned kubectl against the session cluster; returns its stdout (raises on failure)."""
    import subprocess

    from kworkshop.cluster import cluster_env

    env = {**os.environ, **cluster_env(cluster.name)}

    def run(*args: str, check: bool = True) -> str:
        out = subprocess.run(["kubectl", *args], env=env, capture_output=True, text=True, check=False)
        if check and out.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed: {out.stderr}")
        return out.stdout + ("" if check else out.stderr)

    return run


@pytest.fixture
def namespace(cluster) -> Iterator[str]:
    """A fresh namespace for one test, deleted afterwards."""
    from kubernetes import client

    import kworkshop as kw
    from kworkshop.kube.namespaces import create_namespace

    name = f"t-{uuid.uuid4().hex[:8]}"
    core = client.CoreV1Api(cluster.api_client)
    kw.use(cluster, namespace=name)  # the verbs default to this test's cluster and namespace
    create_namespace(name)
    yield name
    core.delete_namespace(name)


@pytest.fixture
def zh(monkeypatch, tmp_path):
    """The kit speaks Chinese for one test (its compiled catalogues in a cache of the test's own)."""
    from kworkshop import i18n

    monkeypatch.setenv("KWORKSHOP_CACHE_DIR", str(tmp_path / "i18n-cache"))
    monkeypatch.setenv("KWORKSHOP_LANG", "zh_CN")
    i18n.translations.cache_clear()
    yield
    i18n.translations.cache_clear()


@pytest.fixture
def en(monkeypatch):
    """The kit speaks English for one test, whatever the machine's locale."""
    from kworkshop import i18n

    monkeypatch.setenv("KWORKSHOP_LANG", "en")
    i18n.translations.cache_clear()
    yield
    i18n.translations.cache_clear()
