"""The kit's own words (kit.po) in Chinese with ``KWORKSHOP_LANG=zh_CN``, and unchanged in English:
``kworkshop --help``, the boundary's one-sentence errors, the class progress board's page, the
lines ``class serve`` prints."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest

from kworkshop import boundary, cli, i18n
from kworkshop.classroom.hub import board
from kworkshop.classroom.hub.serve import Served, _network_warnings
from kworkshop.errors import ClusterError, KworkshopError, UnreachableError

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(params=["en", "zh_CN"])
def lang(request, monkeypatch, tmp_path):
    monkeypatch.setenv("KWORKSHOP_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("KWORKSHOP_LANG", request.param)
    i18n.translations.cache_clear()
    yield request.param
    i18n.translations.cache_clear()


def test_help_is_in_the_language(lang, capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    if lang == "zh_CN":
        assert out.startswith("用法：kworkshop")
        for text in ("Kubernetes 工作负载工作坊工具包", "显示此帮助信息并退出", "启动集群", "位置参数", "选项"):
            assert text in out, text
        assert "run-notebooks" in out and "--verbose" in out  # commands and flags are never translated
    else:
        assert out.startswith("usage: kworkshop")
        for text in ("Kubernetes workloads workshop kit", "show this help message and exit",
                     "start the cluster (or reattach to it)", "positional arguments", "options:"):
            assert text in out, text
        assert not CHINESE.search(out)


def test_a_subcommand_help_is_in_the_language(lang, capsys):
    with pytest.raises(SystemExit):
        cli.main(["class", "serve", "--help"])
    out = capsys.readouterr().out
    assert ("证书的私钥" if lang == "zh_CN" else "its private key") in out
    assert "--ssl-key" in out


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once the socket is closed


def test_an_unanswering_api_server_is_one_sentence_in_the_language(lang):
    from kubernetes import client

    from kworkshop.kube.transport import KitApiClient

    configuration = client.Configuration()
    configuration.host = f"http://127.0.0.1:{_closed_port()}"
    configuration.retries = False
    with pytest.raises(UnreachableError) as caught:
        client.VersionApi(KitApiClient(configuration)).get_code()
    assert isinstance(caught.value, ClusterError)
    text = str(caught.value)
    assert "GET /version/" in text and "Connection refused" in text
    assert "kworkshop status" in text and "kworkshop up" in text  # the commands stay as they are typed
    if lang == "zh_CN":
        assert "API 服务器没有应答" in text and "集群是否在运行" in text
    else:
        assert "GET /version/: the API server does not answer (" in text and "). Is the cluster up?" in text


def test_the_error_display_says_more_in_the_language(lang):
    class TB:
        mode = "Context"

    class Shell:
        InteractiveTB = TB()

        def __init__(self) -> None:
            self.shown: list[str] = []

        def _showtraceback(self, etype, value, stb):
            self.shown.extend(stb)

    error = KworkshopError("no such Deployment")
    error.hint = "kubectl get deployments"
    shell = Shell()
    boundary._show(shell, KworkshopError, error, None)
    (text,) = shell.shown
    assert "✗ KworkshopError" in text and "no such Deployment" in text
    assert ("更多信息：kubectl get deployments" if lang == "zh_CN" else "more: kubectl get deployments") in text


def test_the_progress_board_page_speaks_the_servers_language(lang):
    page = board.page("k8s101", "XSRF", "/hub/home")
    assert "'X-XSRFToken': 'XSRF'" in page and 'href="/hub/home"' in page
    assert "✓ ${c.at}" in page and "✗ ${c.at}" in page  # the status words stay
    assert 'id="board"' in page and 'id="updated"' in page  # what the browser test waits for
    if lang == "zh_CN":
        assert '<html lang="zh-CN">' in page
        assert "<h1>课堂 k8s101：进度</h1>" in page
        for text in ("学员运行的每个检查点", "✓ 已通过", '"learner": "学员"', '"passed": "已通过"', "加载中",
                     "返回 Hub", "最新数据 {time}", "看板无法连接 Hub（{error}），正在重试"):
            assert text in page, text
    else:
        assert '<html lang="en">' in page and "<h1>Class k8s101: progress</h1>" in page
        for text in ("Each checkpoint a learner runs appears here", '"learner": "Learner"', '"passed": "passed"',
                     "the hub", "last data {time}"):
            assert text in page, text
        assert not CHINESE.search(page)


def test_the_board_page_escapes_the_class_name_and_cannot_end_its_script():
    page = board.page("a<b", "x", "/hub/home")
    assert "a&lt;b" in page and "a<b" not in page
    script = page[page.index("<script>") + len("<script>"):page.rindex("</script>")]
    assert "</" not in script.replace("</td>", "").replace("</th>", "").replace("</tr>", "") \
        .replace("</thead>", "").replace("</tbody>", "").replace("</table>", "")


def test_what_class_serve_prints(lang):
    served = Served("k8s101", "http://127.0.0.1:8000/", Path("/s/credentials.txt"), Path("/s/hub.log"), None,
                    _network_warnings("0.0.0.0", 8000, False))
    text = str(served)
    assert "kworkshop class serve --stop --name k8s101" in text
    assert "http://127.0.0.1:8000/services/progress/" in text
    if lang == "zh_CN":
        assert "课堂 k8s101 已在 http://127.0.0.1:8000/ 提供服务" in text
        assert "账号密码单" in text and "警告：没有 TLS" in text
    else:  # tests/browser/test_class_serve.py reads these two lines
        assert re.search(r"is served at (\S+)", text)[1] == "http://127.0.0.1:8000/"
        assert re.search(r"credentials sheet .*: (\S+)", text)[1] == "/s/credentials.txt"
        assert "WARNING: without TLS" in text
