"""The download path, against a real HTTP server on loopback serving a tarball."""

from __future__ import annotations

import hashlib
import http.server
import io
import os
import stat
import tarfile
import threading
from pathlib import Path

import pytest

import kworkshop.binaries as binaries
from kworkshop.binaries import download
from kworkshop.binaries.pins import Artifact, Release
from kworkshop.errors import BinariesError, ChecksumError
from kworkshop.progress import LoggingStatus

PAYLOAD = b"#!/bin/sh\necho 'fake-etcd Version: 9.9.9'\n"


def _tarball() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        info = tarfile.TarInfo("etcd-v9.9.9-linux-amd64/etcd")
        info.size = len(PAYLOAD)
        tar.addfile(info, io.BytesIO(PAYLOAD))
    return buf.getvalue()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("www")
    (root / "releases").mkdir()
    (root / "releases" / "etcd.tar.gz").write_bytes(_tarball())
    (root / "releases" / "tool").write_bytes(PAYLOAD)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(root), **kw)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_tarball_member_is_extracted_after_the_checksum_matches(server, tmp_path):
    digest = hashlib.sha256(_tarball()).hexdigest()
    art = Artifact(f"{server}/releases/etcd.tar.gz", digest, member="etcd-v9.9.9-linux-amd64/etcd")
    dest = download.fetch(art, tmp_path / "bin" / "etcd", LoggingStatus())
    assert dest.read_bytes() == PAYLOAD
    assert dest.stat().st_mode & stat.S_IXUSR


def test_wrong_checksum_installs_nothing(server, tmp_path):
    art = Artifact(f"{server}/releases/tool", "0" * 64)
    with pytest.raises(ChecksumError, match="sha256"):
        download.fetch(art, tmp_path / "tool", LoggingStatus())
    assert list(tmp_path.iterdir()) == []  # no file, no temporary left behind


def test_unpinned_artifact_is_never_downloaded(server, tmp_path):
    with pytest.raises(BinariesError, match="no sha256 is pinned"):
        download.fetch(Artifact(f"{server}/releases/tool", None), tmp_path / "tool", LoggingStatus())


def test_unreachable_host_is_a_clear_error(tmp_path):
    art = Artifact("http://127.0.0.1:9/nothing", "0" * 64)
    with pytest.raises(BinariesError, match="cannot download"):
        download.fetch(art, tmp_path / "x", LoggingStatus())


def test_mirror_rewrites_the_host(monkeypatch):
    monkeypatch.setenv("KWORKSHOP_MIRROR", "http://10.1.2.3:8080/m/")
    assert download.mirrored("https://dl.k8s.io/release/v1/bin/kubectl") == \
        "http://10.1.2.3:8080/m/dl.k8s.io/release/v1/bin/kubectl"


def test_install_order_download_then_cache(server, tmp_path, monkeypatch):
    """A release with pinned sums is downloaded into the cache; the next install uses the cache."""
    monkeypatch.setenv("KWORKSHOP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", "/nonexistent")
    digest = hashlib.sha256(PAYLOAD).hexdigest()
    release = Release(name="tool", version="v9.9.9", binaries=("tool",), gomod="none",
                      packages=("example.com/tool",), version_marker="9.9.9",
                      downloads={binaries.host_arch(): {"tool": Artifact(f"{server}/releases/tool", digest)}})
    monkeypatch.setattr(binaries, "RELEASES", (release,))
    found = binaries.install(allow_build=False)
    assert found["tool"] == tmp_path / "cache" / "binaries" / "tool-v9.9.9" / "tool"
    assert binaries.cached(release) == {"tool": found["tool"]}
    assert binaries.locate() is not None

    # with a wrong sum and building disabled, the error names what is missing and the fix
    bad = Release(name="tool2", version="v1", binaries=("tool2",), gomod="none",
                  packages=("example.com/tool2",),
                  downloads={binaries.host_arch(): {"tool2": Artifact(f"{server}/releases/tool", "f" * 64)}})
    monkeypatch.setattr(binaries, "RELEASES", (bad,))
    with pytest.raises(BinariesError) as err:
        binaries.install(allow_build=False)
    assert "tool2 v1" in str(err.value) and "kworkshop install" in str(err.value)
    assert not (tmp_path / "cache" / "binaries" / "tool2-v1" / "tool2").exists()


def test_a_pinned_binary_on_path_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv("KWORKSHOP_CACHE_DIR", str(tmp_path / "empty-cache"))
    exe = tmp_path / "tool"
    exe.write_bytes(PAYLOAD.replace(b"fake-etcd", b"tool"))
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}/usr/bin:/bin")
    release = Release(name="tool", version="v9.9.9", binaries=("tool",), gomod="none",
                      packages=("x",), version_marker="Version: 9.9.9")
    assert binaries.on_path(release) == {"tool": Path(exe)}
    other = Release(name="tool", version="v1.0.0", binaries=("tool",), gomod="none",
                    packages=("x",), version_marker="Version: 1.0.0")
    assert binaries.on_path(other) is None  # wrong version on PATH is not used
