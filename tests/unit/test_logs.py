"""What simulated containers print, and the CRI log format KWOK reads."""

import re
from datetime import datetime, timezone

from kworkshop.agent.logs import container_output, cowsay_words, cri_lines, whalesay


def test_cowsay_words_in_exec_and_shell_forms():
    assert cowsay_words(["cowsay", "Finishing", "that", "task"]) == "Finishing that task"
    assert cowsay_words(["/usr/games/cowsay", "hi"]) == "hi"
    assert cowsay_words(["/bin/sh", "-c", "cowsay 'hello there'"]) == "hello there"
    assert cowsay_words(["node", "server.js"]) is None


def test_whalesay_draws_the_bubble_around_the_words():
    art = whalesay("hello")
    lines = art.splitlines()
    assert lines[1] == "| hello |"
    assert "##" in art and "~~~" in art


def test_container_output_by_image():
    assert "| hello |" in container_output("docker/whalesay", ["cowsay", "hello"], "p", "n")
    assert "pod-scaling 0.2" in container_output("jonbaier/pod-scaling:0.2", [], "web-1", "n")
    boom = container_output("williamyeh/boom", ["boom", "http://node-js-deploy/"], "p", "n")
    assert "http://node-js-deploy/" in boom
    assert "started on kwok-node-1" in container_output("busybox", ["sleep", "3600"], "p", "kwok-node-1")


def test_cri_lines_format_keeps_leading_spaces():
    when = datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc)
    text = cri_lines("first\n   indented", when)
    assert text == ("2026-01-02T03:04:05.123456000Z stdout F first\n"
                    "2026-01-02T03:04:05.123456000Z stdout F    indented\n")
    assert all(re.match(r"^\S+Z stdout F ", line) for line in text.splitlines())


def test_straight_shell_scripts_print_their_echo_lines():
    from kworkshop.agent.logs import echo_output

    assert echo_output(["sh", "-c", "echo 'trying...'; exit 1"]) == "trying..."
    assert echo_output(["/bin/sh", "-c", "echo one; sleep 5; echo -n two"]) == "one\ntwo"
    assert echo_output(["echo", "hello", "world"]) == "hello world"
    # branches and variables depend on what a simulated container does not have: not evaluated
    assert echo_output(["sh", "-c", "if [ -r /data/foo ]; then echo found; fi"]) is None
    assert echo_output(["sh", "-c", "echo $HOSTNAME"]) is None
    assert echo_output(["date"]) is None
    assert container_output("busybox:1.36", ["sh", "-c", "echo hi; exit 3"], "p", "n") == "hi"
