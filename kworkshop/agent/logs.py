"""What simulated containers print: log text per container, written in the CRI log format.

KWOK serves ``kubectl logs`` from files in the kubelet's CRI format
(``<RFC3339Nano> stdout F <line>``, see kwok ``test/e2e/logs.go``); a plain text file is rejected.
The chapter's Job runs ``cowsay`` in ``docker/whalesay``: that container gets the real cowsay
bubble (the ``cowsay`` package) around the words it was given, with a whale. Other containers get
one plausible line. Pure functions: the agent decides when to write them.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from datetime import datetime, timezone

import cowsay

from .images import normalize

# A whale in the spirit of docker/whalesay, drawn for kworkshop. cowsay draws the bubble and the
# character; the character brings the lines leading from the bubble.
WHALE = "\n".join((
    "",
    "  \\",
    "   \\",
    "    \\",
    "                    ##        .",
    "              ## ## ##       ==",
    "           ## ## ## ##      ===",
    '       /""""""""""""""""\\___/ ===',
    "  ~~~ {~~ ~~~~ ~~~ ~~~~ ~~ ~ /  ===- ~~~",
    "       \\______ o          __/",
    "        \\    \\        __/",
    "          \\____\\______/",
))


def whalesay(words: str) -> str:
    """The cowsay rendering of ``words``, spoken by a whale."""
    text = words if words.strip() else "..."
    return cowsay.draw(text, WHALE, to_console=False)


def cowsay_words(command: Sequence[str]) -> str | None:
    """The words of a ``cowsay ...`` invocation in a container's command + args, or None.

    Handles ``["cowsay", "hello"]`` and shell forms like ``["/bin/sh", "-c", "cowsay hello"]``.
    """
    argv = list(command)
    if len(argv) >= 3 and argv[0].rsplit("/", 1)[-1] in ("sh", "bash") and argv[1] == "-c":
        try:
            argv = shlex.split(argv[2])
        except ValueError:
            argv = argv[2].split()
    for i, word in enumerate(argv):
        if word.rsplit("/", 1)[-1] == "cowsay":
            rest = [w for w in argv[i + 1:] if not w.startswith("-")]
            return " ".join(rest)
    return None


def echo_output(command: Sequence[str]) -> str | None:
    """What the ``echo`` lines of a straight shell script print, or None.

    ``["sh", "-c", "echo 'trying...'; exit 1"]`` prints ``trying...``. A script with branches
    (``if``, ``case``, ``||``, ``&&``) is not evaluated, since which lines run depends on files and
    variables a simulated container does not have.
    """
    argv = list(command)
    if len(argv) >= 3 and argv[0].rsplit("/", 1)[-1] in ("sh", "bash") and argv[1] == "-c":
        script = argv[2]
    elif argv and argv[0].rsplit("/", 1)[-1] == "echo":
        script = shlex.join(argv)
    else:
        return None
    if any(word in script for word in ("if ", "case ", "||", "&&", "$")):
        return None
    lines = []
    for statement in script.replace("\n", "\n;").split(";"):
        try:
            words = shlex.split(statement)
        except ValueError:
            return None
        if words and words[0] == "echo":
            lines.append(" ".join(w for w in words[1:] if w not in ("-n", "-e")))
    return "\n".join(lines) if lines else None


def container_output(image: str, command: Sequence[str], pod: str, node: str) -> str:
    """The text a simulated container prints, chosen from its image and command."""
    canon = normalize(image)
    words = cowsay_words(command)
    if words is not None:
        return whalesay(words)
    if canon.startswith("docker/whalesay:"):
        return whalesay("Hello from the whale: give me something to say with `cowsay <words>`")
    if canon.startswith("jonbaier/pod-scaling:"):
        version = canon.rsplit(":", 1)[1]
        return f"pod-scaling {version}: listening on port 80 (pod {pod})"
    echoed = echo_output(command)
    if echoed is not None:
        return echoed
    if canon.startswith("williamyeh/boom:"):
        target = next((w for w in command if w.startswith("http")), "the target service")
        return f"boom: sending requests to {target}"
    cmd = " ".join(command) if command else "(image default command)"
    return f"{canon} started on {node}: {cmd}"


def cri_lines(text: str, when: datetime | None = None, stream: str = "stdout") -> str:
    """``text`` in the CRI log format, one full ('F') line per output line, newline terminated."""
    stamp = (when or datetime.now(timezone.utc)).astimezone(timezone.utc)
    ts = stamp.strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"
    return "".join(f"{ts} {stream} F {line}\n" for line in text.splitlines())
