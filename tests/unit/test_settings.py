"""Every KWORKSHOP_* variable is defined once (kworkshop/settings.py), read only there, and in the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kworkshop import settings

ROOT = Path(__file__).resolve().parents[2]
NAME = re.compile(r"KWORKSHOP_[A-Z][A-Z_]*[A-Z]")
# where the repository mentions its variables: the kit, its notebooks, tests, scripts and docs
PLACES = ("kworkshop", "notebooks", "tests", "benchmarks", "tools", "binder", "z2jh", ".ci")
SUFFIXES = {".py", ".ipynb", ".md", ".sh", ".yaml", ".yml", ".toml", ""}
DIRECT_READ = re.compile(r"(environ\.get\(|environ\[|getenv\()\s*[\"']KWORKSHOP_")


def _files() -> list[Path]:
    found = [ROOT / "conftest.py", ROOT / "Makefile", ROOT / "README.md", ROOT / "README.zh-CN.md"]
    for place in PLACES:
        found += [p for p in (ROOT / place).rglob("*") if p.is_file() and p.suffix in SUFFIXES]
    return [p for p in found if p.exists() and "__pycache__" not in p.parts]


def test_every_variable_the_repository_mentions_is_a_setting():
    defined = {s.name for s in settings.ALL}
    unknown = {}
    for path in _files():
        for name in NAME.findall(path.read_text(errors="replace")):
            if name not in defined:
                unknown.setdefault(name, str(path.relative_to(ROOT)))
    assert unknown == {}, f"variables not defined in kworkshop/settings.py (name: first file): {unknown}"


def test_only_the_settings_module_reads_them():
    readers = [f"{p.relative_to(ROOT)}:{n}" for p in (ROOT / "kworkshop").rglob("*.py")
               if p.name != "settings.py"
               for n, line in enumerate(p.read_text().splitlines(), 1) if DIRECT_READ.search(line)]
    assert readers == [], f"read KWORKSHOP_* through kworkshop.settings, not os.environ: {readers}"


def test_the_readme_lists_every_setting():
    readme = (ROOT / "README.md").read_text()
    assert settings.markdown_table() in readme, (
        "README.md's Settings table differs from kworkshop/settings.py; paste "
        "`python -c 'from kworkshop import settings; print(settings.markdown_table())'`")


def test_each_name_is_defined_once():
    names = [s.name for s in settings.ALL]
    assert len(names) == len(set(names)), names


@pytest.mark.parametrize(("value", "got", "enabled"), [
    (None, "auto", False), ("", "auto", False), ("  ", "auto", False), (" kind ", "kind", False),
    ("1", "1", True), ("TRUE", "TRUE", True), ("yes", "yes", True), ("0", "0", False)])
def test_an_empty_value_counts_as_unset(monkeypatch, value, got, enabled):
    if value is None:
        monkeypatch.delenv("KWORKSHOP_BACKEND", raising=False)
    else:
        monkeypatch.setenv("KWORKSHOP_BACKEND", value)
    assert settings.BACKEND.get() == got
    assert settings.BACKEND.is_set() == (got != "auto")
    assert settings.BACKEND.enabled() == enabled
