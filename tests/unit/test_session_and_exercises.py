"""A notebook's own kubeconfig (namespace as default) and the hidden solutions (plain files)."""

from __future__ import annotations

import os
import stat

import pytest
import yaml

from kworkshop import exercises
from kworkshop.session import namespaced_kubeconfig

KUBECONFIG = {
    "apiVersion": "v1", "kind": "Config", "current-context": "kwok-x",
    "clusters": [{"name": "kwok-x", "cluster": {"server": "https://127.0.0.1:1"}}],
    "contexts": [{"name": "kwok-x", "context": {"cluster": "kwok-x", "user": "u"}},
                 {"name": "other", "context": {"cluster": "kwok-x", "user": "u"}}],
    "users": [{"name": "u", "user": {"token": "secret"}}],
}


def test_the_notebooks_kubeconfig_names_its_namespace_and_is_private(tmp_path):
    source = tmp_path / "kubeconfig"
    source.write_text(yaml.safe_dump(KUBECONFIG))
    target = namespaced_kubeconfig(source, "ch5-jobs", tmp_path / "copies" / "x-ch5-jobs.yaml")
    config = yaml.safe_load(target.read_text())
    contexts = {c["name"]: c["context"] for c in config["contexts"]}
    assert contexts["kwok-x"]["namespace"] == "ch5-jobs" and "namespace" not in contexts["other"]
    assert config["users"] == KUBECONFIG["users"]
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert yaml.safe_load(source.read_text()) == KUBECONFIG  # the cluster's own file is untouched


def test_every_solution_is_found_and_revealed_folded():
    reveal = exercises.solution("01-3-web")
    assert "kubectl set image" in reveal.text
    assert reveal._repr_html_().startswith("<details><summary>")


def test_a_shown_solution_names_the_notebooks_namespace_so_a_terminal_can_run_it():
    shown = exercises.solution("02-2-to-revision", namespace="ch5-updates").text
    assert "NAMESPACE" not in shown and "-n ch5-updates" in shown
    assert "NAMESPACE" in exercises.solution_file("02-2-to-revision").read_text()  # kw.solve still sets it


def test_a_missing_solution_is_a_clear_error():
    with pytest.raises(exercises.SolutionError, match="no solution 'nope'"):
        exercises.solution("nope")


def test_a_prediction_solution_sets_the_notebooks_variable(monkeypatch):
    import sys
    import types

    main = types.ModuleType("__main__")
    monkeypatch.setitem(sys.modules, "__main__", main)
    exercises.solve("02-1-predict")
    assert main.prediction == 5


def test_a_checkpoint_retries_a_transient_api_error_of_the_kits_own_verbs(capsys):
    """A condition calling kw.get sees the kit's ApiError (translated in the verbs), not ApiException:
    a transient one is retried like any other answer, and the checkpoint passes once the cluster does."""
    from kworkshop.checks import checkpoint
    from kworkshop.errors import ApiError

    answers = iter([ApiError("the API server is busy (429 Too Many Requests)", status=429), (True, "3 pods Running")])

    def condition():
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    result = checkpoint("pods-running", condition, timeout=10, record=False)
    assert result.passed, f"the checkpoint stopped on the transient error: {result.detail}"
    assert result.detail == "3 pods Running"


def test_a_prediction_is_compared_as_the_learner_wrote_it():
    from kworkshop.checks import same_answer

    assert same_answer("3", 3) and same_answer(3, "3") and same_answer(" Running", "running")
    assert same_answer("ErrImagePull", "ErrImagePull")
    assert not same_answer(2, 3) and not same_answer(None, 3) and not same_answer("", 0)


def test_a_fixed_job_must_still_do_the_exercises_work():
    """4.3 and 5.1 are passed by fixing the Job, not by replacing what it runs or where (issue 21, item 9)."""
    from pathlib import Path

    from kworkshop.checks import pod_differences

    manifests = Path(__file__).parents[2] / "notebooks" / "manifests" / "exercises"
    gpu = yaml.safe_load((manifests / "05-gpu-report.yaml").read_text())["spec"]["template"]
    assert pod_differences(gpu, gpu) == []
    fixed = {**gpu, "spec": {**gpu["spec"], "restartPolicy": "OnFailure"}}  # what a fix may change
    assert pod_differences(gpu, fixed) == []
    anywhere = {**gpu, "spec": {k: v for k, v in gpu["spec"].items() if k != "nodeSelector"}}
    assert pod_differences(gpu, anywhere) == ["its nodeSelector is {}, not {'accelerator': 'nvidia-tesla-t4'}"]
    # in a class the learner's own nodes narrow it further: still the exercise's nodes
    narrowed = {**gpu, "spec": {**gpu["spec"], "nodeSelector": {**gpu["spec"]["nodeSelector"],
                                                                "kworkshop.io/learner": "learner-01"}}}
    assert pod_differences(gpu, narrowed) == []
    other = {**gpu, "spec": {**gpu["spec"], "nodeSelector": {"accelerator": "none"}}}
    assert pod_differences(gpu, other) == ["its nodeSelector is {'accelerator': 'none'}, "
                                           "not {'accelerator': 'nvidia-tesla-t4'}"]
    imports = yaml.safe_load((manifests / "04-import.yaml").read_text())["spec"]["template"]
    container = {**imports["spec"]["containers"][0], "args": ["exit 0"]}
    replaced = {**imports, "spec": {**imports["spec"], "containers": [container]}}
    assert pod_differences(imports, replaced) == ["container import has another args"]


def test_every_solution_line_can_be_pasted_into_a_cell_or_a_terminal():
    """Each `!` line of a cell runs in a shell of its own, and IPython expands `{...}` and `$name` in
    it: a solution a learner copies must be one complete command per line, which IPython leaves
    as it is (issue 21, item 7: 02-2's for loop could not be pasted)."""
    import subprocess
    from pathlib import Path

    from IPython.utils.text import DollarFormatter

    def expanded(line: str) -> str:  # what IPython's var_expand does with a `!` line
        try:
            return DollarFormatter().vformat(line, args=[], kwargs={})
        except Exception:
            return line

    root = Path(__file__).parents[2] / "notebooks"
    for path in sorted([*(root / "solutions").glob("*.sh"), *(root / "zh-CN" / "solutions").glob("*.sh")]):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            where = f"{path.relative_to(root)}:{number}"
            pasted = line.replace('"$NAMESPACE"', "ns1")  # what kw.solution shows
            assert subprocess.run(["bash", "-n", "-c", pasted], capture_output=True).returncode == 0, \
                f"{where} is not a complete command on its own: {line}"
            assert expanded(pasted) == pasted, f"{where}: IPython would change it in a `!` line: {line}"


def test_a_class_session_keeps_node_work_on_the_learners_own_nodes():
    """Chapter 5 in a class (issue 21, item 5): every learner sees every node's labels, so a nickname
    is made theirs, and a DaemonSet or an exercise Job gets their nodes' class labels on its way in."""
    import json

    from kworkshop.session import Session

    solo = Session(None, "ch5-nodes", None, False, None, nodes=("kwok-node-1", "kwok-node-2"))
    assert not solo.in_class and solo.own("trusty-steve") == "trusty-steve" and solo.own_nodes_patch == ""
    learner = Session(None, "k8s101-ana", None, True, None, nodes=("k8s101-ana-node-0", "k8s101-ana-node-1"),
                      node_selector={"kworkshop.io/class": "k8s101", "kworkshop.io/learner": "ana"})
    assert learner.in_class and learner.own("trusty-steve") == "trusty-steve-k8s101-ana"
    patch = json.loads(learner.own_nodes_patch)
    assert patch == {"spec": {"template": {"spec": {"nodeSelector": {"kworkshop.io/class": "k8s101",
                                                                     "kworkshop.io/learner": "ana"}}}}}
