"""The one table of result and RDF formats: the endpoint, the entity pages, the dumps, the `kg`
command and the remote client all pick their formats from it."""
from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox


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
