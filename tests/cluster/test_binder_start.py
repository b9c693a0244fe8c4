"""binder/start: returns at once, runs the command it is given, and the cluster comes up behind it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import kworkshop as kw
from kworkshop import paths
from kworkshop.cluster.processes import wait_until

pytestmark = pytest.mark.cluster

START = Path(__file__).resolve().parents[2] / "binder" / "start"


def test_start_execs_the_command_fast_and_the_cluster_comes_up(state_root, tmp_path):
    # a HOME of its own for the start log; the binaries stay in the cache the other tests use
    env = {**os.environ, "KWORKSHOP_CLUSTER": "kworkshop-binder", "HOME": str(tmp_path),
           "KWORKSHOP_CACHE_DIR": str(paths.cache_dir()),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    t0 = time.monotonic()
    out = subprocess.run([str(START), sys.executable, "-c", "print('notebook server here')"], env=env,
                         capture_output=True, text=True, timeout=30, check=True)
    assert time.monotonic() - t0 < 5
    assert out.stdout.strip() == "notebook server here"
    try:
        assert wait_until(lambda: kw.status("kworkshop-binder").healthy, timeout=120, interval=1), \
            (tmp_path / ".kworkshop-up.log").read_text()
        assert kw.status("kworkshop-binder").ready_nodes == 3
    finally:
        assert kw.down("kworkshop-binder") == []  # waits for the background `up` (they share a lock)
