"""The one place where the cluster's binary versions are pinned.

Each ``Release`` names the executables it provides, how to recognise them on PATH, the wrapper Go
module under ``gomod/`` that builds them (go.mod/go.sum committed, so builds are reproducible), and
the official release artifacts with their sha256 sums for machines that can download them.

Why these versions: kwok v0.8.0 is built and tested against Kubernetes 1.36 (its go.mod uses
k8s.io/* v0.36.1); v1.36.3 is the newest 1.36 tag the Go module proxy serves. etcd 3.6 is the line
supported for Kubernetes 1.34+. metrics-server 0.9 is the line for Kubernetes 1.34+ (v0.8.1, kwok's
default, is not on the module proxy).

Where the sums come from: the release pages could not be reached from where the kit is developed,
so each sum below was read from public files that pin the same artifact (several agreeing files
where possible). A sum that could not be found is None, and that release is built from Go
modules instead of downloaded. A wrong sum fails closed: the download is refused and the kit builds.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass, field

KUBERNETES_VERSION = "v1.36.3"
ETCD_VERSION = "v3.6.16"
KWOK_VERSION = "v0.8.0"
METRICS_SERVER_VERSION = "v0.9.0"

# A fixed build date keeps builds reproducible (the binaries report it in `--version` output).
BUILD_DATE = "2026-01-01T00:00:00Z"


@dataclass(frozen=True)
class Artifact:
    """One downloadable release file: a bare binary, or a member of a .tar.gz."""

    url: str
    sha256: str | None  # None: no verified sum is pinned yet, so the kit never downloads it
    member: str | None = None  # path inside the tarball, for archives


@dataclass(frozen=True)
class Release:
    """A set of binaries that is pinned, cached and built together."""

    name: str
    version: str
    binaries: tuple[str, ...]
    gomod: str  # folder under kworkshop/binaries/gomod (or under ``gomod_root``)
    packages: tuple[str, ...]  # Go main packages, in the same order as `binaries`
    ldflags: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    # argv suffix that prints a version, and the text that identifies a compatible binary
    version_args: tuple[str, ...] = ("--version",)
    version_marker: str = ""
    downloads: dict[str, dict[str, Artifact]] = field(default_factory=dict)  # arch -> binary -> artifact
    # the go subcommand: ("build",) for commands, ("test", "-c") for a test binary such as e2e.test
    go_verb: tuple[str, ...] = ("build",)
    gomod_root: str | None = None  # the folder holding ``gomod`` when it is not the package's (the test harness)

    @property
    def cache_key(self) -> str:
        """Folder name in the cache: one per release and version, so upgrades never mix."""
        return f"{self.name}-{self.version}"


def _stamp(package: str, version: str) -> tuple[str, ...]:
    """The -X flags upstream's hack/lib/version.sh sets, so `--version` reports the real tag."""
    major, minor = version.lstrip("v").split(".")[:2]
    return (
        f"-X {package}.gitVersion={version}",
        f"-X {package}.gitMajor={major}",
        f"-X {package}.gitMinor={minor}",
        f"-X {package}.gitTreeState=clean",
        f"-X {package}.buildDate={BUILD_DATE}",
    )


def _k8s_downloads(version: str, sums: dict[str, dict[str, str | None]]) -> dict[str, dict[str, Artifact]]:
    base = f"https://dl.k8s.io/release/{version}/bin/linux"
    return {
        arch: {name: Artifact(f"{base}/{arch}/{name}", digest) for name, digest in by_name.items()}
        for arch, by_name in sums.items()
    }


KUBERNETES = Release(
    name="kubernetes",
    version=KUBERNETES_VERSION,
    binaries=("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl"),
    gomod="kubernetes",
    packages=tuple(f"k8s.io/kubernetes/cmd/{n}" for n in
                   ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl")),
    # Stamp exactly the tag: a wrong minor fails emulation-version validation (kubernetes#125938).
    ldflags=_stamp("k8s.io/component-base/version", KUBERNETES_VERSION)
    + _stamp("k8s.io/client-go/pkg/version", KUBERNETES_VERSION),
    tags=("notest",),
    version_marker=f"Kubernetes {KUBERNETES_VERSION}",
    downloads=_k8s_downloads(KUBERNETES_VERSION, {
        # Sums not yet read from an official .sha256 file are None: the kit then builds instead.
        "amd64": {"kube-apiserver": None, "kube-controller-manager": None, "kube-scheduler": None,
                  "kubectl": "ebbd080e7c2e275093b55915722043257eb24004363e20acb3c4d71919f88336"},
    }),
)

ETCD = Release(
    name="etcd",
    version=ETCD_VERSION,
    binaries=("etcd",),
    gomod="etcd",
    packages=("go.etcd.io/etcd/server/v3",),  # the module root is etcd's main package
    version_marker=f"etcd Version: {ETCD_VERSION.lstrip('v')}",
    downloads={
        "amd64": {"etcd": Artifact(
            f"https://github.com/etcd-io/etcd/releases/download/{ETCD_VERSION}/"
            f"etcd-{ETCD_VERSION}-linux-amd64.tar.gz",
            None, member=f"etcd-{ETCD_VERSION}-linux-amd64/etcd")},
    },
)

KWOK = Release(
    name="kwok",
    version=KWOK_VERSION,
    binaries=("kwok", "kwokctl"),
    gomod="kwok",
    packages=("sigs.k8s.io/kwok/cmd/kwok", "sigs.k8s.io/kwok/cmd/kwokctl"),
    # Align kwokctl's default Kubernetes version with ours, as kwok's hack/releases.sh does.
    ldflags=(f"-X sigs.k8s.io/kwok/pkg/consts.KubeVersion={KUBERNETES_VERSION.lstrip('v')}",),
    version_marker=KWOK_VERSION,
    downloads={
        "amd64": {
            name: Artifact(
                f"https://github.com/kubernetes-sigs/kwok/releases/download/{KWOK_VERSION}/"
                f"{name}-linux-amd64", digest)
            for name, digest in (
                ("kwok", "f5a4385a2ae1b9dd7f8acae18e002a75c0ebba124ae9d7259aa8dadb50711f46"),
                ("kwokctl", "d5743166c657283d6e827c7c4c20cacfd9009fd94830f06718ca7b2c7099461f"))
        },
    },
)

METRICS_SERVER = Release(
    name="metrics-server",
    version=METRICS_SERVER_VERSION,
    binaries=("metrics-server",),
    gomod="metrics-server",
    packages=("sigs.k8s.io/metrics-server/cmd/metrics-server",),
    # Only client-go's version, like upstream's Makefile: stamping component-base with 0.9 would
    # make DefaultBuildEffectiveVersion() treat 0.9 as a Kubernetes version.
    ldflags=(f"-X k8s.io/client-go/pkg/version.gitVersion={METRICS_SERVER_VERSION}",),
    version_marker=METRICS_SERVER_VERSION,
    downloads={"amd64": {"metrics-server": Artifact(
        f"https://github.com/kubernetes-sigs/metrics-server/releases/download/{METRICS_SERVER_VERSION}/"
        "metrics-server-linux-amd64",
        "43ee266a0cf8f5c76c5995d2a6487c4a865472860729a64324c0271a9651d7ab")}},
)

# The upstream end-to-end suite, compiled with `go test -c k8s.io/kubernetes/test/e2e`: not part of
# the cluster, only benchmarks/conformance.py uses it (104 MB; upstream ships it inside a large test
# tarball, so it is always built: 375 s on 2 cores once the cluster's binaries are in Go's build
# cache). Same tag and stamping as the cluster's binaries, so `e2e.test --version` says v1.36.3 and
# `--list-images` prints the images of exactly this release.
E2E = Release(
    name="e2e",
    version=KUBERNETES_VERSION,
    binaries=("e2e.test",),
    gomod="e2e",
    packages=("k8s.io/kubernetes/test/e2e",),
    ldflags=KUBERNETES.ldflags,
    version_marker=KUBERNETES_VERSION,
    go_verb=("test", "-c"),
)

KIND_VERSION = "v0.33.0"
# kind v0.33.0's own default node image (sigs.k8s.io/kind pkg/apis/config/defaults/image.go): Kubernetes
# 1.37.0, within kubectl 1.36's supported skew of one minor version.
KIND_NODE_IMAGE = "kindest/node:v1.37.0@sha256:a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5"

KIND = Release(
    name="kind",
    version=KIND_VERSION,
    binaries=("kind",),
    gomod="kind",
    packages=("sigs.k8s.io/kind",),
    version_marker=f"kind {KIND_VERSION}",
    version_args=("version",),
    downloads={},  # no verified sum pinned yet: built from Go modules (about 30 s)
)

RELEASES: tuple[Release, ...] = (KUBERNETES, ETCD, KWOK, METRICS_SERVER)  # the embedded cluster's
OPTIONAL: dict[str, tuple[Release, ...]] = {"kind": (KIND,)}  # `kworkshop install --backend kind`


def host_arch() -> str:
    """The Go architecture name of this machine (amd64, arm64, ...)."""
    machine = platform.machine().lower()
    return {"x86_64": "amd64", "aarch64": "arm64"}.get(machine, machine)
