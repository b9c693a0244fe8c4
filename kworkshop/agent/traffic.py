"""The traffic model: how much CPU the pods behind a Service use while load generators run.

Simulated pods serve no requests, so on the embedded cluster the kit computes what the running load
generators (any pod whose command loops an HTTP client at a Service, see ``recognise.py``) would
cost, and writes it where KWOK reads CPU usage (the pod annotation ``kwok.x-k8s.io/usage-cpu``).
metrics-server and the real HPA controller take it from there.

The model, in three steps (``requests_per_second``, ``cpu_per_pod``, ``usage``):

* a request takes ``REQUEST_SECONDS`` per worker (a round trip on the cluster network); a client
  run of ``-n`` requests over ``-c`` workers takes n / c of them (or ``-z``, or longer under ``-q``);
* a loop iteration takes its clients' runs one after another plus its ``sleep``\\ s; clients
  started with ``&`` run beside it; each client sends its requests once per iteration;
* the Service spreads all requests aimed at it evenly over its ready pods (kube-proxy picks
  endpoints at random), each costing ``CPU_PER_REQUEST_M`` millicore-seconds on top of ``IDLE_M``,
  up to ``MAX_M`` per pod.

With the chapter's numbers: listing 5-4 (``boom -c 10 -n 100; sleep 1`` in a loop) sends 95 req/s,
so each of 3 pods requesting 100m CPU runs at ~65% of its request and still ~33% at 6; the
kubernetes.io walkthrough's ``while sleep 0.01; do wget ...; done`` sends 67 req/s: ~45% at 3 pods,
~23% at 6. Both are far over the 10% target, so the HPA goes to its maximum; once the generator's
pod is gone every pod falls back to 1% and the HPA returns to its minimum.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from ..kube import facts
from .recognise import Client, Loop, pod_loops

REQUEST_SECONDS = 0.005
CPU_PER_REQUEST_M = 2.0
IDLE_M = 1.0
MAX_M = 1000.0  # one core: the chapter's node.js server is single-threaded, and no pod beats its node


def run_seconds(client: Client) -> float:
    """How long one run of ``client`` takes."""
    if client.duration:
        return client.duration
    per_request = max(REQUEST_SECONDS, 1 / client.qps if client.qps > 0 else 0.0)
    return client.requests / client.workers * per_request


def run_requests(client: Client) -> float:
    if client.duration:
        return client.workers * client.duration / max(REQUEST_SECONDS, 1 / client.qps if client.qps > 0 else 0.0)
    return client.requests


def requests_per_second(loop: Loop) -> list[tuple[Client, float]]:
    """Each client of ``loop`` with the requests per second it sends.

    >>> from .recognise import recognise
    >>> [round(r) for _, r in requests_per_second(recognise(
    ...     ["sh", "-c", "while true; do boom http://web/ -c 10 -n 100; sleep 1; done"], "d")[0])]
    [95]
    """
    iteration = loop.pause + sum(run_seconds(c) for c in loop.clients if not c.background)
    out = []
    for c in loop.clients:
        seconds = max(iteration, run_seconds(c))
        out.append((c, run_requests(c) / seconds if 0 < seconds else 0.0))
    return out


def cpu_per_pod(rate: float, ready_pods: int, cost_m: float = CPU_PER_REQUEST_M, idle_m: float = IDLE_M,
                max_m: float = MAX_M) -> int:
    """Millicores each of ``ready_pods`` uses when the Service gets ``rate`` requests per second.

    >>> cpu_per_pod(95.2, ready_pods=3)
    64
    >>> cpu_per_pod(0, ready_pods=3)
    1
    """
    if ready_pods <= 0:
        return round(idle_m)
    return round(min(max_m, idle_m + max(0.0, rate) * cost_m / ready_pods))


def pod_ready(pod: Mapping[str, Any]) -> bool:
    """Running, Ready and not being deleted (a pod given as plain data)."""
    status = pod.get("status") or {}
    return not (pod.get("metadata") or {}).get("deletionTimestamp") and status.get("phase") == "Running" \
        and facts.is_ready(pod)


def rates_by_service(pods: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], float]:
    """(namespace, service) -> requests per second that the ready load generators among ``pods`` send."""
    rates: dict[tuple[str, str], float] = defaultdict(float)
    for pod in pods:
        if pod_ready(pod):
            for loop in pod_loops(pod):
                for client, rate in requests_per_second(loop):
                    rates[(client.namespace, client.service)] += rate
    return dict(rates)


def usage(pods: list[Mapping[str, Any]], services: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], int]:
    """(namespace, pod) -> millicores, for each ready pod behind a Service that gets requests.

    ``pods`` and ``services`` are everything listed (plain data, as ``kubectl get -o json`` shows
    them). A Service that does not exist, or has no selector, passes no requests to any pod.
    """
    selectors = {(s["metadata"]["namespace"], s["metadata"]["name"]): (s.get("spec") or {}).get("selector")
                 for s in services}
    by_namespace: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for pod in pods:
        if pod_ready(pod):
            by_namespace[pod["metadata"]["namespace"]].append(pod)
    out: dict[tuple[str, str], int] = {}
    for (ns, service), rate in rates_by_service(pods).items():
        selector = selectors.get((ns, service))
        if not selector:
            continue
        backends = [p for p in by_namespace[ns]
                    if all((p["metadata"].get("labels") or {}).get(k) == v for k, v in selector.items())]
        share = cpu_per_pod(rate, len(backends)) - round(IDLE_M)
        for p in backends:  # a pod behind two loaded Services serves both
            key = (ns, p["metadata"]["name"])
            out[key] = min(round(MAX_M), out.get(key, round(IDLE_M)) + share)
    return out
