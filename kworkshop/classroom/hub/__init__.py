"""A class in the browser: ``kworkshop class serve`` runs JupyterHub for the class on this machine.

One system account per learner (PAM logins; each server runs as its learner), each with their own
notebooks, kubeconfig and namespace set by the hub; the instructor is the hub's admin and has a
live progress board (a hub service). Modules: ``config`` (the hub's settings as data), ``users``
(system accounts), ``runtime`` (what learners run, readable by them), ``spawn`` (the hook that
sets up a learner's home), ``board`` (the progress service), ``serve`` (start, stop, remove).
"""

from __future__ import annotations

from .serve import Served, remove, running, serve, stop

__all__ = ["Served", "remove", "running", "serve", "stop"]
