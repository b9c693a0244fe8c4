"""A Docker daemon of the kit's own, for the kind backend's tests (test harness only).

The kit's test machines have no Docker daemon and no registry. This module installs Debian's
``docker.io`` when ``dockerd`` is missing and starts a daemon that shares nothing with a system
one: its own socket, pidfile and exec root under ``/tmp/kworkshop-docker`` (short paths: unix
socket names are limited to 108 bytes), its own data root in the kit's cache (images survive a
stop), its own containerd namespaces, no TCP. Where this machine's capability bounding set is
short of what the kernel knows (CAP_SYS_RESOURCE here), ``kw-runc`` is registered and made the
default runtime, so ``docker run --privileged`` works.

It never runs on a learner's machine: the kit's kind backend uses whatever Docker the learner has.

    python tests/harness/docker.py start|stop|status|env|install
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
WRAPPER = HERE / "kw-runc"
RUN_DIR = Path(os.environ.get("KW_DOCKER_DIR", "/tmp/kworkshop-docker"))
SOCKET = RUN_DIR / "docker.sock"
HOST = f"unix://{SOCKET}"
PIDFILE = RUN_DIR / "dockerd.pid"
LOG = RUN_DIR / "dockerd.log"
CONFIG = RUN_DIR / "daemon.json"
EXEC_ROOT = RUN_DIR / "exec"
# the runtime the daemon runs: a copy beside its socket, not the checkout's file, so a daemon that
# outlives the checkout that started it (a second clone reuses it) still finds its runtime
RUNTIME = RUN_DIR / "kw-runc"
NAMESPACE = "kworkshop"  # containerd namespace, in case a system containerd is shared
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0


class HarnessUnavailable(RuntimeError):
    """Docker cannot be installed or started here; the message says why (tests skip with it)."""


def data_root() -> Path:
    """Images and containers: in the kit's cache, so built images survive a daemon stop."""
    sys.path.insert(0, str(HERE.parent.parent))
    from kworkshop.paths import cache_dir

    return cache_dir() / "docker"


def missing_caps() -> set[str]:
    """Capabilities the kernel knows but this machine's bounding set lacks (kw-runc's own logic)."""
    import importlib.machinery
    import importlib.util

    loader = importlib.machinery.SourceFileLoader("kw_runc", str(WRAPPER))
    spec = importlib.util.spec_from_loader("kw_runc", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module.missing_caps()


def _run(argv: list[str], timeout: float = 30.0, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, check=False, timeout=timeout, **kw)


def install() -> None:
    """Debian's docker.io (dockerd, containerd, runc) when dockerd is missing."""
    if shutil.which("dockerd") and shutil.which("docker"):
        return
    if not shutil.which("apt-get"):
        raise HarnessUnavailable("dockerd is missing and there is no apt-get to install docker.io")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    out = _run(["apt-get", "install", "-y", "-q", "docker.io"], timeout=600, env=env)
    if out.returncode != 0:
        out = _run(["sh", "-c", "apt-get update -q && apt-get install -y -q docker.io"], timeout=900, env=env)
    if out.returncode != 0 or not shutil.which("dockerd"):
        raise HarnessUnavailable(f"apt-get install docker.io failed: {out.stderr.strip()[-500:]}")


def answers(host: str = HOST) -> bool:
    """Whether a daemon answers on ``host``."""
    try:
        out = _run(["docker", "-H", host, "info", "--format", "{{.ServerVersion}}"], timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0


def daemon_config() -> dict:
    """daemon.json: kw-runc registered, and the default runtime where capabilities are missing."""
    config: dict = {"runtimes": {"kw-runc": {"path": str(RUNTIME)}}, "log-driver": "json-file",
                    "log-opts": {"max-size": "10m", "max-file": "2"}}
    if missing_caps():
        config["default-runtime"] = "kw-runc"
    return config


def dockerd_argv() -> list[str]:
    return ["dockerd", "--host", HOST, "--config-file", str(CONFIG), "--data-root", str(data_root()),
            "--exec-root", str(EXEC_ROOT), "--pidfile", str(PIDFILE),
            "--containerd-namespace", NAMESPACE, "--containerd-plugins-namespace", f"{NAMESPACE}-plugins"]


def _pid() -> int | None:
    try:
        pid = int(PIDFILE.read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


@dataclass(frozen=True)
class Daemon:
    host: str
    started: bool  # started by this call (False: it was already answering)
    runtime: str  # the default runtime

    @property
    def env(self) -> dict[str, str]:
        return {"DOCKER_HOST": self.host}


def start() -> Daemon:
    """The kit's own daemon, started when it does not answer yet; idempotent."""
    if os.geteuid() != 0:
        raise HarnessUnavailable("dockerd (and apt-get) need root; the tests run as an ordinary user")
    install()
    _install_runtime()
    if answers():
        if _configured_runtime() == str(RUNTIME) and _root_dir() == str(data_root()):
            return Daemon(HOST, False, _default_runtime())
        stop()  # started from elsewhere: another checkout's runtime, or another cache's images
    if (pid := _pid()) is not None:
        raise HarnessUnavailable(f"dockerd (pid {pid}) is running but does not answer on {HOST}: see {LOG}")
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    data_root().mkdir(parents=True, exist_ok=True)
    CONFIG.write_text(json.dumps(daemon_config(), indent=2))
    with open(LOG, "ab") as log:
        proc = subprocess.Popen(dockerd_argv(), stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                start_new_session=True)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:  # no event to wait on: dockerd says nothing until it serves
        if proc.poll() is not None:
            raise HarnessUnavailable(f"dockerd exited with {proc.returncode}: {_tail(LOG)}")
        if SOCKET.exists() and answers():
            return Daemon(HOST, True, _default_runtime())
        time.sleep(0.5)
    raise HarnessUnavailable(f"dockerd did not answer within {START_TIMEOUT:.0f}s: {_tail(LOG)}")


def stop() -> bool:
    """Stop the kit's daemon (its containers stop with it); True if one was running. Idempotent."""
    pid = _pid()
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    while time.monotonic() < deadline:
        if _gone(pid):
            return True
        time.sleep(0.2)
    os.kill(pid, signal.SIGKILL)
    return True


def _gone(pid: int) -> bool:
    """Whether ``pid`` has exited (reaping it when it is this process's child, e.g. in a test run)."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == pid
    except ChildProcessError:  # not our child: a zombie is not possible here, so kill 0 tells
        try:
            os.kill(pid, 0)
        except OSError:
            return True
    return False


def _install_runtime() -> None:
    """Copy this checkout's kw-runc beside the socket (atomically: a running container may exec it)."""
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    tmp = RUNTIME.with_suffix(f".{os.getpid()}.tmp")
    shutil.copyfile(WRAPPER, tmp)
    tmp.chmod(0o755)
    os.replace(tmp, RUNTIME)


def _configured_runtime() -> str:
    """The kw-runc path the running daemon was started with (its daemon.json), or ""."""
    try:
        return json.loads(CONFIG.read_text())["runtimes"]["kw-runc"]["path"]
    except (OSError, ValueError, KeyError, TypeError):
        return ""


def _root_dir() -> str:
    """Where the running daemon keeps its images (another kit cache's daemon is not ours)."""
    return _run(["docker", "-H", HOST, "info", "--format", "{{.DockerRootDir}}"]).stdout.strip()


def _default_runtime() -> str:
    out = _run(["docker", "-H", HOST, "info", "--format", "{{.DefaultRuntime}}"])
    return out.stdout.strip()


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def docker(*args: str, timeout: float = 120.0, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the docker client against the kit's daemon."""
    out = _run(["docker", "-H", HOST, *args], timeout=timeout)
    if check and out.returncode != 0:
        raise RuntimeError(f"docker {' '.join(args)} failed ({out.returncode}): {out.stderr.strip()}")
    return out


def docker_bytes(*args: str, timeout: float = 300.0) -> bytes:
    """Run the docker client against the kit's daemon; its binary stdout (``save``, ``export``)."""
    out = subprocess.run(["docker", "-H", HOST, *args], capture_output=True, check=False, timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"docker {' '.join(args)} failed ({out.returncode}): {out.stderr.decode().strip()}")
    return out.stdout


def host_image(name: str, binaries: tuple[str, ...] = ("/bin/sh", "/bin/true", "/bin/cat", "/bin/grep")) -> str:
    """A tiny image of this machine's own binaries and the libraries they load (no registry needed)."""
    if docker("image", "inspect", name, check=False).returncode == 0:
        return name
    with tempfile.TemporaryDirectory(prefix="kw-image-") as tmp:
        root = Path(tmp)
        for binary in binaries:
            ldd = _run(["ldd", binary]).stdout
            libs = [w for w in ldd.split() if w.startswith("/")]
            for path in (binary, *libs):
                target = root / path.lstrip("/")
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(Path(path).resolve(), target)
        tar = subprocess.Popen(["tar", "-C", tmp, "-c", "."], stdout=subprocess.PIPE)
        out = subprocess.run(["docker", "-H", HOST, "import", "-", name], stdin=tar.stdout, capture_output=True,
                             text=True, check=False, timeout=120)
        tar.wait()
        if out.returncode != 0:
            raise RuntimeError(f"docker import failed: {out.stderr.strip()}")
    return name


def main(argv: list[str]) -> int:
    verb = argv[0] if argv else "status"
    try:
        if verb == "install":
            install()
        elif verb == "start":
            d = start()
            print(f"dockerd answers on {d.host} (default runtime {d.runtime}); export DOCKER_HOST={d.host}")
        elif verb == "stop":
            print("stopped" if stop() else "not running")
        elif verb == "env":
            print(f"export DOCKER_HOST={HOST}")
        elif verb == "status":
            ok = answers()
            print(f"{'answers' if ok else 'does not answer'} on {HOST}; missing capabilities: "
                  f"{', '.join(sorted(missing_caps())) or 'none'}")
            return 0 if ok else 1
        else:
            print(__doc__)
            return 2
    except HarnessUnavailable as exc:
        print(f"docker harness: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
