"""The kube verbs' messages in Chinese where they need the API server: apply's server-side
validation of the book's listing 5-1 (the top-level ``labels:``), a stuck rollout, an API error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import kworkshop as kw

from .helpers import LISTING_5_1, deployment


def _write(tmp: Path, text: str) -> str:
    path = tmp / "listing-5-1.yaml"
    path.write_text(text)
    return str(path)


def test_listing_5_1_labels_named_by_file_and_line_in_chinese(cluster, namespace, zh, tmp_path):
    path = _write(tmp_path, LISTING_5_1)
    with pytest.raises(kw.InvalidError) as caught:
        kw.apply(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:5：Deployment 'node-js-deploy' 含有未知字段 'labels'："
                              "集群会忽略它，因此没有应用任何内容。 你是不是想写 metadata.labels（请检查它的缩进）？")
    assert "kubectl explain deployment" in message
    assert kw.get("deployments").rows == ()  # nothing was applied
    assert str(kw.get("deployments")) == f"没有找到资源（名字空间 {namespace}）。"


def test_listing_5_1_labels_in_english(cluster, namespace, monkeypatch, tmp_path):
    monkeypatch.setenv("KWORKSHOP_LANG", "en")
    path = _write(tmp_path, LISTING_5_1)
    with pytest.raises(kw.InvalidError, match=re.escape(
            f"{path}:5: Deployment 'node-js-deploy' has an unknown field 'labels': the cluster would ignore it, "
            "so nothing was applied. Did you mean metadata.labels (check its indentation)?")):
        kw.apply(path)


def test_a_stuck_rollout_says_why_in_chinese(cluster, namespace, zh):
    kw.apply(deployment("web", "jonbaier/pod-scaling:42.0", replicas=1))  # a tag that does not exist
    with pytest.raises(kw.RolloutStuckError) as stuck:
        kw.rollout.status("deployment/web", timeout=60)
    assert re.match(r'deployment "web" 的上线卡住了：Pod web-\S+：容器 web 处于 (ErrImagePull|ImagePullBackOff) '
                    r"状态（镜像 jonbaier/pod-scaling:42\.0）", str(stuck.value)), str(stuck.value)
    with pytest.raises(kw.NotFoundError, match=r"^扩缩 deployment/nothing：未找到（.*）。"):
        kw.scale("deployment/nothing", 2)
