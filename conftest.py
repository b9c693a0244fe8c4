"""The suite's tiers, and the environment each chapter notebook runs in (the whole repository's tests).

Every test belongs to exactly one tier, given here from where it lives (a module may name its own with
``pytestmark``):

* ``unit``: pure logic, notebook structure, editions and catalogues: no cluster, no Go, no network
  (``make test-fast``, a couple of minutes);
* ``go``: builds a Go tool of its own first (kwok's stage engine);
* ``cluster``: a live embedded cluster (one per pytest worker, started on first use);
* ``browser``: JupyterLab or JupyterHub in headless Chromium, on a live cluster;
* ``kind``: real containers in the kit's harness Docker daemon;
* ``notebooks``: the chapters run top to bottom with their solutions on (nbval), and the runner.

The slow tiers run in parallel workers (``make test``): a chapter notebook gets a cluster of the
worker's own (``kworkshop-nb-<worker>``, created by the notebook's ``kw.start``, deleted when the worker
ends), so an English chapter and its Chinese twin never share nodes, labels or a class. In a Chinese
chapter every line the kit speaks (a checkpoint's ✓/✗, any line in Chinese) is read for English left
in it (``tests/notebooks/english.py``): the cell fails naming the line.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

TIERS = ("unit", "go", "cluster", "browser", "kind", "notebooks")
ROOT = Path(__file__).resolve().parent
# where a test module's tier comes from when it names none
BY_PLACE = {
    "tests/unit": "unit",
    "tests/notebooks/test_structure.py": "unit",
    "tests/notebooks/test_editions.py": "unit",
    "tests/notebooks/test_zh_solutions.py": "unit",
    "tests/notebooks/test_zh_terms.py": "unit",
    "tests/notebooks/test_zh_manifests.py": "unit",
    "tests/notebooks/test_runner.py": "notebooks",
    "tests/notebooks/test_class_chapter5.py": "notebooks",
    "tests/cluster/test_kind_backend.py": "kind",
    "tests/cluster/test_docker_harness.py": "kind",
    "tests/cluster": "cluster",
    "tests/browser": "browser",
    "notebooks": "notebooks",
}
# fixtures that start or need a cluster, a browser or Go: a unit test may use none of them
HEAVY_FIXTURES = {"cluster", "kubectl", "namespace", "lab", "stagetool"}
# files known to take minutes, started first so the slowest do not end the run alone
SLOW_FIRST = ("test_kind_backend.py", "03-autoscaling.ipynb", "test_class_serve.py", "test_class_chapter5.py",
              "test_autoscaling.py", "test_chaos.py", "test_chart_walk.py", "test_chinese_chart.py", "test_terminal.py",
              "test_jupyterlab.py", "test_binder_start.py", "02-updates-history-rollback.ipynb",
              "test_kubelet_stages.py", "test_learner_walk.py")


def tier_of(item: pytest.Item) -> str:
    """The tier ``item`` belongs to: its module's own tier marker, else the place it lives in."""
    own = [m.name for m in item.iter_markers() if m.name in TIERS]
    if own:
        return own[0]
    where = item.path.relative_to(ROOT).as_posix()
    for place, tier in BY_PLACE.items():
        if where == place or where.startswith(place + "/"):
            return tier
    raise pytest.UsageError(f"{where}: no tier for this test; add it to BY_PLACE in conftest.py or mark it")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        tier = tier_of(item)
        if not any(m.name == tier for m in item.iter_markers()):
            item.add_marker(tier)
        item.user_properties.append(("tier", tier))  # in the JUnit XML, for benchmarks/suite.py
        if tier == "unit" and HEAVY_FIXTURES & set(getattr(item, "fixturenames", ())):
            raise pytest.UsageError(f"{item.nodeid} is a unit test but uses "
                                    f"{sorted(HEAVY_FIXTURES & set(item.fixturenames))}: give it a slower tier")

    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return SLOW_FIRST.index(name) if name in SLOW_FIRST else len(SLOW_FIRST)

    items.sort(key=rank)  # stable: within a file the order is kept


def worker() -> str:
    """This pytest process's name among the parallel workers (``gw0``, ...), or ``main`` alone."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def notebook_cluster() -> str:
    return f"kworkshop-nb-{worker()}"


def _notebook_state(config: pytest.Config) -> Path:
    base = Path(str(config._tmp_path_factory.getbasetemp()))  # type: ignore[attr-defined]
    return base / f"notebooks-state-{worker()}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    """A chapter's kernel starts (nbval, in its first cell's setup) with solutions on and the worker's cluster."""
    if item.path.suffix != ".ipynb":
        yield
        return
    saved = {k: os.environ.get(k) for k in ("KWORKSHOP_SOLUTIONS", "KWORKSHOP_CLUSTER", "KWORKSHOP_STATE_DIR")}
    os.environ.update(KWORKSHOP_SOLUTIONS="1", KWORKSHOP_CLUSTER=notebook_cluster(),
                      KWORKSHOP_STATE_DIR=str(_notebook_state(item.config)))
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """A cell of a Chinese chapter passes only when no line the learner reads from the kit is English."""
    result = yield
    if item.path.suffix == ".ipynb" and item.path.parent.name == "zh-CN":
        from tests.notebooks.english import english_runs, read_by_learner

        texts = [out.get("text", "") if out.get("output_type") == "stream" else
                 (out.get("data") or {}).get("text/plain", "") for out in getattr(item, "test_outputs", None) or []]
        english = [(line, runs) for text in texts for line in text.splitlines()
                   if read_by_learner(line) and (runs := english_runs(line))]
        assert not english, "English in what a Chinese-edition learner reads:\n" + "\n".join(
            f"  {line.strip()}   <- {runs}" for line, runs in english)
    return result


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The worker's notebook cluster goes, whatever the result (nothing happens when none was made)."""
    state = _notebook_state(session.config)
    if not state.is_dir():
        return
    env = {**os.environ, "KWORKSHOP_STATE_DIR": str(state)}
    down = subprocess.run([sys.executable, "-m", "kworkshop", "down", "--name", notebook_cluster()], env=env,
                          capture_output=True, text=True, check=False, timeout=300)
    if down.returncode != 0:  # shown, not hidden: a cluster left behind costs the next run its ports
        print(f"\n`kworkshop down --name {notebook_cluster()}` failed:\n{down.stdout}{down.stderr}", file=sys.stderr)
