"""One concept, one term, in everything a Chinese-edition learner reads: the chapters, their solutions,
the kit's messages and the Chinese README use the glossary's term (``术语表.md``) and never the other
ones a translation drifts into (内置/嵌入式, 账号/账户, 活跃/运行中, 条件/状况, 班级/课堂).

The glossary itself is not read: it names the book's words on purpose."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
ZH = ROOT / "notebooks" / "zh-CN"
GLOSSARY = ZH / "术语表.md"

# the term the kit uses -> a pattern of the ones it does not
TERMS = {
    "嵌入式集群": re.compile(r"内置集群"),
    "账号": re.compile(r"账户"),
    "运行中": re.compile(r"活跃"),
    "状况": re.compile(r"(?<!符合)条件"),  # condition; "符合条件的节点" (eligible nodes) is another word
    "课堂": re.compile(r"班级"),
    "选择算符": re.compile(r"(?<!节点)选择器|节点选择器"),  # selector; nodeSelector keeps its field name
    "区域": re.compile(r"地域"),
}


def texts() -> list[tuple[str, str]]:
    """(where, text) for every piece of Chinese a learner reads."""
    found = []
    for path in sorted(ZH.glob("*.ipynb")):
        for index, cell in enumerate(json.loads(path.read_text())["cells"]):
            found.append((f"{path.name} cell {index}", "".join(cell["source"])))
    for path in sorted((ZH / "solutions").iterdir()):
        found.append((f"solutions/{path.name}", path.read_text()))
    for path in sorted((ROOT / "kworkshop" / "locale" / "zh_CN" / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale="zh_CN"):
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                found += [(f"{path.name}: {message.id!r}", s) for s in strings if s]
    found.append(("README.zh-CN.md", (ROOT / "README.zh-CN.md").read_text()))
    return found


@pytest.mark.parametrize("term", TERMS)
def test_one_term_for_each_concept(term):
    drifted = [f"{where}: ...{text[max(0, m.start() - 12):m.end() + 12]}..."
               for where, text in texts() for m in TERMS[term].finditer(text)]
    assert not drifted, f"use {term}:\n" + "\n".join(drifted)


@pytest.mark.parametrize("term", TERMS)
def test_the_glossary_names_the_term(term):
    assert term in GLOSSARY.read_text(), f"术语表.md does not name {term}"


def test_the_check_finds_a_drifted_term():
    assert TERMS["状况"].search("等到某个条件成立") and not TERMS["状况"].search("符合条件的节点")
    assert TERMS["选择算符"].search("标签选择器") and TERMS["选择算符"].search("节点选择器")


@pytest.mark.parametrize(("chapter", "book_word"), [
    ("02-updates-history-rollback.ipynb", "回滚定义"),
    ("04-jobs-and-cronjobs.ipynb", "作业"),
    ("05-daemonsets-and-node-selection.ipynb", "图 5-8"),
])
def test_a_chapter_links_the_glossary_where_the_books_wording_misleads(chapter, book_word):
    """Where the translation's word would mislead, the chapter names it, links the glossary and the
    page of kubernetes.io/zh-cn that says it the current way, in the same cell."""
    cells = ["".join(c["source"]) for c in json.loads((ZH / chapter).read_text())["cells"]]
    here = [text for text in cells if book_word in text]
    assert here, f"{chapter} never names the book's {book_word}"
    assert any("(术语表.md)" in text and "https://kubernetes.io/zh-cn/" in text for text in here), \
        f"{chapter}: the cell naming {book_word} links neither the glossary nor kubernetes.io/zh-cn"
