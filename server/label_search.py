"""The labels of documents, concepts, units, instruments, bodies, boxes and measures, folded (script,
width, case) once per generation: what the search box and the saved queries' pickers match."""
from __future__ import annotations

from collections import defaultdict
from functools import lru_cache

from mzkg.loaders.normalize import normalize_label
from mzkg.ontology import ONTOLOGY_IRI

from .labels import links
from .state import kg

SEARCH_LIMIT = 50


def search(q: str) -> list[dict]:
    """Resources whose label contains q: exact matches first, then those it begins, then the rest."""
    wanted = normalize_label(q).lower()
    scored = []
    for label, folded, iri, priority in _current_index():
        position = folded.find(wanted)
        if position < 0:
            continue
        rank = 0 if folded == wanted else (1 if position == 0 else 2)
        scored.append((rank, priority, len(folded), label, iri))
    scored.sort()
    best: dict[str, tuple] = {}
    for entry in scored:
        best.setdefault(entry[-1], entry)
    top = sorted(best.values())[:SEARCH_LIMIT]
    names = links({entry[-1] for entry in top})
    types = _types({entry[-1] for entry in top})
    return [{"matched": label, "link": names[iri], "types": types.get(iri, [])} for *_, label, iri in top]


# Concepts and documents rank before the many statements that mention them.
_PRIORITY = {"PolicyDocument": 0, "Indicator": 1, "TargetGroup": 1, "PolicyArea": 1, "AdministrativeUnit": 2,
             "PolicyInstrument": 2, "GovernmentBody": 2, "ProjectBox": 3, "Measure": 3}


@lru_cache(maxsize=2)
def _label_index(generation: int, snapshot: str | None) -> list[tuple[str, str, str, int]]:
    """(label, folded label, IRI, priority) for every labelled document, concept, unit, instrument, body,
    box and measure (the many other parts are found by the text search); rebuilt when the store's
    generation changes."""
    ranks = " ".join(f"(<{ONTOLOGY_IRI}#{name}> {rank})" for name, rank in _PRIORITY.items())
    query = f"""SELECT ?s ?l (MIN(?rank) AS ?priority) WHERE {{
        VALUES ?p {{ <http://www.w3.org/2000/01/rdf-schema#label> <http://www.w3.org/2004/02/skos/core#prefLabel>
                    <http://www.w3.org/2004/02/skos/core#altLabel> <http://purl.org/dc/terms/title> }}
        VALUES (?type ?rank) {{ {ranks} }}
        ?s a ?type ; ?p ?l FILTER(isIRI(?s))
    }} GROUP BY ?s ?l"""
    return [(row["l"].value, normalize_label(row["l"].value).lower(), row["s"].value, int(row["priority"].value))
            for row in kg().query(query)]


def _types(iris: set[str]) -> dict[str, list[str]]:
    if not iris:
        return {}
    values = " ".join(f"<{i}>" for i in iris)
    found = defaultdict(list)
    for row in kg().query(f"SELECT DISTINCT ?s ?t WHERE {{ VALUES ?s {{ {values} }} ?s a ?t FILTER(STRSTARTS(STR(?t), \"{ONTOLOGY_IRI}\")) }}"):
        found[row["s"].value].append(row["t"].value.rsplit("#", 1)[-1])
    return found



def exact(text: str, types: set[str] | None = None) -> list[str]:
    """The IRIs of the resources labelled `text` (folded), of one of `types` (ontology class names) if given."""
    wanted = normalize_label(text).lower()
    found = sorted({iri for _, folded, iri, _ in _current_index() if folded == wanted})
    if types and found:
        typed = _types(set(found))
        found = [iri for iri in found if types & set(typed.get(iri, []))]
    return found


def _current_index():
    return _label_index(kg().generation, getattr(kg().store, "snapshot", None))
