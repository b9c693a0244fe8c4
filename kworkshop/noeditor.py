"""`kubectl edit` in a notebook cell: what to do instead of waiting on an editor nobody can type into.

A `!` line has no terminal, so an editor started there waits forever and the cell hangs. The
session (``kw.start``) sets ``KUBE_EDITOR`` to this module: kubectl runs it on the object's YAML
file, it says in one sentence how to change the object from a notebook and leaves the file as it
was, so kubectl answers "Edit cancelled, no changes made." (a non-zero exit would add kubectl's
"there was a problem with the editor", which reads as a fault). A Terminal (File → New → Terminal)
keeps the learner's own editor.
"""

from __future__ import annotations

import sys

from .i18n import _


def advice() -> str:
    return _("kubectl edit needs a terminal to type in, and a notebook cell has none: nothing was changed. "
             "In a cell, use `kubectl set image`, `kubectl scale` or `kubectl patch`, or write the object to a "
             "file (`kubectl get deployment NAME -o yaml > mine/NAME.yaml`), open it from the file browser, edit, "
             "save, and `kubectl apply -f mine/NAME.yaml`. In a Terminal (File → New → Terminal) kubectl edit works.")


def command() -> str:
    """The ``KUBE_EDITOR`` value that runs this module with the kit's Python."""
    return f"{sys.executable} -m kworkshop.noeditor"


def main() -> int:
    print(advice(), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
