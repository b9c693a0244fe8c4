"""The conformance benchmark's pure parts: the e2e.test command line and the JUnit summary."""

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).parents[2] / "benchmarks" / "conformance.py"
_spec = importlib.util.spec_from_file_location("conformance_bench", BENCH)
conformance = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = conformance  # dataclasses look their module up while the file runs
_spec.loader.exec_module(conformance)

# The shape of the report e2e.test writes (junit_<prefix>01.xml): every spec of the suite, the
# ones outside the focus as skipped, the leaf node type before the name.
JUNIT = """<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="6" disabled="2" errors="0" failures="2" time="80.5">
  <testsuite name="Kubernetes e2e suite" package="/tmp" tests="6" skipped="2" failures="2" time="80.5">
    <testcase name="[SynchronizedBeforeSuite]" classname="Kubernetes e2e suite" status="passed" time="0.2"/>
    <testcase name="[It] [sig-apps] Deployment deployment should delete old replica sets [Conformance]"
              classname="Kubernetes e2e suite" status="passed" time="12.5"/>
    <testcase name="[It] [sig-apps] Job should run a job to completion when tasks sometimes fail"
              classname="Kubernetes e2e suite" status="failed" time="60.1">
      <failure type="failed">[FAILED] failed to ensure job completion in namespace: job-1234: timed out
In [It] at: k8s.io/kubernetes/test/e2e/apps/job.go:123 @ 11/27/26 14:00:00.000
</failure>
    </testcase>
    <testcase name="[It] [sig-apps] Daemon set [Serial] should rollback without unnecessary restarts [Conformance]"
              classname="Kubernetes e2e suite" status="timedout" time="7.7">
      <failure type="timedout">[TIMEDOUT] A suite timeout occurred
</failure>
    </testcase>
    <testcase name="[It] [sig-apps] CronJob should not schedule jobs when suspended [Slow]"
              classname="Kubernetes e2e suite" status="skipped" time="0"><skipped message="skipped"/></testcase>
    <testcase name="[It] [sig-storage] CSI Volumes should do things" classname="Kubernetes e2e suite"
              status="skipped" time="0"><skipped message="skipped"/></testcase>
  </testsuite>
</testsuites>
"""


def test_parse_junit_strips_the_node_type_and_keeps_the_reason():
    results = {r.name: r for r in conformance.parse_junit(JUNIT)}
    job = results["[sig-apps] Job should run a job to completion when tasks sometimes fail"]
    assert job.kind == "Job" and not job.conformance and job.verdict == "fail"
    assert job.message == "failed to ensure job completion in namespace: job-1234: timed out"
    expected = "[FAILED] Expected\n    <string>: 0-3\nto equal\n    <string>: 1,3\nIn [It] at: job.go:630\n"
    assert conformance.failure_reason(expected) == "Expected <string>: 0-3 to equal <string>: 1,3"
    ds = results["[sig-apps] Daemon set [Serial] should rollback without unnecessary restarts [Conformance]"]
    assert ds.kind == "DaemonSet" and ds.conformance and ds.verdict == "fail"  # a timeout is a failure
    assert results["[sig-storage] CSI Volumes should do things"].kind is None


def test_selected_keeps_one_side_of_the_conformance_split_of_our_kinds():
    results = conformance.parse_junit(JUNIT)
    conf = conformance.selected(results, conformance=True)
    assert [r.kind for r in conf] == ["DaemonSet", "Deployment"]
    other = conformance.selected(results, conformance=False)
    assert [(r.kind, r.verdict) for r in other] == [("CronJob", "skip"), ("Job", "fail")]
    assert conformance.selected(results, conformance=False, focus="CronJob")[0].kind == "CronJob"


def test_totals_and_report_count_per_kind():
    conf = conformance.selected(conformance.parse_junit(JUNIT), conformance=True)
    counts = conformance.totals(conf)
    assert counts["Deployment"]["pass"] == 1 and counts["DaemonSet"]["fail"] == 1
    assert counts["all"] == {"pass": 1, "fail": 1}
    text = conformance.report("conformance", conf)
    assert "PASS" in text and "FAIL" in text and "A suite timeout occurred" in text


def test_suite_failures_are_the_failed_setup_nodes_only():
    assert conformance.suite_failures(conformance.parse_junit(JUNIT)) == []
    failed = JUNIT.replace('name="[SynchronizedBeforeSuite]" classname="Kubernetes e2e suite" status="passed"',
                           'name="[SynchronizedBeforeSuite]" classname="Kubernetes e2e suite" status="failed"')
    names = [r.name for r in conformance.suite_failures(conformance.parse_junit(failed))]
    assert names == ["[SynchronizedBeforeSuite]"]


def test_e2e_argv_splits_conformance_by_label_and_narrows_with_focus():
    argv = conformance.e2e_argv(Path("/c/e2e.test"), Path("/k"), Path("/b/kubectl"), Path("/out"), "conformance")
    assert argv[0] == "/c/e2e.test" and "--provider=skeleton" in argv and "--kubeconfig=/k" in argv
    assert "--ginkgo.label-filter=sig-apps && Conformance" in argv
    assert "--report-dir=/out" in argv and "--report-prefix=conformance-" in argv
    assert conformance.junit_path(Path("/out"), "conformance") == Path("/out/junit_conformance-01.xml")
    other = conformance.e2e_argv(Path("/e"), Path("/k"), Path("/kubectl"), Path("/o"), "other", focus="Job")
    assert "--ginkgo.label-filter=sig-apps && !Conformance" in other and "--ginkgo.focus=Job" in other
    skip = next(a for a in argv if a.startswith("--ginkgo.skip="))
    assert "Serial" not in skip and "Disruptive" in skip and "Slow" not in skip  # see SKIP_ALWAYS
    other_skip = next(a for a in other if a.startswith("--ginkgo.skip="))
    assert "Slow" in other_skip and "Feature:" in other_skip


def test_image_family_and_the_catalogue_check():
    assert conformance.family("registry.k8s.io/e2e-test-images/agnhost:2.63.0") == "agnhost"
    assert conformance.family("registry.k8s.io/pause:3.10.2") == "pause"
    assert conformance.missing_from_catalogue(["registry.k8s.io/e2e-test-images/kitten:1.8",
                                               "registry.k8s.io/e2e-test-images/busybox:0.0-nope"]) == \
        ["registry.k8s.io/e2e-test-images/busybox:0.0-nope"]


def test_e2e_release_is_a_go_test_binary_stamped_like_the_cluster():
    from importlib import resources

    from kworkshop.binaries import gobuild
    from kworkshop.binaries.pins import E2E, KUBERNETES, RELEASES

    argv = gobuild.build_argv("go", E2E, Path("/cache/e2e-v1.36.3"))
    assert argv[:3] == ["go", "test", "-c"] and "-trimpath" in argv
    assert argv[-3:] == ["-o", "/cache/e2e-v1.36.3/e2e.test", "k8s.io/kubernetes/test/e2e"]
    assert "-X k8s.io/component-base/version.gitVersion=v1.36.3" in argv[argv.index("-ldflags") + 1]
    assert E2E.cache_key == "e2e-v1.36.3" and E2E not in RELEASES  # not part of the cluster
    gomod = resources.files("kworkshop.binaries").joinpath("gomod")
    replaces = [line for line in gomod.joinpath("e2e").joinpath("go.mod").read_text().splitlines() if " => " in line]
    same = [line for line in gomod.joinpath(KUBERNETES.gomod).joinpath("go.mod").read_text().splitlines()
            if " => " in line]
    assert replaces == same and len(replaces) == 33
