"""The Chinese edition's exercise solutions (``notebooks/zh-CN/solutions/``) stay in step with the English
ones (pure reads of the files).

``kw.solution`` shows a learner the file in the ``solutions/`` folder beside the notebook, and ``kw.solve``
runs it, so the Chinese folder has a file for every English one, with the same commands (or Python) line
for line; only the comments, which explain them, are in Chinese. A comment line is one whose first
non-blank character is ``#``; the two files may have different numbers of them.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
EN = NOTEBOOKS / "solutions"
ZH = NOTEBOOKS / "zh-CN" / "solutions"
SUFFIXES = (".sh", ".py")
NAMES = sorted(p.name for p in EN.iterdir() if p.suffix in SUFFIXES)
CJK = re.compile(r"[\u4e00-\u9fff]")
COLON = "\uff1a"  # the full-width colon of a Chinese header: "# 练习 5.1" + COLON
WIDTH = 100  # display columns of a comment line; a Chinese character takes two


def is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def numbered(path: Path) -> list[tuple[int, str]]:
    return list(enumerate(path.read_text().splitlines(), start=1))


def commands(path: Path) -> list[tuple[int, str]]:
    return [(n, line) for n, line in numbered(path) if not is_comment(line)]


def comments(path: Path) -> list[tuple[int, str]]:
    return [(n, line) for n, line in numbered(path) if is_comment(line)]


def width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def test_the_chinese_folder_is_a_folder_of_its_own():
    assert ZH.is_dir() and not ZH.is_symlink(), ZH


def test_every_english_solution_has_a_chinese_one_and_every_chinese_one_an_english_one():
    chinese = sorted(p.name for p in ZH.iterdir() if p.suffix in SUFFIXES)
    assert NAMES, EN
    assert sorted(set(NAMES) - set(chinese)) == [], "no Chinese solution for these English ones"
    assert sorted(set(chinese) - set(NAMES)) == [], "no English solution for these Chinese ones"


@pytest.mark.parametrize("name", NAMES)
def test_the_commands_are_the_same_line_for_line(name):
    english, chinese = commands(EN / name), commands(ZH / name)
    for (en_line, en), (zh_line, zh) in zip(english, chinese, strict=False):
        assert zh == en, f"{name}: zh-CN line {zh_line} is not English line {en_line}:\n  {zh!r}\n  {en!r}"
    assert len(chinese) == len(english), \
        f"{name}: {len(chinese)} non-comment lines in zh-CN, {len(english)} in English"


@pytest.mark.parametrize("name", NAMES)
def test_the_comments_are_chinese_and_not_copied(name):
    english = {line.strip() for _, line in comments(EN / name)}
    chinese = comments(ZH / name)
    assert chinese, f"{name}: the zh-CN file has no comment explaining it"
    for n, line in chinese:
        assert CJK.search(line), f"{name}:{n}: a comment line without Chinese: {line!r}"
        assert line.strip() not in english, f"{name}:{n}: the English comment, copied: {line!r}"
        assert width(line) <= WIDTH, f"{name}:{n}: {width(line)} columns (at most {WIDTH}): {line!r}"


@pytest.mark.parametrize("name", NAMES)
def test_the_first_comment_names_the_exercise(name):
    english = re.match(r"# Exercise (\d\.\d):", comments(EN / name)[0][1])
    assert english, f"{name}:{comments(EN / name)[0][0]}: the English file starts without '# Exercise N.M:'"
    n, first = comments(ZH / name)[0]
    header = f"# 练习 {english.group(1)}{COLON}"
    assert first.startswith(header), f"{name}:{n}: the header is not {header!r}: {first!r}"


def test_the_comparison_finds_a_changed_command_and_an_english_comment(tmp_path):
    (tmp_path / "en").mkdir()
    (tmp_path / "zh").mkdir()
    (tmp_path / "en" / "x.sh").write_text("# Exercise 9.9: scale it.\nkubectl scale deployment web --replicas=3\n")
    (tmp_path / "zh" / "x.sh").write_text(f"# 练习 9.9{COLON}扩缩它。\n# scale it.\n"
                                          "kubectl scale deployment web --replicas=4\n")
    assert commands(tmp_path / "en" / "x.sh") != commands(tmp_path / "zh" / "x.sh")
    assert [n for n, line in comments(tmp_path / "zh" / "x.sh") if not CJK.search(line)] == [2]
    assert width("# 练习") == 6
