"""The one watch loop (kworkshop/kube/watchloop.py) on scripted sources: it stops at once, even
when stopped while its connection is being opened, and a callback that fails is logged, not fatal."""

from __future__ import annotations

import logging
import threading

from kworkshop.errors import GoneError
from kworkshop.kube.watchloop import WatchLoop


class BlockingSource:
    """Lists one object, then opens a watch that blocks until the loop closes it."""

    name = "blocking"

    def __init__(self, events: list | None = None, open_delay: threading.Event | None = None) -> None:
        self.events = events or []
        self.open_delay = open_delay  # set by the test once stop() has been called
        self.opening = threading.Event()
        self.closed = threading.Event()
        self.watches = 0

    def list(self):
        return [{"name": "listed"}], "1"

    def stream(self, resource_version, timeout_seconds, opened):
        self.watches += 1
        self.opening.set()
        if self.open_delay is not None:
            self.open_delay.wait(5)  # the connection takes a while to open
        opened(self.closed.set)
        try:
            yield from self.events
            self.events = []
            self.closed.wait(60)  # a quiet watch: only closing it ends the read
        finally:
            opened(None)


def test_stop_closes_the_open_watch_at_once():
    source = BlockingSource([("ADDED", {"name": "a"}, "2")])
    seen: list = []
    loop = WatchLoop(source, lambda kind, obj: seen.append((kind, obj["name"]))).start()
    assert source.opening.wait(5), "the watch never opened"
    loop.stop(timeout=2)
    assert source.closed.is_set(), "stop() did not close the connection"
    assert not loop.alive, "the watch thread outlived stop()"
    assert seen == [("SYNC", "listed"), ("ADDED", "a")]
    assert loop.resource_version == "2"


def test_a_stop_during_connecting_closes_the_connection_once_it_opens():
    opening_done = threading.Event()
    source = BlockingSource(open_delay=opening_done)
    loop = WatchLoop(source, lambda kind, obj: None).start()
    assert source.opening.wait(5), "the watch never started opening"
    stopper = threading.Thread(target=loop.stop, kwargs={"timeout": 5})
    stopper.start()
    opening_done.set()  # the connection opens after stop() was called
    stopper.join(6)
    assert source.closed.is_set(), "the connection opened after stop() was left open"
    assert not loop.alive, "the watch thread outlived stop()"
    assert source.watches == 1, "the loop watched again after stop()"


def test_a_failing_callback_is_logged_at_error_and_the_watch_goes_on(caplog):
    source = BlockingSource([("ADDED", {"name": "bad", "metadata": {"namespace": "ns", "name": "bad"}}, "2"),
                             ("ADDED", {"name": "good"}, "3")])
    seen: list = []
    good = threading.Event()

    def on_event(kind, obj):
        if obj["name"] == "bad":
            raise ValueError("the chart's series rejected it")
        seen.append(obj["name"])
        if obj["name"] == "good":
            good.set()

    with caplog.at_level(logging.ERROR, logger="kworkshop.watch"):
        loop = WatchLoop(source, on_event).start()
        assert good.wait(5), "the event after the failing one never arrived"
        loop.stop()
    assert seen == ["listed", "good"]
    assert loop.failures == 1 and loop.reconnects == 0 and source.watches == 1
    failed = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert failed and "ADDED ns/bad" in failed[0].getMessage(), [r.getMessage() for r in caplog.records]


class ScriptedSource:
    """Each watch is the next step of a script: a list of events, or an exception to raise."""

    name = "scripted"

    def __init__(self, steps):
        self.steps = steps
        self.lists = 0
        self.watched_from: list = []
        self.done = threading.Event()

    def list(self):
        self.lists += 1
        return [{"name": f"listed-{self.lists}"}], str(10 * self.lists)

    def stream(self, resource_version, timeout_seconds, opened):
        self.watched_from.append(resource_version)
        if not self.steps:
            self.done.set()
            self.done_wait = threading.Event()
            opened(self.done_wait.set)
            self.done_wait.wait(60)
            return
        step = self.steps.pop(0)
        if isinstance(step, Exception):
            raise step
        yield from step


def test_the_loop_relists_after_gone_and_resumes_after_a_dropped_connection():
    source = ScriptedSource([
        [("ADDED", {"name": "a"}, "11"), ("BOOKMARK", {"name": ""}, "12")],
        GoneError("too old", 410),                 # resume from 12 is too old: relist
        ConnectionRefusedError(111, "refused"),   # the apiserver restarts: resume from 20
        [("DELETED", {"name": "a"}, "21")],
    ])
    seen: list = []
    loop = WatchLoop(source, lambda kind, obj: seen.append((kind, obj["name"]))).start()
    assert source.done.wait(10), f"the script did not finish: watched from {source.watched_from}"
    loop.stop()
    assert seen == [("SYNC", "listed-1"), ("ADDED", "a"), ("SYNC", "listed-2"), ("DELETED", "a")]
    assert source.watched_from == ["10", "12", "20", "20", "21"]
    assert loop.reconnects == 1 and not loop.alive


def test_stop_is_quiet_when_the_connection_is_already_closed():
    """The server may end a watch (and close its socket) just as stop() closes it: stop() must not raise."""

    class ClosedUnderneath(BlockingSource):
        def stream(self, resource_version, timeout_seconds, opened):
            self.opening.set()

            def close():
                self.closed.set()
                raise OSError(9, "Bad file descriptor")  # what urllib3's shutdown() says then

            opened(close)
            try:
                self.closed.wait(60)
                yield from ()
            finally:
                opened(None)

    source = ClosedUnderneath()
    loop = WatchLoop(source, lambda kind, obj: None).start()
    assert source.opening.wait(5), "the watch never opened"
    loop.stop(timeout=2)
    assert source.closed.is_set() and not loop.alive
