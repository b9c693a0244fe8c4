"""kind's node image, built offline the way ``kind build node-image`` builds it (test harness only; cached).

kind v0.33.0's recipe (``pkg/build/nodeimage/buildcontext.go``), step by step, on the harness's base
image (``nodebase.py``): a build container from the base image (``sleep infinity``, not privileged);
kubelet, kubeadm and kubectl copied to ``/usr/bin`` (crictl to ``/usr/local/bin``, as kind's base has
it); ``/kind/version``; kind's default CNI and storage manifests in ``/kind/manifests`` (the templates
from kind's own source); containerd started in the container and every image kubeadm and kind need
imported with ``ctr -n k8s.io images import --no-unpack`` (the images come from ``images.py``); then
``docker commit`` with kind's entrypoint. containerd's config also names the harness's image mirror
(``mirror.py``, started and filled here) for docker.io, gcr.io and registry.k8s.io. The kubelet unit
is enabled here (the harness's base leaves it off until there is a kubelet).

The result is ``kworkshop/kind-node:<kubernetes version>-<digest>``, kept in the kit's Docker daemon
(its data root is in the kit's cache, so it survives a daemon stop) and never committed. Its labels
tell kind.py the etcd and CoreDNS tags it carries, where they differ from kubeadm's defaults.

    python tests/harness/nodeimage.py [--force]     build (or find) it and print its name
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
sys.path.insert(0, str(HERE.parent))

from harness import docker, images, mirror, nodebase  # noqa: E402
from harness import pins as harness_pins  # noqa: E402
from kworkshop.binaries import pins  # noqa: E402

REPO = "kworkshop/kind-node"
RECIPE = 2
# where kind.py reads which tags the built image carries (kworkshop/cluster/kind.py: KUBEADM_TAG_LABELS)
ETCD_LABEL = "io.x-k8s.kworkshop.etcd-image-tag"
DNS_LABEL = "io.x-k8s.kworkshop.dns-image-tag"
ENTRYPOINT = 'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]'


def kind_manifest(source: str) -> str:
    """A manifest constant of kind's ``pkg/build/nodeimage`` (``defaultCNIManifest``, ...), with the
    image constants it concatenates filled in, exactly as kind writes it into the node image."""
    module = nodebase.kind_files().parents[2] / "pkg" / "build" / "nodeimage"
    text = "\n".join(p.read_text() for p in sorted(module.glob("const*.go")))
    consts = dict(re.findall(r'^const (\w+) = "([^"]*)"', text, re.M))
    match = re.search(rf"^const {source} = `((?:[^`]|` \+ \w+ \+ `)*)`", text, re.M)
    if match is None:
        raise RuntimeError(f"{source} not found in kind's {module}")
    raw = match.group(1)
    return re.sub(r"` \+ (\w+) \+ `", lambda m: consts[m.group(1)], raw)


def node_binaries() -> dict[str, Path]:
    """Node path -> the kit's cached binary (built from Go modules when missing)."""
    node, k8s = harness_pins.KUBERNETES_NODE, pins.KUBERNETES
    return {"/usr/bin/kubelet": images.binary(node, "kubelet"), "/usr/bin/kubeadm": images.binary(node, "kubeadm"),
            "/usr/bin/kubectl": images.binary(k8s, "kubectl"),
            "/usr/local/bin/crictl": images.binary(harness_pins.CRI_TOOLS, "crictl")}


def _image_id(name: str) -> str:
    return docker.docker("image", "inspect", "--format", "{{.Id}}", name).stdout.strip()


def image_name(base: str, preload: list[str]) -> str:
    """The node image's name: Kubernetes version and a digest of everything that goes in."""
    digest = hashlib.sha256(json.dumps([RECIPE, _image_id(base), [(n, _image_id(n)) for n in preload]]).encode())
    for path in node_binaries().values():
        digest.update(path.read_bytes())
    return f"{REPO}:{pins.KUBERNETES_VERSION}-{digest.hexdigest()[:12]}"


def _exec(container: str, *argv: str, stdin: bytes | None = None, timeout: float = 300) -> str:
    out = subprocess.run(["docker", "-H", docker.HOST, "exec", "-i", container, *argv], input=stdin,
                         capture_output=True, check=False, timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} in {container} failed: {(out.stdout + out.stderr).decode()[-2000:]}")
    return out.stdout.decode()


def _write(container: str, path: str, text: str) -> None:
    _exec(container, "bash", "-c", f'mkdir -p "$(dirname {path})" && cat > {path}', stdin=text.encode())


def build(force: bool = False, log=print) -> str:
    """The node image in the kit's daemon (built when missing); returns its name."""
    base = nodebase.build(log=log)
    mirror.start()
    mirror.push(images.build_all(log=log), log=log)
    preload = images.control_plane_images()
    name = image_name(base, preload)
    if not force and docker.docker("image", "inspect", name, check=False).returncode == 0:
        log(f"{name} is already in the kit's daemon")
        return name
    t0 = time.monotonic()
    container = f"kw-node-build-{int(time.time())}"
    docker.docker("run", "-d", "--entrypoint=sleep", f"--name={container}", "--security-opt", "seccomp=unconfined",
                  base, "infinity")
    try:
        for path, src in node_binaries().items():
            docker.docker("cp", str(src), f"{container}:{path}", timeout=300)
            _exec(container, "chmod", "0755", path)
            _exec(container, "chown", "root:root", path)
        _write(container, "/kind/version", pins.KUBERNETES_VERSION)
        _write(container, "/kind/manifests/default-cni.yaml", kind_manifest("defaultCNIManifest"))
        _write(container, "/kind/manifests/default-storage.yaml", kind_manifest("defaultStorageManifest"))
        # the harness's mirror (mirror.py): containerd pulls docker.io, gcr.io and registry.k8s.io from it
        _exec(container, "bash", "-c", "cat >> /etc/containerd/config.toml", stdin=mirror.CONTAINERD_MIRRORS.encode())
        _exec(container, "ln", "-sf", "/etc/systemd/system/kubelet.service",
              "/etc/systemd/system/multi-user.target.wants/kubelet.service")
        # kind's containerdImporter: containerd in the build container, images imported unpacked later
        _exec(container, "bash", "-c", "nohup containerd > /tmp/containerd.log 2>&1 &")
        _exec(container, "bash", "-c", "for i in $(seq 50); do [ -S /run/containerd/containerd.sock ] && "
                                       "ctr version >/dev/null 2>&1 && exit 0; sleep 0.2; done; "
                                       "cat /tmp/containerd.log; exit 1")
        archive = docker.docker_bytes("save", *preload, timeout=900)
        log(f"preloading {len(preload)} images ({len(archive) / 2**20:.0f} MiB)")
        _exec(container, "ctr", "--namespace=k8s.io", "images", "import", "--label=io.cri-containerd.pinned=pinned",
              "--all-platforms", "--no-unpack", "--digests", "-", stdin=archive, timeout=900)
        listed = _exec(container, "ctr", "--namespace=k8s.io", "images", "list", "-q").split()
        if missing := [n for n in preload if n not in listed and f"docker.io/library/{n}" not in listed]:
            raise RuntimeError(f"containerd did not list {missing} after the import: {listed}")
        # sleep is PID 1 here and reaps nothing: a stopped containerd stays a zombie, so wait for "Z"
        _exec(container, "bash", "-c", "pkill containerd; for i in $(seq 100); do ps -C containerd -o stat= "
                                       "| grep -qv Z || exit 0; sleep 0.2; done; exit 1")
        _exec(container, "rm", "-f", "/tmp/containerd.log")
        docker.docker("commit", "--change", ENTRYPOINT,
                      "--change", f"LABEL {ETCD_LABEL}={images.ETCD_TAG} {DNS_LABEL}={images.COREDNS_TAG}",
                      container, name, timeout=900)
    finally:
        docker.docker("rm", "-f", "-v", container, check=False)
    size = docker.docker("image", "inspect", "--format", "{{.Size}}", name).stdout.strip()
    log(f"built {name} ({time.monotonic() - t0:.0f}s, {int(size) / 2**20:.0f} MiB)")
    return name


def latest() -> str | None:
    """The newest node image of the pinned Kubernetes version in the kit's daemon, if any."""
    out = docker.docker("images", REPO, "--format", "{{.Repository}}:{{.Tag}}", check=False).stdout.split()
    found = [n for n in out if n.split(":", 1)[1].startswith(f"{pins.KUBERNETES_VERSION}-")]
    return found[0] if found else None  # `docker images` lists the newest first


if __name__ == "__main__":
    docker.start()
    print(build(force="--force" in sys.argv))
