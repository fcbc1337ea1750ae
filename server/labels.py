"""Labels and links for IRIs on HTML pages."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote


from mzkg.ontology import ONTOLOGY_IRI

from .state import kg

LABEL_PROPERTIES = ("http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel",
                    "http://purl.org/dc/terms/title")
WELL_KNOWN = {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf:", "http://www.w3.org/2000/01/rdf-schema#": "rdfs:",
    "http://www.w3.org/2002/07/owl#": "owl:", "http://www.w3.org/2004/02/skos/core#": "skos:",
    "http://purl.org/dc/terms/": "dcterms:", "http://www.w3.org/ns/prov#": "prov:", "http://www.w3.org/ns/org#": "org:",
    "http://purl.org/linked-data/cube#": "qb:", "http://www.w3.org/2001/XMLSchema#": "xsd:", ONTOLOGY_IRI + "#": "mz:",
}


@dataclass(frozen=True)
class Link:
    iri: str
    href: str
    label: str
    local: bool


def href(iri: str) -> str:
    """Where an IRI is shown: a path on this server for IRIs under the data base or the ontology."""
    base = kg().base
    if iri.startswith(base):
        return "/" + quote(iri[len(base):], safe="/#:-._~")
    if iri.startswith(ONTOLOGY_IRI):
        return "/ontology" + iri[len(ONTOLOGY_IRI):]
    return iri


def iri_for_path(path: str) -> str:
    return kg().base + path


def short(iri: str) -> str:
    for namespace, prefix in WELL_KNOWN.items():
        if iri.startswith(namespace):
            return prefix + iri[len(namespace):]
    return iri


def labels(iris: set[str], language: str = "zh") -> dict[str, str]:
    """The best label of each IRI: Chinese, then English, then any."""
    named = [i for i in iris if i.startswith(("http://", "https://", "urn:"))]
    found: dict[str, tuple[int, str]] = {}
    for start in range(0, len(named), 400):
        values = " ".join(f"<{i}>" for i in named[start:start + 400] if ">" not in i and " " not in i)
        if not values:
            continue
        props = " ".join(f"<{p}>" for p in LABEL_PROPERTIES)
        query = f"SELECT ?s ?l WHERE {{ VALUES ?s {{ {values} }} VALUES ?p {{ {props} }} ?s ?p ?l }}"
        for row in kg().query(query):
            literal = row["l"]
            rank = {language: 0, "en": 1}.get(getattr(literal, "language", None) or "", 2)
            key = row["s"].value
            if key not in found or rank < found[key][0]:
                found[key] = (rank, literal.value)
    return {iri: text for iri, (_, text) in found.items()}


def links(iris: set[str]) -> dict[str, Link]:
    names = labels(iris)
    base = kg().base
    return {iri: Link(iri, href(iri), names.get(iri) or short(iri), iri.startswith(base) or iri.startswith(ONTOLOGY_IRI))
            for iri in iris}

