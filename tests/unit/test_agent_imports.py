"""The node agent's import path stays lean: it runs for as long as a cluster does (issue 12's
memory budget), so it loads neither the ``kubernetes`` client nor the notebooks' libraries."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("kubernetes", "matplotlib", "IPython", "pandas", "urllib3", "requests", "ipywidgets")


def _loaded_after(statement: str) -> list[str]:
    code = (f"import json, sys\n{statement}\n"
            f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.splitlines()[-1])


def test_the_agent_imports_none_of_the_heavy_packages():
    assert _loaded_after("import kworkshop.agent") == []


def test_the_agent_starts_lean_as_a_module():
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "kworkshop.agent", "--help"],
                         capture_output=True, text=True, check=True)
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in out.stderr.splitlines()
                if line.startswith("import time:")}
    assert "--kubeconfig" in out.stdout
    assert not imported & set(HEAVY)


def test_import_kworkshop_alone_is_lean_and_names_load_on_first_use():
    assert _loaded_after("import kworkshop") == []
    assert "kubernetes" in _loaded_after("import kworkshop as kw; kw.scale")


def test_the_lazy_names_are_the_modules_own_objects():
    import kworkshop as kw
    from kworkshop.kube import rollout, scale
    from kworkshop.load import generator

    assert kw.scale is scale.scale and kw.rollout is rollout and kw.cron.__name__ == "kworkshop.kube.cron"
    assert kw.load.start is generator.start
    assert kw.check.__name__ == "kworkshop.checks"
    from kworkshop import scale, start

    assert scale is kw.scale and start is kw.start
    assert set(kw.__all__) <= set(dir(kw))
    for name in kw.__all__:
        assert getattr(kw, name) is getattr(kw, name)
