"""The traffic model (plain data): request rates, CPU per pod, and which pods get it."""

import math
from pathlib import Path

import yaml

from kworkshop.agent.recognise import recognise
from kworkshop.agent.traffic import cpu_per_pod, rates_by_service, requests_per_second, usage
from kworkshop.load.generator import manifest

MANIFESTS = Path(__file__).resolve().parents[2] / "notebooks" / "manifests"
LISTING_5_4 = yaml.safe_load((MANIFESTS / "boomload-deploy.yaml").read_text())["spec"]["template"]["spec"]
WALKTHROUGH = {"containers": [{"name": "load-generator", "image": "busybox", "command": [
    "/bin/sh", "-c", "while sleep 0.01; do wget -q -O- http://php-apache; done"]}]}


def pod(name, namespace="ns1", labels=None, spec=None, ready=True, deleting=False, phase="Running"):
    meta = {"name": name, "namespace": namespace, "labels": labels or {}}
    if deleting:
        meta["deletionTimestamp"] = "2024-01-01T00:00:00Z"
    return {"metadata": meta, "spec": spec or {"containers": [{"name": "c", "image": "nginx"}]},
            "status": {"phase": phase, "conditions": [{"type": "Ready", "status": str(ready)}]}}


def service(name, namespace="ns1", selector=None):
    return {"metadata": {"name": name, "namespace": namespace},
            "spec": {"selector": {"name": name} if selector is None else selector}}


def backends(n, name="node-js-deploy", namespace="ns1"):
    return [pod(f"{name}-{i}", namespace, {"name": name}) for i in range(n)]


def rate(argv, namespace="ns1"):
    return sum(r for loop in recognise(argv, namespace) for _, r in requests_per_second(loop))


def hpa_desired(current, cpu_m, request_m=100, target=10, lo=3, hi=6):
    """What the HPA controller computes: ceil(current x utilisation / target), within min..max."""
    return max(lo, min(hi, math.ceil(current * (cpu_m / request_m * 100) / target)))


def test_listing_5_4_sends_95_requests_a_second_like_the_kits_own_generator():
    listing = rate(LISTING_5_4["containers"][0]["command"] + LISTING_5_4["containers"][0]["args"])
    kit = manifest("node-js-deploy", 10, 1)["spec"]["template"]["spec"]["containers"][0]
    assert round(listing) == round(rate(kit["command"] + kit["args"])) == 95
    # each of 3 pods at ~64% of a 100m request, 33% at 6: far over the 10% target
    assert cpu_per_pod(listing, 3) == 64 and cpu_per_pod(listing, 6) == 33
    assert hpa_desired(3, cpu_per_pod(listing, 3)) == 6 and hpa_desired(6, cpu_per_pod(listing, 6)) == 6


def test_the_walkthrough_wget_loop_also_takes_the_chapter_hpa_to_its_maximum():
    r = rate(WALKTHROUGH["containers"][0]["command"])
    assert round(r) == 67  # 10 ms of sleep + 5 ms per request
    assert cpu_per_pod(r, 3) == 45 and cpu_per_pod(r, 6) == 23
    assert hpa_desired(3, cpu_per_pod(r, 3)) == 6 and hpa_desired(6, cpu_per_pod(r, 6)) == 6


def test_what_a_loop_runs_sets_its_rate():
    loop = "while true; do {}; done"
    assert rate(["sh", "-c", loop.format("curl http://web/; sleep 1")]) < 1
    assert rate(["sh", "-c", loop.format("curl http://web/")]) == 200  # as fast as requests return
    assert rate(["sh", "-c", loop.format("curl http://a/; curl http://b/")]) == 200  # taking turns
    assert rate(["sh", "-c", loop.format("curl http://a/ & curl http://b/")]) == 400  # side by side
    assert rate(["hey", "-c", "4", "-q", "2", "http://web/"]) == 8  # -q: per worker
    assert rate(["sh", "-c", "boom http://web/ -c 10 ; sleep infinity"]) == 0  # one run, then nothing
    two = "boom http://web/ -c 10 -n 100 & boom http://web/ -c 10 -n 100 & wait"
    assert rate(["sh", "-c", two]) == 2 * rate(["boom", "http://web/", "-c", "10", "-n", "100"]) == 4000


def test_cpu_per_pod():
    assert cpu_per_pod(0, 5) == 1  # idle
    assert cpu_per_pod(95, 0) == 1  # no ready pod serves anything
    assert cpu_per_pod(1e6, 3) == 1000  # at most one core


def test_ready_generator_pods_load_the_ready_pods_behind_their_service():
    pods = [pod("boomload-abc", spec=LISTING_5_4, labels={"app": "loadgenerator-deploy"}),
            *backends(3), pod("node-js-deploy-starting", labels={"name": "node-js-deploy"}, ready=False),
            pod("other", labels={"name": "other"})]
    got = usage(pods, [service("node-js-deploy"), service("other")])
    assert got == {("ns1", f"node-js-deploy-{i}"): 64 for i in range(3)}


def test_no_load_from_generators_that_do_not_run_or_aim_at_nothing():
    svc = [service("node-js-deploy")]
    assert usage([pod("g", spec=LISTING_5_4, deleting=True), *backends(3)], svc) == {}  # being deleted
    assert usage([pod("g", spec=LISTING_5_4, ready=False, phase="Pending"), *backends(3)], svc) == {}
    assert usage([pod("g", spec=LISTING_5_4, phase="Succeeded", ready=False), *backends(3)], svc) == {}
    assert usage([pod("g", spec=LISTING_5_4), *backends(3)], []) == {}  # no such Service
    assert usage([pod("g", spec=LISTING_5_4), *backends(3)], [service("node-js-deploy", selector={})]) == {}
    assert usage([pod("g", spec=LISTING_5_4), *backends(3, namespace="ns2")], [service("node-js-deploy", "ns2")]) == {}


def test_a_generator_may_aim_at_another_namespace_and_several_add_up():
    cross = {"containers": [{"name": "c", "image": "busybox", "command": [
        "sh", "-c", "while sleep 0.01; do wget -q -O- http://php-apache.web.svc.cluster.local; done"]}]}
    pods = [pod("g1", "tools", spec=cross), pod("g2", "tools", spec=cross), *backends(4, "php-apache", "web")]
    assert rates_by_service(pods) == {("web", "php-apache"): 2 * rate(cross["containers"][0]["command"])}
    assert set(usage(pods, [service("php-apache", "web")]).values()) == {cpu_per_pod(2 * 200 / 3, 4)}
