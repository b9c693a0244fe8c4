"""`kworkshop class helm-values`: the Zero to JupyterHub chart's values, as plain data.

The chart cannot run here (no Kubernetes for it), so the values are checked offline: against the
chart's own schema (tests/unit/z2jh/, from jupyterhub/zero-to-jupyterhub-k8s 48ea50e, merged
with the chart's defaults as helm does), and by expanding KubeSpawner's templates the way
``KubeSpawner._expand_user_properties`` does (``str.format`` with its fields).
"""

from __future__ import annotations

import copy
import json
import stat
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from kworkshop.classroom import helm
from kworkshop.classroom.plan import kubeconfig, learners
from kworkshop.errors import ConfigError

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
SCHEMA = json.loads((HERE / "z2jh" / "values.schema.json").read_text())
DEFAULTS = yaml.safe_load((HERE / "z2jh" / "values.yaml").read_text())
# the fields KubeSpawner 7 offers to templates (kubespawner/spawner.py, _expand_user_properties)
SPAWNER_FIELDS = ("userid", "unescaped_username", "unescaped_servername", "hubnamespace", "username",
                  "servername", "user_server", "safe_username", "safe_servername", "safe_user_server",
                  "escaped_username", "escaped_servername", "escaped_user_server", "pod_name", "pvc_name",
                  "namespace")
TOKEN = "eyJhbGciOiJSUzI1NiJ9.a-learners-token.sig"


def _merge(base: Any, over: Any) -> Any:
    """helm's coalescing of user values over the chart's defaults: maps merge, the rest replaces."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = _merge(base.get(k), v)
        return out
    return copy.deepcopy(over)


def _expand(obj: Any, user: str) -> Any:
    """KubeSpawner's _expand_all for a learner named ``user`` (a KeyError means a bad template)."""
    fields = dict.fromkeys(SPAWNER_FIELDS, "x") | {"unescaped_username": user}
    if isinstance(obj, dict):
        return {k: _expand(v, user) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_expand(v, user) for v in obj]
    return obj.format(**fields) if isinstance(obj, str) else obj


@pytest.fixture
def klass():
    members = learners("k8s101", names=["ada", "learner-01"])
    return members, helm.values("k8s101", members, "registry.example.org/kworkshop-class:1",
                                instructor="teach", api_server="https://10.0.0.1:6443")


def test_the_values_pass_the_charts_schema(klass):
    _, values = klass
    jsonschema.Draft7Validator(SCHEMA).validate(_merge(DEFAULTS, values))
    # and the keys used exist where they are used (the schema forbids unknown keys at these levels)
    assert set(values) <= set(SCHEMA["properties"])
    single = SCHEMA["properties"]["singleuser"]
    assert single["additionalProperties"] is False
    assert set(values["singleuser"]) <= set(single["properties"])
    assert set(values["singleuser"]["storage"]) <= set(single["properties"]["storage"]["properties"])


def test_a_wrong_key_would_be_caught():
    bad = _merge(DEFAULTS, {"singleuser": {"extraEnvs": {}}})
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(SCHEMA).validate(bad)


def test_each_learner_mounts_their_own_kubeconfig_secret(klass):
    members, values = klass
    storage = values["singleuser"]["storage"]
    [volume] = storage["extraVolumes"]
    [mount] = storage["extraVolumeMounts"]
    assert mount["name"] == volume["name"] and mount["readOnly"] is True
    assert "{unescaped_username}" in volume["secret"]["secretName"]
    assert volume["secret"]["defaultMode"] == 0o440  # group-readable: the chart's fsGid 100
    secret_names = {s["metadata"]["name"] for s in helm.secrets("k8s101", {m: "kc" for m in members})}
    expanded = {_expand(volume, m.name)["secret"]["secretName"] for m in members}
    assert expanded == secret_names == {"k8s101-ada-kubeconfig", "k8s101-learner-01-kubeconfig"}
    env = values["singleuser"]["extraEnv"]
    assert Path(env["KUBECONFIG"]).parent == Path(mount["mountPath"])


def test_the_environment_points_the_kit_at_the_learners_namespace(klass):
    members, values = klass
    env = values["singleuser"]["extraEnv"]
    assert env["KWORKSHOP_BACKEND"] == "kubeconfig"
    for m in members:
        assert _expand(env, m.name)["KWORKSHOP_NAMESPACE"] == m.namespace  # as class create names it
    _expand(values["singleuser"], "ada")  # every template in the pod's config expands


def test_jupyterlab_opens_the_start_notebook_copied_from_the_image(klass):
    _, values = klass
    url = values["singleuser"]["defaultUrl"]
    assert url.startswith("/lab/tree/") and url.endswith("/00-start-here.ipynb")
    assert (ROOT / "notebooks" / Path(url).name).is_file()
    command = values["singleuser"]["lifecycleHooks"]["postStart"]["exec"]["command"]
    assert helm.NOTEBOOKS_IN_IMAGE in command[-1] and "||" in command[-1]  # once, never over their edits
    dockerfile = (ROOT / "z2jh" / "Dockerfile").read_text()
    assert helm.NOTEBOOKS_IN_IMAGE in dockerfile and "pip install" in dockerfile
    assert values["singleuser"]["image"] == {"name": "registry.example.org/kworkshop-class", "tag": "1",
                                             "pullPolicy": "IfNotPresent"}


def test_only_the_class_logs_in_and_the_instructor_is_admin(klass):
    members, values = klass
    config = values["hub"]["config"]
    assert config["JupyterHub"]["authenticator_class"] == "nativeauthenticator.NativeAuthenticator"
    assert config["Authenticator"]["allowed_users"] == [m.name for m in members]
    assert config["Authenticator"]["admin_users"] == ["teach"]
    assert config["NativeAuthenticator"]["open_signup"] is False
    with pytest.raises(ConfigError):
        helm.values("k8s101", members, "img:1", instructor="ada")


def test_the_pods_may_reach_the_api_server(klass):
    _, values = klass
    assert values["singleuser"]["networkPolicy"]["egress"] == [
        {"to": [{"ipBlock": {"cidr": "10.0.0.1/32"}}], "ports": [{"port": 6443, "protocol": "TCP"}]}]
    assert helm.api_server_egress("https://api.example.org") == []  # a name: documented, not guessed
    assert helm.api_server_egress("https://[fd00::1]")[0]["to"][0]["ipBlock"]["cidr"] == "fd00::1/128"


def test_no_secret_is_written_into_the_values(tmp_path):
    members = learners("k8s101", 2)
    folder = tmp_path / "class-kubeconfigs"
    folder.mkdir()
    for m in members:
        (folder / f"{m.namespace}.kubeconfig").write_text(
            yaml.safe_dump(kubeconfig(m, "https://192.0.2.7:6443", "Q0E=", f"{TOKEN}-{m.name}")))
    result = helm.helm_values("k8s101", "me/kworkshop-class:2", count=2, kubeconfigs=folder,
                              output=tmp_path / "values.yaml", secrets_file=tmp_path / "secrets.yaml")
    text = (tmp_path / "values.yaml").read_text()
    assert text == result.text and TOKEN not in text and "Q0E=" not in text
    assert "192.0.2.7/32" in text  # the API server, read from the kubeconfigs
    secrets = list(yaml.safe_load_all((tmp_path / "secrets.yaml").read_text()))
    assert stat.S_IMODE((tmp_path / "secrets.yaml").stat().st_mode) == 0o600
    assert [s["metadata"]["name"] for s in secrets] == ["k8s101-learner-01-kubeconfig", "k8s101-learner-02-kubeconfig"]
    assert all("namespace" not in s["metadata"] for s in secrets)  # kubectl apply -n <hub namespace>
    ada = yaml.safe_load(secrets[0]["stringData"]["config"])
    assert ada["users"][0]["user"]["token"] == f"{TOKEN}-learner-01"


def test_secrets_need_the_kubeconfigs_of_class_create(tmp_path):
    with pytest.raises(ConfigError, match="class create"):
        helm.helm_values("k8s101", "me/img:1", count=2, kubeconfigs=tmp_path, secrets_file=tmp_path / "s.yaml")
    values_only = helm.helm_values("k8s101", "me/img:1", count=2, kubeconfigs=tmp_path)
    assert "networkPolicy" not in yaml.safe_load(values_only.text)["singleuser"]


@pytest.mark.parametrize("image", ["kworkshop-class", "registry:5000/kworkshop", ":1"])
def test_the_image_needs_a_tag(image):
    with pytest.raises(ConfigError, match="tag"):
        helm.split_image(image)
    assert helm.split_image("registry:5000/kworkshop:1") == ("registry:5000/kworkshop", "1")


def test_the_cli_writes_values_to_stdout_or_a_file(tmp_path, capsys):
    from kworkshop.cli import main

    assert main(["class", "helm-values", "--name", "k8s101", "--names", "ada,grace", "--image", "me/img:1",
                 "--kubeconfigs", str(tmp_path)]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    assert printed["hub"]["config"]["Authenticator"]["allowed_users"] == ["ada", "grace"]
    out = tmp_path / "values.yaml"
    assert main(["class", "helm-values", "--name", "k8s101", "--learners", "3", "--image", "me/img:1",
                 "--output", str(out), "--kubeconfigs", str(tmp_path)]) == 0
    assert len(yaml.safe_load(out.read_text())["hub"]["config"]["Authenticator"]["allowed_users"]) == 3
    assert main(["class", "helm-values", "--name", "k8s101", "--learners", "3", "--image", "me/img"]) == 2
