"""A class beyond one machine: values for the Zero to JupyterHub Helm chart (``kworkshop class helm-values``).

The chart (https://z2jh.jupyter.org) runs JupyterHub on a Kubernetes cluster and starts one pod
per learner with KubeSpawner. The values written here make that pod a learner's workshop:

- the image holds the kit and the notebooks (``z2jh/Dockerfile``); a ``postStart`` hook copies the
  notebooks into the learner's home (their persistent volume) once, never over their own edits;
- the learner's kubeconfig (``class create`` made it: their ServiceAccount's token, their namespace)
  is mounted read-only from a Secret named after them. KubeSpawner expands ``{unescaped_username}``
  in volumes and in ``extraEnv`` (``KubeSpawner._expand_all``); the raw name is used, not
  ``{username}``, because under the chart's default slug scheme ("safe", KubeSpawner 7) or the
  legacy "escape" one ``{username}`` may differ from the name (``learner-01`` -> ``learner-2d01``),
  and the kit already requires learner names to be DNS labels;
- ``KUBECONFIG``, ``KWORKSHOP_BACKEND=kubeconfig`` and ``KWORKSHOP_NAMESPACE=<class>-<learner>``
  (``kw.start`` takes the namespace from there), and JupyterLab opens on ``00-start-here``;
- the hub's NativeAuthenticator (in the chart's hub image): the class's learners are the only
  allowed users and may sign up under their own name with a password of their own; the
  instructor is the admin;
- the learners' pods may reach the API server (the chart's network policy blocks private
  addresses by default) and carry no ServiceAccount token of the hub's namespace.

No secret is written into the values: the Secrets are separate manifests (``secrets``), made from
the kubeconfig files ``class create`` wrote, for ``kubectl apply -n <hub namespace>``.
Everything here is pure data; ``tests/unit/test_helm_values.py`` checks it against the chart's schema.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from .. import settings
from ..errors import ConfigError
from ..i18n import _, ngettext
from ..kube.facts import CLASS_LABEL, LEARNER_LABEL
from .plan import Learner, learners

KUBECONFIG_DIR = "/etc/kworkshop"  # the Secret's mount point in the learner's pod
KUBECONFIG_KEY = "config"
NOTEBOOKS_IN_IMAGE = "/opt/kworkshop/notebooks"  # where z2jh/Dockerfile puts them
START_NOTEBOOK = "00-start-here.ipynb"
USER = "{unescaped_username}"  # KubeSpawner's template for the learner's name, as they typed it


def secret_name(class_name: str, learner: str = USER) -> str:
    """The Secret holding one learner's kubeconfig (``USER`` gives KubeSpawner's template)."""
    return f"{class_name}-{learner}-kubeconfig"


def split_image(image: str) -> tuple[str, str]:
    """``repo/name:tag`` -> (``repo/name``, ``tag``); a tag is required (the chart wants one)."""
    name, sep, tag = image.rpartition(":")
    if not sep or "/" in tag or not name:
        raise ConfigError(_("--image needs a tag, e.g. registry.example.org/kworkshop-class:1, not {image}.")
                          .format(image=repr(image)))
    return name, tag


def api_server_egress(server: str) -> list[dict[str, Any]]:
    """A network policy egress rule to the API server when its address is an IP literal."""
    parts = urlsplit(server)
    try:
        ip = ipaddress.ip_address(parts.hostname or "")
    except ValueError:
        return []  # a host name: the policy cannot name it; see the README
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return [{"to": [{"ipBlock": {"cidr": f"{ip}/{ip.max_prefixlen}"}}], "ports": [{"port": port, "protocol": "TCP"}]}]


def values(class_name: str, members: list[Learner], image: str, *, instructor: str = "instructor",
           api_server: str | None = None) -> dict[str, Any]:
    """The chart's values for ``members`` of ``class_name``, in the image ``image`` (``repo:tag``)."""
    name, tag = split_image(image)
    learner_names = [lr.name for lr in members]
    if instructor in learner_names:
        raise ConfigError(_("the instructor {name} cannot also be a learner.").format(name=repr(instructor)))
    notebooks = "notebooks"
    copy = (f'[ -e "$HOME/{notebooks}" ] || cp -r {NOTEBOOKS_IN_IMAGE} "$HOME/{notebooks}"')
    singleuser: dict[str, Any] = {
        "image": {"name": name, "tag": tag, "pullPolicy": "IfNotPresent"},
        "defaultUrl": f"/lab/tree/{notebooks}/{START_NOTEBOOK}",
        "extraEnv": {
            "KUBECONFIG": f"{KUBECONFIG_DIR}/{KUBECONFIG_KEY}",
            "KWORKSHOP_BACKEND": "kubeconfig",
            settings.NAMESPACE.name: f"{class_name}-{USER}",
        },
        "storage": {
            "extraVolumes": [{"name": "kworkshop-kubeconfig",
                              "secret": {"secretName": secret_name(class_name), "defaultMode": 0o440}}],
            "extraVolumeMounts": [{"name": "kworkshop-kubeconfig", "mountPath": KUBECONFIG_DIR, "readOnly": True}],
        },
        # their own copy of the notebooks, made at the first start, never overwritten
        "lifecycleHooks": {"postStart": {"exec": {"command": ["sh", "-c", copy]}}},
        # the learner's kubeconfig is the only credential in the pod
        "extraPodConfig": {"automountServiceAccountToken": False},
        "extraLabels": {CLASS_LABEL: class_name},
    }
    egress = api_server_egress(api_server) if api_server else []
    if egress:
        singleuser["networkPolicy"] = {"egress": egress}
    return {
        "hub": {"config": {
            "JupyterHub": {"authenticator_class": "nativeauthenticator.NativeAuthenticator"},
            "Authenticator": {"allowed_users": learner_names, "admin_users": [instructor]},
            "NativeAuthenticator": {"open_signup": False, "minimum_password_length": 10,
                                    "check_common_password": True, "allowed_failed_logins": 5,
                                    "seconds_before_next_try": 300},
        }},
        "singleuser": singleuser,
    }


def secrets(class_name: str, kubeconfigs: dict[Learner, str]) -> list[dict[str, Any]]:
    """One Secret per learner with their kubeconfig (no namespace: ``kubectl apply -n HUB``)."""
    return [{"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
             "metadata": {"name": secret_name(class_name, lr.name),
                          "labels": {CLASS_LABEL: class_name, LEARNER_LABEL: lr.name}},
             "stringData": {KUBECONFIG_KEY: text}}
            for lr, text in kubeconfigs.items()]


@dataclass(frozen=True)
class HelmValues:
    """What ``kworkshop class helm-values`` made: the values (YAML) and where files went."""

    text: str
    output: Path | None
    secrets: Path | None
    learners: tuple[str, ...]

    def __str__(self) -> str:
        return "\n".join(self.steps())

    def steps(self) -> list[str]:
        count = len(self.learners)
        lines = [ngettext("values for {count} learner written to {path}",
                          "values for {count} learners written to {path}",
                          count).format(count=count, path=self.output) if self.output else ""]
        if self.secrets:
            lines.append(_("the learners' kubeconfig Secrets (mode 0600): {path}; apply them with "
                           "`kubectl apply -n <hub namespace> -f {path}`").format(path=self.secrets))
        return [line for line in lines if line]


def helm_values(class_name: str, image: str, *, count: int | None = None, names: list[str] | None = None,
                instructor: str = "instructor", kubeconfigs: Path = Path("class-kubeconfigs"),
                output: Path | None = None, secrets_file: Path | None = None) -> HelmValues:
    """Write the chart's values (``output``, else only returned) and, with ``secrets_file``, the
    learners' Secrets from the kubeconfig files ``class create`` wrote into ``kubeconfigs``."""
    members = learners(class_name, count, names)
    texts: dict[Learner, str] = {}
    missing = []
    for lr in members:
        path = kubeconfigs / f"{lr.namespace}.kubeconfig"
        if path.is_file():
            texts[lr] = path.read_text()
        else:
            missing.append(str(path))
    if secrets_file and missing:
        raise ConfigError(ngettext(
            "no kubeconfig for {count} learner ({files} ...): run "
            "`kworkshop class create --name {name} --kubeconfig ADMIN.kubeconfig` first.",
            "no kubeconfig for {count} learners ({files} ...): run "
            "`kworkshop class create --name {name} --kubeconfig ADMIN.kubeconfig` first.",
            len(missing)).format(count=len(missing), files=", ".join(missing[:3]), name=class_name))
    server = _server(next(iter(texts.values()))) if texts else None
    text = "# kworkshop class helm-values: the Zero to JupyterHub chart's values for class " \
           f"{class_name}\n" + yaml.safe_dump(values(class_name, members, image, instructor=instructor,
                                                     api_server=server), sort_keys=False)
    if output:
        output.write_text(text)
    if secrets_file:  # tokens: readable by the instructor only, from the first byte
        secrets_file.unlink(missing_ok=True)
        fd = os.open(secrets_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(yaml.safe_dump_all(secrets(class_name, texts), sort_keys=False))
    return HelmValues(text, output, secrets_file, tuple(lr.name for lr in members))


def _server(kubeconfig_text: str) -> str | None:
    try:
        return yaml.safe_load(kubeconfig_text)["clusters"][0]["cluster"]["server"]
    except (yaml.YAMLError, KeyError, IndexError, TypeError):
        return None
