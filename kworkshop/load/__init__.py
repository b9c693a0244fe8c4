"""The chapter's load generator (listing 5-4): a Deployment that loops an HTTP client at a Service.

On the embedded cluster nothing answers it; the node agent (``agent/``) recognises any pod that
loops an HTTP client (boom, hey, ab, wget, curl) at a Service (``agent.recognise``), however it was
made, and turns it into CPU usage of the Service's pods (``agent.traffic``).

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
