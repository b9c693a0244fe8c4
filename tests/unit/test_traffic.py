"""The traffic model (plain data)."""

from types import SimpleNamespace as NS

from kworkshop.load.driver import loads_by_service
from kworkshop.load.generator import manifest
from kworkshop.load.traffic import Load, cpu_per_pod


def test_chapter_load_keeps_every_pod_far_above_ten_percent_of_100m():
    load = [Load(concurrency=10, replicas=1)]
    assert cpu_per_pod(load, 3) == 68
    assert cpu_per_pod(load, 6) == 34  # still over 10%: the HPA goes to its maximum of 6


def test_more_generators_more_load_and_idle_without_any():
    assert cpu_per_pod([Load(10, 2)], 4) == cpu_per_pod([Load(10, 1), Load(10, 1)], 4) == 101
    assert cpu_per_pod([], 5) == 1
    assert cpu_per_pod([Load(10, 1)], 0) == 1  # no ready pod serves anything
    assert cpu_per_pod([Load(10, 0)], 3) == 1  # a generator whose pods do not run sends nothing


def test_loads_are_grouped_by_target_service_from_generator_deployments():
    body = manifest("node-js-deploy", 10, 2)

    def deploy(ns, ready, ann=body["metadata"]["annotations"]):
        return NS(metadata=NS(namespace=ns, annotations=ann), status=NS(ready_replicas=ready))

    loads = loads_by_service([deploy("a", 2), deploy("b", 0), deploy("a", 1)])
    assert loads == {("a", "node-js-deploy"): [Load(10, 2), Load(10, 1)]}


def test_generator_manifest_is_listing_5_4_in_apps_v1():
    body = manifest("node-js-deploy", 10, 1)
    container = body["spec"]["template"]["spec"]["containers"][0]
    assert body["apiVersion"] == "apps/v1" and body["metadata"]["name"] == "boomload-deploy"
    assert container["image"] == "williamyeh/boom"
    assert container["args"] == ["while true ; do boom http://node-js-deploy/ -c 10 -n 100 ; sleep 1 ; done"]
