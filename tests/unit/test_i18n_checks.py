"""A checkpoint's lines in the learner's language, without a cluster: the ✓/✗ line, the hint, the
"checking" line; its name (the class board's key) is never translated, only its label."""

from __future__ import annotations

import pytest

from kworkshop import checks


@pytest.fixture
def chinese(monkeypatch):
    monkeypatch.setenv("KWORKSHOP_LANG", "zh_CN")


def test_a_failed_checkpoint_reads_in_chinese_with_its_hint(chinese, capsys):
    result = checks.checkpoint("prediction: revision", lambda: checks.Settled(False, "你预测的是 4"), timeout=0,
                               record=False, hint="kubectl rollout history 会列出修订版本",
                               label="预测：revision")
    assert str(result) == "✗ 预测：revision：你预测的是 4\n  提示：kubectl rollout history 会列出修订版本"
    assert result.name == "prediction: revision"  # the key stays as the notebook wrote it
    assert capsys.readouterr().out.strip() == str(result)


def test_the_checking_line_and_a_pass_read_in_chinese(chinese, capsys):
    result = checks.checkpoint("job/pi succeeded", lambda: (True, "1/1"), timeout=3, record=False,
                               label="job/pi 成功完成")
    printed = capsys.readouterr().out
    assert printed.startswith("正在检查 job/pi 成功完成，最多等 3 秒……\n"), printed
    assert str(result) == "✓ job/pi 成功完成：1/1"


def test_in_english_the_lines_are_as_before(monkeypatch):
    monkeypatch.setenv("KWORKSHOP_LANG", "en")
    result = checks.CheckResult("deployment/web (3 replicas)", False, "1/3 replicas ready, 3 wanted", "look",
                                "deployment/web (3 replicas)")
    assert str(result) == "✗ deployment/web (3 replicas): 1/3 replicas ready, 3 wanted\n  hint: look"
    assert str(checks.CheckResult("x", True, "fine")) == "✓ x: fine"
