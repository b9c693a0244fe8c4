"""binder/start: returns at once, runs the command it is given (the notebook server) with the
cluster's environment and the kit's Jupyter config, and the cluster comes up behind it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import kworkshop as kw
from kworkshop import paths
from kworkshop.cluster import cluster_env
from kworkshop.polling import poll

START = Path(__file__).resolve().parents[2] / "binder" / "start"


def test_start_execs_the_command_fast_and_the_cluster_comes_up(state_root, tmp_path):
    # a HOME of its own for the start log; the binaries stay in the cache the other tests use
    env = {**os.environ, "KWORKSHOP_CLUSTER": "kworkshop-binder", "HOME": str(tmp_path),
           "KWORKSHOP_CACHE_DIR": str(paths.cache_dir()),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    t0 = time.monotonic()
    server = "import json, os; print(json.dumps(dict(os.environ)))"  # stands in for the notebook server
    out = subprocess.run([str(START), sys.executable, "-c", server], env=env,
                         capture_output=True, text=True, timeout=30, check=True)
    try:
        assert time.monotonic() - t0 < 5
        seen = json.loads(out.stdout)
        # the server (and so its kernels and terminals) talks to the cluster with the pinned kubectl...
        expected = cluster_env("kworkshop-binder")
        assert seen["KUBECONFIG"] == expected["KUBECONFIG"]
        assert seen["PATH"].split(os.pathsep)[0] == expected["PATH"].split(os.pathsep)[0]  # the pinned kubectl
        assert (Path(seen["PATH"].split(os.pathsep)[1]) / "kworkshop").exists()
        # ...and reads the kit's Jupyter config: the Terminal's shell, never a login shell
        config_dir = Path(seen["JUPYTER_CONFIG_PATH"].split(os.pathsep)[0])
        config = json.loads((config_dir / "jupyter_server_config.json").read_text())
        shell = config["ServerApp"]["terminado_settings"]["shell_command"]
        assert "--rcfile" in shell and "-l" not in shell
        assert config_dir.is_relative_to(state_root)
        assert poll(lambda: kw.status("kworkshop-binder").healthy, timeout=200, most=1), \
            (tmp_path / ".kworkshop-up.log").read_text()
        assert kw.status("kworkshop-binder").ready_nodes == 3
    finally:
        assert kw.down("kworkshop-binder") == []  # waits for the background `up` (they share a lock)
