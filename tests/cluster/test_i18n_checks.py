"""With ``KWORKSHOP_LANG=zh_CN`` a checkpoint speaks Chinese on a live cluster: the "checking" line,
the ✓/✗ line, what it saw and the default hint; the key the class board records stays English."""

from __future__ import annotations

import re

import kworkshop as kw

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_a_checkpoint_speaks_chinese_and_records_an_english_key(cluster, namespace, kubectl, monkeypatch, capsys):
    monkeypatch.setenv("KWORKSHOP_LANG", "zh_CN")
    missing = kw.check.deployment("web", replicas=3, image="nginx:1.27", namespace=namespace, timeout=2)
    printed = capsys.readouterr().out
    assert "正在检查 deployment/web（3 个副本，镜像 nginx:1.27），最多等 2 秒" in printed, printed
    assert not missing
    assert str(missing).startswith("✗ deployment/web（3 个副本，镜像 nginx:1.27）：名字空间 "), str(missing)
    assert "中没有 deployment 'web'" in missing.detail
    assert "\n  提示：kubectl describe deployment web 会显示它运行的是什么" in str(missing)
    assert "hint:" not in printed and "checking" not in printed

    kubectl("create", "deployment", "web", "-n", namespace, "--image=nginx:1.27", "--replicas=3")
    passed = kw.check.deployment("web", replicas=3, image="nginx:1.27", namespace=namespace, timeout=90)
    assert passed, passed
    assert str(passed) == "✓ deployment/web（3 个副本，镜像 nginx:1.27）：nginx:1.27 的 3 个副本已就绪"
    # the class board reads the English key, whatever language the learner's kit speaks
    assert kw.check.progress(namespace) == {"deployment/web (3 replicas and nginx:1.27)": True}

    own_hint = kw.check.predicted("Running pods", 2, 3, why="ReplicaSet 会补上被删除的 Pod", namespace=namespace)
    assert str(own_hint) == "✗ 预测：Running pods：你预测的是 2，集群给出的是 3\n  提示：ReplicaSet 会补上被删除的 Pod"
    # the board records that a prediction was made; right or wrong is the learner's alone
    assert kw.check.progress(namespace)["prediction: Running pods"] is True

    capsys.readouterr()
    monkeypatch.setenv("KWORKSHOP_LANG", "en")  # an English notebook next in the same kernel
    again = kw.check.deployment("web", replicas=3, image="nginx:1.27", namespace=namespace, timeout=30)
    assert str(again) == "✓ deployment/web (3 replicas and nginx:1.27): 3 replicas of nginx:1.27 ready"
    assert not CJK.search(capsys.readouterr().out)
