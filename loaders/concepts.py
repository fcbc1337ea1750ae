"""The SKOS vocabularies as the loader uses them: labels to look for in text, and where each
concept sits (target groups, policy areas, indicators)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rdflib import RDF, SKOS, Graph, URIRef

from mzkg.ontology import MZ, vocabulary_files

from .normalize import normalize_label


@dataclass
class Concept:
    iri: URIRef
    label: str
    labels: list[str]                       # every Simplified label to match, longest first
    broader: set[URIRef] = field(default_factory=set)
    unit: str | None = None                 # from a skos:note "unit: …" (indicators)
    area: URIRef | None = None              # mz:policyArea (indicators)


class ConceptSet:
    """Concepts of one scheme, with one compiled pattern over all their labels."""

    def __init__(self, concepts: list[Concept]):
        self.concepts = concepts
        self.by_iri = {c.iri: c for c in concepts}
        self.owner: dict[str, URIRef] = {}
        for concept in concepts:
            for label in concept.labels:
                self.owner.setdefault(label, concept.iri)
        labels = sorted(self.owner, key=len, reverse=True)
        self.pattern = re.compile("|".join(map(re.escape, labels)) or r"(?!)")

    def find(self, text: str) -> dict[URIRef, int]:
        """How often each concept's labels occur in text (at each position the longest label wins)."""
        hits: dict[URIRef, int] = {}
        for m in self.pattern.finditer(text):
            iri = self.owner[m.group()]
            hits[iri] = hits.get(iri, 0) + 1
        return hits


@dataclass
class Vocabulary:
    groups: ConceptSet
    areas: ConceptSet
    indicators: ConceptSet


@lru_cache(maxsize=4)
def vocabulary(base: str) -> Vocabulary:
    graph = Graph()
    for file in vocabulary_files():
        graph.parse(data=file.read_text("utf-8"), format="turtle", publicID=base)
    return Vocabulary(*(ConceptSet(_concepts(graph, cls)) for cls in (MZ.TargetGroup, MZ.PolicyArea, MZ.Indicator)))


def _concepts(graph: Graph, cls) -> list[Concept]:
    concepts = []
    for iri in sorted(graph.subjects(RDF.type, cls)):
        pref = [str(l) for l in graph.objects(iri, SKOS.prefLabel) if getattr(l, "language", None) == "zh"]
        labels = {normalize_label(str(l)) for p in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)
                  for l in graph.objects(iri, p) if getattr(l, "language", None) in ("zh", None)}
        note = next((str(n) for n in graph.objects(iri, SKOS.note) if str(n).startswith("unit:")), None)
        concepts.append(Concept(
            iri=iri,
            label=pref[0] if pref else str(iri),
            labels=sorted((l for l in labels if len(l) >= 2), key=len, reverse=True),
            broader=set(graph.objects(iri, SKOS.broader)),
            unit=note.split(":", 1)[1].strip() if note else None,
            area=graph.value(iri, MZ.policyArea),
        ))
    return concepts
