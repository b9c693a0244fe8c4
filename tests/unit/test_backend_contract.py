"""The backend contract: every backend keeps it, the façade routes by the recorded backend, kind's
create cleans up after itself and its delete keeps the record until it succeeded, every kind/docker
command runs under a timeout, and the hints name the cluster the user asked for.

Pure logic: ``kind`` and ``docker`` are stubbed at the one place that runs them
(``subprocess.run`` as the kind module calls it); no Kubernetes API server is mocked.
"""

from __future__ import annotations

import dataclasses
import inspect
import subprocess
from pathlib import Path

import pytest

from kworkshop import cli, cluster
from kworkshop.cluster import backend as contract
from kworkshop.cluster import kind, records, registry
from kworkshop.cluster.embedded import EmbeddedCluster
from kworkshop.cluster.external import ExternalCluster
from kworkshop.cluster.kind import KindCluster
from kworkshop.errors import ClusterError, ClusterNotFoundError, CommandError, ConfigError
from kworkshop.progress import LoggingStatus

# a kubeconfig whose apiserver cannot answer (port 1 is closed): status reports, never raises
UNREACHABLE = """apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: far, context: {cluster: c, user: u}}]
current-context: far
"""


@pytest.fixture(autouse=True)
def state(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("KWORKSHOP_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("KWORKSHOP_CLUSTER", raising=False)
    monkeypatch.delenv("KWORKSHOP_BACKEND", raising=False)
    return tmp_path / "state"


class FakeCommands:
    """Stands in for ``subprocess.run`` under the kind module: records every call, fails on request."""

    def __init__(self, fail: tuple[str, ...] = (), clusters: str = "", ps: str = "") -> None:
        self.fail, self.clusters, self.ps = fail, clusters, ps
        self.calls: list[tuple[list[str], dict]] = []

    def __call__(self, argv: list[str], **kwargs) -> subprocess.CompletedProcess:
        self.calls.append((list(argv), kwargs))
        verb = argv[1]  # kind: create/delete/get/load/export; docker: info/pull/ps
        if verb in self.fail:
            return subprocess.CompletedProcess(argv, 1, "", f"{verb}: it went wrong")
        out = {"get": self.clusters, "ps": self.ps, "info": "27.1.1"}.get(verb, "")
        return subprocess.CompletedProcess(argv, 0, out, "")

    def verbs(self) -> list[str]:
        return [argv[1] for argv, _ in self.calls]


@pytest.fixture
def commands(monkeypatch) -> FakeCommands:
    fake = FakeCommands()
    monkeypatch.setattr(kind.subprocess, "run", fake)
    monkeypatch.setattr(kind.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(KindCluster, "_kind", lambda self, status: "kind")
    monkeypatch.setattr(KindCluster, "_install_metrics_server", lambda self: None)
    return fake


def _record_kind(name: str) -> KindCluster:
    records.write(records.Record(name, "kind"))
    handle = KindCluster(name)
    handle.root.mkdir(parents=True)
    return handle


def _record_kubeconfig(name: str, tmp_path: Path, context: str | None = None) -> Path:
    path = tmp_path / "remote.kubeconfig"
    path.write_text(UNREACHABLE)
    records.write(records.Record(name, "kubeconfig", {"kubeconfig": str(path),
                                                      **({"context": context} if context else {})}))
    return path


# -- every backend keeps the contract ----------------------------------------------------------

def _backends(tmp_path: Path) -> list[contract.Backend]:
    return [EmbeddedCluster("c", tmp_path), KindCluster("c", tmp_path),
            ExternalCluster(tmp_path / "kubeconfig", name="c")]


def test_each_registered_backend_keeps_the_contract():
    for name in registry.names():
        cls = registry.backend_class(name)
        assert cls.backend == name, f"{cls.__name__} is registered as {name!r} but calls itself {cls.backend!r}"
        assert dataclasses.is_dataclass(cls.Options), f"{name}: Options must be a dataclass"
        handle = cls.open("c", cls.Options())
        assert isinstance(handle, contract.Backend), f"{name}: {type(handle).__name__} misses part of the contract"
        assert handle.name == "c" and isinstance(handle.kubeconfig, Path)
        ok, found = cls.available()
        assert isinstance(ok, bool) and found, f"{name}: available() must say what it found"
        inspect.signature(handle.up).bind(3, LoggingStatus())
        with pytest.raises(TypeError):  # options are typed: nothing slips through a **kwargs bag
            inspect.signature(handle.up).bind(3, LoggingStatus(), extra_images=())
        for method in ("down", "exists", "status", "env", "api", "recorded_options"):
            inspect.signature(getattr(handle, method)).bind()


def test_an_option_a_backend_does_not_take_is_an_error_that_names_it():
    assert registry.options("embedded", {"extra_images": ("x:1",)}).extra_images == ("x:1",)
    with pytest.raises(ConfigError, match=r"the kind backend takes no option 'extra_images'; it takes: none"):
        registry.options("kind", {"extra_images": ("x:1",)})
    with pytest.raises(ConfigError, match=r"takes no option 'kubeconfg'; it takes: context, kubeconfig"):
        registry.options("kubeconfig", {"kubeconfg": "typo"})
    with pytest.raises(ConfigError, match=r"the kind backend takes no option 'extra_images'"):
        cluster.up(name="k", backend="kind", extra_images=("x:1",), status=LoggingStatus(), set_env=False)
    assert records.read("k") is None  # refused before anything was recorded


def test_the_status_of_nothing_is_a_report_in_every_backend(tmp_path):
    for backend in _backends(tmp_path):
        report = backend.status()
        assert isinstance(report, contract.ClusterStatus) and not report.exists and not report.healthy
        assert backend.env()["KUBECONFIG"] == str(backend.kubeconfig)


# -- the façade routes by the record ------------------------------------------------------------

def test_status_and_env_of_a_recorded_kind_cluster_ask_kind(commands):
    handle = _record_kind("k")
    commands.ps = "k-control-plane\trunning\nk-worker\texited\n"
    report = cluster.status("k")
    assert report.backend == "kind" and report.exists and not report.healthy
    assert report.components == {"k-control-plane": "running", "k-worker": None}
    assert any("label=io.x-k8s.kind.cluster=k" in argv for argv, _ in commands.calls)
    assert cluster.cluster_env("k")["KUBECONFIG"] == str(handle.kubeconfig)
    assert cluster.attach("k").backend == "kind"


def test_down_of_a_recorded_kind_cluster_deletes_it_with_kind(commands):
    handle = _record_kind("k")
    assert cluster.down("k") == []
    assert ["kind", "delete", "cluster", "--name", "k"] in [argv for argv, _ in commands.calls]
    assert records.read("k") is None and not handle.root.exists()
    assert cluster.down("k") == []  # nothing left: still a success


def test_kind_down_keeps_the_record_when_kind_delete_fails(commands, capsys):
    handle = _record_kind("k")
    commands.fail = ("delete",)
    problems = cluster.down("k")
    assert problems and "kind delete cluster failed" in problems[0] and "it went wrong" in problems[0]
    assert records.read("k") == records.Record("k", "kind") and handle.root.is_dir()
    assert cluster.status("k").backend == "kind"
    assert cli.main(["down", "--name", "k"]) == 1
    assert "run `kworkshop down --name k` again" in capsys.readouterr().err
    commands.fail = ()
    assert cluster.down("k") == [] and records.read("k") is None


def test_a_recorded_kubeconfig_cluster_is_probed_and_only_forgotten(tmp_path):
    path = _record_kubeconfig("remote", tmp_path)
    report = cluster.status("remote")
    assert report.backend == "kubeconfig" and report.exists and report.components == {}
    assert report.apiserver.startswith("not answering") and not report.healthy
    assert cluster.cluster_env("remote")["KUBECONFIG"] == str(path)
    assert cluster.attach("remote").backend == "kubeconfig"
    assert cluster.down("remote") == []
    assert records.read("remote") is None and path.read_text() == UNREACHABLE  # nothing deleted
    assert not cluster.status("remote").exists


def test_a_recorded_context_comes_first_in_kubeconfig(tmp_path):
    from kubernetes import config

    path = _record_kubeconfig("remote", tmp_path, context="far")
    first, second = cluster.cluster_env("remote")["KUBECONFIG"].split(":")
    assert second == str(path) and "current-context: \"far\"" in Path(first).read_text()
    assert cluster.down("remote") == [] and not Path(first).exists()
    assert config.list_kube_config_contexts(str(path))[1]["name"] == "far"


def test_a_name_without_record_but_an_embedded_cluster_on_disk_is_embedded(state):
    on_disk = EmbeddedCluster("old")
    on_disk.layout.kwok_cluster_dir.mkdir(parents=True)
    (on_disk.layout.kwok_cluster_dir / "kwok.yaml").write_text("kind: KwokctlConfiguration\n")
    assert records.read("old") is None
    assert isinstance(cluster.backend_of("old"), EmbeddedCluster) and cluster.status("old").exists


def test_a_learners_kubeconfig_works_beside_the_kits_own_cluster(state, tmp_path):
    """KWORKSHOP_BACKEND=kubeconfig on a machine that also runs the default embedded cluster: the
    kubeconfig cluster takes a name of its own instead of clashing with it (issue 21, item 6)."""
    on_disk = EmbeddedCluster("kworkshop")
    on_disk.layout.kwok_cluster_dir.mkdir(parents=True)
    (on_disk.layout.kwok_cluster_dir / "kwok.yaml").write_text("kind: KwokctlConfiguration\n")
    records.write(records.Record("kworkshop", "embedded"))
    kubeconfig = tmp_path / "learner.kubeconfig"
    kubeconfig.write_text(UNREACHABLE)
    with pytest.raises(ClusterError) as caught:  # its apiserver does not answer: that is all that fails
        cluster.up(backend="kubeconfig", kubeconfig=str(kubeconfig), status=LoggingStatus(), set_env=False)
    assert "already exists" not in str(caught.value) and "does not answer" in str(caught.value)
    assert "--name kubeconfig" in str(caught.value)  # it took its own name
    assert records.read("kworkshop") == records.Record("kworkshop", "embedded")  # the kit's own is untouched
    with pytest.raises(ClusterError, match=r"cluster 'kworkshop' already exists, made by the embedded backend"):
        cluster.up(name="kworkshop", backend="kubeconfig", kubeconfig=str(kubeconfig), status=LoggingStatus(),
                   set_env=False)  # named on purpose: the clash is the user's to resolve


def test_a_name_without_anything_is_an_embedded_cluster_not_created():
    assert isinstance(cluster.backend_of("none"), EmbeddedCluster)
    assert not cluster.status("none").exists
    with pytest.raises(ClusterNotFoundError, match=r"`kworkshop up --name none`"):
        cluster.attach("none")


def test_up_keeps_the_recorded_backend_and_refuses_another(commands):
    _record_kind("k")
    assert cluster.choose_backend(None, "kind") == ("kind", "auto: the cluster exists and was made by the kind backend")
    assert cluster.choose_backend("embedded", "kind")[0] == "embedded"
    with pytest.raises(ClusterError, match=r"cluster 'k' already exists, made by the kind backend.*down --name k"):
        cluster.up(name="k", backend="embedded", status=LoggingStatus(), set_env=False)
    assert commands.calls == []  # refused before anything ran


# -- kind's create is a checklist that cleans up ---------------------------------------------------

def test_kind_create_that_fails_deletes_what_it_made_and_the_record(commands):
    commands.fail = ("create",)
    with pytest.raises(CommandError, match="kind create failed"):
        cluster.up(name="k", backend="kind", status=LoggingStatus(), set_env=False)
    assert commands.verbs()[-1] == "delete" and not KindCluster("k").exists()
    assert records.read("k") is None


def test_kind_create_cleans_up_when_a_later_step_fails(commands, monkeypatch):
    def broken(self):
        raise ClusterError("metrics-server would not install")

    monkeypatch.setattr(KindCluster, "_install_metrics_server", broken)
    with pytest.raises(ClusterError, match="metrics-server"):
        cluster.up(name="k", backend="kind", status=LoggingStatus(), set_env=False)
    assert "create" in commands.verbs() and commands.verbs()[-1] == "delete"
    assert records.read("k") is None


def test_a_create_whose_cleanup_fails_stays_recorded_for_down(commands):
    commands.fail = ("create", "delete")
    with pytest.raises(CommandError):
        cluster.up(name="k", backend="kind", status=LoggingStatus(), set_env=False)
    assert KindCluster("k").exists() and records.read("k") == records.Record("k", "kind")
    commands.fail = ()
    assert cluster.down("k") == [] and records.read("k") is None


def test_a_failed_up_of_an_existing_kind_cluster_deletes_nothing(commands):
    _record_kind("k")
    commands.clusters = "k\n"
    commands.fail = ("load",)
    with pytest.raises(CommandError, match="kind load failed"):
        cluster.up(name="k", backend="kind", status=LoggingStatus(), set_env=False)
    assert "create" not in commands.verbs() and "delete" not in commands.verbs()
    assert records.read("k") is not None


def test_every_kind_and_docker_command_has_a_timeout(commands, monkeypatch):
    monkeypatch.setattr("kworkshop.kube.client.use", lambda handle: None)
    commands.fail = ("pull",)  # tolerated: the nodes pull later
    handle = cluster.up(name="k", backend="kind", status=LoggingStatus(), set_env=False)
    handle.status()
    assert handle.down() == []
    verbs = set(commands.verbs())
    assert {"info", "get", "create", "pull", "load", "ps", "delete"} <= verbs
    assert all(kwargs.get("timeout", 0) > 0 for _, kwargs in commands.calls)
    package = Path(kind.__file__).parents[1]
    runners = [str(p.relative_to(package)) for p in sorted(package.rglob("*.py")) if "subprocess.run(" in p.read_text()]
    assert runners == ["programs.py"], f"one place runs programs to their end, under a timeout: {runners}"


def test_a_kind_command_that_hangs_becomes_a_command_error(monkeypatch):
    def hangs(argv, **kwargs):
        raise subprocess.TimeoutExpired(argv, kwargs["timeout"], output="still waiting")

    monkeypatch.setattr(kind.subprocess, "run", hangs)
    with pytest.raises(CommandError, match=r"kind create did not finish within 600s") as caught:
        kind.run(["kind", "create", "cluster"], kind.TIMEOUTS["create"], "kind create")
    assert caught.value.argv == ["kind", "create", "cluster"] and "still waiting" in caught.value.output


# -- the hints name the cluster -------------------------------------------------------------------

class _Ready:
    name, backend, kubeconfig = "X", "embedded", Path("/state/kubeconfig.yaml")

    def nodes(self) -> list[str]:
        return ["a", "b", "c"]


def test_up_ends_with_the_env_line_of_that_cluster(monkeypatch, capsys):
    monkeypatch.setattr(cli.cluster, "up", lambda *a, **k: _Ready())
    assert cli.main(["up", "--name", "X"]) == 0
    out = capsys.readouterr().out
    assert 'eval "$(kworkshop env --name X)"' in out and "3 nodes" in out


def test_hints_leave_out_only_the_plain_default_name(monkeypatch):
    assert contract.command("env", "kworkshop") == "kworkshop env"
    assert contract.command("up", "X") == "kworkshop up --name X"
    monkeypatch.setenv("KWORKSHOP_CLUSTER", "other")  # here plain `kworkshop env` means `other`
    assert contract.command("env", "kworkshop") == "kworkshop env --name kworkshop"


def test_status_text_names_the_cluster(state):
    missing = contract.ClusterStatus("X", "embedded", False, state / "kc")
    assert "`kworkshop up --name X`" in str(missing)
    sick = contract.ClusterStatus("X", "kind", True, state / "kc", {"X-worker": None}, apiserver="ok")
    assert "DEGRADED" in str(sick) and "`kworkshop up --name X`" in str(sick)
    wrong = contract.ClusterStatus("X", "embedded", True, state / "kc", {"etcd": 7}, 3, 3, "ok",
                                   problems=("the apiserver answering is another cluster's",))
    assert not wrong.healthy and "✗ the apiserver answering is another cluster's" in str(wrong)
