"""The kube verbs' messages in Chinese (``KWORKSHOP_LANG=zh_CN``) and, unchanged, in English.

What needs the API server (apply's server-side validation, a stuck rollout) is in
tests/cluster/test_i18n_kube.py; here: the book's listing 5-1 as printed (a YAML error found before
any request), the legacy upgrade explanations, cron in words and dates, API errors, resource names.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

import kworkshop as kw
from kworkshop.kube import cron, legacy
from kworkshop.kube.apierrors import api_error, doing
from kworkshop.kube.resources import parse_ref
from kworkshop.kube.tables import Table
from kworkshop.kube.yamlsrc import load

BOOK = Path(__file__).parents[2] / "notebooks" / "manifests" / "book"
LISTING_5_1 = next(BOOK.glob("listing-5-1-*.yaml"))
HAN = re.compile(r"[\u4e00-\u9fff]")
AFTER = datetime(2026, 1, 1, tzinfo=timezone.utc)  # a Thursday


def _error(action) -> str:
    with pytest.raises(kw.KworkshopError) as caught:
        action()
    return str(caught.value)


# -- apply: the book's listing 5-1 as printed fails at its broken indentation (line 9) ---------------

def test_listing_5_1_as_printed_names_file_and_line_in_chinese(zh):
    message = _error(lambda: kw.apply(str(LISTING_5_1)))
    assert message.startswith(f"{LISTING_5_1}:9:4：这不是合法的 YAML：")
    assert "请检查该行附近的缩进" in message


def test_listing_5_1_as_printed_in_english(en):
    message = _error(lambda: kw.apply(str(LISTING_5_1)))
    assert message.startswith(f"{LISTING_5_1}:9:4: this is not valid YAML: ")
    assert message.endswith("Check the indentation around that line (spaces only, no tabs).")


def test_apply_local_checks_in_chinese(zh, tmp_path):
    assert _error(lambda: kw.apply(str(tmp_path / "nope.yaml"))) == \
        f"{tmp_path / 'nope.yaml'}：没有这个文件。请检查文件名（ls {tmp_path}）。"
    (tmp_path / "list.yaml").write_text("- a\n- b\n")
    assert _error(lambda: load(str(tmp_path / "list.yaml"))).endswith(
        "list.yaml:1：清单必须是一个映射（apiVersion、kind、metadata 等），而不是 list。")


# -- legacy: why the book's manifests were upgraded ----------------------------------------------

def _book(name: str) -> dict:
    import yaml

    text = next(BOOK.glob(f"{name}-*.yaml")).read_text()
    return yaml.safe_load(text.replace("\nlabels:", "\n  labels:").replace("\n   template:", "\n    template:"))


def test_legacy_upgrade_explained_in_chinese(zh):
    _new, changes = legacy.upgrade(_book("listing-5-1"))
    assert changes[0].why == "extensions/v1beta1 已在 Kubernetes 1.16 中移除"
    assert changes[1].why == "apps/v1 要求设置 selector（选择算符）；旧 API 默认使用 Pod 模板的标签"
    text = legacy.describe_changes("listing-5-1.yaml:1 Deployment/node-js-deploy", changes)
    assert text.splitlines()[0] == "listing-5-1.yaml:1 Deployment/node-js-deploy：已升级为当前集群支持的版本"
    assert text.splitlines()[1] == ("  - apiVersion：'extensions/v1beta1' -> 'apps/v1'"
                                    "（extensions/v1beta1 已在 Kubernetes 1.16 中移除）")
    _new, hpa = legacy.upgrade(_book("listing-5-3"))
    assert all(HAN.search(c.why) for c in hpa)


def test_legacy_upgrade_explained_in_english(en):
    _new, changes = legacy.upgrade(_book("listing-5-1"))
    text = legacy.describe_changes("f.yaml:1 Deployment/node-js-deploy", changes)
    assert text.splitlines() == [
        "f.yaml:1 Deployment/node-js-deploy: upgraded for a current cluster",
        "  - apiVersion: 'extensions/v1beta1' -> 'apps/v1' (extensions/v1beta1 was removed in Kubernetes 1.16)",
        "  - spec.selector: None -> {'matchLabels': {'name': 'node-js-deploy'}} (apps/v1 requires a selector; "
        "the old API defaulted it to the pod template's labels)",
    ]


# -- cron: words with Chinese weekday and month names, dates in a time zone ------------------------

@pytest.mark.parametrize(("schedule", "words"), [
    ("15 10 * * 6", "每周六 10:15"),  # as a Chinese reader says it, not "在 10:15，仅在星期六" (issue 21)
    ("0 0 1 1 *", "每年一月 1 日 00:00"),
    ("0 9 * 2-4 1-5", "二月至四月的每周一至周五 09:00"),
    ("0 0 * * 1#2", "每月第二个周一 00:00"),
    ("@weekly", "每周日 00:00"),
    ("@daily", "每天 00:00"),
    ("15 10 * * 1,3", "每周一和周三 10:15"),
    ("*/1 * * * *", "每分钟"),
])
def test_cron_in_chinese_names_weekdays_and_months(zh, schedule, words):
    text = cron.explain(schedule)
    assert text == words
    assert not re.search(r"[A-Za-z]", text)  # no English day or month name left over


def test_cron_in_english_as_before(en):
    assert cron.explain("15 10 * * 6") == "At 10:15 AM, only on Saturday"
    assert cron.explain("0 0 1 1 *") == "At 12:00 AM, on day 1 of the month, only in January"
    assert cron.explain("@daily") == "At 12:00 AM"


def test_bad_schedules_in_chinese(zh):
    assert _error(lambda: cron.explain("15 10 * *")) == \
        "'15 10 * *' 有 4 个字段；CronJob 的时间表需要 5 个：分钟 小时 日 月 星期（例如 '15 10 * * 6'）。"
    assert _error(lambda: cron.explain("15 25 * * 6")) == "'15 25 * * 6'：小时字段 '25' 不是合法的 cron 语法。"


def test_next_runs_in_a_time_zone_print_local_times(zh):
    runs = cron.next_runs("15 10 * * 6", 2, after=AFTER, tz="Asia/Shanghai")
    assert [r.isoformat() for r in runs] == ["2026-01-03T10:15:00+08:00", "2026-01-10T10:15:00+08:00"]
    assert str(runs).splitlines() == ["2026-01-03 周六 10:15 CST（Asia/Shanghai）",
                                      "2026-01-10 周六 10:15 CST（Asia/Shanghai）"]
    assert repr(runs) == str(runs)  # a notebook cell ending in next_runs(...) shows the same lines
    assert str(cron.next_runs("15 10 * * 6", 1, after=AFTER)) == "2026-01-03 周六 10:15 UTC"
    assert _error(lambda: cron.next_runs("15 10 * * 6", tz="Asia/Beijing")).startswith("'Asia/Beijing' 不是时区")


def test_next_runs_in_english(en):
    runs = cron.next_runs("15 10 * * 6", 1, after=AFTER, tz="Asia/Shanghai")
    assert str(runs) == "Sat 2026-01-03 10:15 CST (Asia/Shanghai)"
    assert runs[0].astimezone(timezone.utc).strftime("%H:%M") == "02:15"  # still plain datetimes
    assert str(cron.next_runs("15 10 * * 6", 1, after=AFTER)) == "Sat 2026-01-03 10:15 UTC"
    assert _error(lambda: cron.next_runs("15 10 * * 6", tz="Asia/Beijing")).startswith(
        "'Asia/Beijing' is not a time zone: use an IANA name")


# -- API errors, resource names, tables ------------------------------------------------------------

def _status(message: str) -> dict:
    return {"kind": "Status", "message": message}


def test_api_errors_in_chinese(zh):
    error = api_error(404, "Not Found", _status('deployments.apps "web" not found'), "扩缩 deployment/web",
                      "kubectl get deployments -n x")
    assert isinstance(error, kw.NotFoundError)
    assert str(error).startswith('扩缩 deployment/web：未找到（“deployments.apps "web" not found”）。')
    forbidden = api_error(403, "Forbidden", _status("nope"), "x")
    assert "你的账号可能缺少相应的 RBAC 权限" in str(forbidden) and "kubectl auth can-i --list" in str(forbidden)


def test_api_errors_in_english(en):
    missing = api_error(404, "Not Found", _status('deployments.apps "web" not found'), "scaling deployment/web")
    assert str(missing) == 'scaling deployment/web: not found (deployments.apps "web" not found).'
    assert missing.status == 404 and missing.reason == "Not Found" and missing.body["kind"] == "Status"
    from kworkshop.errors import GoneError

    gone = api_error(410, "Expired", _status("too old resource version"), "watch /api/v1/pods")
    assert isinstance(gone, GoneError) and isinstance(gone, kw.ApiError)  # a watch lists again on it


def test_doing_names_the_action_and_keeps_class_status_and_body(en):
    with pytest.raises(kw.ConflictError) as caught, doing("creating job 'pi'", "kubectl get jobs"):
        raise api_error(409, "Conflict", _status('jobs.batch "pi" already exists'), "POST /apis/batch/v1/jobs")
    error = caught.value
    assert str(error) == "creating job 'pi': conflict (jobs.batch \"pi\" already exists). See: kubectl get jobs"
    assert error.status == 409 and error.body["message"] == 'jobs.batch "pi" already exists'


def test_resource_names_in_chinese(zh):
    assert _error(lambda: parse_ref("pod/web", ("deployment", "replicaset"))) == \
        "'pod/web' 是 Pod，但此操作只适用于 Deployment 或 ReplicaSet。"
    assert _error(lambda: parse_ref("web")) == "'web' 缺少类型：请写成 TYPE/NAME，例如 deployment/web。"
    assert str(Table(("A",), (), "名字空间 x")) == "没有找到资源（名字空间 x）。"


def test_resource_names_in_english(en):
    assert _error(lambda: parse_ref("pod/web", ("deployment", "replicaset"))) == \
        "'pod/web' is a Pod, but this works on Deployment or ReplicaSet."
    assert str(Table(("A",), ())) == "No resources found."
