"""The SPARQL 1.1 Protocol's query operation, as a WSGI app in front of the Flask app.

Every query sent to /sparql goes through here, so this code reads the WSGI environ itself rather
than going through Flask's request context, URL routing and response hooks, which cost more than
Oxigraph's whole answer to a small query (see the `ASK {}` row of docs/performance.md). What else
/sparql offers, the service description and the query editor, stays in Flask (server/sparql.py).
"""
from __future__ import annotations

import functools
import time
from http import HTTPStatus
from urllib.parse import parse_qs

import pyoxigraph as ox

from mzkg.kg import formats as rdf_formats

from . import access, guard, negotiation
from .answers import RETRY_AFTER, QueryBusy, QueryFailed, QueryOutOfMemory, QueryTimeout

PATH = "/sparql"
READ_ONLY = "This endpoint is read-only: SPARQL Update is not accepted."
CORS = [("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
        ("Access-Control-Allow-Headers", "Accept, Content-Type")]
COMMON = [("X-Content-Type-Options", "nosniff")] + CORS
UPDATE_PARAMETERS = {"update", "using-graph-uri", "using-named-graph-uri"}


class ProtocolError(Exception):
    def __init__(self, status: int, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


class Endpoint:
    """Answers the query operation at /sparql; hands every other request to `app` (the Flask app's
    wsgi_app), including a GET of /sparql without a query (service description, editor)."""

    def __init__(self, store, config: dict, app, error_page=None):
        self.store = store  # a serving.Serving
        self.config = config
        self.app = app
        self.error_page = error_page  # (environ, status, message, query) -> HTML, for browsers

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != PATH:
            return self.app(environ, start_response)
        method = environ["REQUEST_METHOD"]
        params = _parse(environ.get("QUERY_STRING", ""))
        if method in ("GET", "HEAD") and not params.keys() & (UPDATE_PARAMETERS | {"query"}):
            return self.app(environ, start_response)
        started = time.monotonic()
        answer, queries, query_seconds, query = None, 0, 0.0, None
        try:
            if method == "OPTIONS":
                status, headers, body = 204, [], b""
            elif method not in ("GET", "HEAD", "POST"):
                raise ProtocolError(405, f"{method} is not allowed here: send a query with GET or POST.")
            else:
                self.store.refresh()
                query, options, formats, refusals = self.prepare(environ, method, params)
                queries = 1
                answer, query_seconds = self.run(query, formats, options)
                status, headers, body = 200, self.headers(answer, refusals), answer.body
        except ProtocolError as error:
            status, body = error.status, (error.message + "\n").encode()
            headers = [("Content-Type", "text/plain; charset=utf-8")]
            if self.error_page is not None and negotiation.prefers_html(environ.get("HTTP_ACCEPT")):
                body, headers = self.error_page(environ, status, error.message, query)  # a person at a browser
            if status == 405:
                headers.append(("Allow", "GET, POST, OPTIONS"))
            if error.retry_after is not None:
                headers.append(("Retry-After", str(error.retry_after)))
        access.log(method, PATH, status, time.monotonic() - started, len(body), queries, query_seconds,
                   answer.rows if answer else None)
        start_response(f"{status} {HTTPStatus(status).phrase}", headers + COMMON + [("Content-Length", str(len(body)))])
        return [b"" if method == "HEAD" else body]

    def prepare(self, environ, method: str, params: dict) -> tuple[str, dict, dict, dict]:
        """The query, its dataset as query options, and the formats to answer in (see formats_for)."""
        config = self.config
        query, default_graphs, named_graphs = _read_request(environ, method, params, config["max_body"])
        try:
            declares_dataset = guard.check(query, config["allowed_services"], config["max_query_length"])
        except guard.Refused as refusal:
            raise ProtocolError(refusal.status, str(refusal)) from refusal
        options = {"base_iri": _base_url(environ)}
        if default_graphs or named_graphs:
            options["default_graph"] = _graphs(default_graphs, "default-graph-uri") or [ox.DefaultGraph()]
            options["named_graphs"] = _graphs(named_graphs, "named-graph-uri")
        else:  # the union of the named graphs, unless the query's own FROM clauses say otherwise
            options["use_default_graph_as_union"] = not declares_dataset
        formats, refusals = formats_for(environ.get("HTTP_ACCEPT"), (params.get("format") or [None])[0])
        return query, options, formats, refusals

    def run(self, query: str, formats: dict, options: dict):
        """The answer, and the seconds it took (or took to find in the cache)."""
        started = time.monotonic()
        try:
            return self.store.answer(query, formats, **options), time.monotonic() - started
        except SyntaxError as error:
            raise ProtocolError(400, f"SPARQL syntax error: {error}") from error
        except QueryFailed as error:
            raise ProtocolError(400, f"The query could not be evaluated: {error}") from error
        except (QueryTimeout, QueryOutOfMemory) as error:
            raise ProtocolError(503, str(error)) from error
        except QueryBusy as error:
            raise ProtocolError(503, str(error), RETRY_AFTER) from error

    def headers(self, answer, refusals: dict) -> list[tuple[str, str]]:
        if answer.media_type is None:
            raise ProtocolError(406, str(refusals[answer.kind]))
        headers = [("Content-Type", answer.media_type), ("Vary", "Accept")]
        if answer.truncated:
            headers.append(("X-Result-Truncated", f"true; the first {self.config['max_rows']} results of more are given (KG_MAX_ROWS)"))
        return headers


def _parse(text: str) -> dict[str, list[str]]:
    """URL-encoded parameters; WSGI hands over the query string's bytes as Latin-1 characters."""
    return parse_qs(text.encode("latin-1").decode("utf-8", "replace"), keep_blank_values=True, errors="replace")


def _read_request(environ, method: str, url: dict, max_body: int) -> tuple[str, list[str], list[str]]:
    """The query and the protocol dataset, read as the SPARQL 1.1 Protocol says."""
    if url.keys() & UPDATE_PARAMETERS:
        raise ProtocolError(400, READ_ONLY)
    if method != "POST":
        return _single_query(url.get("query", [])), url.get("default-graph-uri", []), url.get("named-graph-uri", [])
    media, _, parameters = environ.get("CONTENT_TYPE", "").partition(";")
    media = media.strip().lower()
    body = _body(environ, max_body)
    if media == "application/x-www-form-urlencoded":
        form = parse_qs(_utf8(body), keep_blank_values=True)
        if "update" in form:
            raise ProtocolError(400, READ_ONLY)
        if "query" not in form:
            raise ProtocolError(400, "A form-encoded POST must carry a 'query' parameter.")
        return (_single_query(form["query"]), form.get("default-graph-uri", []) + url.get("default-graph-uri", []),
                form.get("named-graph-uri", []) + url.get("named-graph-uri", []))
    charset = _charset(parameters)
    if charset not in ("utf-8", "utf8"):
        raise ProtocolError(400, f"The request body must be UTF-8, not {charset}.")
    if media == "application/sparql-query":
        return _utf8(body), url.get("default-graph-uri", []), url.get("named-graph-uri", [])
    if media == "application/sparql-update":
        raise ProtocolError(400, READ_ONLY)
    raise ProtocolError(415, f"Unsupported media type {media or '(none)'}: POST a query as "
                             "application/x-www-form-urlencoded or application/sparql-query.")


def _body(environ, limit: int) -> bytes:
    """The request body; under `kg serve` it was already read, within its deadline, by server/asgi.py."""
    too_large = ProtocolError(413, f"413 Request Entity Too Large: this server accepts request bodies of at most {limit} bytes")
    length = environ.get("CONTENT_LENGTH")
    if length:
        try:
            length = int(length)
        except ValueError:
            raise ProtocolError(400, f"Content-Length is not a number: {length!r}") from None
        if length > limit:
            raise too_large
        return environ["wsgi.input"].read(length)
    body = environ["wsgi.input"].read(limit + 1)  # a chunked body: one byte past the limit tells
    if len(body) > limit:
        raise too_large
    return body


def _charset(parameters: str) -> str:
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return "utf-8"


def _single_query(values: list[str]) -> str:
    if len(values) > 1:
        raise ProtocolError(400, "Exactly one 'query' parameter is allowed.")
    if not values:
        raise ProtocolError(400, "A query request must carry a 'query' parameter.")
    return values[0]


def _utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProtocolError(400, f"The request body is not UTF-8 ({error.reason} at byte {error.start}).") from error


def _graphs(iris: list[str], name: str) -> list[ox.NamedNode]:
    try:
        return [ox.NamedNode(iri) for iri in iris]
    except ValueError as error:
        raise ProtocolError(400, f"{name}: {error}") from error


def _base_url(environ) -> str:
    """The request's URL without its query string, the base for the query's relative IRIs."""
    host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
    return f"{environ['wsgi.url_scheme']}://{host}{environ.get('SCRIPT_NAME', '')}{PATH}"


@functools.lru_cache(maxsize=256)
def formats_for(accept: str | None, requested: str | None) -> tuple[dict[str, str], dict[str, Exception]]:
    """The format to answer in for each kind of result, negotiated before the query runs, so the
    answer is written once, where it is computed; and why a kind has none. (Clients send the same
    few Accept headers again and again, hence the cache.)"""
    formats, refusals = {}, {}
    for kinds, offered in ((("solutions", "boolean"), rdf_formats.RESULTS), (("triples",), rdf_formats.RDF)):
        try:
            key = negotiation.choose(offered, accept, requested, offered[0]).key
            formats.update(dict.fromkeys(kinds, key))
        except negotiation.NotAcceptable as error:
            refusals.update(dict.fromkeys(kinds, error))
    return formats, refusals
