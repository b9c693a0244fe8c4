"""Chapter 5 in a class: three learners of a class of 15 run notebook 05 at the same moment (two in
English, one in Chinese), each as a class learner outside the hub does (their kubeconfig, the
``kubeconfig`` backend, ``$KWORKSHOP_NAMESPACE``), solutions on. Chapter 5 is the one that reaches
past a namespace: it labels nodes and runs a DaemonSet, which by itself would put a pod on every
learner's nodes and overrun the learner's quota. All three must pass, every pod of theirs must have
been placed on their own nodes, nothing may have been refused by a quota, and the other learners'
namespaces must stay empty."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from kubernetes import client

import kworkshop as kw
from kworkshop import classroom
from kworkshop.kube.facts import CLASS_LABEL

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
CHAPTER = "05-daemonsets-and-node-selection.ipynb"


def _learner_env(kubeconfig: Path, namespace: str, state: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("KWORKSHOP_CLUSTER", "KWORKSHOP_LANG")}
    env.update(KWORKSHOP_BACKEND="kubeconfig", KUBECONFIG=str(kubeconfig), KWORKSHOP_NAMESPACE=namespace,
               KWORKSHOP_SOLUTIONS="1", KWORKSHOP_STATE_DIR=str(state))
    return env


def test_three_learners_of_fifteen_run_chapter_5_at_once_each_on_their_own_nodes(cluster, tmp_path):
    admin = kw.connect(cluster)
    info = classroom.create("five", count=15, output=tmp_path / "kubeconfigs", kube=admin)
    try:
        runners = list(zip(info.learners[:3], info.kubeconfigs[:3], (NOTEBOOKS, NOTEBOOKS, NOTEBOOKS / "zh-CN"),
                           strict=True))
        runs = []
        for learner, kubeconfig, folder in runners:
            out = tmp_path / learner.name
            runs.append(subprocess.Popen(
                [sys.executable, "-m", "kworkshop", "run-notebooks", str(folder / CHAPTER), "--output", str(out)],
                env=_learner_env(kubeconfig, learner.namespace, tmp_path / f"state-{learner.name}"),
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
        printed = [run.communicate(timeout=600)[0] for run in runs]
        failed = [f"{learner.name} ({folder.name}): {text}" for (learner, _, folder), run, text
                  in zip(runners, runs, printed, strict=True) if run.returncode != 0]
        assert not failed, "notebook 05 failed for " + "\n".join(failed)

        core = client.CoreV1Api(cluster.api_client)
        for learner, _, _ in runners:
            own = set(learner.node_names(2))
            events = core.list_namespaced_event(learner.namespace).items
            placed = {m.group(1) for e in events if e.reason == "Scheduled"
                      for m in [re.search(r" to (\S+)$", e.message or "")] if m}
            assert placed, f"{learner.name}: no pod of theirs was ever scheduled (no Scheduled events)"
            assert placed <= own, f"{learner.name}: pods were placed on {sorted(placed - own)}, not their own {own}"
            refused = [e.message for e in events if "exceeded quota" in (e.message or "")]
            assert not refused, f"{learner.name}: the quota refused pods: {refused}"
            daemon = [e for e in events if e.involved_object.kind == "DaemonSet" and e.reason == "SuccessfulCreate"]
            assert daemon, f"{learner.name}: their DaemonSet never created a pod"
        for learner in info.learners[3:]:
            left = core.list_namespaced_pod(learner.namespace).items
            assert not left, f"{learner.name} ran nothing, yet has pods: {[p.metadata.name for p in left]}"
        class_nodes = core.list_node(label_selector=f"{CLASS_LABEL}=five").items
        nicknames = {n.metadata.labels.get("nodenickname") for n in class_nodes} - {None}
        assert not nicknames, f"the notebooks' clean-up left node nicknames: {nicknames}"
    finally:
        classroom.delete("five", kube=admin)
