"""Reading manifests with their line numbers, so every complaint can point at file:line.

PyYAML's composer keeps a mark on every node; this module turns the nodes into plain Python data
and remembers, for every path inside a document (``("spec", "template", "spec")``), the line
where it starts. Syntax errors become ConfigError with ``file:line:column``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError
from ..i18n import _

Path_ = tuple[str | int, ...]
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass
class Manifest:
    """One document of a manifest source, with where it came from."""

    obj: dict[str, Any]
    source: str  # a file name, or "<string>" / "<dict>"
    first_line: int = 1
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Iterable[str | int]) -> int:
        """The line of ``path``, or of its closest ancestor that has one."""
        key = tuple(path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.first_line

    def where(self, path: Iterable[str | int] = ()) -> str:
        """``file:line`` of ``path`` for messages."""
        return f"{self.source}:{self.line_of(path)}"

    @property
    def kind(self) -> str:
        return str(self.obj.get("kind", ""))

    @property
    def name(self) -> str:
        return str((self.obj.get("metadata") or {}).get("name", ""))


_SCALARS = yaml.SafeLoader("")  # resolves scalar nodes (ints, bools, nulls) the usual way


def _to_python(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> Any:
    """Plain data from a composed node, recording the line of every path on the way."""
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(_SCALARS.construct_object(key_node, deep=True))
            lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _to_python(value_node, (*path, key), lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, (*path, i), lines) for i, item in enumerate(node.value)]
    return _SCALARS.construct_object(node, deep=True)


def parse(text: str, source: str) -> list[Manifest]:
    """Every non-empty document of ``text``; ConfigError with file:line:column on bad YAML."""
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise ConfigError(_("{where}: this is not valid YAML: {problem}. Check the indentation around that line "
                            "(spaces only, no tabs).").format(where=where, problem=exc.problem or exc.context)) from exc
    docs = []
    for node in nodes:
        if node is None:
            continue
        lines: dict[Path_, int] = {}
        obj = _to_python(node, (), lines)
        if obj is None:
            continue
        if not isinstance(obj, dict):
            raise ConfigError(_("{where}: a manifest must be a mapping (apiVersion, kind, metadata, ...), "
                                "not a {type}.").format(where=f"{source}:{node.start_mark.line + 1}",
                                                        type=type(obj).__name__))
        docs.append(Manifest(obj, source, node.start_mark.line + 1, lines))
    return docs


def load(source: str | Path | dict[str, Any] | list[dict[str, Any]]) -> list[Manifest]:
    """Manifests from a file, a folder (its .yaml/.yml/.json files, sorted), YAML text or dicts."""
    if isinstance(source, dict):
        return [Manifest(source, "<dict>")]
    if isinstance(source, list):
        return [Manifest(d, f"<list item {i}>") for i, d in enumerate(source)]
    if isinstance(source, str) and ("\n" in source or source.lstrip().startswith(("apiVersion", "kind", "{"))):
        return parse(source, "<string>")
    path = Path(source).expanduser()
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in MANIFEST_SUFFIXES)
        if not files:
            raise ConfigError(_("{folder} has no .yaml, .yml or .json files to apply.").format(folder=path))
        return [m for f in files for m in parse(f.read_text(), str(f))]
    if not path.exists():
        raise ConfigError(_("{path}: no such file. Check the name (ls {folder}).").format(
            path=path, folder=path.parent or "."))
    return parse(path.read_text(), str(path))
