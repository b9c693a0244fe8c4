"""Pure parts of cluster isolation: path matching for the sweep, port choice and registry, the
components' restart order, etcd's TLS patches, identity comparison."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kworkshop.cluster.embedded import components, etcdtls, identity, ports
from kworkshop.cluster.processes import mentions_path

FOLDER = "/s/kwok/clusters/rel"


@pytest.mark.parametrize("arg", [
    FOLDER, FOLDER + "/", f"{FOLDER}/etcd", f"--data-dir={FOLDER}/etcd", f"--kubeconfig={FOLDER}/kubeconfig.yaml",
    f"a,{FOLDER}/x", f"--config={FOLDER}",
])
def test_the_sweep_matches_the_folder_and_what_is_inside(arg):
    assert mentions_path(arg, FOLDER)
    assert mentions_path(arg, FOLDER + "/")  # a trailing separator changes nothing


@pytest.mark.parametrize("arg", [
    "/s/kwok/clusters/rel-2", "/s/kwok/clusters/rel-2/etcd", f"--data-dir={FOLDER}2/etcd",
    "/x/s/kwok/clusters/rel/etcd", f"{FOLDER}.bak", "/s/kwok/clusters/relx", "",
])
def test_the_sweep_never_matches_a_longer_name(arg):
    assert not mentions_path(arg, FOLDER)


def test_kworkshop_does_not_match_kworkshop_notebooks():
    assert not mentions_path("--data-dir=/st/kwok/clusters/kworkshop-notebooks/etcd", "/st/kwok/clusters/kworkshop")


def test_port_choice_counts_down_and_skips_taken_and_busy_ports():
    busy = {32766}
    chosen = ports.choose(3, taken={32767, 32764}, is_free=lambda p: p not in busy)
    assert chosen == [32765, 32763, 32762]


def test_port_choice_fails_with_a_sentence_when_nothing_is_free():
    with pytest.raises(OSError, match="no 2 free TCP ports"):
        ports.choose(2, taken=(), is_free=lambda p: False)


@pytest.fixture
def machine(tmp_path, monkeypatch):
    monkeypatch.setenv("KWORKSHOP_MACHINE_DIR", str(tmp_path / "machine"))
    return tmp_path


def test_the_registry_keeps_each_clusters_ports_until_released(machine):
    a, b = machine / "a", machine / "b"
    a.mkdir()
    b.mkdir()
    ports.reserve(a, [30001, 30002])
    ports.reserve(b, [30003])
    assert ports.reserved_by_others(b) == {30001: str(a), 30002: str(a)}
    assert ports.reserved_by_others(a) == {30003: str(b)}
    ports.release(a)
    assert ports.reserved_by_others(b) == {}


def test_a_reservation_whose_cluster_folder_is_gone_is_forgotten(machine):
    gone = machine / "gone"
    gone.mkdir()
    ports.reserve(gone, [30001])
    gone.rmdir()
    assert ports.reservations() == []
    assert list((machine / "machine" / "ports").glob("*.json")) == []


def test_allocate_never_hands_out_another_clusters_ports(machine, monkeypatch):
    monkeypatch.setattr(ports, "port_is_free", lambda port: True)
    a, b = machine / "a", machine / "b"
    a.mkdir()
    b.mkdir()
    first = ports.allocate(a)
    second = ports.allocate(b)
    assert set(first) == set(second) == set(ports.PORT_OPTIONS)
    assert not set(first.values()) & set(second.values())


def test_the_machine_lock_is_shared_by_every_state_folder(machine):
    with ports.machine_lock():
        assert (machine / "machine" / "ports.lock").exists()


KWOK_YAML = """
kind: KwokctlConfiguration
apiVersion: config.kwok.x-k8s.io/v1alpha1
components:
- {name: metrics-server, binary: /c/bin/metrics-server, links: [kwok-controller], workDir: /c,
   args: [--secure-port=32760], ports: [{name: https, port: 32760}]}
- {name: kube-apiserver, binary: /c/bin/kube-apiserver, links: [etcd], workDir: /c,
   args: [--secure-port=32764, --etcd-servers=http://x, --etcd-servers=https://y]}
- {name: etcd, binary: /c/bin/etcd, workDir: /c, args: [], envs: [{name: GOGC, value: "50"}],
   ports: [{name: peer-http, port: 32766}, {name: http, port: 32765}]}
- {name: kwok-controller, binary: /c/bin/kwok-controller, links: [kube-apiserver], workDir: /c}
- {name: kube-scheduler, binary: /c/bin/kube-scheduler, links: [kube-apiserver], workDir: /c}
"""


def test_components_are_read_from_kwokctls_record_and_ordered_by_their_links(tmp_path):
    (tmp_path / "kwok.yaml").write_text(KWOK_YAML)
    comps = components.read(tmp_path / "kwok.yaml")
    order = [[c.name for c in group] for group in components.levels(comps)]
    assert order == [["etcd"], ["kube-apiserver"], ["kwok-controller", "kube-scheduler"], ["metrics-server"]]
    etcd = next(c for c in comps if c.name == "etcd")
    assert etcd.ports == (32766, 32765) and etcd.envs == (("GOGC", "50"),)
    assert etcd.pidfile == Path("/c/pids/etcd.pid") and etcd.logfile == Path("/c/logs/etcd.log")
    apiserver = next(c for c in comps if c.name == "kube-apiserver")
    assert apiserver.arg("etcd-servers") == "https://y"  # the last flag wins, as kwokctl's overrides leave it
    assert apiserver.arg("nothing") is None


def test_a_missing_or_broken_record_reads_as_no_components(tmp_path):
    assert components.read(tmp_path / "absent.yaml") == []
    (tmp_path / "bad.yaml").write_text("{: nope")
    assert components.read(tmp_path / "bad.yaml") == []


def test_etcd_demands_client_certificates_of_the_clusters_own_ca():
    chosen = {"etcdPort": 32001, "etcdPeerPort": 32002}
    patches = {p["name"]: {a["key"]: a for a in p["extraArgs"]} for p in etcdtls.patches(Path("/k/pki"), chosen)}
    etcd, api = patches["etcd"], patches["kube-apiserver"]
    assert etcd["listen-client-urls"] == {"key": "listen-client-urls", "value": "https://127.0.0.1:32001",
                                          "override": True}
    assert etcd["client-cert-auth"]["value"] == "true" and etcd["peer-client-cert-auth"]["value"] == "true"
    assert etcd["trusted-ca-file"]["value"] == "/k/pki/ca.crt"
    assert etcd["initial-cluster"]["value"] == "node0=https://127.0.0.1:32002"
    assert api["etcd-servers"]["value"] == "https://127.0.0.1:32001" and api["etcd-servers"]["override"]
    assert {api[k]["value"] for k in ("etcd-cafile", "etcd-certfile", "etcd-keyfile")} == {
        "/k/pki/ca.crt", "/k/pki/admin.crt", "/k/pki/admin.key"}
    assert yaml.safe_dump(etcdtls.patches(Path("/k/pki"), chosen))  # plain data


def test_identity_matches_only_the_recorded_kube_system_uid(tmp_path):
    assert identity.read(tmp_path) is None
    recorded = identity.write(tmp_path, "uid-a")
    assert identity.read(tmp_path) == recorded and len(recorded.cluster_id) == 32
    assert identity.mismatch(recorded, "uid-a") is None
    assert "another cluster's data" in identity.mismatch(recorded, "uid-b")
    assert identity.mismatch(None, "uid-b") is None  # nothing recorded yet: nothing to compare


# -- the port ownership check, with real processes listening (no cluster needed) ----------------

def _listener(tmp_path, *extra: str):
    """A Python process listening on a free port; ``extra`` ends up on its command line."""
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-c", (
        "import socket,sys,time;s=socket.socket();s.bind(('127.0.0.1',int(sys.argv[1])));s.listen();"
        "time.sleep(60)"), str(port), *extra])
    for _ in range(100):
        if not ports.port_is_free(port):
            break
        time.sleep(0.05)
    return proc, port


def test_a_free_port_passes_the_ownership_check(tmp_path, machine):
    import socket

    from kworkshop.cluster.embedded import healing

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    comp = components.Component("etcd", "/c/bin/etcd", (), tmp_path, ports=(port,))
    assert healing.check_ports(comp, tmp_path / "cluster", tmp_path / "kit", "a") is None


def test_a_stranger_on_a_port_is_named_and_nothing_is_adopted(tmp_path, machine):
    from kworkshop.cluster.embedded import healing
    from kworkshop.errors import ClusterError

    proc, port = _listener(tmp_path)
    try:
        comp = components.Component("etcd", "/c/bin/etcd", (), tmp_path, ports=(port,))
        with pytest.raises(ClusterError, match=rf"cannot restart etcd: its port {port} is taken by pid {proc.pid}"):
            healing.check_ports(comp, tmp_path / "cluster", tmp_path / "kit", "a")
    finally:
        proc.kill()
        proc.wait()


def test_the_clusters_own_orphan_on_its_port_is_adopted(tmp_path, machine):
    import sys

    from kworkshop.cluster.embedded import healing

    cluster_dir = tmp_path / "kwok" / "clusters" / "a"
    proc, port = _listener(tmp_path, f"--data-dir={cluster_dir}/etcd")
    try:
        comp = components.Component("etcd", sys.executable, (), cluster_dir, ports=(port,))
        assert healing.check_ports(comp, cluster_dir, tmp_path / "kit", "a") == proc.pid
        # the same process seen from a cluster whose name only starts alike is a stranger
        other = tmp_path / "kwok" / "clusters" / "a-2"
        with pytest.raises(Exception, match="is taken by"):
            healing.check_ports(comp, other, tmp_path / "kit2", "a-2")
    finally:
        proc.kill()
        proc.wait()


def test_a_port_another_cluster_recorded_is_refused_even_when_nothing_listens(tmp_path, machine):
    from kworkshop.cluster.embedded import healing
    from kworkshop.errors import ClusterError

    other = tmp_path / "b"
    other.mkdir()
    ports.reserve(other, [31999])
    comp = components.Component("etcd", "/c/bin/etcd", (), tmp_path, ports=(31999,))
    if ports.port_is_free(31999):
        with pytest.raises(ClusterError, match=f"also recorded by the cluster in {other}"):
            healing.check_ports(comp, tmp_path / "cluster", tmp_path / "kit", "a")
