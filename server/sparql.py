"""The SPARQL 1.1 Protocol endpoint (query operation only; this endpoint is read-only)."""
from __future__ import annotations

from urllib.parse import parse_qs

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request

from . import guard, negotiation
from .runner import QueryFailed, QueryTimeout
from .state import kg

bp = Blueprint("sparql", __name__)

READ_ONLY = "This endpoint is read-only: SPARQL Update is not accepted."
SD = "http://www.w3.org/ns/sparql-service-description#"


class ProtocolError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@bp.errorhandler(ProtocolError)
def protocol_error(error: ProtocolError):
    return Response(error.message + "\n", status=error.status, mimetype="text/plain")


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"])
def endpoint():
    if request.method == "OPTIONS":
        return Response(status=204)
    query, default_graphs, named_graphs = _read_request()
    if query is None:
        return service_description()
    return run(query, default_graphs, named_graphs)


@bp.after_app_request
def cors(response: Response) -> Response:
    if request.path == "/sparql" or request.path.startswith("/export"):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
    return response


def _read_request() -> tuple[str | None, list[str], list[str]]:
    """The query and the protocol dataset, read as the SPARQL 1.1 Protocol says."""
    url = request.args
    if "update" in url or "using-graph-uri" in url or "using-named-graph-uri" in url:
        raise ProtocolError(400, READ_ONLY)
    if request.method == "GET":
        return _single_query(url.getlist("query")), url.getlist("default-graph-uri"), url.getlist("named-graph-uri")
    media = request.mimetype
    body = request.get_data(cache=True)
    if media == "application/x-www-form-urlencoded":
        form = parse_qs(_utf8(body), keep_blank_values=True)
        if "update" in form:
            raise ProtocolError(400, READ_ONLY)
        if "query" not in form:
            raise ProtocolError(400, "A form-encoded POST must carry a 'query' parameter.")
        return (_single_query(form["query"]), form.get("default-graph-uri", []) + url.getlist("default-graph-uri"),
                form.get("named-graph-uri", []) + url.getlist("named-graph-uri"))
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise ProtocolError(400, f"The request body must be UTF-8, not {charset}.")
    if media == "application/sparql-query":
        return _utf8(body), url.getlist("default-graph-uri"), url.getlist("named-graph-uri")
    if media == "application/sparql-update":
        raise ProtocolError(400, READ_ONLY)
    raise ProtocolError(415, f"Unsupported media type {media or '(none)'}: POST a query as "
                             "application/x-www-form-urlencoded or application/sparql-query.")


def _single_query(values: list[str]) -> str | None:
    if len(values) > 1:
        raise ProtocolError(400, "Exactly one 'query' parameter is allowed.")
    return values[0] if values else None


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


def run(query: str, default_graphs: list[str], named_graphs: list[str]) -> Response:
    try:
        guard.check(query, current_app.config["ALLOWED_SERVICES"], current_app.config["MAX_QUERY_LENGTH"])
    except guard.Refused as refusal:
        raise ProtocolError(refusal.status, str(refusal)) from refusal
    options = {}
    if default_graphs or named_graphs:
        options["default_graph"] = _graphs(default_graphs, "default-graph-uri") or [ox.DefaultGraph()]
        options["named_graphs"] = _graphs(named_graphs, "named-graph-uri")
    else:  # the union of the named graphs, unless the query's own FROM clauses say otherwise
        options["use_default_graph_as_union"] = not guard.declares_dataset(query)
    formats, refusals = _formats()
    try:
        answer = kg().answer(query, formats, base_iri=request.base_url, **options)
    except SyntaxError as error:
        raise ProtocolError(400, f"SPARQL syntax error: {error}") from error
    except QueryFailed as error:
        raise ProtocolError(400, f"The query could not be evaluated: {error}") from error
    except QueryTimeout as error:
        raise ProtocolError(503, str(error)) from error
    if answer.media_type is None:
        raise ProtocolError(406, str(refusals[answer.kind]))
    headers = {"Vary": "Accept"}
    if answer.truncated:
        limit = current_app.config["MAX_ROWS"]
        headers["X-Result-Truncated"] = f"true; the first {limit} results of more are given (KG_MAX_ROWS)"
    return Response(answer.body, mimetype=answer.media_type, headers=headers)


def _formats() -> tuple[dict[str, str], dict[str, Exception]]:
    """The format to answer in for each kind of result, negotiated before the query runs, so the
    answer is written once, where it is computed; and why a kind has none."""
    formats, refusals = {}, {}
    for kinds, offered in ((("solutions", "boolean"), negotiation.RESULTS), (("triples",), negotiation.GRAPHS[:5])):
        try:
            key = negotiation.choose(offered, request.headers.get("Accept"), request.args.get("format"), offered[0]).key
            formats.update(dict.fromkeys(kinds, key))
        except negotiation.NotAcceptable as error:
            refusals.update(dict.fromkeys(kinds, error))
    return formats, refusals


def service_description() -> Response:
    if negotiation.prefers_html(request.headers.get("Accept")) and "format" not in request.args:
        return Response(render_template("editor.html", title="SPARQL"), mimetype="text/html")
    endpoint = request.base_url
    lines = [f"@prefix sd: <{SD}> .", "", f"<{endpoint}> a sd:Service ;", f"    sd:endpoint <{endpoint}> ;",
             "    sd:supportedLanguage sd:SPARQL11Query ;", "    sd:feature sd:UnionDefaultGraph ;"]
    for fmt in negotiation.RESULTS + negotiation.GRAPHS:
        lines.append(f"    sd:resultFormat <{fmt.oxigraph.iri}> ;")
    lines.append("    sd:defaultDataset [ a sd:Dataset ;")
    lines.append("        sd:defaultGraph [ a sd:Graph ] ;")
    for name in kg().graph_names():
        lines.append(f"        sd:namedGraph [ a sd:NamedGraph ; sd:name <{name}> ] ;")
    lines.append("    ] .")
    graph = ox.parse("\n".join(lines) + "\n", ox.RdfFormat.TURTLE)
    try:
        fmt = negotiation.choose(negotiation.GRAPHS[:4], request.headers.get("Accept"), request.args.get("format"),
                                 negotiation.GRAPHS[0])
    except negotiation.NotAcceptable as error:
        raise ProtocolError(406, str(error)) from error
    return Response(ox.serialize(graph, format=fmt.oxigraph), mimetype=fmt.media_type, headers={"Vary": "Accept"})
