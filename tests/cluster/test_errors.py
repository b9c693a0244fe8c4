"""Every public verb, given a name or namespace that does not exist, raises one of the kit's
errors with a sentence a learner can read, never the client's raw ApiException."""

from __future__ import annotations

import nbformat
import pytest
from kubernetes.client.exceptions import ApiException
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

import kworkshop as kw

NOPE = "no-such-thing"
CALLS = {
    "get": lambda: kw.get(f"deployment/{NOPE}"),
    "describe": lambda: kw.describe(f"pod/{NOPE}"),
    "scale": lambda: kw.scale(f"deployment/{NOPE}", 3),
    "set_image": lambda: kw.set_image(f"deployment/{NOPE}", {"app": "nginx:1.27"}),
    "delete": lambda: kw.delete(f"deployment/{NOPE}"),
    "label": lambda: kw.label(f"node/{NOPE}", nickname="x"),
    "logs": lambda: kw.logs(f"pod/{NOPE}"),
    "autoscale": lambda: kw.autoscale(f"deployment/{NOPE}", min=1, max=2, cpu_percent=50),
    "create_job_from_cronjob": lambda: kw.create_job_from_cronjob(f"cronjob/{NOPE}"),
    "wait_for_job": lambda: kw.wait_for_job(NOPE, timeout=3),
    "apply (namespace)": lambda: kw.apply("notebooks/manifests/longtask.yaml", namespace="no-such-namespace"),
    "rollout.status": lambda: kw.rollout.status(f"deployment/{NOPE}", timeout=3),
    "rollout.history": lambda: kw.rollout.history(f"deployment/{NOPE}"),
    "rollout.undo": lambda: kw.rollout.undo(f"deployment/{NOPE}", to_revision=2),
    "rollout.pause": lambda: kw.rollout.pause(f"deployment/{NOPE}"),
    "rollout.resume": lambda: kw.rollout.resume(f"deployment/{NOPE}"),
    "rollout.restart": lambda: kw.rollout.restart(f"deployment/{NOPE}"),
    "live.rollout": lambda: kw.live.rollout(f"deployment/{NOPE}", display=False),
    "live.autoscaler": lambda: kw.live.autoscaler(f"hpa/{NOPE}", display=False),
    "load.start": lambda: kw.load.start(f"service/{NOPE}"),
    "solve": lambda: kw.solve(NOPE),
}


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_a_wrong_name_is_a_kworkshop_error(cluster, namespace, call):
    with pytest.raises(kw.KworkshopError) as raised:
        call()
    assert not isinstance(raised.value, ApiException)
    message = str(raised.value)
    assert message and "HTTP response headers" not in message and "Traceback" not in message


NOTEBOOK = """
import kworkshop as kw
kw.use(kw.attach("{cluster}"), namespace="{namespace}")
kw.rollout.undo("deployment/{nope}", to_revision=2)
"""


def test_in_jupyter_a_learners_mistake_is_one_sentence(cluster, namespace):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        NOTEBOOK.format(cluster=cluster.name, namespace=namespace, nope=NOPE))])
    with pytest.raises(CellExecutionError):  # still a failed cell for papermill and nbval
        NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    (error,) = [o for o in nb.cells[0].outputs if o["output_type"] == "error"]
    assert error["ename"] == "NotFoundError"
    assert len(error["traceback"]) == 1 and "Traceback" not in error["traceback"][0]
    assert NOPE in error["evalue"] and "kubectl" in error["evalue"]
