"""Benchmark: does `kworkshop up` heal, and do two clusters on one machine stay apart?

Healing, for each component and for all of them at once: a Deployment is rolled to a new
revision (`kubectl set env`), the component is killed with SIGKILL at once, then `kworkshop up`
runs (as a user would, the CLI). Printed: the seconds `up` took, whether the in-flight rollout
completed and how long after `up` returned (`kubectl rollout status`), and whether the objects
and the rollout history are intact. Target: `up` within 20 s and 8/8 rollouts completed.

Two clusters:
  * prefix names   clusters `rel` and `rel-2`; `down rel` must leave every process of rel-2.
  * port take-over cluster A's etcd is killed, cluster B is created while A is down, A is
                   healed: A must serve its own data (kube-system UID), B must be untouched.
  * foreign port   a stranger listens on A's etcd port while A's etcd is down: `up` must refuse
                   with a sentence naming the process, change nothing, and heal once it is gone.

Usage: python benchmarks/chaos.py [--only etcd,all,...] [--skip-pairs]
The scenario functions are also what tests/cluster/test_chaos.py runs.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

COMPONENTS = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler",
              "kwok-controller", "metrics-server", "kworkshop-agent")
IMAGES = ("jonbaier/pod-scaling:0.1", "jonbaier/pod-scaling:0.2")


@dataclass
class Healing:
    component: str
    up_seconds: float
    up_ok: bool
    rollout_ok: bool
    rollout_after: float
    intact: bool
    detail: str = ""

    @property
    def passed(self) -> bool:
        return self.up_ok and self.rollout_ok and self.intact and self.up_seconds <= 20


def cli(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    """`kworkshop ARGS` with this interpreter, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "kworkshop", *args], capture_output=True, text=True,
                          timeout=timeout, check=False)


class Kubectl:
    def __init__(self, name: str) -> None:
        from kworkshop.cluster import cluster_env

        self.env = {**os.environ, **cluster_env(name)}

    def __call__(self, *args: str, check: bool = True, timeout: float = 90) -> str:
        out = subprocess.run(["kubectl", *args], env=self.env, capture_output=True, text=True,
                             timeout=timeout, check=False)
        if check and out.returncode != 0:
            raise RuntimeError(f"kubectl {' '.join(args)}: {out.stderr.strip()}")
        return out.stdout + ("" if check else out.stderr)


def pids(name: str) -> dict[str, int | None]:
    from kworkshop.cluster.embedded import EmbeddedCluster

    return EmbeddedCluster(name).component_pids()


def started_or_replaced(before: dict[str, int | None], after: dict[str, int | None]) -> list[str]:
    """The components whose process is new after a step that must change nothing. One that ended by
    itself meanwhile (a controller-manager losing its lease while etcd is down) is not the step's doing."""
    return [name for name, pid in after.items() if pid is not None and pid != before.get(name)]


def kill(name: str, component: str) -> list[int]:
    targets = COMPONENTS if component == "all" else (component,)
    killed = []
    for comp, pid in pids(name).items():
        if comp in targets and pid:
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
    for pid in killed:  # until gone (or a zombie: nobody may reap it)
        for _ in range(50):
            try:
                if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                    break
            except psutil.NoSuchProcess:
                break
            time.sleep(0.05)
    return killed


def prepare(kubectl: Kubectl, namespace: str = "chaos") -> None:
    """A namespace with a Deployment at revision 1, rolled out, and a ConfigMap to find again."""
    kubectl("create", "namespace", namespace, check=False)
    kubectl("-n", namespace, "create", "configmap", "keep", "--from-literal=k=v", check=False)
    kubectl("-n", namespace, "create", "deployment", "web", f"--image={IMAGES[0]}", "--replicas=3", check=False)
    kubectl("-n", namespace, "rollout", "status", "deployment/web", "--timeout=60s")


def revisions(kubectl: Kubectl, namespace: str) -> int:
    out = kubectl("-n", namespace, "rollout", "history", "deployment/web")
    return sum(1 for line in out.splitlines() if line.strip()[:1].isdigit())


def heal_one(name: str, component: str, step: int, namespace: str = "chaos") -> Healing:
    """Roll web to a new revision, kill ``component`` at once, `kworkshop up`, follow the rollout."""
    kubectl = Kubectl(name)
    before = revisions(kubectl, namespace)
    kubectl("-n", namespace, "set", "env", "deployment/web", f"STEP={step}")
    kill(name, component)
    t0 = time.monotonic()
    up = cli("up", "--name", name)
    up_seconds = time.monotonic() - t0
    if up.returncode != 0:
        return Healing(component, up_seconds, False, False, 0.0, False, (up.stderr or up.stdout)[-400:])
    t1 = time.monotonic()
    rolled = subprocess.run(["kubectl", "-n", namespace, "rollout", "status", "deployment/web",
                             "--timeout=60s"], env=kubectl.env, capture_output=True, text=True, check=False)
    after = time.monotonic() - t1
    intact = (revisions(kubectl, namespace) == before + 1
              and "keep" in kubectl("-n", namespace, "get", "configmap", "keep", "-o", "name", check=False))
    noisy = [line for line in up.stderr.splitlines() if "Retrying" in line or "WARNING" in line]
    detail = f"{len(noisy)} warning lines from up" if noisy else ""
    return Healing(component, up_seconds, True, rolled.returncode == 0, after, intact and not noisy,
                   detail or rolled.stderr.strip()[-200:])


# -- two clusters ------------------------------------------------------------------------------

def alive(name: str) -> bool:
    return all(pids(name).values())


def prefix_names(prefix: str) -> tuple[bool, str]:
    """`down <prefix>` must leave `<prefix>-2` running and healthy."""
    a, b = prefix, f"{prefix}-2"
    for n in (a, b):
        out = cli("up", "--name", n)
        if out.returncode != 0:
            return False, f"up {n} failed: {out.stderr[-300:]}"
    before = pids(b)
    cli("down", "--name", a)
    after = pids(b)
    ok = before == after and all(after.values())
    ok = ok and "healthy" in cli("status", "--name", b).stdout
    return ok, "rel-2 untouched" if ok else f"{b} lost processes: {before} -> {after}"


def kube_system_uid(name: str) -> str:
    return Kubectl(name)("get", "namespace", "kube-system", "-o", "jsonpath={.metadata.uid}")


def port_takeover(a: str, b: str) -> tuple[bool, str]:
    """Kill A's etcd, create B, heal A: each serves only its own data."""
    for n in (a,):
        if cli("up", "--name", n).returncode != 0:
            return False, f"up {n} failed"
    Kubectl(a)("create", "namespace", "only-in-a", check=False)
    uid_a = kube_system_uid(a)
    kill(a, "etcd")
    if cli("up", "--name", b).returncode != 0:
        return False, "up B failed"
    Kubectl(b)("create", "namespace", "only-in-b", check=False)
    uid_b = kube_system_uid(b)
    healed = cli("up", "--name", a)
    if healed.returncode != 0:
        return False, f"healing A failed: {healed.stderr[-300:]}"
    ns_a = Kubectl(a)("get", "namespaces", "-o", "name")
    ns_b = Kubectl(b)("get", "namespaces", "-o", "name")
    conditions = {
        "A's kube-system is the one it had": kube_system_uid(a) == uid_a,
        "B's kube-system is the one it had": kube_system_uid(b) == uid_b,
        "A has only-in-a": "only-in-a" in ns_a,
        "A lacks only-in-b": "only-in-b" not in ns_a,
        "B lacks only-in-a": "only-in-a" not in ns_b,
        "B's etcd refuses A's certificate": etcd_refuses_strangers(a, b),
    }
    for name in (a, b):  # every component runs, or the dead one is named
        for component, pid in pids(name).items():
            conditions[f"{name}'s {component} runs"] = bool(pid)
    failed = [what for what, held in conditions.items() if not held]
    if failed:
        return False, f"not so: {'; '.join(failed)} (A: {ns_a.split()} B: {ns_b.split()})"
    return True, "each cluster serves its own data; B's etcd refuses A's certificate"


def etcd_refuses_strangers(a: str, b: str) -> bool:
    """B's etcd answers B's apiserver certificate and refuses A's (another CA) in the handshake."""
    from kworkshop.cluster.embedded import EmbeddedCluster, components, healing

    def etcd_url_and_pki(name: str) -> tuple[str, Path]:
        layout = EmbeddedCluster(name).layout
        etcd = next(c for c in components.read(layout.kwok_cluster_dir / "kwok.yaml") if c.name == "etcd")
        return f"{etcd.arg('advertise-client-urls')}/health", layout.kwok_cluster_dir / "pki"

    url_b, pki_b = etcd_url_and_pki(b)
    _, pki_a = etcd_url_and_pki(a)

    def with_certs_of(pki: Path) -> int | None:
        ctx = healing._context(str(pki_b / "ca.crt"), str(pki / "admin.crt"), str(pki / "admin.key"))
        return healing.http_status(url_b, ctx)

    return with_certs_of(pki_b) == 200 and with_certs_of(pki_a) is None


def foreign_port(a: str) -> tuple[bool, str]:
    """A stranger on A's etcd port: `up` refuses naming it, changes nothing; heals once it is gone."""
    from kworkshop.cluster import processes
    from kworkshop.cluster.embedded import EmbeddedCluster, components
    from kworkshop.polling import poll

    if cli("up", "--name", a).returncode != 0:
        return False, "up failed"
    layout = EmbeddedCluster(a).layout
    etcd = next(c for c in components.read(layout.kwok_cluster_dir / "kwok.yaml") if c.name == "etcd")
    kill(a, "etcd")
    port = int((etcd.arg("listen-client-urls") or "").rsplit(":", 1)[1])
    # the stranger takes the port as soon as it can: for a moment after etcd's death the kernel may
    # still refuse it (EADDRINUSE while etcd's closed connections wind down), so it tries again
    stranger = subprocess.Popen([sys.executable, "-c", (
        "import socket,time\n"
        "for _ in range(300):\n"
        "    s=socket.socket();s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n"
        f"    try: s.bind(('127.0.0.1',{port})); break\n"
        "    except OSError: s.close(); time.sleep(0.1)\n"
        "s.listen();time.sleep(120)")], stderr=subprocess.PIPE, text=True)
    try:
        # the stranger must hold the port before `up` runs: under load Python takes more than a
        # moment to start, and an `up` that came first would rightly heal etcd onto the free port
        if not poll(lambda: getattr(processes.listener_of(port), "pid", None) == stranger.pid, 30):
            error = stranger.stderr.read()[-300:] if stranger.poll() is not None else ""
            return False, (f"the stranger (pid {stranger.pid}, exit {stranger.poll()}) never listened on port "
                           f"{port}; {processes.listener_of(port)} does; it said {error}; sockets on the port: "
                           f"{[c for c in psutil.net_connections(kind='inet') if c.laddr and c.laddr.port == port]}")
        before = pids(a)
        refused = cli("up", "--name", a)
        said = refused.stderr + refused.stdout
        problems = [why for failed, why in (
            (refused.returncode == 0, "up did not refuse"),
            (f"pid {stranger.pid}" not in said, f"up did not name the stranger (pid {stranger.pid})"),
            ("Traceback" in said, "up printed a traceback"),
            (started_or_replaced(before, pids(a)), "up started or replaced the cluster's processes")) if failed]
    finally:
        stranger.kill()
        stranger.wait()
    healed = cli("up", "--name", a)
    if healed.returncode != 0 or not alive(a):
        problems.append("up did not heal once the stranger was gone")
    last = (said.strip().splitlines() or [""])[-1][:200]
    return not problems, "; ".join(problems) + (f" (up said: {last})" if problems else last)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="", help="comma-separated components (or 'all') to kill")
    ap.add_argument("--skip-pairs", action="store_true", help="skip the two-cluster scenarios")
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="kw-chaos-"))
    os.environ["KWORKSHOP_STATE_DIR"] = str(root)
    name = "chaos"
    wanted = [c for c in args.only.split(",") if c] or [*COMPONENTS, "all"]
    results: list[Healing] = []
    try:
        if cli("up", "--name", name).returncode != 0:
            print("the cluster did not start", file=sys.stderr)
            return 1
        prepare(Kubectl(name))
        for i, comp in enumerate(wanted, start=2):
            res = heal_one(name, comp, i)
            results.append(res)
            print(f"{comp:24} up {res.up_seconds:5.1f} s  rollout {'done' if res.rollout_ok else 'NOT done'}"
                  f" {res.rollout_after:5.1f} s after  intact {'yes' if res.intact else 'NO'}"
                  f"  {'PASS' if res.passed else 'FAIL'} {res.detail}", flush=True)
        cli("down", "--name", name)
        print(f"healing: {sum(r.passed for r in results)}/{len(results)} "
              f"(up <= 20 s, rollout completed, history and objects intact)")
        if not args.skip_pairs:
            for title, run in (("prefix names (rel, rel-2)", lambda: prefix_names("rel")),
                               ("port take-over (A down, B made)", lambda: port_takeover("take-a", "take-b")),
                               ("foreign process on a port", lambda: foreign_port("stranger"))):
                t0 = time.monotonic()
                ok, said = run()
                print(f"{title:34} {'PASS' if ok else 'FAIL'} ({time.monotonic() - t0:.0f} s) {said}", flush=True)
    finally:
        for n in (name, "rel", "rel-2", "take-a", "take-b", "stranger"):
            cli("down", "--name", n)
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
