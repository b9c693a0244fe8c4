"""The chapter's load generator (listing 5-4) and, on simulated nodes, the traffic it would cause.

On the embedded cluster any running pod that loops an HTTP client (boom, hey, ab, wget, curl) at a
Service counts as load (``recognise``), however it was made; ``traffic`` turns it into CPU usage.

    kw.load.start("service/node-js-deploy", concurrency=10)
    kw.load.stop()
"""

__all__ = ["start", "stop"]


def __getattr__(name: str):
    """``start`` and ``stop`` load on first use: ``import kworkshop.load`` stays lean."""
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from . import generator

    value = globals()[name] = getattr(generator, name)
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
