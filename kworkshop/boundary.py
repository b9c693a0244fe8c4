"""Where Jupyter shows the kit's errors short.

The kit's errors are made where they happen (API errors in the transport, ``kube/transport.py``);
here, in IPython, ``install_error_display`` shows a ``KworkshopError`` as its sentence and the
kubectl command that shows more: a learner's mistake is not a 30-line traceback of the kit's
internals (``%xmode Verbose`` or ``kw.boundary.show_tracebacks = True`` brings them back).
"""

from __future__ import annotations

import sys
from typing import Any

from .errors import KworkshopError
from .i18n import _

show_tracebacks = False


def _show(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: int | None = None) -> None:
    """Show a KworkshopError as its sentence. It is still an error output (the kernel reports the
    cell failed), so papermill and nbval see the failure; IPython leaves the display to us."""
    if show_tracebacks or shell.InteractiveTB.mode == "Verbose":
        stb = shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
    else:
        text = f"\x1b[0;31m✗ {etype.__name__}\x1b[0m: {value}"
        hint = getattr(value, "hint", "")
        if hint and hint not in str(value):
            text += "\n  " + _("more: {hint}").format(hint=hint)
        stb = [text]
    shell._showtraceback(etype, value, stb)


def install_error_display() -> None:
    """In IPython, show the kit's errors as one sentence (nothing happens elsewhere; IPython is
    not imported where it is not already running)."""
    if "IPython" not in sys.modules:
        return
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        shell.set_custom_exc((KworkshopError,), _show)
