"""``kworkshop class serve``: the class on a JupyterHub (start, wait, stop), and its removal.

Serve is a checklist, each step shown through the status object: the cluster (started if needed),
the class (as ``class create``), the learners' share (``runtime``), one system account per learner
and one for the instructor with a password each (the credentials sheet, mode 0600, keeps them from
one serve to the next), a check that a learner's account can run the kit's Python, then the hub
with its proxy and the progress board, until the URL answers. Everything of the hub lives in the
class's state folder (root only): config, database, cookie secret, pid files, log.

``stop`` ends the hub (which stops the learners' servers, the board and the proxy) and then
whatever of the class still runs; ``remove`` (from ``class delete``) also deletes the accounts,
their homes, the share and the state folder. Both are idempotent.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from ... import paths, programs
from ... import settings as kit_settings
from ...cluster.processes import terminate
from ...errors import ConfigError, KworkshopError
from ...i18n import _, language, ngettext
from ...polling import poll
from ...progress import LoggingStatus, Status, step
from ..plan import Learner, learners
from . import runtime, users
from .config import LOOPBACK, SERVICE, HubSettings, public_url, render, traits

PROXY = "configurable-http-proxy"
PROXY_VERSION = "5.3.0"  # the Makefile installs this one into the venv (npm install --prefix .venv/node)
INSTRUCTOR = "instructor"


def class_dir(class_name: str) -> Path:
    return paths.state_dir() / "classes" / class_name


@dataclass(frozen=True)
class Served:
    class_name: str
    url: str
    credentials: Path
    log: Path
    hub: subprocess.Popen = field(repr=False, compare=False)
    warnings: tuple[str, ...] = ()

    def __str__(self) -> str:
        # tests/browser/test_class_serve.py reads the English "is served at" and "credentials sheet" lines
        return "\n".join([
            *self.warnings, _("class {name} is served at {url}").format(name=self.class_name, url=self.url),
            _("credentials sheet (one line per learner to hand out; the instructor's last): {path}")
            .format(path=self.credentials),
            _("progress board (instructor): {url}").format(url=f"{self.url}services/{SERVICE}/"),
            _("hub log: {path}").format(path=self.log),
            _("stop with Ctrl+C, or from another shell: {command}")
            .format(command=f"kworkshop class serve --stop --name {self.class_name}")])

    def wait(self) -> int:
        """Until the hub ends; Ctrl+C (or SIGTERM) stops it and the learners' servers. Returns its exit code."""
        def interrupt(signum: int, frame: object) -> None:
            raise KeyboardInterrupt

        previous = signal.signal(signal.SIGTERM, interrupt)
        try:
            code = self.hub.wait()
        except KeyboardInterrupt:
            code = 0
        finally:
            signal.signal(signal.SIGTERM, previous)
            stop(self.class_name)
        return code


def proxy_command() -> str:
    """The configurable-http-proxy executable: the kit's own (next to the venv), else on PATH."""
    candidates = [Path(sys.prefix) / "node" / "node_modules" / ".bin" / PROXY]
    for candidate in candidates:
        if candidate.is_file():
            return str(candidate)
    found = shutil.which(PROXY)
    if found is None:
        raise ConfigError(_("JupyterHub needs {proxy} (from npm): install it with `{command}` (`make setup` does).")
                          .format(proxy=PROXY,
                                  command=f"npm install --prefix {Path(sys.prefix) / 'node'} {PROXY}@{PROXY_VERSION}"))
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def _check_port(bind: str, port: int) -> None:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the proxy binds: TIME_WAIT is no owner
        try:
            s.bind((bind, port))
        except OSError as exc:
            raise ConfigError(_("port {port} on {bind} is taken ({reason}): choose another with --port, "
                                "or stop what runs there.").format(port=port, bind=bind, reason=exc.strerror)) from exc


def _read_sheet(sheet: Path) -> dict[str, str]:
    if not sheet.is_file():
        return {}
    pairs = (line.split() for line in sheet.read_text().splitlines() if line.strip() and not line.startswith("#"))
    return {p[0]: p[1] for p in pairs if len(p) >= 2}


def _write_sheet(sheet: Path, url: str, learner_pw: dict[str, str], instructor: tuple[str, str]) -> None:
    lines = ["# " + _("class at {url}: one line per learner, user name and password").format(url=url)]
    lines += [f"{name} {pw}" for name, pw in learner_pw.items()]
    lines += ["# " + _("the instructor (hub admin, progress board at {url})").format(url=f"{url}services/{SERVICE}/"),
              " ".join(instructor)]
    fd = os.open(sheet, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write("\n".join(lines) + "\n")
    sheet.chmod(0o600)


def _admin_kubeconfig(cluster: object, kubectl: Path, target: Path) -> Path:
    """The instructor's kubeconfig with its certificates inline (the originals are root's files)."""
    done = programs.run([str(kubectl), "config", "view", "--flatten", "--minify", "--raw",
                         f"--kubeconfig={cluster.kubeconfig}"], timeout=30, what="kubectl config view --flatten")
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(done.stdout)
    return target


def _learner_can_run(account: str, python: str) -> None:
    """As the learner's account: can it start the kit's Python with JupyterHub and JupyterLab?"""
    probe = "import kworkshop, jupyterhub.singleuser, jupyterlab"
    done = programs.run(["runuser", "-u", account, "--", python, "-c", probe], timeout=120, what="runuser",
                        check=False, cwd="/")
    if done.returncode != 0:
        last = ((done.stderr or done.stdout).strip().splitlines() or [_("no output")])[-1]
        raise ConfigError(_("a learner's account ({account}) cannot run the kit's Python {python}: {output}")
                          .format(account=account, python=python, output=last))


def _refuse(class_name: str, members: list[Learner], port: int, bind: str, ssl_cert: str | None,
            ssl_key: str | None) -> None:
    """Everything that would stop the class from being served, before anything is made."""
    users.require_root("`kworkshop class serve`")
    if any(m.name == INSTRUCTOR for m in members):
        raise ConfigError(_("{name} is the instructor's account: give that learner another name.")
                          .format(name=repr(INSTRUCTOR)))
    for name in [m.namespace for m in members] + [f"{class_name}-{INSTRUCTOR}"]:
        if len(name) > users.MAX_NAME:
            raise ConfigError(_("the account {name} would be longer than {limit} characters: "
                                "choose a shorter class or learner name.")
                              .format(name=repr(name), limit=users.MAX_NAME))
    if bool(ssl_cert) != bool(ssl_key):
        raise ConfigError(_("--ssl-cert and --ssl-key go together."))
    if running(class_name):
        raise ConfigError(_("class {name} is already served: stop it first with `{command}`.")
                          .format(name=class_name, command=f"kworkshop class serve --stop --name {class_name}"))
    _check_port(bind, port)


def _network_warnings(bind: str, port: int, tls: bool) -> tuple[str, ...]:
    if bind in (LOOPBACK, "localhost", "::1"):
        return ()
    where = (_("the hub listens on {bind}:{port}: learners open {url} (or this machine's address)")
             .format(bind=bind, port=port, url=f"{'https' if tls else 'http'}://{socket.gethostname()}:{port}/"),)
    if tls:
        return where
    return (*where, _("WARNING: without TLS, passwords and notebooks cross the network unencrypted: give "
                      "--ssl-cert/--ssl-key, or put a TLS proxy in front of the hub."))


def _accounts(class_name: str, members: list[Learner], sheet: Path, url: str) -> str:
    """One system account per learner and the instructor's; the sheet keeps their passwords."""
    instructor = f"{class_name}-{INSTRUCTOR}"
    known = _read_sheet(sheet)
    accounts = [m.namespace for m in members] + [instructor]
    for name in accounts:
        users.ensure(name, class_name)
    passwords = {name: known.get(name) or users.new_password() for name in accounts}
    users.set_passwords(passwords)
    _write_sheet(sheet, url, {m.namespace: passwords[m.namespace] for m in members},
                 (instructor, passwords[instructor]))
    return instructor


def serve(class_name: str, *, count: int | None = None, names: list[str] | None = None, port: int = 8000,
          bind: str = LOOPBACK, cluster_name: str | None = None, ssl_cert: str | None = None,
          ssl_key: str | None = None, notebooks: Path = Path("notebooks"), nodes_per_learner: int = 2,
          share_root: Path = runtime.SHARE_ROOT, status: Status | None = None) -> Served:
    """Create the class and start its hub in the background (see the module docstring)."""
    from ... import cluster
    from ...binaries import install
    from ...kube.connection import connect
    from ..objects import create

    status = status or LoggingStatus()
    members = learners(class_name, count, names)
    _refuse(class_name, members, port, bind, ssl_cert, ssl_key)
    proxy = proxy_command()
    state = class_dir(class_name)
    state.mkdir(parents=True, exist_ok=True)
    state.chmod(0o700)

    handle = cluster.up(name=cluster_name or cluster.DEFAULT_NAME, status=status, set_env=False)
    kubectl = install(status, allow_build=False).paths["kubectl"]
    with step(status, ngettext("Class {name}: {count} namespace, account and kubeconfig",
                               "Class {name}: {count} namespaces, accounts and kubeconfigs",
                               len(members)).format(name=class_name, count=len(members))):
        info = create(class_name, names=[m.name for m in members], nodes_per_learner=nodes_per_learner,
                                output=state / "kubeconfigs", kube=connect(handle))
        admin = _admin_kubeconfig(handle, kubectl, state / "instructor.kubeconfig")
    with step(status, _("The learners' share in {folder}").format(folder=share_root / class_name)):
        rt = runtime.prepare(class_name, notebooks.expanduser().resolve(), kubectl, share_root)
    with step(status, ngettext("{count} system account (PAM logins, homes 0700)",
                               "{count} system accounts (PAM logins, homes 0700)",
                               len(members) + 1).format(count=len(members) + 1)):
        instructor = _accounts(class_name, members, state / "credentials.txt", public_url(bind, port, bool(ssl_cert)))
    with step(status, _("A learner's account runs {python}").format(python=rt.python)):
        _learner_can_run(members[0].namespace, rt.python)
    settings = HubSettings(
        class_name, tuple(m.namespace for m in members), instructor, state, rt.python, proxy,
        _free_port(), _free_port(), _free_port(),
        (sys.executable, "-m", "kworkshop.classroom.hub.board", "--class", class_name, "--kubeconfig", str(admin)),
        port, bind, ssl_cert, ssl_key, rt.env,
        # the board speaks the language of this process (the hub passes LANG on, not KWORKSHOP_LANG)
        {"PATH": os.environ.get("PATH", runtime.SYSTEM_PATH), "HOME": str(Path.home()),
         kit_settings.LANG.name: language()})
    roster = {"class": class_name, "share": str(rt.share), "accounts": {
        **{m.namespace: {"namespace": m.namespace, "kubeconfig": str(kc.resolve())}
           for m, kc in zip(info.learners, info.kubeconfigs, strict=True)},
        instructor: {"kubeconfig": str(admin)}}}
    settings.roster.write_text(json.dumps(roster, indent=2))
    settings.config_file.with_suffix(".py").unlink(missing_ok=True)  # JupyterHub would load an old one too
    settings.config_file.write_text(render(traits(settings), settings.roster))
    with step(status, _("JupyterHub and its proxy on {url}").format(url=settings.url)):
        hub = _start_hub(settings, Path(proxy).parent)
    return Served(class_name, settings.url, state / "credentials.txt", state / "hub.log", hub,
                  _network_warnings(bind, port, bool(ssl_cert)))


def _start_hub(s: HubSettings, proxy_dir: Path, timeout: float = 90) -> subprocess.Popen:
    log = s.state / "hub.log"
    env = {**os.environ, "PATH": f"{proxy_dir}{os.pathsep}{os.environ.get('PATH', runtime.SYSTEM_PATH)}"}
    with open(log, "w") as out:  # its own session: Ctrl+C reaches `class serve`, which stops it in order
        proc = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(s.config_file)], cwd=s.state,
                                env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    check = f"http://{LOOPBACK}:{s.port}/hub/api" if not s.ssl_cert else None
    def started() -> bool:
        if proc.poll() is not None:
            stop(s.class_name)  # the board or the proxy may have started before the hub gave up
            raise KworkshopError(_("JupyterHub stopped at its start (exit {code}); the end of {log}:\n{lines}")
                                 .format(code=proc.returncode, log=log,
                                         lines="\n".join(log.read_text().splitlines()[-15:])))
        return _answers(check, s) and _board_up(s)

    if poll(started, timeout, first=0.5, most=0.5):
        return proc
    stop(s.class_name)
    raise KworkshopError(_("JupyterHub did not answer within {seconds} s; see {log}")
                         .format(seconds=round(timeout), log=log))


def _answers(url: str | None, s: HubSettings) -> bool:
    if url is None:  # TLS: the port accepting connections is what we can check without the CA
        with socket.socket() as sock:
            return sock.connect_ex((LOOPBACK if s.bind in ("0.0.0.0", "") else s.bind, s.port)) == 0
    try:
        with urllib.request.urlopen(url, timeout=3) as r:
            return r.status == 200
    except OSError:
        return False


def _board_up(s: HubSettings) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((LOOPBACK, s.board_port)) == 0


def _hub_process(class_name: str) -> psutil.Process | None:
    pid_file = class_dir(class_name) / "jupyterhub.pid"
    try:
        proc = psutil.Process(int(pid_file.read_text().strip()))
        # the pid is ours only if it runs this class's config (a pid file can outlive its process)
        if str(class_dir(class_name) / "jupyterhub_config.json") in proc.cmdline():
            return proc
    except (OSError, ValueError, psutil.Error):
        pass
    return None


def running(class_name: str) -> bool:
    return _hub_process(class_name) is not None


def _leftovers(class_name: str) -> list[psutil.Process]:
    """What may outlive a hub that was killed: the learners' servers, the board, the proxy."""
    uids = {a.uid for a in users.of_class(class_name)}
    found = []
    for proc in psutil.process_iter(["pid", "uids", "cmdline"]):
        cmd = proc.info["cmdline"] or []
        if (proc.info["uids"] and proc.info["uids"].real in uids) \
                or ("kworkshop.classroom.hub.board" in cmd and "--class" in cmd
                    and cmd[cmd.index("--class") + 1:][:1] == [class_name]):
            found.append(proc)
    try:  # the proxy, by the pid file the hub wrote, if it still runs the proxy
        proxy = psutil.Process(int((class_dir(class_name) / "proxy.pid").read_text().strip()))
        if any(PROXY in part for part in proxy.cmdline()):
            found.append(proxy)
    except (OSError, ValueError, psutil.Error):
        pass
    return found


def stop(class_name: str) -> list[str]:
    """Stop the class's hub, then anything of the class still running; returns what it stopped."""
    stopped = []
    hub = _hub_process(class_name)
    if hub is not None:
        hub.send_signal(signal.SIGTERM)  # the hub stops the servers, the board and the proxy itself
        try:
            hub.wait(60)
        except psutil.TimeoutExpired:
            hub.kill()
        stopped.append(f"JupyterHub (pid {hub.pid})")
    rest = _leftovers(class_name)
    terminate(rest, grace=20)
    stopped += [f"pid {p.pid}" for p in rest]
    return stopped


def remove(class_name: str, share_root: Path = runtime.SHARE_ROOT) -> list[str]:
    """Stop the hub and delete the class's accounts and homes, its share and its state folder."""
    gone = [f"process {what}" for what in stop(class_name)]
    accounts = users.of_class(class_name)
    if accounts:
        users.require_root_to_remove(class_name)
    for acct in accounts:
        users.remove(acct)
        gone.append(f"user/{acct.name} (and {acct.home})")
    if runtime.remove(class_name, share_root):
        gone.append(f"folder {share_root / class_name}")
    if class_dir(class_name).exists():
        shutil.rmtree(class_dir(class_name))
        gone.append(f"folder {class_dir(class_name)}")
    return gone
