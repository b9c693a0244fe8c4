"""Run an image the way kind runs a node container, and wait for its systemd (test harness only).

The flags are kind v0.33.0's (``pkg/cluster/internal/providers/docker/provision.go``: ``commonArgs``
and ``runArgsForNode``), minus labels, port mappings and proxy variables, so a boot that works here
works for kind on the same daemon.

    python tests/harness/node.py <image>      boot a node, print systemd's state, remove it
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import docker

NETWORK = "kworkshop-harness"
MULTI_USER = r"Reached target .*Multi-User System"  # kind: common.NodeReachedCgroupsReadyRegexp
# kind's node flags, in kind's order
KIND_NODE_FLAGS = (
    "--detach", "--tty", "--restart=on-failure:1", "--init=false", "--cgroupns=private",
    "--privileged", "--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined",
    "--tmpfs", "/tmp", "--tmpfs", "/run", "--volume", "/var", "--volume", "/lib/modules:/lib/modules:ro",
    "-e", "KIND_EXPERIMENTAL_CONTAINERD_SNAPSHOTTER",
)


def run_argv(image: str, name: str, network: str = NETWORK) -> list[str]:
    """``docker run`` arguments for a kind-style node container."""
    return ["run", "--name", name, "--hostname", name, "--net", network,
            "--label", "io.x-k8s.kworkshop.harness=node", *KIND_NODE_FLAGS, image]


def start(image: str, name: str, network: str = NETWORK) -> str:
    """Start a node container (on its own user-defined network, as kind does); returns its id."""
    if docker.docker("network", "inspect", network, check=False).returncode != 0:
        docker.docker("network", "create", network)
    remove(name)
    return docker.docker(*run_argv(image, name, network)).stdout.strip()


def wait_log(name: str, pattern: str, timeout: float) -> bool:
    """Follow the node's log (``docker logs -f``, as kind does) until a line matches ``pattern``."""
    regex = re.compile(pattern)
    proc = subprocess.Popen(["docker", "-H", docker.HOST, "logs", "-f", name], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, errors="replace")
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    try:
        assert proc.stdout is not None
        return any(regex.search(line) for line in proc.stdout)
    finally:
        timer.cancel()
        proc.kill()
        proc.wait()


def wait_booted(name: str, timeout: float = 120.0) -> str:
    """systemd's state once boot is over: running, degraded, ... or why it never got there.

    First the log line kind waits for (systemd reaching multi-user.target; kind also accepts the
    entrypoint's "detected cgroup v1", which comes before systemd starts), then
    ``systemctl is-system-running --wait`` for the final state (it answers "offline" before PID 1 is
    systemd, hence the log first)."""
    if not wait_log(name, MULTI_USER, timeout):
        return f"multi-user.target not reached within {timeout:.0f}s"
    try:
        out = docker.docker("exec", name, "systemctl", "is-system-running", "--wait", timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return "starting (timed out)"
    return out.stdout.strip() or out.stderr.strip()


def exec_(name: str, *argv: str, stdin: bytes | None = None, timeout: float = 120.0) -> subprocess.CompletedProcess:
    """Run a command in the node."""
    return subprocess.run(["docker", "-H", docker.HOST, "exec", "-i", name, *argv], input=stdin,
                          capture_output=True, check=False, timeout=timeout)


def remove(name: str) -> None:
    """Remove the node container (and its anonymous /var volume); nothing to do if it is gone."""
    docker.docker("rm", "--force", "--volumes", name, check=False)


def main(argv: list[str]) -> int:
    docker.start()
    name = "kworkshop-harness-node"
    start(argv[0], name)
    try:
        state = wait_booted(name)
        print(f"systemd: {state}")
        print(docker.docker("exec", name, "systemctl", "--failed", "--no-legend", check=False).stdout)
        return 0 if state in ("running", "degraded") else 1
    finally:
        remove(name)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
