"""The load-generator recogniser: which container commands send HTTP requests to which Service."""

from pathlib import Path

import pytest
import yaml

from kworkshop.agent.recognise import Client, Loop, pod_loops, recognise, target
from kworkshop.load.generator import manifest

MANIFESTS = Path(__file__).resolve().parents[2] / "notebooks" / "manifests"


def template_pod(path: Path, namespace: str = "ns1") -> dict:
    """The pod a Deployment manifest makes, as plain data in ``namespace``."""
    body = yaml.safe_load(path.read_text())
    return {"metadata": {"namespace": namespace}, "spec": body["spec"]["template"]["spec"]}


def clients(argv, namespace="ns1"):
    return [c for loop in recognise(argv, namespace) for c in loop.clients]


def sh(script):
    return ["/bin/sh", "-c", script]


def test_listing_5_4_as_the_kit_ships_it():
    loops = pod_loops(template_pod(MANIFESTS / "boomload-deploy.yaml"))
    assert loops == [Loop((Client("boom", "ns1", "node-js-deploy", workers=10, requests=100),), pause=1.0)]


def test_listing_5_4_as_the_book_prints_it_with_its_line_breaks():
    pod = template_pod(MANIFESTS / "book" / "listing-5-4-boomload-deploy.yaml")
    assert pod_loops(pod) == pod_loops(template_pod(MANIFESTS / "boomload-deploy.yaml"))


def test_kw_load_start_is_just_one_more_recognised_pod():
    body = manifest("web", 7, 2)
    pod = {"metadata": {"namespace": "x"}, "spec": body["spec"]["template"]["spec"]}
    assert pod_loops(pod) == [Loop((Client("boom", "x", "web", workers=7, requests=100),), pause=1.0)]


@pytest.mark.parametrize("argv", [
    sh("while sleep 0.01; do wget -q -O- http://php-apache; done"),                 # kubernetes.io, as a manifest
    ["/bin/sh", "-c", "while sleep 0.01; do wget -q -O- http://php-apache; done"],  # kubectl run ... -- (args only)
    ['/bin/sh -c "while sleep 0.01; do wget -q -O- http://php-apache; done"'],      # one quoted string
    sh("while sleep 0.01; do busybox wget -q -O- 'http://php-apache'; done"),
])
def test_the_hpa_walkthrough_wget_loop(argv):
    assert recognise(argv, "default") == [Loop((Client("wget", "default", "php-apache"),), pause=0.01)]


@pytest.mark.parametrize("argv, want", [
    (["hey", "-c", "5", "http://svc.ns.svc.cluster.local:8080/"],
     Client("hey", "ns", "svc", 8080, workers=5, requests=200)),
    (["ab", "-n", "1000", "-c", "20", "http://web/"], Client("ab", "ns1", "web", workers=20, requests=1000)),
    (["ab", "-n1000", "-c20", "http://web/"], Client("ab", "ns1", "web", workers=20, requests=1000)),
    (["/usr/bin/hey", "-c=4", "-n=40", "-q", "2", "http://web.shop/"],
     Client("hey", "shop", "web", workers=4, requests=40, qps=2.0)),
    (["hey", "-z", "1m30s", "https://web.shop.svc:443"], Client("hey", "shop", "web", 443, workers=50, requests=200,
                                                               duration=90.0)),
    (["ab", "http://web/"], Client("ab", "ns1", "web")),  # ab's defaults: -c 1 -n 1
    (["boom", "http://WEB.Shop.svc.cluster.local./"], Client("boom", "shop", "web", workers=50, requests=200)),
])
def test_benchmark_clients_and_their_flags(argv, want):
    assert clients(argv) == [want]


@pytest.mark.parametrize("script, services, pause", [
    ("while true; do curl -s http://web/; done", [("ns1", "web")], 0.0),
    ("while true; do curl -s -o /dev/null http://web:8080/health; sleep 0.5; done", [("ns1", "web")], 0.5),
    ("until false; do curl -fsS http://api.shop/v1/items?page=2 >/dev/null; sleep 1s; done", [("shop", "api")], 1.0),
    ("for i in $(seq 1 100000); do curl http://web/; done", [("ns1", "web")], 0.0),
    ("while true\ndo\n  curl http://a/\n  curl http://b/\n  sleep 2\ndone\n", [("ns1", "a"), ("ns1", "b")], 2.0),
    ("while true; do if curl -s http://web/; then echo ok; fi; done", [("ns1", "web")], 0.0),
])
def test_curl_and_wget_loops(script, services, pause):
    (loop,) = recognise(sh(script), "ns1")
    assert [(c.namespace, c.service) for c in loop.clients] == services
    assert loop.pause == pause and all(c.workers == 1 for c in loop.clients)


def test_clients_started_with_ampersand_run_beside_each_other():
    script = "boom http://web/ -c 10 -n 100 & boom http://web/ -c 10 -n 100 & wait"
    assert [(c.workers, c.background) for c in clients(sh(script))] == [(10, True), (10, True)]
    script = "(while true; do wget -qO- http://a; done) & (while true; do wget -qO- http://b; done) & wait"
    loops = recognise(sh(script), "ns1")
    assert sorted(c.service for loop in loops for c in loop.clients) == ["a", "b"] and len(loops) == 2
    (loop,) = recognise(sh("while true; do curl http://a/ & curl http://b/; sleep 1; done"), "ns1")
    assert [(c.service, c.background) for c in loop.clients] == [("a", True), ("b", False)]


@pytest.mark.parametrize("argv", [
    sh("curl http://web/"),                                   # one request is not load
    ["wget", "-O", "/data/index.html", "http://web/"],
    sh("while true; do echo hello; sleep 5; done"),
    sh("while true; do echo boom http://web/ -c 10; sleep 5; done"),  # only echoes the words
    ["sleep", "3600"],
    ["nginx", "-g", "daemon off;"],
    ["node", "server.js", "--upstream", "http://web/"],
    sh("while true; do curl http://10.96.0.12/; done"),      # an IP address, not a Service name
    sh("while true; do curl $TARGET; done"),
    sh("while true; do wget -q -O- http://www.example.com/; done"),
    sh("while true; do curl https://web.shop.svc.example.org/; done"),
    [],
])
def test_commands_that_are_not_load_generators(argv):
    assert recognise(argv, "ns1") == []


def test_unknown_service_names_are_still_read_the_traffic_model_decides():
    got = clients(sh("while true; do curl http://no-such-service/; done"))
    assert got == [Client("curl", "ns1", "no-such-service")]


def test_cluster_dns_names():
    assert target("web", None, "a") == ("a", "web", None)
    assert target("web.b", "81", "a") == ("b", "web", 81)
    assert target("web.b.svc", None, "a") == ("b", "web", None)
    assert target("web.b.svc.cluster.local", None, "a") == ("b", "web", None)
    assert target("web.b.pod", None, "a") is None
    assert target("1web", None, "a") is None
