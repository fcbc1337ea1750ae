"""Running the app under gunicorn (or Flask's development server with --debug)."""
from __future__ import annotations

from gunicorn.app.base import BaseApplication

from kg.build import Builder, bundled_corpus
from kg.store import KnowledgeStore


# One JSON line per request on standard output: path, status, time, queries, query time, rows.
ACCESS_LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(message)s"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "line", "stream": "ext://sys.stdout"},
                 "stderr": {"class": "logging.StreamHandler", "formatter": "line", "stream": "ext://sys.stderr"}},
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {"mzkg.access": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
                "gunicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False}},
}


class _Gunicorn(BaseApplication):
    def __init__(self, store: str, endpoint: str | None, options: dict):
        self.store = store
        self.endpoint = endpoint
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):  # runs in each worker: every worker opens the store itself, read-only
        from . import create_app

        return create_app(self.store, endpoint=self.endpoint)


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
    options = {"bind": f"{args.host}:{args.port}", "workers": args.workers, "preload_app": False,
               "graceful_timeout": 10, "timeout": 120, "loglevel": "info", "logconfig_dict": ACCESS_LOGGING}
    _Gunicorn(str(args.store), args.endpoint, options).run()
    return 0
