"""Indicator concepts: the same indicator named in several plans is one skos:Concept."""
from __future__ import annotations

import re

from rdflib import RDF, SKOS, Graph, URIRef

from ontology import MZ

from .iris import Minter, digest
from .normalize import normalize_label
from .rdf import zh

_NOISE = re.compile(r"[()“”\"'《》\s]|^(?:全市|全省|我市)")


def indicator_key(label: str) -> str:
    return _NOISE.sub("", normalize_label(label))


class IndicatorIndex:
    """Mints one concept per normalised indicator label and writes it into the graph."""

    def __init__(self, minter: Minter, graph: Graph):
        self.minter = minter
        self.graph = graph

    def concept(self, label: str, unit: str | None) -> URIRef:
        key = indicator_key(label)
        iri = URIRef(self.minter(f"indicator/{digest(key, 10)}"))
        if (iri, RDF.type, MZ.Indicator) not in self.graph:
            self.graph.add((iri, RDF.type, MZ.Indicator))
            self.graph.add((iri, SKOS.prefLabel, zh(key)))
            self.graph.add((iri, SKOS.inScheme, MZ.IndicatorScheme))
        return iri
