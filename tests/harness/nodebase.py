"""The kind node's base image, built offline from Debian packages (test harness only; cached).

kind's own base image (sigs.k8s.io/kind ``images/base/Dockerfile``) is Debian with systemd,
containerd, runc, iptables and a few tools, plus kind's entrypoint and systemd units. No registry is
reachable from the kit's test machines, so this builds the equivalent with ``debootstrap`` from the
Debian mirror the machine's apt already uses, copies kind's ``images/base/files`` from the pinned
kind module (``go mod download``), repeats the Dockerfile's systemd clean-up, and ``docker import``s
the result as ``kworkshop/kind-base:<tag>``.

Differences from kind's image (deliberate, for now): Debian bookworm, not trixie (bookworm's
systemd 252 still boots on cgroup v1 hosts; trixie's 257 needs an override), and Debian's containerd
1.6 and runc 1.1 instead of kind's own builds of containerd 2.x and runc 1.4.

The rootfs tarball is kept in ``<kit cache>/kind-node/base-<tag>.tar.zst``; the tag changes with
``RECIPE`` and every input, so a changed recipe builds anew. Nothing here is committed.

    python tests/harness/nodebase.py [--force]
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
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
sys.path.insert(0, str(HERE.parent))

from harness import docker  # noqa: E402
from kworkshop.binaries.pins import KIND_VERSION  # noqa: E402
from kworkshop.paths import cache_dir  # noqa: E402

RECIPE = 2  # bump when the steps below change in a way the inputs do not show
SUITE = "bookworm"
REPO = "kworkshop/kind-base"
# kind's base image packages (images/base/Dockerfile) that bookworm has, with Debian's container
# runtime in place of kind's own builds; fuse-overlayfs (rootless), nfs-common and open-iscsi left out
PACKAGES = ("systemd", "dbus", "conntrack", "iptables", "nftables", "iproute2", "ethtool", "util-linux",
            "mount", "kmod", "libseccomp2", "pigz", "e2fsprogs", "bash", "ca-certificates", "curl", "jq",
            "procps", "containerd", "runc", "containernetworking-plugins")
# kind's Dockerfile: units that make no sense in a container
REMOVE_GLOBS = ("lib/systemd/system/multi-user.target.wants/*", "etc/systemd/system/*.wants/*",
                "lib/systemd/system/local-fs.target.wants/*", "lib/systemd/system/sockets.target.wants/*udev*",
                "lib/systemd/system/sockets.target.wants/*initctl*", "lib/systemd/system/basic.target.wants/*",
                "lib/systemd/system/sysinit.target.wants/systemd-tmpfiles-setup.service")
# kind's final stage; `docker import --change` refuses STOPSIGNAL, so a one-stage build adds them
IMAGE_CONFIG = ("ENV container=docker", "STOPSIGNAL SIGRTMIN+3",
                'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]')


def mirror() -> str:
    """The Debian mirror this machine's apt uses (deb822 or one-line sources), else deb.debian.org."""
    for path in sorted(Path("/etc/apt").glob("sources.list*")) + sorted(Path("/etc/apt/sources.list.d").glob("*")):
        if not path.is_file() or path.name.endswith(("disabled", ".save")):
            continue
        for line in path.read_text(errors="replace").splitlines():
            words = line.split()
            urls = words[1:] if words[:1] == ["URIs:"] else words[1:2] if words[:1] == ["deb"] else []
            for url in urls:
                if url.rstrip("/").endswith("/debian"):
                    return url
    return "http://deb.debian.org/debian"


def kind_files() -> Path:
    """``images/base/files`` of the pinned kind module, downloaded with ``go mod download``."""
    out = subprocess.run(["go", "mod", "download", "-json", f"sigs.k8s.io/kind@{KIND_VERSION}"],
                         capture_output=True, text=True, check=True, timeout=600, cwd=tempfile.gettempdir())
    return Path(json.loads(out.stdout)["Dir"]) / "images" / "base" / "files"


def rootfs_digest() -> str:
    """A digest of everything the root filesystem is made from."""
    digest = hashlib.sha256(json.dumps([RECIPE, SUITE, PACKAGES, REMOVE_GLOBS, KIND_VERSION, mirror()]).encode())
    for path in sorted(p for p in kind_files().rglob("*") if p.is_file()):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def tag() -> str:
    """The image tag: suite, kind version, and a digest of the rootfs and the image's config."""
    digest = hashlib.sha256(json.dumps([rootfs_digest(), IMAGE_CONFIG]).encode()).hexdigest()
    return f"{SUITE}-kind{KIND_VERSION}-{digest[:12]}"


def image() -> str:
    return f"{REPO}:{tag()}"


def tarball() -> Path:
    return cache_dir() / "kind-node" / f"base-{SUITE}-{rootfs_digest()[:12]}.tar.zst"


def _sh(argv: list[str], timeout: float = 1800, **kw) -> None:
    out = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=timeout, **kw)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:4])} ... failed ({out.returncode}): {(out.stdout + out.stderr)[-2000:]}")


def _unmount_under(root: Path) -> None:
    """Lazily unmount anything still mounted inside ``root``, deepest first."""
    with open("/proc/self/mounts") as f:
        points = [line.split()[1] for line in f]
    for point in sorted((p for p in points if p.startswith(f"{root}/")), reverse=True):
        subprocess.run(["umount", "-l", point], check=False)


def configure(root: Path, files: Path) -> None:
    """kind's Dockerfile steps on the debootstrapped tree (files, unit clean-up, containerd spec)."""
    shutil.copytree(files, root, dirs_exist_ok=True, symlinks=True)
    for sub in ("usr/local/bin", "kind/bin"):
        for path in (root / sub).iterdir():
            path.chmod(0o755)
    shutil.rmtree(root / "LICENSES", ignore_errors=True)
    for pattern in REMOVE_GLOBS:
        for path in root.glob(pattern):
            path.unlink()
    with open(root / "etc/systemd/journald.conf", "a") as f:
        f.write("ReadKMsg=no\n")
    init = root / "sbin/init"
    if init.exists() or init.is_symlink():
        init.unlink()
    init.symlink_to("/usr/lib/systemd/systemd")
    # kind builds containerd into /usr/local/bin; Debian's is /usr/bin/containerd
    unit = root / "etc/systemd/system/containerd.service"
    unit.write_text(unit.read_text().replace("/usr/local/bin/containerd", "/usr/bin/containerd"))
    # Without CAP_SYS_RESOURCE nothing in the node may lower oom_score_adj (containerd's -999 does not
    # apply, it stays 0), and runc init dies writing the kubelet's -998 for a pod sandbox ("can't get
    # final child's PID from pipe: EOF"). containerd's rootless switch clamps the value to its own.
    config = root / "etc/containerd/config.toml"
    config.write_text(config.read_text().replace("restrict_oom_score_adj = false", "restrict_oom_score_adj = true"))
    # kind's CNI plugins live in /opt/cni/bin; Debian's in /usr/lib/cni
    (root / "opt/cni").mkdir(parents=True, exist_ok=True)
    (root / "opt/cni/bin").symlink_to("/usr/lib/cni")
    wants = root / "etc/systemd/system/multi-user.target.wants"
    wants.mkdir(parents=True, exist_ok=True)
    for name in ("containerd.service", "undo-mount-hacks.service"):  # kubelet comes with the node image
        (wants / name).symlink_to(f"/etc/systemd/system/{name}")
    (root / "etc/systemd/system/systemd-binfmt.service").symlink_to("/dev/null")
    (root / "etc/kubernetes/manifests").mkdir(parents=True, exist_ok=True)
    # the CRI base spec, as kind makes it: `ctr oci spec` + kind's product-files hook, no rlimits
    out = subprocess.run(["chroot", str(root), "ctr", "oci", "spec"], capture_output=True, text=True, check=True)
    spec = json.loads(out.stdout)
    spec["process"].pop("rlimits", None)
    spec.setdefault("hooks", {}).setdefault("createContainer", []).append({"path": "/kind/bin/mount-product-files.sh"})
    (root / "etc/containerd/cri-base.json").write_text(json.dumps(spec, indent=4))
    for junk in ("var/cache/apt/archives", "var/lib/apt/lists"):
        for path in (root / junk).glob("*"):
            if path.is_file():
                path.unlink()


def build(force: bool = False, log=print) -> str:
    """The base image in the kit's daemon: imported from the cached tarball, or built first."""
    name, archive = image(), tarball()
    if not force and docker.docker("image", "inspect", name, check=False).returncode == 0:
        log(f"{name} is already in the kit's daemon")
        return name
    if force or not archive.exists():
        tools = {"debootstrap": "debootstrap", "zstd": "zstd"}
        if missing := [pkg for tool, pkg in tools.items() if not shutil.which(tool)]:
            _sh(["apt-get", "install", "-y", "-q", *missing], env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        archive.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="kw-rootfs-", dir=archive.parent) as tmp:
            root = Path(tmp) / "rootfs"
            try:
                t0 = time.monotonic()
                _sh(["debootstrap", "--variant=minbase", f"--include={','.join(PACKAGES)}", SUITE, str(root),
                     mirror()])
                log(f"debootstrap {SUITE}: {time.monotonic() - t0:.0f}s")
                configure(root, kind_files())
                t0 = time.monotonic()
                partial = archive.with_suffix(".partial")
                _sh(["bash", "-o", "pipefail", "-c",
                     f'tar --numeric-owner --xattrs -C "{root}" -c . | zstd -q -T0 -3 -o "{partial}" -f'])
                partial.rename(archive)
            finally:
                _unmount_under(root)  # a failed debootstrap can leave /proc mounted: never delete through it
            log(f"rootfs archived: {archive} ({archive.stat().st_size / 2**20:.0f} MiB, "
                f"{time.monotonic() - t0:.0f}s)")
    t0 = time.monotonic()
    _sh(["sh", "-c", f'zstd -dc "{archive}" | docker -H {docker.HOST} import - {name}-rootfs'])
    dockerfile = "\n".join((f"FROM {name}-rootfs", *IMAGE_CONFIG)) + "\n"
    _sh(["docker", "-H", docker.HOST, "build", "-q", "-t", name, "-"], input=dockerfile,
        env={**os.environ, "DOCKER_BUILDKIT": "0"})
    docker.docker("image", "rm", f"{name}-rootfs", check=False)
    log(f"imported {name} ({time.monotonic() - t0:.0f}s)")
    return name


if __name__ == "__main__":
    docker.start()
    print(build(force="--force" in sys.argv))
