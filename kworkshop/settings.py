"""Every ``KWORKSHOP_*`` environment variable, defined once: its name, its default and one line of why.

The kit reads them only through these objects (``settings.CLUSTER.get()``), never ``os.environ``
directly, so this list is the whole truth; the README's Settings table is kept in step with it by
``tests/unit/test_settings.py``, which also finds every ``KWORKSHOP_*`` name the repository mentions.
A value is read when it is asked for, not at import (a notebook may set one in its first cell),
except where a module says otherwise. An empty value counts as unset.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    """One environment variable: ``default`` applies when it is unset or empty."""

    name: str
    doc: str
    default: str = ""
    shown_default: str = ""  # how the README shows a default the code computes (a path)

    def get(self) -> str:
        """The value, stripped, or the default."""
        return os.environ.get(self.name, "").strip() or self.default

    def is_set(self) -> bool:
        return bool(os.environ.get(self.name, "").strip())

    def enabled(self) -> bool:
        """For a switch: ``1``, ``true`` or ``yes`` (any case)."""
        return self.get().lower() in ("1", "true", "yes")

    @property
    def default_text(self) -> str:
        """The default as the README shows it: a literal in code font, a computed one in words."""
        return f"`{self.default}`" if self.default else self.shown_default or "(unset)"


CLUSTER = Setting("KWORKSHOP_CLUSTER", "the cluster every command and notebook uses when none is named "
                  "(a test run, a second class; read once, when `kworkshop.cluster` is imported)", "kworkshop")
BACKEND = Setting("KWORKSHOP_BACKEND", "how a new cluster is made: `embedded`, `kind`, `kubeconfig` or `auto`",
                  "auto")
REAL_CONTAINERS = Setting("KWORKSHOP_REAL_CONTAINERS", "with `auto`, choose kind where a Docker daemon answers "
                          "(`1`)")
NAMESPACE = Setting("KWORKSHOP_NAMESPACE", "the learner's own namespace in a class (the hub sets it): every "
                    "notebook works there")
LANG = Setting("KWORKSHOP_LANG", "the kit's language, `en` or `zh_CN`", shown_default="from LC_ALL, LC_MESSAGES, LANG")
EXTRA_IMAGES = Setting("KWORKSHOP_EXTRA_IMAGES", "images added to the catalogue of images that exist (commas)")
KIND_NODE_IMAGE = Setting("KWORKSHOP_KIND_NODE_IMAGE", "kind's node image, in place of kind's own or one built "
                          "by the test harness")
MIRROR = Setting("KWORKSHOP_MIRROR", "a base URL that serves the binaries' release downloads")
CACHE_DIR = Setting("KWORKSHOP_CACHE_DIR", "binaries, Go's caches, compiled catalogues: safe to delete",
                    shown_default="`$XDG_CACHE_HOME/kworkshop`")
STATE_DIR = Setting("KWORKSHOP_STATE_DIR", "the clusters' working folders (certificates, etcd data, logs)",
                    shown_default="`$XDG_STATE_HOME/kworkshop`")
MACHINE_DIR = Setting("KWORKSHOP_MACHINE_DIR", "the port registry and lock every kit process on the machine "
                      "shares", "/tmp/kworkshop-machine")
LIVE = Setting("KWORKSHOP_LIVE", "live charts on (`1`) or off (`0`)", shown_default="on in a Jupyter kernel")
SOLUTIONS = Setting("KWORKSHOP_SOLUTIONS", "the notebooks also run their exercises' hidden solutions (`1`; "
                    "read by each notebook's parameters cell)")
TEST_STATE = Setting("KWORKSHOP_TEST_STATE", "tests only: the state folder of the test clusters",
                     shown_default="a pytest temporary folder")
TEST_KEEP = Setting("KWORKSHOP_TEST_KEEP", "tests only: leave the test cluster running afterwards (`1`)")

ALL: tuple[Setting, ...] = (CLUSTER, BACKEND, REAL_CONTAINERS, NAMESPACE, LANG, EXTRA_IMAGES, KIND_NODE_IMAGE,
                            MIRROR, CACHE_DIR, STATE_DIR, MACHINE_DIR, LIVE, SOLUTIONS, TEST_STATE, TEST_KEEP)


def markdown_table() -> str:
    """The README's Settings table."""
    rows = ["| variable | default | what it is for |", "|---|---|---|"]
    rows += [f"| `{s.name}` | {s.default_text} | {s.doc} |" for s in ALL]
    return "\n".join(rows)
