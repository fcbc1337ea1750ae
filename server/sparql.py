"""The SPARQL endpoint's own description (and the query editor, for a browser)."""
from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request

from mzkg.kg import formats

from . import negotiation, protocol
from .state import kg

bp = Blueprint("sparql", __name__)

SD = "http://www.w3.org/ns/sparql-service-description#"


@bp.errorhandler(protocol.ProtocolError)
def protocol_error(error: protocol.ProtocolError):
    return Response(error.message + "\n", status=error.status, mimetype="text/plain")


@bp.after_app_request
def cors(response: Response) -> Response:
    if request.path == protocol.PATH or request.path.startswith("/export"):
        response.headers.extend(protocol.CORS)
    return response


@bp.route(protocol.PATH)
def service_description() -> Response:
    """A GET without a query: the service description, or the editor for a browser. Queries are
    answered before they reach Flask, by server.protocol.Endpoint."""
    if negotiation.prefers_html(request.headers.get("Accept")) and "format" not in request.args:
        return Response(render_template("editor.html", title="SPARQL"), mimetype="text/html")
    endpoint = request.base_url
    lines = [f"@prefix sd: <{SD}> .", "", f"<{endpoint}> a sd:Service ;", f"    sd:endpoint <{endpoint}> ;",
             "    sd:supportedLanguage sd:SPARQL11Query ;", "    sd:feature sd:UnionDefaultGraph ;"]
    for fmt in formats.RESULTS + formats.GRAPHS:  # what a query's answer can be written in (no dataset formats)
        lines.append(f"    sd:resultFormat <{fmt.oxigraph.iri}> ;")
    lines.append(f"    <http://www.w3.org/2000/01/rdf-schema#seeAlso> <{request.host_url}.well-known/void> ;")
    lines.append("    sd:defaultDataset [ a sd:Dataset ;")
    lines.append("        sd:defaultGraph [ a sd:Graph ] ;")
    for name in kg().graph_names():
        lines.append(f"        sd:namedGraph [ a sd:NamedGraph ; sd:name <{name}> ] ;")
    lines.append("    ] .")
    graph = ox.parse("\n".join(lines) + "\n", ox.RdfFormat.TURTLE)
    try:
        fmt = negotiation.choose(formats.GRAPHS, request.headers.get("Accept"), request.args.get("format"), formats.GRAPHS[0])
    except negotiation.NotAcceptable as error:
        raise protocol.ProtocolError(406, str(error)) from error
    return Response(ox.serialize(graph, format=fmt.oxigraph), mimetype=fmt.media_type, headers={"Vary": "Accept"})
