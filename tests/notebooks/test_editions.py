"""The Chinese edition (``notebooks/zh-CN/``) stays in step with the English one (pure reads of the files).

Both editions have the same notebooks, cells, cell types and tags, and the same code: only markdown,
comments and what the learner reads may differ. The code of two cells is compared after a normaliser
built on ``ast`` has replaced, in both, the text a learner reads:

- the string literals passed to ``print(...)`` and to the exception of a ``raise`` (the expressions
  inside an f-string stay: they are code);
- the ``hint=`` and ``why=`` of ``kw.check`` calls, and the detail a ``kw.check.checkpoint``
  condition returns beside its boolean.

Everything else must be equal: a checkpoint's *name* too, since it is the key under which the class
board records it. The parameters cell may differ in two more ways: each edition sets its own
``KWORKSHOP_LANG`` (``zh_CN`` in Chinese, ``en`` in English, so an English notebook run after a Chinese
one in the same kernel speaks English again), and the Chinese namespace ends in ``-zh``, so the two
editions can run side by side.
IPython's ``!`` lines are shell commands and must be equal character for character.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
ZH = NOTEBOOKS / "zh-CN"
NAMES = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
LANG = "KWORKSHOP_LANG"
LANGUAGES = {"en": NOTEBOOKS, "zh_CN": ZH}  # the value each edition's parameters cell sets
SUFFIX = "-zh"
TEXT = "<text>"
SHELL = re.compile(r"^(\s*)!(.*)$")
CJK = re.compile(r"[\u4e00-\u9fff]")
KINDS = {"do": "动手", "diagnose": "诊断", "predict": "预测"}


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


def tags(cell: dict) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


# -- the normaliser ---------------------------------------------------------------------------------

def split_shell(code: str) -> tuple[str, list[str]]:
    """IPython's ``!`` lines become ``__shell__(i)`` calls, so the rest parses as Python; the lines come apart.
    A cell magic's cell (``%%writefile``: a file's text) is not Python: it is one shell part, compared whole."""
    if code.startswith("%%"):
        return "__magic__()", [code]
    lines, shell = [], []
    for line in code.splitlines():
        match = SHELL.match(line)
        if match:
            lines.append(f"{match.group(1)}__shell__({len(shell)})")
            shell.append(match.group(2).rstrip())
        else:
            lines.append(line)
    return "\n".join(lines), shell


def dotted(node: ast.AST) -> str:
    """``kw.check.deployment`` for the function of a call, "" for anything not a dotted name."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


def text(node: ast.expr) -> ast.expr:
    """A string the learner reads, as a placeholder; an f-string keeps its expressions, in order."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return ast.Constant(TEXT)
    if isinstance(node, ast.JoinedStr):
        values = [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
        return ast.Call(ast.Name("__text__", ast.Load()), values, [])
    return node


def lang_of(node: ast.stmt) -> str | None:
    """``zh_CN`` for ``os.environ["KWORKSHOP_LANG"] = "zh_CN"`` (any string set there), else None."""
    if (isinstance(node, ast.Assign) and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Subscript) and dotted(node.targets[0].value) == "os.environ"
            and isinstance(node.targets[0].slice, ast.Constant) and node.targets[0].slice.value == LANG
            and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
        return node.value.value
    return None


def is_lang(node: ast.stmt) -> bool:
    """The language line of an edition: ``os.environ["KWORKSHOP_LANG"]`` set to ``en`` or ``zh_CN``."""
    return lang_of(node) in LANGUAGES


def namespace_of(tree: ast.Module) -> str | None:
    """The value of ``namespace = "..."`` at the top of a parameters cell."""
    for node in tree.body:
        if (isinstance(node, ast.Assign) and [dotted(t) for t in node.targets] == ["namespace"]
                and isinstance(node.value, ast.Constant)):
            return node.value.value
    return None


class Normalise(ast.NodeTransformer):
    def visit_Call(self, node: ast.Call) -> ast.Call:
        self.generic_visit(node)
        name = dotted(node.func)
        if name == "print":
            node.args = [text(a) for a in node.args]
        if name.startswith("kw.check."):
            # label=: the name as a learner of that edition reads it (the key stays the first argument)
            node.keywords = [k for k in node.keywords if k.arg != "label"]
            for keyword in node.keywords:
                if keyword.arg in ("hint", "why"):
                    keyword.value = text(keyword.value)
            condition = node.args[1] if name == "kw.check.checkpoint" and len(node.args) > 1 else None
            if isinstance(condition, ast.Lambda) and isinstance(condition.body, ast.Tuple):
                condition.body.elts[1:] = [text(e) for e in condition.body.elts[1:]]
        return node

    def visit_Raise(self, node: ast.Raise) -> ast.Raise:
        self.generic_visit(node)
        if isinstance(node.exc, ast.Call):
            node.exc.args = [text(a) for a in node.exc.args]
        return node


def parse(code: str, *, parameters: bool = False) -> tuple[ast.Module, list[str]]:
    """A code cell as (normalised tree, shell lines); a parameters cell loses its language line and namespace."""
    python, shell = split_shell(code)
    tree = Normalise().visit(ast.parse(python))
    if parameters:
        tree.body = [node for node in tree.body if not is_lang(node)]
        for node in tree.body:
            if isinstance(node, ast.Assign) and [dotted(t) for t in node.targets] == ["namespace"]:
                node.value = ast.Constant(TEXT)
    return tree, shell


def normalised(code: str, *, parameters: bool = False) -> tuple[str, list[str]]:
    tree, shell = parse(code, parameters=parameters)
    return ast.dump(tree), shell


def checkpoints(code: str) -> list[str]:
    tree, _ = parse(code)
    return [ast.dump(node) for node in ast.walk(tree)
            if isinstance(node, ast.Call) and dotted(node.func).startswith(("kw.check.", "kw.solve", "kw.solution"))]


def learner_texts(code: str) -> list[str]:
    """The hint= and why= strings of the kw.check calls of a cell."""
    python, _ = split_shell(code)
    return [k.value.value for node in ast.walk(ast.parse(python))
            if isinstance(node, ast.Call) and dotted(node.func).startswith("kw.check.")
            for k in node.keywords
            if k.arg in ("hint", "why") and isinstance(k.value, ast.Constant)]


# -- the normaliser keeps real differences ---------------------------------------------------------

CELL = '''import time

!kubectl scale deployment web --replicas 3
running = kw.get("pods", selector="name=web").column("status").count("Running")  # how many run
print("running pods:", running, f"of {3 + 0}")
kw.check.predicted("Running pods", prediction, running, why="the ReplicaSet makes a new one")
kw.check.checkpoint("a run", lambda: (running > 0, "looking for pods"), timeout=75, record=False)
if running < 1:
    raise kw.KworkshopError(f"only {running} pods: " "ask your instructor")
'''


@pytest.mark.parametrize("old, new", [
    ("# how many run", "# 有几个在运行"),
    ('"running pods:"', '"运行中的 Pod"'),
    ('f"of {3 + 0}"', 'f"共 {3 + 0} 个"'),
    ('why="the ReplicaSet makes a new one"', 'why="ReplicaSet 会创建一个新的"'),
    ('"looking for pods"', '"查找 Pod"'),
    ('f"only {running} pods: " "ask your instructor"', 'f"只有 {running} 个 Pod, 请讲师分配"'),
])
def test_the_normaliser_ignores_what_the_learner_reads(old, new):
    assert old in CELL
    assert normalised(CELL.replace(old, new)) == normalised(CELL)


@pytest.mark.parametrize("old, new", [
    ("--replicas 3", "--replicas 4"),                     # a shell command
    ('selector="name=web"', 'selector="name=api"'),       # a string that is an argument
    ('"Running pods"', '"Running pods now"'),             # a checkpoint's name: the class board's key
    ("f\"of {3 + 0}\"", "f\"of {3 + 1}\""),               # an expression inside a printed f-string
    ("timeout=75", "timeout=60"),                         # a number
    ("running > 0", "running >= 0"),                      # the condition of a checkpoint
    ("import time\n", "import time\nimport os\n"),        # one more statement
    ('"Running")', '"Pending")'),                         # a literal compared with cluster state
])
def test_the_normaliser_keeps_real_code_differences(old, new):
    assert old in CELL
    assert normalised(CELL.replace(old, new)) != normalised(CELL)


def test_the_parameters_cell_may_differ_in_the_language_and_the_namespace_only():
    english = 'import os\n\nos.environ["KWORKSHOP_LANG"] = "en"  # English\n\nnamespace = "ch5-x"\ntimeout = 120\n'
    chinese = 'import os\n\nos.environ["KWORKSHOP_LANG"] = "zh_CN"  # 中文\n\nnamespace = "ch5-x-zh"\ntimeout = 120\n'
    assert normalised(chinese, parameters=True) == normalised(english, parameters=True)
    assert normalised(chinese.replace("120", "60"), parameters=True) != normalised(english, parameters=True)
    assert normalised(chinese.replace('"zh_CN"', '"de_DE"'), parameters=True) != normalised(english, parameters=True)
    assert normalised(english.replace('"en"', '"de_DE"'), parameters=True) != normalised(chinese, parameters=True)


# -- the two editions ------------------------------------------------------------------------------

def test_both_editions_have_the_same_notebooks():
    assert NAMES and sorted(p.name for p in ZH.glob("*.ipynb")) == NAMES


def test_the_chinese_notebooks_find_the_manifests_and_solutions():
    # kubectl runs in the notebook's folder and kw.solution looks for solutions/ there: both are folders
    # of their own, with the same files and Chinese comments (test_zh_manifests.py, test_zh_solutions.py);
    # manifests/book, the listings as printed, is the English one
    for folder in ("manifests", "manifests/exercises", "solutions"):
        english, chinese = NOTEBOOKS / folder, ZH / folder
        assert chinese.is_dir() and not chinese.is_symlink(), chinese
        assert sorted(p.name for p in chinese.iterdir()) == sorted(p.name for p in english.iterdir()), folder
    assert (ZH / "manifests" / "book").resolve() == (NOTEBOOKS / "manifests" / "book").resolve()


@pytest.mark.parametrize("name", NAMES)
def test_same_cells_types_and_tags(name):
    english, chinese = cells(NOTEBOOKS / name), cells(ZH / name)
    assert [(c["cell_type"], tags(c)) for c in chinese] == [(c["cell_type"], tags(c)) for c in english]


@pytest.mark.parametrize("name", NAMES)
def test_same_code_apart_from_what_the_learner_reads(name):
    pairs = [(e, z) for e, z in zip(cells(NOTEBOOKS / name), cells(ZH / name), strict=True) if e["cell_type"] == "code"]
    for english, chinese in pairs:
        parameters = "parameters" in tags(english)
        assert normalised(source(chinese), parameters=parameters) == \
            normalised(source(english), parameters=parameters), source(english)[:120]


@pytest.mark.parametrize("name", NAMES)
def test_the_parameters_cell_sets_its_language_and_a_namespace_of_its_own(name):
    trees = {}
    for lang, folder in LANGUAGES.items():
        found = [source(c) for c in cells(folder / name) if "parameters" in tags(c)]
        assert len(found) == 1, (lang, name)
        tree = trees[lang] = ast.parse(split_shell(found[0])[0])
        # exactly one language line, its edition's: a notebook never inherits the last one's language
        assert [lang_of(node) for node in tree.body if lang_of(node)] == [lang], (lang, name)
        assert any(isinstance(n, ast.Import) and "os" in [a.name for a in n.names] for n in tree.body)
    namespace = namespace_of(trees["en"])
    if namespace is not None:
        assert namespace_of(trees["zh_CN"]) == namespace + SUFFIX


@pytest.mark.parametrize("name", NAMES)
def test_same_checkpoints_and_solutions(name):
    def calls(path: Path) -> list[str]:
        return [call for c in cells(path) if c["cell_type"] == "code" for call in checkpoints(source(c))]

    english = calls(NOTEBOOKS / name)
    assert calls(ZH / name) == english
    markdown = {path: "\n".join(source(c) for c in cells(path) if c["cell_type"] == "markdown")
                for path in (NOTEBOOKS / name, ZH / name)}
    keys = [sorted(re.findall(r'kw\.solution\("([\w-]+)"\)', text)) for text in markdown.values()]
    assert keys[0] == keys[1]


@pytest.mark.parametrize("name", NAMES)
def test_same_exercises_each_with_its_hint(name):
    english = "\n".join(source(c) for c in cells(NOTEBOOKS / name) if c["cell_type"] == "markdown")
    chinese = "\n".join(source(c) for c in cells(ZH / name) if c["cell_type"] == "markdown")
    exercises = [(n, KINDS[k]) for n, k in re.findall(r"### Exercise (\d\.\d) · (\w+)", english)]
    assert re.findall(r"### 练习 (\d\.\d) · (\w\w)", chinese) == exercises
    assert chinese.count("<summary>提示</summary>") == english.count("<summary>Hint</summary>")


@pytest.mark.parametrize("name", NAMES)
def test_the_chinese_edition_is_chinese(name):
    for cell in cells(ZH / name):
        if cell["cell_type"] == "markdown":
            assert CJK.search(source(cell)), source(cell)[:80]
        else:
            assert cell["outputs"] == [] and cell["execution_count"] is None, source(cell)[:80]
            for hint in learner_texts(source(cell)):
                assert CJK.search(hint), hint


def test_the_start_notebook_links_the_glossary():
    glossary = ZH / "术语表.md"
    start = "\n".join(source(c) for c in cells(ZH / "00-start-here.ipynb") if c["cell_type"] == "markdown")
    assert glossary.exists() and f"]({glossary.name})" in start
    for word in ("ReplicaSet", "ReplicationController", "DaemonSet", "HorizontalPodAutoscaler", "rollout", "5-8"):
        assert word in glossary.read_text(), word


@pytest.mark.parametrize(("line", "found"), [
    ("✗ 预测：node-problem-detector pods after the nodeSelector：你预测的是 1，集群给出的是 2",
     ["pods after the nodeSelector"]),
    ("✓ deployment/web 有 3 个就绪副本（镜像 nginx:1.27）", []),
    ("✓ 2 个 Running Pod，在 2 个节点中的 2 个上", []),
    ("✗ job/import 没有成功完成；提示：kubectl get pods -l job-name=import 看一看", []),
    ("下一次运行：每周六 Saturday 10:15", ["Saturday"]),
    ("有没有一个时刻没有就绪的 Pod：True", ["True"]),
    # the cluster's own words, quoted, stay as the cluster wrote them
    ('Pod web-1：容器 web 处于 ImagePullBackOff 状态（镜像 x:42.0）：“Back-off pulling image "x:42.0"”', []),
    ("listing.yaml:9:4：这不是合法的 YAML：“expected <block end>, but found '<block mapping start>'”。", []),
])
def test_english_is_found_in_a_chinese_line_but_names_and_commands_are_not(line, found):
    """What the Chinese chapters' cells are read for (conftest.py): the check must be able to fail."""
    from .english import english_runs

    assert english_runs(line) == found
