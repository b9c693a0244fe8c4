"""The package's layers, read from every import in its source, function-local ones included.

    base (errors, i18n, paths, settings, commands, polling, programs, progress, boundary; binaries)
      <- kube <- agent (the node agent: the simulated data plane) <- cluster
      <- features (live, load, checks, exercises, session, lab, notebooks) <- classroom <- cli

A module imports only from its own layer and those below it, and no two modules import each other,
even through a chain or from inside a function (a function-local import hides a cycle; it does not
break it). ``kworkshop/__init__.py`` is the public surface above everything: it may name anything.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[2] / "kworkshop"

LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("base", ("errors", "i18n", "paths", "settings", "commands", "polling", "programs", "progress", "boundary",
              "binaries")),
    ("kube", ("kube",)),
    ("agent", ("agent",)),
    ("cluster", ("cluster",)),
    ("features", ("live", "load", "checks", "exercises", "session", "noeditor", "lab", "notebooks")),
    ("classroom", ("classroom",)),
    ("cli", ("cli", "__main__")),
)
TOP = "kworkshop"  # the package's __init__: the public names, loaded on first use


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(path: Path, name: str, known: set[str]) -> set[str]:
    """Every kworkshop module ``path`` imports, anywhere in it. ``from . import x`` names the
    submodule ``x`` when there is one, else the package."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            targets = [f"{origin}.{alias.name}" if f"{origin}.{alias.name}" in known else origin
                       for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:  # kworkshop.x.y.Name -> the module that defines it
                target = target.rpartition(".")[0]
            if target.startswith(TOP) and target != name:
                found.add(target)
    return found


def layer_of(name: str) -> int | None:
    if name == TOP:
        return None
    first = name.split(".")[1]
    for index, (_, members) in enumerate(LAYERS):
        if first in members:
            return index
    raise AssertionError(f"{name} belongs to no layer: add its top-level name to LAYERS in {__file__}")


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imports(path, name, known) for name, path in found.items()}


def test_every_module_belongs_to_a_layer():
    for name in modules():
        layer_of(name)


def test_no_module_imports_from_a_layer_above_its_own():
    upward = []
    for name, targets in graph().items():
        mine = layer_of(name)
        if mine is None:
            continue
        for target in sorted(targets):
            theirs = layer_of(target)
            if theirs is None or theirs > mine:
                upward.append(f"{name} ({LAYERS[mine][0]}) imports {target} "
                              f"({'the package surface' if theirs is None else LAYERS[theirs][0]})")
    assert not upward, "imports that run up the layers:\n  " + "\n  ".join(upward)


def test_no_import_cycles_even_through_function_local_imports():
    edges = graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(edges):
        if node not in index and node != TOP:
            visit(node)
    assert not cycles, "modules that import each other:\n  " + "\n  ".join(" <-> ".join(c) for c in cycles)


def test_the_reader_sees_a_real_import_graph():
    """The parser must find what is plainly there, or the two tests above would pass on nothing."""
    edges = graph()
    assert "kworkshop.errors" in edges["kworkshop.kube.apierrors"]
    assert "kworkshop.kube.transport" in edges["kworkshop.kube.connection"]
    assert "kworkshop.i18n" in edges["kworkshop.errors"]
