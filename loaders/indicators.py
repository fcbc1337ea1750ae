"""Aligning indicators across plans: the same indicator named in several plans is one concept.

A target's label is normalised (script, width, brackets, units in brackets, 的, 全市…) and
matched against the curated vocabulary (ontology/vocabularies/indicators.ttl); failing an
exact match, a label whose head is the same once the ratio word is set aside (…占比 / …比例 /
…覆盖率), or that is nearly the same string, with a compatible unit, aligns too. Anything
else becomes a concept of its own, shared by every plan that words it the same way.
"""
from __future__ import annotations

import re

from rdflib import RDF, SKOS, Graph, URIRef

from ontology import MZ

from .concepts import Concept, ConceptSet
from .iris import Minter, digest
from .normalize import normalize_label
from .rdf import zh

_UNIT_IN_BRACKETS = re.compile(r"\((?:%|‰|千人比|[^()]{0,8}?(?:元|人|个|张|家|所|座|户|次|米|月))\)?$")
_DROPPED = re.compile(r"[()“”\"'《》\s*]|的|全市|全省|我市|各区|各县|全区|全县")
_RATIO = re.compile(r"(?:占比|比例|比重|覆盖率|率)$")
_SIMILAR = 0.88


def indicator_key(label: str) -> str:
    key = normalize_label(label)
    key = _UNIT_IN_BRACKETS.sub("", key)
    return _DROPPED.sub("", key)


def unit_kind(unit: str | None, label: str = "") -> str | None:
    if unit in ("%", "‰", "千人比") or (unit is None and _RATIO.search(label)):
        return "ratio"
    if unit and "元" in unit:
        return "money"
    return "count" if unit else None


class IndicatorIndex:
    """Finds or mints the concept for an indicator label; minted concepts are written into the graph."""

    def __init__(self, minter: Minter, graph: Graph, vocabulary: ConceptSet):
        self.minter = minter
        self.graph = graph
        self.vocabulary = vocabulary
        self.keys: dict[str, Concept] = {}
        for concept in vocabulary.concepts:
            for label in concept.labels:
                self.keys.setdefault(indicator_key(label), concept)

    def concept(self, label: str, unit: str | None) -> URIRef:
        key = indicator_key(label)
        match = self.keys.get(key) or self._similar(key, unit_kind(unit, key))
        if match is not None:
            return match.iri
        iri = URIRef(self.minter(f"indicator/label-{digest(key, 10)}"))
        if (iri, RDF.type, MZ.Indicator) not in self.graph:
            self.graph.add((iri, RDF.type, MZ.Indicator))
            self.graph.add((iri, SKOS.prefLabel, zh(key)))
            self.graph.add((iri, SKOS.inScheme, MZ.IndicatorScheme))
        return iri

    def _similar(self, key: str, kind: str | None) -> Concept | None:
        head = _RATIO.sub("", key)
        best, best_score = None, 0.0
        for other, concept in self.keys.items():
            other_kind = unit_kind(concept.unit, other)
            if kind and other_kind and kind != other_kind:
                continue
            if kind == "ratio" and len(head) >= 4 and _RATIO.sub("", other) == head:
                return concept
            score = _dice(key, other)
            if score > best_score:
                best, best_score = concept, score
        return best if best_score >= _SIMILAR else None


def _dice(a: str, b: str) -> float:
    pairs_a = {a[i:i + 2] for i in range(len(a) - 1)}
    pairs_b = {b[i:i + 2] for i in range(len(b) - 1)}
    if not pairs_a or not pairs_b:
        return 0.0
    return 2 * len(pairs_a & pairs_b) / (len(pairs_a) + len(pairs_b))
