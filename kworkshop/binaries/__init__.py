"""Getting the cluster's pinned binaries: the cache, PATH, an official download, or a Go build.

``install()`` walks that list for each release in ``pins`` and stops at the first source that
works, so a second run is instant and a machine without internet still gets a cluster as long as
it reaches the Go module proxy. Binaries land in ``<cache>/binaries/<release>-<version>/``.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from .. import paths, programs
from ..errors import BinariesError, BuildError, CommandError
from ..i18n import _
from ..progress import LoggingStatus, Status
from . import download, gobuild
from .pins import OPTIONAL, RELEASES, Release, host_arch


@dataclass(frozen=True)
class Binaries:
    """Where each pinned executable is, by name (``kube-apiserver``, ``etcd``, ``kwokctl``, ...)."""

    paths: dict[str, Path]

    def __getitem__(self, name: str) -> Path:
        return self.paths[name]

    @property
    def kubectl_dir(self) -> Path:
        """The folder to put first on PATH so `kubectl` is the pinned one."""
        return self.paths["kubectl"].parent


def release_dir(release: Release) -> Path:
    """The cache folder of one release."""
    return paths.cache_dir() / "binaries" / release.cache_key


def cached(release: Release) -> dict[str, Path] | None:
    """The release's binaries in the cache, or None if any is missing."""
    folder = release_dir(release)
    found = {name: folder / name for name in release.binaries}
    if all(p.is_file() and os.access(p, os.X_OK) for p in found.values()):
        return found
    return None


def on_path(release: Release) -> dict[str, Path] | None:
    """The release's binaries on PATH, if every one reports the pinned version."""
    found: dict[str, Path] = {}
    for name in release.binaries:
        exe = shutil.which(name)
        if exe is None or not _reports_version(exe, release):
            return None
        found[name] = Path(exe)
    return found


def _reports_version(exe: str, release: Release) -> bool:
    args = ["version", "--client"] if Path(exe).name == "kubectl" else list(release.version_args)
    try:
        out = programs.run([exe, *args], timeout=20, what=Path(exe).name, check=False)
    except CommandError:
        return False
    text = out.stdout + out.stderr
    marker = "Client Version: " + release.version if Path(exe).name == "kubectl" else release.version_marker
    return marker in text


def locate() -> Binaries | None:
    """Every pinned binary from the cache or PATH, without downloading or building; None if any is missing."""
    found: dict[str, Path] = {}
    for release in RELEASES:
        got = cached(release) or on_path(release)
        if got is None:
            return None
        found.update(got)
    return Binaries(found)


def install(status: Status | None = None, *, allow_download: bool = True, allow_build: bool = True,
            force: bool = False, releases: tuple[Release, ...] | None = None) -> Binaries:
    """Make sure every pinned binary (of ``releases``, default the embedded cluster's) is available.

    Order per release: cache, PATH, official download (only for artifacts with a pinned sha256),
    build from Go modules. Raises BinariesError naming what is missing and the command that fixes it.
    """
    status = status or LoggingStatus()
    found: dict[str, Path] = {}
    wanted = RELEASES if releases is None else releases
    present = {r.name: None if force else (cached(r) or on_path(r)) for r in wanted}
    if allow_build:  # module downloads overlap the first compile (a failed release download builds too)
        gobuild.prefetch(tuple(r for r in wanted if present[r.name] is None))
    for release in wanted:
        got = present[release.name] or _obtain(release, status, allow_download, allow_build)
        found.update(got)
    return Binaries(found)


def _obtain(release: Release, status: Status, allow_download: bool, allow_build: bool) -> dict[str, Path]:
    folder = release_dir(release)
    reasons: list[str] = []
    artifacts = release.downloads.get(host_arch(), {})
    if allow_download and artifacts and all(a.sha256 for a in artifacts.values()):
        status.start(_("Downloading {name} {version}").format(name=release.name, version=release.version))
        try:
            for name in release.binaries:
                download.fetch(artifacts[name], folder / name, status)
            status.end(True)
            return {name: folder / name for name in release.binaries}
        except BinariesError as exc:
            reasons.append(_("download: {error}").format(error=exc))
            short = str(exc)[:90]
            status.end(False, _("{error}; building instead").format(error=short) if allow_build else short)
    elif not artifacts or not all(a.sha256 for a in artifacts.values()):
        reasons.append(_("download: no release artifact with a pinned sha256 for this platform"))
    if allow_build:
        try:
            status.start(_("Building {name} {version} from Go modules").format(name=release.name,
                                                                               version=release.version))
            try:
                took = gobuild.build(release, folder, status)
            except BaseException:
                status.end(False)
                raise
            status.end(True, _("modules {download}s, compiling {compile}s").format(
                download=f"{took.download:.0f}", compile=f"{took.compile:.0f}"))
            return {name: folder / name for name in release.binaries}
        except BuildError:
            raise
        except BinariesError as exc:
            reasons.append(_("build: {error}").format(error=exc))
    raise BinariesError(_(
        "{name} {version} ({binaries}) is not installed and could not be obtained:\n  - {reasons}\n"
        "Run `kworkshop install` on a machine with Go >= 1.26 and access to the Go module proxy.").format(
            name=release.name, version=release.version, binaries=", ".join(release.binaries),
            reasons="\n  - ".join(reasons or [_("downloads and builds were disabled")])))



def install_optional(backend: str, status: Status | None = None) -> Binaries:
    """The binaries only one backend needs (``kind``), obtained like the others."""
    return install(status, releases=OPTIONAL[backend])
