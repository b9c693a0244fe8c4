"""Container images built offline for the kind backend's tests (test harness only; cached in the daemon).

No registry is reachable from the kit's test machines, so every image a kind cluster runs is built
here, under the name a real cluster would pull, from the kit's pinned binaries (Go modules, see
``kworkshop/binaries/pins.py``) and Debian packages:

- kubeadm's control plane (``kubeadm config images list``): kube-apiserver, kube-controller-manager,
  kube-scheduler, kube-proxy at the pinned Kubernetes; etcd and CoreDNS at the versions the kit can
  build (their tags differ from kubeadm's defaults, so the node image carries labels that kind.py turns
  into a kubeadm patch); pause compiled from Kubernetes' own ``build/pause/linux/pause.c``;
- kind's add-ons: kindnetd (the harness's own, gomod/kind-images), local-path-provisioner, and
  local-path-helper (Debian's busybox-static); metrics-server (the kit installs it on kind clusters);
- the chapter's images: ``jonbaier/pod-scaling:0.1|0.2|0.3`` (gomod/kind-images/pod-scaling),
  ``docker/whalesay`` (Debian's cowsay), ``williamyeh/boom`` (rakyll/hey behind a ``boom`` that takes
  boom's argument order), node-problem-detector's two names (a harmless agent), ``busybox``.

Each image is made with ``docker build`` (legacy builder, no registry) from ``scratch`` or from
``kworkshop/debian-tools``, a debootstrapped bookworm with busybox-static, cowsay, iptables, conntrack
and nftables (kube-proxy and whalesay). An image already in the kit's daemon is not rebuilt unless its
recipe digest (a label) changed.

    python tests/harness/images.py [--force]
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
sys.path.insert(0, str(HERE.parent))

from harness import docker  # noqa: E402
from harness import pins as harness_pins  # noqa: E402
from harness.nodebase import mirror  # noqa: E402
from kworkshop.binaries import pins, release_dir  # noqa: E402
from kworkshop.paths import cache_dir  # noqa: E402

K8S = pins.KUBERNETES_VERSION
ETCD_TAG = f"{pins.ETCD_VERSION.lstrip('v')}-0"
COREDNS_TAG = harness_pins.COREDNS.version
# kind v0.33.0's add-on images (pkg/build/nodeimage/const_cni.go, const_storage.go) and containerd's
# sandbox image in kind's base config (images/base/files/etc/containerd/config.toml)
KINDNETD = "docker.io/kindest/kindnetd:v20260820-69b56db7"
LOCAL_PATH_PROVISIONER = "docker.io/kindest/local-path-provisioner:v20260820-69b56db7"
LOCAL_PATH_HELPER = "docker.io/kindest/local-path-helper:v20260131-7181c60a"
SANDBOX = "registry.k8s.io/pause:3.10"
DEBIAN_SUITE = "bookworm"
DEBIAN_PACKAGES = ("busybox-static", "cowsay", "iptables", "conntrack", "nftables")
DEBIAN_BASE = "kworkshop/debian-tools"
RECIPE = 1
PATH_ENV = "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# boom's argument order (`boom URL -c 10 -n 100`, as listing 5-4 uses it) for hey, whose Go flag
# parsing stops at the first argument that is not a flag: the URL moves to the end
BOOM = """#!/bin/sh
# boom (williamyeh/boom) for the kworkshop harness: rakyll/hey with boom's argument order
url=
for a do
  shift
  case $a in http://*|https://*) url=$a ;; *) set -- "$@" "$a" ;; esac
done
[ -n "$url" ] || exec /usr/local/bin/hey "$@"
exec /usr/local/bin/hey "$@" "$url"
"""


@dataclass(frozen=True)
class Image:
    """One image: its names, the lines after FROM, and the files its build context holds."""

    names: tuple[str, ...]
    lines: tuple[str, ...]
    files: dict[str, Path | str] = field(default_factory=dict)  # context path -> source file or text
    base: str = "scratch"


def binary(release: pins.Release, name: str) -> Path:
    """A pinned binary from the kit's cache, built from Go modules when missing."""
    path = release_dir(release) / name
    if not path.is_file():
        from kworkshop.binaries import gobuild
        from kworkshop.progress import LoggingStatus

        gobuild.build(release, release_dir(release), LoggingStatus())
    return path


OWN = ("kindnetd", "pod-scaling", "node-problem-detector")  # gomod/kind-images: the harness's own code


def own_binary(name: str) -> Path:
    """One of the harness's own programs (gomod/kind-images), built static into the cache when changed."""
    from kworkshop.binaries.gobuild import build_env

    module = HERE / "gomod" / "kind-images"
    digest = hashlib.sha256()
    for path in sorted(module.rglob("*")):
        if path.is_file():
            digest.update(path.read_bytes())
    out = cache_dir() / "binaries" / f"kind-images-{digest.hexdigest()[:12]}" / name
    if not out.is_file():
        subprocess.run(["go", "build", "-trimpath", "-ldflags", "-s -w -buildid=", "-o", str(out.parent) + os.sep,
                        *(f"./{n}" for n in OWN)], cwd=module, env=build_env(), check=True, timeout=1800)
    return out


def pause() -> Path:
    """Kubernetes' pause, compiled statically from the pinned module's build/pause/linux/pause.c."""
    out = cache_dir() / "kind-node" / f"pause-{K8S}"
    if out.is_file():
        return out
    src = subprocess.run(["go", "mod", "download", "-json", f"k8s.io/kubernetes@{K8S}"], capture_output=True,
                         text=True, check=True, timeout=900, cwd=tempfile.gettempdir())
    source = Path(json.loads(src.stdout)["Dir"]) / "build/pause/linux/pause.c"
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["gcc", "-Os", "-static", "-Wall", "-Werror", f'-DVERSION="{K8S}"', "-o", str(out), str(source)],
                   check=True, timeout=120)
    subprocess.run(["strip", str(out)], check=True)
    return out


def busybox_files(prefix: str = "bin") -> dict[str, Path | str]:
    """Debian's busybox-static and one symlink per applet (``ln:`` marks a symlink target)."""
    box = debian_rootfs_dir() / "bin/busybox"
    applets = subprocess.run([str(box), "--list"], capture_output=True, text=True, check=True).stdout.split()
    files: dict[str, Path | str] = {f"{prefix}/busybox": box}
    files.update({f"{prefix}/{a}": "ln:busybox" for a in applets if a != "busybox"})
    return files


def debian_rootfs_dir() -> Path:
    """The debootstrapped tools root filesystem (unpacked in the cache; built once)."""
    digest = hashlib.sha256(json.dumps([RECIPE, DEBIAN_SUITE, DEBIAN_PACKAGES, mirror()]).encode()).hexdigest()
    root = cache_dir() / "kind-node" / f"debian-tools-{digest[:12]}"
    if (root / ".complete").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    t0 = time.monotonic()
    subprocess.run(["debootstrap", "--variant=minbase", f"--include={','.join(DEBIAN_PACKAGES)}", DEBIAN_SUITE,
                    str(root), mirror()], check=True, capture_output=True, timeout=1800)
    for junk in ("var/cache/apt", "var/lib/apt/lists", "usr/share/doc", "usr/share/man", "usr/share/locale",
                 "usr/share/info"):
        shutil.rmtree(root / junk, ignore_errors=True)
    (root / ".complete").write_text(f"debootstrap {time.monotonic() - t0:.0f}s\n")
    return root


def debian_base() -> str:
    """``kworkshop/debian-tools:<digest>`` in the kit's daemon, imported from the rootfs."""
    root = debian_rootfs_dir()
    name = f"{DEBIAN_BASE}:{DEBIAN_SUITE}-{root.name.rsplit('-', 1)[-1]}"
    if docker.docker("image", "inspect", name, check=False).returncode != 0:
        tar = subprocess.Popen(["tar", "--numeric-owner", "--exclude=./.complete", "-C", str(root), "-c", "."],
                               stdout=subprocess.PIPE)
        subprocess.run(["docker", "-H", docker.HOST, "import", "-", name], stdin=tar.stdout, check=True,
                       capture_output=True, timeout=600)
        tar.wait()
    return name


def catalogue() -> list[Image]:
    """Every image the harness builds, in build order."""
    k8s, node = pins.KUBERNETES, harness_pins.KUBERNETES_NODE
    images = [Image((f"registry.k8s.io/{n}:{K8S}",), (PATH_ENV, f"COPY {n} /usr/local/bin/{n}"),
                    {n: binary(k8s, n)}) for n in ("kube-apiserver", "kube-controller-manager", "kube-scheduler")]
    base = debian_base()
    images += [
        Image((f"registry.k8s.io/kube-proxy:{K8S}",), (PATH_ENV, "COPY kube-proxy /usr/local/bin/kube-proxy"),
              {"kube-proxy": binary(node, "kube-proxy")}, base),
        Image((f"registry.k8s.io/etcd:{ETCD_TAG}",), (PATH_ENV, "COPY etcd /usr/local/bin/etcd"),
              {"etcd": binary(pins.ETCD, "etcd")}),
        Image((f"registry.k8s.io/coredns/coredns:{COREDNS_TAG}",), ("COPY coredns /coredns", 'ENTRYPOINT ["/coredns"]'),
              {"coredns": binary(harness_pins.COREDNS, "coredns")}),
        Image((SANDBOX, "registry.k8s.io/pause:3.10.2"), ("COPY pause /pause", 'ENTRYPOINT ["/pause"]'),
              {"pause": pause()}),
        Image((f"registry.k8s.io/metrics-server/metrics-server:{pins.METRICS_SERVER_VERSION}",),
              ("COPY metrics-server /metrics-server", 'ENTRYPOINT ["/metrics-server"]'),
              {"metrics-server": binary(pins.METRICS_SERVER, "metrics-server")}),
        Image((KINDNETD,), ("COPY kindnetd /bin/kindnetd", 'ENTRYPOINT ["/bin/kindnetd"]'),
              {"kindnetd": own_binary("kindnetd")}),
        Image((LOCAL_PATH_PROVISIONER,), (PATH_ENV, "COPY local-path-provisioner /usr/local/bin/",
                                          'ENTRYPOINT ["/usr/local/bin/local-path-provisioner"]'),
              {"local-path-provisioner": binary(harness_pins.LOCAL_PATH_PROVISIONER, "local-path-provisioner")}),
        Image((LOCAL_PATH_HELPER, "busybox:latest", "busybox:1.36", "busybox:1.28"),
              (PATH_ENV, "COPY bin /bin", 'CMD ["sh"]'), busybox_files()),
    ]
    images += [Image((f"jonbaier/pod-scaling:{v}",), (f"ENV POD_SCALING_VERSION={v}", "COPY pod-scaling /pod-scaling",
                                                      "EXPOSE 80", 'ENTRYPOINT ["/pod-scaling"]'),
                     {"pod-scaling": own_binary("pod-scaling")}) for v in ("0.1", "0.2", "0.3")]
    images += [
        Image(("williamyeh/boom:latest",), (PATH_ENV, "COPY bin /bin", "COPY hey boom /usr/local/bin/",
                                            'ENTRYPOINT ["/usr/local/bin/boom"]'),
              {**busybox_files(), "hey": binary(harness_pins.HEY, "hey"), "boom": BOOM}),
        Image(("docker/whalesay:latest",), (f"{PATH_ENV}:/usr/games", "WORKDIR /cowsay", 'CMD ["/bin/bash"]'),
              {}, base),
        Image(("gcr.io/google_containers/node-problem-detector:v0.1",
               "registry.k8s.io/node-problem-detector/node-problem-detector:v0.8.20"),
              ("COPY node-problem-detector /node-problem-detector", 'ENTRYPOINT ["/node-problem-detector"]'),
              {"node-problem-detector": own_binary("node-problem-detector")}),
    ]
    return images


def recipe_digest(image: Image) -> str:
    digest = hashlib.sha256(json.dumps([RECIPE, image.names, image.lines, image.base]).encode())
    for rel, src in sorted(image.files.items()):
        digest.update(rel.encode())
        digest.update(src.encode() if isinstance(src, str) else src.read_bytes())
    return digest.hexdigest()[:16]


def build(image: Image, force: bool = False) -> bool:
    """Build ``image`` into the kit's daemon unless it is there with the same recipe; True if built."""
    digest = recipe_digest(image)
    label = "io.x-k8s.kworkshop.recipe"
    have = docker.docker("image", "inspect", "--format", f'{{{{index .Config.Labels "{label}"}}}}', image.names[0],
                         check=False)
    if not force and have.returncode == 0 and have.stdout.strip() == digest:
        missing = [n for n in image.names[1:] if docker.docker("image", "inspect", n, check=False).returncode]
        for name in missing:
            docker.docker("tag", image.names[0], name)
        return False
    with tempfile.TemporaryDirectory(prefix="kw-image-") as tmp:
        ctx = Path(tmp)
        for rel, src in image.files.items():
            target = ctx / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(src, str) and src.startswith("ln:"):
                target.symlink_to(src[3:])
            elif isinstance(src, str):
                target.write_text(src)
                target.chmod(0o755)
            else:
                shutil.copy2(src, target)
        lines = [f"FROM {image.base}", *image.lines, f"LABEL {label}={digest}"]
        (ctx / "Dockerfile").write_text("\n".join(lines) + "\n")
        argv = ["docker", "-H", docker.HOST, "build", "-q", *(a for n in image.names for a in ("-t", n)), str(ctx)]
        out = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=900,
                             env={**os.environ, "DOCKER_BUILDKIT": "0"})
        if out.returncode != 0:
            raise RuntimeError(f"docker build {image.names[0]} failed: {out.stdout}{out.stderr}")
    return True


def build_all(force: bool = False, log=print) -> list[str]:
    """Every image of ``catalogue()`` in the kit's daemon; returns their names."""
    names: list[str] = []
    for image in catalogue():
        t0 = time.monotonic()
        if build(image, force):
            log(f"built {', '.join(image.names)} ({time.monotonic() - t0:.0f}s)")
        names += image.names
    return names


def control_plane_images() -> list[str]:
    """What the node image preloads into containerd: kubeadm's images (etcd/CoreDNS at the kit's tags),
    containerd's sandbox image and kind's add-ons."""
    return [f"registry.k8s.io/{n}:{K8S}" for n in ("kube-apiserver", "kube-controller-manager", "kube-scheduler",
                                                   "kube-proxy")] + [
        f"registry.k8s.io/etcd:{ETCD_TAG}", f"registry.k8s.io/coredns/coredns:{COREDNS_TAG}", SANDBOX,
        "registry.k8s.io/pause:3.10.2", KINDNETD, LOCAL_PATH_PROVISIONER, LOCAL_PATH_HELPER]


if __name__ == "__main__":
    docker.start()
    for line in build_all(force="--force" in sys.argv):
        print(line)
