"""Where kworkshop keeps things on disk, following the XDG base-directory convention.

* cache (``$XDG_CACHE_HOME/kworkshop``): pinned binaries, reusable, safe to delete.
* state (``$XDG_STATE_HOME/kworkshop``): running clusters (certificates, etcd data, logs, pids).

``KWORKSHOP_CACHE_DIR`` and ``KWORKSHOP_STATE_DIR`` (``settings``) override both, e.g. for an isolated test run.
"""

from __future__ import annotations

import os
from pathlib import Path

from . import settings


def cache_dir() -> Path:
    """The per-user cache directory (binaries)."""
    if env := settings.CACHE_DIR.get():
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "kworkshop"


def state_dir() -> Path:
    """The per-user state directory (cluster working directories)."""
    if env := settings.STATE_DIR.get():
        return Path(env).expanduser()
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "kworkshop"
