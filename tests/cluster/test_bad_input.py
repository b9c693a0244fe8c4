"""Bad input: one clear sentence naming the problem, and nothing created or changed.

Each case runs against a namespace that already holds a Deployment, a Job and a CronJob; a
snapshot of every object's resourceVersion before and after proves that nothing changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from kubernetes import client

import kworkshop as kw
from kworkshop.kube.namespaces import create_namespace

from .helpers import LISTING_5_1, deployment

GOOD_JOB = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "first"},
            "spec": {"template": {"spec": {"restartPolicy": "Never",
                                           "containers": [{"name": "c", "image": "busybox"}]}}}}


def _write(tmp: Path, text: str, name: str = "m.yaml") -> str:
    path = tmp / name
    path.write_text(text)
    return str(path)



# (id, action(tmp) -> None, exception type, message regex)
CASES: list[tuple[str, Callable[[Path], object], type[Exception], str]] = [
    ("missing file", lambda t: kw.apply(str(t / "nope.yaml")), kw.ConfigError, r"nope\.yaml: no such file"),
    ("yaml syntax", lambda t: kw.apply(_write(t, "spec:\n    a: 1\n   b: 2\n")), kw.ConfigError,
     r"m\.yaml:3:4: this is not valid YAML"),
    ("tab indentation", lambda t: kw.apply(_write(t, "kind: Pod\nmetadata:\n\tname: x\n")), kw.ConfigError,
     r"m\.yaml:3:1: this is not valid YAML"),
    ("unknown kind", lambda t: kw.apply({"apiVersion": "apps/v1", "kind": "Deploymint",
                                         "metadata": {"name": "x"}}), kw.ConfigError, r"no kind 'Deploymint'"),
    ("listing 5-1 labels", lambda t: kw.apply(_write(t, LISTING_5_1)), kw.InvalidError,
     r"m\.yaml:5: Deployment 'node-js-deploy' has an unknown field 'labels'.*Did you mean metadata\.labels"),
    ("unknown nested field", lambda t: kw.apply(_write(t, LISTING_5_1.replace(
        "labels:\n    name: node-js-deploy\nspec:\n  replicas: 1", "spec:\n  replica: 1"))), kw.InvalidError,
     r"m\.yaml:6: Deployment 'node-js-deploy' has an unknown field 'spec\.replica'"),
    ("bad name", lambda t: kw.apply({**GOOD_JOB, "metadata": {"name": "Big_Job"}}), kw.ConfigError,
     r"'Big_Job' is not a valid name"),
    ("no name", lambda t: kw.apply({**GOOD_JOB, "metadata": {}}), kw.ConfigError, r"Job has no metadata\.name"),
    ("no apiVersion", lambda t: kw.apply({"kind": "Job", "metadata": {"name": "x"}}), kw.ConfigError,
     r"has no apiVersion"),
    ("not a mapping", lambda t: kw.apply(_write(t, "- a\n- b\n")), kw.ConfigError, r"m\.yaml:1: a manifest must be a mapping"),
    ("empty file", lambda t: kw.apply(_write(t, "# nothing\n")), kw.ConfigError, r"nothing to apply"),
    ("empty folder", lambda t: kw.apply(str(t)), kw.ConfigError, r"has no \.yaml, \.yml or \.json files"),
    ("negative replicas in manifest", lambda t: kw.apply(_write(t, LISTING_5_1.replace(
        "labels:\n    name: node-js-deploy\n", "").replace("replicas: 1", "replicas: -2"))), kw.InvalidError,
     r"m\.yaml:6: Deployment 'node-js-deploy' is invalid: spec\.replicas.*greater than or equal to 0"),
    ("second document invalid", lambda t: kw.apply(_write(t, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "
                                                               "fine\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n"
                                                               "  name: broken\ndata:\n  a: [1]\n")),
     kw.InvalidError, r"m\.yaml:11: ConfigMap 'broken' is invalid: data\.a: expected string"),
    ("removed api without upgrade", lambda t: kw.apply(_write(t, LISTING_5_1.replace(
        "labels:\n    name: node-js-deploy\n", "")), upgrade=False), kw.ConfigError,
     r"m\.yaml:1: apiVersion extensions/v1beta1 for Deployment was removed in Kubernetes 1\.16; use apiVersion: apps/v1"),
    ("scale negative", lambda t: kw.scale("deployment/web", -1), kw.ConfigError, r"replicas must be a whole number >= 0"),
    ("scale missing", lambda t: kw.scale("deployment/nothing", 2), kw.NotFoundError,
     r"scaling deployment/nothing: not found.*kubectl get deployments"),
    ("scale a pod", lambda t: kw.scale("pod/web", 2), kw.ConfigError, r"'pod/web' is a Pod, but this works on Deployment"),
    ("unknown container", lambda t: kw.set_image("deployment/web", {"nope": "nginx"}), kw.ConfigError,
     r"has no container named 'nope'; its containers are \['web'\]"),
    ("no images", lambda t: kw.set_image("deployment/web", {}), kw.ConfigError, r"at least one container=image"),
    ("bad image", lambda t: kw.set_image("deployment/web", {"web": "two words"}), kw.ConfigError,
     r"'two words' is not a valid image name"),
    ("undo missing revision", lambda t: kw.rollout.undo("deployment/web", to_revision=9), kw.ConfigError,
     r"unable to find specified revision 9 in history"),
    ("undo without history", lambda t: kw.rollout.undo("deployment/web"), kw.ConfigError, r"no rollout history found"),
    ("undo missing deployment", lambda t: kw.rollout.undo("deployment/nothing"), kw.NotFoundError,
     r"deployment 'nothing' .*not found"),
    ("history missing revision", lambda t: kw.rollout.history("deployment/web", revision=7), kw.ConfigError,
     r"unable to find the requested revision 7"),
    ("resume not paused", lambda t: kw.rollout.resume("deployment/web"), kw.ConfigError, r"deployments/web is not paused"),
    ("status of a missing deployment", lambda t: kw.rollout.status("deployment/nothing"), kw.NotFoundError,
     r"not found"),
    ("autoscale min > max", lambda t: kw.autoscale("deployment/web", min=5, max=2), kw.ConfigError,
     r"min \(5\) must not be larger than max \(2\)"),
    ("autoscale zero max", lambda t: kw.autoscale("deployment/web", max=0), kw.ConfigError, r"max must be a whole number >= 1"),
    ("label nothing", lambda t: kw.label("deployment/web"), kw.ConfigError, r"label needs at least one key=value"),
    ("label a missing node", lambda t: kw.label("node/nothing", a="b"), kw.NotFoundError, r"node/nothing: not found"),
    ("logs of a missing pod", lambda t: kw.logs("pod/nothing"), kw.NotFoundError, r"logs of pod nothing: not found"),
    ("describe a missing pod", lambda t: kw.describe("pod/nothing"), kw.NotFoundError, r"pod/nothing .*not found"),
    ("delete a missing deployment", lambda t: kw.delete("deployment/nothing"), kw.NotFoundError,
     r"deleting deployment/nothing .*not found"),
    ("bad cron", lambda t: kw.cron.explain("15 25 * * 6"), kw.ConfigError, r"the hour field '25'"),
    ("job from a missing cronjob", lambda t: kw.create_job_from_cronjob("cronjob/nothing"), kw.NotFoundError,
     r"cronjob 'nothing' .*not found"),
    ("wait for a missing job", lambda t: kw.wait_for_job("nothing", timeout=5), kw.NotFoundError, r"job 'nothing'"),
    ("unknown resource type", lambda t: kw.get("deploymint"), kw.ConfigError, r"unknown resource type 'deploymint'"),
]


def _snapshot(api: client.ApiClient, ns: str) -> dict[str, str]:
    """resourceVersion of every object the kit could touch, plus the nodes' labels."""
    out: dict[str, str] = {}
    apps, batch, core = client.AppsV1Api(api), client.BatchV1Api(api), client.CoreV1Api(api)
    for lister in (apps.list_namespaced_deployment, batch.list_namespaced_job, batch.list_namespaced_cron_job,
                   core.list_namespaced_config_map, core.list_namespaced_pod,
                   client.AutoscalingV2Api(api).list_namespaced_horizontal_pod_autoscaler):
        for item in lister(ns).items:
            out[f"{type(item).__name__}/{item.metadata.name}"] = item.metadata.resource_version
    for node in core.list_node().items:
        out[f"labels/{node.metadata.name}"] = str(sorted((node.metadata.labels or {}).items()))
    return out


@pytest.fixture(scope="module")
def prepared(cluster):
    """One namespace for the whole corpus, with objects that must survive every bad request."""
    ns = "bad-input"
    core = client.CoreV1Api(cluster.api_client)
    kw.use(cluster, namespace=ns)
    create_namespace(ns)
    client.AppsV1Api(cluster.api_client).create_namespaced_deployment(ns, deployment("web", "jonbaier/pod-scaling:0.1", 1))
    kw.rollout.status("deployment/web", timeout=60)
    client.BatchV1Api(cluster.api_client).create_namespaced_job(ns, GOOD_JOB)
    kw.wait_for_job("first", timeout=60)  # settled: nothing changes by itself during the corpus
    yield ns
    core.delete_namespace(ns)


@pytest.mark.parametrize(("action", "error", "pattern"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_refused_clearly_and_changes_nothing(cluster, prepared, tmp_path, action, error, pattern):
    kw.use(cluster, namespace=prepared)
    before = _snapshot(cluster.api_client, prepared)
    with pytest.raises(error) as caught:
        action(tmp_path)
    assert re.search(pattern, str(caught.value), re.S), str(caught.value)
    assert "\n" not in str(caught.value).split(" See: ")[0].strip() or "YAML" in str(caught.value)
    assert _snapshot(cluster.api_client, prepared) == before


def test_forbidden_request_names_rbac_and_changes_nothing(cluster, prepared):
    """A ServiceAccount without any Role gets a clear 403 from every verb."""
    core = client.CoreV1Api(cluster.api_client)
    core.create_namespaced_service_account(prepared, {"metadata": {"name": "nobody"}})
    token = core.create_namespaced_service_account_token(
        "nobody", prepared, {"spec": {"expirationSeconds": 600}}).status.token
    config = client.Configuration()
    config.host = cluster.api_client.configuration.host
    config.ssl_ca_cert = cluster.api_client.configuration.ssl_ca_cert
    config.api_key = {"authorization": f"Bearer {token}"}
    restricted = client.ApiClient(config)
    before = _snapshot(cluster.api_client, prepared)
    try:
        kw.use(restricted, namespace=prepared)
        with pytest.raises(kw.ForbiddenError, match=r"not allowed .*RBAC rights.*kubectl auth can-i --list"):
            kw.scale("deployment/web", 5)
        with pytest.raises(kw.ForbiddenError):
            kw.get("pods")
    finally:
        kw.use(cluster, namespace=prepared)
    assert _snapshot(cluster.api_client, prepared) == before
