"""The Flask app: its settings, safeguards, access log and blueprints."""
from __future__ import annotations

import os
import time
from pathlib import Path

from flask import Flask

import queries

from kg.remote import RemoteStore
from kg.store import KnowledgeStore

from . import access, protocol
from .runner import QueryFailed, QueryRunner, QueryTimeout, RemoteServing, ServingStore


def settings() -> dict:
    """Limits and allow-lists, from the environment; see the README for what each does."""
    return {
        "MAX_QUERY_LENGTH": int(os.environ.get("KG_MAX_QUERY_LENGTH", 20_000)),
        "MAX_CONTENT_LENGTH": int(os.environ.get("KG_MAX_BODY", 1_048_576)),
        "ALLOWED_SERVICES": frozenset(os.environ.get("KG_ALLOWED_SERVICES", "").split()),
        "QUERY_TIMEOUT": float(os.environ.get("KG_QUERY_TIMEOUT", 30)),
        "MAX_ROWS": int(os.environ.get("KG_MAX_ROWS", 100_000)),
        "QUERY_PROCESSES": int(os.environ.get("KG_QUERY_PROCESSES", 2)),
    }


CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                           "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
                           "form-action 'self'; frame-ancestors 'none'")


def create_app(store_path: str | Path | None = None, endpoint: str | None = None, **config) -> Flask:
    """The app over the embedded store at store_path, or over a remote SPARQL query endpoint."""
    app = Flask(__name__)
    app.config.update(JSON_AS_ASCII=False, **settings())
    app.config.update(config)
    if endpoint:
        app.extensions["mzkg.store"] = RemoteServing(RemoteStore.open(endpoint), app.config["QUERY_TIMEOUT"], app.config["MAX_ROWS"])
    else:
        store = KnowledgeStore.open(store_path, read_only=True)
        runner = QueryRunner(store.opened, app.config["QUERY_TIMEOUT"], app.config["MAX_ROWS"], app.config["QUERY_PROCESSES"])
        app.extensions["mzkg.store"] = ServingStore(store, runner)

    from . import entities, gallery, site, sparql

    app.register_blueprint(sparql.bp)
    app.register_blueprint(gallery.bp)
    app.register_blueprint(site.bp)
    app.register_blueprint(entities.bp)  # last: it answers every path under the data base
    app.wsgi_app = protocol.Endpoint(app.extensions["mzkg.store"], app.config, app.wsgi_app)

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

    @app.errorhandler(QueryFailed)
    def query_failed(error):
        return _message_page(400, "Query failed", str(error))

    @app.errorhandler(413)
    def too_large(error):
        limit = app.config["MAX_CONTENT_LENGTH"]
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


PREFIXES = {
    "mz": "https://w3id.org/mzkg/ontology#", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/", "xsd": "http://www.w3.org/2001/XMLSchema#", "prov": "http://www.w3.org/ns/prov#",
}


def editor_config() -> dict:
    from flask import request

    return {"endpoint": "/sparql", "prefixes": PREFIXES, "query": request.args.get("query", ""),
            "examples": {q.name: q.text for q in queries.all_queries()}}
