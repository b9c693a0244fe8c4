"""Which pods are load generators, read from what their containers run.

Why: on simulated nodes no request is ever sent, so the traffic model (``traffic.py``) has to know
from the manifest alone that a pod *would* hammer a Service. A learner should be able to make load
any way the book or kubernetes.io does it (``kubectl apply -f`` listing 5-4, the HPA walkthrough's
``kubectl run load-generator --image=busybox -- /bin/sh -c "while sleep 0.01; do wget -q -O-
http://php-apache; done"``, ``kw.load.start``), so no label or annotation is needed: like the
simulated kubelet (``cluster/kubelet/program.py``) this reads the command line (command and args
joined by spaces) the way a reader of the manifest would.

What counts:

* an HTTP benchmarking client, ``boom``, ``hey`` or ``ab``, anywhere in the command (in a loop or
  not: it is built to send requests for as long as it runs), with its own flags: ``-c`` workers
  (default 50 for boom/hey, 1 for ab), ``-n`` requests per run (200 / 1), ``-q`` requests per
  second per worker and ``-z`` duration (boom/hey);
* ``wget`` or ``curl`` inside a ``while``/``until``/``for`` loop, one request per URL and loop
  iteration (a single request is not load);
* aimed at a Service by name: ``http(s)://NAME[.NS[.svc[.cluster.local]]][:port][/path]``, in the
  pod's namespace unless NS is given; an IP address, ``$VAR`` or a host of another form is not;
* clients started with ``&`` run beside the rest of their loop; the others take turns with each
  other and with the loop's ``sleep``\\ s (``Loop.pause``), which the traffic model turns into a
  request rate.

Nothing else of a script is evaluated (no variables, no ``seq``, no ``xargs -P``). Whether the
Service exists, and whether the pod runs, is for the traffic model to see.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

BENCHMARKS = {"boom": (50, 200), "hey": (50, 200), "ab": (1, 1)}  # tool: (default -c, default -n)
LOOPED_CLIENTS = ("wget", "curl")
SHELLS = ("sh", "bash", "ash", "dash", "zsh", "ksh")
# words a shell reads before a command without changing what runs
_TRANSPARENT = {"do", "then", "else", "elif", "if", "fi", "{", "}", "!", "exec", "nohup", "time", "command"}

# operators first (&& before &), then words; quotes were removed before
_TOKEN = re.compile(r"&&|\|\||;;|[;&|()\n]|[^\s;&|()]+")
_URL = re.compile(r"https?://([^/:?#\s]+)(?::([0-9]+))?", re.IGNORECASE)
_SERVICE = re.compile(r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?")   # DNS-1035, as Service names are
_NAMESPACE = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")  # DNS-1123
_SLEEP = re.compile(r"([0-9]*\.?[0-9]+)([smhd]?)|inf(inity)?")
_GO_DURATION = re.compile(r"([0-9]*\.?[0-9]+)(ms|s|m|h)")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "ms": 0.001}


@dataclass(frozen=True)
class Client:
    """One HTTP client aimed at a Service, as its flags say."""

    tool: str
    namespace: str
    service: str
    port: int | None = None
    workers: int = 1          # requests in flight at once (-c)
    requests: int = 1         # requests per run (-n); with a duration, as many as fit
    qps: float = 0.0          # at most this many requests per second per worker (-q); 0: no limit
    duration: float = 0.0     # seconds per run (-z); 0: until `requests` are sent
    background: bool = False  # started with `&`: runs beside the rest of its loop


@dataclass(frozen=True)
class Loop:
    """The clients of one loop (or of the script's top level, which a restart repeats)."""

    clients: tuple[Client, ...]
    pause: float = 0.0  # seconds each iteration spends in `sleep` (inf: `sleep infinity`)


@dataclass
class _Frame:
    looped: bool
    clients: list[Client] = field(default_factory=list)
    pause: float = 0.0


def target(url_host: str, port: str | None, namespace: str) -> tuple[str, str, int | None] | None:
    """(namespace, service, port) that ``http://HOST[:port]`` reaches by cluster DNS, or None."""
    parts = url_host.lower().rstrip(".").split(".")
    if len(parts) == 1:
        name, ns = parts[0], namespace
    elif len(parts) == 2 or (len(parts) == 3 and parts[2] == "svc") or parts[2:] == ["svc", "cluster", "local"]:
        name, ns = parts[0], parts[1]
    else:
        return None
    if not (_SERVICE.fullmatch(name) and _NAMESPACE.fullmatch(ns)):
        return None
    return ns, name, int(port) if port else None


def _flag(words: Sequence[str], letter: str) -> str | None:
    """The value of ``-X N``, ``-X=N``, ``-XN`` or ``--X N`` (the last one given), or None."""
    value = None
    for i, w in enumerate(words):
        m = re.fullmatch(rf"--?{letter}(=?(.+))?", w)
        if not m:
            continue
        if m.group(2) is not None:
            value = m.group(2)
        elif i + 1 < len(words):
            value = words[i + 1]
    return value


def _number(text: str | None, default: float) -> float:
    try:
        return float(text) if text is not None else default
    except ValueError:
        return default


def _seconds(text: str | None, pattern: re.Pattern[str]) -> float:
    if not text:
        return 0.0
    total = 0.0
    for m in pattern.finditer(text):
        if m.group(0).startswith("inf"):
            return math.inf
        total += float(m.group(1)) * _UNITS[m.group(2)]
    return total


def _clients(words: list[str], namespace: str, background: bool, looped: bool) -> list[Client]:
    """The clients one simple command (program + arguments) runs."""
    if words[0].rsplit("/", 1)[-1] == "busybox":  # `busybox wget ...`: the applet's own name
        words = words[1:]
    tool = words[0].rsplit("/", 1)[-1] if words else ""
    if tool not in BENCHMARKS and (tool not in LOOPED_CLIENTS or not looped):
        return []
    hosts = [target(m.group(1), m.group(2), namespace) for w in words[1:] if (m := _URL.match(w))]
    if tool in BENCHMARKS:
        workers, requests = BENCHMARKS[tool]
        workers = max(1, int(_number(_flag(words[1:], "c"), workers)))
        opts = {"workers": workers, "requests": max(0, int(_number(_flag(words[1:], "n"), requests))),
                "qps": _number(_flag(words[1:], "q"), 0.0) if tool != "ab" else 0.0,
                "duration": _seconds(_flag(words[1:], "z"), _GO_DURATION) if tool != "ab" else 0.0}
        hosts = hosts[-1:]  # one target per run
    else:
        opts = {}
    return [Client(tool, ns, name, port, background=background, **opts)
            for ns, name, port in (h for h in hosts if h)]


def recognise(argv: Sequence[str], namespace: str) -> list[Loop]:
    """The loops of HTTP clients that a container's command line (command + args) runs.

    >>> [c.service for loop in recognise(["sh", "-c", "while true; do wget -q -O- http://web; done"], "d")
    ...  for c in loop.clients]
    ['web']
    """
    text = " ".join(argv).replace("\\\n", " ")
    text = re.sub(r"[\"'`]", " ", text)  # a quoted script reads as the script
    frames = [_Frame(looped=False)]
    loops: list[_Frame] = []
    words: list[str] = []
    skipping_for_header = False

    def finish(background: bool) -> None:
        if not words:
            return
        program = words[0].rsplit("/", 1)[-1]
        frame = frames[-1]
        if program == "sleep" and not background:
            frame.pause += _seconds(" ".join(words[1:]), _SLEEP)
        frame.clients.extend(_clients(words, namespace, background, any(f.looped for f in frames)))
        words.clear()

    for tok in _TOKEN.findall(text):
        if skipping_for_header:  # `for i in 1 2 3; do`: the header runs nothing
            skipping_for_header = tok != "do"
            continue
        if tok in ("&&", "||", ";;", ";", "&", "|", "(", ")", "\n"):
            finish(background=tok == "&")
            continue
        if not words:
            if tok in ("while", "until", "for"):
                frames.append(_Frame(looped=True))
                skipping_for_header = tok == "for"
                continue
            if tok == "done":
                if len(frames) > 1:
                    loops.append(frames.pop())
                continue
            if tok in _TRANSPARENT:
                continue
        if words and words[0].rsplit("/", 1)[-1] in SHELLS and re.fullmatch(r"-[a-z]*c", tok):
            words.clear()  # `sh -c SCRIPT`: the script's commands follow
            continue
        words.append(tok)
    finish(background=False)
    loops.extend(reversed(frames))  # loops left open by a cut-off script, and the top level
    return [Loop(tuple(f.clients), f.pause) for f in loops if f.clients]


def pod_loops(pod: Mapping[str, Any]) -> list[Loop]:
    """The load-generating loops of a pod given as plain data (``kubectl get pod -o json``)."""
    namespace = (pod.get("metadata") or {}).get("namespace") or "default"
    return [loop for c in (pod.get("spec") or {}).get("containers") or []
            for loop in recognise([*(c.get("command") or []), *(c.get("args") or [])], namespace)]
