"""Build pinned binaries from Go modules, for machines that reach the Go module proxy but no
release download.

Each release has a wrapper module under ``gomod/`` whose go.mod and go.sum are committed: builds are
reproducible and verified against the checksum database. ``k8s.io/kubernetes`` cannot be built with
``go install pkg@version`` (its go.mod replaces 33 staging modules with local paths), so its wrapper
replaces each one with the published v0.36.x tag; etcd's server module has local replaces too.

The package's gomod folder may be read-only (a wheel install, a conda env), so the wrapper is
copied to a scratch folder first. Go's caches live under the kit's cache (``<cache>/go/mod`` and
``<cache>/go/build``) unless the user set GOMODCACHE or GOCACHE: deleting the kit's cache then resets
everything it built, and the releases that share k8s.io packages (the cluster, the node image, e2e)
compile those packages once.

Where the minutes go on a cold machine: module downloads wait on the network, compiling on the
cores. ``prefetch`` starts every release's download at once so they overlap the first compile, and
``build`` returns both figures so ``kworkshop install`` can print them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .. import paths, programs
from ..errors import BinariesError, BuildError, CommandError
from ..i18n import _
from ..progress import Status
from .pins import Release

GO_MIN = (1, 26)


def go_binary() -> str:
    """The path of a Go toolchain new enough for the pins, or BinariesError saying what to install."""
    go = shutil.which("go")
    if go is None:
        raise BinariesError(_(
            "Go is not installed, and the cluster's binaries are neither cached nor downloadable. "
            "Install Go >= 1.26 (https://go.dev/doc/install, or `conda install -c conda-forge go`) "
            "and run `kworkshop install` again."))
    out = programs.run([go, "env", "GOVERSION"], timeout=60, what="go env", check=False)
    version = out.stdout.strip().removeprefix("go")
    try:
        found = tuple(int(p) for p in version.split(".")[:2])
    except ValueError:
        found = (0, 0)
    if found < GO_MIN:
        raise BinariesError(_(
            "Go {version} at {path} is too old to build the cluster's binaries; "
            "Go >= {minimum} is needed. Upgrade Go and run `kworkshop install`.").format(
                version=version or _("(unknown)"), path=go, minimum=f"{GO_MIN[0]}.{GO_MIN[1]}"))
    return go


def build_env() -> dict[str, str]:
    """The environment for `go build`: static binaries, no toolchain download, caches under the kit's."""
    env = dict(os.environ)
    env.update(CGO_ENABLED="0", GOTOOLCHAIN="local", GOFLAGS="-mod=readonly")
    env.setdefault("GOMODCACHE", str(paths.cache_dir() / "go" / "mod"))
    env.setdefault("GOCACHE", str(paths.cache_dir() / "go" / "build"))
    return env


@dataclass(frozen=True)
class BuildTimes:
    """Seconds one release spent waiting for module downloads and compiling."""

    download: float
    compile: float


_prefetches: dict[str, threading.Thread] = {}
_prefetch_lock = threading.Lock()


def prefetch(releases: tuple[Release, ...]) -> None:
    """Start downloading each release's modules on a thread of its own, so the downloads overlap a compile.

    ``build`` waits for its release's prefetch, then runs ``go mod download`` itself (instant from the
    cache, and the one whose failure is reported). A failed prefetch is therefore harmless.
    """
    try:
        go = go_binary()
    except BinariesError:
        return  # build() reports it
    for release in releases:
        with _prefetch_lock:
            if release.gomod in _prefetches:
                continue
            thread = threading.Thread(target=_download_quietly, args=(go, release), daemon=True,
                                      name=f"go-mod-download-{release.name}")
            _prefetches[release.gomod] = thread
        thread.start()


def _download_quietly(go: str, release: Release) -> None:
    with tempfile.TemporaryDirectory(prefix=f"kworkshop-prefetch-{release.name}-") as scratch:
        _copy_wrapper(release, Path(scratch))
        with contextlib.suppress(CommandError):  # a head start only: the build downloads what is missing
            programs.run([go, "mod", "download"], timeout=1800, what="go mod download", check=False, cwd=scratch,
                         env=build_env())


def _copy_wrapper(release: Release, scratch: Path) -> None:
    root = Path(release.gomod_root) if release.gomod_root else resources.files("kworkshop.binaries").joinpath("gomod")
    source = root.joinpath(release.gomod)
    for name in ("go.mod", "go.sum", "tools.go"):
        Path(scratch, name).write_bytes(source.joinpath(name).read_bytes())


def build_argv(go: str, release: Release, outdir: Path) -> list[str]:
    """The `go build` (or `go test -c`) command line that builds every binary of ``release`` into ``outdir``."""
    ldflags = " ".join(("-s", "-w", "-buildid=", *release.ldflags))
    argv = [go, *release.go_verb, "-trimpath", "-ldflags", ldflags]
    if release.tags:
        argv += ["-tags", ",".join(release.tags)]
    if len(release.packages) == 1:
        argv += ["-o", str(outdir / release.binaries[0])]
    else:
        argv += ["-o", str(outdir) + os.sep]  # an -o ending in a separator writes each binary there
    return argv + list(release.packages)


def build(release: Release, outdir: Path, status: Status) -> BuildTimes:
    """Build ``release`` with the local Go toolchain into ``outdir`` (created); the seconds each stage took."""
    go = go_binary()
    outdir.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"kworkshop-build-{release.name}-") as scratch:
        _copy_wrapper(release, Path(scratch))
        with _prefetch_lock:
            pending = _prefetches.get(release.gomod)
        if pending is not None:
            pending.join()
        _run([go, "mod", "download"], Path(scratch), release, status, _("downloading Go modules"))
        t1 = time.monotonic()
        _run(build_argv(go, release, outdir), Path(scratch), release, status, _("compiling"))
        t2 = time.monotonic()
    missing = [b for b in release.binaries if not (outdir / b).is_file()]
    if missing:
        raise BinariesError(_("go build of {name} finished without producing {missing}").format(
            name=release.name, missing=missing))
    return BuildTimes(download=t1 - t0, compile=t2 - t1)


def _run(argv: list[str], cwd: Path, release: Release, status: Status, what: str) -> None:
    """Run a go command, streaming a heartbeat to ``status`` and keeping the output for errors.

    ``what`` is the stage, already translated (``downloading Go modules``, ``compiling``).
    """
    t0 = time.monotonic()
    with tempfile.TemporaryFile(mode="w+") as log:
        proc = subprocess.Popen(argv, cwd=cwd, env=build_env(), stdout=log, stderr=subprocess.STDOUT)
        try:
            while True:
                try:
                    proc.wait(timeout=15)
                    break
                except subprocess.TimeoutExpired:
                    status.update(_("{name}: {what}, {seconds}s").format(
                        name=release.name, what=what, seconds=f"{time.monotonic() - t0:.0f}"))
        finally:
            if proc.poll() is None:  # interrupted: never leave a compiler running behind us
                proc.kill()
                proc.wait()
        log.seek(0)
        output = log.read()
    if proc.returncode != 0:
        raise BuildError(_(
            "building {name} {version} from Go modules failed while {what}. "
            "Check that the Go module proxy is reachable (`go env GOPROXY`) and that the disk has "
            "a few GB free, then run `kworkshop install` again.").format(
                name=release.name, version=release.version, what=what),
            argv, output, proc.returncode)
