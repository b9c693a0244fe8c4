"""The message catalogues: every message the kit uses has a Chinese translation, with the same
placeholders, and every module belongs to a catalogue (see kworkshop/i18n.py, tools/messages.py)."""

from __future__ import annotations

import ast
import importlib.util
import re
import string
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from kworkshop import i18n

TOOL = Path(__file__).parents[2] / "tools" / "messages.py"
_spec = importlib.util.spec_from_file_location("messages_tool", TOOL)
messages = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = messages
_spec.loader.exec_module(messages)

PACKAGE = Path(i18n.__file__).parent


def _catalogue(lang: str, name: str):
    with open(messages.po_path(lang, name), "rb") as f:
        return read_po(f, locale=lang)


def _fields(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def test_every_module_belongs_to_exactly_one_catalogue():
    owners: dict[Path, list[str]] = {}
    for name in i18n.CATALOGUES:
        for path in messages.sources(name):
            owners.setdefault(path, []).append(name)
    every = {p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts}
    assert sorted(str(p) for p in every - set(owners)) == []
    assert {str(p): o for p, o in owners.items() if len(o) > 1} == {}


@pytest.mark.parametrize("name", list(i18n.CATALOGUES))
def test_every_message_has_a_chinese_translation_with_the_same_placeholders(name):
    used = {str(m.id) if isinstance(m.id, str) else m.id for m in messages.template(name) if m.id}
    catalogue = _catalogue("zh_CN", name)
    problems = []
    for msgid in used:
        entry = catalogue.get(msgid)
        if entry is None or not entry.string or entry.fuzzy:
            problems.append(f"untranslated: {msgid!r}")
            continue
        pairs = zip(msgid, entry.string, strict=False) if isinstance(msgid, tuple) else [(msgid, entry.string)]
        for source, translated in pairs:
            if _fields(source) != _fields(translated):
                problems.append(f"placeholders differ: {source!r} -> {translated!r}")
    assert problems == [], f"run `make messages` and translate ({len(problems)}):\n" + "\n".join(problems[:40])


def test_no_message_is_an_f_string_or_glued_together():
    """Babel cannot extract f-strings, and pieces glued with + cannot be reordered by a translator.

    ``_(NAME)`` stays allowed: that is how a constant marked with ``N_()`` is translated where shown.
    """
    bad = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("_", "N_") and node.args:
                arg = node.args[0]
                literal = isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                marked = node.func.id == "_" and isinstance(arg, ast.Name | ast.Attribute | ast.Subscript)
                if not (literal or marked):
                    bad.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert bad == []


@pytest.mark.parametrize(("tag", "lang"), [
    ("zh_CN", "zh_CN"), ("zh-CN", "zh_CN"), ("zh_CN.UTF-8", "zh_CN"), ("zh", "zh_CN"), ("zh_Hans", "zh_CN"),
    ("en", "en"), ("en_US.UTF-8", "en"), ("", "en"), ("C.UTF-8", "en"), ("fr_FR", "en"),
])
def test_language_tags_are_normalised(tag, lang):
    assert i18n.normalise(tag) == lang


def test_the_language_follows_kworkshop_lang_then_the_locale(monkeypatch):
    for var in ("KWORKSHOP_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    assert i18n.language() == "en"
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert i18n.language() == "zh_CN"
    monkeypatch.setenv("KWORKSHOP_LANG", "en")  # a notebook's own setting wins over the locale
    assert i18n.language() == "en"


def test_a_catalogue_compiles_and_translates(monkeypatch, tmp_path):
    monkeypatch.setenv("KWORKSHOP_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("KWORKSHOP_LANG", "zh_CN")
    i18n.translations.cache_clear()
    catalogue = _catalogue("zh_CN", "kit")
    translated = [m for m in catalogue if m.id and m.string and not m.fuzzy and isinstance(m.id, str)]
    assert translated, "the kit catalogue has no translation yet"
    assert i18n._(translated[0].id) == translated[0].string
    assert re.search(r"[\u4e00-\u9fff]", "".join(m.string for m in translated))
    monkeypatch.setenv("KWORKSHOP_LANG", "en")
    assert i18n._(translated[0].id) == translated[0].id
    i18n.translations.cache_clear()
