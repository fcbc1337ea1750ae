"""Running the app under Granian (or Flask's development server with --debug)."""
from __future__ import annotations

import os

from kg.build import Builder, bundled_corpus
from kg.store import KnowledgeStore

# Each worker process answers this many requests at once (Granian's advice for WSGI: at most twice the
# cores, plus one); the queries among them share the worker's query processes (KG_QUERY_PROCESSES), so
# a long query does not hold up pages and cached answers.
THREADS = 2 * (os.cpu_count() or 1) + 1
# What the workers serve, handed to them through the environment (they are fresh interpreters).
STORE, ENDPOINT = "KG_SERVE_STORE", "KG_SERVE_ENDPOINT"

# One JSON line per request on standard output: path, status, time, queries, query time, rows.
ACCESS_LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(message)s"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "line", "stream": "ext://sys.stdout"},
                 "stderr": {"class": "logging.StreamHandler", "formatter": "line", "stream": "ext://sys.stderr"}},
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {"mzkg.access": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
                "_granian": {"handlers": ["stderr"], "level": "INFO", "propagate": False}},
}


def worker_app():
    """The app in a worker process: every worker opens the store itself, read-only, and starts its
    query processes before it takes requests."""
    from . import create_app
    from .runner import ServingStore

    app = create_app(os.environ.get(STORE) or None, endpoint=os.environ.get(ENDPOINT) or None)
    store = app.extensions["mzkg.store"]
    if isinstance(store, ServingStore):
        store.runner.start()
    return app


def serve(args) -> int:
    if not args.endpoint and not KnowledgeStore.exists(args.store):
        print(f"No store at {args.store}; building it from the bundled corpus first.", flush=True)
        Builder(progress=False).build(bundled_corpus(), args.store)
    url = f"http://{args.host}:{args.port}/"
    print(f"Serving {args.endpoint or args.store} at {url}", flush=True)
    if args.debug:
        from . import create_app

        create_app(args.store, endpoint=args.endpoint).run(host=args.host, port=args.port, debug=True)
        return 0
    from granian import Granian
    from granian.constants import Interfaces

    os.environ[STORE], os.environ[ENDPOINT] = str(args.store), args.endpoint or ""
    Granian(f"{__name__}:worker_app", factory=True, interface=Interfaces.WSGI, address=args.host, port=args.port,
            workers=args.workers, blocking_threads=THREADS, websockets=False, log_dictconfig=ACCESS_LOGGING,
            workers_kill_timeout=10, respawn_failed_workers=True).serve()
    return 0
