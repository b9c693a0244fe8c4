"""The cluster's messages in Chinese (``KWORKSHOP_LANG=zh_CN``) and, unchanged, in English.

``status`` text, ``up``'s progress steps, healing's refusal to restart a component whose port a
stranger holds (still naming the stranger's pid), the kubeconfig backend's capabilities and a
binaries error. What needs a running cluster (``kworkshop up``/``status``/``down`` in Chinese) is
checked by hand; tests/cluster/test_lifecycle.py keeps the English behaviour.
"""

from __future__ import annotations

import io
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kworkshop import i18n
from kworkshop.binaries import download
from kworkshop.binaries.pins import Artifact
from kworkshop.cluster.backend import ClusterStatus
from kworkshop.cluster.embedded import components, healing, ports
from kworkshop.cluster.external import LABEL_NODES, METRICS, Capability
from kworkshop.cluster.kind import plan, step_title
from kworkshop.errors import BinariesError, ClusterError
from kworkshop.progress import TerminalStatus, step

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def machine(tmp_path, monkeypatch):
    monkeypatch.setenv("KWORKSHOP_MACHINE_DIR", str(tmp_path / "machine"))
    return tmp_path


def _statuses(tmp_path: Path) -> tuple[ClusterStatus, ClusterStatus, ClusterStatus]:
    kc = tmp_path / "kubeconfig.yaml"
    healthy = ClusterStatus("zhc", "embedded", True, kc, {"etcd": 41, "kube-apiserver": 42}, 3, 3, "ok")
    sick = ClusterStatus("zhc", "embedded", True, kc, {"etcd": 41, "kube-scheduler": None}, 2, 3,
                         "not answering (MaxRetryError)")
    missing = ClusterStatus("zhc", "embedded", False, kc)
    return healthy, sick, missing


def test_a_cluster_status_prints_in_chinese(zh, tmp_path):
    healthy, sick, missing = _statuses(tmp_path)
    assert str(healthy).splitlines() == [
        "集群 zhc（embedded）：健康",
        "  apiserver：正常",
        "  节点：3/3 就绪",
        f"  kubeconfig：{tmp_path / 'kubeconfig.yaml'}",
        "  ✓ etcd（pid 41）",
        "  ✓ kube-apiserver（pid 42）",
    ]
    text = str(sick)
    assert "集群 zhc（embedded）：异常（DEGRADED）" in text
    assert "  apiserver：没有响应（MaxRetryError）" in text  # the exception's name stays as Python names it
    assert "  ✗ kube-scheduler（未运行）" in text
    assert "运行 `kworkshop up --name zhc` 以重新启动缺失的部分" in text  # the command stays as typed
    assert str(missing) == "集群 zhc：尚未创建（请运行 `kworkshop up --name zhc`）"
    assert sick.apiserver.startswith("not answering")  # the field keeps its English value


def test_a_cluster_status_in_english_is_unchanged(en, tmp_path):
    healthy, sick, missing = _statuses(tmp_path)
    assert str(healthy).splitlines()[:3] == ["cluster zhc (embedded): healthy", "  apiserver: ok",
                                             "  nodes: 3/3 Ready"]
    assert "  ✓ etcd (pid 41)" in str(healthy)
    text = str(sick)
    assert "cluster zhc (embedded): DEGRADED" in text and "  apiserver: not answering (MaxRetryError)" in text
    assert "  ✗ kube-scheduler (not running)" in text
    assert "  run `kworkshop up --name zhc` to restart what is missing" in text
    assert str(missing) == "cluster zhc: not created (run `kworkshop up --name zhc`)"
    assert not HAN.search(text)


def _steps(tmp_path: Path) -> list[str]:
    out = io.StringIO()
    status = TerminalStatus(out)
    for argv in plan("kind", "zhc", tmp_path / "kind.yaml", tmp_path / "kubeconfig", images=("busybox:1.36",)):
        with step(status, step_title(argv)):
            pass
    with step(status, i18n.ngettext("Registering {count} simulated node", "Registering {count} simulated nodes",
                                    3).format(count=3)):
        pass
    return [line for line in out.getvalue().splitlines() if line.startswith(" ✓")]


def test_progress_steps_are_chinese(zh, tmp_path):
    done = _steps(tmp_path)
    assert done[0].startswith(" ✓ 正在创建 kind 集群 zhc（kind create cluster） (")
    assert done[1].startswith(" ✓ 正在拉取 busybox:1.36 (")
    assert done[2].startswith(" ✓ 正在把 busybox:1.36 加载到各节点 (")
    assert done[3].startswith(" ✓ 正在注册 3 个模拟节点 (")


def test_progress_steps_in_english_are_unchanged(en, tmp_path):
    done = _steps(tmp_path)
    assert done[0].startswith(" ✓ Creating kind cluster zhc (kind create cluster) (")
    assert done[1].startswith(" ✓ Pulling busybox:1.36 (")
    assert done[3].startswith(" ✓ Registering 3 simulated nodes (")


def _listener() -> tuple[subprocess.Popen, int]:
    """A Python process listening on a free port: a stranger to every cluster."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-c", (
        "import socket,sys,time;s=socket.socket();s.bind(('127.0.0.1',int(sys.argv[1])));s.listen();"
        "time.sleep(60)"), str(port)])
    for _attempt in range(100):
        if not ports.port_is_free(port):
            break
        time.sleep(0.05)
    return proc, port


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_healing_refuses_a_strangers_port_naming_its_pid(lang, machine, monkeypatch, tmp_path):
    monkeypatch.setenv("KWORKSHOP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("KWORKSHOP_LANG", lang)
    i18n.translations.cache_clear()
    proc, port = _listener()
    try:
        comp = components.Component("etcd", "/c/bin/etcd", (), tmp_path, ports=(port,))
        with pytest.raises(ClusterError) as caught:
            healing.check_ports(comp, tmp_path / "cluster", tmp_path / "kit", "zhc")
    finally:
        proc.kill()
        proc.wait()
        i18n.translations.cache_clear()
    text = str(caught.value)
    assert f"pid {proc.pid} (" in text and "kworkshop down --name zhc" in text
    if lang == "zh_CN":
        assert text.startswith(f"集群 'zhc' 无法重新启动 etcd：它的端口 {port} 被 pid {proc.pid} (")
        assert "请停止该进程" in text
    else:
        assert text.startswith(f"cluster 'zhc' cannot restart etcd: its port {port} is taken by pid {proc.pid} (")
        assert not HAN.search(text)


def test_capabilities_and_binaries_errors_are_chinese(zh):
    metrics = Capability(METRICS, False, i18n._("metrics-server is not installed"),
                         i18n._("03-autoscaling will not scale; `kubectl top` fails"))
    assert str(metrics) == "✗ 指标 API：未安装 metrics-server -> 03-autoscaling 中不会发生扩缩；`kubectl top` 会失败"
    assert metrics.name == "metrics API"  # the key stays English: callers compare it
    assert str(Capability(LABEL_NODES, True, i18n._("allowed"), "")) == "✓ 为节点添加标签：允许"
    with pytest.raises(BinariesError, match="没有固定的 sha256；拒绝下载未经校验的文件"):
        download.fetch(Artifact("https://example.invalid/etcd", None), Path("/nonexistent/etcd"), TerminalStatus())


def test_capabilities_in_english_are_unchanged(en):
    metrics = Capability(METRICS, False, "metrics-server is not installed", "03-autoscaling will not scale")
    assert str(metrics) == "✗ metrics API: metrics-server is not installed -> 03-autoscaling will not scale"
