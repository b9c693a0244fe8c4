"""The chapter notebooks as a learner gets them: exercises without their solutions, manifests as
files, the book's kubectl commands typed, and no stored outputs (pure reads of the files)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
CHAPTERS = sorted(NOTEBOOKS.glob("0[1-5]-*.ipynb"))
SOLUTIONS = NOTEBOOKS / "solutions"
MUTATING = re.compile(r"!kubectl (create|apply|scale|set image|set resources|rollout (undo|pause|resume)|label|"
                      r"annotate|delete|patch|autoscale)\b")


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


def code(path: Path) -> list[str]:
    return [source(c) for c in cells(path) if c["cell_type"] == "code"]


def test_there_are_five_chapters():
    assert [p.name[:2] for p in CHAPTERS] == ["01", "02", "03", "04", "05"]


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_notebooks_are_committed_without_outputs(path):
    for cell in cells(path):
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, source(cell)[:80]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_exercise_cells_are_empty_and_solutions_only_run_hidden_files(path):
    for text in code(path):
        if "✍" in text:
            lines = [line for line in text.splitlines() if line.strip()]
            # an empty cell, or the one line where a prediction is written down
            assert all(line.lstrip().startswith("#") for line in lines) or \
                lines == ["prediction = None  # ✍ replace None with your number, then run the next cells"], text
        for block in re.findall(r"if solutions:\n((?:    .*\n?)+)", text):
            assert re.fullmatch(r'    kw\.solve\("[\w-]+"\)\n?', block), block


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_solution_command_is_in_the_notebook(path):
    notebook = "\n".join(source(c) for c in cells(path))
    for solution in SOLUTIONS.glob("*"):
        for line in solution.read_text().splitlines():
            line = line.strip()
            if line and not line.startswith("#") and ("kubectl" in line or line.startswith("prediction")):
                assert line not in notebook, f"{solution.name}: {line}"


def test_every_exercise_has_a_solution_file_and_every_file_an_exercise():
    used = {key for path in CHAPTERS for text in code(path) for key in re.findall(r'kw\.solve\("([\w-]+)"\)', text)}
    files = {p.stem for p in SOLUTIONS.iterdir() if p.suffix in (".sh", ".py")}
    assert used == files


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_three_kinds_of_exercise_each_with_its_own_hint(path):
    markdown = [source(c) for c in cells(path) if c["cell_type"] == "markdown"]
    text = "\n".join(markdown)
    kinds = re.findall(r"### Exercise \d\.\d · (\w+)", text)
    assert {"do", "diagnose", "predict"} <= set(kinds), kinds
    # do and diagnose exercises: a folded hint of their own; every checkpoint: a hint of its own
    assert text.count("<summary>Hint</summary>") >= kinds.count("do") + kinds.count("diagnose")
    hints = [h for t in code(path) for h in re.findall(r'(?:hint|why)=\s*"([^"]+)"', t)]
    assert len(hints) == len(set(hints)) >= len(kinds)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_manifests_are_files_and_the_learner_types_kubectl(path):
    for text in code(path):
        assert not re.search(r"kw\.apply\((?![\"']manifests/)", text), text  # no dicts, no inline YAML
        for manifest in re.findall(r"kubectl (?:apply|create)[^\n]*?-f (\S+)", text):
            for name in re.findall(r"(manifests/\S+\.yaml)", manifest + " " + text):
                assert (NOTEBOOKS / name).exists(), name
    assert any(MUTATING.search(text) for text in code(path)), "no mutating kubectl command of the book"


def test_the_book_listings_ship_as_printed():
    book = sorted(p.name for p in (NOTEBOOKS / "manifests" / "book").glob("*.yaml"))
    assert [name[:11] for name in book] == [f"listing-5-{i}" for i in range(1, 9)]
    reference = Path(__file__).resolve().parents[3] / "shared" / "reference" / "chapter5.md"
    if reference.exists():  # beside the repository where the kit is developed
        blocks = [b for b in re.findall(r"```\n(.*?)```", reference.read_text(), re.S) if b.startswith("apiVersion")]
        for name, block in zip(book, blocks, strict=True):
            assert (NOTEBOOKS / "manifests" / "book" / name).read_text() == block.rstrip("\n") + "\n", name


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("**/*.ipynb")), ids=lambda p: str(p.relative_to(NOTEBOOKS)))
def test_no_code_span_breaks_across_lines(path):
    """A code span split over two lines renders, until the second line starts with `>` or `-`: then the
    reader gets a quote or a list item in the middle of a command (04's hint did, issue 21)."""
    for index, cell in enumerate(cells(path)):
        if cell["cell_type"] != "markdown":
            continue
        fenced = False  # inside a ``` block, backticks are text
        for line in source(cell).split("\n"):
            if line.lstrip().startswith("```"):
                fenced = not fenced
                continue
            assert fenced or line.count("`") % 2 == 0, f"cell {index}: a code span breaks at the end of: {line}"
