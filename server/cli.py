"""The `kg` command with `kg serve`: the knowledge-graph commands of kg.cli plus the web server."""
from __future__ import annotations

import sys

from kg.cli import build_parser, main as kg_main


def serve(args) -> int:
    from .serve import serve as run  # Flask and Granian load only for `kg serve`

    return run(args)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    p = parser.get_default("add_command")("serve", "Serve the web front end and SPARQL endpoint (building the store first if there is none).", serve)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=2, help="worker processes, each opening the store read-only")
    p.add_argument("--debug", action="store_true", help="Flask's development server instead of Granian")
    return kg_main(argv, parser)


if __name__ == "__main__":
    sys.exit(main())
