"""up is idempotent and heals; down leaves nothing behind; everything listens on loopback only.

These tests own a second cluster (`kworkshop-life`), so killing its components never disturbs the
session cluster the other tests use.
"""

from __future__ import annotations

import stat
from pathlib import Path

import psutil
import pytest
from kubernetes import client

import kworkshop as kw
from kworkshop.cluster.embedded import EmbeddedCluster
from kworkshop.cluster.processes import processes_under

NAME = "kworkshop-life"


@pytest.fixture(scope="module")
def life(state_root):
    handle = kw.up(3, name=NAME, set_env=False)
    yield handle
    handle.down()


def _kill(pid: int) -> None:
    """kill -9, and wait until the process is gone (or a zombie nobody reaps yet)."""
    proc = psutil.Process(pid)
    proc.kill()
    try:
        proc.wait(timeout=10)
    except psutil.TimeoutExpired:
        assert proc.status() == psutil.STATUS_ZOMBIE



def listening_addresses(pids) -> list[tuple[str, int]]:
    """The (address, port) pairs the given processes listen on."""
    wanted = set(pids)
    return sorted({(c.laddr.ip, c.laddr.port) for c in psutil.net_connections(kind="inet")
                   if c.status == psutil.CONN_LISTEN and c.pid in wanted and c.laddr})


def test_kubeconfig_is_private_and_everything_listens_on_loopback(life):
    mode = stat.S_IMODE(life.kubeconfig.stat().st_mode)
    assert mode == 0o600, oct(mode)
    pids = [p for p in EmbeddedCluster(NAME).component_pids().values() if p]
    assert len(pids) == 7  # six components and the node agent
    addresses = listening_addresses(pids)
    assert addresses, "the components should listen somewhere"
    assert all(ip == "127.0.0.1" for ip, _ in addresses), addresses


def test_up_on_a_running_cluster_reattaches(life):
    core = client.CoreV1Api(life.api_client)
    uids = {n.metadata.name: n.metadata.uid for n in core.list_node().items}
    before = EmbeddedCluster(NAME).component_pids()
    again = kw.up(3, name=NAME, set_env=False)
    assert again.kubeconfig == life.kubeconfig
    assert EmbeddedCluster(NAME).component_pids() == before
    assert {n.metadata.name: n.metadata.uid for n in core.list_node().items} == uids


def test_up_after_kill_9_of_the_apiserver_keeps_objects(life):
    core = client.CoreV1Api(life.api_client)
    core.create_namespaced_config_map("default", {"metadata": {"name": "survivor"},
                                                  "data": {"chapter": "5"}})
    cluster = EmbeddedCluster(NAME)
    _kill(cluster.component_pids()["kube-apiserver"])
    assert not kw.status(NAME).healthy
    healed = kw.up(3, name=NAME, set_env=False)
    assert kw.status(NAME).healthy
    api = client.CoreV1Api(healed.api_client)
    assert api.read_namespaced_config_map("survivor", "default").data == {"chapter": "5"}
    assert len(healed.nodes()) == 3


def test_a_live_watch_reconnects_after_the_apiserver_restarts(life):
    from kworkshop.kube.watch import Watcher

    seen: list[str] = []
    core = client.CoreV1Api(life.api_client)
    watcher = Watcher(core.list_namespaced_config_map, lambda kind, cm: seen.append(cm.metadata.name),
                      namespace="default").start()
    try:
        _kill(EmbeddedCluster(NAME).component_pids()["kube-apiserver"])
        kw.up(3, name=NAME, set_env=False)
        core.create_namespaced_config_map("default", {"metadata": {"name": "after-restart"}})
        from kworkshop.polling import poll

        assert poll(lambda: "after-restart" in seen, timeout=30)
        assert watcher.reconnects >= 1 and watcher.alive
    finally:
        watcher.stop()
    assert not watcher.alive


def test_up_heals_a_killed_component_with_a_stale_pid_file(life):
    cluster = EmbeddedCluster(NAME)
    pids = cluster.component_pids()
    _kill(pids["kube-scheduler"])
    _kill(pids["kworkshop-agent"])
    # A pid file that names a process which no longer exists, as after a machine crash.
    (cluster.layout.pids_dir / "kube-controller-manager.pid").write_text("4194000")
    _kill(pids["kube-controller-manager"])
    report = kw.status(NAME)
    assert report.components["kube-scheduler"] is None and not report.healthy
    kw.up(3, name=NAME, set_env=False)
    report = kw.status(NAME)
    assert report.healthy, str(report)
    assert report.ready_nodes == 3


def test_down_stops_every_process_and_frees_every_port(life):
    cluster = EmbeddedCluster(NAME)
    ports = cluster.ports()
    assert len(ports) >= 6
    folder = str(cluster.layout.kwok_cluster_dir)
    assert processes_under(folder)
    assert kw.down(NAME) == []
    assert processes_under(folder) == []
    assert processes_under(cluster.layout.kit_dir) == []
    busy = {c.laddr.port for c in psutil.net_connections("inet")
            if c.status == psutil.CONN_LISTEN and c.laddr}
    assert not busy & set(ports)
    assert not Path(folder).exists() and not cluster.exists()
    assert kw.down(NAME) == []  # nothing left to delete is not an error
    assert not kw.status(NAME).exists
