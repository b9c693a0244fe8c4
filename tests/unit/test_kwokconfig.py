"""The kwokctl configuration: offline, loopback only, the right flags."""

from pathlib import Path

import yaml

from kworkshop.binaries import Binaries
from kworkshop.cluster.kubelet import all_stages
from kworkshop.cluster.kwokconfig import kwokctl_configuration, render

NAMES = ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl", "etcd", "kwok",
         "kwokctl", "metrics-server")
BINARIES = Binaries({n: Path(f"/cache/bin/{n}") for n in NAMES})


def _docs():
    return list(yaml.safe_load_all(render(BINARIES, Path("/kit/metrics-server"), Path("/kit/default.log"))))


def test_everything_local_and_on_loopback():
    text = render(BINARIES, Path("/kit/metrics-server"), Path("/kit/default.log"))
    assert "http://" not in text and "https://" not in text  # kwokctl would download anything remote
    options = _docs()[0]["options"]
    assert options["bindAddress"] == "127.0.0.1"
    assert options["runtime"] == "binary"
    assert options["metricsServerManifests"] == ["/kit/metrics-server"]
    for key, name in (("kubeApiserverBinary", "kube-apiserver"), ("etcdBinary", "etcd"),
                      ("kwokControllerBinary", "kwok"), ("metricsServerBinary", "metrics-server"),
                      ("kubectlBinary", "kubectl")):
        assert options[key] == f"/cache/bin/{name}"


def test_component_flags_go_through_components_patches():
    conf = kwokctl_configuration(BINARIES, Path("/m"))
    patches = {p["name"]: {a["key"]: (a["value"], a["override"]) for a in p["extraArgs"]}
               for p in conf["componentsPatches"]}
    ms = patches["metrics-server"]
    assert ms["kubelet-preferred-address-types"] == ("Hostname,InternalIP,ExternalIP", True)
    assert ms["metric-resolution"] == ("10s", True)
    assert ms["kubelet-request-timeout"][0] == "5s"
    assert patches["kube-controller-manager"]["horizontal-pod-autoscaler-sync-period"][0] == "5s"


def test_logs_are_live_crds_and_stages_ship_in_the_file():
    docs = _docs()
    assert docs[0]["options"]["enableCRDs"] == ["Logs"]
    kinds = [d["kind"] for d in docs]
    assert kinds.count("Stage") == len(all_stages([])) and kinds.count("ClusterLogs") == 1
    assert "Logs" not in kinds  # a kind must not be both a CRD and in the config file
    logs = next(d for d in docs if d["kind"] == "ClusterLogs")
    assert logs["spec"]["logs"] == [{"logsFile": "/kit/default.log"}]
