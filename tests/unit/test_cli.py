"""The CLI: parse, one library call, exit code."""

import pytest

from kworkshop import cli


def test_env_prints_export_lines(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KWORKSHOP_STATE_DIR", str(tmp_path))
    assert cli.main(["env", "--name", "demo"]) == 0
    out = capsys.readouterr().out
    assert f"export KUBECONFIG={tmp_path}/kwok/clusters/demo/kubeconfig.yaml" in out


def test_status_of_a_missing_cluster_says_how_to_start_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KWORKSHOP_STATE_DIR", str(tmp_path))
    assert cli.main(["status", "--name", "nothing"]) == 3
    assert "kworkshop up" in capsys.readouterr().out


def test_down_of_a_missing_cluster_succeeds(tmp_path, monkeypatch):
    monkeypatch.setenv("KWORKSHOP_STATE_DIR", str(tmp_path))
    assert cli.main(["down", "--name", "nothing"]) == 0


@pytest.mark.parametrize("nodes", ["0", "-2", "51"])
def test_bad_node_count_is_a_clear_error(nodes, capsys):
    assert cli.main(["up", "--nodes", nodes]) == 2
    assert "nodes must be a whole number from 1 to 50" in capsys.readouterr().err


def test_unknown_backend_is_named(capsys):
    assert cli.main(["up", "--backend", "minikube"]) == 2
    assert "unknown backend 'minikube'" in capsys.readouterr().err
