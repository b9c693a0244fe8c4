"""The class's spawner: what a learner's server needs before it starts (runs in the hub, as root).

``ClassSpawner`` is JupyterHub's LocalProcessSpawner that first provisions the learner from the
class's roster (its ``roster`` setting, a JSON file written by ``kworkshop class serve``), so the
hub's whole configuration is data (``config.py`` writes it as JSON) and no code is generated. It does:

- their own copy of the notebooks in ``~/notebooks``, made at their first start and never
  overwritten (their edits and outputs stay theirs);
- their kubeconfig (their ServiceAccount's token, their namespace as the default) in
  ``~/.kube/config``, mode 0600, owned by them: ``kubectl`` in the Terminal and ``kw.start`` in the
  notebooks use it;
- ``KUBECONFIG`` and ``KWORKSHOP_NAMESPACE`` in the server's environment (``kw.start`` takes the
  namespace from there, whatever the notebook's parameter says).

The instructor gets the cluster's admin kubeconfig the same way, and no namespace.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
from pathlib import Path
from typing import Any

from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Unicode

from ...i18n import _
from ...session import NAMESPACE_ENV


def _chown_tree(top: Path, uid: int, gid: int) -> None:
    os.chown(top, uid, gid)
    for root, dirs, files in os.walk(top):
        for name in dirs + files:
            os.chown(Path(root) / name, uid, gid, follow_symlinks=False)


def provision(user: str, entry: dict[str, str], share: Path) -> dict[str, str]:
    """Set up ``user``'s home for the class; returns the environment their server gets."""
    acct = pwd.getpwnam(user)
    home = Path(acct.pw_dir)
    notebooks = home / "notebooks"
    if not notebooks.exists():
        shutil.copytree(share / "notebooks", notebooks)
        _chown_tree(notebooks, acct.pw_uid, acct.pw_gid)
    kube = home / ".kube"
    kube.mkdir(mode=0o700, exist_ok=True)
    os.chown(kube, acct.pw_uid, acct.pw_gid)
    config = kube / "config"
    fd = os.open(config, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:  # refreshed at each start: `class serve` renews the tokens
        out.write(Path(entry["kubeconfig"]).read_text())
    os.chown(config, acct.pw_uid, acct.pw_gid)
    config.chmod(0o600)
    env = {"KUBECONFIG": str(config)}
    if entry.get("namespace"):
        env[NAMESPACE_ENV] = entry["namespace"]
    return env


def prepare(roster_file: str, spawner: Any) -> None:
    """Provision ``spawner``'s learner from the roster in ``roster_file`` (``ClassSpawner`` calls it)."""
    roster = json.loads(Path(roster_file).read_text())
    name = spawner.user.name
    entry = roster["accounts"].get(name)
    if entry is None:  # the authenticator allows only the roster's names; never start a stranger
        raise PermissionError(_("{name} is not in class {class_name}").format(name=name, class_name=roster["class"]))
    env = provision(name, entry, Path(roster["share"]))
    spawner.environment = {**spawner.environment, **env}


class ClassSpawner(LocalProcessSpawner):
    """LocalProcessSpawner that provisions each learner from the class's roster before the start."""

    roster = Unicode("", config=True, help="the class's roster file (JSON), written by kworkshop class serve")

    def run_pre_spawn_hook(self):
        prepare(self.roster, self)
        return super().run_pre_spawn_hook()
