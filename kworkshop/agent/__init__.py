"""The node agent: the simulated data plane that KWOK's stages cannot express, one lean process.

``main`` runs it beside an embedded cluster (``python -m kworkshop.agent``): container logs
(``logs``, written as the CRI does) and the traffic model (``driver``), through its own small API
client (``rawapi``, no ``kubernetes`` package). ``recognise`` (which pods load which Services) and
``traffic`` (what that load costs each pod) are pure, importable alone: the live charts use them
too. ``images`` is the catalogue of images that exist, which the simulated kubelet pulls from.
"""
