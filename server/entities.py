"""Entity pages: every IRI minted under the data base dereferences here, as HTML for browsers
and as RDF (Turtle, N-Triples, JSON-LD, RDF/XML) by Accept header or file suffix."""
from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, abort, redirect, render_template, request

from mzkg import queries
from mzkg.kg import formats
from mzkg.ontology import MZ

from . import document_text, negotiation
from .comparison import indicator_comparison, level_above
from .labels import Link, href, iri_for_path, links, short
from .state import kg

bp = Blueprint("entities", __name__)

SUFFIXES = {"." + fmt.key: fmt.key for fmt in formats.GRAPHS}
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
CONTEXT = 160


@dataclass
class Value:
    text: str
    link: Link | None = None
    language: str | None = None
    datatype: str | None = None
    entailed: bool = False


@dataclass
class Property:
    iri: str
    link: Link
    values: list[Value] = field(default_factory=list)


@bp.route("/<path:path>")
def entity(path: str):
    requested = None
    for suffix, key in SUFFIXES.items():
        if path.endswith(suffix):
            path, requested = path[: -len(suffix)], key
            break
    iri = iri_for_path(path)
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        abort(404)
    if kg().minter.is_graph(iri):
        return graph_name(iri, path, requested)
    if requested is None and negotiation.prefers_html(request.headers.get("Accept")):
        return html(node)
    try:
        fmt = negotiation.choose(formats.GRAPHS, request.headers.get("Accept"), requested, formats.GRAPHS[0])
    except negotiation.NotAcceptable as error:
        return Response(str(error) + "\n", status=406, mimetype="text/plain")
    triples = description(node)
    if not triples:
        abort(404)
    return Response(formats.serialize(triples, fmt), mimetype=fmt.media_type,
                    headers={"Vary": "Accept", "Access-Control-Allow-Origin": "*"})


def graph_name(iri: str, path: str, requested: str | None):
    """A graph's name: see its triples (303), as a dump in the format asked for, or for a browser the
    page of the document whose graph it is."""
    if iri not in kg().graph_names():
        abort(404)
    document = kg().minter.graph_prefix + "doc/"
    if requested is None and negotiation.prefers_html(request.headers.get("Accept")) and iri.startswith(document):
        return redirect(href(kg().minter.document(iri[len(document):])), 303)
    try:
        fmt = negotiation.choose(formats.GRAPHS, request.headers.get("Accept"), requested, formats.GRAPHS[0])
    except negotiation.NotAcceptable as error:
        return Response(str(error) + "\n", status=406, mimetype="text/plain")
    return redirect(f"/export/{path}.{fmt.key}", 303)


IS_VERSION_OF = "http://purl.org/dc/terms/isVersionOf"
INBOUND_SHOWN = 300  # links to a resource its HTML page lists (grouped by property; the rest in the editor)
INBOUND = 1000  # links to a resource an RDF page lists at most (a document has thousands of parts)


def description(node: ox.NamedNode) -> list[ox.Triple]:
    """What the store asserts about a resource, the labels of the resources it links to, and the
    links to it (with their subjects' labels); entailed triples left out."""
    entailed = ox.Literal(kg().minter.entailments_prefix)
    own = list(kg().query(f'CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(!STRSTARTS(STR(?g), {entailed})) }}',
                          substitutions={ox.Variable("s"): node}))
    if not own:
        return []
    labels = f"VALUES ?label {{ <{RDFS_LABEL}> <http://www.w3.org/2004/02/skos/core#prefLabel> }}"
    around = list(kg().query(f"""CONSTRUCT {{ ?o ?label ?l . ?i ?ip <{node.value}> . ?i ?label ?il }} WHERE {{
        {{ <{node.value}> ?p ?o FILTER(isIRI(?o)) {labels} ?o ?label ?l }}
        UNION {{ {{ SELECT ?i ?ip WHERE {{ GRAPH ?g {{ ?i ?ip <{node.value}> }} FILTER(!STRSTARTS(STR(?g), {entailed})) }}
                  LIMIT {INBOUND} }} OPTIONAL {{ {labels} ?i ?label ?il }} }} }}"""))
    return list(dict.fromkeys(own + around))


def html(node: ox.NamedNode):
    iri = node.value
    rows = list(kg().query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", substitutions={ox.Variable("s"): node}))
    if not rows:
        abort(404)
    inbound = list(kg().query(f"SELECT DISTINCT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT {INBOUND_SHOWN}",
                              substitutions={ox.Variable("o"): node}))
    names = links({iri} | {r["p"].value for r in rows} | {r["o"].value for r in rows if isinstance(r["o"], ox.NamedNode)}
                  | {r["s"].value for r in inbound} | {r["p"].value for r in inbound})
    properties: dict[str, Property] = {}
    seen = set()
    is_entailed = kg().minter.is_entailed
    for row in sorted(rows, key=lambda r: is_entailed(r["g"].value)):
        p, o = row["p"].value, row["o"]
        if (p, str(o)) in seen or p == str(MZ.fullText):
            continue
        seen.add((p, str(o)))
        prop = properties.setdefault(p, Property(p, names[p]))
        entailed = is_entailed(row["g"].value)
        if isinstance(o, ox.NamedNode):
            prop.values.append(Value(names[o.value].label, names[o.value], entailed=entailed))
        elif isinstance(o, ox.Literal):
            prop.values.append(Value(o.value, language=o.language, datatype=short(o.datatype.value) if not o.language else None,
                                     entailed=entailed))
    types = [v.link for v in properties.pop(RDF_TYPE, Property(RDF_TYPE, names[RDF_TYPE])).values if v.link]
    incoming = defaultdict(list)
    for row in inbound:
        incoming[row["p"].value].append(names[row["s"].value])
    totals = {row["p"].value: int(row["n"].value) for row in kg().query(
        f"SELECT ?p (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p {node} }} GROUP BY ?p")} \
        if len(inbound) >= INBOUND_SHOWN else {p: len(subjects) for p, subjects in incoming.items()}
    type_iris = {t.iri for t in types}
    context = {
        "title": names[iri].label, "iri": iri, "types": types, "properties": list(properties.values()),
        "incoming": [(names[p], sorted(subjects, key=lambda link: link.label), totals.get(p, len(subjects)), _all_linking(p, iri))
                     for p, subjects in sorted(incoming.items(), key=lambda item: names[item[0]].label)], "names": names,
        "formats": SUFFIXES, "passage": _passage(node), "document": None, "chart": None, "comparison": None, "above": None,
    }
    context["queries_here"] = _queries_about(iri, {t.rsplit("#", 1)[-1] for t in type_iris if t.startswith(str(MZ))})
    if str(MZ.PolicyDocument) in type_iris or str(MZ.DocumentVersion) in type_iris:
        context["document"] = _document(node)
        work = next((v.link.iri for v in properties[IS_VERSION_OF].values if v.link), iri) if IS_VERSION_OF in properties else iri
        context["history"] = _history(work, iri)
        graph = next((r["g"].value for r in rows if not is_entailed(r["g"].value)), None)
        context["exports"] = [(fmt.key, f"/export/{graph[len(kg().base):]}.{fmt.key}") for fmt in formats.RDF] if graph else []
    if str(MZ.Indicator) in type_iris:
        context["comparison"], context["chart"] = indicator_comparison(iri)
    if str(MZ.IndicatorTarget) in type_iris:
        context["above"] = level_above("target", iri).get(iri, [])
    return render_template("entity.html", **context), {"Vary": "Accept"}


def _all_linking(predicate: str, iri: str) -> str:
    """The editor, with a query for everything that links to iri by predicate."""
    query = (f"SELECT ?s ?label WHERE {{\n  ?s <{predicate}> <{iri}> .\n"
             "  OPTIONAL { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }\n} ORDER BY ?label")
    return "/editor?" + urlencode({"query": query})


def _queries_about(iri: str, classes: set[str]) -> list[tuple[str, str]]:
    """The saved queries with a parameter that expects a resource of one of these classes, each
    linked with this resource filled in."""
    return [(saved.title, f"/queries/{saved.name}?{urlencode({p.name: iri})}")
            for saved in queries.all_queries() for p in saved.parameters if p.classes & classes]


def _passage(node: ox.NamedNode) -> dict | None:
    """The passage an extracted node came from, with some text around it."""
    query = f"""SELECT ?node ?doc ?start ?end ?full WHERE {{
        ?node <{MZ.source}> ?p . ?p <{MZ.startOffset}> ?start ; <{MZ.endOffset}> ?end ; <{MZ.inDocument}> ?doc .
        ?doc <{MZ.fullText}> ?full }} LIMIT 1"""
    rows = list(kg().query(query, substitutions={ox.Variable("node"): node}))
    if not rows:
        return None
    row = rows[0]
    start, end, full = int(row["start"].value), int(row["end"].value), row["full"].value
    return {
        "before": ("…" if start > CONTEXT else "") + full[max(0, start - CONTEXT):start],
        "text": full[start:end],
        "after": full[end:end + CONTEXT] + ("…" if end + CONTEXT < len(full) else ""),
        "document": href(row["doc"].value), "anchor": f"o{start}", "start": start, "end": end,
    }


def _document(node: ox.NamedNode) -> dict:
    """The whole text, cut into lines, with extracted nodes anchored where they occur."""
    full = next(iter(kg().query(f"SELECT ?d ?t WHERE {{ ?d <{MZ.fullText}> ?t }}", substitutions={ox.Variable("d"): node})))["t"].value
    query = f"""SELECT ?d ?node ?type ?label ?start ?end WHERE {{
        ?node <{MZ.inDocument}> ?d ; <{MZ.source}> ?p ; a ?type ; <http://www.w3.org/2000/01/rdf-schema#label> ?label .
        VALUES ?type {{ <{MZ.Measure}> <{MZ.IndicatorTarget}> <{MZ.ProjectBox}> <{MZ.ProjectItem}> <{MZ.Goal}> <{MZ.Section}> }}
        ?p <{MZ.startOffset}> ?start ; <{MZ.endOffset}> ?end }}"""
    marks = []
    for row in kg().query(query, substitutions={ox.Variable("d"): node}):
        marks.append({"start": int(row["start"].value), "end": int(row["end"].value), "href": href(row["node"].value),
                      "kind": row["type"].value.rsplit("#", 1)[-1], "label": row["label"].value})
    return {"blocks": document_text.blocks(full, marks, document_text.tables_of(node)), "counts": _counts(marks),
            "original": _original(node),
            "contents": _contents(node, full), "citation": _citation(node)}


def _contents(node: ox.NamedNode, full: str) -> list[dict]:
    """The document's sections in order, each with its depth and the line of the text it starts on."""
    query = f"""SELECT ?d ?section ?label ?depth ?start WHERE {{
        ?section <{MZ.inDocument}> ?d ; a <{MZ.Section}> ; <http://www.w3.org/2000/01/rdf-schema#label> ?label ;
                 <{MZ.source}>/<{MZ.startOffset}> ?start . OPTIONAL {{ ?section <{MZ.depth}> ?depth }} }}"""
    rows = sorted(kg().query(query, substitutions={ox.Variable("d"): node}), key=lambda row: int(row["start"].value))
    return [{"label": row["label"].value, "depth": int(row["depth"].value) if row["depth"] is not None else 1,
             "line": full.rfind("\n", 0, int(row["start"].value)) + 1, "href": href(row["section"].value)} for row in rows]


def _citation(node: ox.NamedNode) -> str | None:
    """A reference to the document in the style of GB/T 7714 for an online official document:
    issuer. title: document number[EB/OL]. (issued)[consulted]. address."""
    query = f"""SELECT ?d ?title (GROUP_CONCAT(DISTINCT ?issuer; separator="，") AS ?issuers) (SAMPLE(?number) AS ?no)
        (SAMPLE(?issued) AS ?date) (SAMPLE(?published) AS ?out) (SAMPLE(?url) AS ?address) WHERE {{
        ?d <http://purl.org/dc/terms/title> ?title .
        OPTIONAL {{ ?d <{MZ.issuedBy}>/<http://www.w3.org/2000/01/rdf-schema#label> ?issuer }}
        OPTIONAL {{ ?d <{MZ.documentNumber}> ?number }}
        OPTIONAL {{ ?d <http://purl.org/dc/terms/issued> ?issued }}
        OPTIONAL {{ ?d <{MZ.published}> ?published }}
        OPTIONAL {{ ?d <http://purl.org/dc/terms/source> ?url }} }} GROUP BY ?d ?title"""
    rows = list(kg().query(query, substitutions={ox.Variable("d"): node}))
    if not rows:
        return None
    row = rows[0]
    issuers, number = _value(row["issuers"]), _value(row["no"])
    date = _value(row["date"]) or _value(row["out"])
    today = datetime.date.today().isoformat()
    return (f"{issuers + '. ' if issuers else ''}{row['title'].value}{': ' + number if number else ''}[EB/OL]. "
            f"{'(' + date + ')' if date else ''}[{today}]. {_value(row['address']) or node.value}.")


def _history(work: str, shown: str) -> list[dict]:
    """The texts of a document the store has held, the latest first: the document itself, then each
    earlier version (kg/versions.py), with when it was loaded and the file it was read from."""
    work = ox.NamedNode(work)
    query = f"""SELECT ?v ?n ?loaded ?replaced ?name ?url WHERE {{
        {{ BIND({work} AS ?v) }} UNION {{ ?v <{IS_VERSION_OF}> {work} ; <{MZ.versionNumber}> ?n ;
                                       <http://www.w3.org/ns/prov#invalidatedAtTime> ?replaced }}
        OPTIONAL {{ ?v <http://www.w3.org/ns/prov#wasGeneratedBy>/<http://www.w3.org/ns/prov#startedAtTime> ?loaded }}
        OPTIONAL {{ ?v <{MZ.originalFile}> ?f . ?f <{MZ.fileName}> ?name ; <http://www.w3.org/ns/dcat#downloadURL> ?url }}
    }} ORDER BY BOUND(?n) DESC(?n)"""
    rows = list(kg().query(query))
    if len(rows) < 2:
        return []
    return [{"href": href(row["v"].value), "number": _value(row["n"]), "loaded": _value(row["loaded"]),
             "replaced": _value(row["replaced"]), "file": _value(row["name"]),
             "original": href(row["url"].value) if row["url"] is not None else None, "shown": row["v"].value == shown}
            for row in rows]


def _value(term) -> str | None:
    return term.value if term is not None else None


def _original(node: ox.NamedNode) -> dict | None:
    """The file the document was read from, with the local address of its kept bytes."""
    query = f"""SELECT ?d ?name ?type ?size ?url WHERE {{ ?d <{MZ.originalFile}> ?f . ?f <{MZ.fileName}> ?name ;
        <http://www.w3.org/ns/dcat#mediaType> ?type ; <http://www.w3.org/ns/dcat#byteSize> ?size ;
        <http://www.w3.org/ns/dcat#downloadURL> ?url }} LIMIT 1"""
    rows = list(kg().query(query, substitutions={ox.Variable("d"): node}))
    if not rows:
        return None
    row = rows[0]
    return {"name": row["name"].value, "type": row["type"].value.rsplit("media-types/", 1)[-1],
            "size": int(row["size"].value), "href": href(row["url"].value)}


def _counts(marks: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for m in marks:
        counts[m["kind"]] += 1
    return dict(counts)
