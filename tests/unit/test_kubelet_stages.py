"""The simulated kubelet's stages, played offline by KWOK's own engine (``stagetool/``).

Each test gives a pod spec, lets the stages move it step by step (the status each stage writes is
merged as the API server merges a strategic patch: conditions by type, the rest replaced) and
checks what a kubelet would have done: when containers end, with which exit code, how restarts
and back-off go, what a deleted pod goes through.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from kworkshop.agent import images
from kworkshop.binaries import gobuild
from kworkshop.cluster.embedded.kubelet import Timings, all_stages
from kworkshop.paths import cache_dir

pytestmark = pytest.mark.go  # builds kwok's stage engine first: the Go tier, not the fast one

TOOL = Path(__file__).parent / "stagetool"
CATALOGUE = images.all_spellings(images.catalogue())


@pytest.fixture(scope="module")
def stagetool(tmp_path_factory) -> Path:
    if not shutil.which("go"):
        pytest.skip("needs Go to build the offline stage player (kwok's engine)")
    out = cache_dir() / "test-tools" / "stagetool"
    env = {**gobuild.build_env(), "GOFLAGS": "-mod=mod"}  # the kit's Go caches: kwok's packages compile once
    subprocess.run(["go", "build", "-o", str(out), "."], cwd=TOOL, env=env, check=True)
    return out


@pytest.fixture(scope="module")
def stages_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("stages") / "stages.yaml"
    path.write_text("\n---\n".join(yaml.safe_dump(s) for s in all_stages(CATALOGUE, Timings())))
    return path


class Player:
    """Plays the stages on one pod, as kwok would, one step at a time."""

    def __init__(self, tool: Path, stages: Path, pod: dict) -> None:
        self.tool, self.stages, self.pod = tool, stages, copy.deepcopy(pod)

    def peek(self) -> dict:
        out = subprocess.run([str(self.tool), str(self.stages)], input=yaml.safe_dump(self.pod),
                             capture_output=True, text=True, check=True)
        return json.loads(out.stdout)

    def step(self) -> dict:
        played = self.peek()
        assert played.get("stage"), f"no stage matches: {self.pod.get('status')}"
        status = self.pod.setdefault("status", {})
        for key, value in (played.get("status") or {}).items():
            if key == "conditions":
                by_type = {c["type"]: c for c in status.get("conditions", [])}
                by_type.update({c["type"]: c for c in value})
                status["conditions"] = list(by_type.values())
            else:
                status[key] = value
        _whole_seconds(status)
        return played

    def container(self, index: int = 0) -> dict:
        return self.pod["status"]["containerStatuses"][index]

    def condition(self, kind: str) -> str | None:
        return next((c["status"] for c in self.pod["status"].get("conditions", []) if c["type"] == kind), None)


def _whole_seconds(status: dict) -> None:
    """The API server keeps timestamps to the second, in UTC."""
    for c in status.get("containerStatuses", []):
        for part in ("state", "lastState"):
            for state in (c.get(part) or {}).values():
                for key in ("startedAt", "finishedAt"):
                    if key in state:
                        state[key] = state[key].split(".")[0].removesuffix("Z") + "Z"


def pod(command=None, policy="Never", image="busybox:1.36", job=True, annotations=None, **container) -> dict:
    meta = {"name": "p", "namespace": "ns", "uid": "0e0c2f4a-1111-2222-3333-444455556666"}
    if job:
        meta["ownerReferences"] = [{"apiVersion": "batch/v1", "kind": "Job", "name": "j", "uid": "j-1"}]
    if annotations:
        meta["annotations"] = annotations
    spec_container = {"name": "c", "image": image, **container}
    if command is not None:
        spec_container["command"] = command
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": {"nodeName": "kwok-node-0", "restartPolicy": policy, "containers": [spec_container]},
            "status": {"phase": "Pending"}}


@pytest.fixture
def play(stagetool, stages_file):
    def start(p: dict) -> Player:
        player = Player(stagetool, stages_file, p)
        assert player.step()["stage"] == "pod-start"
        return player
    return start


def test_a_started_container_looks_like_a_kubelets(play):
    p = play(pod(["sleep", "20"]))
    c = p.container()
    assert p.pod["status"]["phase"] == "Running" and p.pod["status"]["hostIP"] == "192.0.2.10"
    assert c["started"] is True and c["ready"] is True and "running" in c["state"]
    assert c["containerID"].startswith("containerd://") and len(c["containerID"]) == len("containerd://") + 64
    assert c["imageID"].startswith("busybox@sha256:")
    assert p.condition("PodReadyToStartContainers") == p.condition("Ready") == "True"


@pytest.mark.parametrize(("command", "seconds"), [
    (["sleep", "20"], 20),
    (["/bin/sh", "-c", "sleep 20"], 20),
    (["sh", "-c", "echo start; sleep 5; sleep 7; echo done"], 12),
    (["/bin/sleep", "300"], 300),
])
def test_a_container_runs_as_long_as_its_sleep(play, command, seconds):
    p = play(pod(command))
    played = p.peek()
    assert played["stage"] == "pod-container-exit"
    assert seconds - 2 <= played["delay"] <= seconds + 1
    p.step()
    assert p.pod["status"]["phase"] == "Succeeded"
    assert p.container()["state"]["terminated"]["exitCode"] == 0
    assert p.container()["state"]["terminated"]["reason"] == "Completed"


@pytest.mark.parametrize("p", [
    pod(None, image="registry.k8s.io/pause:3.10"),
    pod(["sleep", "infinity"]),
    pod(["sh", "-c", "while true; do date; sleep 1; done"]),
    pod(None, image="nginx:1.27", job=False, policy="Always"),
], ids=["pause", "sleep-infinity", "while-loop", "server-not-a-job"])
def test_some_containers_never_end(play, p):
    player = play(p)
    assert player.peek().get("stage") is None


def test_a_job_pod_whose_command_is_unknown_ends_after_the_short_default(play):
    p = play(pod(["cowsay", "hello"], image="docker/whalesay:latest"))
    played = p.peek()
    assert played["stage"] == "pod-container-exit" and 4 <= played["delay"] <= 8


@pytest.mark.parametrize(("command", "code"), [
    (["/bin/sh", "-c", "exit 3"], 3),
    (["false"], 1),
    (["/bin/false"], 1),
    (["sh", "-c", "echo oops >&2; exit 42"], 42),
    (["true"], 0),
])
def test_exit_codes_under_restart_policy_never(play, command, code):
    p = play(pod(command))
    assert p.peek()["delay"] <= 1
    p.step()
    term = p.container()["state"]["terminated"]
    assert term["exitCode"] == code
    assert term["reason"] == ("Completed" if code == 0 else "Error")
    assert p.pod["status"]["phase"] == ("Succeeded" if code == 0 else "Failed")
    assert p.peek().get("stage") is None  # a finished pod stays as it is


def test_the_kits_annotations_win_over_the_command(play):
    p = play(pod(["sleep", "1"], annotations={"kworkshop.io/run-time": "30s", "kworkshop.io/exit-code": "5"}))
    assert 28 <= p.peek()["delay"] <= 31
    p.step()
    assert p.container()["state"]["terminated"]["exitCode"] == 5 and p.pod["status"]["phase"] == "Failed"


def test_on_failure_restarts_in_place_with_a_growing_back_off(play):
    p = play(pod(["sh", "-c", "exit 1"], policy="OnFailure"))
    p.step()  # the container ends with 1; the pod stays Running: it will restart
    assert p.pod["status"]["phase"] == "Running" and p.container()["state"]["terminated"]["exitCode"] == 1
    played = p.step()  # the first restart follows at once
    assert played["stage"] == "pod-container-restart" and played["delay"] <= 1
    assert p.container()["restartCount"] == 1 and "running" in p.container()["state"]
    assert p.container()["lastState"]["terminated"]["exitCode"] == 1
    waits = []
    for expected_count in (2, 3, 4, 5):
        p.step()  # ends again
        played = p.step()
        assert played["stage"] == "pod-container-backoff" and played["event"] == "BackOff"
        waiting = p.container()["state"]["waiting"]
        assert waiting["reason"] == "CrashLoopBackOff"
        assert "restarting failed container=c pod=p_ns(" in waiting["message"]
        played = p.step()
        assert played["stage"] == "pod-container-restart-after-backoff"
        waits.append((waiting["message"].split()[1], round(played["delay"])))
        assert p.container()["restartCount"] == expected_count
    # the kubelet's 10 s doubling, capped for the workshop (Timings.crash_backoff)
    assert [w for w, _ in waits] == ["10s", "20s", "40s", "40s"]
    assert all(abs(d - int(w[:-1])) <= 2 for w, d in waits), waits


def test_on_failure_success_ends_the_pod(play):
    p = play(pod(["sh", "-c", "exit 0"], policy="OnFailure"))
    p.step()
    assert p.pod["status"]["phase"] == "Succeeded"


def test_always_restarts_even_after_success(play):
    p = play(pod(["sleep", "5"], policy="Always", job=False))
    p.step()
    assert p.pod["status"]["phase"] == "Running" and p.condition("Ready") == "False"
    p.step()
    assert p.container()["restartCount"] == 1 and p.condition("Ready") == "True"


def test_a_marker_file_script_fails_once_then_succeeds_when_restarted(play):
    script = "if [[ -r /data/foo ]]\nthen\n  exit 0\nelse\n  touch /data/foo\n  exit 1\nfi"
    p = play(pod(["/bin/sh", "-c"], policy="OnFailure", args=[script]))
    p.step()
    assert p.container()["state"]["terminated"]["exitCode"] == 1
    p.step()  # restarted in place: the marker is there now
    p.step()
    assert p.pod["status"]["phase"] == "Succeeded"


def test_a_readiness_probe_delays_ready(play):
    probe = {"exec": {"command": ["true"]}, "initialDelaySeconds": 15, "periodSeconds": 5}
    p = play(pod(["sleep", "60"], readinessProbe=probe))
    assert p.container()["ready"] is False and p.condition("Ready") == "False"
    played = p.step()
    assert played["stage"] == "pod-probe-ready" and 13 <= played["delay"] <= 16
    assert p.container()["ready"] is True and p.condition("Ready") == "True"
    assert p.peek()["stage"] == "pod-container-exit"


def test_a_probe_that_would_pass_after_the_process_ends_never_does(play):
    probe = {"exec": {"command": ["true"]}, "initialDelaySeconds": 15}
    p = play(pod(["sleep", "5"], readinessProbe=probe))
    assert p.peek()["stage"] == "pod-container-exit"


def _deleted(p: Player, grace: int, finalizers=("batch.kubernetes.io/job-tracking",)) -> None:
    import datetime
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    p.pod["metadata"]["deletionTimestamp"] = (now + datetime.timedelta(seconds=grace)).strftime("%Y-%m-%dT%H:%M:%SZ")
    p.pod["metadata"]["deletionGracePeriodSeconds"] = grace
    p.pod["metadata"]["finalizers"] = list(finalizers)


def test_a_deleted_pod_stops_within_its_capped_grace_period_and_keeps_its_conditions(play):
    p = play(pod(["sleep", "1000000"]))
    p.pod["status"]["conditions"].append({"type": "DisruptionTarget", "status": "True", "reason": "DeletionByTest"})
    _deleted(p, 30)
    played = p.step()
    assert played["stage"] == "pod-terminate" and played["event"] == "Killing"
    assert 1 <= played["delay"] <= Timings().grace + 0.5
    assert "DisruptionTarget" not in {c["type"] for c in played["status"]["conditions"]}  # merged, not replaced
    assert p.pod["status"]["phase"] == "Failed" and p.condition("DisruptionTarget") == "True"
    assert p.container()["state"]["terminated"]["exitCode"] == 143
    played = p.step()
    assert played["stage"] == "pod-delete" and played["delete"] is True


def test_a_pod_deleted_with_no_grace_is_killed_and_left_to_its_finalizer(play):
    p = play(pod(["sleep", "1000000"]))
    _deleted(p, 0)
    p.step()
    assert p.container()["state"]["terminated"]["exitCode"] == 137 and p.pod["status"]["phase"] == "Failed"
    # the API server removes it when the Job controller drops its finalizer: nothing to do
    assert p.peek().get("stage") is None


def test_a_finished_pod_that_is_deleted_is_removed_at_once(play):
    p = play(pod(["true"]))
    p.step()
    _deleted(p, 30, finalizers=())
    played = p.step()
    assert played["stage"] == "pod-delete" and played["delay"] == 0


def test_an_image_outside_the_catalogue_cannot_be_pulled(stagetool, stages_file):
    p = Player(stagetool, stages_file, pod(["sleep", "5"], image="jonbaier/pod-scaling:42.0"))
    played = p.step()
    assert played["stage"] == "pod-image-pull-error"
    assert p.container()["state"]["waiting"]["reason"] == "ErrImagePull"


ODD_FAILS = """
    if [ $(expr ${JOB_COMPLETION_INDEX} % 2) -ne 0 ]; then
        exit 1
    else
        exit 0
    fi
"""


@pytest.mark.parametrize(("index", "code"), [("0", 0), ("1", 1), ("2", 0), ("3", 1)])
def test_a_script_on_the_index_parity_fails_in_odd_indexes(play, index, code):
    annotations = {"batch.kubernetes.io/job-completion-index": index}
    p = play(pod(["sh", "-c"], args=[ODD_FAILS], annotations=annotations))
    p.step()
    assert p.container()["state"]["terminated"]["exitCode"] == code


def test_a_marker_script_succeeds_in_a_new_pod_of_an_index_that_failed_before(play):
    marker = "/data/foo-$JOB_COMPLETION_INDEX"
    script = f"if [[ -r {marker} ]]; then exit 0; else touch {marker}; exit 42; fi"
    first = play(pod(["/bin/sh", "-c"], args=[script], annotations={"batch.kubernetes.io/job-completion-index": "2"}))
    first.step()
    assert first.container()["state"]["terminated"]["exitCode"] == 42
    retry = play(pod(["/bin/sh", "-c"], args=[script], annotations={
        "batch.kubernetes.io/job-completion-index": "2", "batch.kubernetes.io/job-index-failure-count": "1"}))
    retry.step()
    assert retry.container()["state"]["terminated"]["exitCode"] == 0
