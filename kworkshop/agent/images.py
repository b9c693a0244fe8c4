"""The workshop image catalogue: the images that "exist" on the embedded cluster.

A simulated kubelet pulls nothing, so without a catalogue every image would start, including the
chapter's deliberately broken ``jonbaier/pod-scaling:42.0``. A pod whose image is not listed here
waits in ErrImagePull / ImagePullBackOff, as on a real node. Extend it with ``kw.up(extra_images=[...])``
or ``KWORKSHOP_EXTRA_IMAGES`` (comma separated) when the cluster is created.
"""

from __future__ import annotations

from collections.abc import Iterable

from .. import settings
from ..binaries.pins import KUBERNETES_VERSION

CATALOGUE: tuple[str, ...] = (
    # chapter 5: the scaling demo app and its tags that exist
    "jonbaier/pod-scaling:0.1",
    "jonbaier/pod-scaling:0.2",
    "jonbaier/pod-scaling:0.3",
    # the load generator, the cowsay job, the DaemonSet's node-problem-detector (old and new home)
    "williamyeh/boom:latest",
    "docker/whalesay:latest",
    "gcr.io/google_containers/node-problem-detector:v0.1",
    "registry.k8s.io/node-problem-detector/node-problem-detector:v0.8.20",
    # kube-system's kube-proxy DaemonSet (addons.py), at the pinned control plane's version
    f"registry.k8s.io/kube-proxy:{KUBERNETES_VERSION}",
    # everyday images for exercises
    "busybox:latest",
    "busybox:1.36",
    "busybox:1.28",  # the kubernetes.io HPA walkthrough's load generator
    "nginx:latest",
    "nginx:1.27",
    "nginx:1.27-alpine",  # what a learner types to fix exercise 1.3's `1.27-alpien`
    "alpine:latest",
    "registry.k8s.io/pause:3.10",
    # the upstream e2e suite's images for the workload tests (benchmarks/conformance.py), at the tags
    # `e2e.test --list-images` of Kubernetes v1.36.3 prints. pause 3.10.2 is v1.36's (kubeadm's
    # PauseVersion); 3.10.1 sits between it and 3.10 above, for manifests of neighbouring releases.
    "registry.k8s.io/pause:3.10.1",
    "registry.k8s.io/pause:3.10.2",
    "registry.k8s.io/e2e-test-images/agnhost:2.55",
    "registry.k8s.io/e2e-test-images/agnhost:2.63.0",
    "registry.k8s.io/e2e-test-images/busybox:1.36.1-1",
    "registry.k8s.io/e2e-test-images/busybox:1.37.0-1",
    "registry.k8s.io/e2e-test-images/nginx:1.15-4",
    "registry.k8s.io/e2e-test-images/nginx:1.27-0",
)

_DOCKER_HUB = ("docker.io/", "index.docker.io/", "registry-1.docker.io/")


def normalize(image: str) -> str:
    """The canonical name a container runtime pulls: Docker Hub prefix removed, ``:latest`` added.

    >>> normalize("docker.io/library/nginx")
    'nginx:latest'
    """
    name = image.strip()
    for prefix in _DOCKER_HUB:
        if name.startswith(prefix):
            name = name[len(prefix):]
            break
    name = name.removeprefix("library/")
    last = name.rsplit("/", 1)[-1]
    if ":" not in last and "@" not in last:
        name += ":latest"
    return name


def spellings(image: str) -> list[str]:
    """Every way a manifest may name ``image``: with or without a Docker Hub host, ``library/``
    for official images, and ``:latest``."""
    canon = normalize(image)
    if "@" in canon:
        return [canon]
    repo, tag = canon.rsplit(":", 1)
    first = repo.split("/", 1)[0]
    on_hub = "." not in first and ":" not in first and first != "localhost"
    hosts = ("", *_DOCKER_HUB) if on_hub else ("",)
    repos = (repo, f"library/{repo}") if on_hub and "/" not in repo else (repo,)
    tags = (f":{tag}", "") if tag == "latest" else (f":{tag}",)
    return sorted(h + r + t for h in hosts for r in repos for t in tags)


def catalogue(extra: Iterable[str] = ()) -> list[str]:
    """The catalogue plus ``extra`` and ``$KWORKSHOP_EXTRA_IMAGES``, in canonical form, sorted."""
    env = [i for i in settings.EXTRA_IMAGES.get().split(",") if i.strip()]
    return sorted({normalize(i) for i in (*CATALOGUE, *extra, *env)})


def all_spellings(images: Iterable[str]) -> list[str]:
    """The flat list of every spelling of every image, as the KWOK stage selector compares them."""
    return sorted({s for image in images for s in spellings(image)})
