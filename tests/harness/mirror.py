"""An image mirror for the kind nodes (test harness only): the built images, served like a registry.

Preloading is not enough offline: a manifest that says ``image: docker/whalesay`` (or any ``:latest``)
gets ``imagePullPolicy: Always``, so the kubelet pulls even when the node has the image. The harness
therefore runs the CNCF distribution registry (``tests/harness/gomod/registry``) as the container
``kworkshop-registry`` on kind's Docker network, pushes every built image into it under its repository
path, and the node image's containerd lists it as the mirror of docker.io, gcr.io and registry.k8s.io
(``CONTAINERD_MIRRORS``). A tag the mirror lacks (``jonbaier/pod-scaling:42.0``) falls through to the
real registry, which is unreachable here: the kubelet reports a real ``ErrImagePull``.

    python tests/harness/mirror.py      start the mirror and push the built images
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
sys.path.insert(0, str(HERE.parent))

from harness import docker, images  # noqa: E402
from harness import pins as harness_pins  # noqa: E402

NAME = "kworkshop-registry"
NETWORK = "kind"  # kind's own network: kind uses it as it is when it exists
PORT = 5000
LOCAL = f"127.0.0.1:{PORT}"  # where the harness pushes (docker allows plain HTTP to loopback)
HOSTS = ("docker.io", "gcr.io", "registry.k8s.io")
IMAGE = f"kworkshop/registry:{harness_pins.REGISTRY.version}"
CONFIG = f"""version: 0.1
storage:
  filesystem:
    rootdirectory: /var/lib/registry
  delete:
    enabled: true
http:
  addr: :{PORT}
log:
  level: warn
"""
# appended to the node image's containerd config (containerd 1.6, CRI plugin config version 2)
CONTAINERD_MIRRORS = "".join(
    f'\n[plugins."io.containerd.grpc.v1.cri".registry.mirrors."{host}"]\n'
    f'  endpoint = ["http://{NAME}:{PORT}"]\n' for host in HOSTS)


def repository_path(name: str) -> str:
    """``docker.io/library/busybox:1.36`` or ``busybox:1.36`` -> ``library/busybox:1.36`` (the path a
    mirror serves for its host)."""
    first, _, rest = name.partition("/")
    if not rest or ("." not in first and ":" not in first and first != "localhost"):
        name = f"docker.io/{name}"
        first, _, rest = name.partition("/")
    if first == "docker.io" and "/" not in rest:
        rest = f"library/{rest}"
    return rest


def ensure_network() -> None:
    """kind's network, created with kind's options (IPv4 only when IPv6 is not available)."""
    if docker.docker("network", "inspect", NETWORK, check=False).returncode == 0:
        return
    base = ["network", "create", "-d=bridge", "-o", "com.docker.network.bridge.enable_ip_masquerade=true",
            "-o", "com.docker.network.driver.mtu=1500"]
    if docker.docker(*base, "--ipv6", "--subnet", "fc00:f853:ccd:e793::/64", NETWORK, check=False).returncode:
        docker.docker(*base, NETWORK)


def registry_image() -> str:
    images.build(images.Image((IMAGE,), ("COPY registry /bin/registry", "COPY config.yml /etc/registry.yml",
                                                 "EXPOSE 5000", 'ENTRYPOINT ["/bin/registry", "serve", '
                                                 '"/etc/registry.yml"]'),
                                      {"registry": images.binary(harness_pins.REGISTRY, "registry"),
                                       "config.yml": CONFIG}))
    return IMAGE


def start() -> str:
    """The mirror running on kind's network (idempotent); returns its name."""
    ensure_network()
    image = registry_image()
    state = docker.docker("inspect", "--format", "{{.State.Running}} {{.Config.Image}}", NAME, check=False)
    if state.returncode == 0 and state.stdout.split() == ["true", image]:
        return NAME
    docker.docker("rm", "-f", NAME, check=False)
    docker.docker("run", "-d", "--name", NAME, "--restart=unless-stopped", "--net", NETWORK,
                  "-p", f"{LOCAL}:{PORT}", "-v", "kworkshop-registry:/var/lib/registry", image)
    return NAME


def push(names: list[str], log=print) -> None:
    """Push each image to the mirror under its repository path (unchanged layers are skipped)."""
    for name in names:
        local = f"{LOCAL}/{repository_path(name)}"
        docker.docker("tag", name, local)
        docker.docker("push", "-q", local, timeout=600)
        docker.docker("rmi", local, check=False)  # only the tag; the image stays under its real name
    log(f"{len(names)} images pushed to the mirror {NAME}")


def stop() -> None:
    docker.docker("rm", "-f", NAME, check=False)


if __name__ == "__main__":
    docker.start()
    start()
    push(images.build_all())
    print(subprocess.run(["curl", "-s", f"http://{LOCAL}/v2/_catalog"], capture_output=True, text=True).stdout)
