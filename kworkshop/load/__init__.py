"""The chapter's load generator (listing 5-4) and, on simulated nodes, the traffic it would cause.

On the embedded cluster any running pod that loops an HTTP client (boom, hey, ab, wget, curl) at a
Service counts as load (``recognise``), however it was made; ``traffic`` turns it into CPU usage.

    kw.load.start("service/node-js-deploy", concurrency=10)
    kw.load.stop()
"""

from .generator import start, stop

__all__ = ["start", "stop"]
