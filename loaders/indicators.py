"""Aligning indicators across plans: the same indicator named in several plans is one concept.

A target's label is normalised (script, width, brackets, units in brackets, 的, 全市…) and
matched against the curated vocabulary (ontology/vocabularies/indicators.ttl); failing an
exact match, a label whose head is the same once the ratio word is set aside (…占比 / …比例 /
…覆盖率), or that is nearly the same string, with a compatible unit, aligns too. Anything
else becomes a concept of its own, shared by every plan that words it the same way.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rdflib import RDF, SKOS, Graph, URIRef

from mzkg.ontology import MZ

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


@dataclass(frozen=True)
class _Known:
    """A vocabulary label's key with what the similarity search compares it by."""
    key: str
    concept: Concept
    kind: str | None
    head: str  # the key without its ratio word
    pairs: frozenset[str]


@lru_cache(maxsize=8)
def _known(vocabulary: ConceptSet) -> tuple[dict[str, Concept], tuple[_Known, ...]]:
    """The vocabulary's keys, worked out once rather than for every document."""
    keys: dict[str, Concept] = {}
    for concept in vocabulary.concepts:
        for label in concept.labels:
            keys.setdefault(indicator_key(label), concept)
    return keys, tuple(_Known(k, c, unit_kind(c.unit, k), _RATIO.sub("", k), _pairs(k)) for k, c in keys.items())


class IndicatorIndex:
    """Finds or mints the concept for an indicator label; minted concepts are written into the graph."""

    def __init__(self, minter: Minter, graph: Graph, vocabulary: ConceptSet):
        self.minter = minter
        self.graph = graph
        self.vocabulary = vocabulary
        self.keys, self.known = _known(vocabulary)

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
        head, pairs = _RATIO.sub("", key), _pairs(key)
        best, best_score = None, 0.0
        for known in self.known:
            if kind and known.kind and kind != known.kind:
                continue
            if kind == "ratio" and len(head) >= 4 and known.head == head:
                return known.concept
            score = _dice(pairs, known.pairs)
            if score > best_score:
                best, best_score = known.concept, score
        return best if best_score >= _SIMILAR else None


def _pairs(text: str) -> frozenset[str]:
    return frozenset(text[i:i + 2] for i in range(len(text) - 1))


def _dice(pairs_a: frozenset[str], pairs_b: frozenset[str]) -> float:
    if not pairs_a or not pairs_b:
        return 0.0
    return 2 * len(pairs_a & pairs_b) / (len(pairs_a) + len(pairs_b))
