"""Home, search, the ontology's documentation, dumps and the query editor."""
from __future__ import annotations

import json
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, abort, redirect, render_template, request, send_file, url_for

from mzkg import queries
from mzkg.kg import formats
from mzkg.kg import search as search_index
from mzkg.kg.vocabulary import shapes_graph
from mzkg.ontology import ONTOLOGY_IRI, ontology_file

from . import label_search, negotiation
from .labels import href, links, short
from .state import kg

bp = Blueprint("site", __name__)


@bp.route("/")
def home():
    saved = queries.get("plans")
    rows = list(kg().query(saved.text))
    names = links({r["plan"].value for r in rows})
    plans = [{"link": names[r["plan"].value], "place": r["jurisdictionLabel"].value if r["jurisdictionLabel"] else "",
              "province": r["provinceLabel"].value if r["provinceLabel"] else "",
              "kind": r["kind"].value.rsplit("#", 1)[-1] if r["kind"] else "",
              "period": "–".join(str(r[v].value) for v in ("periodStart", "periodEnd") if r[v] is not None)}
             for r in rows]
    return render_template("home.html", title="民政政策知识图谱", plans=plans, saved=queries.all_queries())


@bp.route("/favicon.ico")
def favicon():
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.route("/healthz")
def healthz():
    store = kg()
    triples = next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")))["n"].value
    return {"status": "ok", "generation": store.generation, "triples": int(triples),
            "graphs": len(store.graph_names())}


@bp.route("/editor")
def editor():
    return render_template("editor.html", title="SPARQL editor")


@bp.route("/search")
def search():
    """Every occurrence of a word or phrase in the documents' text (grouped by document, with facets and
    pages), and beside them the resources whose labels match."""
    q = request.args.get("q", "").strip()
    found, error = _text_search(q) if q else (None, None)
    labels = label_search.search(q) if q else []
    pages = -(-found.documents // PER_PAGE) if found else 0
    named = ({value for value, _ in found.facets["areas"]} | {ONTOLOGY_IRI + "#" + value for value, _ in found.facets["kind"]}
             if found else set())
    labelled = links(named)
    shown = {value.rsplit("#", 1)[-1] if value.startswith(ONTOLOGY_IRI) else value: link.label for value, link in labelled.items()}
    return render_template("search.html", title=f"搜索 Search: {q}" if q else "搜索 Search", q=q, results=labels, found=found,
                           error=error, pages=pages, page=_page(), facet_names=FACET_NAMES, args=request.args.to_dict(), href=href,
                           shown=shown)


@bp.route("/search.json")
def search_json():
    q = request.args.get("q", "").strip()
    if not q:
        return {"error": "q: give a word or phrase to find"}, 400
    found, error = _text_search(q)
    if error:
        return {"error": f"q: {error}"}, 400
    answer = {**search_index.results_json(found, href), "page": _page(), "per_page": PER_PAGE}
    if request.args.get("labels"):  # the label hits too (their index is built once per generation, slowly on large stores)
        answer["labels"] = [{"label": r["matched"], "page": r["link"].href, "iri": r["link"].iri, "types": r["types"]} for r in label_search.search(q)]
    return answer


PER_PAGE = 20
FACET_NAMES = {"province": "省份 province", "place": "地区 place", "level": "层级 level", "kind": "文件类型 kind",
               "year": "年份 year", "areas": "政策领域 policy area"}


def _page() -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


def _text_search(q: str):
    index = _index(getattr(kg().store, "snapshot", None))
    if index is None:
        return None, "this store has no text index (a remote store); only labels are searched"
    filters = {name: request.args.get(name, "") for name in search_index.FACETS}
    try:
        return index.search(q, filters, _page(), PER_PAGE), None
    except search_index.QueryError as error:
        return None, str(error)


@lru_cache(maxsize=4)
def _index(snapshot: str | None) -> "search_index.Index | None":
    """The text index published with the snapshot being served (each snapshot has its own)."""
    path = search_index.index_of(Path(snapshot)) if snapshot else None
    return search_index.Index(path) if path is not None and path.exists() else None


@bp.route("/ontology")
def ontology_page():
    """The ontology: its documentation for browsers, else its RDF in the format the Accept header asks for."""
    if negotiation.prefers_html(request.headers.get("Accept")):
        response = Response(render_template("ontology.html", title="Ontology", **_ontology_terms()), mimetype="text/html")
        response.headers["Vary"] = "Accept"
        return response
    return _rdf_file(ontology_file().read_text("utf-8"), "ontology")


@bp.route("/ontology.<fmt>")
def ontology_file_as(fmt: str):
    return _rdf_file(ontology_file().read_text("utf-8"), "ontology", fmt)


@bp.route("/shapes")
@bp.route("/shapes.<fmt>")
def shapes(fmt: str | None = None):
    """The SHACL shapes (the namespace https://w3id.org/mzkg/shapes#): shapes.ttl and those made from
    the ontology's domains and ranges."""
    return _rdf_file(_shapes_turtle(), "shapes", fmt)


@lru_cache(maxsize=1)
def _shapes_turtle() -> str:
    return shapes_graph().serialize(format="turtle")


@bp.route("/context.jsonld")
def jsonld_context():
    """The @context the RDF pages in JSON-LD carry: the prefixes of ontology.PREFIXES."""
    return Response(json.dumps(formats.jsonld_context(), indent=2), mimetype="application/ld+json",
                    headers={"Access-Control-Allow-Origin": "*"})


def _rdf_file(text: str, name: str, fmt: str | None = None) -> Response:
    """Turtle as Turtle, or converted to the format asked for (suffix or Accept)."""
    if fmt is not None and fmt not in formats.BY_KEY:
        abort(404)
    try:
        chosen = negotiation.choose(formats.GRAPHS, request.headers.get("Accept"), fmt, formats.GRAPHS[0])
    except negotiation.NotAcceptable as error:
        return Response(str(error) + "\n", status=406, mimetype="text/plain")
    body = text if chosen.key == "ttl" else formats.serialize(ox.parse(text, ox.RdfFormat.TURTLE), chosen)
    return Response(body, mimetype=chosen.media_type, headers={"Vary": "Accept", "Access-Control-Allow-Origin": "*",
                                                               "Content-Disposition": f'inline; filename="{name}.{chosen.key}"'})


def _ontology_terms() -> dict:
    graph = kg().graph(kg().minter.graph("ontology"))
    from rdflib import OWL, RDF, RDFS, SKOS, URIRef

    def text(subject, predicate, language):
        return next((str(o) for o in graph.objects(subject, predicate) if getattr(o, "language", None) == language), "")

    def describe(subject):
        return {"id": str(subject).rsplit("#", 1)[-1], "iri": str(subject),
                "zh": text(subject, RDFS.label, "zh"), "en": text(subject, RDFS.label, "en"),
                "definition_zh": text(subject, SKOS.definition, "zh"), "definition_en": text(subject, SKOS.definition, "en"),
                "parents": [str(o).rsplit("#", 1)[-1] if str(o).startswith(ONTOLOGY_IRI) else _short(o)
                            for o in graph.objects(subject, RDFS.subClassOf) if isinstance(o, URIRef)]
                           + [_short(o) for o in graph.objects(subject, RDFS.subPropertyOf)],
                "domain": _classes(graph, graph.value(subject, RDFS.domain)),
                "range": _classes(graph, graph.value(subject, RDFS.range))}

    ours = lambda s: isinstance(s, URIRef) and str(s).startswith(ONTOLOGY_IRI + "#")
    classes = sorted((describe(s) for s in graph.subjects(RDF.type, OWL.Class) if ours(s)), key=lambda c: c["id"])
    objects = sorted((describe(s) for s in graph.subjects(RDF.type, OWL.ObjectProperty) if ours(s)), key=lambda c: c["id"])
    data = sorted((describe(s) for s in graph.subjects(RDF.type, OWL.DatatypeProperty) if ours(s)), key=lambda c: c["id"])
    return {"classes": classes, "object_properties": objects, "datatype_properties": data, "diagram": _diagram(classes, objects)}


def _short(term) -> str:
    return short(str(term))


def _classes(graph, node) -> list[str]:
    from rdflib import OWL
    from rdflib.collection import Collection

    if node is None:
        return []
    union = graph.value(node, OWL.unionOf)
    members = list(Collection(graph, union)) if union is not None else [node]
    return [str(m).rsplit("#", 1)[-1] if str(m).startswith(ONTOLOGY_IRI) else _short(m) for m in members]


def _diagram(classes: list[dict], properties: list[dict]) -> dict:
    """An SVG layout: the ontology's classes in columns by subclass depth, object properties as arrows."""
    parents = {c["id"]: [p for p in c["parents"] if ":" not in p] for c in classes}

    def depth(name, seen=()):
        ps = [p for p in parents.get(name, []) if p not in seen]
        return 0 if not ps else 1 + max(depth(p, seen + (name,)) for p in ps)

    columns = defaultdict(list)
    for c in classes:
        columns[depth(c["id"])].append(c["id"])
    width, height, gap = 190, 26, 8
    boxes = {}
    for col, names in sorted(columns.items()):
        for row, name in enumerate(names):
            boxes[name] = {"x": 10 + col * (width + 120), "y": 10 + row * (height + gap), "w": width, "h": height, "name": name}
    edges = [{"from": boxes[c["id"]], "to": boxes[p], "kind": "sub"} for c in classes for p in parents[c["id"]] if p in boxes]
    for prop in properties:
        for d in prop["domain"][:1]:
            for r in prop["range"][:1]:
                if d in boxes and r in boxes and d != r:
                    edges.append({"from": boxes[d], "to": boxes[r], "kind": "prop", "label": prop["id"]})
    size = {"w": max(b["x"] + width for b in boxes.values()) + 20, "h": max(b["y"] + height for b in boxes.values()) + 20}
    return {"boxes": list(boxes.values()), "edges": edges, "size": size}


@bp.route("/original/<sha256>")
def original(sha256: str):
    """A source file as it was loaded, under its digest; sent as an attachment, never rendered here
    (a saved page's scripts must not run on this site)."""
    path = getattr(kg().store, "original", lambda _: None)(sha256)
    if path is None:
        abort(404, "No source file with this digest is kept by this store.")
    rows = list(kg().query(f"""SELECT ?name ?type WHERE {{ ?f <{ONTOLOGY_IRI}#sha256> "{sha256}" ;
                           <{ONTOLOGY_IRI}#fileName> ?name ; <http://www.w3.org/ns/dcat#mediaType> ?type }} LIMIT 1"""))
    name, media_type = ((rows[0]["name"].value, rows[0]["type"].value.rsplit("media-types/", 1)[-1]) if rows
                        else (sha256, "application/octet-stream"))
    response = send_file(path, mimetype=media_type, as_attachment=True, download_name=name, max_age=31536000)
    response.headers["Content-Security-Policy"] = "sandbox"
    return response


@bp.route("/export.<fmt>")
def dump(fmt: str):
    return _dump(fmt, None)


@bp.route("/export/<path:graph>.<fmt>")
def dump_graph(graph: str, fmt: str):
    iri = kg().minter(graph)
    if not kg().minter.is_graph(iri) or iri not in kg().graph_names():
        abort(404)
    return _dump(fmt, iri)


def _dump(key: str, graph: str | None) -> Response:
    fmt = formats.BY_KEY.get(key)
    if fmt is None or fmt.kind == "results":
        abort(404)
    filename = (graph.rsplit("/", 1)[-1] if graph else "mzkg") + "." + key
    return Response(kg().dump(key, graph), mimetype=fmt.media_type,
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})
