"""The kwokctl configuration: offline, loopback only, the right flags."""

import re
from pathlib import Path

import yaml

from kworkshop.binaries import Binaries
from kworkshop.cluster.embedded.kubelet import all_stages
from kworkshop.cluster.embedded.kwokconfig import COMPONENT_ENVS, kwokctl_configuration, render

NAMES = ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl", "etcd", "kwok",
         "kwokctl", "metrics-server")
BINARIES = Binaries({n: Path(f"/cache/bin/{n}") for n in NAMES})
PORTS = {"etcdPort": 32001, "etcdPeerPort": 32002, "kubeApiserverPort": 32003}


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


def _patches_by_name(conf):
    names = [p["name"] for p in conf["componentsPatches"]]
    assert len(names) == len(set(names)), names  # one patch per component: flags and envs together
    return {p["name"]: p for p in conf["componentsPatches"]}


def test_every_component_gets_its_go_memory_settings_as_extra_envs():
    from kworkshop.cluster.embedded.cluster import COMPONENTS

    patches = _patches_by_name(kwokctl_configuration(BINARIES, Path("/m")))
    assert set(COMPONENT_ENVS) == set(COMPONENTS)  # a misspelt name would be silently ignored by kwokctl
    for component in COMPONENTS:
        envs = patches[component]["extraEnvs"]
        assert all(set(e) == {"name", "value"} for e in envs)  # kwokctl's Env: name and value only
        env = {e["name"]: e["value"] for e in envs}
        assert 0 < int(env["GOGC"]) < 100, component  # collect earlier than Go's default
        limit = re.fullmatch(r"(\d+)MiB", env["GOMEMLIMIT"])  # Go's syntax: a unit suffix, no space
        assert limit and int(limit.group(1)) >= 64, (component, env["GOMEMLIMIT"])  # a ceiling, not a squeeze


def test_memory_settings_keep_the_workshop_flags():
    patches = _patches_by_name(kwokctl_configuration(BINARIES, Path("/m")))
    args = {name: {a["key"]: a for a in p["extraArgs"]} for name, p in patches.items()}
    assert args["kube-controller-manager"]["horizontal-pod-autoscaler-sync-period"]["value"] == "5s"
    etcd = args["etcd"]
    assert etcd["snapshot-count"] == {"key": "snapshot-count", "value": "1000", "override": False}
    assert etcd["snapshot-catchup-entries"]["value"] == "100"
    assert args["kube-apiserver"] == {}  # the apiserver keeps kwokctl's flags: only its Go runtime is tuned


def test_memory_settings_survive_the_etcd_tls_patches():
    docs = list(yaml.safe_load_all(render(BINARIES, Path("/m"), Path("/l"), ports=PORTS, pki=Path("/pki"))))
    patches = docs[0]["componentsPatches"]
    envs = {p["name"]: p.get("extraEnvs") for p in patches if p.get("extraEnvs")}
    assert envs["kube-apiserver"] == [{"name": k, "value": v} for k, v in COMPONENT_ENVS["kube-apiserver"]]
    assert {a["key"] for p in patches if p["name"] == "etcd" for a in p["extraArgs"]} >= {
        "snapshot-count", "client-cert-auth"}
