"""The instructor's live progress board: a JupyterHub service at ``/services/progress/``.

The hub starts it (a managed service), routes it through its proxy and gives it OAuth: the page and
its JSON need a hub login with ``access:services!service=progress``, which only the hub's admin has
(learners get 403). It keeps the class's marks (``classroom.results``) in memory, refreshed when a
learner's ``kworkshop-progress`` ConfigMap changes (a watch, through the instructor's connection);
the page fetches ``api/progress`` every 2 s and redraws the table, so a ✓ shows up without a reload.

Run by the hub as ``python -m kworkshop.classroom.hub.board --class NAME --kubeconfig FILE``.
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import os
import signal
import threading
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from ...i18n import _, language
from ...kube.connection import Connection, connect
from ...kube.facts import PROGRESS_CONFIGMAP

log = logging.getLogger(__name__)


def snapshot(class_name: str, marks: dict[str, dict[str, Any]], updated: datetime) -> dict[str, Any]:
    """The board's JSON: checkpoints (columns), one row per learner, each cell ✓/✗ and when (pure)."""
    checks = sorted({c for row in marks.values() for c in row})
    rows = []
    for learner, row in marks.items():
        cells = [{"passed": m.passed, "at": m.at.strftime("%H:%M:%S")} if (m := row.get(c)) else None
                 for c in checks]
        rows.append({"learner": learner, "cells": cells, "passed": sum(1 for c in cells if c and c["passed"])})
    return {"class": class_name, "checks": checks, "rows": rows, "updated": updated.strftime("%H:%M:%S")}


class Board:
    """The class's marks, kept fresh by a watch on the progress ConfigMaps; ``stop()`` ends it."""

    def __init__(self, class_name: str, kube: Connection) -> None:
        from kubernetes import client

        from ...kube.watch import Watcher

        self.class_name, self.kube = class_name, kube
        self.data: dict[str, Any] = snapshot(class_name, {}, datetime.now())
        self._dirty, self._stopped = threading.Event(), threading.Event()
        self.watcher = Watcher(client.CoreV1Api(kube.api).list_config_map_for_all_namespaces, self._changed,
                               field_selector=f"metadata.name={PROGRESS_CONFIGMAP}")
        self._thread = threading.Thread(target=self._run, name="progress-board", daemon=True)

    def start(self) -> Board:
        self.refresh()
        self._thread.start()
        self.watcher.start()
        return self

    def refresh(self) -> None:
        from .. import results

        self.data = snapshot(self.class_name, results(self.class_name, kube=self.kube), datetime.now())

    def _changed(self, kind: str, obj: Any) -> None:
        if obj.metadata.namespace.startswith(f"{self.class_name}-"):
            self._dirty.set()

    def _run(self) -> None:
        while True:
            self._dirty.wait()
            if self._stopped.is_set():
                return
            self._dirty.clear()  # events during the refresh set it again: nothing is missed
            try:
                self.refresh()
            except Exception:  # a hiccup of the API server: the next change refreshes again
                log.exception("refreshing the progress board")

    def stop(self) -> None:
        self._stopped.set()
        self._dirty.set()
        self.watcher.stop(timeout=1)  # a daemon thread: the process may end without it


PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<style>
 body {{ font-family: system-ui, sans-serif; margin: 2em; color: #222; }}
 table {{ border-collapse: collapse; }} th, td {{ border: 1px solid #ccc; padding: .35em .7em; text-align: left; }}
 th {{ background: #f3f3f3; font-weight: 600; }} td.pass {{ color: #137333; background: #e6f4ea; }}
 td.fail {{ color: #a50e0e; background: #fce8e6; }} .muted {{ color: #777; }}
</style></head>
<body><p><a href="{hub}">&larr; {back}</a></p><h1>{title}</h1>
<p class="muted">{intro}</p>
<div id="board"></div>
<script>
const T = {words};
function cell(c) {{
  if (!c) return '<td></td>';
  return c.passed ? `<td class="pass">✓ ${{c.at}}</td>` : `<td class="fail">✗ ${{c.at}}</td>`;
}}
function esc(s) {{ const d = document.createElement('div'); d.textContent = s; return d.innerHTML; }}
async function poll() {{
  try {{
    // a cookie-authenticated fetch needs the XSRF token (JupyterHub >= 4.1 checks it for services)
    const r = await fetch('api/progress', {{cache: 'no-store', headers: {{'X-XSRFToken': '{xsrf}'}}}});
    if (!r.ok) throw new Error(r.status);
    const d = await r.json();
    let html = `<table><thead><tr><th>${{esc(T.learner)}}</th>` + d.checks.map(c => `<th>${{esc(c)}}</th>`).join('')
      + `<th>${{esc(T.passed)}}</th></tr></thead><tbody>`;
    for (const row of d.rows)
      html += `<tr><td>${{esc(row.learner)}}</td>` + row.cells.map(cell).join('')
        + `<td>${{row.passed}}/${{d.checks.length}}</td></tr>`;
    document.getElementById('board').innerHTML = html + '</tbody></table>';
    document.getElementById('updated').textContent = T.updated.replace('{{time}}', d.updated);
  }} catch (e) {{
    document.getElementById('updated').textContent = T.unreachable.replace('{{error}}', e.message);
  }}
}}
poll(); setInterval(poll, 2000);
</script></body></html>
"""


def page(class_name: str, xsrf: str, hub: str) -> str:
    """The board's page in the language of this process (``class serve`` passes its own on); the
    status words ✓/✗ and the checkpoints' names stay as they are."""
    status = '<span id="updated">{}</span>'.format(html.escape(_("loading")))
    intro = html.escape(_("Each checkpoint a learner runs appears here (✓ passed, ✗ not yet, with the time of "
                          "the last run). Updated every 2 seconds; {status}.")).format(status=status)
    # what the script writes, as JSON that cannot end the <script> element
    words = json.dumps({"learner": _("Learner"), "passed": _("passed"), "updated": _("last data {time}"),
                        "unreachable": _("the board cannot reach the hub ({error}), retrying")},
                       ensure_ascii=False).replace("<", "\\u003c")
    return PAGE.format(lang=language().replace("_", "-"), title=html.escape(_("Class {name}: progress")
                                                                              .format(name=class_name)),
                       back=html.escape(_("the hub")), intro=intro, words=words, xsrf=xsrf, hub=html.escape(hub))


def make_app(board: Board) -> Any:
    """The tornado application: the page, its JSON, and the OAuth callback."""
    from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
    from jupyterhub.utils import url_path_join
    from tornado import web

    class PageHandler(HubOAuthenticated, web.RequestHandler):
        @web.authenticated
        def get(self) -> None:
            self.set_header("Cache-Control", "no-store")
            hub_home = url_path_join(os.environ.get("JUPYTERHUB_BASE_URL", "/"), "hub/home")
            self.write(page(board.class_name, self.xsrf_token.decode(), hub_home))

    class DataHandler(HubOAuthenticated, web.RequestHandler):
        @web.authenticated
        def get(self) -> None:
            self.set_header("Content-Type", "application/json")
            self.set_header("Cache-Control", "no-store")
            self.write(json.dumps(board.data))

    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/progress/")
    return web.Application([
        (prefix, PageHandler),
        (url_path_join(prefix, "api/progress"), DataHandler),
        (url_path_join(prefix, "oauth_callback"), HubOAuthCallbackHandler),
    ], cookie_secret=os.urandom(32))


def main(argv: list[str] | None = None) -> None:
    from tornado.ioloop import IOLoop

    parser = argparse.ArgumentParser(description=_("the class's live progress board (a JupyterHub service)"))
    parser.add_argument("--class", dest="class_name", required=True)
    parser.add_argument("--kubeconfig", required=True, help=_("the instructor's (admin) kubeconfig"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s progress-board %(levelname)s %(message)s")
    board = Board(args.class_name, connect(args.kubeconfig)).start()
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10101"))
    make_app(board).listen(url.port, url.hostname)
    log.info("serving class %s on %s", args.class_name, url.geturl())
    loop = IOLoop.current()
    # the hub stops a service with SIGINT, then SIGTERM: end at once on either (SIGINT may arrive
    # ignored from a background shell, so Python's KeyboardInterrupt cannot be relied on)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_args: loop.add_callback_from_signal(loop.stop))
    try:
        loop.start()
    finally:
        board.stop()


if __name__ == "__main__":
    main()
