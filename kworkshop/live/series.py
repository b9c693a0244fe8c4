"""Watch events -> time series, for the live charts (pure: plain records in, rows out).

Each series takes events as ``(t, type, record)`` with ``t`` in seconds since the chart started
and records made by the ``*_record`` functions from API objects, so tests can replay recorded
sequences without a cluster. ``rows`` is a list of dicts, one per sample, ready for a DataFrame.
Samples are taken on events only; ``close(t)`` adds a last one when a chart stops, so the data
(like the drawing) reaches the moment the chart stopped, not just the last event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..i18n import _, ngettext
from ..kube import facts


@dataclass(frozen=True)
class PodRecord:
    name: str
    template_hash: str | None
    phase: str
    ready: bool
    waiting: str | None
    node: str | None
    owner: str | None  # "Job/long-task", "ReplicaSet/web-abc12"
    started: bool = False
    terminating: bool = False  # deleted, its containers stopping (kubectl shows "Terminating")


@dataclass(frozen=True)
class ReplicaSetRecord:
    template_hash: str
    revision: int
    image: str


def pod_record(pod: Any) -> PodRecord:
    """The facts the charts need from a V1Pod."""
    st = pod.status
    owner = next((f"{o.kind}/{o.name}" for o in pod.metadata.owner_references or []), None)
    return PodRecord(pod.metadata.name, facts.template_hash(pod), st.phase or "Pending",
                     facts.is_ready(pod), facts.waiting_reason(st), pod.spec.node_name, owner,
                     st.phase in ("Running", "Succeeded", "Failed"),
                     pod.metadata.deletion_timestamp is not None)


def replicaset_record(rs: Any) -> ReplicaSetRecord | None:
    revision = facts.revision(rs)
    if revision is None:
        return None
    return ReplicaSetRecord(facts.template_hash(rs) or "", revision,
                            rs.spec.template.spec.containers[0].image)


def workload(pod: PodRecord) -> str:
    """The workload a pod belongs to, as a learner names it: ``Deployment/web``, ``Job/long-task``.

    A ReplicaSet's name is its Deployment's plus ``-<pod-template-hash>``; other owners are named
    as they are (a Job's name may end in ``-something`` too, so no blind suffix cutting)."""
    if not pod.owner:
        return "Pod (no owner)"
    kind, name = pod.owner.split("/", 1)
    if kind == "ReplicaSet" and pod.template_hash and name.endswith(f"-{pod.template_hash}"):
        return f"Deployment/{name[:-len(pod.template_hash) - 1]}"
    return pod.owner


def tag(image: str) -> str:
    """``jonbaier/pod-scaling:0.2`` -> ``0.2``."""
    last = image.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else "latest"


@dataclass
class RolloutSeries:
    """Pods per ReplicaSet revision over time: ready, starting, failing to pull, stopping."""

    pods: dict[str, PodRecord] = field(default_factory=dict)
    sets: dict[str, ReplicaSetRecord] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)

    def on_replicaset(self, t: float, kind: str, rec: ReplicaSetRecord | None) -> None:
        if rec is None:
            return
        if kind == "DELETED":
            self.sets.pop(rec.template_hash, None)
        else:
            self.sets[rec.template_hash] = rec
        self.sample(t)

    def on_pod(self, t: float, kind: str, rec: PodRecord) -> None:
        if kind == "DELETED":
            self.pods.pop(rec.name, None)
        else:
            self.pods[rec.name] = rec
        self.sample(t)

    def counts(self) -> dict[int, dict[str, Any]]:
        """revision -> {image, ready, starting, failing, stopping} for the pods alive now."""
        out: dict[int, dict[str, Any]] = {}
        for rec in self.sets.values():
            out[rec.revision] = {"image": rec.image, "ready": 0, "starting": 0, "failing": 0, "stopping": 0}
        for pod in self.pods.values():
            rs = self.sets.get(pod.template_hash or "")
            if rs is None:
                continue
            bucket = out[rs.revision]
            if pod.terminating:  # deleted: no longer counted by its ReplicaSet, on its way out
                bucket["stopping"] += 1
            elif pod.waiting in facts.PULL_ERRORS:
                bucket["failing"] += 1
            elif pod.ready:
                bucket["ready"] += 1
            else:
                bucket["starting"] += 1
        return out

    def sample(self, t: float) -> None:
        for revision, c in sorted(self.counts().items()):
            self.rows.append({"t": t, "revision": revision, "tag": tag(c["image"]), "ready": c["ready"],
                              "starting": c["starting"], "failing": c["failing"], "stopping": c["stopping"]})

    def close(self, t: float) -> None:
        """A last sample at ``t``: the state held until the chart stopped."""
        if not self.rows or self.rows[-1]["t"] < t:
            self.sample(t)

    def revisions(self) -> list[int]:
        return sorted({r["revision"] for r in self.rows})

    def samples(self) -> list[tuple[float, dict[int, dict[str, Any]]]]:
        """``(t, {revision: row})`` per sample, in time order (a sample lists every revision then)."""
        out: list[tuple[float, dict[int, dict[str, Any]]]] = []
        for row in self.rows:
            if not out or out[-1][0] != row["t"]:
                out.append((row["t"], {}))
            out[-1][1][row["revision"]] = row
        return out

    def summary(self) -> str:
        parts = []
        for rev, c in sorted(self.counts().items()):
            if not (c["ready"] or c["starting"] or c["failing"] or c["stopping"]):
                continue
            states = [_("{count} ready").format(count=c["ready"])]
            states += [_("{count} failing to pull").format(count=c["failing"])] if c["failing"] else []
            states += [_("{count} starting").format(count=c["starting"])] if c["starting"] else []
            states += [_("{count} stopping").format(count=c["stopping"])] if c["stopping"] else []
            # Translators: ", " separates the states of one revision's pods, "; " the revisions
            parts.append(_("rev {revision} ({tag}): {states}").format(
                revision=rev, tag=tag(c["image"]), states=_(", ").join(states)))
        if not parts:
            return _("rollout: no pods")
        return _("rollout: {revisions}").format(revisions=_("; ").join(parts))


@dataclass
class AutoscalerSeries:
    """CPU utilisation against the target, and desired/current replicas, with load marks."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    marks: list[tuple[float, str]] = field(default_factory=list)

    def on_hpa(self, t: float, hpa: Any) -> None:
        st, spec = hpa.status, hpa.spec
        current = None
        for metric in st.current_metrics or []:
            if metric.resource and metric.resource.name == "cpu" and metric.resource.current:
                current = metric.resource.current.average_utilization
        target = next((m.resource.target.average_utilization for m in spec.metrics or []
                       if m.resource and m.resource.name == "cpu"), None)
        self.rows.append({"t": t, "cpu": current, "target": target, "desired": st.desired_replicas,
                          "current": st.current_replicas, "min": spec.min_replicas, "max": spec.max_replicas})

    def on_load(self, t: float, running: bool) -> None:
        label = "load on" if running else "load off"
        # no "load off" before the first "load on": the load was never on, nothing ended
        if (self.marks[-1][1] if self.marks else "load off") != label:
            self.marks.append((t, label))

    def close(self, t: float) -> None:
        """A last sample at ``t``: the HPA's state held until the chart stopped."""
        if self.rows and self.rows[-1]["t"] < t:
            self.rows.append({**self.rows[-1], "t": t})

    def load_spans(self, now: float) -> list[tuple[float, float]]:
        """``(on, off)`` for each time a load generator ran; one still running ends at ``now``."""
        spans: list[tuple[float, float]] = []
        start = None
        for t, label in self.marks:
            if label == "load on":
                start = t
            elif start is not None:
                spans.append((start, t))
                start = None
        return spans + ([(start, now)] if start is not None else [])

    def summary(self) -> str:
        if not self.rows:
            return _("autoscaler: no data yet")
        last = self.rows[-1]
        peak = max((r["current"] or 0) for r in self.rows)
        cpu = _("CPU not measured yet") if last["cpu"] is None else \
            _("CPU {cpu}% of requests").format(cpu=last["cpu"])
        return ngettext("autoscaler: {current} replica now (peak {peak}), {cpu} vs target {target}%",
                        "autoscaler: {current} replicas now (peak {peak}), {cpu} vs target {target}%",
                        last["current"] or 0).format(current=last["current"], peak=peak, cpu=cpu,
                                                     target=last["target"])


@dataclass
class JobSeries:
    """Active/succeeded/failed over time, and one bar per pod from start to finish."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    spans: dict[str, list[Any]] = field(default_factory=dict)  # pod -> [start, end, job, phase]

    def on_job(self, t: float, job: Any) -> None:
        st = job.status
        self.rows.append({"t": t, "job": job.metadata.name, "active": st.active or 0,
                          "succeeded": st.succeeded or 0, "failed": st.failed or 0})

    def on_pod(self, t: float, kind: str, rec: PodRecord) -> None:
        if not (rec.owner or "").startswith("Job/"):
            return
        span = self.spans.setdefault(rec.name, [None, None, rec.owner.split("/", 1)[1], rec.phase])
        if rec.phase == "Running" and span[0] is None:
            span[0] = t
        if rec.phase in ("Succeeded", "Failed") and span[1] is None:
            span[0] = t if span[0] is None else span[0]
            span[1] = t
        span[3] = rec.phase

    def close(self, t: float) -> None:
        """A last sample at ``t``: each Job's counts held until the chart stopped."""
        latest = {r["job"]: r for r in self.rows}
        if self.rows and self.rows[-1]["t"] < t:
            self.rows.extend({**r, "t": t} for r in latest.values())

    def totals(self) -> list[tuple[float, dict[str, int]]]:
        """``(t, {active, succeeded, failed})`` summed over the Jobs, one per sample time."""
        latest: dict[str, dict[str, Any]] = {}
        out: list[tuple[float, dict[str, int]]] = []
        for row in self.rows:
            latest[row["job"]] = row
            sums = {k: sum(r[k] for r in latest.values()) for k in ("active", "succeeded", "failed")}
            if out and out[-1][0] == row["t"]:
                out[-1] = (row["t"], sums)
            else:
                out.append((row["t"], sums))
        return out

    def max_overlap(self) -> int:
        """The most pods that ran at the same time (parallel Jobs overlap)."""
        edges = sorted([(s[0], 1) for s in self.spans.values() if s[0] is not None]
                       + [(s[1], -1) for s in self.spans.values() if s[1] is not None])
        best = running = 0
        for _time, step in edges:
            running += step
            best = max(best, running)
        return best

    def summary(self) -> str:
        done = sum(1 for s in self.spans.values() if s[3] == "Succeeded")
        return ngettext("jobs: {done}/{total} pod succeeded, at most {overlap} ran at once",
                        "jobs: {done}/{total} pods succeeded, at most {overlap} ran at once",
                        len(self.spans)).format(done=done, total=len(self.spans), overlap=self.max_overlap())


@dataclass
class NodeMap:
    """Nodes with their labels, and the pods on each, as of the last event."""

    nodes: dict[str, dict[str, str]] = field(default_factory=dict)
    pods: dict[str, PodRecord] = field(default_factory=dict)

    def on_node(self, kind: str, name: str, labels: dict[str, str]) -> None:
        if kind == "DELETED":
            self.nodes.pop(name, None)
        else:
            self.nodes[name] = dict(labels)

    def on_pod(self, kind: str, rec: PodRecord) -> None:
        if kind == "DELETED" or rec.phase in ("Succeeded", "Failed"):
            self.pods.pop(rec.name, None)
        else:
            self.pods[rec.name] = rec

    def close(self, t: float) -> None:
        """Nothing to add: the map is a snapshot, not a time series."""

    @staticmethod
    def state(pod: PodRecord) -> str:
        """How the map draws a pod: Running, Pending (not placed or not started) or Terminating."""
        if pod.terminating:
            return "Terminating"
        return "Running" if pod.phase == "Running" else "Pending"

    @property
    def rows(self) -> list[dict[str, Any]]:
        """One row per live pod: where it runs."""
        return [{"pod": p.name, "node": p.node, "owner": workload(p), "phase": p.phase, "state": self.state(p)}
                for p in sorted(self.pods.values(), key=lambda p: p.name)]

    def placement(self) -> dict[str | None, list[str]]:
        """node (None for Pending) -> pod names, sorted."""
        out: dict[str | None, list[str]] = {n: [] for n in sorted(self.nodes)}
        for pod in self.pods.values():
            out.setdefault(pod.node, []).append(pod.name)
        return {k: sorted(v) for k, v in out.items()}

    def summary(self) -> str:
        placed = self.placement()
        pending = len(placed.pop(None, []))
        per_node = ", ".join(f"{n}: {len(p)}" for n, p in placed.items())
        if pending:
            return _("nodes: {nodes}; {pending} pending").format(nodes=per_node, pending=pending)
        return _("nodes: {nodes}").format(nodes=per_node)
