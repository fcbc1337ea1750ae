"""The `kg` command: build, load, query, export and validate the knowledge graph, and serve it
(the web layer is imported only by `kg serve`). Every setting of mzkg.settings that a subcommand
takes is one of its options."""
from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from mzkg import queries, settings
from mzkg.loaders import DocumentError, is_web_address

from . import formats
from .build import BuildError, Builder, BuildReport, bundled_corpus
from .export import export
from .query import QUERY_FORMATS, QueryError, run_query
from .reasoning import UnsupportedAxiom
from .remote import RemoteStore
from .shapes import UnsupportedShape
from .store import KnowledgeStore, StoreError
from .validation import ValidationFailed


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        _settle(args)
        return args.run(args) or 0
    except (BuildError, DocumentError, StoreError, QueryError, ValidationFailed, UnsupportedAxiom, UnsupportedShape,
            ValueError) as error:
        print(f"kg {args.command}: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kg", description="Knowledge graph of Chinese civil-affairs (民政) policy documents.")
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help: str, run) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        for setting in settings.for_command(name):
            p.add_argument(setting.option, dest=setting.name, default=None, metavar=setting.name.upper(),
                           help=f"{setting.help} (${setting.env}; default: {_shown(setting)})")
        p.set_defaults(run=run)
        return p

    p = command("build", "(Re)build the store from every .txt document in a corpus directory.", _build)
    p.add_argument("--corpus", type=Path, default=None, help="corpus directory (default: the bundled corpus)")
    p.add_argument("--keep-going", action="store_true", help="build the documents that load even if some fail")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = command("load", "Add or replace documents in an existing store; a failure leaves it unchanged.", _load)
    p.add_argument("files", nargs="+", type=Path, help="text, HTML, Word (.docx) or PDF files, told apart by their content")
    p.add_argument("--source-url", default=None, metavar="URL",
                   help="the address the file was published at (one file only); recorded as the document's dcterms:source")
    p.add_argument("--force", action="store_true",
                   help="load texts the loaders find are not policy documents (news reports, drafting explanations) too")

    p = command("query", "Run SPARQL (a saved query's name, a .rq file or query text) and print the results.", _query)
    p.add_argument("query", help="saved query name (see `kg queries`), path to a .rq file, or SPARQL text")
    p.add_argument("--format", choices=sorted(QUERY_FORMATS), default=None, help="csv for SELECT/ASK and ttl for graphs by default")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="bind a saved query's parameter")

    p = command("queries", "List the saved queries with their parameters.", _list_queries)

    p = command("export", "Write the whole dataset, or one graph, in an RDF format.", _export)
    p.add_argument("--format", choices=formats.keys(formats.RDF), default="trig")
    p.add_argument("--graph", default=None, help="IRI of one named graph (default: every graph)")
    p.add_argument("--output", "-o", type=Path, default=None, help="file to write (default: standard output)")

    p = command("validate", "Check the stored data against the SHACL shapes.", _validate)
    p.add_argument("--pyshacl", action="store_true",
                   help="check with pySHACL, the reference SHACL engine, instead of the shapes compiled to SPARQL (slower)")

    command("settings", "List the settings, their environment variables and values.", _settings).add_argument(
        "--markdown", action="store_true", help="as the README's table")

    p = command("serve", "Serve the web front end and SPARQL endpoint (building the store first if there is none).", _serve)
    p.add_argument("--debug", action="store_true", help="Flask's development server instead of Granian")
    return parser


def _shown(setting: settings.Setting) -> str:
    return "none" if setting.default in ("", frozenset()) else str(setting.default)


def _settle(args) -> None:
    """Each setting a subcommand takes: its option, else its environment variable, else its default."""
    for setting in settings.for_command(args.command):
        given = getattr(args, setting.name)
        value = settings.value(setting.name) if given is None else setting.parse(given, setting.option)
        setattr(args, setting.name, value)
    args.store = Path(args.store)


def open_store(args, read_only: bool = True):
    """The embedded store at --store, or the remote SPARQL server at --endpoint."""
    if args.endpoint:
        return RemoteStore.open(args.endpoint, getattr(args, "update_endpoint", None) or None,
                                getattr(args, "graph_store", None) or None, getattr(args, "remote_timeout", None))
    return KnowledgeStore.open(args.store, read_only=read_only)


def _serve(args) -> int:
    return importlib.import_module("mzkg.server.serve").serve(args)  # Flask and Granian load only here


def _settings(args) -> int:
    if args.markdown:
        print(settings.markdown_table(), end="")
        return 0
    for setting in settings.SETTINGS:
        print(f"{setting.env:26} {settings.value(setting.name)!s:30} {setting.help}")
    return 0


def _build(args) -> int:
    corpus = args.corpus or bundled_corpus()
    builder = Builder(args.base, progress=not args.quiet)
    if args.endpoint:
        store = open_store(args)
        report = builder.build_remote(corpus, store, keep_going=args.keep_going)
        _print_report(report, f"Built the dataset at {store.query_url} from {corpus}")
    else:
        report = builder.build(corpus, args.store, keep_going=args.keep_going)
        _print_report(report, f"Built {args.store} from {corpus}")
    return 0


def _load(args) -> int:
    if args.source_url is not None and (len(args.files) != 1 or not is_web_address(args.source_url)):
        raise DocumentError("--source-url", f"{args.source_url!r} must be one http(s) address, given with one file")
    store = open_store(args, read_only=False)
    report = Builder(store.base, progress=False).load(args.files, store, args.source_url, args.force)
    _print_report(report, f"Loaded into {store.path}")
    return 0


def _query(args) -> int:
    store = open_store(args)
    text, saved = _query_text(args.query)
    bindings = dict(_split_param(p) for p in args.param)
    run_query(store, text, sys.stdout.buffer, args.format, saved=saved, bindings=bindings)
    return 0


def _list_queries(args) -> int:
    for q in queries.all_queries():
        params = ", ".join(f"{p.name} ({p.kind})" for p in q.parameters)
        print(f"{q.name:24} {q.title}" + (f"   [parameters: {params}]" if params else ""))
    return 0


def _export(args) -> int:
    store = open_store(args)
    if args.output:
        with open(args.output, "wb") as out:
            export(store, out, args.format, args.graph)
    else:
        export(store, sys.stdout.buffer, args.format, args.graph)
    return 0


def _validate(args) -> int:
    store = open_store(args)
    builder = Builder(store.base, progress=False)
    warnings = builder.check_with_pyshacl(store) if args.pyshacl else builder.check(store)
    for finding in warnings:
        print(finding)
    print(f"{store.path}: conforms to the shapes ({len(warnings)} warning(s))")
    return 0


def _query_text(spec: str) -> tuple[str, queries.SavedQuery | None]:
    try:
        saved = queries.get(spec)
        return saved.text, saved
    except queries.QueryNotFound:
        pass
    path = Path(spec)
    if spec.endswith(".rq") or (len(spec) < 256 and "\n" not in spec and path.is_file()):
        if not path.is_file():
            raise QueryError(f"{spec}: no such query file or saved query")
        text = path.read_text("utf-8")
        return text, queries.parse(path.stem, text)
    return spec, None


def _split_param(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep:
        raise QueryError(f"--param {text!r}: expected NAME=VALUE")
    return name.lstrip("?$"), value


def _print_report(report: BuildReport, heading: str) -> None:
    print(heading)
    columns = ("sections", "measures", "targets", "projects", "triples")
    print(f"{'document':56} " + " ".join(f"{c:>9}" for c in columns))
    totals = dict.fromkeys(columns, 0)
    for doc in report.documents:
        title = doc.metadata.title + (" (title inferred)" if doc.metadata.title_inferred else "")
        print(f"{_fit(title, 56)} " + " ".join(f"{doc.summary[c]:>9}" for c in columns))
        for c in columns:
            totals[c] += doc.summary[c]
    print(f"{'total (' + str(len(report.documents)) + ' documents)':56} " + " ".join(f"{totals[c]:>9}" for c in columns))
    print(f"entailed triples (OWL 2 RL): {report.entailed}")
    for revision in report.revisions:
        print(revision)
    for warning in report.warnings:
        print(f"warning: {warning}")
    for failure in report.failures:
        print(f"skipped: {failure}")


def _fit(text: str, width: int) -> str:
    """Pad or cut text to a display width, counting CJK characters as two columns."""
    out, used = "", 0
    for ch in text:
        w = 2 if ord(ch) > 0x2E80 else 1
        if used + w > width - 1:
            out += "…"
            used += 1
            break
        out += ch
        used += w
    return out + " " * max(0, width - used)


if __name__ == "__main__":
    sys.exit(main())
