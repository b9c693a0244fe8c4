"""`kworkshop run-notebooks`: papermill with parameters, the failing cell marked, an HTML report."""

from __future__ import annotations

from pathlib import Path

import nbformat

from kworkshop.cli import main

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def test_runner_executes_with_parameters_and_reports(cluster, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KWORKSHOP_CLUSTER", cluster.name)  # the kernels reattach to the test cluster
    broken = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("answer = 41", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("assert answer == 42, f'answer is {answer}'"),
        nbformat.v4.new_code_cell("print('never reached')"),
    ])
    broken.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    bad = tmp_path / "99-broken.ipynb"
    nbformat.write(broken, bad)
    out = tmp_path / "out"
    code = main(["run-notebooks", str(NOTEBOOKS / "00-start-here.ipynb"), str(bad), "--output", str(out),
                 "-p", "nodes", "3"])
    printed = capsys.readouterr().out
    assert code == 1
    assert not list(NOTEBOOKS.glob("kernel-*")), "the kernels' sockets were left beside the notebooks"
    assert "✓ 00-start-here" in printed and "✗ 99-broken" in printed and "answer is 41" in printed

    ran = nbformat.read(out / "00-start-here.ipynb", as_version=4)
    injected = [c for c in ran.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and "nodes = 3" in injected[0].source
    assert any("kwok-node-0" in o.get("text", "") for c in ran.cells for o in c.get("outputs", []))

    failed = nbformat.read(out / "99-broken.ipynb", as_version=4)
    assert any("An Exception was encountered" in c.source for c in failed.cells if c.cell_type == "markdown")
    assert (out / "00-start-here.html").exists() and (out / "99-broken.html").exists()
    index = (out / "index.html").read_text()
    assert "1/2 passed" in index and "99-broken" in index
