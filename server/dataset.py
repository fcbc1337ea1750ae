"""The dataset's own description, in VoID and DCAT, at /.well-known/void (and at the dataset's IRI,
{base}dataset): what it holds (triples, documents, classes), where to query it and download it, its
licence and publisher, and when it was last published."""
from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache

import pyoxigraph as ox
from flask import Blueprint, Response, request

from mzkg.kg import formats
from mzkg.ontology import ONTOLOGY_IRI, PREFIXES

from . import negotiation
from .state import kg

bp = Blueprint("dataset", __name__)

LICENCE = "https://creativecommons.org/licenses/by/4.0/"  # the data's licence; the documents are public records
TITLE = {"zh": "民政政策文件知识图谱", "en": "Knowledge graph of Chinese civil-affairs policy documents"}
DESCRIPTION = {"zh": "各地民政政策文件(规划、工作要点、意见、实施方案)的元数据、结构、举措、项目与指标目标,每条陈述可追溯至原文段落。",
               "en": "Metadata, structure, measures, projects and indicator targets of Chinese civil-affairs policy documents "
                     "(plans, work points, opinions, implementation plans), each statement traced to its source passage."}
DUMPS = ("nq", "trig", "ttl", "jsonld")


def _n(name: str) -> ox.NamedNode:
    prefix, local = name.split(":", 1)
    return ox.NamedNode(PREFIXES[prefix] + local)


@bp.route("/.well-known/void")
@bp.route("/dataset")
def void():
    try:
        fmt = negotiation.choose(formats.GRAPHS, request.headers.get("Accept"), request.args.get("format"), formats.GRAPHS[0])
    except negotiation.NotAcceptable as error:
        return Response(str(error) + "\n", status=406, mimetype="text/plain")
    triples = description(request.host_url.rstrip("/"), kg().generation)
    return Response(formats.serialize(triples, fmt), mimetype=fmt.media_type,
                    headers={"Vary": "Accept", "Access-Control-Allow-Origin": "*"})


@lru_cache(maxsize=4)
def description(site: str, generation: int) -> list[ox.Triple]:
    """The description as this site serves it (its endpoint and dump addresses), for one generation."""
    store, base = kg(), kg().minter.base
    d = ox.NamedNode(base + "dataset")
    t: list[ox.Triple] = []

    def add(s, p, o):
        t.append(ox.Triple(s, _n(p) if isinstance(p, str) else p, o))

    add(d, "rdf:type", _n("void:Dataset"))
    add(d, "rdf:type", _n("dcat:Dataset"))
    for language, text in TITLE.items():
        add(d, "dcterms:title", ox.Literal(text, language=language))
    for language, text in DESCRIPTION.items():
        add(d, "dcterms:description", ox.Literal(text, language=language))
    add(d, "dcterms:license", ox.NamedNode(LICENCE))
    publisher = ox.NamedNode(base + "publisher")
    add(d, "dcterms:publisher", publisher)
    add(publisher, "rdf:type", _n("prov:Organization"))
    add(publisher, "rdfs:label", ox.Literal("mzkg", language="en"))
    add(d, "dcterms:modified", ox.Literal(_published(), datatype=_n("xsd:dateTime")))
    add(d, "owl:versionInfo", ox.Literal(f"generation {generation}"))
    add(d, "void:uriSpace", ox.Literal(base))
    add(d, "void:vocabulary", ox.NamedNode(ONTOLOGY_IRI))
    for prefix in ("skos", "dcterms", "prov", "dcat", "qb", "org", "geo"):
        add(d, "void:vocabulary", ox.NamedNode(PREFIXES[prefix]))
    endpoint = ox.NamedNode(site + "/sparql")
    add(d, "void:sparqlEndpoint", endpoint)
    service = ox.NamedNode(site + "/sparql#service")
    add(d, "dcat:accessService", service)
    add(service, "rdf:type", _n("dcat:DataService"))
    add(service, "dcat:endpointURL", endpoint)
    add(service, "dcterms:conformsTo", ox.NamedNode("https://www.w3.org/TR/sparql11-protocol/"))
    for key in DUMPS:
        url = ox.NamedNode(f"{site}/export.{key}")
        add(d, "void:dataDump", url)
        distribution = ox.NamedNode(f"{base}dataset/dump/{key}")
        add(d, "dcat:distribution", distribution)
        add(distribution, "rdf:type", _n("dcat:Distribution"))
        add(distribution, "dcat:downloadURL", url)
        add(distribution, "dcat:mediaType", ox.NamedNode("https://www.iana.org/assignments/media-types/" + formats.BY_KEY[key].media_type))
        add(distribution, "dcterms:license", ox.NamedNode(LICENCE))
    total = _count(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    add(d, "void:triples", ox.Literal(str(total), datatype=_n("xsd:integer")))
    add(d, "void:documents", ox.Literal(str(_count(store, f"SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {{ ?d a <{ONTOLOGY_IRI}#PolicyDocument> }}")),
                                        datatype=_n("xsd:integer")))
    classes = list(store.query(f"""SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?c FILTER(STRSTARTS(STR(?c), "{ONTOLOGY_IRI}#")) }}
                                   GROUP BY ?c ORDER BY ?c"""))
    add(d, "void:classes", ox.Literal(str(len(classes)), datatype=_n("xsd:integer")))
    for row in classes:
        partition = ox.NamedNode(f"{base}dataset/class/{row['c'].value.rsplit('#', 1)[-1]}")
        add(d, "void:classPartition", partition)
        add(partition, "void:class", row["c"])
        add(partition, "void:entities", ox.Literal(row["n"].value, datatype=_n("xsd:integer")))
    return t


def _count(store, query: str) -> int:
    return int(next(iter(store.query(query)))["n"].value)


def _published() -> str:
    """When the generation being served was published: its snapshot's time."""
    snapshot = getattr(kg().store, "opened", None)
    stamp = snapshot.stat().st_mtime if snapshot is not None and snapshot.exists() else datetime.now(timezone.utc).timestamp()
    return datetime.fromtimestamp(stamp, timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
