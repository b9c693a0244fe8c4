"""Live charts of what the controllers do, fed by watches: ``kw.live.rollout(...)`` and friends.

    chart = kw.live.rollout("deployment/node-js-deploy")   # live in JupyterLab
    kw.set_image(...); kw.rollout.status(...)
    chart.pin()                                              # how to keep it in view
    chart.stop()                                             # the final PNG replaces it (also headless)
    chart.data                                               # the series as a DataFrame

or as a block: ``with kw.live.rollout("deployment/web"): ...``. The data side is in ``series``
(pure), what a frame shows in ``view`` (pure), the drawing in ``charts`` through one ``render.Renderer``,
the notebook outputs in ``output``, the threads in ``chart`` and ``kube.watch.Watcher``. Charts with a
time axis show the last ``window`` seconds (5 minutes by default).
"""

from __future__ import annotations

from collections.abc import Mapping

from kubernetes import client

from ..agent.recognise import recognise
from ..i18n import N_
from ..kube import facts
from ..kube.client import api_client, current_namespace
from ..kube.connection import Connection, connected
from ..kube.resources import parse_ref
from ..kube.watch import Watcher
from . import charts, series
from .chart import LiveChart, interactive
from .fonts import chart_text
from .view import WINDOW_SECONDS

__all__ = ["LiveChart", "autoscaler", "interactive", "jobs", "nodes", "rollout"]


@connected
def rollout(ref: str, *, namespace: str | None = None, display: bool = True,
            window: float = WINDOW_SECONDS, kube: Connection | None = None) -> LiveChart:
    """Pods per ReplicaSet revision over time (ready / starting / failing to pull / stopping)."""
    r = parse_ref(ref, "deployment")
    ns = current_namespace(namespace)
    api = api_client()
    apps, core = client.AppsV1Api(api), client.CoreV1Api(api)
    selector = facts.workload_selector(apps.read_namespaced_deployment(r.name, ns))
    s = series.RolloutSeries()
    title = chart_text(N_("rollout of deployment/{name}")).format(name=r.name)
    chart = LiveChart(f"rollout/{ns}/{r.name}", title, s, charts.draw_rollout, [], window=window)
    chart.watchers = [
        Watcher(apps.list_namespaced_replica_set,
                lambda kind, rs: chart.feed(s.on_replicaset, kind, series.replicaset_record(rs)),
                namespace=ns, label_selector=selector),
        Watcher(core.list_namespaced_pod, lambda kind, pod: chart.feed(s.on_pod, kind, series.pod_record(pod)),
                namespace=ns, label_selector=selector),
    ]
    return chart.start(display)


@connected
def autoscaler(ref: str, *, namespace: str | None = None, display: bool = True,
               window: float = WINDOW_SECONDS, kube: Connection | None = None) -> LiveChart:
    """CPU utilisation against the target and desired/current replicas of an HPA; when load ran."""
    r = parse_ref(ref, "horizontalpodautoscaler")
    ns = current_namespace(namespace)
    api = api_client()
    hpa_api, core = client.AutoscalingV2Api(api), client.CoreV1Api(api)
    hpa_api.read_namespaced_horizontal_pod_autoscaler(r.name, ns)  # a typo fails here, not as an empty chart
    s = series.AutoscalerSeries()
    title = chart_text(N_("autoscaler {name}")).format(name=r.name)
    chart = LiveChart(f"hpa/{ns}/{r.name}", title, s, charts.draw_autoscaler, [], width=9.5, window=window)
    generators: set[str] = set()  # the namespace's running load generators, however they were made

    def on_pod(kind: str, pod) -> None:
        rec, before = series.pod_record(pod), bool(generators)
        if kind != "DELETED" and rec.ready and not rec.terminating and any(
                recognise([*(c.command or []), *(c.args or [])], ns) for c in pod.spec.containers or []):
            generators.add(rec.name)
        else:
            generators.discard(rec.name)
        if bool(generators) != before:  # a mark when the load goes on or off, not per pod event
            chart.feed(s.on_load, bool(generators))

    chart.watchers = [
        Watcher(hpa_api.list_namespaced_horizontal_pod_autoscaler,
                lambda kind, h: chart.feed(s.on_hpa, h) if kind != "DELETED" else None,
                namespace=ns, field_selector=f"metadata.name={r.name}"),
        Watcher(core.list_namespaced_pod, on_pod, namespace=ns),
    ]
    return chart.start(display)


@connected
def jobs(*, selector: str | None = None, namespace: str | None = None, display: bool = True,
         window: float = WINDOW_SECONDS, kube: Connection | None = None) -> LiveChart:
    """Active/succeeded/failed Jobs over time and a bar per pod (parallel pods overlap)."""
    ns = current_namespace(namespace)
    api = api_client()
    batch, core = client.BatchV1Api(api), client.CoreV1Api(api)
    s = series.JobSeries()
    title = chart_text(N_("jobs in {namespace}")).format(namespace=ns)
    chart = LiveChart(f"jobs/{ns}/{selector}", title, s, charts.draw_jobs, [], width=9.5, window=window)
    chart.watchers = [
        Watcher(batch.list_namespaced_job, lambda kind, j: chart.feed(s.on_job, j) if kind != "DELETED" else None,
                namespace=ns, label_selector=selector),
        Watcher(core.list_namespaced_pod, lambda kind, p: chart.feed(s.on_pod, kind, series.pod_record(p)),
                namespace=ns),
    ]
    return chart.start(display)


@connected
def nodes(*, namespace: str | None = None, all_namespaces: bool = False,
          labels: tuple[str, ...] = ("topology.kubernetes.io/zone", "nodenickname"),
          node_selector: Mapping[str, str] | None = None, display: bool = True,
          kube: Connection | None = None) -> LiveChart:
    """A map of the nodes (with some labels) and the pods on each; ``node_selector``: only the nodes
    with those labels (a class learner's own, ``session.node_selector``), not every learner's."""
    ns = current_namespace(namespace)
    core = client.CoreV1Api(api_client())
    m = series.NodeMap()

    def draw(nodemap, frame, fig):
        return charts.draw_nodes(nodemap, frame, fig, labels)

    # the map is a snapshot: it changes on events only, so no redraws with the clock
    chart = LiveChart(f"nodes/{ns}", chart_text(N_("pods on nodes")), m, draw, [], width=9, height=4, ticks=False)
    pod_list = (core.list_pod_for_all_namespaces, {}) if all_namespaces else \
        (core.list_namespaced_pod, {"namespace": ns})
    chart.watchers = [
        Watcher(core.list_node, lambda kind, n: chart.feed(lambda t, k, node: m.on_node(
            k, node.metadata.name, node.metadata.labels or {}), kind, n),
            label_selector=facts.selector(node_selector)),
        Watcher(pod_list[0], lambda kind, p: chart.feed(lambda t, k, rec: m.on_pod(k, rec), kind,
                                                         series.pod_record(p)), **pod_list[1]),
    ]
    return chart.start(display)
