"""The one table of result and RDF formats: the endpoint, the entity pages, the dumps, the `kg`
command and the remote client all pick their formats from it."""
from __future__ import annotations

import json
from dataclasses import dataclass

import pyoxigraph as ox

from mzkg.ontology import PREFIXES


@dataclass(frozen=True)
class Format:
    key: str          # the `format` parameter, the `--format` option and the file suffix
    media_type: str
    oxigraph: object  # ox.QueryResultsFormat or ox.RdfFormat
    kind: str         # "results" (SELECT/ASK), "graph" (triples) or "dataset" (quads)
    names: tuple[str, ...] = ()  # other names clients use for it in a `format` parameter

    @property
    def quads(self) -> bool:
        """Whether it can say which graph a triple is in."""
        return self.kind != "results" and self.oxigraph.supports_datasets


FORMATS = (
    Format("json", "application/sparql-results+json", ox.QueryResultsFormat.JSON, "results"),
    Format("xml", "application/sparql-results+xml", ox.QueryResultsFormat.XML, "results"),
    Format("csv", "text/csv", ox.QueryResultsFormat.CSV, "results"),
    Format("tsv", "text/tab-separated-values", ox.QueryResultsFormat.TSV, "results"),
    Format("ttl", "text/turtle", ox.RdfFormat.TURTLE, "graph", ("turtle",)),
    Format("nt", "application/n-triples", ox.RdfFormat.N_TRIPLES, "graph", ("ntriples", "n-triples")),
    Format("rdf", "application/rdf+xml", ox.RdfFormat.RDF_XML, "graph", ("rdfxml", "rdf+xml")),
    Format("jsonld", "application/ld+json", ox.RdfFormat.JSON_LD, "graph", ("json-ld",)),
    Format("nq", "application/n-quads", ox.RdfFormat.N_QUADS, "dataset", ("nquads", "n-quads")),
    Format("trig", "application/trig", ox.RdfFormat.TRIG, "dataset"),
)
BY_KEY = {fmt.key: fmt for fmt in FORMATS}
RESULTS = [fmt for fmt in FORMATS if fmt.kind == "results"]
GRAPHS = [fmt for fmt in FORMATS if fmt.kind == "graph"]   # one resource's or one graph's triples
RDF = [fmt for fmt in FORMATS if fmt.kind != "results"]     # triples or quads
# A graph asked for as json or xml is JSON-LD or RDF/XML.
RDF_NAMES = {"json": "jsonld", "xml": "rdf"}
NAMES = {name: fmt.key for fmt in FORMATS for name in fmt.names}


def named(name: str, offered: list[Format]) -> Format | None:
    """The offered format a `format` parameter or `--format` option names, if any."""
    name = name.lower()
    name = NAMES.get(name, name)
    for candidate in (name, RDF_NAMES.get(name)):
        for fmt in offered:
            if candidate in (fmt.key, fmt.media_type):
                return fmt
    return None


def keys(offered: list[Format]) -> list[str]:
    """The option values a command accepts for these formats, with the json/xml names for RDF."""
    names = {fmt.key for fmt in offered}
    names |= {alias for alias, key in RDF_NAMES.items() if key in names}
    return sorted(names)


def serialize(triples, fmt: Format) -> bytes:
    """Triples in a format, written to be read: with the ontology's prefixes (ontology.PREFIXES) in
    Turtle and RDF/XML, and in JSON-LD with the same prefixes as its @context (see jsonld_context)."""
    if fmt.key == "jsonld":
        return compact_jsonld(ox.serialize(triples, format=ox.RdfFormat.JSON_LD))
    return ox.serialize(triples, format=fmt.oxigraph, prefixes=PREFIXES)


def jsonld_context() -> dict:
    """The JSON-LD context of the RDF pages: the prefixes, each a term for its namespace."""
    return {"@context": {prefix: namespace for prefix, namespace in sorted(PREFIXES.items())}}


def compact_jsonld(expanded: bytes) -> bytes:
    """Expanded JSON-LD (what pyoxigraph writes) with the context's prefixes: property names and
    types become compact IRIs (mz:inDocument), which a JSON-LD processor expands back to the same
    triples. Node IRIs stay whole."""
    namespaces = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))

    def compact(iri: str) -> str:
        for prefix, namespace in namespaces:
            local = iri[len(namespace):]
            if iri.startswith(namespace) and local and not local.startswith("/") and ":" not in local:
                return f"{prefix}:{local}"
        return iri

    def walk(value):
        if isinstance(value, list):
            return [walk(v) for v in value]
        if not isinstance(value, dict):
            return value
        out = {}
        for key, v in value.items():
            if key == "@type":
                out[key] = [compact(t) for t in v] if isinstance(v, list) else compact(v)
            elif key.startswith("@"):
                out[key] = walk(v)
            else:
                out[compact(key)] = walk(v)
        return out

    graph = walk(json.loads(expanded))
    return json.dumps({**jsonld_context(), "@graph": graph}, ensure_ascii=False).encode("utf-8")
