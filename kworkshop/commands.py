"""The ``kworkshop`` command lines the kit tells people to type, written one way everywhere."""

from __future__ import annotations

from . import settings

PLAIN_NAME = settings.CLUSTER.default  # the cluster a command means without --name


def command(verb: str, name: str, *extra: str) -> str:
    """The CLI command for ``verb`` on cluster ``name``, e.g. ``kworkshop env --name X``.

    ``--name`` is left out only for the plain default name, and only when no KWORKSHOP_CLUSTER
    would make the same command mean another cluster in this shell.
    """
    plain = name == PLAIN_NAME and settings.CLUSTER.get() == PLAIN_NAME
    return " ".join(["kworkshop", verb, *extra, *([] if plain else ["--name", name])])
