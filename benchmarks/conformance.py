"""Benchmark: the upstream Kubernetes e2e suite as the judge of the simulated kubelet.

The controllers and the scheduler of the embedded cluster are the real ones; only the kubelet is
played by KWOK stages. Upstream's own tests for the workload controllers say how far that goes:
this script builds `e2e.test` at the pinned Kubernetes version, starts a cluster of its own and runs
the [sig-apps] tests of Deployment, ReplicaSet, ReplicationController, Job, CronJob and DaemonSet,
the [Conformance] ones first and the others second, then prints pass/fail/skip per test and per kind.

Steps:
  1. `e2e.test` is built from Go modules (wrapper module `kworkshop/binaries/gomod/e2e`, release
     `E2E` in pins.py) into the kit's binary cache, once: `go test -c k8s.io/kubernetes/test/e2e`,
     with the cluster binaries' -trimpath and version stamping: 375 s on 2 cores after the cluster
     binaries were built (most packages are then in Go's build cache), 104 MB.
  2. `e2e.test --list-images`: the suite's images of the families the tests use must be in the
     workshop catalogue (kworkshop/agent/images.py), or their pods would wait in ErrImagePull.
  3. A 3-node embedded cluster named kworkshop-conformance, in a state folder of its own, deleted at
     the end whatever happens (unless --keep).
  4. e2e.test against it, once per selection, with a JUnit report and a log in --output.

What e2e.test is given, and why (see `e2e_argv`):
  --provider=skeleton      no cloud, no SSH: tests that need either skip themselves (`local`
                           would claim SSH access to the nodes);
  --kubectl-path           the pinned kubectl, a few tests shell out to it;
  --disable-log-dump       there are no node VMs to collect logs from;
  --e2e-output-dir, --report-dir, --report-prefix   everything lands in --output;
  --ginkgo.focus           the six kinds' Describe texts (or --focus);
  --ginkgo.label-filter    `sig-apps && Conformance`, then `sig-apps && !Conformance`;
  --ginkgo.skip            [Disruptive], [Flaky] and cloud load balancers always; [Slow],
                           [Feature:*] and [Alpha] (off-by-default gates) outside [Conformance]
                           only, since two of CronJob's Conformance tests are [Slow].
  --ginkgo.timeout / --ginkgo.v / --ginkgo.no-color   a bound on each run, and a readable log.
  [Serial] is not skipped: every DaemonSet test is [Serial] (it takes over all nodes), and the
  specs run one at a time on a cluster of their own anyway.

What the cluster needed: nothing beyond what `kw.up()` gives. Before the specs the suite waits for
every node to be schedulable and every kube-system pod to be Ready (there are none: the control
plane runs as processes); in each test namespace it waits for the `default` ServiceAccount and the
`kube-root-ca.crt` ConfigMap, which the real kube-controller-manager makes (kwokctl passes it
--root-ca-file). The nodes have no taints, so --non-blocking-taints and --allowed-not-ready-nodes
keep their defaults. No StorageClass is needed by these tests.

Measured (2 cores, 3 nodes, kubelet of commit 2ef94f7): the [Conformance] selection 58 min, the
rest 42 min; most of it is the few Job specs the simulated kubelet gets wrong, each waiting out the
suite's 15-minute JobTimeout. The two selections can run side by side, each on a cluster of its
own: `--suite conformance` and `--suite other --output out/conformance-other` in two shells.

Usage: python benchmarks/conformance.py [--focus REGEX] [--suite all|conformance|other]
                                        [--keep] [--output out/conformance] [--timeout 90m]
Exit status: 0 when the suite ran (whatever the number of failures), 1 when it could not run.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

CLUSTER = "kworkshop-conformance"

# The Describe text of each kind's tests in test/e2e/apps (SIGDescribe prefixes "[sig-apps] ").
KINDS: dict[str, str] = {
    "Deployment": "Deployment",
    "ReplicaSet": "ReplicaSet",
    "ReplicationController": "ReplicationController",
    "Job": "Job",
    "CronJob": "CronJob",
    "DaemonSet": "Daemon set",
}
FOCUS = r"\[sig-apps\] (" + "|".join(re.escape(d) for d in KINDS.values()) + r") "
# No cloud: no LoadBalancer. [Alpha]: a feature gate that is off by default. [Slow] is skipped only
# outside [Conformance]: two of CronJob's Conformance tests are [Slow], and certification runs them.
# [Serial] is never skipped (see the docstring).
SKIP_ALWAYS = r"\[Disruptive\]|\[Flaky\]|LoadBalancer|load-balancer"
SKIP_OTHER = SKIP_ALWAYS + r"|\[Slow\]|\[Feature:[^\]]+\]|\[Alpha\]"
CONFORMANCE = "[Conformance]"
SUITES = {"conformance": True, "other": False}  # name -> whether it selects the [Conformance] tests
# Image families the selected tests use (step 2); the rest of --list-images is for other SIGs. The
# suite's private-registry agnhost needs credentials no workshop has; its tests skip on our provider.
FAMILIES = ("pause", "agnhost", "busybox", "nginx", "httpd")
PRIVATE_REGISTRY = "gcr.io/k8s-authenticated-test/"


# -- the JUnit report (pure) -------------------------------------------------------------------

@dataclass(frozen=True)
class Result:
    """One spec of the JUnit report."""

    name: str  # the full spec text, "[sig-apps] Deployment ... [Conformance]"
    status: str  # passed, failed, skipped, timedout, panicked, interrupted, ...
    seconds: float
    message: str = ""  # first line of the failure or skip reason

    @property
    def kind(self) -> str | None:
        """Which of KINDS the spec tests, or None."""
        for kind, describe in KINDS.items():
            if self.name.startswith(f"[sig-apps] {describe} "):
                return kind
        return None

    @property
    def conformance(self) -> bool:
        return CONFORMANCE in self.name

    @property
    def verdict(self) -> str:
        """pass, fail or skip: timeouts, panics and interrupts count as failures."""
        return {"passed": "pass", "skipped": "skip", "pending": "skip"}.get(self.status, "fail")


def parse_junit(text: str) -> list[Result]:
    """Every testcase of a ginkgo JUnit report, the leaf node type ("[It] ") stripped."""
    root = ET.fromstring(text)
    results = []
    for case in root.iter("testcase"):
        name = re.sub(r"^\[It\] ", "", case.get("name", ""))
        failure = case.find("failure")
        if failure is None:
            failure = case.find("error")
        skipped = case.find("skipped")
        status = case.get("status") or ("failed" if failure is not None else
                                        "skipped" if skipped is not None else "passed")
        message = ""
        if failure is not None:
            message = failure_reason(failure.text or failure.get("message", ""))
        elif skipped is not None:
            message = skipped.get("message", "").removeprefix("skipped").lstrip(" -")
        results.append(Result(name, status, float(case.get("time") or 0), message))
    return results


def failure_reason(text: str) -> str:
    """What went wrong, from a ginkgo failure: the "[FAILED]" line and the lines after it up to
    the location ("In [It] at: ..."), at most four (gomega's "Expected / <string>: 0-3 / to equal /
    <string>: 1,3" is one thought on four lines), joined and shortened."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for i, line in enumerate(lines):
        if line.startswith(("[FAILED]", "[TIMEDOUT]", "[PANICKED]", "[INTERRUPTED]")):
            parts = [line.split("]", 1)[1].strip()]
            for more in lines[i + 1:i + 5]:
                if more.startswith(("In [", "Pod status:")):
                    break
                parts.append(more)
            return _shorten(" ".join(p for p in parts if p))
    return _shorten(lines[0]) if lines else ""


def _shorten(line: str, width: int = 300) -> str:
    return line if len(line) <= width else line[: width - 1] + "…"


def selected(results: Iterable[Result], conformance: bool, focus: str | None = None) -> list[Result]:
    """The specs of one run: of our kinds, [Conformance] or not, and matching ``focus``.

    The report lists every spec of the suite (thousands), the ones left out by --ginkgo.focus as
    skipped; this keeps only those the run was about. A spec the skip regex left out stays in, as
    a skip, so a reader sees what was not tried.
    """
    pattern = re.compile(focus) if focus else None
    return sorted((r for r in results if r.kind and r.conformance == conformance
                   and (pattern is None or pattern.search(r.name))), key=lambda r: (r.kind or "", r.name))


def suite_failures(results: Iterable[Result]) -> list[Result]:
    """Failed suite-level nodes ([SynchronizedBeforeSuite], [ReportAfterSuite] ...): a failed setup
    fails every spec for the same reason."""
    return [r for r in results if r.kind is None and r.name.startswith("[") and r.verdict == "fail"
            and not r.name.startswith("[sig-")]


def totals(results: Iterable[Result]) -> dict[str, Counter[str]]:
    """pass/fail/skip counts per kind, in KINDS order, plus "all"."""
    counts: dict[str, Counter[str]] = {kind: Counter() for kind in KINDS}
    counts["all"] = Counter()
    for r in results:
        counts[r.kind or "all"][r.verdict] += 1
        counts["all"][r.verdict] += 1
    return counts


def report(title: str, results: list[Result], setup: list[Result] = ()) -> str:
    """A plain-text table: one line per spec, then the totals per kind."""
    lines = [f"== {title}: {len(results)} tests"]
    lines += [f"   setup {r.verdict.upper()}: {r.name}: {r.message}" for r in setup]
    for r in results:
        mark = {"pass": "PASS", "fail": "FAIL", "skip": "skip"}[r.verdict]
        why = f"\n        -> {r.message}" if r.message and r.verdict != "pass" else ""
        lines.append(f"  {mark} {r.seconds:6.1f}s  {r.name}{why}")
    lines.append(f"   {'kind':<22} {'pass':>5} {'fail':>5} {'skip':>5}")
    for kind, c in totals(results).items():
        if kind == "all" or sum(c.values()):
            lines.append(f"   {kind:<22} {c['pass']:>5} {c['fail']:>5} {c['skip']:>5}")
    return "\n".join(lines)


# -- the e2e.test command line (pure) ----------------------------------------------------------

def e2e_argv(e2e: Path, kubeconfig: Path, kubectl: Path, output: Path, suite: str,
             focus: str | None = None, timeout: str = "90m") -> list[str]:
    """The e2e.test command line for one selection ("conformance" or "other"); see the docstring.

    Ginkgo ORs several --ginkgo.focus, but ANDs the focus with --ginkgo.label-filter: the split
    into [Conformance] and the rest, and the limit to sig-apps, are labels, so a user's --focus
    narrows the run instead of widening it.
    """
    labels = "sig-apps && " + ("Conformance" if SUITES[suite] else "!Conformance")
    skip = SKIP_ALWAYS if SUITES[suite] else SKIP_OTHER
    return [str(e2e), f"--kubeconfig={kubeconfig}", "--provider=skeleton", f"--kubectl-path={kubectl}",
            "--disable-log-dump", f"--e2e-output-dir={output}", f"--report-dir={output}",
            f"--report-prefix={suite}-", f"--ginkgo.focus={focus or FOCUS}", f"--ginkgo.skip={skip}",
            f"--ginkgo.label-filter={labels}", f"--ginkgo.timeout={timeout}", "--ginkgo.v",
            "--ginkgo.no-color"]


def junit_path(output: Path, suite: str) -> Path:
    """Where e2e.test writes the report of one selection (junit_<prefix>01.xml)."""
    return output / f"junit_{suite}-01.xml"
# -- the steps ---------------------------------------------------------------------------------

def build_e2e() -> Path:
    """e2e.test from the kit's binary cache, built from Go modules the first time."""
    from kworkshop.binaries import install
    from kworkshop.binaries.pins import E2E
    from kworkshop.progress import TerminalStatus

    status = TerminalStatus(sys.stdout, verbose=True)  # a build line every 15 s shows progress
    t0 = time.monotonic()
    path = install(status, releases=(E2E,))["e2e.test"]
    print(f"e2e.test: {path} ({time.monotonic() - t0:.0f} s)", flush=True)
    return path


def list_images(e2e: Path) -> list[str]:
    """The images the suite uses, as `e2e.test --list-images` prints them."""
    out = subprocess.run([str(e2e), "--list-images"], capture_output=True, text=True, check=True, timeout=120)
    return [line.strip() for line in out.stdout.splitlines() if line.strip()]


def family(image: str) -> str:
    """The repository's last path element: registry.k8s.io/e2e-test-images/agnhost:2.63.0 -> agnhost."""
    return image.rsplit("/", 1)[-1].split("@")[0].split(":")[0]


def missing_from_catalogue(listed: Iterable[str]) -> list[str]:
    """The suite's images of FAMILIES that the workshop catalogue lacks (their pods would not start)."""
    from kworkshop.agent import images

    have = set(images.catalogue())
    return sorted(i for i in listed if family(i) in FAMILIES and not i.startswith(PRIVATE_REGISTRY)
                  and images.normalize(i) not in have)


def run_suite(e2e: Path, cluster, output: Path, suite: str, focus: str | None, timeout: str) -> Path | None:
    """Run e2e.test for one selection, its output to <output>/e2e-<suite>.log; the JUnit path or None."""
    from kworkshop.binaries import locate

    binaries = locate()
    assert binaries is not None  # the cluster runs, so its binaries are there
    argv = e2e_argv(e2e, cluster.kubeconfig, binaries["kubectl"], output, suite, focus, timeout)
    log = output / f"e2e-{suite}.log"
    junit = junit_path(output, suite)
    junit.unlink(missing_ok=True)
    print(f"$ {' '.join(argv)}\n  log: {log}", flush=True)
    t0 = time.monotonic()
    with open(log, "w") as out:
        # cwd: the suite resolves --repo-root (default ../../) and writes a few files relative to it
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, cwd=output)
        while proc.poll() is None:
            time.sleep(30)
            done = len(re.findall(r"^• ", log.read_text(errors="replace"), re.M))  # "• [12.3 seconds]"
            print(f"  {suite}: {time.monotonic() - t0:5.0f} s, {done} specs done", flush=True)
    print(f"  e2e.test exited {proc.returncode} after {time.monotonic() - t0:.0f} s", flush=True)
    return junit if junit.is_file() else None


def summarise(junit: Path, suite: str, focus: str | None) -> str:
    results = parse_junit(junit.read_text())
    title = "[Conformance]" if SUITES[suite] else "not [Conformance]"
    return report(f"{title} tests ({junit.name})", selected(results, SUITES[suite], focus),
                  suite_failures(results))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--focus", help="run only the specs whose text matches REGEX (Go syntax; "
                        "within [sig-apps], reported for the six kinds)")
    parser.add_argument("--suite", choices=("all", *SUITES), default="all")
    parser.add_argument("--keep", action="store_true", help="leave the cluster (and its state folder) running")
    parser.add_argument("--output", type=Path, default=Path("out/conformance"))
    parser.add_argument("--timeout", default="90m", help="ginkgo timeout of each run (default 90m)")
    args = parser.parse_args()
    output = args.output.resolve()
    output.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    try:
        e2e = build_e2e()
        missing = missing_from_catalogue(list_images(e2e))
    except Exception as exc:
        print(f"could not build or run e2e.test: {exc}", file=sys.stderr)
        return 1
    if missing:
        print("WARNING: not in the workshop catalogue, pods using them will not start:\n  "
              + "\n  ".join(missing), flush=True)
    return run_all(e2e, output, args, t0)


def run_all(e2e: Path, output: Path, args: argparse.Namespace, t0: float) -> int:
    """Start the cluster, run each selection, print the summaries; the cluster goes whatever happens."""
    import kworkshop as kw

    state = Path(tempfile.mkdtemp(prefix="kworkshop-conformance-"))
    os.environ["KWORKSHOP_STATE_DIR"] = str(state)  # a cluster of its own, never the learner's
    summaries, ran = [], 0
    try:
        cluster = kw.up(3, name=CLUSTER, set_env=False)
        for suite in SUITES if args.suite == "all" else (args.suite,):
            junit = run_suite(e2e, cluster, output, suite, args.focus, args.timeout)
            if junit is None:
                print(f"  no JUnit report for {suite}: see {output}/e2e-{suite}.log", file=sys.stderr)
                continue
            ran += 1
            summaries.append(summarise(junit, suite, args.focus))
    except Exception as exc:
        print(f"could not run the suite: {type(exc).__name__}: {exc}", file=sys.stderr)
    finally:
        if args.keep:
            print(f"cluster kept: KWORKSHOP_STATE_DIR={state} kworkshop down --name {CLUSTER}")
        else:
            problems = kw.down(CLUSTER)
            if problems:
                print(f"cluster not fully deleted: {problems}", file=sys.stderr)
            shutil.rmtree(state, ignore_errors=True)
    text = "\n\n".join(summaries) + f"\n\nwall time: {time.monotonic() - t0:.0f} s"
    print("\n" + text)
    (output / "summary.txt").write_text(text + "\n")
    return 0 if ran else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # Ctrl+C: the cluster was deleted on the way out (run_all's finally)
        print("\ninterrupted: the reports written so far are kept", file=sys.stderr)
        sys.exit(130)
