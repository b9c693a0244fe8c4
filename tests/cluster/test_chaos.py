"""Healing and isolation under faults, as `benchmarks/chaos.py` measures them, against live clusters.

Each healing case rolls a Deployment to a new revision, kills one component (or all) with SIGKILL
in the middle of the rollout, runs `kworkshop up` and follows the rollout. The two-cluster cases
create clusters of their own next to each other. Slow (about 5 minutes together), so they run once
in `make test`, not per change.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[2] / "benchmarks" / "chaos.py"
_spec = importlib.util.spec_from_file_location("chaos_bench", BENCH)
chaos = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = chaos  # dataclasses look their module up while the file runs
_spec.loader.exec_module(chaos)

NAME = "chaos-t"


@pytest.fixture(scope="module")
def rolling(state_root):
    """A cluster of its own with a Deployment `web` rolled out in namespace `chaos`."""
    up = chaos.cli("up", "--name", NAME)
    assert up.returncode == 0, up.stderr
    chaos.prepare(chaos.Kubectl(NAME))
    yield NAME
    assert chaos.cli("down", "--name", NAME).returncode == 0


@pytest.mark.parametrize("component", [*chaos.COMPONENTS, "all"])
def test_up_heals_a_kill_9_in_the_middle_of_a_rollout(rolling, component):
    step = [*chaos.COMPONENTS, "all"].index(component) + 2
    result = chaos.heal_one(rolling, component, step)
    assert result.up_ok, result.detail
    assert result.rollout_ok, f"the rollout did not complete after healing {component}: {result.detail}"
    assert result.intact, f"objects or history lost, or warnings on screen: {result.detail}"
    # how long `up` took is a figure of benchmarks/chaos.py (target 20 s), not a condition here
    assert chaos.alive(rolling)


def test_down_of_a_cluster_leaves_a_cluster_whose_name_starts_alike(state_root):
    try:
        ok, said = chaos.prefix_names("rel")
        assert ok, said
    finally:
        for n in ("rel", "rel-2"):
            chaos.cli("down", "--name", n)


def test_a_cluster_created_while_another_is_down_never_takes_its_ports(state_root):
    try:
        ok, said = chaos.port_takeover("take-a", "take-b")
        assert ok, said
    finally:
        for n in ("take-a", "take-b"):
            chaos.cli("down", "--name", n)


def test_up_refuses_to_heal_onto_a_port_a_stranger_holds_and_names_it(state_root):
    try:
        ok, said = chaos.foreign_port("stranger")
        assert ok, said
    finally:
        chaos.cli("down", "--name", "stranger")
