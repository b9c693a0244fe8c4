"""The kit's own Docker daemon for the kind tests (tests/harness/), on this machine for real.

The capability bounding set of the kit's test machines lacks CAP_SYS_RESOURCE, so `docker run
--privileged` fails in plain runc; the harness's daemon runs containers through ``kw-runc``, which
drops only what the machine cannot grant. Skipped only where dockerd cannot be installed or started
(not root, no apt-get, apt-get failing): the skip message gives the reason.

The wrapper's argument and spec handling is tested as plain functions first (no Docker needed).
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import re
from collections.abc import Iterator

import pytest
from harness import docker, node, nodebase


def _load_wrapper():
    loader = importlib.machinery.SourceFileLoader("kw_runc", str(docker.WRAPPER))
    spec = importlib.util.spec_from_loader("kw_runc", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


kw_runc = _load_wrapper()


# --- kw-runc as plain functions ----------------------------------------------------------------

@pytest.mark.parametrize(("argv", "expected"), [
    (["--root", "/run/x", "--log", "/l.json", "--log-format", "json", "create", "--bundle", "/b", "id"], (6, "create")),
    (["--systemd-cgroup", "run", "-b", "/b", "id"], (1, "run")),
    (["--root=/r", "exec", "--process", "/p.json", "id"], (1, "exec")),
    (["--version"], (-1, "")),
])
def test_the_subcommand_is_found_after_runcs_global_options(argv, expected):
    assert kw_runc.subcommand(argv) == expected


def test_options_are_read_in_every_spelling():
    assert kw_runc.option(["--bundle", "/b", "id"], ("--bundle", "-b")) == "/b"
    assert kw_runc.option(["--bundle=/b", "id"], ("--bundle", "-b")) == "/b"
    assert kw_runc.option(["-b", "/b", "id"], ("--bundle", "-b")) == "/b"
    assert kw_runc.option(["--pid-file", "/p", "id"], ("--bundle", "-b")) is None


def test_only_the_missing_capabilities_leave_every_set(tmp_path):
    caps = {s: ["CAP_SYS_ADMIN", "CAP_SYS_RESOURCE", "CAP_NET_ADMIN"] for s in kw_runc.SETS}
    (tmp_path / "config.json").write_text(json.dumps({"ociVersion": "1.0.2", "process": {"capabilities": caps}}))
    kw_runc.patch(str(tmp_path / "config.json"), {"CAP_SYS_RESOURCE"}, process_file=False)
    spec = json.loads((tmp_path / "config.json").read_text())
    assert spec["ociVersion"] == "1.0.2"
    assert all(spec["process"]["capabilities"][s] == ["CAP_SYS_ADMIN", "CAP_NET_ADMIN"] for s in kw_runc.SETS)


def test_the_missing_capabilities_come_from_the_bounding_set(tmp_path):
    status = tmp_path / "status"
    status.write_text("Name:\tx\nCapBnd:\t000001fffeffffff\n")  # this machine's: all but bit 24
    assert kw_runc.missing_caps(str(status)) == {"CAP_SYS_RESOURCE"}


# --- the daemon, for real -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def daemon() -> Iterator[docker.Daemon]:
    try:
        handle = docker.start()
    except docker.HarnessUnavailable as exc:
        pytest.skip(f"no Docker daemon for the harness: {exc}")
    yield handle
    if handle.started:
        docker.stop()


@pytest.fixture(scope="module")
def tiny(daemon) -> str:
    return docker.host_image("kworkshop/harness-tiny:1")


def test_the_daemon_is_the_kits_own(daemon):
    info = json.loads(docker.docker("info", "--format", "{{json .}}").stdout)
    assert info["DockerRootDir"] == str(docker.data_root())
    assert "kw-runc" in info["Runtimes"]
    if kw_runc.missing_caps():
        assert info["DefaultRuntime"] == "kw-runc"
    # the runtime it runs lives beside its socket, not in a checkout that may be deleted while it runs
    assert info["Runtimes"]["kw-runc"]["path"] == str(docker.RUNTIME)
    assert docker.RUNTIME.read_bytes() == docker.WRAPPER.read_bytes()


def test_a_privileged_container_runs_with_what_the_machine_can_grant(daemon, tiny):
    out = docker.docker("run", "--rm", "--privileged", tiny, "/bin/grep", "CapBnd", "/proc/self/status")
    bnd = int(out.stdout.split()[1], 16)
    assert bnd >> 21 & 1, "CAP_SYS_ADMIN: a privileged container has it"
    for cap in kw_runc.missing_caps():
        assert not bnd >> kw_runc.CAPS.index(cap) & 1, f"{cap} was granted although the machine lacks it"


def test_plain_runc_is_why_the_wrapper_exists(daemon, tiny):
    if not kw_runc.missing_caps():
        pytest.skip("this machine grants every capability: plain runc runs privileged containers")
    out = docker.docker("run", "--rm", "--privileged", "--runtime", "runc", tiny, "/bin/true", check=False)
    assert out.returncode != 0
    assert "unable to apply caps: operation not permitted" in out.stderr


def test_docker_exec_privileged_goes_through_the_wrapper_too(daemon, tiny):
    name = "kworkshop-harness-exec"
    docker.docker("rm", "-f", name, check=False)
    docker.docker("run", "-di", "--name", name, "--privileged", tiny, "/bin/sh", "-c", "read x")
    try:
        out = docker.docker("exec", "--privileged", name, "/bin/grep", "CapEff", "/proc/self/status")
        assert out.stdout.startswith("CapEff:")
    finally:
        docker.docker("rm", "-f", name, check=False)


def test_a_kind_style_node_boots_systemd_and_runs_a_nested_container(daemon, tiny):
    """kind's node flags on the Debian base image: systemd reaches its target, containerd runs a
    privileged container inside (no wrapper needed there: containerd grants a privileged container
    the capabilities it holds itself)."""
    image = nodebase.build(log=lambda _msg: None)  # cached: ~70 s the first time, then instant
    name = "kworkshop-harness-node"
    node.start(image, name)
    try:
        state = node.wait_booted(name, timeout=120)
        assert state in ("running", "degraded"), docker.docker("logs", name, check=False).stdout[-3000:]
        saved = docker.docker_bytes("save", tiny)
        imported = node.exec_(name, "ctr", "-n", "k8s.io", "images", "import", "-", stdin=saved)
        assert imported.returncode == 0, imported.stderr
        out = node.exec_(name, "ctr", "-n", "k8s.io", "run", "--rm", "--privileged",
                         f"docker.io/{tiny}", "nested", "/bin/grep", "CapEff", "/proc/self/status")
        assert out.returncode == 0, out.stderr
        assert re.match(rb"CapEff:\s+[0-9a-f]+", out.stdout)
    finally:
        node.remove(name)
