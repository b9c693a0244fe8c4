"""The hub config `kworkshop class serve` generates, as plain data (kworkshop/classroom/hub/config.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kworkshop.classroom.hub import users
from kworkshop.classroom.hub.config import HubSettings, public_url, render, traits
from kworkshop.classroom.hub.runtime import terminal_rc, world_readable


def settings(**changes) -> HubSettings:
    base = dict(class_name="k8s101", learners=("k8s101-ada", "k8s101-grace"), instructor="k8s101-instructor",
                state=Path("/state/classes/k8s101"), python="/srv/kworkshop/k8s101/venv/bin/python",
                proxy="/kit/node/node_modules/.bin/configurable-http-proxy", hub_port=41001, proxy_api_port=41002,
                board_port=41003, board_command=("/kit/python", "-m", "kworkshop.classroom.hub.board"),
                learner_env={"PATH": "/srv/kworkshop/k8s101/bin:/usr/bin", "JUPYTER_CONFIG_PATH": "/srv/j"})
    return HubSettings(**{**base, **changes})


def test_everything_listens_on_loopback_by_default():
    t = traits(settings())
    assert t["JupyterHub"]["bind_url"] == "http://127.0.0.1:8000/"
    assert t["JupyterHub"]["hub_bind_url"] == "http://127.0.0.1:41001"
    assert t["ConfigurableHTTPProxy"]["api_url"] == "http://127.0.0.1:41002"
    assert t["Spawner"]["ip"] == "127.0.0.1"
    assert t["JupyterHub"]["services"][0]["url"] == "http://127.0.0.1:41003"


def test_bind_opens_only_the_public_port():
    t = traits(settings(bind="0.0.0.0", port=9000))
    assert t["JupyterHub"]["bind_url"] == "http://0.0.0.0:9000/"
    assert t["JupyterHub"]["hub_bind_url"].startswith("http://127.0.0.1:")
    assert t["ConfigurableHTTPProxy"]["api_url"].startswith("http://127.0.0.1:")
    assert t["Spawner"]["ip"] == "127.0.0.1"
    assert public_url("0.0.0.0", 9000, False) == "http://127.0.0.1:9000/"


def test_pam_logins_local_processes_and_the_instructor_as_admin():
    t = traits(settings())
    assert t["JupyterHub"]["authenticator_class"] == "pam"
    assert t["JupyterHub"]["spawner_class"] == "localprocess"
    assert t["Authenticator"]["allowed_users"] == ["k8s101-ada", "k8s101-grace"]
    assert t["Authenticator"]["admin_users"] == ["k8s101-instructor"]
    assert "k8s101-instructor" not in t["Authenticator"]["allowed_users"]
    assert t["JupyterHub"]["cleanup_servers"] is True  # stopping the hub stops the learners' servers


def test_spawner_runs_the_learners_python_in_their_notebooks_with_the_class_environment():
    spawner = traits(settings())["Spawner"]
    assert spawner["cmd"] == ["/srv/kworkshop/k8s101/venv/bin/python", "-m", "jupyterhub.singleuser"]
    assert spawner["notebook_dir"] == "~/notebooks"
    assert spawner["default_url"] == "/lab/tree/00-start-here.ipynb"
    assert spawner["environment"] == {"PATH": "/srv/kworkshop/k8s101/bin:/usr/bin", "JUPYTER_CONFIG_PATH": "/srv/j",
                                      "KWORKSHOP_BACKEND": "kubeconfig"}


def test_the_progress_board_is_a_managed_service_behind_the_hub():
    (service,) = traits(settings())["JupyterHub"]["services"]
    assert service["name"] == "progress"
    assert service["command"] == ["/kit/python", "-m", "kworkshop.classroom.hub.board"]
    assert service["oauth_no_confirm"] is True and service["display"] is True
    # no role grants learners access:services; only the admin role has it (JupyterHub's default roles)
    assert "load_roles" not in traits(settings())["JupyterHub"]


def test_tls_only_when_given_and_only_as_a_pair():
    assert "ssl_cert" not in traits(settings())["JupyterHub"]
    t = traits(settings(ssl_cert="/etc/c.pem", ssl_key="/etc/k.pem", bind="0.0.0.0"))
    assert t["JupyterHub"]["ssl_cert"] == "/etc/c.pem" and t["JupyterHub"]["ssl_key"] == "/etc/k.pem"
    assert t["JupyterHub"]["bind_url"] == "https://0.0.0.0:8000/"
    with pytest.raises(ValueError):
        traits(settings(ssl_cert="/etc/c.pem"))


def test_the_config_is_data_that_jupyterhubs_classes_load(tmp_path, monkeypatch):
    from traitlets.config.loader import JSONFileConfigLoader

    from kworkshop.classroom.hub import spawn

    s = settings()
    path = tmp_path / "jupyterhub_config.json"
    path.write_text(render(traits(s), s.roster))
    config = JSONFileConfigLoader(path.name, str(tmp_path)).load_config()  # as `jupyterhub -f` reads it
    assert config.JupyterHub.bind_url == "http://127.0.0.1:8000/"
    assert config.Authenticator.admin_users == ["k8s101-instructor"]
    assert config.JupyterHub.spawner_class == "kworkshop.classroom.hub.spawn.ClassSpawner"
    spawner = spawn.ClassSpawner(config=config)  # Spawner settings reach the subclass, the roster too
    assert spawner.roster == str(s.roster) and spawner.cmd == config.Spawner.cmd
    assert spawner.ip == "127.0.0.1"
    seen = []
    monkeypatch.setattr(spawn, "prepare", lambda roster, sp: seen.append((roster, sp)))
    spawner.run_pre_spawn_hook()
    assert seen == [(str(s.roster), spawner)], "the learner was not provisioned before the start"


def test_terminal_rc_keeps_the_class_path_first():
    rc = terminal_rc("/srv/kworkshop/k8s101/bin:/usr/bin")
    assert rc.index(".bashrc") < rc.index('export PATH="/srv/kworkshop/k8s101/bin:/usr/bin:$PATH"')


def test_world_readable(tmp_path):
    f = tmp_path / "f"
    f.write_text("x")
    f.chmod(0o600)
    assert not world_readable(f)
    assert not world_readable(tmp_path / "missing")
    assert world_readable(Path("/usr/bin/env"))


def test_passwords_are_random_and_unambiguous():
    words = {users.new_password() for _ in range(50)}
    assert len(words) == 50
    assert all(len(w) == 12 and not set(w) & set("l1o0i") for w in words)


def test_serving_needs_root(monkeypatch):
    from kworkshop.errors import ConfigError

    monkeypatch.setattr("os.geteuid", lambda: 1000)
    with pytest.raises(ConfigError, match="run it as root"):
        users.require_root("`kworkshop class serve`")


def test_credentials_sheet_is_private_and_read_back(tmp_path):
    from kworkshop.classroom.hub.serve import _read_sheet, _write_sheet

    sheet = tmp_path / "credentials.txt"
    _write_sheet(sheet, "http://127.0.0.1:8000/", {"k8s101-ada": "pw1", "k8s101-grace": "pw2"},
                 ("k8s101-instructor", "pw3"))
    assert sheet.stat().st_mode & 0o777 == 0o600
    lines = [line for line in sheet.read_text().splitlines() if not line.startswith("#")]
    assert lines == ["k8s101-ada pw1", "k8s101-grace pw2", "k8s101-instructor pw3"]  # the instructor's last
    assert _read_sheet(sheet) == {"k8s101-ada": "pw1", "k8s101-grace": "pw2", "k8s101-instructor": "pw3"}


def test_board_snapshot_is_plain_json():
    from datetime import datetime

    from kworkshop.classroom import Mark
    from kworkshop.classroom.hub.board import snapshot

    at = datetime(2026, 11, 27, 10, 15, 30)
    data = snapshot("k8s101", {"ada": {"b": Mark(True, at), "a": Mark(False, at)}, "grace": {}}, at)
    assert data["checks"] == ["a", "b"]
    assert data["rows"] == [
        {"learner": "ada", "cells": [{"passed": False, "at": "10:15:30"}, {"passed": True, "at": "10:15:30"}],
         "passed": 1},
        {"learner": "grace", "cells": [None, None], "passed": 0}]
