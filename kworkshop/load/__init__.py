"""The chapter's load generator (listing 5-4) and, on simulated nodes, the traffic it would cause.

    kw.load.start("service/node-js-deploy", concurrency=10)
    kw.load.stop()
"""

from .generator import start, stop

__all__ = ["start", "stop"]
