"""The one boundary where foreign exceptions become the kit's, and where Jupyter shows them short.

Every public verb (``kw.apply``, ``kw.rollout.undo``, ``kw.live.rollout``, ``kw.load.start``,
``kw.check...``) is wrapped once, in ``kworkshop/__init__.py``, by ``learner_facing``: an
``ApiException`` escaping it becomes the matching ``ApiError`` (404 -> NotFoundError, ...), and an
API server that does not answer becomes a ``ClusterError``, each with a sentence a learner
understands and the kubectl command that shows more. In IPython, ``install_error_display`` shows a
``KworkshopError`` as that sentence alone: a learner's mistake is not a 30-line traceback of the
kit's internals (``%xmode Verbose`` or ``kw.boundary.show_tracebacks = True`` brings them back).
"""

from __future__ import annotations

import functools
import sys
import types
from collections.abc import Callable
from typing import Any, TypeVar

from .errors import ClusterError, KworkshopError
from .i18n import _

F = TypeVar("F", bound=Callable[..., Any])
show_tracebacks = False


def _call(func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    shown = [repr(a) for a in args[:2]] + [f"{k}={v!r}" for k, v in list(kwargs.items())[:2]]
    return f"{func.__module__.replace('kworkshop.', 'kw.').replace('.kube.', '.')}.{func.__name__}({', '.join(shown)})"


def learner_facing(func: F) -> F:
    """``func`` with foreign exceptions translated (see the module docstring)."""
    if getattr(func, "__learner_facing__", False):
        return func

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except Exception as exc:
            ours = _translated(exc, func, args, kwargs)
            if ours is None:
                raise
            raise ours from exc

    wrapper.__learner_facing__ = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def _translated(exc: Exception, func: Callable[..., Any], args: tuple[Any, ...],
                kwargs: dict[str, Any]) -> KworkshopError | None:
    """The kit's error for a foreign one, or None to let ``exc`` through. The foreign classes are
    looked up in ``sys.modules``: an ``ApiException`` can only exist once ``kubernetes`` is loaded,
    and ``import kworkshop`` alone loads neither it nor urllib3."""
    exceptions = sys.modules.get("kubernetes.client.exceptions")
    if exceptions is not None and isinstance(exc, exceptions.ApiException):
        from .kube.client import translate

        hint = "kubectl get all" if exc.status == 404 else "kubectl get events --sort-by=.lastTimestamp"
        return translate(exc, _call(func, args, kwargs), hint)
    urllib3 = sys.modules.get("urllib3")
    if urllib3 is not None and isinstance(exc, urllib3.exceptions.HTTPError):
        from .cluster import DEFAULT_NAME
        from .cluster.backend import command

        return ClusterError(_("{call}: the API server does not answer ({error}). Is the cluster up? "
                              "`{status}` says, `{up}` heals it.").format(
            call=_call(func, args, kwargs), error=exc, status=command("status", DEFAULT_NAME),
            up=command("up", DEFAULT_NAME)))
    return None


def wrap_module(module: types.ModuleType) -> types.ModuleType:
    """Wrap every public function of ``module`` in place: its ``__all__``, else the functions it
    defines whose names do not start with ``_``."""
    names = getattr(module, "__all__", None) or [
        n for n, v in vars(module).items()
        if not n.startswith("_") and isinstance(v, types.FunctionType) and v.__module__ == module.__name__]
    for name in names:
        value = getattr(module, name)
        if isinstance(value, types.FunctionType):
            setattr(module, name, learner_facing(value))
    return module


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
