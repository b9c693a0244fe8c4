"""The ``kworkshop`` command: parse, make one library call, print, return an exit code."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from . import binaries, cluster
from .errors import ApiError, KworkshopError
from .i18n import _, ngettext
from .progress import TerminalStatus


class _Formatter(argparse.HelpFormatter):
    """argparse's ``usage:`` in the kit's language too."""

    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, _("usage: ") if prefix is None else prefix)


class _RawEpilog(_Formatter, argparse.RawDescriptionHelpFormatter):
    """Keeps the epilog's lines (the backends list) as written."""


class _Parser(argparse.ArgumentParser):
    """A parser whose own words (usage, section titles, ``-h``) follow the kit's language: Python
    ships no translation of argparse, so the kit's catalogue holds these few."""

    def __init__(self, *args, add_help: bool = True, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = _("positional arguments")
        self._optionals.title = _("options")
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                              help=_("show this help message and exit"))
        self.later_epilog = None  # a function: an epilog worth computing only when help is shown

    def format_help(self) -> str:
        if self.later_epilog is not None:
            self.epilog = self.later_epilog()
        return super().format_help()


def backends_help() -> str:
    """``kworkshop up --help``'s list of the registered backends: what each is, whether it can run here."""
    from .cluster import registry

    lines = [_("backends (--backend):")]
    for name in registry.names():
        backend = registry.backend_class(name)
        ok, found = backend.available()
        lines.append(f"  {name:11} {_(backend.summary)}")
        lines.append(" " * 14 + ("✓ " if ok else "✗ ") + found)
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    """The command line; every help text is translated here, when the parser is built."""
    p = _Parser(prog="kworkshop", description=_("Kubernetes workloads workshop kit"))
    p.add_argument("-v", "--verbose", action="store_true", help=_("show detailed progress and logs"))
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    up = sub.add_parser("up", help=_("start the cluster (or reattach to it), print its kubeconfig"),
                        formatter_class=_RawEpilog)
    up.later_epilog = backends_help
    up.add_argument("--name", default=None,
                    help=_("the cluster's name (default: $KWORKSHOP_CLUSTER, else kworkshop)"))
    up.add_argument("--nodes", type=int, default=3, help=_("number of simulated nodes (default 3)"))
    up.add_argument("--backend", default=None, metavar="BACKEND",
                    help=_("auto (default) or one of the backends below"))
    up.add_argument("--kubeconfig", default=None, help=_("kubeconfig backend: the file (default $KUBECONFIG)"))
    up.add_argument("--context", default=None, help=_("kubeconfig backend: the context (default: current)"))
    up.add_argument("--extra-image", action="append", default=[], metavar="IMAGE",
                    help=_("add an image to the catalogue of images that exist (repeatable)"))

    for verb, text in (("down", _("delete the cluster: stop every process, free every port")),
                       ("status", _("show the cluster's health")),
                       ("env", _("print `export KUBECONFIG=... PATH=...` lines for a shell"))):
        s = sub.add_parser(verb, help=text)
        s.add_argument("--name", default=cluster.DEFAULT_NAME)

    sub.add_parser("images", help=_("list the images that exist on the embedded cluster (its catalogue)"))

    lab = sub.add_parser("lab", help=_("JupyterLab on the notebooks, its Terminal set up for the cluster"))
    lab.add_argument("--name", default=cluster.DEFAULT_NAME)
    lab.add_argument("--port", type=int, default=8888)
    lab.add_argument("--ip", default="127.0.0.1", help=_("address to listen on (default: this machine only)"))
    lab.add_argument("--notebooks", default="notebooks", help=_("the notebooks folder (default: notebooks)"))
    lab.add_argument("--env-only", action="store_true",
                     help=_("write the Jupyter config and print `export ...` lines for a server started "
                            "otherwise (binder/start), instead of starting JupyterLab"))
    lab.add_argument("jupyter_args", nargs="*", metavar="-- JUPYTER_ARG",
                     help=_("passed to JupyterLab after a --, e.g. -- --no-browser"))

    nbs = sub.add_parser("run-notebooks", help=_("execute the chapter notebooks (papermill) + an HTML report"))
    nbs.add_argument("notebooks", nargs="*", help=_("notebooks to run (default: every chapter in --folder)"))
    nbs.add_argument("--folder", default="notebooks")
    nbs.add_argument("--output", default="out/notebooks", help=_("folder for executed notebooks and index.html"))
    nbs.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                     help=_("a notebook parameter (YAML value), e.g. -p solutions true"))

    cls = sub.add_parser("class", help=_("instructor-led classes: a namespace, rights and a kubeconfig per learner"))
    cls_sub = cls.add_subparsers(dest="class_command", required=True)
    for verb, text in (("create", _("create (or extend) the class")),
                       ("delete", _("remove everything of the class")),
                       ("progress", _("learner x checkpoint table"))):
        c = cls_sub.add_parser(verb, help=text)
        c.add_argument("--name", default="class", help=_("the class name (prefix of every namespace)"))
        c.add_argument("--cluster", default=cluster.DEFAULT_NAME, help=_("the embedded cluster to use"))
        c.add_argument("--kubeconfig", help=_("use this kubeconfig instead (any cluster you administer)"))
        if verb == "create":
            c.add_argument("--learners", type=int, help=_("number of learners (learner-01, ...)"))
            c.add_argument("--names", help=_("comma-separated learner names"))
            c.add_argument("--nodes-per-learner", type=int, default=2, help=_("simulated nodes a learner may label"))
            c.add_argument("--output", default="class-kubeconfigs", help=_("folder for the learners' kubeconfigs"))
    hv = cls_sub.add_parser("helm-values", help=_("values for the Zero to JupyterHub chart: the class on a cluster"))
    hv.add_argument("--name", default="class", help=_("the class name (as given to class create)"))
    hv.add_argument("--learners", type=int, help=_("number of learners (learner-01, ...)"))
    hv.add_argument("--names", help=_("comma-separated learner names"))
    hv.add_argument("--image", required=True,
                    help=_("the single-user image, repo:tag (built from z2jh/Dockerfile)"))
    hv.add_argument("--instructor", default="instructor", help=_("the hub's admin (default: instructor)"))
    hv.add_argument("--kubeconfigs", default="class-kubeconfigs", help=_("the folder class create wrote"))
    hv.add_argument("--output", default="-", help=_("the values file (default: standard output)"))
    hv.add_argument("--secrets", help=_("also write the learners' kubeconfig Secrets to this file (mode 0600)"))

    serve = cls_sub.add_parser("serve", help=_("the class in the browser: JupyterHub, an account per learner, "
                                               "a live progress board (as root)"))
    serve.add_argument("--name", default="class",
                       help=_("the class name (prefix of every namespace and account)"))
    serve.add_argument("--learners", type=int, help=_("number of learners (learner-01, ...)"))
    serve.add_argument("--names", help=_("comma-separated learner names"))
    serve.add_argument("--port", type=int, default=8000, help=_("the hub's port (default 8000)"))
    serve.add_argument("--bind", default="127.0.0.1",
                       help=_("address to listen on (default: this machine only; 0.0.0.0 opens it to the network)"))
    serve.add_argument("--ssl-cert", help=_("TLS certificate (PEM) for a hub reachable from the network"))
    serve.add_argument("--ssl-key", help=_("its private key"))
    serve.add_argument("--cluster", default=cluster.DEFAULT_NAME, help=_("the embedded cluster (started if needed)"))
    serve.add_argument("--notebooks", default="notebooks", help=_("the notebooks learners get a copy of"))
    serve.add_argument("--nodes-per-learner", type=int, default=2, help=_("simulated nodes a learner may label"))
    serve.add_argument("--stop", action="store_true", help=_("stop the class's hub and the learners' servers"))

    inst = sub.add_parser("install", help=_("get the pinned binaries into the cache (no cluster)"))
    inst.add_argument("--force", action="store_true", help=_("rebuild or download even if cached"))
    inst.add_argument("--no-download", action="store_true", help=_("never download, only build"))
    inst.add_argument("--backend", choices=("embedded", "kind"), default="embedded",
                      help=_("kind: get the kind binary (the embedded cluster's binaries are the default)"))
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.verbose:  # only the kit's own loggers: the API client's debug log dumps every body
        logging.getLogger("kworkshop").setLevel(logging.DEBUG)
    status = TerminalStatus(verbose=args.verbose)
    try:
        if args.command == "up":
            given = {"extra_images": tuple(args.extra_image) or None, "kubeconfig": args.kubeconfig,
                     "context": args.context}  # only what was typed reaches the backend
            handle = cluster.up(args.nodes, name=args.name, backend=args.backend, status=status, set_env=False,
                                **{k: v for k, v in given.items() if v is not None})
            print(ready_text(handle))
        elif args.command == "down":
            problems = cluster.down(args.name, status)
            for problem in problems:
                print(_("could not undo: {problem}").format(problem=problem), file=sys.stderr)
            if problems:
                print(_("the cluster is still recorded: run `{command}` again to retry")
                      .format(command=cluster.command("down", args.name)), file=sys.stderr)
            return 1 if problems else 0
        elif args.command == "images":
            from .agent.images import catalogue

            print("\n".join(catalogue()))
            print(_("On the embedded cluster only these images exist: any other fails to pull (ErrImagePull), "
                    "where a real node would pull it. Add one with `kworkshop up --extra-image IMAGE` or "
                    "$KWORKSHOP_EXTRA_IMAGES (when the cluster is created)."), file=sys.stderr)
        elif args.command == "status":
            report = cluster.status(args.name)
            print(report)
            return 0 if report.healthy else 3
        elif args.command == "env":
            print(cluster.env_lines(args.name))
        elif args.command == "lab":
            from . import lab

            if args.env_only:
                print(lab.env_lines(lab.configure(args.name, args.notebooks)))
            else:
                lab.launch(args.name, port=args.port, ip=args.ip, notebooks=args.notebooks,
                           extra=args.jupyter_args)
        elif args.command == "run-notebooks":
            import yaml

            from .notebooks import chapter_notebooks, run_notebooks

            paths = [Path(p) for p in args.notebooks] or chapter_notebooks(Path(args.folder))
            params = {name: yaml.safe_load(value) for name, value in args.parameter}
            runs = run_notebooks(paths, Path(args.output), params)
            for run in runs:
                print(run)
            print(_("report: {path}").format(path=Path(args.output) / "index.html"))
            return 0 if all(r.passed for r in runs) else 1
        elif args.command == "class":
            return _class(args)
        elif args.command == "install":
            found = (binaries.install_optional("kind", status) if args.backend == "kind"
                     else binaries.install(status, allow_download=not args.no_download, force=args.force))
            for name, path in sorted(found.paths.items()):
                print(f"{name:24} {path}")
        return 0
    except KworkshopError as exc:
        print(_("error: {error}").format(error=exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(_("interrupted"), file=sys.stderr)
        return 130


def ready_text(handle: cluster.Cluster) -> str:
    """What `kworkshop up` prints last: the cluster, its kubeconfig, the shell line naming it."""
    try:
        count = len(handle.nodes())
        ready = ngettext("Cluster {name} is ready ({backend}): {count} node.",
                         "Cluster {name} is ready ({backend}): {count} nodes.", count)
    except ApiError:  # a learner's account on a kubeconfig cluster may not list nodes
        count = 0
        ready = _("Cluster {name} is ready ({backend}): its nodes are not visible to this account.")
    return "\n".join([ready.format(name=repr(handle.name), backend=handle.backend, count=count),
                      _("kubeconfig: {path}").format(path=handle.kubeconfig),
                      _('Use it from a shell with: eval "$({command})"').format(
                          command=cluster.command("env", handle.name))])


def _class(args: argparse.Namespace) -> int:
    from . import classroom
    from .kube.connection import connect

    if args.class_command == "helm-values":  # no cluster: the values are data
        from .classroom.helm import helm_values

        output = None if args.output == "-" else Path(args.output)
        result = helm_values(args.name, args.image, count=args.learners,
                             names=args.names.split(",") if args.names else None, instructor=args.instructor,
                             kubeconfigs=Path(args.kubeconfigs), output=output,
                             secrets_file=Path(args.secrets) if args.secrets else None)
        if output is None:  # the YAML alone on standard output; what else was written on stderr
            sys.stdout.write(result.text)
        for line in result.steps():
            print(line, file=sys.stderr if output is None else sys.stdout)
        return 0
    if args.class_command == "serve":
        return _class_serve(args)
    # one explicit connection for the whole command; the module default is not involved
    kube = connect(args.kubeconfig if args.kubeconfig else cluster.attach(args.cluster))
    if args.class_command == "create":
        names = args.names.split(",") if args.names else None
        print(classroom.create(args.name, count=args.learners, names=names,
                               nodes_per_learner=args.nodes_per_learner, output=Path(args.output), kube=kube))
    elif args.class_command == "delete":
        gone = classroom.delete(args.name, kube=kube)
        print(ngettext("deleted {count} object of class {name}", "deleted {count} objects of class {name}",
                       len(gone)).format(count=len(gone), name=args.name))
    else:
        print(classroom.progress(args.name, kube=kube))
    return 0


def _class_serve(args: argparse.Namespace) -> int:
    from .classroom import hub

    if args.stop:
        stopped = hub.stop(args.name)
        print(_("stopped class {name}: {stopped}").format(name=args.name, stopped=", ".join(stopped)) if stopped
              else _("class {name} was not served").format(name=args.name))
        return 0
    served = hub.serve(args.name, count=args.learners, names=args.names.split(",") if args.names else None,
                       port=args.port, bind=args.bind, cluster_name=args.cluster, ssl_cert=args.ssl_cert,
                       ssl_key=args.ssl_key, notebooks=Path(args.notebooks), nodes_per_learner=args.nodes_per_learner,
                       status=TerminalStatus(verbose=args.verbose))
    print(served, flush=True)
    return served.wait()


if __name__ == "__main__":
    sys.exit(main())
