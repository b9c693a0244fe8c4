"""The simulated kubelet: KWOK stages that do on every node what a kubelet does to a pod.

``stages.py`` assembles the stages (start, readiness, exit, restart and back-off, termination,
image pull failures); ``program.py`` reads from a container's command how long it runs and how it
ends. Logs, which KWOK's stages cannot express, come from the node agent (``agent/``).
"""

from .stages import (
    EXIT_CODE_ANNOTATION,
    RUN_TIME_ANNOTATION,
    START_AFTER_ANNOTATION,
    Timings,
    all_stages,
    missing_images_expression,
)

__all__ = [
    "EXIT_CODE_ANNOTATION",
    "RUN_TIME_ANNOTATION",
    "START_AFTER_ANNOTATION",
    "Timings",
    "all_stages",
    "missing_images_expression",
]
