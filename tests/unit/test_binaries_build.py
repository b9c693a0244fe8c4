"""Pins and the Go build recipe (pure: no compiler runs here)."""

import re
from importlib import resources
from pathlib import Path

from kworkshop.binaries import gobuild
from kworkshop.binaries.pins import KUBERNETES, METRICS_SERVER, RELEASES

GOMOD = resources.files("kworkshop.binaries").joinpath("gomod")


def test_kubernetes_wrapper_replaces_all_33_staging_modules_with_the_pinned_tag():
    text = GOMOD.joinpath("kubernetes").joinpath("go.mod").read_text()
    replaces = re.findall(r"^\s*(k8s\.io/\S+) => (k8s\.io/\S+) (v\S+)$", text, re.M)
    assert len(replaces) == 33
    staging = KUBERNETES.version.replace("v1.", "v0.")
    assert all(a == b and v == staging for a, b, v in replaces)
    assert f"require k8s.io/kubernetes {KUBERNETES.version}" in text or \
        re.search(rf"k8s\.io/kubernetes {re.escape(KUBERNETES.version)}", text)
    assert {"k8s.io/streaming", "k8s.io/cri-streaming"} <= {a for a, _, _ in replaces}


def test_every_release_has_a_committed_wrapper_with_go_sum():
    for release in RELEASES:
        folder = GOMOD.joinpath(release.gomod)
        assert folder.joinpath("go.sum").read_text().strip(), release.name
        gomod = folder.joinpath("go.mod").read_text()
        module = release.packages[0].split("/cmd/")[0]
        assert module in gomod and release.version in gomod, release.name


def test_build_argv_stamps_the_exact_version_into_both_version_packages():
    argv = gobuild.build_argv("go", KUBERNETES, Path("/out"))
    ldflags = argv[argv.index("-ldflags") + 1]
    for pkg in ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version"):
        assert f"-X {pkg}.gitVersion=v1.36.3" in ldflags
        assert f"-X {pkg}.gitMinor=36" in ldflags
    assert "-s -w" in ldflags and "-trimpath" in argv
    assert argv[argv.index("-o") + 1] == "/out/"  # several binaries: -o names a folder
    assert argv[-4:] == list(KUBERNETES.packages)


def test_metrics_server_is_not_stamped_as_a_kubernetes_version():
    ldflags = " ".join(METRICS_SERVER.ldflags)
    assert "component-base" not in ldflags and "client-go/pkg/version.gitVersion=v0.9.0" in ldflags
    single = gobuild.build_argv("go", METRICS_SERVER, Path("/out"))
    assert single[single.index("-o") + 1] == "/out/metrics-server"


def test_build_environment_is_static_offline_and_caches_under_the_kits_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("KWORKSHOP_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("GOCACHE", raising=False)
    monkeypatch.delenv("GOMODCACHE", raising=False)
    env = gobuild.build_env()
    assert env["CGO_ENABLED"] == "0" and env["GOTOOLCHAIN"] == "local"
    assert env["GOCACHE"] == str(tmp_path / "go" / "build"), "Go's build cache is not under the kit's cache"
    assert env["GOMODCACHE"] == str(tmp_path / "go" / "mod"), "Go's module cache is not under the kit's cache"
    monkeypatch.setenv("GOCACHE", "/elsewhere")
    assert gobuild.build_env()["GOCACHE"] == "/elsewhere", "a GOCACHE the user set was overridden"
