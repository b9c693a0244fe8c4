"""The class's JupyterHub configuration, as plain data (pure, unit-tested), written as JSON.

:func:`traits` returns ``{"JupyterHub": {"bind_url": ...}, "Spawner": {...}, ...}``: every setting
the hub gets, from a :class:`HubSettings`. :func:`render` writes it as traitlets' JSON config, with
the kit's ``ClassSpawner`` (``spawn.py``), which gives each learner their home's copy of the notebooks,
their kubeconfig and their namespace before their server starts: no code is generated.

What the settings say, and why:

- PAM + LocalProcessSpawner: a learner logs in with their system account's password and their
  server runs as that account (``setuid`` by the root hub), so file modes keep learners apart.
- Only the public proxy port follows ``--bind``; the hub's API, the proxy's API, the progress
  service and every single-user server listen on 127.0.0.1 and are reached through the proxy.
- The progress board is a managed service: the hub starts and stops it, routes
  ``/services/progress/`` to it and gives it OAuth. Only the ``admin`` role has ``access:services``,
  so learners get 403 there and do not see it in the Services menu.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ... import settings

LOOPBACK = "127.0.0.1"
SERVICE = "progress"  # /services/progress/
START_URL = "/lab/tree/00-start-here.ipynb"


@dataclass(frozen=True)
class HubSettings:
    class_name: str
    learners: tuple[str, ...]  # their system user names (= their namespaces)
    instructor: str  # the hub's admin, a system user too
    state: Path  # root-only folder: database, cookie secret, pid files, roster
    python: str  # the Python learners' servers run (readable by them)
    proxy: str  # the configurable-http-proxy executable
    hub_port: int
    proxy_api_port: int
    board_port: int
    board_command: tuple[str, ...]
    port: int = 8000
    bind: str = LOOPBACK
    ssl_cert: str | None = None
    ssl_key: str | None = None
    learner_env: Mapping[str, str] = field(default_factory=dict)  # PATH, JUPYTER_CONFIG_PATH, ...
    board_env: Mapping[str, str] = field(default_factory=dict)
    start_timeout: int = 180  # a first kernel on a busy 2-core machine is slow

    @property
    def url(self) -> str:
        return public_url(self.bind, self.port, bool(self.ssl_cert))

    @property
    def roster(self) -> Path:
        return self.state / "roster.json"

    @property
    def config_file(self) -> Path:
        return self.state / "jupyterhub_config.json"

    @property
    def pid_file(self) -> Path:
        return self.state / "jupyterhub.pid"

    @property
    def proxy_pid_file(self) -> Path:
        return self.state / "proxy.pid"


def public_url(bind: str, port: int, tls: bool) -> str:
    """The address to open (on this machine, for a hub on every interface)."""
    host = LOOPBACK if bind in ("0.0.0.0", "") else bind
    return f"{'https' if tls else 'http'}://{host}:{port}/"


def traits(s: HubSettings) -> dict[str, dict[str, Any]]:
    """Every configurable the hub gets, by section (see the module docstring)."""
    if bool(s.ssl_cert) != bool(s.ssl_key):
        raise ValueError("a TLS certificate needs its key, and a key its certificate")
    scheme = "https" if s.ssl_cert else "http"
    hub: dict[str, Any] = {
        "bind_url": f"{scheme}://{s.bind}:{s.port}/",
        "hub_bind_url": f"http://{LOOPBACK}:{s.hub_port}",
        "authenticator_class": "pam",
        "spawner_class": "localprocess",
        "db_url": f"sqlite:///{s.state / 'jupyterhub.sqlite'}",
        "cookie_secret_file": str(s.state / "jupyterhub_cookie_secret"),
        "pid_file": str(s.pid_file),
        "cleanup_servers": True,  # stopping the hub stops every learner's server
        "cleanup_proxy": True,
        "services": [{
            "name": SERVICE,
            "display": True,
            "url": f"http://{LOOPBACK}:{s.board_port}",
            "command": list(s.board_command),
            "environment": dict(s.board_env),
            "oauth_no_confirm": True,
        }],
    }
    if s.ssl_cert:
        hub.update(ssl_cert=s.ssl_cert, ssl_key=s.ssl_key)
    return {
        "JupyterHub": hub,
        "ConfigurableHTTPProxy": {
            "api_url": f"http://{LOOPBACK}:{s.proxy_api_port}",
            "command": [s.proxy],
            "pid_file": str(s.proxy_pid_file),
            "should_start": True,
        },
        "Authenticator": {"allowed_users": sorted(s.learners), "admin_users": [s.instructor]},
        "PAMAuthenticator": {"open_sessions": False},
        "Spawner": {
            "cmd": [s.python, "-m", "jupyterhub.singleuser"],
            "ip": LOOPBACK,
            "notebook_dir": "~/notebooks",
            "default_url": START_URL,
            "environment": {**s.learner_env, settings.BACKEND.name: "kubeconfig"},
            "start_timeout": s.start_timeout,
            "http_timeout": s.start_timeout,
        },
    }


SPAWNER = "kworkshop.classroom.hub.spawn.ClassSpawner"


def render(config: Mapping[str, Mapping[str, Any]], roster: Path) -> str:
    """``jupyterhub_config.json``: the traits as traitlets' JSON config, and the class's spawner.

    Data, not code: JupyterHub loads it like a ``.py`` config (``-f``); the one thing that was code,
    provisioning a learner before their server starts, is ``ClassSpawner``'s (``spawn.py``).
    """
    data = {section: dict(values) for section, values in config.items()}
    data.setdefault("JupyterHub", {})["spawner_class"] = SPAWNER
    data["ClassSpawner"] = {"roster": str(roster)}
    return json.dumps(data, indent=2, sort_keys=True, default=_plain) + "\n"


def _plain(value: Any) -> str:
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not a plain value for the hub config: {value!r}")
