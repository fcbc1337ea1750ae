"""Running the app under Granian (or Flask's development server with --debug)."""
from __future__ import annotations

import os
from pathlib import Path

from mzkg import settings
from mzkg.kg.build import Builder, bundled_corpus
from mzkg.kg.store import KnowledgeStore

STATIC = Path(__file__).parent / "static"

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
    """The app in a worker process (a fresh interpreter): it reads the settings `kg serve` put in its
    environment, opens the store itself, read-only, and starts its query processes before it takes
    requests; the ASGI front (server/asgi.py) reads request bodies before the app sees them."""
    from . import create_app
    from .asgi import Front

    app = create_app()
    app.extensions["mzkg.store"].start()
    return Front(app.wsgi_app, app.config["MZKG"])


def serve(args) -> int:
    if not args.endpoint and not KnowledgeStore.exists(args.store):
        print(f"No store at {args.store}; building it from the bundled corpus first.", flush=True)
        Builder(progress=False).build(bundled_corpus(), args.store)
    url = f"http://{args.host}:{args.port}/"
    print(f"Serving {args.endpoint or args.store} at {url}", flush=True)
    for setting in settings.for_command("serve"):  # the workers read them as any other process would
        value = getattr(args, setting.name)
        os.environ[setting.env] = " ".join(sorted(value)) if setting.type is frozenset else str(value)
    if args.debug:
        from . import create_app

        create_app().run(host=args.host, port=args.port, debug=True)
        return 0
    from granian import Granian
    from granian.constants import Interfaces

    Granian(f"{__name__}:worker_app", factory=True, interface=Interfaces.ASGINL, address=args.host, port=args.port,
            workers=args.workers, websockets=False, log_dictconfig=ACCESS_LOGGING,
            static_path_route=["/static"], static_path_mount=[STATIC], static_path_expires=3600,
            workers_kill_timeout=10, respawn_failed_workers=True).serve()
    return 0
