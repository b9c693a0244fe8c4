"""The Chinese edition's manifests (``notebooks/zh-CN/manifests/``) stay in step with the English ones
(pure reads of the files).

A Chinese chapter runs ``kubectl`` in its own folder, so ``manifests/`` there is what its learner applies,
opens and sees in ``!cat`` and ``!diff``: a folder of its own, with a file for every English one, the same
YAML line for line and only the comments in Chinese. The book's listings (``book/``) are shipped exactly
as printed and exist once: ``book`` is a relative link to the English folder's, so a copy of the
notebooks (a class's share, a learner's home) keeps it.

What is a comment comes from PyYAML's own scanner: whatever follows the last token of a line, starting
with ``#``. So a ``#`` inside a quoted string or a block scalar (a script) is YAML, and must be equal.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path
from typing import NamedTuple

import pytest
import yaml

from .test_zh_terms import TERMS

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
EN = NOTEBOOKS / "manifests"
ZH = NOTEBOOKS / "zh-CN" / "manifests"
BOOK = "book"  # shared, not translated
CJK = re.compile(r"[\u4e00-\u9fff]")
WIDTH = 100  # display columns of a line with a comment; a Chinese character takes two
# what a comment refers to, in English and in Chinese: the numbers must be the same
REFERENCES = {"listing": (re.compile(r"[Ll]isting (5-\d)"), re.compile(r"代码清单 (5-\d)")),
              "exercise": (re.compile(r"Exercise (\d\.\d)"), re.compile(r"练习 (\d\.\d)"))}


class Line(NamedTuple):
    number: int  # from 1
    yaml: str | None  # the line without its comment; None for a line that is only a comment
    comment: str  # "# ..." or ""
    text: str  # the whole line


def files(folder: Path) -> list[str]:
    """The manifests under ``folder`` outside ``book/``, as paths relative to it."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and p.relative_to(folder).parts[0] != BOOK
                  and not any(part.startswith(".") or part == "__pycache__" for part in p.relative_to(folder).parts))


NAMES = files(EN)


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")  # no newline translation: the bytes are compared


def split(text: str) -> list[Line]:
    """Every line of a YAML text, its comment apart (after the line's last token, as PyYAML scans it)."""
    lines = text.split("\n")
    covered = [0] * len(lines)  # the column up to which tokens reach on each line
    for token in yaml.scan(text, Loader=yaml.SafeLoader):
        start, end = token.start_mark, token.end_mark
        for n in range(start.line, min(end.line, len(lines) - 1) + 1):
            reach = end.column if n == end.line else len(lines[n])
            covered[n] = max(covered[n], reach)
    found = []
    for n, line in enumerate(lines):
        rest = line[covered[n]:]
        if rest.lstrip().startswith("#"):
            at = covered[n] + rest.index("#")
            code = line[:at].rstrip()
            found.append(Line(n + 1, code if code.strip() else None, line[at:], line))
        else:
            found.append(Line(n + 1, line, "", line))
    return found


def yaml_lines(text: str) -> list[Line]:
    return [line for line in split(text) if line.yaml is not None]


def comment_lines(text: str) -> list[Line]:
    return [line for line in split(text) if line.comment]


def width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def differences(english: str, chinese: str, name: str) -> list[str]:
    """What keeps ``chinese`` from being ``english`` with Chinese comments: one message per line."""
    found = []
    en, zh = yaml_lines(english), yaml_lines(chinese)
    for e, z in zip(en, zh, strict=False):
        if z.yaml != e.yaml:
            found.append(f"{name}: zh-CN line {z.number} is not English line {e.number}:\n"
                         f"  {z.yaml!r}\n  {e.yaml!r}")
    if len(zh) != len(en):
        found.append(f"{name}: {len(zh)} lines of YAML in zh-CN, {len(en)} in English")
    copied = {line.comment.strip() for line in comment_lines(english)}
    for line in comment_lines(chinese):
        if not CJK.search(line.comment):
            found.append(f"{name}:{line.number}: a comment without Chinese: {line.comment!r}")
        elif line.comment.strip() in copied:
            found.append(f"{name}:{line.number}: the English comment, copied: {line.comment!r}")
        if width(line.text) > WIDTH:
            found.append(f"{name}:{line.number}: {width(line.text)} columns (at most {WIDTH}): {line.text!r}")
    if copied and not comment_lines(chinese):
        found.append(f"{name}: the English file explains itself in comments, the zh-CN one does not")
    return found


# -- the folder ------------------------------------------------------------------------------------

def test_the_chinese_folder_is_a_folder_of_its_own_sharing_the_book():
    assert ZH.is_dir() and not ZH.is_symlink(), f"{ZH}: a folder of its own, not a link"
    book = ZH / BOOK
    assert book.is_symlink(), f"{book}: a link to the English book/ (the listings as printed, once)"
    assert not os.path.isabs(os.readlink(book)), f"{book}: a relative link, so that copies keep it"
    assert book.resolve() == (EN / BOOK).resolve(), f"{book} -> {os.readlink(book)}"
    assert sorted(p.name for p in book.iterdir()) == sorted(p.name for p in (EN / BOOK).iterdir())


def test_every_english_manifest_has_a_chinese_one_and_every_chinese_one_an_english_one():
    chinese = files(ZH)
    assert NAMES and "exercises/01-web.yaml" in NAMES, EN
    assert sorted(set(NAMES) - set(chinese)) == [], "no zh-CN manifest for these English ones"
    assert sorted(set(chinese) - set(NAMES)) == [], "no English manifest for these zh-CN ones"


# -- each manifest ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_the_same_documents(name):
    english, chinese = (list(yaml.safe_load_all(read(folder / name))) for folder in (EN, ZH))
    assert chinese == english, f"{name}: zh-CN and English load to different objects"


@pytest.mark.parametrize("name", NAMES)
def test_the_yaml_is_the_same_line_for_line_and_the_comments_chinese(name):
    problems = differences(read(EN / name), read(ZH / name), name)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", NAMES)
def test_the_comments_name_the_same_listings_and_exercises(name):
    english, chinese = (" ".join(line.comment for line in comment_lines(read(folder / name))) for folder in (EN, ZH))
    for what, (en, zh) in REFERENCES.items():
        assert sorted(set(zh.findall(chinese))) == sorted(set(en.findall(english))), \
            f"{name}: the zh-CN comments name another {what} ({zh.pattern}) than the English ones ({en.pattern})"


@pytest.mark.parametrize("term", TERMS)
def test_one_term_for_each_concept(term):
    """The glossary's terms, as in the chapters and solutions (``test_zh_terms.py``)."""
    drifted = [f"{name}:{line.number}: {line.comment}" for name in files(ZH)
               for line in comment_lines(read(ZH / name)) if TERMS[term].search(line.comment)]
    assert not drifted, f"use {term}:\n" + "\n".join(drifted)


# -- the comparison can fail -----------------------------------------------------------------------

ENGLISH = """\
# Exercise 9.9: a Job with a script.
apiVersion: batch/v1
kind: Job
metadata:
  name: demo  # the name
spec:
  backoffLimit: 2
  template:
    spec:
      containers:
      - name: demo
        image: busybox:1.36
        command: ["sh", "-c", "echo '# not a comment'"]
        args:
        - |
          # a line of the script, not a comment
          exit 0
"""
CHINESE = (ENGLISH.replace("# Exercise 9.9: a Job with a script.", "# 练习 9.9：一个带脚本的 Job。")
           .replace("# the name", "# 名字"))


def test_the_comments_are_found_where_yaml_scans_them():
    assert [(line.number, line.yaml, line.comment) for line in comment_lines(ENGLISH)] == [
        (1, None, "# Exercise 9.9: a Job with a script."), (5, "  name: demo", "# the name")]
    assert differences(ENGLISH, CHINESE, "x.yaml") == []
    assert width("# 练习") == 6


@pytest.mark.parametrize("old, new, found, data", [
    ("backoffLimit: 2", "backoffLimit: 3", "zh-CN line 7 is not English line 7", True),  # a value
    ("  name: demo  #", "  name: demo2  #", "zh-CN line 5 is not English line 5", True),  # before a comment
    ("# a line of the script", "# 脚本里的一行", "zh-CN line 16 is not English line 16", True),  # a script's line
    ("echo '# not a comment'", "echo '# 不是注释'", "zh-CN line 13 is not English line 13", True),  # in a string
    ("kind: Job\n", "kind: Job\n\n", "18 lines of YAML in zh-CN, 17 in English", False),  # one more blank line
    ("# 名字", "# the name", "x.yaml:5: a comment without Chinese", False),  # a comment left in English
    ("Job。", "Job。" + "很长" * 40, "x.yaml:1: 190 columns", False),  # too long a line
])
def test_the_comparison_fails_for_a_change(old, new, found, data):
    assert old in CHINESE
    changed = CHINESE.replace(old, new, 1)
    problems = differences(ENGLISH, changed, "x.yaml")
    assert any(found in problem for problem in problems), problems
    assert (list(yaml.safe_load_all(changed)) != list(yaml.safe_load_all(ENGLISH))) is data
