"""The ontology (mz.ttl), SHACL shapes (shapes.ttl) and controlled vocabularies, as data files."""
from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable

from rdflib import Namespace

ONTOLOGY_IRI = "https://w3id.org/mzkg/ontology"
MZ = Namespace(ONTOLOGY_IRI + "#")
OA = Namespace("http://www.w3.org/ns/oa#")
ORG = Namespace("http://www.w3.org/ns/org#")
QB = Namespace("http://purl.org/linked-data/cube#")


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
