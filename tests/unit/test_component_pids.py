"""A component just started is taken for running at once (``components.pid_of``), not for one that
exited: the cold and warm runs of 2026-12-08 each lost a cluster to that ("metrics-server exited
right after it was started", 0.0 s, with the previous run's log), because a process's command line
is still empty for a moment after ``Popen`` returns."""

from __future__ import annotations

import sys
from pathlib import Path

import psutil

from kworkshop.cluster import processes
from kworkshop.cluster.embedded import components
from kworkshop.cluster.embedded.components import Component


def _start(comp: Component) -> int:
    return processes.spawn_detached([comp.binary, *comp.args], comp.logfile, comp.pidfile)


def test_a_component_is_found_the_moment_it_was_started(tmp_path: Path):
    started, missed = [], 0
    try:
        for i in range(120):
            comp = Component("sleeper", sys.executable, ("-c", "import time; time.sleep(30)"), tmp_path / f"w{i}")
            started.append(_start(comp))
            missed += components.pid_of(comp) is None
    finally:
        for pid in started:
            try:
                psutil.Process(pid).kill()
            except psutil.Error:
                pass
    assert missed == 0, f"{missed} of 120 components just started were taken for exited"


def test_a_pid_reused_by_another_program_is_not_the_component(tmp_path: Path):
    comp = Component("sleeper", sys.executable, (), tmp_path)
    stranger = Component("stranger", "/bin/sleep", ("30",), tmp_path / "other")
    pid = _start(stranger)
    try:
        comp.pidfile.parent.mkdir(parents=True, exist_ok=True)
        comp.pidfile.write_text(str(pid))  # the pid file names a process of another binary
        assert components.pid_of(comp) is None
        assert components.pid_of(stranger) == pid
    finally:
        psutil.Process(pid).kill()
