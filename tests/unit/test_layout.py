"""README's Layout section is the package's own map: each folder and module with the first sentence
of its docstring, as ``tools/layout.py`` writes it (``make layout`` rewrites it)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

TOOL = Path(__file__).parents[2] / "tools" / "layout.py"
_spec = importlib.util.spec_from_file_location("layout_tool", TOOL)
layout = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = layout
_spec.loader.exec_module(layout)


def test_the_readme_layout_is_the_one_the_package_describes():
    assert layout.current(), "README.md lost its generated Layout section"
    assert layout.current() == layout.render(), "README's Layout is stale: run `make layout`"


def test_every_module_of_the_package_is_on_the_map():
    shown = layout.render()
    for path in layout.PACKAGE.rglob("*.py"):
        if path.name in ("__init__.py", "__main__.py") or set(path.parts) & layout.SKIP:
            continue
        assert f" {path.name} " in shown, f"{path.relative_to(layout.ROOT)} is missing from the Layout"
    assert "agent/" in shown and "embedded/" in shown and "registry.py" in shown
