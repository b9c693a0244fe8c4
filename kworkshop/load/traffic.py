"""The traffic model: how much CPU the pods behind a Service use while a load generator runs.

Simulated pods serve no requests, so on the embedded cluster the kit computes what the chapter's
``boom`` loop would cost and writes it where KWOK reads CPU usage (the pod annotation
``kwok.x-k8s.io/usage-cpu``). metrics-server and the real HPA controller take it from there.

The model, in one function (``cpu_per_pod``):

* each boom worker keeps ``REQUESTS_PER_WORKER`` requests per second going (boom -c C runs C
  workers; ``-n 100`` then ``sleep 1`` in a loop averages out to about that);
* a generator Deployment with R replicas at concurrency C sends R x C x REQUESTS_PER_WORKER req/s;
* the Service spreads them evenly over its ready pods (kube-proxy picks endpoints at random);
* each request costs ``CPU_PER_REQUEST_M`` millicores-seconds, on top of an idle ``IDLE_M``.

With the chapter's numbers (1 generator, concurrency 10, pods requesting 100m CPU) each of 3 pods
runs at ~67% of its request, and still ~34% at 6 pods: far over the 10% target, so the HPA goes to
its maximum; once the generator is gone every pod falls back to 1% and the HPA returns to its minimum.
"""

from __future__ import annotations

from dataclasses import dataclass

REQUESTS_PER_WORKER = 20.0
CPU_PER_REQUEST_M = 1.0
IDLE_M = 1.0


@dataclass(frozen=True)
class Load:
    """A load generator aimed at a Service."""

    concurrency: int
    replicas: int

    @property
    def requests_per_second(self) -> float:
        return max(0, self.concurrency) * max(0, self.replicas) * REQUESTS_PER_WORKER


def cpu_per_pod(loads: list[Load], ready_pods: int, cost_m: float = CPU_PER_REQUEST_M, idle_m: float = IDLE_M) -> int:
    """Millicores each ready pod behind the Service uses under ``loads``.

    >>> cpu_per_pod([Load(concurrency=10, replicas=1)], ready_pods=3)
    68
    >>> cpu_per_pod([], ready_pods=3)
    1
    """
    if ready_pods <= 0:
        return round(idle_m)
    total = sum(load.requests_per_second for load in loads)
    return round(idle_m + total * cost_m / ready_pods)
