"""Fetch official release artifacts and verify them against the sha256 pinned in ``pins``.

Downloads go to a temporary file next to the destination and are moved into place only after the
checksum matched, so a wrong or truncated file never lands in the cache.

``KWORKSHOP_MIRROR`` (e.g. ``http://10.0.0.5:8080/mirror``) replaces the scheme and host of every
release URL, for classrooms that serve the artifacts from a local machine.
"""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from .. import settings
from ..errors import BinariesError, ChecksumError
from ..i18n import _
from ..progress import Status
from .pins import Artifact

CONNECT_TIMEOUT = 15.0
CHUNK = 1 << 20


def mirrored(url: str) -> str:
    """The URL to fetch, after applying ``KWORKSHOP_MIRROR`` when it is set."""
    mirror = settings.MIRROR.get()
    if not mirror:
        return url
    parts = urllib.parse.urlsplit(url)
    return mirror.rstrip("/") + "/" + parts.netloc + parts.path


def fetch(artifact: Artifact, dest: Path, status: Status) -> Path:
    """Download ``artifact`` to ``dest`` (executable), verifying its pinned sha256.

    Raises ChecksumError when the bytes do not match (nothing is written), and BinariesError
    when the URL cannot be fetched.
    """
    if artifact.sha256 is None:
        raise BinariesError(_("no sha256 is pinned for {url}; refusing an unverified download")
                            .format(url=artifact.url))
    url = mirrored(artifact.url)
    data = _get(url, status)
    digest = hashlib.sha256(data).hexdigest()
    if digest != artifact.sha256.lower():
        raise ChecksumError(_(
            "{url} has sha256 {digest}, but the kit pins {pinned}: the file was not "
            "installed. A proxy or mirror may serve a different file; remove KWORKSHOP_MIRROR or "
            "fix the mirror.").format(url=url, digest=digest, pinned=artifact.sha256))
    if artifact.member:
        data = _extract(data, artifact.member, url)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp, 0o755)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return dest


def _get(url: str, status: Status) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=CONNECT_TIMEOUT) as response:
            total = int(response.headers.get("Content-Length") or 0)
            buf = io.BytesIO()
            while chunk := response.read(CHUNK):
                buf.write(chunk)
                if total:
                    status.update(_("{percent}% of {size} MiB").format(percent=buf.tell() * 100 // total,
                                                                        size=total >> 20))
            return buf.getvalue()
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise BinariesError(_("cannot download {url}: {error}").format(url=url, error=exc)) from exc


def _extract(data: bytes, member: str, url: str) -> bytes:
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            handle = tar.extractfile(member)
            if handle is None:
                raise KeyError(member)
            return handle.read()
    except (KeyError, tarfile.TarError) as exc:
        raise BinariesError(_("{url} does not contain {member}: {error}").format(url=url, member=member,
                                                                                 error=exc)) from exc
