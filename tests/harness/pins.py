"""The pins of what only the test harness builds: what kind's node image holds besides the control
plane's binaries, and the images of kind's add-ons (``nodeimage.py``, ``images.py``, ``mirror.py``),
where no registry serves kind's own. Their wrapper modules are in ``gomod/`` here; the kit's builder
(``kworkshop.binaries.gobuild``) builds them into the kit's cache like its own. Same tag and stamping
as the cluster's binaries.
"""

from __future__ import annotations

from pathlib import Path

from kworkshop.binaries.pins import KUBERNETES, KUBERNETES_VERSION, Release

GOMOD = str(Path(__file__).resolve().parent / "gomod")

KUBERNETES_NODE = Release(
    name="kubernetes-node",
    version=KUBERNETES_VERSION,
    binaries=("kubelet", "kubeadm", "kube-proxy"),
    gomod="kubernetes-node",
    gomod_root=GOMOD,
    packages=tuple(f"k8s.io/kubernetes/cmd/{n}" for n in ("kubelet", "kubeadm", "kube-proxy")),
    ldflags=KUBERNETES.ldflags,
    tags=("notest",),
    version_marker=KUBERNETES_VERSION,
)
# crictl, as kind's base image builds it (images/base/Dockerfile: CRICTL_VERSION); v1.36.0 is not on the
# module proxy, v1.37.0 (within crictl's one-minor skew) is.
CRI_TOOLS = Release(
    name="cri-tools",
    version="v1.37.0",
    binaries=("crictl",),
    gomod="cri-tools",
    gomod_root=GOMOD,
    packages=("sigs.k8s.io/cri-tools/cmd/crictl",),
    ldflags=("-X sigs.k8s.io/cri-tools/pkg/version.Version=v1.37.0",),
    version_args=("--version",),
    version_marker="v1.37.0",
)
# The node's control-plane images that kubeadm v1.36.3 does not find in the kit's other pins: CoreDNS
# (kubeadm expects v1.14.2, which the module proxy does not serve; v1.14.3 is the nearest patch).
COREDNS = Release(
    name="coredns",
    version="v1.14.3",
    binaries=("coredns",),
    gomod="coredns",
    gomod_root=GOMOD,
    packages=("github.com/coredns/coredns",),
    version_args=("-version",),
    version_marker="CoreDNS-1.14.3",
)
# kind's storage provisioner (kind's images/local-path-provisioner builds rancher's v0.0.34; the module
# proxy serves up to v0.0.30) and the chapter's load generator (williamyeh/boom is built from hey).
LOCAL_PATH_PROVISIONER = Release(
    name="local-path-provisioner",
    version="v0.0.30",
    binaries=("local-path-provisioner",),
    gomod="local-path-provisioner",
    gomod_root=GOMOD,
    packages=("github.com/rancher/local-path-provisioner",),
    ldflags=("-X main.VERSION=v0.0.30",),
    version_args=("--version",),
    version_marker="v0.0.30",
)
HEY = Release(
    name="hey",
    version="v0.1.5",
    binaries=("hey",),
    gomod="hey",
    gomod_root=GOMOD,
    packages=("github.com/rakyll/hey",),
    version_args=("-h",),
    version_marker="Usage: hey",
)
# The harness's image mirror: the nodes pull docker.io/gcr.io/registry.k8s.io names from it, so `:latest`
# images (imagePullPolicy Always) start offline and a missing tag (pod-scaling:42.0) is a real pull error.
REGISTRY = Release(
    name="registry",
    version="v3.1.2",
    binaries=("registry",),
    gomod="registry",
    gomod_root=GOMOD,
    packages=("github.com/distribution/distribution/v3/cmd/registry",),
    ldflags=("-X github.com/distribution/distribution/v3/version.version=v3.1.2",),
    version_marker="v3.1.2",
)
NODE_IMAGE_RELEASES: tuple[Release, ...] = (KUBERNETES_NODE, CRI_TOOLS, COREDNS, LOCAL_PATH_PROVISIONER, HEY, REGISTRY)

