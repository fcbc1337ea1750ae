"""The Flask app: its settings, safeguards, access log and blueprints."""
from __future__ import annotations

import functools
import time
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask

from mzkg import queries, settings
from mzkg.kg.remote import RemoteStore
from mzkg.kg.store import KnowledgeStore
from mzkg.ontology import PREFIXES

from . import access, protocol
from .answers import RETRY_AFTER, QueryBusy, QueryFailed, QueryOutOfMemory, QueryTimeout
from .serving import Serving


def serving_settings(overrides: dict) -> dict:
    """The serving settings by name: from the environment (see mzkg.settings), then the overrides."""
    config = {s.name: settings.value(s.name) for s in settings.for_command("serve")}
    unknown = overrides.keys() - config.keys()
    if unknown:
        raise TypeError(f"not serving settings: {', '.join(sorted(unknown))}")
    return {**config, **overrides}


CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                           "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
                           "form-action 'self'; frame-ancestors 'none'")


def create_app(store_path: str | Path | None = None, endpoint: str | None = None, **overrides) -> Flask:
    """The app over the embedded store at store_path, or over a remote SPARQL query endpoint (by
    default, the store and endpoint settings); overrides name serving settings (query_timeout=2)."""
    app = Flask(__name__)
    config = serving_settings(overrides)
    app.config.update(JSON_AS_ASCII=False, MZKG=config, MAX_CONTENT_LENGTH=config["max_body"])
    endpoint = endpoint or (None if store_path else settings.value("endpoint"))
    if endpoint:
        store = RemoteStore.open(endpoint)
    else:
        store = KnowledgeStore.open(store_path or settings.value("store"), read_only=True)
    app.extensions["mzkg.store"] = Serving(store, config)

    from . import dataset, entities, gallery, site, sparql

    app.register_blueprint(sparql.bp)
    app.register_blueprint(dataset.bp)
    app.register_blueprint(gallery.bp)
    app.register_blueprint(site.bp)
    app.register_blueprint(entities.bp)  # last: it answers every path under the data base
    app.wsgi_app = protocol.Endpoint(app.extensions["mzkg.store"], config, app.wsgi_app, functools.partial(_query_error_page, app))

    @app.errorhandler(404)
    @app.errorhandler(405)
    def http_error(error):
        return _message_page(error.code, f"{error.code} {error.name}", error.description)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            response.headers.setdefault("X-Frame-Options", "DENY")
            response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    @app.before_request
    def start_clock():
        from flask import g

        g.started = time.monotonic()
        app.extensions["mzkg.store"].refresh()

    @app.after_request
    def access_log(response):
        from flask import g, request

        access.log(request.method, request.path, response.status_code, time.monotonic() - g.get("started", time.monotonic()),
                   response.calculate_content_length(), g.get("queries", 0), g.get("query_seconds", 0.0), g.get("query_rows"))
        return response

    @app.errorhandler(QueryTimeout)
    def query_timeout(error):
        return _message_page(503, "Query timed out", str(error))

    @app.errorhandler(QueryBusy)
    def query_busy(error):
        page, status, *headers = _message_page(503, "Server busy", str(error))
        return page, status, {**(headers[0] if headers else {}), "Retry-After": str(RETRY_AFTER)}

    @app.errorhandler(QueryOutOfMemory)
    def query_out_of_memory(error):
        return _message_page(503, "Query stopped", str(error))

    @app.errorhandler(QueryFailed)
    def query_failed(error):
        return _message_page(400, "Query failed", str(error))

    @app.errorhandler(413)
    def too_large(error):
        limit = config["max_body"]
        return f"413 Request Entity Too Large: this server accepts request bodies of at most {limit} bytes\n", 413, \
            {"Content-Type": "text/plain; charset=utf-8"}

    @app.context_processor
    def helpers():
        return {"saved_queries": queries.all_queries, "editor_config": editor_config}

    return app


def _message_page(status: int, title: str, message: str):
    from flask import render_template, request

    from .negotiation import prefers_html

    if prefers_html(request.headers.get("Accept")):
        return render_template("error.html", title=title, message=message), status
    return f"{title}: {message}\n", status, {"Content-Type": "text/plain; charset=utf-8"}


def _query_error_page(app, environ, status: int, message: str, query: str | None) -> tuple[bytes, list]:
    """What a browser that sent /sparql a query it could not answer gets: the message in the site's
    frame, what it means, and the way back to the editor with the query."""
    from flask import render_template

    with app.request_context(environ):
        page = render_template("query-error.html", title=f"{status} {HTTPStatus(status).phrase}", status=status,
                               message=message, editor="/editor?" + urlencode({"query": query}) if query else "/editor")
    return page.encode("utf-8"), [("Content-Type", "text/html; charset=utf-8"), ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
                                  ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin")]


def editor_config() -> dict:
    from flask import request

    return {"endpoint": "/sparql", "prefixes": PREFIXES, "query": request.args.get("query", ""),
            "examples": {q.name: q.text for q in queries.all_queries()}}
