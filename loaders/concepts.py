"""The SKOS vocabularies as the loader uses them: labels to look for in text, and where each
concept sits (target groups, policy areas, indicators).

A concept is known by its path: its IRI relative to the data base (`group/elderly`), as the
vocabulary files write it, so that what the loader finds does not depend on the base."""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import pyoxigraph as ox

from mzkg.ontology import MZ, vocabulary_files

from .normalize import normalize_label

_BASE = "http://vocabulary.invalid/"  # resolves the files' relative IRIs so that they can be cut off again
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_SKOS = "http://www.w3.org/2004/02/skos/core#"


@dataclass
class Concept:
    path: str
    label: str
    labels: list[str]                       # every Simplified label to match, longest first
    broader: set[str] = field(default_factory=set)
    unit: str | None = None                 # from a skos:note "unit: …" (indicators)
    area: str | None = None                 # mz:policyArea (indicators)


class ConceptSet:
    """Concepts of one scheme, with one compiled pattern over all their labels."""

    def __init__(self, concepts: list[Concept]):
        self.concepts = concepts
        self.owner: dict[str, str] = {}
        for concept in concepts:
            for label in concept.labels:
                self.owner.setdefault(label, concept.path)
        labels = sorted(self.owner, key=len, reverse=True)
        self.pattern = re.compile("|".join(map(re.escape, labels)) or r"(?!)")

    def find(self, text: str) -> dict[str, int]:
        """How often each concept's labels occur in text (at each position the longest label wins)."""
        hits: dict[str, int] = {}
        for m in self.pattern.finditer(text):
            path = self.owner[m.group()]
            hits[path] = hits.get(path, 0) + 1
        return hits


@dataclass
class Vocabulary:
    groups: ConceptSet
    areas: ConceptSet
    indicators: ConceptSet


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    about: dict[str, dict[str, list[ox.Literal | ox.NamedNode]]] = defaultdict(lambda: defaultdict(list))
    for file in vocabulary_files():
        for quad in ox.parse(file.read_bytes(), format=ox.RdfFormat.TURTLE, base_iri=_BASE):
            if isinstance(quad.subject, ox.NamedNode):
                about[quad.subject.value][quad.predicate.value].append(quad.object)
    return Vocabulary(*(ConceptSet(_concepts(about, str(cls))) for cls in (MZ.TargetGroup, MZ.PolicyArea, MZ.Indicator)))


def _concepts(about, cls: str) -> list[Concept]:
    concepts = []
    for iri in sorted(i for i, values in about.items() if any(t.value == cls for t in values[_RDF_TYPE])):
        values = about[iri]
        chinese = [v for p in ("prefLabel", "altLabel", "hiddenLabel") for v in values[_SKOS + p]
                   if isinstance(v, ox.Literal) and v.language in ("zh", None)]
        pref = [v.value for v in values[_SKOS + "prefLabel"] if isinstance(v, ox.Literal) and v.language == "zh"]
        labels = {normalize_label(v.value) for v in chinese}
        note = next((n.value for n in values[_SKOS + "note"] if n.value.startswith("unit:")), None)
        area = values[str(MZ.policyArea)]
        concepts.append(Concept(
            path=_path(iri),
            label=pref[0] if pref else _path(iri),
            labels=sorted((label for label in labels if len(label) >= 2), key=len, reverse=True),
            broader={_path(b.value) for b in values[_SKOS + "broader"]},
            unit=note.split(":", 1)[1].strip() if note else None,
            area=_path(area[0].value) if area else None,
        ))
    return concepts


def _path(iri: str) -> str:
    return iri[len(_BASE):] if iri.startswith(_BASE) else iri
