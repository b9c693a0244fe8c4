"""`kworkshop class helm-values`: the Zero to JupyterHub chart's values, as plain data.

The chart cannot run here (no Kubernetes for it), so the values are checked offline, without a copy
of the chart's files: every ``hub.config`` section is loaded into the real class it configures
(JupyterHub, the Authenticator, NativeAuthenticator; the chart passes those sections through as
traitlets config), and every ``singleuser`` key must be one the chart documents, its value loaded
into the KubeSpawner trait the chart turns it into (KubeSpawner from PyPI, the test extra). Pod
fragments (volumes, mounts, egress rules) are read by the official Kubernetes client as the API
types they are. KubeSpawner's templates are expanded the way ``KubeSpawner._expand_user_properties``
does (``str.format`` with its fields).
"""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client
from traitlets import HasTraits, TraitError

from kworkshop.classroom import helm
from kworkshop.classroom.plan import kubeconfig, learners
from kworkshop.errors import ConfigError

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
# the fields KubeSpawner 7 offers to templates (kubespawner/spawner.py, _expand_user_properties)
SPAWNER_FIELDS = ("userid", "unescaped_username", "unescaped_servername", "hubnamespace", "username",
                  "servername", "user_server", "safe_username", "safe_servername", "safe_user_server",
                  "escaped_username", "escaped_servername", "escaped_user_server", "pod_name", "pvc_name",
                  "namespace")
TOKEN = "eyJhbGciOiJSUzI1NiJ9.a-learners-token.sig"

# Facts from the chart's documentation (z2jh's reference: the `singleuser` keys and the KubeSpawner
# trait its hub configuration sets from each); a key not listed here is one the chart would reject.
SINGLEUSER_TRAITS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "image": lambda v: {"image": f"{v['name']}:{v['tag']}", "image_pull_policy": v.get("pullPolicy")},
    "defaultUrl": lambda v: {"default_url": v},
    "extraEnv": lambda v: {"environment": v},
    "lifecycleHooks": lambda v: {"lifecycle_hooks": v},
    "extraPodConfig": lambda v: {"extra_pod_config": v},
    "extraLabels": lambda v: {"extra_labels": v},
    "storage": lambda v: {"volumes": v.get("extraVolumes", []), "volume_mounts": v.get("extraVolumeMounts", [])},
    "networkPolicy": lambda v: {},  # the chart's own NetworkPolicy object, no spawner trait
}
STORAGE_KEYS = {"type", "extraLabels", "extraVolumes", "extraVolumeMounts", "static", "capacity", "homeMountPath",
                "dynamic"}
NETWORK_POLICY_KEYS = {"enabled", "ingress", "egress", "egressAllowRules", "interNamespaceAccessLabels",
                       "allowedIngressPorts"}
TOP_KEYS = {"hub", "proxy", "singleuser", "scheduling", "prePuller", "ingress", "cull", "debug", "rbac",
            "global", "custom", "imagePullSecret", "imagePullSecrets", "fullnameOverride", "nameOverride"}


def _config_classes() -> dict[str, type[HasTraits]]:
    """The classes `hub.config` sections configure, from the packages the hub image runs."""
    from jupyterhub.app import JupyterHub
    from jupyterhub.auth import Authenticator
    from nativeauthenticator import NativeAuthenticator

    return {"JupyterHub": JupyterHub, "Authenticator": Authenticator, "NativeAuthenticator": NativeAuthenticator}


def _load(cls: type[HasTraits], traits: dict[str, Any], where: str) -> list[str]:
    """Set each trait on an instance of ``cls`` (traitlets validates); the problems found."""
    probe = cls.__new__(cls)  # traits only: KubeSpawner's __init__ would look for a cluster
    known = cls.class_traits()
    problems = []
    for name, value in traits.items():
        if name not in known:
            problems.append(f"{where}.{name}: {cls.__name__} has no such setting")
            continue
        try:
            setattr(probe, name, value)
        except TraitError as exc:
            problems.append(f"{where}.{name}: {exc}")
    return problems


def _api_type(value: Any, kind: str, where: str) -> list[str]:
    """``value`` read by the official client as API type ``kind`` (a missing required field fails)."""

    class Response:
        data = json.dumps(value)

    try:
        client.ApiClient().deserialize(Response(), kind)
    except (ValueError, TypeError) as exc:
        return [f"{where}: not a {kind}: {exc}"]
    return []


def check_values(values: dict[str, Any]) -> list[str]:
    """Every problem the chart or the classes behind it would find in ``values``."""
    from kubespawner import KubeSpawner

    problems = [f"{k}: not a key of the chart" for k in values if k not in TOP_KEYS]
    classes = _config_classes()
    for section, traits in (values.get("hub", {}).get("config") or {}).items():
        if section not in classes:
            problems.append(f"hub.config.{section}: no class of that name is configured")
            continue
        problems += _load(classes[section], traits, f"hub.config.{section}")
    single = values.get("singleuser", {})
    for key, value in single.items():
        if key not in SINGLEUSER_TRAITS:
            problems.append(f"singleuser.{key}: not a key of the chart")
            continue
        traits = {n: v for n, v in SINGLEUSER_TRAITS[key](value).items() if v is not None}
        problems += _load(KubeSpawner, traits, f"singleuser.{key}")
    storage = single.get("storage", {})
    problems += [f"singleuser.storage.{k}: not a key of the chart" for k in storage if k not in STORAGE_KEYS]
    for i, volume in enumerate(storage.get("extraVolumes", [])):
        problems += _api_type(volume, "V1Volume", f"singleuser.storage.extraVolumes[{i}]")
    for i, mount in enumerate(storage.get("extraVolumeMounts", [])):
        problems += _api_type(mount, "V1VolumeMount", f"singleuser.storage.extraVolumeMounts[{i}]")
    policy = single.get("networkPolicy", {})
    problems += [f"singleuser.networkPolicy.{k}: not a key of the chart"
                 for k in policy if k not in NETWORK_POLICY_KEYS]
    for i, rule in enumerate(policy.get("egress", [])):
        problems += _api_type(rule, "V1NetworkPolicyEgressRule", f"singleuser.networkPolicy.egress[{i}]")
    if "lifecycleHooks" in single:
        problems += _api_type(single["lifecycleHooks"], "V1Lifecycle", "singleuser.lifecycleHooks")
    return problems


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


def test_the_values_load_into_the_classes_the_chart_configures(klass):
    _, values = klass
    assert check_values(values) == []


@pytest.mark.parametrize(("change", "found"), [
    ({"singleuser": {"extraEnvs": {}}}, "singleuser.extraEnvs: not a key of the chart"),
    ({"hub": {"config": {"NativeAuthenticator": {"minimum_password_lenght": 10}}}}, "no such setting"),
    ({"hub": {"config": {"Authenticator": {"admin_users": 5}}}}, "hub.config.Authenticator.admin_users"),
    ({"singleuser": {"storage": {"extraVolumes": "kubeconfig"}}}, "singleuser.storage.volumes"),
    ({"singleuser": {"storage": {"extraVolumeMounts": [{"name": "x"}]}}}, "not a V1VolumeMount"),
    ({"singleuser": {"networkPolicy": {"egres": []}}}, "singleuser.networkPolicy.egres"),
    ({"hubb": {}}, "hubb: not a key of the chart"),
])
def test_a_wrong_key_or_value_would_be_caught(klass, change, found):
    _, values = klass
    bad = json.loads(json.dumps(values))
    for top, part in change.items():
        target = bad.setdefault(top, {})
        for key, value in part.items():
            if isinstance(value, dict) and isinstance(target.get(key), dict):
                target[key] = {**target[key], **value}
            else:
                target[key] = value
    problems = check_values(bad)
    assert any(found in p for p in problems), problems


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
