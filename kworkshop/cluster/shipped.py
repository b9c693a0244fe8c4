"""The manifests the kit ships in ``cluster/manifests/``: their names (from the pins) and their text."""

from __future__ import annotations

from importlib import resources

from ..binaries.pins import METRICS_SERVER_VERSION

METRICS_SERVER = f"metrics-server-{METRICS_SERVER_VERSION}.yaml"  # upstream's components.yaml, that release
KUBE_PROXY = "kube-proxy.yaml"
NODE_PROBLEM_DETECTOR = "node-problem-detector.yaml"


def text(name: str) -> str:
    """The text of shipped manifest ``name``."""
    return resources.files(__package__).joinpath("manifests", name).read_text()
