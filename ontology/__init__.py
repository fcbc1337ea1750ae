"""The ontology (mz.ttl), SHACL shapes (shapes.ttl) and controlled vocabularies, as data files."""
from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable

from rdflib import Namespace

ONTOLOGY_IRI = "https://w3id.org/mzkg/ontology"
# The one table of prefixes: the editor preloads them, RDF pages and dumps in Turtle declare them.
PREFIXES = {
    "mz": ONTOLOGY_IRI + "#", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#", "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/", "prov": "http://www.w3.org/ns/prov#", "dcat": "http://www.w3.org/ns/dcat#",
    "org": "http://www.w3.org/ns/org#", "qb": "http://purl.org/linked-data/cube#", "oa": "http://www.w3.org/ns/oa#",
    "void": "http://rdfs.org/ns/void#", "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "eli": "http://data.europa.eu/eli/ontology#", "qudt": "http://qudt.org/schema/qudt/",
    "sdmx-dimension": "http://purl.org/linked-data/sdmx/2009/dimension#",
    "sdmx-attribute": "http://purl.org/linked-data/sdmx/2009/attribute#",
}
MZ = Namespace(PREFIXES["mz"])
OA = Namespace(PREFIXES["oa"])
ORG = Namespace(PREFIXES["org"])
QB = Namespace(PREFIXES["qb"])


def data_file(name: str) -> Traversable:
    return resources.files(__name__) / name


def ontology_file() -> Traversable:
    return data_file("mz.ttl")


def shapes_file() -> Traversable:
    return data_file("shapes.ttl")


def vocabulary_files() -> list[Traversable]:
    """SKOS concept schemes (target groups, policy areas, indicators), Turtle with IRIs relative to the data base."""
    folder = data_file("vocabularies")
    return sorted((f for f in folder.iterdir() if f.name.endswith(".ttl")), key=lambda f: f.name) if folder.is_dir() else []
