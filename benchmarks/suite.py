"""Time the test suite as `make test` runs it, phase by phase, and each tier within the parallel run.

    python benchmarks/suite.py                    # the phases of `make test` on this machine
    python benchmarks/suite.py --workers 2 4      # the slow tiers once per worker count
    python benchmarks/suite.py --cold             # first remove the kit's cache and Go's (a cold machine)
    python benchmarks/suite.py --report out/slow.xml   # only the tier breakdown of a run already made

Phases: the fast tier (lint + unit), the pinned binaries (cache or Go build), kind's images (as root),
the slow tiers in parallel workers. The slow run writes JUnit XML, with each test's tier (conftest.py
adds it); from it each tier's test count, summed test time and slowest test are printed. Summed time
is more than the phase's wall time when workers overlap: their ratio is the parallelism won. Figures
only: nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

COLD = (Path.home() / ".cache" / "kworkshop", Path.home() / "go", Path.home() / ".cache" / "go-build")


def run_phase(name: str, argv: list[str]) -> tuple[str, float, int]:
    print(f"== {name}: {' '.join(argv)}", flush=True)
    t0 = time.monotonic()
    code = subprocess.run(argv, cwd=ROOT, check=False).returncode
    took = time.monotonic() - t0
    print(f"== {name}: {took:.0f} s, exit {code}", flush=True)
    return name, took, code


def breakdown(report: Path) -> None:
    tree = ET.parse(report)
    counts: dict[str, int] = defaultdict(int)
    seconds: dict[str, float] = defaultdict(float)
    slowest: dict[str, tuple[float, str]] = {}
    for case in tree.iter("testcase"):
        file = case.get("file") or ""
        classname = case.get("classname") or ""
        tier = next((p.get("value") for p in case.iter("property") if p.get("name") == "tier"), "?")
        took = float(case.get("time") or 0)
        counts[tier] += 1
        seconds[tier] += took
        name = f"{file or classname}::{case.get('name')}"
        if took > slowest.get(tier, (0.0, ""))[0]:
            slowest[tier] = (took, name)
    print(f"{'tier':10} {'tests':>6} {'summed s':>9}  slowest")
    for tier in sorted(counts, key=lambda t: -seconds[t]):
        took, name = slowest.get(tier, (0.0, ""))
        print(f"{tier:10} {counts[tier]:6d} {seconds[tier]:9.0f}  {took:.0f} s {name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, nargs="+", default=[4], help="worker counts for the slow tiers")
    parser.add_argument("--cold", action="store_true", help="remove the kit's and Go's caches first")
    parser.add_argument("--report", type=Path, help="only print the tier breakdown of this JUnit XML")
    args = parser.parse_args(argv)
    if args.report:
        breakdown(args.report)
        return 0
    if args.cold:
        for folder in COLD:
            print(f"removing {folder}")
            shutil.rmtree(folder, ignore_errors=True)
    phases = [run_phase("fast tier", ["make", "test-fast"]), run_phase("binaries", ["make", "binaries"])]
    if os.geteuid() == 0:
        phases.append(run_phase("kind images", ["make", "kind-images"]))
    reports = []
    for workers in args.workers:
        report = ROOT / "out" / f"slow-{workers}.xml"
        phases.append(run_phase(f"slow tiers, {workers} workers",
                                ["make", "test-slow", f"WORKERS={workers}", f"JUNIT={report}"]))
        reports.append(report)
    print(f"\n{'phase':28} {'seconds':>8} exit")
    for name, took, code in phases:
        print(f"{name:28} {took:8.0f} {code}")
    for report in reports:
        if report.is_file():
            print(f"\n{report.name}:")
            breakdown(report)
    return max(code for _, _, code in phases)


if __name__ == "__main__":
    sys.exit(main())
