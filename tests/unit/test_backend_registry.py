"""A backend registered with one line is a backend like the others: ``kworkshop up --help`` lists
it, ``--backend`` makes it, and ``down``, ``status`` and ``env`` reach it through its record."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from kworkshop import cli
from kworkshop.cluster import records, registry
from kworkshop.cluster.backend import ClusterStatus
from kworkshop.errors import ConfigError

MADE: dict[str, dict] = {}  # what the scratch backend "runs": cluster name -> its state


@dataclass(frozen=True)
class ScratchOptions:
    flavour: str = "plain"


class ScratchCluster:
    """A backend whose clusters are entries in ``MADE``: enough to see the façade route to it."""

    backend = "scratch"
    summary = "clusters made of nothing, for this test"
    Options = ScratchOptions
    spare_name = None

    def __init__(self, name: str, options: ScratchOptions) -> None:
        self.name, self.options = name, options

    @classmethod
    def open(cls, name: str, options: ScratchOptions) -> ScratchCluster:
        return cls(name, options)

    @classmethod
    def available(cls) -> tuple[bool, str]:
        return True, "nothing is needed"

    @classmethod
    def auto_claim(cls) -> None:
        return None

    def recorded_options(self) -> dict:
        return {"flavour": self.options.flavour}

    @property
    def kubeconfig(self) -> Path:
        return Path(f"/scratch/{self.name}.kubeconfig")

    @property
    def capabilities(self) -> list:
        return []

    def exists(self) -> bool:
        return self.name in MADE

    def up(self, nodes: int = 3, status=None) -> None:
        MADE[self.name] = {"nodes": nodes, "flavour": self.options.flavour}

    def down(self, status=None) -> list[str]:
        MADE.pop(self.name, None)
        return []

    def status(self) -> ClusterStatus:
        made = MADE.get(self.name, {})
        return ClusterStatus(self.name, self.backend, self.exists(), self.kubeconfig, {"scratch": 1} if made else {},
                             made.get("nodes", 0), made.get("nodes", 0), "ok" if made else "not running")

    def env(self) -> dict[str, str]:
        return {"KUBECONFIG": str(self.kubeconfig)}

    def api(self):  # a client nothing answers: up() makes it the default connection, nothing calls it
        from kubernetes import client

        from kworkshop.kube.transport import KitApiClient

        configuration = client.Configuration()
        configuration.host = f"https://{self.name}.scratch.invalid"
        return KitApiClient(configuration, self.name)


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    monkeypatch.setenv("KWORKSHOP_STATE_DIR", str(tmp_path))
    monkeypatch.delenv("KWORKSHOP_BACKEND", raising=False)
    registry.register("scratch", ScratchCluster)  # the one line
    yield
    registry.unregister("scratch")
    MADE.clear()


def test_the_help_lists_it_with_what_it_found(scratch, capsys):
    with pytest.raises(SystemExit):
        cli.main(["up", "--help"])
    out = capsys.readouterr().out
    assert "scratch" in out and "clusters made of nothing, for this test" in out and "✓ nothing is needed" in out
    assert out.index("embedded") < out.index("scratch")  # in the registry's order


def test_backend_chooses_it_and_the_record_routes_down_status_and_env(scratch, monkeypatch, capsys):
    monkeypatch.setattr(cli, "ready_text", lambda handle: f"ready: {handle.name} ({handle.backend})")
    assert cli.main(["up", "--backend", "scratch", "--name", "s1", "--nodes", "2"]) == 0
    assert "ready: s1 (scratch)" in capsys.readouterr().out
    assert MADE == {"s1": {"nodes": 2, "flavour": "plain"}}
    assert records.read("s1") == records.Record("s1", "scratch", {"flavour": "plain"})
    assert cli.main(["status", "--name", "s1"]) == 0
    assert "scratch" in capsys.readouterr().out
    assert cli.main(["env", "--name", "s1"]) == 0
    assert "export KUBECONFIG=/scratch/s1.kubeconfig" in capsys.readouterr().out
    assert cli.main(["down", "--name", "s1"]) == 0
    assert MADE == {} and records.read("s1") is None


def test_its_typed_options_come_from_up_and_back_from_its_record(scratch):
    from kworkshop import cluster

    cluster.up(2, name="s2", backend="scratch", flavour="spicy", set_env=False)
    assert MADE["s2"]["flavour"] == "spicy"
    assert cluster.backend_of("s2").options == ScratchOptions("spicy")
    with pytest.raises(ConfigError, match="the scratch backend takes no option 'timings'; it takes: flavour"):
        cluster.up(2, name="s3", backend="scratch", timings=(1, 2), set_env=False)
    assert "s3" not in MADE


def test_an_unknown_backend_names_every_registered_one(scratch, capsys):
    assert cli.main(["up", "--backend", "nope", "--name", "s4"]) == 2
    assert "unknown backend 'nope': choose one of auto, embedded, kind, kubeconfig, scratch." in capsys.readouterr().err
